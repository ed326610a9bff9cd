"""Decisions: scored pairs to rows of the contract's ``flags`` table.

A pair becomes a flag only if the plan is current on the arrival date
(``start_date <= arrival date <= end_date``, both inclusive, a null end open).
Every flag carries the list's age on the arrival date and, when the list is
older than the configured limit or its date is unknown, a warning in
``reasons`` -- concern is stepped up, never down -- and the contract's v2
columns (``_columns``: its probability, the check at review, ``found``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import polars as pl

from cpflag.contract import FLAG_KINDS, FLAGS, FlagKind
from cpflag.decide._columns import (
    FOUND,
    check_expr,
    guard_ceilings,
    guard_note_expr,
    probability_expr,
)
from cpflag.linkage import LinkageModel, Linker, reasons_expr
from cpflag.rules import sibling, unborn_mother
from cpflag.rules._settings import RuleSettings

__all__ = [
    "DECISION_PLAN_COLUMNS",
    "FLAG_ORDER",
    "list_age_expr",
    "order_flags",
    "plan_current_expr",
    "plan_flags",
    "relation_flags",
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


def finish_flags(
    frame: pl.DataFrame, config: RuleSettings, kind: str, model: LinkageModel
) -> pl.DataFrame:
    """Add the v2 columns, staleness warnings and guard notes; select the contract columns.

    Args:
        frame: Flag rows of one kind with ``score``, ``band``, ``guard`` and ``reasons``.
        config: Run configuration (the staleness limit).
        kind: The flag kind (its checks).
        model: The model that scored the rows (its guards' checks).
    """
    guard_note = guard_note_expr(model.thresholds.match)
    # The flag's probability is composed first, then recalibrated: the
    # recalibration is fitted on the flags' own probabilities.
    p = probability_expr(pl.col("score"), guard_ceilings(model))
    if "review_anchor_weight" in frame.columns:
        p = sibling.anchor_ceiling(p)
    if "window_probability" in frame.columns:
        # A relationship that holds only for a while (the mother's window):
        # P(identity) x P(still within the window), composed, never added.
        p = p * pl.col("window_probability")
    recalibration = config.model.recalibration
    if recalibration is not None:
        p = recalibration.expr(p)
    return frame.with_columns(
        p.alias("match_probability"),
        check_expr(kind, model).alias("check"),
        pl.lit(FOUND).alias("found"),
        pl.concat_str(
            [pl.col("reasons"), guard_note, staleness_note(config)],
            separator="; ",
            ignore_nulls=True,
        ).alias("reasons"),
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
            pl.lit(FlagKind.PLAN_SUBJECT).alias("flag"),
            pl.col("match_weight").alias("score"),
            list_age_expr(pl.col("arrival_date")).alias("list_age_days"),
        )
    )
    return finish_flags(out, config, FlagKind.PLAN_SUBJECT, model).unique(
        ["attendance_id", "flag", "plan_id"], keep="first", maintain_order=True
    )


def relation_flags(
    kind: str,
    scored: pl.DataFrame,
    left: pl.DataFrame,
    attendances: pl.DataFrame,
    right: pl.DataFrame,
    plans: pl.DataFrame,
    linker: Linker,
    config: RuleSettings,
    timing: unborn_mother.BirthTiming | None = None,
) -> pl.DataFrame:
    """Flags of one relation kind from its scored, banded pairs.

    Args:
        kind: The flag kind (``sibling_of_plan_subject``, ...).
        scored: Banded pairs (``l`` attendee row, ``r`` row of ``right``).
        left: The attendee frame (``arrival_date``).
        attendances: The batch (``attendance_id``).
        right: The families or mothers frame (``prow``).
        plans: The index's plans (``prow``, plan columns).
        linker: The relation's linker (its model makes the reasons).
        config: Run configuration.
        timing: The lists' birth timing (the mother's window with a blank EDD).
    """
    if scored.height == 0:
        return pl.DataFrame(schema=FLAGS.schema)
    att = pl.DataFrame(
        {
            "l": pl.Series(range(attendances.height), dtype=pl.UInt32),
            "attendance_id": attendances["attendance_id"],
            "arrival_date": left["arrival_date"],
        }
    )
    if kind == FlagKind.SIBLING and "review_anchor_weight" in left.columns:
        att = att.with_columns(left["review_anchor_weight"])
    plan_cols = plans.select("prow", *DECISION_PLAN_COLUMNS)
    scored = scored.with_columns(reasons_expr(linker.model).alias("reasons"))
    if "via" in scored.columns:
        via = right.select(pl.col("rec").alias("via"), "prow").join(
            plans.select("prow", pl.col("plan_id").alias("_via_plan")), on="prow"
        )
        scored = scored.join(via.drop("prow"), on="via", how="left").with_columns(
            pl.concat_str(
                [
                    pl.col("reasons"),
                    pl.format("same LA family as plan {}", pl.col("_via_plan")),
                ],
                separator="; ",
                ignore_nulls=True,
            ).alias("reasons")
        )
    out = (
        scored.select("l", "r", "match_weight", "band", "guard", "reasons")
        .join(att, on="l", how="left")
        .join(right.select(pl.col("rec").alias("r"), "prow"), on="r", how="left")
        .join(plan_cols, on="prow", how="left")
        .filter(plan_current_expr(pl.col("arrival_date")))
    )
    if kind == FlagKind.UNBORN_MOTHER:
        out = unborn_mother.compose_window(
            out.filter(unborn_mother.within_window(config)),
            config,
            timing or unborn_mother.BirthTiming(),
            linker.model.thresholds,
        )
    out = out.with_columns(
        pl.lit(kind).alias("flag"),
        pl.col("match_weight").alias("score"),
        list_age_expr(pl.col("arrival_date")).alias("list_age_days"),
    )
    return finish_flags(out, config, kind, linker.model).unique(
        ["attendance_id", "flag", "plan_id"], keep="first", maintain_order=True
    )


def order_flags(flags: pl.DataFrame, attendance_ids: Sequence[str]) -> pl.DataFrame:
    """Sort flags by batch order, flag kind, descending score, plan id."""
    order = pl.DataFrame(
        {"attendance_id": list(attendance_ids)}, schema={"attendance_id": pl.String}
    ).with_row_index("_ord")
    kinds = pl.DataFrame({"flag": list(FLAG_ORDER)}, schema={"flag": pl.String})
    return (
        flags.join(order, on="attendance_id", how="left")
        .join(kinds.with_row_index("_kind"), on="flag", how="left")
        .sort(["_ord", "_kind", "score", "plan_id"], descending=[False, False, True, False])
        .drop("_ord", "_kind")
    )
