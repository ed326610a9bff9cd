"""The ``unborn_plan_mother`` rule: the attendee is the mother named on a pre-birth plan.

* **Candidates**: every attendee, against the mothers named on unborn plans
  (prepared as people), by the person model's blocking rules.
* **Evidence, guards and thresholds**: the person model, as for a plan subject
  (a same-person link), with the mothers' own term frequencies.
* **Window**: :func:`within_window` -- from the plan's start until the
  configured number of weeks after the expected delivery date. With the date
  blank, the delivery is taken to be at the latest :data:`LONGEST_PREGNANCY`
  after the plan's start (a pre-birth plan starts in pregnancy), so an open
  plan with no date does not flag the mother for ever after the birth.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cpflag.rules._checks import ReviewChecks
from cpflag.rules._settings import RuleSettings

__all__ = ["CHECKS", "LONGEST_PREGNANCY", "within_window", "within_window_one"]

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm the mother's NHS number, date of birth and address",
)

#: The latest delivery after a pre-birth plan starts: a pregnancy is known at the
#: earliest about four weeks after the last period and lasts at most 42 weeks
#: from it, so a plan (which starts in pregnancy) sees the birth within 38 weeks.
LONGEST_PREGNANCY: Final = dt.timedelta(weeks=38)


def within_window(config: RuleSettings) -> pl.Expr:
    """True where the arrival is within the mother's window (plan columns in scope)."""
    latest = pl.coalesce(
        pl.col("expected_delivery_date"), pl.col("start_date") + pl.lit(LONGEST_PREGNANCY)
    )
    limit = latest + pl.duration(weeks=config.unborn_mother_weeks_after_edd)
    return (pl.col("arrival_date") <= limit).fill_null(False)


def within_window_one(
    edd: dt.date | None, start: dt.date | None, arrival: dt.date, config: RuleSettings
) -> bool:
    """:func:`within_window` of one pair."""
    latest = edd if edd is not None else None if start is None else start + LONGEST_PREGNANCY
    if latest is None:
        return False
    return arrival <= latest + dt.timedelta(weeks=config.unborn_mother_weeks_after_edd)
