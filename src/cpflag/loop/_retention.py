"""Retention: remove what the store holds about attendances past a date.

:func:`prune` removes, in one unit (the night lock held, committed like a
night: ``cpflag.history.NightCommit``):

* from the history store, every attendance that arrived before the date
  (parts and persons rewritten without them; the persons and families of the
  rows kept are left as they are);
* from the loop tables, the ``raised`` and ``notified`` rows of those
  attendances (by arrival), the review ``outcomes`` decided before the date,
  and the ``list_versions`` rows of runs before it.

The plan-side tables (``plans_seen``, ``plan_versions``) hold list rows, not
attendances, and are kept: look-back needs them to tell a plan new to a list.
Old files go through the store's clean-up, so a reader holding an earlier
snapshot keeps reading it until it closes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import attrs
import polars as pl

from cpflag.history import HistoryStore, LoopStore, NightCommit, night_guard
from cpflag.loop._tables import (
    LIST_VERSIONS_SCHEMA,
    NOTIFIED_SCHEMA,
    OUTCOMES_SCHEMA,
    RAISED_SCHEMA,
)

__all__ = ["PruneResult", "prune"]

log = logging.getLogger("cpflag.loop")


@attrs.frozen
class PruneResult:
    """What :func:`prune` removed (counts only).

    Attributes:
        before: Rows dated before this were removed.
        attendances: History store rows removed.
        loop_rows: ``{table: rows removed}`` of the loop tables.
    """

    before: dt.date
    attendances: int
    loop_rows: dict[str, int]


def _prune(history: Path, before: dt.date, night: NightCommit) -> PruneResult:
    with HistoryStore.open(history, create=False) as store:
        store.stage(night)
        stored = store.frame(["attendance_id", "arrival_time"])
        old = stored.filter(pl.col("arrival_time").dt.date() < before)["attendance_id"]
        removed = store.remove(old) if old.len() else 0
    loop = LoopStore(history)
    rules: dict[str, tuple[dict[str, pl.DataType], pl.Expr]] = {
        "raised": (RAISED_SCHEMA, pl.col("arrival_time").dt.date() < before),
        "notified": (NOTIFIED_SCHEMA, pl.col("arrival_time").dt.date() < before),
        "outcomes": (OUTCOMES_SCHEMA, pl.col("decided_on") < before),
        "list_versions": (LIST_VERSIONS_SCHEMA, pl.col("run_date") < before),
    }
    counts: dict[str, int] = {}
    changed: dict[str, pl.DataFrame] = {}
    if loop.version:
        with loop.locked():
            for name, (schema, past) in rules.items():
                table = loop.read(name, schema)
                kept = table.filter(~past.fill_null(False))
                counts[name] = table.height - kept.height
                if counts[name]:
                    changed[name] = kept
            if changed:
                loop.commit(changed, night=night)
    return PruneResult(before, removed, counts)


def prune(
    history: str | Path,
    *,
    before: dt.date | None = None,
    retain_days: int | None = None,
    today: dt.date | None = None,
) -> PruneResult:
    """Remove the store's rows about attendances past the retention date (see the module doc).

    Give ``before`` (remove rows dated before it) or ``retain_days`` (keep
    that many days back from ``today``). The store and the loop tables change
    together or not at all; a run killed part way leaves them as they were
    (settled by the next night, like a night of ``cpflag flag``).

    Args:
        history: The history store directory.
        before: The first date kept.
        retain_days: Days kept, counted back from ``today``.
        today: The date ``retain_days`` counts from (default: the machine's date).

    Returns:
        What was removed.

    Raises:
        ValueError: Neither or both of ``before`` and ``retain_days``.
        StoreError: No store at ``history``, another run holds it, or its
            files cannot be written (nothing is removed).
    """
    if (before is None) == (retain_days is None):
        raise ValueError("give one of before= and retain_days=")
    if before is None:
        assert retain_days is not None
        before = (today or dt.date.today()) - dt.timedelta(days=retain_days)
    root = Path(history)
    with night_guard(root) as night:
        night.as_of, night.kind = today, "prune"
        result = _prune(root, before, night)
    log.info(
        "history store %s: %d attendances before %s removed; loop rows removed %s",
        *(root, result.attendances, before, result.loop_rows),
    )
    return result
