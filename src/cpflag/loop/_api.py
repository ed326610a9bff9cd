"""The loop's entry points over a history store: worklist, outcomes, notifications, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from cpflag._errors import StoreError
from cpflag.history import HistoryStore
from cpflag.history._loop_store import LoopStore
from cpflag.io import TableSource
from cpflag.loop._audit import AuditReport, audit_tables
from cpflag.loop._calibrate import Calibration, calibration_check
from cpflag.loop._outcomes import merge_outcomes, read_outcomes
from cpflag.loop._tables import (
    LIST_VERSIONS_SCHEMA,
    NOTIFIED_SCHEMA,
    OUTCOMES_SCHEMA,
    RAISED_SCHEMA,
)
from cpflag.loop._worklist import worklist as worklist_table

__all__ = [
    "audit",
    "calibration",
    "notifications",
    "outcomes_in_force",
    "raised_flags",
    "record_outcomes",
    "worklist",
]

Store = HistoryStore | str | Path


def _loop(history: Store) -> LoopStore:
    if isinstance(history, HistoryStore):
        return LoopStore(history.path)
    root = Path(history)
    if not (root / "manifest.json").exists():
        raise StoreError(f"no history store at {root} (manifest.json missing)")
    return LoopStore(root)


def record_outcomes(history: Store, outcomes: TableSource | pl.DataFrame) -> pl.DataFrame:
    """Read review outcomes (contract section 5) and keep them in the store.

    A rejected pair is never raised again for the same two records; a
    confirmed review flag reaches its LA's notifications on the next night
    its list is loaded.

    Args:
        history: The history store (a folder or an open store).
        outcomes: A ``review_outcomes`` table (file or frame).

    Returns:
        The outcomes in force after the update (the latest per pair).

    Raises:
        InputError: The outcomes table cannot be used (file, column, rows named).
        StoreError: No store at ``history``, or it cannot be written.
    """
    loop = _loop(history)
    new = read_outcomes(outcomes)
    with loop.locked():
        merged = merge_outcomes(loop.read("outcomes", OUTCOMES_SCHEMA), new)
        loop.commit({"outcomes": merged})
    return merged


def outcomes_in_force(history: Store) -> pl.DataFrame:
    """The review outcomes recorded in the store (the latest decision per pair).

    Args:
        history: The history store.

    Returns:
        ``review_outcomes`` rows, one per (attendance, plan, flag).

    Raises:
        StoreError: No store at ``history``.
    """
    return _loop(history).read("outcomes", OUTCOMES_SCHEMA)


def worklist(history: Store, outcomes: TableSource | pl.DataFrame | None = None) -> pl.DataFrame:
    """The open review flags of the store, most harmful first.

    Args:
        history: The history store.
        outcomes: Outcomes to record first (as :func:`record_outcomes`).

    Returns:
        The worklist (see ``cpflag.loop.WORKLIST_COLUMNS``).

    Raises:
        InputError: The outcomes table cannot be used.
        StoreError: No store at ``history``.
    """
    decided = (
        record_outcomes(history, outcomes)
        if outcomes is not None
        else _loop(history).read("outcomes", OUTCOMES_SCHEMA)
    )
    return worklist_table(_loop(history).read("raised", RAISED_SCHEMA), decided)


def raised_flags(history: Store) -> pl.DataFrame:
    """Every flag the store's loop has raised, once each, with its run date.

    Args:
        history: The history store.

    Returns:
        The ``raised`` ledger: flag columns, arrival, site, setting, LA contact, ``raised_on``.

    Raises:
        StoreError: No store at ``history``.
    """
    return _loop(history).read("raised", RAISED_SCHEMA)


def notifications(
    history: Store, *, run_date: dt.date | None = None, la_code: str | None = None
) -> pl.DataFrame:
    """Notifications sent (the ledger), optionally of one night or one LA.

    Args:
        history: The history store.
        run_date: Only rows first notified on this date.
        la_code: Only this LA's rows.

    Returns:
        Contract ``notifications`` rows.

    Raises:
        StoreError: No store at ``history``.
    """
    df = _loop(history).read("notified", NOTIFIED_SCHEMA)
    if run_date is not None:
        df = df.filter(pl.col("first_notified_on") == run_date)
    if la_code is not None:
        df = df.filter(pl.col("la_code") == la_code)
    return df


def audit(history: Store, outcomes: TableSource | pl.DataFrame | None = None) -> AuditReport:
    """The audit of the store's flags against the review outcomes.

    Args:
        history: The history store.
        outcomes: Outcomes to record first.

    Returns:
        The audit (``.to_text()`` for the report).

    Raises:
        InputError: The outcomes table cannot be used.
        StoreError: No store at ``history``.
    """
    if outcomes is not None:
        record_outcomes(history, outcomes)
    loop = _loop(history)
    return audit_tables(
        loop.read("raised", RAISED_SCHEMA),
        loop.read("outcomes", OUTCOMES_SCHEMA),
        loop.read("notified", NOTIFIED_SCHEMA),
        loop.read("list_versions", LIST_VERSIONS_SCHEMA),
    )


def calibration(history: Store) -> Calibration:
    """Check ``match_probability`` against the decisions in the store, and recalibrate.

    Args:
        history: The history store.

    Returns:
        The expected calibration error before and (out of fold) after a
        Platt recalibration, with its parameters.

    Raises:
        StoreError: No store at ``history``.
    """
    loop = _loop(history)
    return calibration_check(
        loop.read("raised", RAISED_SCHEMA), loop.read("outcomes", OUTCOMES_SCHEMA)
    )
