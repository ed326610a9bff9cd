"""Golden cases: an open pre-birth plan whose expected delivery date is blank.

Without the date the mother was flagged for ever after the birth (issue 13,
class 7). The plan starts in pregnancy, so the delivery is at the latest 38
weeks after its start and the window ends the configured weeks after that.
Within it the flag is P(she is the named mother) x P(still pregnant or within
six weeks of the birth), the second factor learnt from the lists' own dated
pre-birth plans (``rules.unborn_mother.BirthTiming``); the band is the one the
composed probability reaches.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cpflag
from cpflag.rules.unborn_mother import LONGEST_PREGNANCY, PRIOR_PLANS, BirthTiming
from tests.helpers import plans
from tests.test_golden_family import ATT, PLANS

D = dt.date
MOTHERS = ("Amara", "Bethany", "Chloe", "Dana", "Ella", "Farah", "Gemma", "Hana", "Isla", "Jodie")


def _dated(n: int, due_after: int) -> pl.DataFrame:
    """``n`` other mothers' pre-birth plans, each due ``due_after`` days after its start."""
    rows = [
        {
            "plan_id": f"D{i}",
            "plan_type": "unborn_cpp",
            "mother_given_name": MOTHERS[i % len(MOTHERS)],
            "mother_family_name": "Okonkwo",
            "mother_date_of_birth": D(1990, 1, 1) + dt.timedelta(days=37 * i),
            "postcode": "BD1 1AA",
            "address": f"{i + 1} Mill Lane",
            "start_date": D(2026, 3, 1),
            "expected_delivery_date": D(2026, 3, 1) + dt.timedelta(days=due_after),
        }
        for i in range(n)
    ]
    return plans(rows)


def _blank_edd(start: dt.date, *, dated: int = 0, due_after: int = 140) -> pl.DataFrame:
    table = PLANS.with_columns(
        pl.when(pl.col("plan_id") == "U1")
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.col("expected_delivery_date"))
        .alias("expected_delivery_date"),
        pl.when(pl.col("plan_id") == "U1")
        .then(pl.lit(start))
        .otherwise(pl.col("start_date"))
        .alias("start_date"),
    )
    if dated:
        table = pl.concat([table, _dated(dated, due_after).select(table.columns)])
    return table


def _mother_at(arrival: dt.datetime) -> pl.DataFrame:
    return ATT.filter(pl.col("attendance_id") == "C3").with_columns(
        pl.lit(arrival).alias("arrival_time")
    )


def _mother_flags(plans: pl.DataFrame, att: pl.DataFrame) -> pl.DataFrame:
    """The batch's mother flags, checked equal to ``match_one``'s."""
    flags = cpflag.flag(att, plans).filter(pl.col("flag") == "unborn_plan_mother")
    index = cpflag.PlanIndex.build(plans)
    one = index.match_one(att.row(0, named=True)).filter(pl.col("flag") == "unborn_plan_mother")
    assert one.equals(flags)
    return flags


def test_past_the_longest_pregnancy_and_its_six_weeks_no_flag() -> None:
    # 45 weeks after the start: past 38 + 6 weeks, whatever the lists say.
    plans = _blank_edd(D(2026, 1, 15), dated=30, due_after=300)
    assert _mother_flags(plans, _mother_at(dt.datetime(2026, 11, 26, 9))).height == 0


def test_a_dated_plan_keeps_its_edd_window() -> None:
    # EDD 2026-10-20 + 6 weeks = 2026-12-01, whatever the start.
    flags = _mother_flags(PLANS, _mother_at(dt.datetime(2026, 11, 30, 9)))
    assert flags["band"].to_list() == ["match"]
    assert flags["match_probability"][0] > 0.99


EDD_CHECK = (
    "no expected delivery date and the birth may be past: confirm she is still "
    "pregnant or within six weeks of the birth"
)


@pytest.mark.parametrize(
    ("weeks_in", "band"),
    [
        # 10 weeks in; the lists' 30 dated plans are all due 20 weeks after
        # their start: she is still pregnant. An alert.
        (10, "match"),
        # 30 weeks in: every dated plan was due by 20 (+ 6) weeks; only the
        # prior's tail is left: a review with its check.
        (30, "review"),
        # 36 weeks in: within 38 + 6 weeks, but the composed probability is
        # below the review threshold's: no flag.
        (36, None),
    ],
)
def test_blank_edd_window_learnt_from_the_dated_plans(weeks_in: int, band: str | None) -> None:
    arrival = dt.datetime(2026, 11, 26, 9)
    start = arrival.date() - dt.timedelta(weeks=weeks_in)
    flags = _mother_flags(_blank_edd(start, dated=30, due_after=140), _mother_at(arrival))
    assert flags["band"].to_list() == ([] if band is None else [band])
    if band == "review":
        assert flags["check"].to_list() == [EDD_CHECK]
        assert "capped at review by the edd_unknown guard" in flags["reasons"][0]
        assert flags["match_probability"][0] < 0.05


def test_the_same_arrival_is_an_alert_where_the_lists_say_births_come_late() -> None:
    # 24 weeks in: a review where the lists' 80 dated plans are due 14 weeks
    # after the start (only the prior's tail is left), an alert where they are
    # due 36 weeks after (the prior's weak pull leaves P(window) about 0.99).
    arrival = dt.datetime(2026, 11, 26, 9)
    start = arrival.date() - dt.timedelta(weeks=24)
    early = _mother_flags(_blank_edd(start, dated=80, due_after=98), _mother_at(arrival))
    late = _mother_flags(_blank_edd(start, dated=80, due_after=252), _mother_at(arrival))
    assert early["band"].to_list() == ["review"]
    assert late["band"].to_list() == ["match"]


def test_with_no_dated_plan_the_wide_prior_keeps_it_at_review() -> None:
    # Ten weeks in, and nothing on the lists says when plans are due: the prior
    # (due at any time within 38 weeks) leaves a 10% chance she delivered more
    # than six weeks ago. A person checks.
    arrival = dt.datetime(2026, 11, 26, 9)
    plans = _blank_edd(arrival.date() - dt.timedelta(weeks=10)).filter(pl.col("plan_id") != "U2")
    flags = _mother_flags(plans, _mother_at(arrival))
    assert flags["band"].to_list() == ["review"]
    assert 0.85 < flags["match_probability"][0] < 0.9


def test_explain_shows_the_composition() -> None:
    arrival = dt.datetime(2026, 11, 26, 9)
    plans = _blank_edd(arrival.date() - dt.timedelta(weeks=30), dated=30, due_after=140)
    att = _mother_at(arrival)
    index = cpflag.build_index(plans)
    waterfall = cpflag.explain(index, att.row(0, named=True), "U1", flag="unborn_plan_mother")
    assert (waterfall.band, waterfall.guard, waterfall.check) == (
        "review",
        "edd_unknown",
        EDD_CHECK,
    )
    flag = _mother_flags(plans, att)
    assert waterfall.match_probability == pytest.approx(flag["match_probability"][0])
    assert waterfall.window_probability < 0.05
    text = waterfall.to_text()
    assert "P(identity)" in text
    assert "capped at review by the edd_unknown guard" in text


def test_birth_timing_is_learnt_from_dated_unborn_plans_only() -> None:
    table = pl.concat([PLANS, _dated(3, 100).select(PLANS.columns)])
    # U1 (141 days), U2 (162 days) and the three new plans (100 days); the
    # subject plans carry no EDD and are not counted.
    assert BirthTiming.from_plans(table).days == (100, 100, 100, 141, 162)


def _still_due_reference(days: list[int], elapsed: float) -> float:
    later = sum(1 for d in days if d >= elapsed)
    prior = min(1.0, max(0.0, 1.0 - elapsed / LONGEST_PREGNANCY.days))
    return (later + PRIOR_PLANS * prior) / (len(days) + PRIOR_PLANS)


@given(
    days=st.lists(st.integers(0, LONGEST_PREGNANCY.days), max_size=40),
    elapsed=st.lists(st.floats(-100.0, 400.0, allow_nan=False), min_size=1, max_size=20),
)
def test_still_due_vectorised_agrees_with_the_plain_forms(
    days: list[int], elapsed: list[float]
) -> None:
    timing = BirthTiming(days=tuple(sorted(days)))
    fast = timing.still_due(np.asarray(elapsed, dtype=np.float64))
    for e, f in zip(elapsed, fast, strict=True):
        assert f == pytest.approx(_still_due_reference(sorted(days), e), abs=1e-12)
        assert f == timing.still_due_one(e)
        assert 0.0 <= f <= 1.0
