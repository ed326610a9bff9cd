"""Golden cases for relationship evidence beyond the first family tests.

A baby whose birth year is mistyped, a baby at the mother's address with a
mistyped postcode, a baby brought in by the carer named on the pre-birth plan,
and a child whose surname is already counted through its accompanying carer.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag import io
from tests.helpers import attendances, nhs, plans

D = dt.date
MUM = nhs("485777345")

PLANS = plans(
    [
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "mother_given_name": "Jade",
            "mother_family_name": "Clarke",
            "mother_nhs_number": MUM,
            "mother_date_of_birth": D(1999, 4, 4),
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            "expected_delivery_date": D(2026, 10, 20),
            "start_date": D(2026, 6, 1),
        },
        {
            "plan_id": "U2",
            "plan_type": "unborn_cpp",
            "mother_given_name": "Sarah",
            "mother_family_name": "Redworth",
            "carer_given_name": "Paul",
            "carer_family_name": "Holworth",
            "postcode": "LS12 4DD",
            "address": "15 East Close",
            "expected_delivery_date": D(2026, 10, 4),
            "start_date": D(2026, 7, 8),
        },
        {
            "plan_id": "F1",
            "given_name": "Leo",
            "family_name": "Stone",
            "date_of_birth": D(2017, 2, 1),
            "sex": "M",
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "carer_given_name": "Donna",
            "carer_family_name": "Stone",
        },
    ]
)


def _flag(rows: list[dict[str, object]], kind: str) -> pl.DataFrame:
    return cpflag.flag(attendances(rows), PLANS).filter(pl.col("flag") == kind)


def test_baby_with_birth_year_mistyped_by_one_is_flagged_for_review() -> None:
    baby = {
        "attendance_id": "Y1",
        "given_name": "Baby",
        "family_name": "Clarke",
        "date_of_birth": D(2025, 10, 18),  # 2026 typed as 2025
        "mother_nhs_number": MUM,
        "postcode": "LS6 2BB",
        "address": "3 Cardigan Road",
    }
    flags = _flag([baby], "newborn_of_unborn_plan")
    assert flags["plan_id"].to_list() == ["U1"]
    # The evidence is strong, but the age is in doubt: review, with the reason.
    assert flags["band"][0] == "review"
    assert "birth_year_doubtful" in flags["reasons"][0]


def test_a_three_year_old_is_not_a_newborn_even_with_the_mothers_number() -> None:
    child = {
        "attendance_id": "Y2",
        "given_name": "Ella",
        "family_name": "Clarke",
        "date_of_birth": D(2023, 10, 18),
        "mother_nhs_number": MUM,
        "postcode": "LS6 2BB",
        "address": "3 Cardigan Road",
    }
    assert _flag([child], "newborn_of_unborn_plan").height == 0


def test_baby_at_mothers_address_with_mistyped_postcode_and_fathers_surname() -> None:
    baby = {
        "attendance_id": "Y3",
        "given_name": "Noah",
        "family_name": "Wood",
        "date_of_birth": D(2026, 10, 17),
        "postcode": "LS6 2BC",  # one character off the plan's
        "address": "3 Cardigan Road",
    }
    flags = _flag([baby], "newborn_of_unborn_plan")
    assert flags["plan_id"].to_list() == ["U1"]
    assert "same household" in flags["reasons"][0]


def test_baby_brought_in_by_the_carer_named_on_the_pre_birth_plan() -> None:
    baby = {
        "attendance_id": "Y4",
        "given_name": "Alfie",
        "family_name": "Holworth",
        "date_of_birth": D(2026, 10, 5),
        "postcode": "LS12 4DD",
        "carer_given_name": "Paul",
        "carer_family_name": "Holworth",
    }
    flags = _flag([baby], "newborn_of_unborn_plan")
    assert flags["plan_id"].to_list() == ["U2"]
    assert flags["band"][0] == "match"
    assert "accompanying carer is the plan's mother or named carer" in flags["reasons"][0]


def _surname_level(carer: dict[str, str]) -> int:
    index = cpflag.build_index(io.read_plans(PLANS).table)
    child = attendances(
        [
            {
                "attendance_id": "Y5",
                "given_name": "Zoe",
                "family_name": "Stone",
                "date_of_birth": D(2015, 3, 3),
                "postcode": "M1 1AA",
                **carer,
            }
        ]
    )
    pair, _model = index.score_pair(child, "F1", flag="sibling_of_plan_subject")
    return int(pair["gamma_surname_link"])


def test_childs_surname_counts_once_when_its_carer_already_matched() -> None:
    # No carer recorded: the shared surname is the only name evidence ("subject").
    assert _surname_level({}) == 0
    # Carer "Donna Stone" matches the plan's carer: the child's surname is hers,
    # already counted by the carer comparison, so the surname level is null.
    assert _surname_level({"carer_given_name": "Donna", "carer_family_name": "Stone"}) == -1
    # A carer with another surname leaves the child's own surname as evidence.
    assert _surname_level({"carer_given_name": "Donna", "carer_family_name": "Walsh"}) == 0


def test_match_one_parses_text_dates_and_names_a_bad_one_without_its_value() -> None:
    index = cpflag.build_index(PLANS)
    record = {
        "attendance_id": "Y6",
        "arrival_time": "25/11/2026 14:30",
        "given_name": "Leo",
        "family_name": "Stone",
        "date_of_birth": "01/02/2017",
        "postcode": "LS9 8AB",
        "setting": "ed_child",
    }
    flags = index.match_one(record)
    assert flags.filter(pl.col("flag") == "plan_subject")["plan_id"].to_list() == ["F1"]
    bad = {**record, "date_of_birth": "31/02/2017"}
    with pytest.raises(cpflag.InputError) as err:
        index.match_one(bad)
    assert "date_of_birth" in str(err.value)
    assert "Y6" in str(err.value)
    assert "31/02/2017" not in str(err.value)


FAMILY = plans(
    [
        {
            "plan_id": "A",
            "plan_type": "cin",
            "given_name": "Tyler",
            "family_name": "Price",
            "date_of_birth": D(2014, 8, 8),
            "sex": "M",
            "postcode": "LS17 5PP",
            "address": "90 Moor Avenue",
            "family_ref": "FAM-9",
        },
        {
            "plan_id": "B",
            "given_name": "Kai",
            "family_name": "Price",
            "date_of_birth": D(2016, 12, 12),
            "sex": "M",
            "postcode": "LS11 9ZZ",
            "address": "22 Dewsbury Road",
            "family_ref": "FAM-9",
        },
    ]
)


def _bands(record: dict[str, object]) -> dict[tuple[str, str], str]:
    flags = cpflag.flag(attendances([record]), FAMILY)
    return {(f, p): b for f, p, b in flags.select("flag", "plan_id", "band").iter_rows()}


def test_a_child_who_may_be_a_plan_child_is_a_possible_sibling_of_its_family() -> None:
    # Tyler recorded under a step-father's surname, elsewhere, no NHS number: the
    # same-person link to plan A is only review, so the LA family it brings is
    # evidence for the family's other plan (B) at review, and none for A itself.
    tyler = {
        "attendance_id": "Y7",
        "given_name": "Tyler",
        "family_name": "Walsh",
        "date_of_birth": D(2014, 8, 8),
        "sex": "M",
        "postcode": "M1 1AA",
        "address": "5 Elm Street",
    }
    bands = _bands(tyler)
    assert bands[("plan_subject", "A")] == "review"
    assert bands[("sibling_of_plan_subject", "B")] == "review"
    assert ("sibling_of_plan_subject", "A") not in bands
    flags = cpflag.flag(attendances([tyler]), FAMILY)
    reasons = flags.filter(pl.col("plan_id") == "B")["reasons"][0]
    assert "the plan child the attendee may be" in reasons
    # Confirmed (NHS-free but exact identity at A's address): a match, and the
    # family's other plan is a sibling on the confirmed family reference.
    home = {**tyler, "family_name": "Price", "postcode": "LS17 5PP", "address": "90 Moor Avenue"}
    bands = _bands(home)
    assert bands[("plan_subject", "A")] == "match"
    assert bands[("sibling_of_plan_subject", "B")] == "match"
