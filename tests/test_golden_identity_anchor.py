"""Golden cases: a relation reached through an identity is no surer than that identity.

Issue 13, classes 1 and 2 ("doubt amplified", "a contradiction outvoted"):

* a name and a date of birth alone, with no NHS number and no home that
  agrees, make a ``plan_subject`` review (guard ``name_and_dob_only``), never
  an alert -- a namesake born the same day elsewhere is far commoner than the
  weights' independence says;
* such a link does not anchor the attendee's LA family: the plan child's
  brother on another plan of the family gets no sibling *alert* through a
  namesake (the family link counts as one in review, capped there);
* the same record with the NHS number (a strong link) anchors the family as
  before, so the sibling alert stands.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from cpflag.engine._index import PlanIndex
from cpflag.rules._attendee import STRONG_ANCHOR
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER, LEO = nhs("943476591"), nhs("485777345")
NAME_DOB_CHECK = "name and date of birth only: confirm the NHS number or the address"

PLANS = plans(
    [
        {
            "plan_id": "P1",
            "given_name": "Oliver",
            "family_name": "Kowalczyk",
            "date_of_birth": D(2018, 3, 4),
            "sex": "M",
            "nhs_number": OLIVER,
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "family_ref": "F1",
        },
        {
            "plan_id": "P2",
            "given_name": "Leo",
            "family_name": "Kowalczyk",
            "date_of_birth": D(2015, 7, 9),
            "sex": "M",
            "nhs_number": LEO,
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "family_ref": "F1",
        },
    ]
)
#: Oliver's name and date of birth, no NHS number, a home in another city.
NAMESAKE = {
    "attendance_id": "A1",
    "given_name": "Oliver",
    "family_name": "Kowalczyk",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "postcode": "BS1 4DJ",
    "address": "7 Quay Street",
}
#: The same record carrying Oliver's NHS number: Oliver himself, who moved.
OLIVER_MOVED = {**NAMESAKE, "attendance_id": "A2", "nhs_number": OLIVER}


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(PLANS)


@pytest.fixture(scope="module")
def flags(index: PlanIndex) -> pl.DataFrame:
    return index.match(attendances([NAMESAKE, OLIVER_MOVED]))


def _rows(flags: pl.DataFrame, aid: str, kind: str) -> list[dict[str, object]]:
    return flags.filter((pl.col("attendance_id") == aid) & (pl.col("flag") == kind)).to_dicts()


def test_name_and_dob_alone_is_a_review_with_its_check(flags: pl.DataFrame) -> None:
    (row,) = _rows(flags, "A1", FlagKind.PLAN_SUBJECT)
    assert (row["plan_id"], row["band"], row["check"]) == ("P1", "review", NAME_DOB_CHECK)
    assert "capped at review by the name_and_dob_only guard" in str(row["reasons"])


def test_a_namesake_does_not_make_the_plan_childs_brother_an_alert(flags: pl.DataFrame) -> None:
    siblings = _rows(flags, "A1", FlagKind.SIBLING)
    assert all(r["band"] == "review" for r in siblings), siblings


def test_a_strong_link_anchors_the_family(flags: pl.DataFrame) -> None:
    (subject,) = _rows(flags, "A2", FlagKind.PLAN_SUBJECT)
    assert (subject["plan_id"], subject["band"]) == ("P1", "match")
    assert float(subject["score"]) >= STRONG_ANCHOR  # type: ignore[arg-type]
    (sibling,) = _rows(flags, "A2", FlagKind.SIBLING)
    assert (sibling["plan_id"], sibling["band"]) == ("P2", "match")


def test_triage_gives_the_batchs_rows(index: PlanIndex, flags: pl.DataFrame) -> None:
    one = pl.concat([index.match_one(r) for r in attendances([NAMESAKE, OLIVER_MOVED]).to_dicts()])
    assert one.equals(flags)


#: Oliver misspelt, born a week later, elsewhere, no number: review on weight alone.
WEAK = {**NAMESAKE, "attendance_id": "A3", "given_name": "Olivr", "date_of_birth": D(2018, 3, 11)}
#: Far weaker still: below the review threshold, the guard's conditions holding.
FAINT = {**WEAK, "attendance_id": "A4", "family_name": "Kowal", "date_of_birth": D(2016, 1, 2)}


def test_a_guard_on_a_review_by_weight_says_it_applies_not_capped(index: PlanIndex) -> None:
    """Issue 13, class 11: no flag or waterfall says "capped" where the weight put it."""
    flags = index.match(attendances([WEAK]))
    (row,) = _rows(flags, "A3", FlagKind.PLAN_SUBJECT)
    assert row["band"] == "review"
    assert float(row["score"]) < default_match_threshold()  # type: ignore[arg-type]
    assert "the name_and_dob_only guard applies" in str(row["reasons"])
    assert "capped" not in str(row["reasons"])
    text = cpflag.explain(index, attendances([WEAK]).row(0, named=True), "P1").to_text()
    assert "the name_and_dob_only guard applies" in text
    assert "capped" not in text
    assert index.match_one(attendances([WEAK]).row(0, named=True)).equals(flags)


def test_a_guard_below_the_review_threshold_says_so(index: PlanIndex) -> None:
    waterfall = cpflag.explain(index, attendances([FAINT]).row(0, named=True), "P1")
    assert waterfall.band is None
    text = waterfall.to_text()
    assert "below review threshold" in text
    assert "capped" not in text
    if waterfall.guard is not None:
        assert "the weight is below the review threshold" in text


def default_match_threshold() -> float:
    return cpflag.default_model().thresholds.match
