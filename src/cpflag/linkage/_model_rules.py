"""The model's blocking rules, guards and band thresholds (``LinkageModel``'s parts).

See ``cpflag.linkage._model`` for the vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import attrs

from cpflag._errors import ModelError

__all__ = ["BlockingRule", "Guard", "Thresholds", "probability_validator"]


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _when(d: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in d.items()}


def probability_validator(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    """An attrs validator: a probability in (0, 1].

    Raises:
        ModelError: The value is not in (0, 1].
    """
    if not (0.0 < value <= 1.0) or math.isnan(value):
        raise ModelError(f"{attribute.name} must be in (0, 1], got {value!r}")


@attrs.frozen
class BlockingRule:
    """An equi-join on derived keys: pairs agreeing on every key are compared.

    Args:
        name: Used when reporting pairs (and recall) per rule.
        left_keys: Prepared columns of the left (attendance) side.
        right_keys: Prepared columns of the right (plan) side; defaults to ``left_keys``.
            A list-typed key column is exploded: any element may agree.
        why: The failure the rule protects against, for the docs and reviewers.
    """

    name: str
    left_keys: tuple[str, ...] = attrs.field(converter=_strs)
    right_keys: tuple[str, ...] = attrs.field(converter=_strs, default=())
    why: str = ""

    @property
    def keys_right(self) -> tuple[str, ...]:
        return self.right_keys or self.left_keys


@attrs.frozen
class Guard:
    """A rule that caps a pair at ``review`` however high its weight.

    A pair is capped when, for every ``comparison -> labels`` entry in ``when``,
    the pair's level of that comparison is one of the labels (``null``: a value
    missing on either side). Guards encode known traps where weights alone
    mislead (twins, a sibling's NHS number typed into the wrong record).

    Args:
        name: The guard's name (in ``reasons``: "capped at review by the X guard").
        when: ``comparison -> labels`` that must all hold.
        why: The trap, for the docs and reviewers.
        check: What a person should verify for a flag the guard put at review
            (the flag's ``check``); "" gives the flag kind's generic check. Never
            an identifying value: it is the same text for every pair.
        probability: At most this share of the pairs it applies to are the same
            person (the weights over-count there): the flag's
            ``match_probability`` is at most this; None: the score's own.
    """

    name: str
    when: dict[str, tuple[str, ...]] = attrs.field(converter=_when)
    why: str = ""
    check: str = ""
    probability: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(probability_validator)
    )


@attrs.frozen
class Thresholds:
    """Match-weight thresholds of the two bands.

    Args:
        match: At or above: band ``match`` (alert).
        review: At or above (and below ``match``): band ``review`` (a person should look).
    """

    match: float = 6.0
    review: float = -4.0

    def __attrs_post_init__(self) -> None:
        if self.review > self.match:
            raise ModelError("the review threshold must not exceed the match threshold")
