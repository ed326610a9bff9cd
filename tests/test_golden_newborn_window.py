"""Golden case: the newborn window is the baby's first 90 days (the data contract).

A baby aged 0 to 89 days at arrival is a newborn of the pre-birth plan its
mother is named on; at 90 days it is in its 91st day, outside the window (the
plan should by then be re-registered against the baby). A named newborn at
the plan's postcode unit with no address, born near the expected date, is
found for review even with the father's surname and no mother's NHS number.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from tests.helpers import attendances, nhs, plans

D = dt.date
MUM = nhs("485777345")
ARRIVAL = dt.datetime(2026, 11, 25, 3, 10)

PLANS = plans(
    [
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "start_date": D(2026, 5, 1),
            "mother_nhs_number": MUM,
            "mother_given_name": "Jade",
            "mother_family_name": "Clarke",
            "mother_date_of_birth": D(1999, 4, 4),
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            "expected_delivery_date": D(2026, 9, 1),
        }
    ]
)


def _baby(aid: str, age_days: int) -> dict[str, object]:
    return {
        "attendance_id": aid,
        "given_name": "Baby",
        "family_name": "Clarke",
        "sex": "F",
        "mother_nhs_number": MUM,
        "setting": "ed_child",
        "date_of_birth": ARRIVAL.date() - dt.timedelta(days=age_days),
        "arrival_time": ARRIVAL,
    }


@pytest.mark.parametrize(("age", "flagged"), [(0, True), (89, True), (90, False)])
def test_first_ninety_days(age: int, flagged: bool) -> None:
    flags = cpflag.flag(attendances([_baby("B1", age)]), PLANS)
    newborn = flags.filter(pl.col("flag") == FlagKind.NEWBORN)
    assert (newborn.height == 1) is flagged, newborn


def test_triage_agrees_at_the_edges() -> None:
    index = cpflag.build_index(PLANS)
    for age in (89, 90):
        batch = index.match(attendances([_baby("B1", age)]))
        assert index.match_one(attendances([_baby("B1", age)]).row(0, named=True)).equals(batch)


def test_named_newborn_at_the_plans_unit_is_found_for_review() -> None:
    """Own given name, the father's surname, no mother's NHS number, no address."""
    baby = {
        "attendance_id": "N1",
        "given_name": "Ava",
        "family_name": "Okoro",
        "sex": "F",
        "setting": "ed_child",
        "postcode": "LS6 2BB",
        "date_of_birth": D(2026, 9, 6),
        "arrival_time": ARRIVAL,
    }
    flags = cpflag.flag(attendances([baby]), PLANS)
    (row,) = flags.filter(pl.col("flag") == FlagKind.NEWBORN).to_dicts()
    assert (row["plan_id"], row["band"]) == ("U1", "review")
    assert "same postcode unit, address missing" in str(row["reasons"])
