"""Golden cases: two different valid NHS numbers cap a same-person link at review (issue 13).

Numbers are traced against the Spine, so two different valid NHS numbers
almost always mean two people; a name and date of birth shared by two
children is far commoner than a wrong valid number. A namesake with the plan
child's date of birth and address but a number of its own used to be a
``match`` on the rest of the evidence; the ``nhs_numbers_differ`` guard of the
person model caps it at ``review``, with the check "NHS numbers differ: trace
both on PDS". The guard is the model's last: the twin and no-anchor traps
still name the cap where they apply. Same for the mother on a pre-birth plan,
the other same-person link.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag.contract import FlagKind
from cpflag.engine._index import PlanIndex
from cpflag.linkage import default_model
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER, OTHER, MUM, OTHER_MUM = (
    nhs("943476591"),
    nhs("485777345"),
    nhs("401023213"),
    nhs("450557710"),
)
NHS_CHECK = "NHS numbers differ: trace both on PDS"

PLANS = plans(
    [
        {
            "plan_id": "P1",
            "given_name": "Oliver",
            "family_name": "Smith-Jones",
            "date_of_birth": D(2018, 3, 4),
            "sex": "M",
            "nhs_number": OLIVER,
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
        },
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "mother_nhs_number": MUM,
            "mother_given_name": "Grace",
            "mother_family_name": "Adeyemi",
            "mother_date_of_birth": D(1995, 2, 1),
            "postcode": "E8 1AA",
            "address": "3 Mare Street",
            "expected_delivery_date": D(2027, 3, 1),
        },
    ]
)

OLIVER_REC = {
    "given_name": "Oliver",
    "family_name": "Smith-Jones",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
}
#: Oliver's namesake: his name, date of birth and home, a number of his own.
NAMESAKE = {"attendance_id": "A1", **OLIVER_REC, "nhs_number": OTHER}
#: The same record with no NHS number: a match, as before.
NO_NUMBER = {"attendance_id": "A2", **OLIVER_REC}
#: A twin brother with his own number: another child of the family, a sibling.
TWIN = {"attendance_id": "A3", **OLIVER_REC, "given_name": "Harry", "nhs_number": OTHER}
#: Neither date of birth nor number agrees: another child of the family, a sibling.
NO_ANCHOR = {
    "attendance_id": "A4",
    **OLIVER_REC,
    "date_of_birth": D(2011, 9, 30),
    "nhs_number": OTHER,
}
#: The mother's namesake on the pre-birth plan: her name and date of birth, another number.
MOTHER_NAMESAKE = {
    "attendance_id": "A5",
    "setting": "ed_adult",
    "given_name": "Grace",
    "family_name": "Adeyemi",
    "date_of_birth": D(1995, 2, 1),
    "postcode": "E8 1AA",
    "address": "3 Mare Street",
    "nhs_number": OTHER_MUM,
}
ROWS = [NAMESAKE, NO_NUMBER, TWIN, NO_ANCHOR, MOTHER_NAMESAKE]


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(PLANS)


@pytest.fixture(scope="module")
def flags(index: PlanIndex) -> pl.DataFrame:
    return index.match(attendances(ROWS))


def _flag(flags: pl.DataFrame, aid: str, kind: str) -> dict[str, object]:
    rows = flags.filter((pl.col("attendance_id") == aid) & (pl.col("flag") == kind))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_guard_is_the_models_last() -> None:
    guards = default_model().guards
    assert [g.name for g in guards][-1] == "nhs_numbers_differ"
    assert guards[-1].when == {"nhs_number": ("different",)}
    assert guards[-1].check == NHS_CHECK
    assert "twin" in [g.name for g in guards[:-1]]


def test_namesake_with_another_number_is_capped_at_review(flags: pl.DataFrame) -> None:
    row = _flag(flags, "A1", FlagKind.PLAN_SUBJECT)
    assert row["band"] == "review"
    assert row["check"] == NHS_CHECK
    assert "nhs_number differs" in str(row["reasons"])
    assert "capped at review by the nhs_numbers_differ guard" in str(row["reasons"])
    # The weight alone would be a match: the guard, not the weight, caps it.
    assert float(row["score"]) >= default_model().thresholds.match  # type: ignore[arg-type]


def test_no_number_on_the_record_is_still_a_match(flags: pl.DataFrame) -> None:
    row = _flag(flags, "A2", FlagKind.PLAN_SUBJECT)
    assert row["band"] == "match"
    assert row["check"] is None


TWIN_OWN_CHECK = "twin with their own NHS number: compare given names and NHS numbers"


def test_twin_with_own_number_is_flagged_as_the_sibling(flags: pl.DataFrame) -> None:
    """Two contradictions (another number, another given name): the sibling story wins."""
    assert flags.filter(
        (pl.col("attendance_id") == "A3") & (pl.col("flag") == FlagKind.PLAN_SUBJECT)
    ).is_empty()
    row = _flag(flags, "A3", FlagKind.SIBLING)
    assert (row["plan_id"], row["band"]) == ("P1", "match")


def test_twin_with_own_number_guard_names_the_cap(index: PlanIndex) -> None:
    waterfall = cpflag.explain(index, attendances([TWIN]).row(0, named=True), "P1")
    assert (waterfall.band, waterfall.guard, waterfall.check) == (
        "review",
        "twin_with_own_number",
        TWIN_OWN_CHECK,
    )


def test_without_a_relative_flag_the_review_stays() -> None:
    """The review gives way only to a relative's flag: alone, it is kept (never stepped down)."""
    only = cpflag.build_index(PLANS, config=cpflag.FlagConfig(flags=(FlagKind.PLAN_SUBJECT,)))
    got = only.match(attendances([TWIN, NO_ANCHOR]))
    assert got["flag"].to_list() == [FlagKind.PLAN_SUBJECT.value] * 2
    assert got["band"].to_list() == ["review", "review"]
    assert got["check"].to_list()[0] == TWIN_OWN_CHECK


def test_another_child_guard_names_the_cap(index: PlanIndex, flags: pl.DataFrame) -> None:
    waterfall = cpflag.explain(index, attendances([NO_ANCHOR]).row(0, named=True), "P1")
    assert waterfall.guard == "another_child"
    assert flags.filter(
        (pl.col("attendance_id") == "A4") & (pl.col("flag") == FlagKind.PLAN_SUBJECT)
    ).is_empty()
    assert _flag(flags, "A4", FlagKind.SIBLING)["band"] == "match"


def test_unborn_plans_mother_namesake_is_capped_at_review(flags: pl.DataFrame) -> None:
    row = _flag(flags, "A5", FlagKind.UNBORN_MOTHER)
    assert row["band"] == "review"
    assert row["check"] == NHS_CHECK
    assert "capped at review by the nhs_numbers_differ guard" in str(row["reasons"])


@pytest.mark.parametrize(
    ("row", "plan", "flag"),
    [(NAMESAKE, "P1", FlagKind.PLAN_SUBJECT), (MOTHER_NAMESAKE, "U1", FlagKind.UNBORN_MOTHER)],
)
def test_explain_shows_the_guard_and_its_check(
    index: PlanIndex, row: dict[str, object], plan: str, flag: str
) -> None:
    record = attendances([row]).row(0, named=True)
    waterfall = cpflag.explain(index, record, plan, flag=flag)
    assert (waterfall.band, waterfall.guard, waterfall.check) == (
        "review",
        "nhs_numbers_differ",
        NHS_CHECK,
    )
    text = waterfall.to_text()
    assert "capped at review by the nhs_numbers_differ guard" in text
    assert f"check: {NHS_CHECK}" in text
    assert OTHER not in text  # no identifying value without show_values


def test_triage_gives_the_batchs_rows(index: PlanIndex, flags: pl.DataFrame) -> None:
    one = pl.concat([index.match_one(r) for r in attendances(ROWS).to_dicts()])
    assert one.equals(flags)
