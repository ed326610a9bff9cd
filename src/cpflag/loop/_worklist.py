"""The review worklist: open review flags for the safeguarding team, most harmful first.

A ``review`` flag is one a person should look at before anyone acts on it.
The worklist lists every review flag in the store's ``raised`` ledger that has
no outcome yet, ordered by the harm of missing it: a plan subject first, then
the newborn of a pre-birth plan and the mother on one, then siblings and
carers, then repeat attendance; within a kind, the likelier first, then the
earlier arrival. Each row carries its ``check`` (the one thing to verify), its
evidence (``reasons``) and the list's age at arrival.

It is a queue of concern, never a list of children who are safe: a child
absent from it may still be at risk.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.contract import Band
from cpflag.loop._tables import HARM_RANK, KEY

__all__ = ["WORKLIST_COLUMNS", "worklist"]

WORKLIST_COLUMNS: Final = (
    "priority",
    "attendance_id",
    "flag",
    "plan_id",
    "la_code",
    "plan_type",
    "match_probability",
    "check",
    "reasons",
    "list_age_days",
    "arrival_time",
    "site_code",
    "found",
    "raised_on",
)


def worklist(raised: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """The open review flags, most harmful first.

    Args:
        raised: The store's ``raised`` ledger.
        outcomes: The outcomes in force.

    Returns:
        One row per open review flag (:data:`WORKLIST_COLUMNS`); ``priority``
        is 1 for the first row.
    """
    rank = pl.col("flag").replace_strict(HARM_RANK, default=len(HARM_RANK), return_dtype=pl.Int32)
    return (
        raised.filter(pl.col("band") == Band.REVIEW.value)
        .join(outcomes.select(KEY), on=list(KEY), how="anti", nulls_equal=True)
        .with_columns(rank.alias("_rank"))
        .sort(
            ["_rank", "match_probability", "arrival_time", "attendance_id", "plan_id"],
            descending=[False, True, False, False, False],
            nulls_last=True,
        )
        .with_row_index("priority", offset=1)
        .with_columns(pl.col("priority").cast(pl.Int64))
        .select(WORKLIST_COLUMNS)
    )
