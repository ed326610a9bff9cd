"""The ``unborn_plan_mother`` rule: the attendee is the mother named on a pre-birth plan.

* **Candidates**: every attendee, against the mothers named on unborn plans
  (prepared as people), by the person model's blocking rules.
* **Evidence, guards and thresholds**: the person model, as for a plan subject
  (a same-person link), with the mothers' own term frequencies.
* **Window**: :func:`within_window` -- from the plan's start until the
  configured number of weeks after the expected delivery date (open when the
  date is blank).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cpflag.rules._checks import ReviewChecks
from cpflag.rules._settings import RuleSettings

__all__ = ["CHECKS", "within_window", "within_window_one"]

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm the mother's NHS number, date of birth and address",
)


def within_window(config: RuleSettings) -> pl.Expr:
    """True where the arrival is within the mother's window (plan columns in scope)."""
    limit = pl.col("expected_delivery_date") + pl.duration(
        weeks=config.unborn_mother_weeks_after_edd
    )
    return pl.col("expected_delivery_date").is_null() | (pl.col("arrival_date") <= limit)


def within_window_one(edd: dt.date | None, arrival: dt.date, config: RuleSettings) -> bool:
    """:func:`within_window` of one pair."""
    if edd is None:
        return True
    return arrival <= edd + dt.timedelta(weeks=config.unborn_mother_weeks_after_edd)
