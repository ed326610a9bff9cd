"""truth_flags against the contract's flag definitions, re-derived from the truth tables."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from cpflag.synth import SynthData, generate

CHILD_PLANS = ["cpp", "lac", "cin"]
KEY = ["attendance_id", "flag", "plan_id"]


@pytest.fixture(scope="module")
def data() -> SynthData:
    return generate(scale="demo", days=90, n_attendances=20_000, seed=9)


def _rederive(d: SynthData) -> pl.DataFrame:
    """The five plan-based flags from the public truth tables only."""
    persons = d.truth_persons.select("person_id", "residence_family_id", "mother_person_id", "role")
    att = d.truth_attendances.select(
        "attendance_id", "person_id", "family_id", "is_adult", "role", "arrival_date", "age_days"
    ).join(persons.drop("role"), on="person_id", how="left")
    plans = d.plans.select(
        "plan_id", "plan_type", "start_date", "end_date", "expected_delivery_date"
    ).join(
        d.truth_plans.select(
            "plan_id",
            pl.col("person_id").alias("subject"),
            pl.col("family_id").alias("plan_family"),
            pl.col("mother_person_id").alias("plan_mother"),
            pl.col("carer_person_id").alias("plan_carer"),
        ),
        on="plan_id",
    )
    plans = plans.join(
        persons.select(
            pl.col("person_id").alias("subject"),
            pl.col("residence_family_id").alias("subject_home"),
        ),
        on="subject",
        how="left",
    )
    current = (pl.col("start_date") <= pl.col("arrival_date")) & (
        pl.col("end_date").is_null() | (pl.col("arrival_date") <= pl.col("end_date"))
    )
    child_plan = pl.col("plan_type").is_in(CHILD_PLANS)
    adult = pl.col("is_adult") & (pl.col("role") != "child")
    window = pl.col("arrival_date") <= pl.col("expected_delivery_date") + dt.timedelta(days=42)
    rules = [
        # (flag, attendance key, plan key, condition)
        (
            "plan_subject",
            "person_id",
            "subject",
            pl.col("plan_type").is_in([*CHILD_PLANS, "marac"]),
        ),
        (
            "sibling_of_plan_subject",
            "family_id",
            "plan_family",
            child_plan
            & (pl.col("role") == "child")
            & ~pl.col("is_adult")
            & (pl.col("person_id") != pl.col("subject")),
        ),
        ("carer_of_plan_subject", "person_id", "plan_carer", child_plan & adult),
        # a looked-after child's birth mother named on the row is a parent named on the plan
        ("carer_of_plan_subject", "person_id", "plan_mother", child_plan & adult),
        ("carer_of_plan_subject", "residence_family_id", "subject_home", child_plan & adult),
        (
            "unborn_plan_mother",
            "person_id",
            "plan_mother",
            (pl.col("plan_type") == "unborn_cpp") & window,
        ),
        (
            "newborn_of_unborn_plan",
            "mother_person_id",
            "plan_mother",
            (pl.col("plan_type") == "unborn_cpp")
            & (pl.col("role") == "child")
            & (pl.col("age_days") < 90),
        ),
    ]
    out = [
        att.join(plans, left_on=left, right_on=right, how="inner")
        .filter(current & cond)
        .select("attendance_id", pl.lit(flag).alias("flag"), "plan_id")
        for flag, left, right, cond in rules
    ]
    return pl.concat(out).unique().sort(KEY)


def test_truth_flags_follow_the_contract_definitions(data: SynthData) -> None:
    expected = _rederive(data)
    assert expected.height > 500
    assert data.truth_flags.sort(KEY).equals(expected)
    # Background attendees are never related to a plan.
    background = data.truth_attendances.filter(
        pl.col("stratum").is_in(["background_child", "background_adult"])
    )["attendance_id"]
    assert not data.truth_flags["attendance_id"].is_in(background.implode()).any()


def test_every_flag_kind_occurs_and_refers_to_real_rows(data: SynthData) -> None:
    f = data.truth_flags
    counts = dict(f.group_by("flag").len().iter_rows())
    for kind in (
        "plan_subject",
        "sibling_of_plan_subject",
        "carer_of_plan_subject",
        "unborn_plan_mother",
        "newborn_of_unborn_plan",
    ):
        assert counts.get(kind, 0) >= 5, kind
    assert f["plan_id"].is_in(data.plans["plan_id"].implode()).all()
    assert f["attendance_id"].is_in(data.attendances["attendance_id"].implode()).all()
    assert f.select(KEY).is_unique().all()


def test_no_flag_from_a_plan_not_current_at_arrival(data: SynthData) -> None:
    f = data.truth_flags.join(data.plans, on="plan_id").join(
        data.attendances.select("attendance_id", "arrival_time"), on="attendance_id"
    )
    day = f["arrival_time"].dt.date()
    assert (f["start_date"] <= day).all()
    ended = f["end_date"].is_not_null()
    assert (day.filter(ended) <= f["end_date"].filter(ended)).all()
    # Ended plans exist on the lists (and so are real traps).
    assert (data.plans["end_date"] < dt.date(2026, 11, 25)).sum() >= 20


def test_the_la_that_shares_no_list_has_children_who_attend_but_no_rows(
    data: SynthData,
) -> None:
    population = set(data.truth_persons["la_code"].unique())
    sharing = set(data.manifest["la_code"])
    unshared = population - sharing
    assert len(unshared) == 1
    assert set(data.plans["la_code"].unique()) <= sharing
    att = data.truth_attendances.filter(pl.col("stratum") == "unshared_la")
    assert att.height >= 20
    flags = data.truth_flags.filter(pl.col("attendance_id").is_in(att["attendance_id"].implode()))
    assert flags.filter(pl.col("flag") == "plan_subject").height == 0


def test_pre_birth_plans_cover_before_and_after_delivery(data: SynthData) -> None:
    ub = data.plans.filter(pl.col("plan_type") == "unborn_cpp")
    assert ub["nhs_number"].null_count() == ub.height
    assert ub["mother_nhs_number"].null_count() < ub.height / 4
    early = ub.filter(pl.col("end_date") < pl.col("expected_delivery_date"))
    assert early.height >= 1  # ended before the birth: no flag afterwards
    f = data.truth_flags.join(data.plans, on="plan_id").join(
        data.attendances.select("attendance_id", "arrival_time"), on="attendance_id"
    )
    mothers = f.filter(pl.col("flag") == "unborn_plan_mother")
    day = mothers["arrival_time"].dt.date()
    assert (day < mothers["expected_delivery_date"]).any()
    assert (day > mothers["expected_delivery_date"]).any()
    babies = f.filter(pl.col("flag") == "newborn_of_unborn_plan")
    assert babies.height >= 5
