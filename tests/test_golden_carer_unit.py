"""Golden cases: a carer whose only trace is the plan's postcode unit (issue 13, classes 3 and 5).

An adult with no address on the record (or a different spelling of it) and a
variant of the named carer's given name shares nothing a house-number or
exact-name key can find. The postcode unit is the plain trace: the carer
model blocks on it, and the evidence decides.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

import cpflag
from tests.helpers import attendances, plans

D = dt.date

PLANS = plans(
    [
        # A looked-after child placed with a named foster carer: the plan's
        # address is the placement, where the carer lives.
        {
            "plan_id": "L1",
            "plan_type": "lac",
            "given_name": "Edward",
            "family_name": "Farnshaw",
            "date_of_birth": D(2023, 8, 19),
            "sex": "M",
            "postcode": "HU10 1PX",
            "address": "70 High Road",
            "carer_given_name": "Stacey",
            "carer_family_name": "Morton",
            "family_ref": "G1/1",
        },
    ]
)


def _adult(**kw: object) -> pl.DataFrame:
    row = {
        "attendance_id": "A1",
        "setting": "ed_adult",
        "given_name": "Stacy",
        "family_name": "Morton",
        "date_of_birth": D(1995, 6, 2),
        "sex": "F",
        "postcode": "HU101PX",
        "address": None,
    }
    return attendances([{**row, **kw}])


def _carer_flags(att: pl.DataFrame) -> pl.DataFrame:
    flags = cpflag.flag(att, PLANS).filter(pl.col("flag") == "carer_of_plan_subject")
    one = cpflag.build_index(PLANS).match_one(att.row(0, named=True))
    assert one.filter(pl.col("flag") == "carer_of_plan_subject").equals(flags)
    return flags


def test_foster_carer_at_the_placement_unit_with_a_variant_given_name() -> None:
    flags = _carer_flags(_adult())
    assert flags["plan_id"].to_list() == ["L1"]
    assert flags["band"].to_list() == ["match"]
    assert "same postcode unit" in flags["reasons"][0]


def test_the_same_adult_at_another_unit_is_not_a_carer() -> None:
    # A namesake-ish adult at another postcode with no address: no trace at all.
    assert _carer_flags(_adult(postcode="HU17 9ZZ")).height == 0
