"""Golden case: "Baby of Begum" is weighed by how common Begum is among mothers.

A newborn's wristband carries its mother's surname. Begum is common among the
mothers and carers on the lists and rare among their children (who carry
their father's surname, Rahman or Ahmed), so agreeing on it is weak evidence:
the frequency is taken among the parents and carers named on the lists. A rare
surname with the same other evidence is worth a review.
"""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

import cpflag
from tests.helpers import attendances, plans

D = dt.date
_CHILDREN = ("Rahman", "Ahmed", "Hussain", "Miah", "Ali", "Uddin")
_MOTHERS = ("Shahida", "Rukhsana", "Nazma", "Salma", "Farzana")


def _filler(n: int) -> list[dict[str, object]]:
    """Plans of children carrying their father's surname, their mother a Begum."""
    combos = itertools.cycle(itertools.product(_CHILDREN, _MOTHERS))
    return [
        {
            "plan_id": f"P{i:05d}",
            "given_name": "Child",
            "family_name": child,
            "date_of_birth": D(2012 + i % 12, 1 + i % 12, 1 + i % 28),
            "postcode": f"B{1 + i % 20} {1 + i % 9}AB",
            "address": f"{1 + i % 90} Filler Street",
            "carer_given_name": mother,
            "carer_family_name": "Begum",
        }
        for i, (child, mother) in zip(range(n), combos, strict=False)
    ]


def _unborn(plan_id: str, given: str, family: str, postcode: str) -> dict[str, object]:
    return {
        "plan_id": plan_id,
        "plan_type": "unborn_cpp",
        "start_date": D(2026, 6, 1),
        "mother_given_name": given,
        "mother_family_name": family,
        "postcode": postcode,
        "address": "10 Brick Lane",
        "expected_delivery_date": D(2026, 11, 10),
    }


PLANS = plans(
    [
        _unborn("U1", "Farida", "Begum", "E1 6AB"),
        _unborn("U2", "Roxanne", "Quillfeather", "E2 7QB"),
        *_filler(4000),
    ]
)


def _baby(aid: str, surname: str, postcode: str) -> dict[str, object]:
    # Born near the expected date, in the mother's postcode sector, another house.
    return {
        "attendance_id": aid,
        "arrival_time": dt.datetime(2026, 11, 25, 14, 30),
        "setting": "ed_child",
        "family_name": f"Baby of {surname}",
        "date_of_birth": D(2026, 11, 8),
        "postcode": postcode,
        "address": "98 Other Street",
    }


BABY_BEGUM = _baby("N1", "Begum", "E1 6ZZ")
BABY_QUILLFEATHER = _baby("N2", "Quillfeather", "E2 7ZZ")


@pytest.fixture(scope="module")
def index() -> cpflag.PlanIndex:
    return cpflag.build_index(PLANS)


def _newborn(index: cpflag.PlanIndex, row: dict[str, object]) -> pl.DataFrame:
    flags = index.match(attendances([row]))
    return flags.filter(pl.col("flag") == "newborn_of_unborn_plan")


def test_a_surname_common_among_mothers_is_weak_evidence(index: cpflag.PlanIndex) -> None:
    assert _newborn(index, BABY_BEGUM).height == 0
    waterfall = cpflag.explain(index, BABY_BEGUM, "U1", flag="newborn_of_unborn_plan")
    surname = waterfall.table.filter(pl.col("comparison") == "surname")
    assert surname["level"].to_list() == ["exact"]
    # Four adults in five on this list are Begums: agreeing says almost nothing.
    assert surname["u"][0] > 0.1


def test_a_rare_surname_with_the_same_evidence_is_worth_a_review(
    index: cpflag.PlanIndex,
) -> None:
    flags = _newborn(index, BABY_QUILLFEATHER)
    assert flags.select("plan_id", "band").rows() == [("U2", "review")]


def test_one_record_agrees_with_the_batch(index: cpflag.PlanIndex) -> None:
    rows = [BABY_BEGUM, BABY_QUILLFEATHER]
    assert pl.concat([index.match_one(r) for r in rows]).equals(index.match(attendances(rows)))
