"""Golden cases for plan_subject matching: the traps of domain.md, one by one."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER, AYAAN, JACK = nhs("943476591"), nhs("401023213"), nhs("485777345")

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
            "carer_given_name": "Kelly",
            "carer_family_name": "Smith",
        },
        {
            "plan_id": "P2",
            "given_name": "Amelia",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
        },
        {
            "plan_id": "P3",
            "plan_type": "lac",
            "given_name": "Ayaan",
            "family_name": "Rahman",
            "date_of_birth": D(2019, 11, 2),
            "sex": "M",
            "nhs_number": AYAAN,
            "postcode": "LS8 1AA",
            "address": "7 Harehills Lane",
            "carer_given_name": "Shahida",
            "carer_family_name": "Begum",
        },
        {
            "plan_id": "P4",
            "given_name": "Noah",
            "family_name": "Clarke",
            "date_of_birth": D(2026, 10, 1),
            "sex": "M",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
        },
        {
            "plan_id": "P5",
            "given_name": "Harvey",
            "family_name": "Dobson",
            "date_of_birth": D(2016, 1, 20),
            "sex": "M",
            "postcode": "LS10 3XY",
            "start_date": D(2024, 1, 1),
            "end_date": D(2026, 10, 1),
        },
        {
            "plan_id": "P6",
            "given_name": "Jack",
            "family_name": "Wilson",
            "date_of_birth": D(2015, 5, 5),
            "sex": "M",
            "nhs_number": JACK,
            "postcode": "LS12 4RT",
            "address": "88 Tong Road",
        },
    ]
)

ATT = attendances(
    [
        # Nickname, hyphenated surname dropped to one part, day/month swapped, no NHS number.
        {
            "attendance_id": "A1",
            "given_name": "Ollie",
            "family_name": "Jones",
            "date_of_birth": D(2018, 4, 3),
            "sex": "1",
            "postcode": "ls98ab",
            "address": "12 Oak Rd",
        },
        # Amelia's twin sister: same DOB, surname and flat; different given name.
        {
            "attendance_id": "A2",
            "given_name": "Ava",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
        },
        # Recorded under his Begum mother's surname; the plan has Rahman.
        {
            "attendance_id": "A3",
            "given_name": "Ayaan",
            "family_name": "Begum",
            "date_of_birth": D(2019, 11, 2),
            "sex": "M",
            "postcode": "LS8 1AA",
            "carer_given_name": "Shahida",
            "carer_family_name": "Begum",
        },
        # "Baby of Clarke": newborn placeholder, no NHS number yet.
        {
            "attendance_id": "A4",
            "given_name": "",
            "family_name": "Baby of Clarke",
            "date_of_birth": D(2026, 10, 1),
            "sex": "M",
            "postcode": "LS6 2BB",
        },
        # Subject of a plan that ended before the arrival.
        {
            "attendance_id": "A5",
            "given_name": "Harvey",
            "family_name": "Dobson",
            "date_of_birth": D(2016, 1, 20),
            "sex": "M",
            "postcode": "LS10 3XY",
        },
        # Jack's sister, with Jack's NHS number typed into her record.
        {
            "attendance_id": "A6",
            "given_name": "Emily",
            "family_name": "Wilson",
            "date_of_birth": D(2012, 2, 2),
            "sex": "F",
            "nhs_number": JACK,
            "postcode": "LS12 4RT",
            "address": "88 Tong Road",
        },
        # Jack himself, NHS number present and right.
        {
            "attendance_id": "A7",
            "given_name": "Jack",
            "family_name": "Wilson",
            "date_of_birth": D(2015, 5, 5),
            "sex": "M",
            "nhs_number": JACK,
        },
        # Unrelated child.
        {
            "attendance_id": "A8",
            "given_name": "Zara",
            "family_name": "Okafor",
            "date_of_birth": D(2017, 9, 9),
            "sex": "F",
            "postcode": "LS1 4AB",
        },
    ]
)


@pytest.fixture(scope="module")
def flags() -> pl.DataFrame:
    return cpflag.flag(ATT, PLANS).filter(pl.col("flag") == "plan_subject")


def _band(flags: pl.DataFrame, att: str, plan: str) -> str | None:
    rows = flags.filter((pl.col("attendance_id") == att) & (pl.col("plan_id") == plan))
    return rows["band"][0] if rows.height else None


def test_nickname_hyphen_dropped_and_swapped_dob_still_match(flags: pl.DataFrame) -> None:
    assert _band(flags, "A1", "P1") == "match"
    reasons = flags.filter(pl.col("attendance_id") == "A1")["reasons"][0]
    assert "swapped" in reasons
    assert "nickname" in reasons


def test_twin_is_never_a_match_for_the_other_twin(flags: pl.DataFrame) -> None:
    assert _band(flags, "A2", "P2") != "match"


def test_begum_mother_rahman_child_matches(flags: pl.DataFrame) -> None:
    assert _band(flags, "A3", "P3") == "match"


def test_baby_of_record_matches_plan_on_named_newborn(flags: pl.DataFrame) -> None:
    assert _band(flags, "A4", "P4") in ("match", "review")


def test_ended_plan_never_flags(flags: pl.DataFrame) -> None:
    assert flags.filter(pl.col("plan_id") == "P5").height == 0


def test_siblings_nhs_number_is_not_a_match(flags: pl.DataFrame) -> None:
    assert _band(flags, "A6", "P6") != "match"
    assert _band(flags, "A7", "P6") == "match"


def test_unrelated_child_gets_no_flag(flags: pl.DataFrame) -> None:
    assert flags.filter(pl.col("attendance_id") == "A8").height == 0


def test_flags_table_has_contract_columns_and_list_age(flags: pl.DataFrame) -> None:
    assert flags.columns == [c.name for c in cpflag.contract.FLAGS.columns]
    assert set(flags["list_age_days"].to_list()) == {5}
    assert (flags["la_code"] == "E08000035").all()


def test_match_one_gives_the_same_rows_as_batch() -> None:
    index = cpflag.PlanIndex.build(PLANS)
    batch = index.match(ATT)
    for rec in ATT.to_dicts():
        one = index.match_one(rec)
        expected = batch.filter(pl.col("attendance_id") == rec["attendance_id"])
        assert one.sort("plan_id").equals(expected.sort("plan_id")), rec["attendance_id"]


def test_reasons_carry_weights_and_explain_agrees() -> None:
    index = cpflag.PlanIndex.build(PLANS)
    flags = index.match(ATT)
    row = flags.filter(pl.col("attendance_id") == "A1").row(0, named=True)
    wf = cpflag.explain(index, ATT.filter(pl.col("attendance_id") == "A1"), "P1")
    assert wf.match_weight == pytest.approx(row["score"])
    assert wf.table["cumulative"][-1] == pytest.approx(row["score"])
    assert "(+" in row["reasons"]


def test_stale_list_warning_in_reasons() -> None:
    old = PLANS.with_columns(pl.lit(D(2026, 9, 1)).alias("list_date"))
    flags = cpflag.flag(ATT, old)
    assert flags.height > 0
    assert flags["reasons"].str.contains("LIST STALE").all()
