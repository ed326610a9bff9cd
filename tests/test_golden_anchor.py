"""Golden cases: a relationship reached through a doubtful identity is no surer than it.

Issue 13, class 1 ("doubt amplified"): the attendee may be plan child Thomas
Hale (name and date of birth only: a review), whose LA family also lists Amy.
The sibling flag to Amy rests on that identity, so it is a review, and its
probability is at most the identity's -- the flag was 0.999 while the link it
stood on was 0.5.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from tests.helpers import attendances, nhs, plans

D = dt.date

PLANS = plans(
    [
        {
            "plan_id": "A1",
            "given_name": "Thomas",
            "family_name": "Hale",
            "date_of_birth": D(2015, 3, 4),
            "sex": "M",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            "family_ref": "FAM-9",
        },
        {
            "plan_id": "B1",
            "given_name": "Amy",
            "family_name": "Hale",
            "date_of_birth": D(2018, 6, 1),
            "sex": "F",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            "family_ref": "FAM-9",
        },
    ]
)


def _tom(**kw: object) -> pl.DataFrame:
    row = {
        "attendance_id": "X1",
        "given_name": "Tom",
        "family_name": "Hale",
        "date_of_birth": D(2015, 3, 4),
        "sex": "M",
        "postcode": "BD1 1AA",
        "address": "9 Mill Lane",
    }
    return attendances([{**row, **kw}])


def _by_plan(att: pl.DataFrame) -> dict[str, tuple[str, str, float]]:
    flags = cpflag.flag(att, PLANS)
    one = cpflag.build_index(PLANS).match_one(att.row(0, named=True))
    assert one.sort("flag", "plan_id").equals(flags.sort("flag", "plan_id"))
    return {r["plan_id"]: (r["flag"], r["band"], r["match_probability"]) for r in flags.to_dicts()}


def test_sibling_through_a_review_identity_is_no_surer_than_it() -> None:
    got = _by_plan(_tom())
    identity, sibling = got["A1"], got["B1"]
    assert identity[:2] == ("plan_subject", "review")
    assert sibling[:2] == ("sibling_of_plan_subject", "review")
    assert sibling[2] <= identity[2] + 1e-12
    assert sibling[2] == pytest.approx(0.5)


def test_a_confirmed_identity_anchors_the_sibling_alert() -> None:
    # The same attendee with the plan child's NHS number on both sides: the
    # identity is an alert, and the family it anchors gives Amy's at match.
    number = nhs("943476591")
    plans_with = PLANS.with_columns(
        pl.when(pl.col("plan_id") == "A1")
        .then(pl.lit(number))
        .otherwise(pl.col("nhs_number"))
        .alias("nhs_number")
    )
    att = _tom(nhs_number=number)
    flags = cpflag.flag(att, plans_with)
    got = {r["plan_id"]: (r["flag"], r["band"]) for r in flags.to_dicts()}
    assert got["A1"] == ("plan_subject", "match")
    assert got.get("B1", (None, None))[0] == "sibling_of_plan_subject"
