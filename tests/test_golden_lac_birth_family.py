"""Golden cases: a looked-after child's plan describes two households.

The plan's address and named carer are the foster placement; the mother it
names lives elsewhere, at an address the plan does not give. The placement's
adults are carers through the household; the birth mother is found by her name
(weighted by that name's own frequency, not the foster carer's) and by living in
the LA's area, and never judged by the placement's address.

The same LA area also makes an address recorded without its postcode count
for more: "Flat 5, 30 Queens Crescent" is rarely twice in one LA.

The list is padded with ordinary plans so that the LA's area is learnt and name
frequencies are estimated from a list of realistic length (on a list of five
rows every name is "average").
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import polars as pl
import pytest

import cpflag
from cpflag.engine._index import PlanIndex
from tests.helpers import attendances, plans

D = dt.date

_GIVEN = ("Sarah", "Emma", "Laura", "Gemma", "Claire", "Lisa", "Michelle", "Rachel")
_FAMILY = ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Walker", "Wright", "Hughes")
_KIDS = ("Oliver", "Jack", "Amelia", "Isla", "Noah", "Ava")


def _filler(n: int) -> list[dict[str, object]]:
    """Ordinary cpp plans of the LA, living in its districts (LS1-LS9)."""
    combos = itertools.cycle(itertools.product(_GIVEN, _FAMILY, _KIDS))
    rows = []
    for i, (g, f, k) in zip(range(n), combos, strict=False):
        rows.append(
            {
                "plan_id": f"P{i:05d}",
                "given_name": k,
                "family_name": f,
                "date_of_birth": D(2012 + i % 12, 1 + i % 12, 1 + i % 28),
                "postcode": f"LS{1 + i % 9} {1 + i % 9}{'ABDEFGHJ'[i % 8]}{'LNPQRSTU'[i // 8 % 8]}",
                "address": f"{1 + i % 90} Filler Street",
                "carer_given_name": g,
                "carer_family_name": f,
            }
        )
    return rows


LAC = {
    "plan_id": "L1",
    "plan_type": "lac",
    "given_name": "Kai",
    "family_name": "Mercer",
    "date_of_birth": D(2015, 3, 3),
    "sex": "M",
    # The placement, outside the LA's area.
    "postcode": "HG1 2AB",
    "address": "4 Hill Lane",
    "carer_given_name": "Susan",
    "carer_family_name": "Platt",
    # The birth mother.
    "mother_given_name": "Roxanne",
    "mother_family_name": "Quillfeather",
}


# Looked after, but placed with her mother: the plan's address is the family home.
WITH_MOTHER = {
    "plan_id": "L2",
    "plan_type": "lac",
    "given_name": "Esme",
    "family_name": "Vantreight",
    "date_of_birth": D(2019, 8, 8),
    "sex": "F",
    "postcode": "LS8 2AB",
    "address": "14 Rowan Way",
    "carer_given_name": "Donna",
    "carer_family_name": "Vantreight",
    "mother_given_name": "Donna",
    "mother_family_name": "Vantreight",
}

# Kinship care: placed with her grandmother, who shares her surname.
WITH_GRANDMOTHER = {
    "plan_id": "L3",
    "plan_type": "lac",
    "given_name": "Nia",
    "family_name": "Quarrington",
    "date_of_birth": D(2018, 2, 2),
    "sex": "F",
    "postcode": "LS7 4CD",
    "address": "9 Beech Grove",
    "carer_given_name": "Maureen",
    "carer_family_name": "Quarrington",
}

UNBORN = {
    "plan_id": "U9",
    "plan_type": "unborn_cpp",
    "start_date": D(2026, 6, 23),
    "mother_given_name": "Emily",
    "mother_family_name": "Penley",
    # The address without its postcode.
    "address": "Flat 5, 30 Queens Crescent",
    "expected_delivery_date": D(2026, 11, 15),
}


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(plans([LAC, WITH_MOTHER, WITH_GRANDMOTHER, UNBORN, *_filler(10_000)]))


_BORN = D(1990, 5, 5)


def _adult(
    aid: str, given: str, family: str, postcode: str, address: str, born: dt.date = _BORN
) -> dict[str, object]:
    return {
        "attendance_id": aid,
        "arrival_time": dt.datetime(2026, 11, 25, 14, 30),
        "setting": "ed_adult",
        "given_name": given,
        "family_name": family,
        "date_of_birth": born,
        "sex": "F",
        "postcode": postcode,
        "address": address,
    }


MOTHER_IN_AREA = _adult("A1", "Roxanne", "Quillfeather", "LS9 7QQ", "22 Elm Street")
MOTHER_FAR_AWAY = _adult("A2", "Roxanne", "Quillfeather", "TR1 1AA", "22 Elm Street")
# Born 1935: 80 when the child was born, so no parent of it.
MOTHER_TOO_OLD = _adult("A4", "Roxanne", "Quillfeather", "LS9 7QQ", "22 Elm Street", D(1935, 1, 1))
FOSTER_CARER = _adult("A3", "Susan", "Platt", "HG1 2AB", "4 Hill Lane")


def _carer_flags(index: PlanIndex, row: dict[str, object]) -> pl.DataFrame:
    flags = index.match(attendances([row]))
    return flags.filter(pl.col("flag") == "carer_of_plan_subject")


def test_birth_mother_living_in_the_las_area_is_flagged_for_review(index: PlanIndex) -> None:
    flags = _carer_flags(index, MOTHER_IN_AREA)
    assert flags.select("plan_id", "band").rows() == [("L1", "review")]
    reasons = flags["reasons"][0]
    assert "attendee is the plan's named carer/mother" in reasons
    assert "lives in the plan's LA area (plan home unknown or a placement)" in reasons


def test_birth_mother_is_not_judged_by_the_placements_address(index: PlanIndex) -> None:
    waterfall = cpflag.explain(index, MOTHER_IN_AREA, "L1", flag="carer_of_plan_subject")
    levels = dict(waterfall.table.select("comparison", "level").rows())
    assert levels["household"] == "la_area_home_unknown"
    assert levels["named_carer"] == "full"
    assert waterfall.band == "review"


def test_the_waterfalls_m_and_u_give_each_weight(index: PlanIndex) -> None:
    # The name level's u is the name's own frequency, not the level's average.
    waterfall = cpflag.explain(index, MOTHER_IN_AREA, "L1", flag="carer_of_plan_subject")
    steps = waterfall.table.filter(pl.col("m").is_not_null())
    for m, u, weight in steps.select("m", "u", "weight").rows():
        assert math.log2(m / u) == pytest.approx(weight)
    name_u = steps.filter(pl.col("comparison") == "named_carer")["u"][0]
    assert name_u < 2e-5


def test_her_namesake_living_outside_the_la_is_not_flagged(index: PlanIndex) -> None:
    assert _carer_flags(index, MOTHER_FAR_AWAY).height == 0


def test_a_postcode_district_alone_places_her_in_the_las_area(index: PlanIndex) -> None:
    # A district-level record ("LS9", an outward code alone) still says where she lives.
    in_area = _adult("A6", "Roxanne", "Quillfeather", "LS9", "22 Elm Street")
    assert _carer_flags(index, in_area).select("plan_id", "band").rows() == [("L1", "review")]
    far_away = _adult("A7", "Roxanne", "Quillfeather", "TR1", "22 Elm Street")
    assert _carer_flags(index, far_away).height == 0


def test_a_namesake_of_no_plausible_age_is_not_flagged(index: PlanIndex) -> None:
    assert _carer_flags(index, MOTHER_TOO_OLD).height == 0
    waterfall = cpflag.explain(index, MOTHER_TOO_OLD, "L1", flag="carer_of_plan_subject")
    levels = dict(waterfall.table.select("comparison", "level").rows())
    assert levels["age_gap"] == "implausible"


def test_the_foster_carer_at_the_placement_is_a_carer(index: PlanIndex) -> None:
    flags = _carer_flags(index, FOSTER_CARER)
    assert flags.select("plan_id", "band").rows() == [("L1", "match")]
    assert "same household" in flags["reasons"][0]


def test_one_record_agrees_with_the_batch(index: PlanIndex) -> None:
    rows = [MOTHER_IN_AREA, MOTHER_FAR_AWAY, MOTHER_TOO_OLD, FOSTER_CARER]
    batch = index.match(attendances(rows))
    one = pl.concat([index.match_one(r) for r in rows])
    assert one.equals(batch)


def _baby(postcode: str) -> dict[str, object]:
    # The father's surname, no NHS numbers: only the address and the dates speak.
    return {
        "attendance_id": "B1",
        "arrival_time": dt.datetime(2026, 11, 25, 11, 6),
        "given_name": "Theo",
        "family_name": "Green",
        "date_of_birth": D(2026, 11, 8),
        "postcode": postcode,
        "address": "Flat 5, 30 Queens Crescent",
    }


def test_baby_at_the_mothers_address_in_the_las_area_is_flagged(index: PlanIndex) -> None:
    flags = index.match(attendances([_baby("LS9 3LU")]))
    flags = flags.filter(pl.col("flag") == "newborn_of_unborn_plan")
    assert flags.select("plan_id", "band").rows() == [("U9", "review")]
    assert "same address in the plan's LA area" in flags["reasons"][0]
    assert index.match_one(_baby("LS9 3LU")).equals(index.match(attendances([_baby("LS9 3LU")])))


def test_the_same_address_in_another_town_is_not_enough(index: PlanIndex) -> None:
    flags = index.match(attendances([_baby("TR1 1AA")]))
    assert flags.filter(pl.col("flag") == "newborn_of_unborn_plan").height == 0


def test_a_child_in_kinship_care_has_siblings_at_that_home(index: PlanIndex) -> None:
    # The grandmother shares the child's surname: not a stranger's placement,
    # so a child at that address is family evidence.
    sister = {
        "attendance_id": "S2",
        "arrival_time": dt.datetime(2026, 11, 25, 16, 0),
        "setting": "ed_child",
        "given_name": "Tia",
        "family_name": "Quarrington",
        "date_of_birth": D(2015, 5, 5),
        "sex": "F",
        "postcode": "LS7 4CD",
        "address": "9 Beech Grove",
    }
    flags = index.match(attendances([sister]))
    flags = flags.filter(pl.col("flag") == "sibling_of_plan_subject")
    assert flags["plan_id"].to_list() == ["L3"]
    assert "same household" in flags["reasons"][0]


def test_a_child_placed_with_its_mother_has_siblings_at_home(index: PlanIndex) -> None:
    # Her brother, at the plan's address, no carer recorded: the household counts
    # because the plan's carer is the named mother (no foster placement).
    brother = {
        "attendance_id": "S1",
        "arrival_time": dt.datetime(2026, 11, 25, 16, 0),
        "setting": "ed_child",
        "given_name": "Ollie",
        "family_name": "Vantreight",
        "date_of_birth": D(2016, 4, 4),
        "sex": "M",
        "postcode": "LS8 2AB",
        "address": "14 Rowan Way",
    }
    flags = index.match(attendances([brother]))
    flags = flags.filter(pl.col("flag") == "sibling_of_plan_subject")
    assert flags.select("plan_id", "band").rows() == [("L2", "match")]
    assert "same household" in flags["reasons"][0]
    assert index.match_one(brother).equals(index.match(attendances([brother])))
