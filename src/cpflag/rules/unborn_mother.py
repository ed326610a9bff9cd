"""The ``unborn_plan_mother`` rule: the attendee is the mother named on a pre-birth plan.

* **Candidates**: every attendee, against the mothers named on unborn plans
  (prepared as people), by the person model's blocking rules.
* **Evidence, guards and thresholds**: the person model, as for a plan subject
  (a same-person link), with the mothers' own term frequencies.
* **Window**: :func:`within_window` -- from the plan's start until the
  configured number of weeks after the expected delivery date. With the date
  blank, the delivery is taken to be at the latest :data:`LONGEST_PREGNANCY`
  after the plan's start (a pre-birth plan starts in pregnancy), so an open
  plan with no date does not flag the mother for ever after the birth; past
  the usual :data:`USUAL_BIRTH_AFTER_START` (plus the weeks after delivery)
  such a flag is at most ``review`` (:func:`late_without_edd`, cap
  ``edd_unknown``).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cpflag.contract import Band
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._settings import RuleSettings

__all__ = [
    "CHECKS",
    "EDD_UNKNOWN",
    "LONGEST_PREGNANCY",
    "USUAL_BIRTH_AFTER_START",
    "cap_late_without_edd",
    "cap_late_without_edd_one",
    "late_without_edd",
    "late_without_edd_one",
    "within_window",
    "within_window_one",
]

#: The cap of a mother flag past the usual window of a plan with no EDD.
EDD_UNKNOWN: Final = "edd_unknown"

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm the mother's NHS number, date of birth and address",
    caps={
        EDD_UNKNOWN: "no expected delivery date and the plan began long ago: confirm she is "
        "still pregnant or within six weeks of the birth",
    },
)

#: With no EDD, the birth most likely falls within this long of the plan's
#: start: pre-birth assessment follows the 12-20 week scans and the conference
#: is held by about 28 weeks, so most plans start at 16 weeks or later. Past it
#: (plus the weeks after delivery) a mother flag is at most ``review``.
USUAL_BIRTH_AFTER_START: Final = dt.timedelta(weeks=24)

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


def late_without_edd(config: RuleSettings) -> pl.Expr:
    """No EDD and the arrival past the usual window: such a flag is at most ``review``."""
    usual = pl.col("start_date") + pl.lit(USUAL_BIRTH_AFTER_START)
    limit = usual + pl.duration(weeks=config.unborn_mother_weeks_after_edd)
    late = pl.col("expected_delivery_date").is_null() & (pl.col("arrival_date") > limit)
    return late.fill_null(False)


def late_without_edd_one(
    edd: dt.date | None, start: dt.date | None, arrival: dt.date, config: RuleSettings
) -> bool:
    """:func:`late_without_edd` of one pair."""
    if edd is not None or start is None:
        return False
    weeks = dt.timedelta(weeks=config.unborn_mother_weeks_after_edd)
    return arrival > start + USUAL_BIRTH_AFTER_START + weeks


def cap_late_without_edd(frame: pl.DataFrame, config: RuleSettings) -> pl.DataFrame:
    """Mother flag rows (``band``, ``guard`` and the plan's dates in scope), capped by
    :func:`late_without_edd` at ``review`` with guard :data:`EDD_UNKNOWN`."""
    late = late_without_edd(config)
    return frame.with_columns(
        pl.when(late & (pl.col("band") == Band.MATCH))
        .then(pl.lit(Band.REVIEW))
        .otherwise(pl.col("band"))
        .alias("band"),
        pl.when(late).then(pl.lit(EDD_UNKNOWN)).otherwise(pl.col("guard")).alias("guard"),
    )


def cap_late_without_edd_one(
    band: str,
    guard: str | None,
    edd: dt.date | None,
    start: dt.date | None,
    arrival: dt.date,
    config: RuleSettings,
) -> tuple[str, str | None]:
    """:func:`cap_late_without_edd` of one banded pair: ``(band, guard)``."""
    if not late_without_edd_one(edd, start, arrival, config):
        return band, guard
    return (Band.REVIEW if band == Band.MATCH else band), EDD_UNKNOWN
