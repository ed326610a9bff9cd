"""The v2 columns of a flag row: ``match_probability``, ``check`` and ``found``.

Each column has its polars reading (the batch) and its plain one (triage),
written side by side so the two stay the same:

* ``match_probability``: the posterior probability of the score, a log2
  posterior odds that includes the prior: p = 2^s / (1 + 2^s), computed as
  1 / (1 + 2^-|s|) or 2^-|s| / (1 + 2^-|s|) so that no power overflows.
* ``check``: null at ``match``; at ``review``, what the rule declares for the
  cap or guard that put the flag there, else the kind's generic check
  (``cpflag.rules.REVIEW_CHECKS``).
* ``found``: ``arrival`` -- every flag is raised on the night of its attendance.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.contract import Band, Found
from cpflag.linkage import LinkageModel
from cpflag.rules import REVIEW_CHECKS

__all__ = ["FOUND", "check_expr", "check_one", "probability_expr", "probability_one"]

#: ``found`` of every flag raised by a run.
FOUND: Final = Found.ARRIVAL.value


def probability_expr(score: pl.Expr) -> pl.Expr:
    """``match_probability`` of a score column (log2 posterior odds)."""
    tail = pl.lit(2.0).pow(-score.abs())
    return pl.when(score >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))


def probability_one(score: float) -> float:
    """:func:`probability_expr` of one score."""
    tail: float = 2.0 ** -abs(score)
    return 1.0 / (1.0 + tail) if score >= 0 else tail / (1.0 + tail)


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
