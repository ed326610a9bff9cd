"""Golden cases: a possible carer whose age is unknown.

Adults attend mixed EDs and urgent care; a record there with no date of birth
may be an adult or a child. It is compared as a carer, but a carer flag needs
it to *be* the plan's named carer or mother (a child of the household shares
the home, not the carer's name), and is at most ``review`` with the
``age_unknown`` guard, as a newborn flag of unknown age is. ``explain`` gives
the flag's band and guard for both.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag.engine._index import PlanIndex
from tests.helpers import attendances, nhs, plans

D = dt.date
MUM_NHS = nhs("943476591")

PLAN = {
    "plan_id": "C1",
    "given_name": "Ali",
    "family_name": "Aslam",
    "date_of_birth": D(2013, 2, 14),
    "sex": "M",
    "postcode": "W10 7ZL",
    "address": "52 Hillside Street",
    "carer_given_name": "Comfort",
    "carer_family_name": "Ojo",
}
UNBORN = {
    "plan_id": "U1",
    "plan_type": "unborn_cpp",
    "mother_nhs_number": MUM_NHS,
    "mother_given_name": "Grace",
    "mother_family_name": "Adeyemi",
    "postcode": "E8 1AA",
    "address": "3 Mare Street",
    "expected_delivery_date": D(2027, 3, 1),
}


def _mixed(aid: str, given: str, family: str, **more: object) -> dict[str, object]:
    """A mixed-ED record at the plan's home, with no date of birth."""
    return {
        "attendance_id": aid,
        "arrival_time": dt.datetime(2026, 11, 25, 21, 51),
        "setting": "ed_mixed",
        "given_name": given,
        "family_name": family,
        "postcode": "W10 7ZL",
        "address": "52 Hillside St",
        **more,
    }


NAMED_CARER = _mixed("A1", "Comfort", "Ojo")
# Another member of the household: may be a child of the home, so no carer flag.
HOUSEHOLD_MEMBER = _mixed("A2", "Tobi", "Ojo")
# The same named carer with her date of birth: an adult, so a match as before.
NAMED_CARER_AGED = _mixed("A3", "Comfort", "Ojo", date_of_birth=D(1984, 6, 1))
# The unborn plan's mother by NHS number, elsewhere, no date of birth.
MOTHER_BY_NHS = {
    **_mixed("A4", "Grace", "Adeyemi", nhs_number=MUM_NHS),
    "postcode": "E8 1AA",
    "address": "3 Mare Street",
}
ROWS = [NAMED_CARER, HOUSEHOLD_MEMBER, NAMED_CARER_AGED, MOTHER_BY_NHS]


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(plans([PLAN, UNBORN]))


def _carer(index: PlanIndex, row: dict[str, object]) -> pl.DataFrame:
    flags = index.match(attendances([row]))
    return flags.filter(pl.col("flag") == "carer_of_plan_subject")


def test_named_carer_of_unknown_age_is_flagged_for_review(index: PlanIndex) -> None:
    flags = _carer(index, NAMED_CARER)
    assert flags.select("plan_id", "band").rows() == [("C1", "review")]
    reasons = flags["reasons"][0]
    assert "attendee is the plan's named carer/mother" in reasons
    assert "capped at review by the age_unknown guard" in reasons


def test_household_member_of_unknown_age_is_no_carer(index: PlanIndex) -> None:
    # Same home, not the named adult: may be a child of the household.
    assert _carer(index, HOUSEHOLD_MEMBER).height == 0
    siblings = index.match(attendances([HOUSEHOLD_MEMBER])).filter(
        pl.col("flag") == "sibling_of_plan_subject"
    )
    assert siblings["plan_id"].to_list() == ["C1"]


def test_named_carer_known_to_be_adult_is_a_match(index: PlanIndex) -> None:
    flags = _carer(index, NAMED_CARER_AGED)
    assert flags.select("plan_id", "band").rows() == [("C1", "match")]
    assert "age_unknown" not in flags["reasons"][0]


def test_unborn_plans_mother_of_unknown_age_is_still_found(index: PlanIndex) -> None:
    # The mother on an unborn plan is the same-person model's, not the carer's.
    flags = index.match(attendances([MOTHER_BY_NHS]))
    assert ("unborn_plan_mother", "U1") in flags.select("flag", "plan_id").rows()


def test_one_record_agrees_with_the_batch(index: PlanIndex) -> None:
    batch = index.match(attendances(ROWS))
    one = pl.concat([index.match_one(r) for r in ROWS])
    assert one.equals(batch)
    assert batch.filter(pl.col("flag") == "carer_of_plan_subject").height == 2


@pytest.mark.parametrize("row", [NAMED_CARER, HOUSEHOLD_MEMBER, NAMED_CARER_AGED])
def test_explain_gives_the_flags_band_and_guard(index: PlanIndex, row: dict[str, object]) -> None:
    flags = _carer(index, row)
    waterfall = cpflag.explain(index, row, "C1", flag="carer_of_plan_subject")
    band = flags["band"][0] if flags.height else None
    assert waterfall.band == band
    no_dob = "date_of_birth" not in row
    assert waterfall.guard == ("age_unknown" if no_dob else None)


def test_explain_gives_a_newborn_flags_cap_when_the_age_is_unknown(index: PlanIndex) -> None:
    # No date of birth, no placeholder name: possibly the unborn plan's baby,
    # at its mother's address; at most review, and explain says so too.
    baby = {
        **_mixed("A5", "Ayo", "Adeyemi", mother_nhs_number=MUM_NHS),
        "setting": "ed_child",
        "postcode": "E8 1AA",
        "address": "3 Mare Street",
    }
    flags = index.match(attendances([baby])).filter(pl.col("flag") == "newborn_of_unborn_plan")
    assert flags.select("plan_id", "band").rows() == [("U1", "review")]
    waterfall = cpflag.explain(index, baby, "U1", flag="newborn_of_unborn_plan")
    assert (waterfall.band, waterfall.guard) == ("review", "age_unknown")
    assert waterfall.match_weight == pytest.approx(flags["score"][0])


def test_no_date_of_birth_a_real_name_and_no_mothers_number_is_not_her_newborn(
    index: PlanIndex,
) -> None:
    # The same child at the mother's home, without the mother's NHS number:
    # nothing says it is a baby, and her older children share her home and
    # surname. P(newborn) x P(her baby | newborn) is below even odds: no flag.
    child = {
        **_mixed("A6", "Ayo", "Adeyemi"),
        "setting": "ed_child",
        "postcode": "E8 1AA",
        "address": "3 Mare Street",
    }
    flags = index.match(attendances([child]))
    assert flags.filter(pl.col("flag") == "newborn_of_unborn_plan").is_empty()
    one = index.match_one(attendances([child]).row(0, named=True))
    assert one.filter(pl.col("flag") == "newborn_of_unborn_plan").is_empty()
