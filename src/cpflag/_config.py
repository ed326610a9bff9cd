"""Run configuration of the flagging job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from cpflag._errors import ConfigError, ModelError
from cpflag.contract import FLAG_KINDS
from cpflag.linkage import LinkageModel, check_level_labels, default_model
from cpflag.rules import RELATION_FLAGS, default_relation_models

__all__ = ["FlagConfig"]


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    """A tuple of the values (typed, so callers may pass any iterable of str)."""
    return tuple(values)


def _relation_models(given: Mapping[str, LinkageModel]) -> dict[str, LinkageModel]:
    """The shipped relationship models with ``given`` in place of theirs.

    Raises:
        ConfigError: A key that is not a relationship flag kind, a value
            that is not a :class:`LinkageModel`, or a comparison whose levels
            are not its kind's.
    """
    unknown = sorted(set(given) - set(RELATION_FLAGS))
    if unknown:
        raise ConfigError(
            f"relation_models: {unknown} have no relationship model; "
            f"known: {list(RELATION_FLAGS)} (plan_subject and unborn_plan_mother use `model`)"
        )
    for kind, model in given.items():
        if not isinstance(model, LinkageModel):
            raise ConfigError(
                f"relation_models[{kind!r}] must be a LinkageModel, got {type(model).__name__}"
            )
        try:
            check_level_labels(model)
        except ModelError as exc:
            raise ConfigError(f"relation_models[{kind!r}]: {exc}") from exc
    return {**default_relation_models(), **given}


def _positive(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if value < 0:
        raise ConfigError(f"{attribute.name} must not be negative, got {value}")


@attrs.frozen
class FlagConfig:
    """What a flagging run uses beyond its input tables.

    Args:
        model: The linkage model; the shipped default when omitted.
        stale_after_days: A list older than this on the arrival date makes every
            flag from it carry a staleness warning. The study found lists shared
            twice weekly to monthly, so a month by default.
        expected_la_codes: LAs whose lists the trust expects; the run summary
            names those with no list loaded (their children cannot be flagged).
        unborn_mother_weeks_after_edd: How long after the expected delivery date
            the mother on an unborn plan is still flagged.
        newborn_days: A baby is a newborn for this many days after birth.
        adult_age: Attendees this old or older count as adults (carer flags).
        repeat_min_attendances: The repeat-attendance rule: at least this many ...
        repeat_window_days: ... attendances by one child within this many days.
        family_repeat_min_attendances: The family-level rule: at least this many
            attendances by the children of one family within the window.
        repeat_family_rows: Also raise a ``review`` row when only the family
            rule holds. Off by default: ``repeat_attendance`` is the child's
            flag, and the family's count is reported in the ``reasons`` of the
            child's rows; a queue of family-only rows was found to be almost
            all noise on data cpflag was not built on (issue 13).
        flags: The flag kinds to raise (default: all). Leaving kinds out only
            skips work; it is never a statement that they do not apply.
        subject_share: The expected share of attendances that are the subject of
            some plan on the lists (~1% of children in England are on a CPP or
            LAC list; they attend ED more often). With it the same-person prior
            is ``subject_share / number of plan subjects``: a record is less
            likely to be any *given* one of 140,000 subjects than of 3,000.
            ``None`` keeps the model's own prior.
        relation_models: The relationship models by flag kind
            (``sibling_of_plan_subject``, ``carer_of_plan_subject``,
            ``newborn_of_unborn_plan``); kinds not given keep the shipped model
            (:func:`cpflag.default_relation_models`). Their thresholds set how
            strong a relationship must be to reach ``review`` and ``match``: a
            trust that would rather review more families lowers the review
            threshold (see ``docs/linkage.md`` for the measured trade-off).
    """

    model: LinkageModel = attrs.field(factory=default_model)
    stale_after_days: int = attrs.field(default=31, validator=_positive)
    expected_la_codes: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    unborn_mother_weeks_after_edd: int = attrs.field(default=6, validator=_positive)
    newborn_days: int = attrs.field(default=90, validator=_positive)
    adult_age: int = attrs.field(default=18, validator=_positive)
    repeat_min_attendances: int = attrs.field(default=3, validator=_positive)
    repeat_window_days: int = attrs.field(default=365, validator=_positive)
    family_repeat_min_attendances: int = attrs.field(default=4, validator=_positive)
    repeat_family_rows: bool = False
    flags: tuple[str, ...] = attrs.field(default=FLAG_KINDS, converter=_strings)
    subject_share: float | None = attrs.field(default=0.03)
    relation_models: dict[str, LinkageModel] = attrs.field(
        factory=default_relation_models, converter=_relation_models, hash=False
    )

    @subject_share.validator
    def _share(self, _attribute: attrs.Attribute[float | None], value: float | None) -> None:
        if value is not None and not 0.0 < value <= 1.0:
            raise ConfigError(f"subject_share must be in (0, 1], got {value}")

    @flags.validator
    def _known_flags(
        self, _attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
    ) -> None:
        unknown = set(value) - set(FLAG_KINDS)
        if unknown:
            raise ConfigError(f"unknown flag kind(s) {sorted(unknown)}; known: {list(FLAG_KINDS)}")
