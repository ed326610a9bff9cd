"""Golden cases: a person known on one row of a family is known on its others.

Issue 13, class 4: a mother identified by her own NHS number on a MARAC or a
pre-birth row of an LA family gets that row's flag *and* the carer flag for
the family's children on plans -- even where she lives elsewhere now, and no
list names her as their carer. A namesake (no NHS number, another home) is
not carried across: the identity must be a strong link.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from cpflag.engine._index import PlanIndex
from tests.helpers import attendances, nhs, plans

D = dt.date
GRACE, TOBI = nhs("401023213"), nhs("943476591")

CHILD = {
    "plan_id": "C1",
    "given_name": "Tobi",
    "family_name": "Adeyemi",
    "date_of_birth": D(2019, 5, 2),
    "sex": "M",
    "nhs_number": TOBI,
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
    "family_ref": "F1",
}
MARAC = {
    "plan_id": "M1",
    "plan_type": "marac",
    "given_name": "Grace",
    "family_name": "Okafor",
    "date_of_birth": D(1990, 2, 1),
    "sex": "F",
    "nhs_number": GRACE,
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
    "family_ref": "F1",
}
PRE_BIRTH = {
    "plan_id": "U1",
    "plan_type": "unborn_cpp",
    "mother_nhs_number": GRACE,
    "mother_given_name": "Grace",
    "mother_family_name": "Okafor",
    "mother_date_of_birth": D(1990, 2, 1),
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
    "expected_delivery_date": D(2027, 3, 1),
    "family_ref": "F1",
}
#: Grace, by her NHS number, living at a refuge in another city.
GRACE_AWAY = {
    "attendance_id": "A1",
    "setting": "ed_adult",
    "given_name": "Grace",
    "family_name": "Okafor",
    "date_of_birth": D(1990, 2, 1),
    "sex": "F",
    "nhs_number": GRACE,
    "postcode": "BS1 4DJ",
    "address": "7 Quay Street",
}
#: Her namesake: the same name and birthday, no NHS number, another home.
NAMESAKE = {**GRACE_AWAY, "attendance_id": "A2", "nhs_number": None}


def _carer(flags: pl.DataFrame, aid: str) -> list[dict[str, object]]:
    return flags.filter(
        (pl.col("attendance_id") == aid) & (pl.col("flag") == FlagKind.CARER)
    ).to_dicts()


@pytest.mark.parametrize(
    ("row", "own_kind"), [(MARAC, "plan_subject"), (PRE_BIRTH, "unborn_plan_mother")]
)
def test_known_on_one_row_is_the_carer_of_the_familys_children(
    row: dict[str, object], own_kind: str
) -> None:
    index = cpflag.build_index(plans([CHILD, row]))
    flags = index.match(attendances([GRACE_AWAY, NAMESAKE]))
    own = flags.filter((pl.col("attendance_id") == "A1") & (pl.col("flag") == own_kind))
    assert own["band"].to_list() == ["match"]
    (carer,) = _carer(flags, "A1")
    assert (carer["plan_id"], carer["band"]) == ("C1", "match")
    assert "named on another row of the LA family" in str(carer["reasons"])
    # Not through a namesake: no carer alert.
    assert all(r["band"] != "match" for r in _carer(flags, "A2"))
    one = pl.concat([index.match_one(r) for r in attendances([GRACE_AWAY, NAMESAKE]).to_dicts()])
    assert one.equals(flags)


def test_explain_shows_the_family_row(index_marac: PlanIndex) -> None:
    record = attendances([GRACE_AWAY]).row(0, named=True)
    waterfall = cpflag.explain(index_marac, record, "C1", flag=FlagKind.CARER)
    assert waterfall.band == "match"
    line = next(x for x in waterfall.to_text().splitlines() if x.strip().startswith("family_ref"))
    assert "same_family" in line


@pytest.fixture(scope="module")
def index_marac() -> PlanIndex:
    return cpflag.build_index(plans([CHILD, MARAC]))
