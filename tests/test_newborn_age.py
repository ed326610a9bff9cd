"""A baby's record whose birth date is one digit from a newborn's (``_newborn_age``).

Property test: the vectorised check agrees with the plain one. Golden cases: a
baby with its mother's NHS number and a birth year typed 2006 for 2026 is still
the newborn of the mother's pre-birth plan (at most review, guard
``birth_date_doubtful``), and a sibling, not a carer, of its sister on a plan;
an older sibling's ordinary record never is a newborn (nor, in
``test_golden_family_evidence``, a three-year-old with its mother's number).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpflag
from cpflag.rules._newborn_age import digit_typo_of_newborn, digit_typo_of_newborn_one
from tests.helpers import attendances, nhs, plans

D = dt.date
ARRIVAL = D(2026, 11, 25)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=D(1900, 1, 1), max_value=D(2030, 12, 31)),
            st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
        ),
        max_size=20,
    ),
    st.integers(min_value=0, max_value=120),
)
def test_vectorised_agrees_with_plain(pairs: list[tuple[dt.date, dt.date]], days: int) -> None:
    dobs = pl.Series([p[0] for p in pairs], dtype=pl.Date)
    arrivals = pl.Series([p[1] for p in pairs], dtype=pl.Date)
    fast = digit_typo_of_newborn(dobs, arrivals, pl.Series([True] * len(pairs)), days)
    assert fast.to_list() == [digit_typo_of_newborn_one(d, a, days) for d, a in pairs]


@pytest.mark.parametrize(
    ("dob", "expected"),
    [
        (D(2006, 11, 13), True),  # year tens digit
        (D(2026, 1, 13), True),  # month: 01 for 11
        (D(2027, 11, 13), True),  # year units digit, into the future
        (D(2019, 5, 5), False),  # nothing one digit away is a newborn's date
        (D(1996, 11, 13), False),  # two digits away
    ],
)
def test_examples(dob: dt.date, expected: bool) -> None:
    assert digit_typo_of_newborn_one(dob, ARRIVAL, 90) is expected


MUM = nhs("485777345")
PLANS = plans(
    [
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "start_date": D(2026, 6, 1),
            "mother_nhs_number": MUM,
            "mother_given_name": "Salma",
            "mother_family_name": "Qureshi",
            "postcode": "B90 4BS",
            "address": "40 School Drive",
            "expected_delivery_date": D(2026, 11, 20),
        },
        # The baby's older sister, on a plan, at the same home.
        {
            "plan_id": "C1",
            "given_name": "Aisha",
            "family_name": "Qureshi",
            "date_of_birth": D(2019, 3, 3),
            "postcode": "B90 4BS",
            "address": "40 School Drive",
            "carer_given_name": "Salma",
            "carer_family_name": "Qureshi",
        },
    ]
)


def _child(aid: str, dob: dt.date, **more: object) -> dict[str, object]:
    return {
        "attendance_id": aid,
        "arrival_time": dt.datetime(2026, 11, 25, 9, 22),
        "setting": "ed_child",
        "given_name": "Muhammad",
        "family_name": "Qureshi",
        "date_of_birth": dob,
        "postcode": "B90 4BS",
        "address": "40 School Drive",
        "carer_given_name": "Salma",
        "carer_family_name": "Qureshi",
        **more,
    }


# Born 13/11/2026, typed 13/11/2006, with the mother's NHS number on the record.
BABY = _child("N1", D(2006, 11, 13), mother_nhs_number=MUM)
# An older brother, born 13/11/2016, brought by the same mother: a sibling, not a newborn.
BROTHER = _child("N2", D(2016, 11, 13))


@pytest.fixture(scope="module")
def index() -> cpflag.PlanIndex:
    return cpflag.build_index(PLANS)


def test_a_babys_record_with_a_mistyped_birth_year_is_still_a_newborn(
    index: cpflag.PlanIndex,
) -> None:
    flags = index.match(attendances([BABY])).filter(pl.col("flag") == "newborn_of_unborn_plan")
    assert flags.select("plan_id", "band").rows() == [("U1", "review")]
    assert "capped at review by the birth_date_doubtful guard" in flags["reasons"][0]
    waterfall = cpflag.explain(index, BABY, "U1", flag="newborn_of_unborn_plan")
    assert (waterfall.band, waterfall.guard) == ("review", "birth_date_doubtful")


def test_the_baby_is_a_sibling_of_the_plan_child_not_a_carer(index: cpflag.PlanIndex) -> None:
    # Its recorded age is an adult's, but the record is a baby's.
    kinds = index.match(attendances([BABY])).select("flag", "plan_id").rows()
    assert ("sibling_of_plan_subject", "C1") in kinds
    assert all(flag != "carer_of_plan_subject" for flag, _ in kinds)


def test_an_older_siblings_ordinary_record_is_not_a_newborn(index: cpflag.PlanIndex) -> None:
    flags = index.match(attendances([BROTHER]))
    assert flags.filter(pl.col("flag") == "newborn_of_unborn_plan").height == 0


def test_one_record_agrees_with_the_batch(index: cpflag.PlanIndex) -> None:
    rows = [BABY, BROTHER]
    assert pl.concat([index.match_one(r) for r in rows]).equals(index.match(attendances(rows)))
