"""Carry family links to tonight's attendances from the same persons' earlier records.

The rule and its composition are in ``rules._carried``; this module fetches
the earlier records a night's attendances link to in the history store, flags
them against the index as if they attended tonight, and hands the flags over.
"""

from __future__ import annotations

import logging

import polars as pl

from cpflag.contract import ATTENDANCES, FLAGS
from cpflag.engine._index import PlanIndex
from cpflag.history import HistoryStore
from cpflag.rules._carried import CARRIED_KINDS, carry

__all__ = ["carried_flags"]

log = logging.getLogger("cpflag")


def carried_flags(
    index: PlanIndex,
    store: HistoryStore,
    resolved: pl.DataFrame,
    batch: pl.DataFrame,
    tonight: pl.DataFrame,
) -> pl.DataFrame:
    """Sibling and carer flags carried from the earlier record each attendance links to.

    Args:
        index: The plan index.
        store: The history store the batch was appended to.
        resolved: The batch's resolution (``attendance_id``, ``link_to``,
            ``link_weight``).
        batch: Tonight's validated attendances.
        tonight: Tonight's own flags.

    Returns:
        Rows of the flags table (empty when nothing is carried).
    """
    kinds: list[str] = [k for k in CARRIED_KINDS if k in index.config.flags]
    empty = pl.DataFrame(schema=FLAGS.schema)
    ids = batch["attendance_id"]
    links = resolved.select("attendance_id", "link_to", "link_weight").filter(
        pl.col("link_to").is_not_null() & ~pl.col("link_to").is_in(ids.implode())
    )
    if not kinds or links.height == 0:
        return empty
    columns = [c for c in ATTENDANCES.names if c != "arrival_time"]
    earlier = store.records(links["link_to"], ["attendance_id", "arrival_time", *columns[1:]])
    if earlier.height == 0:
        return empty
    # The earlier record, as if it attended tonight: the plans current tonight
    # and tonight's list ages apply.
    pairs = (
        links.join(
            earlier.rename({"attendance_id": "link_to", "arrival_time": "earlier_time"}),
            on="link_to",
        )
        .join(batch.select("attendance_id", "arrival_time"), on="attendance_id")
        .with_columns(
            pl.concat_str(["attendance_id", "link_to"], separator="\x1f").alias("key"),
            pl.col("earlier_time").dt.date().alias("earlier_date"),
        )
    )
    if pairs.height == 0:
        return empty
    as_tonight = pairs.select(
        pl.col("key").alias("attendance_id"), "arrival_time", *columns[1:]
    ).select([pl.col(c.name).cast(c.dtype) for c in ATTENDANCES.columns])
    flags = index.run(as_tonight).flags
    thresholds = {k: index.config.relation_models[k].thresholds for k in kinds}
    links_out = pairs.select("key", "attendance_id", "link_weight", "earlier_date")
    out = carry(flags, links_out, tonight, thresholds)
    log.info("%d family flags carried from earlier attendances", out.height)
    return out
