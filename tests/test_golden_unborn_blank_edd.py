"""Golden cases: an open pre-birth plan whose expected delivery date is blank.

Without the date the mother was flagged for ever after the birth (issue 13,
class 7). The plan starts in pregnancy, so the delivery is at the latest 38
weeks after its start; the mother's window ends the configured weeks after that.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from tests.test_golden_family import ATT, PLANS

D = dt.date


def _blank_edd(start: dt.date) -> pl.DataFrame:
    return PLANS.with_columns(
        pl.when(pl.col("plan_id") == "U1")
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.col("expected_delivery_date"))
        .alias("expected_delivery_date"),
        pl.when(pl.col("plan_id") == "U1")
        .then(pl.lit(start))
        .otherwise(pl.col("start_date"))
        .alias("start_date"),
    )


def _mother_at(arrival: dt.datetime) -> pl.DataFrame:
    return ATT.filter(pl.col("attendance_id") == "C3").with_columns(
        pl.lit(arrival).alias("arrival_time")
    )


@pytest.mark.parametrize(
    ("start", "arrival", "flagged"),
    [
        # 26 weeks into the plan: pregnant, flagged.
        (D(2026, 5, 1), dt.datetime(2026, 10, 30, 9), True),
        # 43 weeks after the start: within 38 + 6 weeks.
        (D(2026, 1, 29), dt.datetime(2026, 11, 26, 9), True),
        # 45 weeks after the start: past the latest delivery and its six weeks.
        (D(2026, 1, 15), dt.datetime(2026, 11, 26, 9), False),
    ],
)
def test_blank_edd_window_from_the_plan_start(
    start: dt.date, arrival: dt.datetime, flagged: bool
) -> None:
    plans = _blank_edd(start)
    att = _mother_at(arrival)
    flags = cpflag.flag(att, plans).filter(pl.col("flag") == "unborn_plan_mother")
    assert (flags.height > 0) is flagged
    index = cpflag.PlanIndex.build(plans)
    one = index.match_one(att.row(0, named=True))
    assert one.filter(pl.col("flag") == "unborn_plan_mother").height == flags.height


def test_a_dated_plan_keeps_its_edd_window() -> None:
    # EDD 2026-10-20 + 6 weeks = 2026-12-01, whatever the start.
    att = _mother_at(dt.datetime(2026, 11, 30, 9))
    flags = cpflag.flag(att, PLANS).filter(pl.col("flag") == "unborn_plan_mother")
    assert flags.height == 1


EDD_CHECK = (
    "no expected delivery date and the plan began long ago: confirm she is still "
    "pregnant or within six weeks of the birth"
)


@pytest.mark.parametrize(
    ("start", "arrival", "band"),
    [
        # 20 weeks in: within the usual 24 weeks (+ 6): an alert as before.
        (D(2026, 7, 9), dt.datetime(2026, 11, 26, 9), "match"),
        # 31 weeks in: past 24 + 6 weeks, still within 38 + 6: at most a review.
        (D(2026, 4, 23), dt.datetime(2026, 11, 26, 9), "review"),
    ],
)
def test_blank_edd_past_the_usual_window_is_a_review_with_its_check(
    start: dt.date, arrival: dt.datetime, band: str
) -> None:
    plans = _blank_edd(start)
    att = _mother_at(arrival)
    flags = cpflag.flag(att, plans).filter(pl.col("flag") == "unborn_plan_mother")
    assert flags["band"].to_list() == [band]
    if band == "review":
        assert flags["check"].to_list() == [EDD_CHECK]
        assert "capped at review by the edd_unknown guard" in flags["reasons"][0]
    index = cpflag.PlanIndex.build(plans)
    one = index.match_one(att.row(0, named=True)).filter(pl.col("flag") == "unborn_plan_mother")
    assert one.equals(flags)


def test_explain_shows_the_blank_edd_cap() -> None:
    plans = _blank_edd(D(2026, 4, 23))
    att = _mother_at(dt.datetime(2026, 11, 26, 9))
    index = cpflag.build_index(plans)
    waterfall = cpflag.explain(index, att.row(0, named=True), "U1", flag="unborn_plan_mother")
    assert (waterfall.band, waterfall.guard, waterfall.check) == (
        "review",
        "edd_unknown",
        EDD_CHECK,
    )
    assert "capped at review by the edd_unknown guard" in waterfall.to_text()
