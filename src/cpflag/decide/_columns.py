"""The v2 columns of a flag row: ``match_probability``, ``check`` and ``found``.

Each column has its polars reading (the batch) and its plain one (triage),
written side by side so the two stay the same:

* ``match_probability``: the posterior probability of the score, a log2
  posterior odds that includes the prior: p = 2^s / (1 + 2^s), computed as
  1 / (1 + 2^-|s|) or 2^-|s| / (1 + 2^-|s|) so that no power overflows; at
  most the probability of the guard that applies (``Guard.probability``);
  then, when the person model carries one, its recalibration from review
  outcomes (``LinkageModel.recalibration``: monotone, the band unchanged).
* ``check``: null at ``match``; at ``review``, what the rule declares for the
  cap or guard that put the flag there, else the kind's generic check
  (``cpflag.rules.REVIEW_CHECKS``).
* ``found``: ``arrival`` -- every flag is raised on the night of its attendance.

And the guard's note in ``reasons``: "capped at review by the X guard" only
where the weight alone would have been a ``match``; where it was ``review``
anyway, "the X guard applies", so no flag (and no ``explain``) says it was
capped when the weight put it there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import polars as pl

from cpflag.contract import Band, Found
from cpflag.linkage import LinkageModel, Recalibration
from cpflag.rules import REVIEW_CHECKS

__all__ = [
    "FOUND",
    "check_expr",
    "check_one",
    "guard_ceilings",
    "guard_note",
    "guard_note_expr",
    "probability_expr",
    "probability_one",
]

#: ``found`` of every flag raised by a run.
FOUND: Final = Found.ARRIVAL.value


def guard_ceilings(model: LinkageModel) -> dict[str, float]:
    """The guards of ``model`` with a probability ceiling (``Guard.probability``)."""
    return {g.name: g.probability for g in model.guards if g.probability is not None}


def probability_expr(
    score: pl.Expr,
    ceilings: Mapping[str, float] | None = None,
    recalibration: Recalibration | None = None,
) -> pl.Expr:
    """``match_probability`` of a score column (log2 posterior odds).

    With ``ceilings`` (``guard`` in scope), a flag a guard applies to has at
    most that guard's probability: where a guard applies the weights are known
    to over-count, so the score's own probability is not to be trusted. With
    ``recalibration``, that probability is then recalibrated.
    """
    tail = pl.lit(2.0).pow(-score.abs())
    p = pl.when(score >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))
    if ceilings:
        cap = pl.col("guard").replace_strict(dict(ceilings), default=1.0, return_dtype=pl.Float64)
        p = pl.min_horizontal(p, cap.fill_null(1.0))
    return p if recalibration is None else recalibration.expr(p)


def probability_one(
    score: float, ceiling: float | None = None, recalibration: Recalibration | None = None
) -> float:
    """:func:`probability_expr` of one score (``ceiling``: its guard's, if any)."""
    tail: float = 2.0 ** -abs(score)
    p = 1.0 / (1.0 + tail) if score >= 0 else tail / (1.0 + tail)
    p = p if ceiling is None else min(p, ceiling)
    return p if recalibration is None else recalibration.apply_one(p)


def check_expr(kind: str, model: LinkageModel) -> pl.Expr:
    """``check`` of flag rows of ``kind`` (``band`` and ``guard`` columns in scope)."""
    checks = REVIEW_CHECKS[kind]
    guard = pl.col("guard")
    texts = checks.texts(model)
    named = guard.replace_strict(texts, default=checks.generic, return_dtype=pl.String)
    text = pl.when(guard.is_null()).then(pl.lit(checks.generic)).otherwise(named)
    return pl.when(pl.col("band") == Band.REVIEW).then(text).otherwise(pl.lit(None, pl.String))


def check_one(kind: str, band: str, guard: str | None, model: LinkageModel) -> str | None:
    """:func:`check_expr` of one flag."""
    if band != Band.REVIEW:
        return None
    return REVIEW_CHECKS[kind].text(guard, model)


def guard_note(guard: str, band: str | None, weight: float, match_threshold: float) -> str:
    """The note a guard adds to ``reasons`` and ``explain``.

    Args:
        guard: The guard (or rule cap) that applies.
        band: The pair's final band (None: no flag).
        weight: The pair's match weight.
        match_threshold: The model's match threshold.
    """
    if band is None:
        return f"the {guard} guard applies; the weight is below the review threshold"
    if band == Band.REVIEW and weight >= match_threshold:
        return f"capped at review by the {guard} guard"
    return f"the {guard} guard applies"


def guard_note_expr(match_threshold: float) -> pl.Expr:
    """:func:`guard_note` of flag rows (``guard``, ``band``, ``score`` in scope); null: no guard."""
    guard = pl.col("guard")
    capped = (pl.col("band") == Band.REVIEW) & (pl.col("score") >= match_threshold)
    return (
        pl.when(guard.is_null())
        .then(pl.lit(None, pl.String))
        .when(capped)
        .then(pl.format("capped at review by the {} guard", guard))
        .otherwise(pl.format("the {} guard applies", guard))
    )
