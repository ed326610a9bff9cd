"""Accuracy of a flags table against ground truth (synthetic data, or an audit).

Recall counts a true flag found in either band (``match`` or ``review``: a person
looks at both); precision is measured on the ``match`` band (alerts). A flag is
identified by (attendance_id, flag, plan_id).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from cpflag.contract import Band, FlagKind

__all__ = ["Accuracy", "evaluate_flags"]

_KEY = ["attendance_id", "flag", "plan_id"]


@attrs.frozen
class Accuracy:
    """Per flag kind: counts, recall (match + review) and precision (match).

    Attributes:
        by_kind: Frame with ``flag``, ``true``, ``found``, ``recall``,
            ``match``, ``match_correct``, ``precision_match``, ``review``.
        by_trap: Recall of ``plan_subject`` (or the kind asked for) among true
            flags whose attendance has each trap: ``trap``, ``true``, ``found``, ``recall``.
    """

    by_kind: pl.DataFrame
    by_trap: pl.DataFrame

    def to_text(self) -> str:
        lines = ["flag kind                   true  found  recall  match  precision(match)"]
        for r in self.by_kind.iter_rows(named=True):
            lines.append(
                f"{r['flag']:<26} {r['true']:5d} {r['found']:6d} {_pct(r['recall'])}"
                f" {r['match']:6d}  {_pct(r['precision_match'])}"
            )
        if self.by_trap.height:
            lines.append("recall by trap (true flags on attendances with the trap):")
            for r in self.by_trap.iter_rows(named=True):
                lines.append(f"  {r['trap']:<28} {r['true']:5d} {_pct(r['recall'])}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"by_kind": self.by_kind.to_dicts(), "by_trap": self.by_trap.to_dicts()}


def _pct(x: float | None) -> str:
    return "    n/a" if x is None else f"{100 * x:6.2f}%"


def evaluate_flags(
    flags: pl.DataFrame,
    truth_flags: pl.DataFrame,
    *,
    truth_attendances: pl.DataFrame | None = None,
    kinds: Sequence[str] | None = None,
    trap_kind: str = FlagKind.PLAN_SUBJECT,
) -> Accuracy:
    """Compare flags with the true flags.

    Args:
        flags: cpflag's output (``attendance_id``, ``flag``, ``plan_id``, ``band``).
        truth_flags: The true flags (``attendance_id``, ``flag``, ``plan_id``).
        truth_attendances: Per attendance, Boolean trap columns, for recall by trap.
        kinds: Flag kinds to report (default: those in either table, except repeats).
        trap_kind: The flag kind whose recall is broken down by trap.

    Returns:
        The accuracy tables.
    """
    pred = flags.select(*_KEY, "band").unique(_KEY, keep="first", maintain_order=True)
    truth = truth_flags.select(_KEY).unique().with_columns(pl.lit(True).alias("_true"))
    both = pred.join(truth, on=_KEY, how="full", coalesce=True).with_columns(
        pl.col("_true").fill_null(False)
    )
    if kinds is None:
        kinds = sorted(set(both["flag"].unique().to_list()) - {FlagKind.REPEAT})
    rows = []
    for k in kinds:
        sub = both.filter(pl.col("flag") == k)
        true = sub.filter(pl.col("_true"))
        found = true.filter(pl.col("band").is_not_null()).height
        match = sub.filter(pl.col("band") == Band.MATCH)
        correct = match.filter(pl.col("_true")).height
        rows.append(
            {
                "flag": k,
                "true": true.height,
                "found": found,
                "recall": found / true.height if true.height else None,
                Band.MATCH: match.height,
                "match_correct": correct,
                "precision_match": correct / match.height if match.height else None,
                Band.REVIEW: sub.filter(pl.col("band") == Band.REVIEW).height,
            }
        )
    by_kind = pl.DataFrame(
        rows,
        schema={
            "flag": pl.String,
            "true": pl.Int64,
            "found": pl.Int64,
            "recall": pl.Float64,
            Band.MATCH: pl.Int64,
            "match_correct": pl.Int64,
            "precision_match": pl.Float64,
            Band.REVIEW: pl.Int64,
        },
    )
    trap_rows = []
    if truth_attendances is not None:
        traps = [
            c for c, t in truth_attendances.schema.items() if t == pl.Boolean and c != "is_adult"
        ]
        tk = both.filter((pl.col("flag") == trap_kind) & pl.col("_true")).join(
            truth_attendances.select("attendance_id", *traps), on="attendance_id", how="left"
        )
        for t in traps:
            sub = tk.filter(pl.col(t).fill_null(False))
            if sub.height:
                found = sub.filter(pl.col("band").is_not_null()).height
                trap_rows.append(
                    {"trap": t, "true": sub.height, "found": found, "recall": found / sub.height}
                )
    by_trap = pl.DataFrame(
        trap_rows,
        schema={"trap": pl.String, "true": pl.Int64, "found": pl.Int64, "recall": pl.Float64},
    )
    return Accuracy(by_kind=by_kind, by_trap=by_trap)
