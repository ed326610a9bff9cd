"""Golden case: twins born to the mother named on a pre-birth plan are both newborns.

Twins are two children, never one: each gets its own newborn flag, whether its
record carries the mother's NHS number or only "Baby B" / "Twin 2 of Clarke" at
her address.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from tests.helpers import attendances, nhs, plans

D = dt.date
MUM = nhs("485777345")

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
            "expected_delivery_date": D(2026, 10, 25),
        }
    ]
)
_TWIN = {"date_of_birth": D(2026, 10, 18), "arrival_time": dt.datetime(2026, 11, 25, 3, 10)}
ATT = attendances(
    [
        {
            "attendance_id": "W1",
            "given_name": "Baby A",
            "family_name": "Clarke",
            "sex": "F",
            "mother_nhs_number": MUM,
            "setting": "neonatal",
            **_TWIN,
        },
        {
            "attendance_id": "W2",
            "given_name": "Baby B",
            "family_name": "Clarke",
            "sex": "M",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Rd",
            **_TWIN,
        },
        {
            "attendance_id": "W3",
            "family_name": "Twin 2 of Clarke",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            **_TWIN,
        },
    ]
)


@pytest.fixture(scope="module")
def flags() -> pl.DataFrame:
    return cpflag.flag(ATT, PLANS)


def test_each_twin_is_a_newborn_of_the_plan(flags: pl.DataFrame) -> None:
    newborn = flags.filter(pl.col("flag") == "newborn_of_unborn_plan")
    assert sorted(newborn.select("attendance_id", "plan_id").rows()) == [
        ("W1", "U1"),
        ("W2", "U1"),
        ("W3", "U1"),
    ]
    # The mother's NHS number on the record makes an alert.
    assert newborn.filter(pl.col("attendance_id") == "W1")["band"].to_list() == ["match"]


def test_no_twin_is_taken_for_the_mother(flags: pl.DataFrame) -> None:
    assert flags.filter(pl.col("flag") == "unborn_plan_mother").height == 0


def test_one_record_agrees_with_the_batch(flags: pl.DataFrame) -> None:
    index = cpflag.PlanIndex.build(PLANS)
    one = pl.concat([index.match_one(r) for r in ATT.to_dicts()])
    assert one.equals(index.match(ATT))
