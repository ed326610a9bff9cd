"""Look-back: the stored history re-checked against plans new to the lists.

A child added to a list on Tuesday who attended on Monday was not findable on
Monday. When a night's lists carry a plan that was not on the last version (or
a plan row whose values changed), the attendances of the last N days (default
90) in the history store are matched against tonight's lists again, and the
flags behind those plans that were not raised before are raised now, with
``found = lookback``. The ``raised`` ledger makes each one raised once.

The whole index is run (not an index of the new plans alone) so that a
relative's flag that needs the plan's family (siblings on one ``family_ref``)
is found as it would have been on the night; only flags behind the re-checked
plans are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import polars as pl

from cpflag.contract import FLAGS, Found
from cpflag.engine._index import PlanIndex
from cpflag.history import HistoryStore
from cpflag.history._prepare import RAW_COLUMNS

__all__ = ["ATTENDANCE_INFO", "DEFAULT_LOOKBACK_DAYS", "lookback_flags", "stored_attendances"]

#: Days of history re-checked when a plan is new.
DEFAULT_LOOKBACK_DAYS: Final = 90
#: Attendance columns the loop keeps with each flag.
ATTENDANCE_INFO: Final = ("arrival_time", "site_code", "setting")


def stored_attendances(
    store: HistoryStore, run_date: dt.date, days: int, exclude: pl.Series
) -> pl.DataFrame:
    """The stored attendances of the ``days`` days up to ``run_date``.

    Args:
        store: The history store.
        run_date: The night.
        days: How many days back.
        exclude: Attendance ids to leave out (tonight's batch).

    Returns:
        Contract ``attendances`` columns (``sex`` and ``postcode`` normalised).

    Raises:
        StoreError: The store cannot be read.
    """
    cols = [*RAW_COLUMNS, "sex", "postcode", "arrival_date"]
    start = run_date - dt.timedelta(days=days)
    hist = store.frame(cols)
    return hist.filter(
        pl.col("arrival_date").is_between(start, run_date)
        & ~pl.col("attendance_id").is_in(exclude.implode())
    ).drop("arrival_date")


def lookback_flags(
    index: PlanIndex,
    store: HistoryStore,
    plan_ids: Sequence[str],
    run_date: dt.date,
    *,
    days: int = DEFAULT_LOOKBACK_DAYS,
    exclude: pl.Series | None = None,
) -> pl.DataFrame:
    """Flags the stored history gives against ``plan_ids`` (``found = lookback``).

    Args:
        index: Tonight's plan index.
        store: The history store.
        plan_ids: The new and changed plans.
        run_date: The night.
        days: Days of history to re-check.
        exclude: Attendance ids not to re-check (tonight's batch).

    Returns:
        Contract ``flags`` columns plus the attendance's arrival, site and
        setting; empty when no plan is given or the window holds no attendance.

    Raises:
        StoreError: The store cannot be read.
    """
    schema = {**FLAGS.schema, "arrival_time": pl.Datetime("us")}
    schema.update({"site_code": pl.String(), "setting": pl.String()})
    empty = pl.DataFrame(schema=schema)
    if not plan_ids:
        return empty
    skip = exclude if exclude is not None else pl.Series([], dtype=pl.String)
    hist = stored_attendances(store, run_date, days, skip)
    if hist.height == 0:
        return empty
    found = index.run(hist).flags.filter(pl.col("plan_id").is_in(list(plan_ids)))
    return (
        found.with_columns(pl.lit(Found.LOOKBACK.value).alias("found"))
        .join(hist.select("attendance_id", *ATTENDANCE_INFO), on="attendance_id", how="left")
        .select(list(schema))
    )
