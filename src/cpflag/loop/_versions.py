"""List versions: each night's plans compared with the last version the store holds.

A plan row is *new* when its ``plan_id`` was never on a list before, *changed*
when its values differ from the last version, *ended* when it had no end
date and now has one, *removed* when its LA's list no longer carries it. A
new or changed plan is what look-back re-checks the history against.

An LA whose list is not loaded tonight keeps its last version (its rows are
carried forward), so a list that misses a night is not counted as new when it
returns. A re-run of a night compares with the version before that night, so
it counts what the first run counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs
import polars as pl

from cpflag.contract import PLANS
from cpflag.loop._tables import LIST_VERSIONS_SCHEMA, PLAN_VERSIONS_SCHEMA

__all__ = ["ListChanges", "compare_lists"]

#: Columns whose values make a plan row (the list date is not one).
_VALUE_COLUMNS: Final = tuple(c for c in PLANS.names if c != "list_date")
#: A list smaller than this share of its last version is a warning.
SHRINK_SHARE: Final = 0.5


@attrs.frozen
class ListChanges:
    """What changed on the lists since the last version.

    Attributes:
        per_la: One row per LA loaded tonight (``list_versions`` columns).
        recheck_plan_ids: New and changed plans (look-back re-checks these).
        new_plan_ids: Plans never on a list before.
        warnings: Lists that shrank by half or lost every NHS number.
        first_version: True when the store held no version before this night
            (nothing is new; look-back starts from the next night).
        plan_versions: The ``plan_versions`` table to commit.
        plans_seen: The ``plans_seen`` table to commit.
    """

    per_la: pl.DataFrame
    recheck_plan_ids: tuple[str, ...]
    new_plan_ids: tuple[str, ...]
    warnings: tuple[str, ...]
    first_version: bool
    plan_versions: pl.DataFrame
    plans_seen: pl.DataFrame


def _version_rows(plans: pl.DataFrame, run_date: dt.date) -> pl.DataFrame:
    cols = [c for c in _VALUE_COLUMNS if c in plans.columns]
    return plans.select(
        pl.lit(run_date).alias("run_date"),
        "plan_id",
        "la_code",
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("") for c in cols], separator="\x1f"
        ).alias("values"),
        pl.col("end_date"),
        pl.col("nhs_number").is_not_null().alias("has_nhs"),
    ).cast(PLAN_VERSIONS_SCHEMA)  # type: ignore[arg-type]


def _list_dates(plans: pl.DataFrame) -> pl.DataFrame:
    if "list_date" not in plans.columns:
        return (
            plans.select("la_code")
            .unique()
            .with_columns(pl.lit(None, dtype=pl.Date).alias("list_date"))
        )
    return plans.group_by("la_code").agg(pl.col("list_date").max())


def compare_lists(
    plans: pl.DataFrame,
    plan_versions: pl.DataFrame,
    plans_seen: pl.DataFrame,
    run_date: dt.date,
) -> ListChanges:
    """Compare tonight's plans with the last version before ``run_date``.

    Args:
        plans: Tonight's validated plans (contract columns).
        plan_versions: The stored ``plan_versions`` table.
        plans_seen: The stored ``plans_seen`` table.
        run_date: The night's run date.

    Returns:
        The changes, the warnings and the tables to commit.
    """
    before = plan_versions.filter(pl.col("run_date") < run_date)
    last_date = before["run_date"].max()
    base = before.filter(pl.col("run_date") == last_date) if last_date is not None else before
    now = _version_rows(plans, run_date)
    loaded = now["la_code"].unique()
    carried = base.filter(~pl.col("la_code").is_in(loaded.implode())).with_columns(
        pl.lit(run_date).alias("run_date")
    )
    seen_before = plans_seen.filter(pl.col("first_seen_on") < run_date)
    first = base.height == 0 and seen_before.height == 0
    joined = now.join(
        base.select("plan_id", pl.col("values").alias("old"), pl.col("end_date").alias("old_end")),
        on="plan_id",
        how="left",
    ).with_columns(
        (~pl.col("plan_id").is_in(seen_before["plan_id"].implode())).alias("is_new"),
        (pl.col("old").is_not_null() & (pl.col("old") != pl.col("values"))).alias("is_changed"),
        (
            pl.col("old").is_not_null()
            & pl.col("old_end").is_null()
            & pl.col("end_date").is_not_null()
        ).alias("is_ended"),
    )
    if first:
        joined = joined.with_columns(pl.lit(value=False).alias("is_new"))
    removed = (
        base.filter(pl.col("la_code").is_in(loaded.implode()))
        .join(now.select("plan_id"), on="plan_id", how="anti")
        .group_by("la_code")
        .len("removed")
    )
    old_counts = base.group_by("la_code").agg(
        pl.len().alias("old_rows"), pl.col("has_nhs").sum().alias("old_nhs")
    )
    per_la = (
        joined.group_by("la_code")
        .agg(
            pl.len().alias("rows"),
            pl.col("is_new").sum().alias("new"),
            pl.col("is_changed").sum().alias("changed"),
            pl.col("is_ended").sum().alias("ended"),
            pl.col("has_nhs").sum().alias("with_nhs_number"),
        )
        .join(_list_dates(plans), on="la_code", how="left")
        .join(removed, on="la_code", how="left")
        .join(old_counts, on="la_code", how="left")
        .with_columns(pl.col("removed").fill_null(0), pl.lit(run_date).alias("run_date"))
        .sort("la_code")
    )
    warnings = []
    for la, rows, nhs, old_rows, old_nhs in per_la.select(
        "la_code", "rows", "with_nhs_number", "old_rows", "old_nhs"
    ).iter_rows():
        if old_rows and rows < old_rows * SHRINK_SHARE:
            warnings.append(
                f"list of {la} shrank from {old_rows} to {rows} plan rows since the last "
                "version: check the extract before relying on it"
            )
        if old_nhs and not nhs:
            warnings.append(
                f"list of {la} carries no NHS number tonight (the last version had "
                f"{old_nhs}): check the extract"
            )
    recheck = joined.filter(pl.col("is_new") | pl.col("is_changed"))["plan_id"]
    new = joined.filter(pl.col("is_new"))["plan_id"]
    seen = pl.concat(
        [
            seen_before,
            now.join(seen_before, on="plan_id", how="anti").select(
                "plan_id", pl.lit(run_date).alias("first_seen_on")
            ),
        ]
    )
    versions = pl.concat([base, now, carried])
    return ListChanges(
        per_la=per_la.select(list(LIST_VERSIONS_SCHEMA)).cast(LIST_VERSIONS_SCHEMA),  # type: ignore[arg-type]
        recheck_plan_ids=tuple(sorted(recheck.to_list())),
        new_plan_ids=tuple(sorted(new.to_list())),
        warnings=tuple(warnings),
        first_version=first,
        plan_versions=versions,
        plans_seen=seen.sort("plan_id"),
    )
