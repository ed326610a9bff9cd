"""Corrected resends: a stored attendance sent again with other values (issue 17).

A night re-sent unchanged is a no-op (idempotent). A night re-sent with
corrections replaces, by attendance id, the rows whose values changed: the old
rows leave the store and the new ones are resolved against the rest.
"""

from __future__ import annotations

from typing import Final

import attrs
import polars as pl

from cpflag.history._prepare import RAW_COLUMNS

__all__ = ["COMPARED_COLUMNS", "AppendResult", "changed_ids"]

#: The stored columns a resend is compared on: what the hospital sent.
COMPARED_COLUMNS: Final = (*RAW_COLUMNS, "sex", "postcode")


def changed_ids(stored: pl.DataFrame, resent: pl.DataFrame) -> pl.Series:
    """Attendance ids of ``resent`` rows whose values differ from ``stored``'s.

    Both frames have :data:`COMPARED_COLUMNS` (``resent`` prepared as stored).
    """
    joined = resent.select(COMPARED_COLUMNS).join(
        stored.select(COMPARED_COLUMNS), on="attendance_id", how="inner", suffix="__old"
    )
    differs = pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(f"{c}__old")) for c in COMPARED_COLUMNS if c != "attendance_id"
    )
    return joined.filter(differs).get_column("attendance_id")


@attrs.frozen
class AppendResult:
    """What an append did.

    Attributes:
        rows: The batch's rows as stored (new and already stored), in batch
            order: ``attendance_id``, ``person_id``, ``family_id`` and the link
            evidence.
        added: Rows added.
        skipped: Rows whose attendance id was already stored with the same
            values (left unchanged).
        merged_persons: Stored persons merged into another by a new record.
        candidate_pairs: Pairs scored.
        version: The store version after the append.
        seconds: Wall time.
        replaced: Stored rows replaced by a corrected resend (same attendance
            id, other values): the old row is removed and the new one resolved.
    """

    rows: pl.DataFrame
    added: int
    skipped: int
    merged_persons: int
    candidate_pairs: int
    version: int
    seconds: float
    replaced: int = 0
