"""The loop's tables: their columns, keys and the order of harm.

* ``raised`` -- every flag cpflag has raised, once per (attendance, plan,
  flag), with the attendance's arrival, site and setting, the plan's LA
  contact and the run date it was first raised on (``raised_on``);
* ``notified`` -- the contract's ``notifications`` rows ever sent, with
  ``first_notified_on`` (the ledger that stops a row being sent twice);
* ``outcomes`` -- the contract's ``review_outcomes``, the latest decision per pair;
* ``plans_seen`` -- every ``plan_id`` a list has carried, and the run date it
  was first seen on;
* ``plan_versions`` -- the plan rows of the last two run dates, each row's
  values joined into one string (to tell a changed row; owner-only, like the
  rest of the store);
* ``list_versions`` -- one row per (run date, LA): rows, new, changed, ended,
  removed, rows with an NHS number, and the list's date.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.contract import FLAG_KEY, FLAGS, FlagKind

__all__ = [
    "HARM_RANK",
    "KEY",
    "LIST_VERSIONS_SCHEMA",
    "NOTIFIABLE",
    "NOTIFICATION_COLUMNS",
    "NOTIFIED_SCHEMA",
    "OUTCOMES_SCHEMA",
    "PLANS_SEEN_SCHEMA",
    "PLAN_VERSIONS_SCHEMA",
    "RAISED_SCHEMA",
    "key_expr",
]

#: A flag's identity: the two records and the kind (``plan_id`` null for repeat).
KEY: Final = FLAG_KEY

#: Flag kinds an LA is told of (every kind with a plan behind it).
NOTIFIABLE: Final = (
    FlagKind.PLAN_SUBJECT.value,
    FlagKind.SIBLING.value,
    FlagKind.CARER.value,
    FlagKind.UNBORN_MOTHER.value,
    FlagKind.NEWBORN.value,
)

#: Most harmful first: the worklist's order of kinds.
HARM_RANK: Final = {
    FlagKind.PLAN_SUBJECT.value: 0,
    FlagKind.NEWBORN.value: 1,
    FlagKind.UNBORN_MOTHER.value: 1,
    FlagKind.SIBLING.value: 2,
    FlagKind.CARER.value: 2,
    FlagKind.REPEAT.value: 3,
}

RAISED_SCHEMA: Final[dict[str, pl.DataType]] = {
    **FLAGS.schema,
    "arrival_time": pl.Datetime("us"),
    "site_code": pl.String(),
    "setting": pl.String(),
    "la_contact": pl.String(),
    "raised_on": pl.Date(),
}

#: The contract's ``notifications`` columns (section 4), in order.
NOTIFICATION_COLUMNS: Final = (
    "notification_id",
    "la_code",
    "plan_id",
    "attendance_id",
    "flag",
    "arrival_time",
    "site_code",
    "setting",
    "la_contact",
    "first_notified_on",
)

NOTIFIED_SCHEMA: Final[dict[str, pl.DataType]] = {
    "notification_id": pl.String(),
    "la_code": pl.String(),
    "plan_id": pl.String(),
    "attendance_id": pl.String(),
    "flag": pl.String(),
    "arrival_time": pl.Datetime("us"),
    "site_code": pl.String(),
    "setting": pl.String(),
    "la_contact": pl.String(),
    "first_notified_on": pl.Date(),
}

OUTCOMES_SCHEMA: Final[dict[str, pl.DataType]] = {
    "attendance_id": pl.String(),
    "plan_id": pl.String(),
    "flag": pl.String(),
    "outcome": pl.String(),
    "decided_on": pl.Date(),
    "decided_by_role": pl.String(),
}

PLANS_SEEN_SCHEMA: Final[dict[str, pl.DataType]] = {
    "plan_id": pl.String(),
    "first_seen_on": pl.Date(),
}

PLAN_VERSIONS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "run_date": pl.Date(),
    "plan_id": pl.String(),
    "la_code": pl.String(),
    "values": pl.String(),
    "end_date": pl.Date(),
    "has_nhs": pl.Boolean(),
}

LIST_VERSIONS_SCHEMA: Final[dict[str, pl.DataType]] = {
    "run_date": pl.Date(),
    "la_code": pl.String(),
    "rows": pl.Int64(),
    "new": pl.Int64(),
    "changed": pl.Int64(),
    "ended": pl.Int64(),
    "removed": pl.Int64(),
    "with_nhs_number": pl.Int64(),
    "list_date": pl.Date(),
}


def key_expr() -> pl.Expr:
    """One string per flag identity (``plan_id`` null written as empty).

    Returns:
        An expression over ``attendance_id``, ``plan_id`` and ``flag``.
    """
    return pl.concat_str(
        [pl.col("attendance_id"), pl.col("plan_id").fill_null(""), pl.col("flag")],
        separator="\x1f",
    )
