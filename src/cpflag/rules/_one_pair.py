"""One scored relationship pair at triage, as a rule's plain caps read it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from cpflag.linkage import LinkageModel

__all__ = ["OnePair"]


@attrs.frozen
class OnePair:
    """A banded attendee--plan pair of one relation kind (the plain reading's input).

    Attributes:
        band: The pair's band from its weights (``match`` or ``review``).
        guard: The model guard that applies, or None.
        gammas: Level index per comparison of ``model`` (``-1`` null).
        weights: Weight per comparison.
        match_weight: The pair's match weight.
        model: The relation's model.
        attendee: The attendee row (``rules._attendee_plain``).
        subject_band: The band of the attendee's same-person link to this plan
            (None: no link).
        subject_guard: That link's guard.
    """

    band: str
    guard: str | None
    gammas: tuple[int, ...]
    weights: tuple[float, ...]
    match_weight: float
    model: LinkageModel
    attendee: Mapping[str, Any]
    subject_band: str | None = None
    subject_guard: str | None = None
