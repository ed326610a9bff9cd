"""Decisions: scored pairs to rows of the contract's ``flags`` table.

A pair becomes a flag only if the plan is current on the arrival date
(``start_date <= arrival date <= end_date``, both inclusive, a null end open).
Every flag carries the list's age on the arrival date and, when the list is
older than the configured limit or its date is unknown, a warning in
``reasons`` -- concern is stepped up, never down.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.contract import FLAG_KINDS, FLAGS
from cpflag.linkage import reasons_expr
from cpflag.rules._settings import RuleSettings

__all__ = [
    "DECISION_PLAN_COLUMNS",
    "FLAG_ORDER",
    "list_age_expr",
    "plan_current_expr",
    "plan_flags",
    "staleness_note",
]

FLAG_ORDER: Final = FLAG_KINDS

#: The plan columns every flag kind's decision reads (current on arrival, the
#: unborn-mother window, list age) and its flag row carries.
DECISION_PLAN_COLUMNS: Final = (
    "plan_id",
    "la_code",
    "plan_type",
    "start_date",
    "end_date",
    "list_date",
    "expected_delivery_date",
)


def plan_current_expr(arrival_date: pl.Expr) -> pl.Expr:
    """True where the plan is current on ``arrival_date`` (plan columns in scope)."""
    return (pl.col("start_date") <= arrival_date) & (
        pl.col("end_date").is_null() | (arrival_date <= pl.col("end_date"))
    )


def list_age_expr(arrival_date: pl.Expr) -> pl.Expr:
    """Age of the plan's list in days on ``arrival_date`` (null when unknown)."""
    return (arrival_date - pl.col("list_date")).dt.total_days().cast(pl.Int64)


def staleness_note(config: RuleSettings) -> pl.Expr:
    """A warning to append to ``reasons`` for stale or undated lists (else null)."""
    age = pl.col("list_age_days")
    return (
        pl.when(age.is_null())
        .then(pl.lit("LIST DATE UNKNOWN: check the LA's current list"))
        .when(age > config.stale_after_days)
        .then(
            pl.format(
                "LIST STALE: {} days old (limit {}); check the LA's current list",
                age,
                pl.lit(config.stale_after_days),
            )
        )
        .otherwise(pl.lit(None, pl.String))
    )


def finish_flags(frame: pl.DataFrame, config: RuleSettings) -> pl.DataFrame:
    """Add staleness warnings and guard notes to ``reasons``; select the contract columns."""
    guard_note = pl.when(pl.col("guard").is_not_null()).then(
        pl.format("capped at review by the {} guard", pl.col("guard"))
    )
    return frame.with_columns(
        pl.concat_str(
            [pl.col("reasons"), guard_note, staleness_note(config)],
            separator="; ",
            ignore_nulls=True,
        ).alias("reasons")
    ).select([pl.col(c.name).cast(c.dtype) for c in FLAGS.columns])


def plan_flags(
    scored: pl.DataFrame,
    attendances: pl.DataFrame,
    plans: pl.DataFrame,
    subjects: pl.DataFrame,
    config: RuleSettings,
) -> pl.DataFrame:
    """``plan_subject`` flags from scored attendance--subject pairs.

    Args:
        scored: Banded pairs (``l`` = attendance row, ``r`` = subject row).
        attendances: The batch (``attendance_id``, ``arrival_time``).
        plans: The plans table with ``prow`` row numbers.
        subjects: The prepared subject frame (``prow`` per subject row).
        config: Run configuration.

    Returns:
        Rows of the flags table (unordered).
    """
    if scored.height == 0:
        return pl.DataFrame(schema=FLAGS.schema)
    model = config.model
    att = attendances.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"),
        "attendance_id",
        pl.col("arrival_time").dt.date().alias("arrival_date"),
    )
    subj = subjects.select(pl.col("rec").alias("r"), "prow")
    plan_cols = plans.select("prow", *DECISION_PLAN_COLUMNS)
    out = (
        scored.with_columns(reasons_expr(model).alias("reasons"))
        .select("l", "r", "match_weight", "band", "guard", "reasons")
        .join(att, on="l", how="left")
        .join(subj, on="r", how="left")
        .join(plan_cols, on="prow", how="left")
        .filter(plan_current_expr(pl.col("arrival_date")))
        .with_columns(
            pl.lit("plan_subject").alias("flag"),
            pl.col("match_weight").alias("score"),
            list_age_expr(pl.col("arrival_date")).alias("list_age_days"),
        )
    )
    return finish_flags(out, config).unique(
        ["attendance_id", "flag", "plan_id"], keep="first", maintain_order=True
    )
