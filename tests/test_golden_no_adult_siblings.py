"""Golden cases: no adult siblings (issue 13).

An attendee with no date of birth is taken for a child only where every
attendee is one: a children's ED or a neonatal unit. Elsewhere (a mixed ED, an
urgent treatment centre, a minor injury unit, a setting not given) it may be
an adult of the plan child's household -- a parent shares the home and the
surname -- so its sibling flag is at most ``review``, guard ``age_unknown``,
with the check "age unknown: confirm this attendee is a child". An adult
setting compares no such record as a sibling at all, and a "Baby of" record
is a baby's, whatever its setting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from cpflag.engine._index import PlanIndex
from tests.helpers import attendances, plans

D = dt.date
AGE_CHECK = "age unknown: confirm this attendee is a child"

PLAN = {
    "plan_id": "P1",
    "given_name": "Oliver",
    "family_name": "Smith",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
    "carer_given_name": "Kelly",
    "carer_family_name": "Smith",
}


def _at_home(aid: str, given: str, setting: str | None, **more: Any) -> dict[str, Any]:
    """A record at the plan child's home with his surname and no date of birth."""
    return {
        "attendance_id": aid,
        "setting": setting,
        "given_name": given,
        "family_name": "Smith",
        "postcode": "LS9 8AB",
        "address": "12 Oak Road",
        **more,
    }


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(plans([PLAN]))


def _sibling(index: PlanIndex, row: dict[str, Any]) -> pl.DataFrame:
    flags = index.match(attendances([row]))
    return flags.filter(pl.col("flag") == FlagKind.SIBLING)


@pytest.mark.parametrize("setting", ["ed_mixed", "utc", "miu", None])
def test_unknown_age_outside_a_childrens_setting_is_a_review(
    index: PlanIndex, setting: str | None
) -> None:
    sib = _sibling(index, _at_home("A1", "Tom", setting))
    assert sib.select("plan_id", "band", "check").rows() == [("P1", "review", AGE_CHECK)]
    assert "capped at review by the age_unknown guard" in sib["reasons"][0]
    # The weight alone is a match: the cap, not the evidence, makes it review.
    assert sib["score"][0] >= 6.0


@pytest.mark.parametrize("setting", ["ed_child", "neonatal"])
def test_unknown_age_in_a_childrens_setting_is_a_match(index: PlanIndex, setting: str) -> None:
    sib = _sibling(index, _at_home("A2", "Tom", setting))
    assert sib.select("plan_id", "band", "check").rows() == [("P1", "match", None)]


def test_a_known_childs_age_is_a_match_anywhere(index: PlanIndex) -> None:
    row = _at_home("A3", "Tom", "ed_mixed", date_of_birth=D(2016, 1, 1))
    assert _sibling(index, row)["band"].to_list() == ["match"]


def test_an_adult_setting_compares_no_sibling(index: PlanIndex) -> None:
    assert _sibling(index, _at_home("A4", "Tom", "ed_adult")).height == 0


def test_the_named_carer_of_unknown_age_is_no_sibling_at_match(index: PlanIndex) -> None:
    # The mother of the household, no date of birth, in a mixed ED: both her
    # flags are at review, each with the check of its own rule.
    flags = index.match(attendances([_at_home("A5", "Kelly", "ed_mixed")]))
    assert sorted(flags.select("flag", "band", "check").rows()) == sorted(
        [
            (FlagKind.SIBLING, "review", AGE_CHECK),
            (
                FlagKind.CARER,
                "review",
                "carer named by name only, age unknown: ask the adult about the children",
            ),
        ]
    )


def test_a_baby_of_record_is_a_babys_anywhere(index: PlanIndex) -> None:
    # "Baby Smith" has no date of birth yet; the placeholder says it is a baby.
    sib = _sibling(index, _at_home("A6", "Baby", "ed_mixed"))
    assert sib["band"].to_list() == ["match"]


def test_explain_gives_the_cap(index: PlanIndex) -> None:
    row = attendances([_at_home("A7", "Tom", "utc")]).row(0, named=True)
    waterfall = cpflag.explain(index, row, "P1", flag=FlagKind.SIBLING)
    assert waterfall.band == "review"
    assert (waterfall.guard, waterfall.check) == ("age_unknown", AGE_CHECK)


def test_triage_gives_the_batchs_rows(index: PlanIndex) -> None:
    rows = [
        _at_home("B1", "Tom", "ed_mixed"),
        _at_home("B2", "Tom", "ed_child"),
        _at_home("B3", "Kelly", "utc"),
        _at_home("B4", "Baby", "miu"),
        _at_home("B5", "Tom", "ed_adult"),
        _at_home("B6", "Tom", None),
    ]
    att = attendances(rows)
    batch = index.match(att)
    assert batch.filter(pl.col("check") == AGE_CHECK).height == 3
    one = pl.concat([index.match_one(r) for r in att.to_dicts()])
    assert one.equals(batch)
