"""Golden cases: one flag kind per (attendance, plan), the most specific (issue 13).

Each rule runs on its own, so one attendance could come out with two stories
about one plan: a child capped at review as the plan's subject (a twin, a
namesake with another NHS number) and flagged at ``match`` as a sibling on the
same plan; a baby's record flagged both as the baby of a pre-birth plan and
as that plan's mother. ``cpflag.decide.most_specific`` settles them after
every kind is computed, in the batch and at triage alike:

* a ``plan_subject`` flag (either band) drops the sibling and carer flags of
  that attendance for that plan;
* of a newborn and a mother flag on one plan, the one the attendee's age fits
  is kept (a baby's record is the baby); when the age does not say, the
  stronger (band, then score).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from cpflag.decide import most_specific
from cpflag.engine._index import PlanIndex
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER, OTHER, MUM = nhs("943476591"), nhs("485777345"), nhs("401023213")

PLANS = plans(
    [
        {
            "plan_id": "P1",
            "given_name": "Oliver",
            "family_name": "Smith-Jones",
            "date_of_birth": D(2018, 3, 4),
            "sex": "M",
            "nhs_number": OLIVER,
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
        },
        {
            "plan_id": "P2",
            "given_name": "Amelia",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
        },
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "start_date": D(2026, 5, 1),
            "mother_nhs_number": MUM,
            "mother_given_name": "Grace",
            "mother_family_name": "Adeyemi",
            "mother_date_of_birth": D(1995, 2, 1),
            "postcode": "E8 1AA",
            "address": "3 Mare Street",
            "expected_delivery_date": D(2026, 11, 10),
        },
    ]
)

#: Amelia's twin: the plan_subject review (twin guard) is the one story, not a sibling match.
TWIN = {
    "attendance_id": "A1",
    "given_name": "Ava",
    "family_name": "Hughes",
    "date_of_birth": D(2020, 6, 15),
    "sex": "F",
    "postcode": "LS9 7QQ",
    "address": "Flat 3, 41 Station Road",
}
#: Oliver's namesake at his home with a number of his own: review, not also a sibling.
NAMESAKE = {
    "attendance_id": "A2",
    "given_name": "Oliver",
    "family_name": "Smith-Jones",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "nhs_number": OTHER,
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
}
#: A brother at Oliver's home: no plan_subject flag, so his sibling flag stays.
BROTHER = {
    "attendance_id": "A3",
    "given_name": "Harry",
    "family_name": "Smith-Jones",
    "date_of_birth": D(2015, 8, 9),
    "sex": "M",
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
}
_BABY = {
    "given_name": "Baby",
    "family_name": "Adeyemi",
    "date_of_birth": D(2026, 11, 12),
    "postcode": "E8 1AA",
    "address": "3 Mare Street",
}
#: "Baby Adeyemi" two weeks old with the mother's NHS number typed as its own:
#: a newborn record is the baby, so the mother flag goes.
BABY_WITH_MOTHERS_NUMBER = {"attendance_id": "B1", **_BABY, "nhs_number": MUM}
#: The mother herself in a mixed ED with no date of birth (so possibly a baby):
#: the age does not say, and the mother flag is the stronger.
MOTHER_NO_DOB = {
    "attendance_id": "M1",
    "setting": "ed_mixed",
    "given_name": "Grace",
    "family_name": "Adeyemi",
    "nhs_number": MUM,
    "postcode": "E8 1AA",
    "address": "3 Mare Street",
}
ROWS = [TWIN, NAMESAKE, BROTHER, BABY_WITH_MOTHERS_NUMBER, MOTHER_NO_DOB]


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(PLANS)


@pytest.fixture(scope="module")
def flags(index: PlanIndex) -> pl.DataFrame:
    return index.match(attendances(ROWS))


def _kinds(flags: pl.DataFrame, aid: str) -> list[tuple[str, str, str]]:
    rows = flags.filter(pl.col("attendance_id") == aid)
    return rows.select("flag", "plan_id", "band").rows()


def test_twin_is_one_plan_subject_review(flags: pl.DataFrame) -> None:
    assert _kinds(flags, "A1") == [(FlagKind.PLAN_SUBJECT, "P2", "review")]


def test_namesake_with_another_number_is_one_plan_subject_review(flags: pl.DataFrame) -> None:
    assert _kinds(flags, "A2") == [(FlagKind.PLAN_SUBJECT, "P1", "review")]


def test_a_sibling_with_no_subject_flag_keeps_it(flags: pl.DataFrame) -> None:
    assert _kinds(flags, "A3") == [(FlagKind.SIBLING, "P1", "match")]


def test_a_newborn_record_is_the_baby_not_the_mother(flags: pl.DataFrame) -> None:
    assert _kinds(flags, "B1") == [(FlagKind.NEWBORN, "U1", "match")]


def test_with_no_age_the_stronger_pre_birth_flag_stays(flags: pl.DataFrame) -> None:
    assert _kinds(flags, "M1") == [(FlagKind.UNBORN_MOTHER, "U1", "match")]


def test_each_pair_has_one_kind(flags: pl.DataFrame) -> None:
    per_pair = flags.group_by("attendance_id", "plan_id").len()
    assert per_pair["len"].max() == 1


def test_triage_gives_the_batchs_rows(index: PlanIndex, flags: pl.DataFrame) -> None:
    one = pl.concat([index.match_one(r) for r in attendances(ROWS).to_dicts()])
    assert one.equals(flags)


def _row(flag: str, plan: str | None, band: str = "match", score: float = 10.0) -> dict[str, Any]:
    return {"flag": flag, "plan_id": plan, "band": band, "score": score}


def test_most_specific_drops_relatives_of_a_subjects_plan_only() -> None:
    rows = [
        _row(FlagKind.PLAN_SUBJECT, "P1", "review"),
        _row(FlagKind.SIBLING, "P1"),
        _row(FlagKind.CARER, "P1"),
        _row(FlagKind.SIBLING, "P9"),
        _row(FlagKind.REPEAT, None),
    ]
    assert most_specific(rows, None) == [True, False, False, True, True]


@pytest.mark.parametrize(
    ("baby", "newborn", "mother", "kept"),
    [
        (True, ("review", 1.0), ("match", 30.0), FlagKind.NEWBORN),
        (False, ("match", 30.0), ("review", 1.0), FlagKind.UNBORN_MOTHER),
        (None, ("match", 1.0), ("review", 30.0), FlagKind.NEWBORN),
        (None, ("review", 20.0), ("review", 10.0), FlagKind.NEWBORN),
        (None, ("review", 10.0), ("review", 10.0), FlagKind.UNBORN_MOTHER),
    ],
)
def test_most_specific_settles_a_baby_and_its_mother(
    baby: bool | None,
    newborn: tuple[str, float],
    mother: tuple[str, float],
    kept: str,
) -> None:
    rows = [_row(FlagKind.UNBORN_MOTHER, "U1", *mother), _row(FlagKind.NEWBORN, "U1", *newborn)]
    keep = most_specific(rows, baby)
    assert [r["flag"] for r, k in zip(rows, keep, strict=True) if k] == [kept]
