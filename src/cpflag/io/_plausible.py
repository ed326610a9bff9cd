"""Dates that parse but cannot be true: rejects with reasons (issue 17, failure 6).

* a date of birth in 1900 or earlier (a placeholder, or a typo) is ignored;
* a date of birth after the arrival (attendances) or after today (plans) is
  kept -- a newborn's date mistyped by a digit still finds the mother's plan,
  and the rules cap such flags -- but reported (``value_doubtful``);
* a list date over a year after today is ignored (a typo): the list's age is
  unknown, so its flags carry the staleness warning; one nearer is kept, as a
  simulated or test data set dated after the machine's clock has it, and a
  list dated after the run's as-of date shows no age in the run summary;
* an arrival after the run's as-of date is rejected with its row (see
  :func:`cpflag.io.reject_arrivals_after`), so it can neither be flagged nor move the
  as-of date, which comes from the run date or an explicit option.

Reasons name the column and the rule, never the value.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cpflag.io._work import VALUE_DOUBTFUL, VALUE_IGNORED, Work

__all__ = ["ARRIVAL_AFTER_AS_OF", "EARLIEST_BIRTH", "birth_and_list_dates"]

#: A date of birth on or before this is not believed (1900-01-01 is a common
#: "unknown" placeholder of older systems).
EARLIEST_BIRTH: Final = dt.date(1900, 12, 31)

_BIRTH_COLUMNS: Final = ("date_of_birth", "mother_date_of_birth")

#: A list date further ahead of today than this is a typo, not a list.
LIST_DATE_AHEAD: Final = dt.timedelta(days=366)


def _ignore(w: Work, column: str, mask: pl.Expr, reason: str) -> None:
    if w.reject(mask, column, f"{column}: {reason}", VALUE_IGNORED):
        w.df = w.df.with_columns(
            pl.when(mask.fill_null(False)).then(None).otherwise(pl.col(column)).alias(column)
        )


def birth_and_list_dates(w: Work, today: dt.date | None = None) -> None:
    """Reject implausible dates of birth and list dates of the table in ``w``."""
    today = today or dt.date.today()
    names = set(w.df.columns)
    for column in _BIRTH_COLUMNS:
        if column not in names:
            continue
        value = pl.col(column)
        _ignore(w, column, value <= EARLIEST_BIRTH, "1900 or earlier; treated as absent")
        if w.spec.name == "attendances":
            after = value > pl.col("arrival_time").dt.date()
            reason = "after the arrival; kept (a newborn's date may be mistyped by a digit)"
        else:
            after = value > pl.lit(today)
            reason = "in the future; kept"
        w.reject(after, column, f"{column}: {reason}", VALUE_DOUBTFUL)
    if "list_date" in names and w.spec.name == "plans":
        _ignore(
            w,
            "list_date",
            pl.col("list_date") > pl.lit(today + LIST_DATE_AHEAD),
            "over a year in the future; list age unknown",
        )


#: The reason of an arrival after the run's as-of date.
ARRIVAL_AFTER_AS_OF: Final = (
    "arrival_time: after the run's as-of date (a typo?); row not used -- give the "
    "as-of date to run for a later date"
)
