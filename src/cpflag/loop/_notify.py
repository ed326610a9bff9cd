"""Notifications per LA (contract section 4): what each LA is told, once.

An LA hears of every attendance cpflag found at ``match`` of a subject of its
plans, and of the relatives' flags at ``match`` (sibling, carer, the mother on
a pre-birth plan, the newborn of one), whether or not staff recorded a
concern; a ``review`` flag reaches it only once a person confirmed it. A flag
a person rejected is never sent.

``notification_id`` is stable: a digest of (attendance, plan, flag), so the
same flag always gives the same id. The ``notified`` ledger in the store keeps
each id with the run date it was first sent on (``first_notified_on``): a
night's file holds the rows first notified on that night, so re-running a
night writes the same rows again and the next night never repeats them.

Only LAs whose list was loaded on the night are sent anything; a confirmed
review flag of an LA whose list is missing waits for the next night its list
is loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import polars as pl

from cpflag.contract import Band
from cpflag.io import write_table
from cpflag.io._write import Stager, private_dir
from cpflag.loop._outcomes import CONFIRMED, REJECTED
from cpflag.loop._tables import (
    KEY,
    NOTIFIABLE,
    NOTIFICATION_COLUMNS,
    NOTIFIED_SCHEMA,
    key_expr,
)

__all__ = ["due_notifications", "notification_id", "notification_path", "write_notifications"]

_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_.-]")


def notification_id(attendance_id: str, plan_id: str, flag: str) -> str:
    """The stable id of one notification row.

    Args:
        attendance_id: The attendance.
        plan_id: The plan.
        flag: The flag kind.

    Returns:
        ``N`` and 24 hex digits of SHA-256 over the three, the same on every run.
    """
    text = "\x1f".join((attendance_id, plan_id, flag)).encode("utf-8")
    return "N" + hashlib.sha256(text).hexdigest()[:24]


def _ids(keys: pl.Series) -> pl.Series:
    # SHA-256 is not a polars expression; this runs over the night's
    # notifications only (hundreds of rows), not over a large table.
    return pl.Series(
        "notification_id",
        ["N" + hashlib.sha256(k.encode("utf-8")).hexdigest()[:24] for k in keys.to_list()],
        dtype=pl.String,
    )


def due_notifications(
    raised: pl.DataFrame,
    outcomes: pl.DataFrame,
    notified: pl.DataFrame,
    run_date: dt.date,
    loaded_las: Iterable[str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The notifications first due on ``run_date``, and the ledger with them.

    Args:
        raised: The store's ``raised`` table (tonight's flags included).
        outcomes: The review outcomes in force.
        notified: The store's ``notified`` ledger.
        run_date: The night.
        loaded_las: The LAs whose list was loaded tonight.

    Returns:
        ``(tonight, ledger)``: the rows first notified tonight (contract
        ``notifications`` columns, sorted by LA, arrival, attendance), and the
        ledger to commit.
    """
    las = sorted(set(loaded_las))
    decided = outcomes.select(*KEY, "outcome")
    candidates = (
        raised.filter(
            pl.col("flag").is_in(NOTIFIABLE)
            & pl.col("plan_id").is_not_null()
            & pl.col("la_code").is_in(las)
            & (pl.col("raised_on") <= run_date)
        )
        .join(decided, on=list(KEY), how="left")
        .filter(
            (pl.col("outcome").is_null() | (pl.col("outcome") != REJECTED))
            & ((pl.col("band") == Band.MATCH.value) | (pl.col("outcome") == CONFIRMED))
        )
    )
    earlier = notified.filter(pl.col("first_notified_on") != run_date)
    fresh = candidates.join(earlier.select(*KEY), on=list(KEY), how="anti")
    fresh = (
        fresh.with_columns(
            _ids(fresh.select(key_expr().alias("key"))["key"]),
            pl.lit(run_date).alias("first_notified_on"),
        )
        .select(NOTIFICATION_COLUMNS)
        .cast(NOTIFIED_SCHEMA)  # type: ignore[arg-type]
        .sort("la_code", "arrival_time", "attendance_id", "flag", "plan_id")
    )
    ledger = pl.concat([earlier, fresh]).sort("first_notified_on", "notification_id")
    return fresh, ledger


def notification_path(folder: str | Path, la_code: str, suffix: str = ".csv") -> Path:
    """The file of one LA's notifications: ``<folder>/<la_code>.csv``.

    Args:
        folder: The folder the user named.
        la_code: The LA (characters other than letters, digits, ``_.-`` become ``_``).
        suffix: ``.csv`` or ``.parquet``.

    Returns:
        The path.
    """
    return Path(folder) / f"{_UNSAFE.sub('_', la_code)}{suffix}"


def write_notifications(
    tonight: pl.DataFrame,
    folder: str | Path,
    loaded_las: Iterable[str],
    suffix: str = ".csv",
    *,
    stage: Stager | None = None,
) -> list[Path]:
    """Write one file per loaded LA (an LA with nothing new gets a header-only file).

    Args:
        tonight: The rows first notified tonight.
        folder: The folder (created owner-only when new).
        loaded_las: LAs whose list was loaded: each gets a file.
        suffix: ``.csv`` or ``.parquet``.
        stage: Stage each file into a night instead (``cpflag.io.write_table``).

    Returns:
        The files written.

    Raises:
        CpflagError: A file cannot be written.
    """
    private_dir(folder)
    paths = []
    for la in sorted(set(loaded_las)):
        path = notification_path(folder, la, suffix)
        write_table(tonight.filter(pl.col("la_code") == la), path, stage=stage)
        paths.append(path)
    return paths
