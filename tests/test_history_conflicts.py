"""Cannot-link rules: golden pairs for each rule and its exemptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest

from cpflag.history import conflict_pairs, prepare_attendances
from tests.helpers import attendances, nhs

DOB = dt.date(2020, 3, 4)
HOME = {"postcode": "LS6 1AA", "address": "12 Hyde Park Road"}
N1, N2 = nhs("943476591"), nhs("401023213")


def _rules(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    rows = [{"attendance_id": "x1", **a}, {"attendance_id": "x2", **b}]
    frame = prepare_attendances(attendances(rows))
    return conflict_pairs(frame, np.zeros(2, dtype=np.int64))["rule"].to_list()


def child(**kw: Any) -> dict[str, Any]:
    return {
        "given_name": "Amelia",
        "family_name": "Smith",
        "date_of_birth": DOB,
        "sex": "F",
        **HOME,
        **kw,
    }


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Twins: same dob, different given names.
        (child(), child(given_name="Ava"), ["twin"]),
        (child(nhs_number=N1), child(given_name="Ava", nhs_number=N2), ["twin"]),
        # An agreeing identifier overrules a given-name difference (nicknames
        # outside the lists are common) -- so one twin's number typed into the
        # other's record is caught only when hospital numbers disagree.
        (child(nhs_number=N1), child(given_name="Ava", nhs_number=N1), []),
        (
            child(nhs_number=N1, site_code="RJ101", local_patient_id="M1"),
            child(given_name="Ava", nhs_number=N1, site_code="RJ102", local_patient_id="M2"),
            ["twin"],
        ),
        # One NHS number and one hospital number: a nickname outside the lists.
        (
            child(given_name="Livvy", nhs_number=N1),
            child(given_name="Olivia", nhs_number=N1, site_code="RJ101", local_patient_id="M1"),
            [],
        ),
        (
            child(given_name="Nat", site_code="RJ101", local_patient_id="M1"),
            child(given_name="Natalie", site_code="RJ102", local_patient_id="m 1"),
            [],
        ),
        # A variant or a given/family swap is the same name.
        (child(given_name="Millie"), child(given_name="Amelia"), []),
        (child(), child(given_name="Smith", family_name="Amelia"), []),
        # "Baby A" and "Baby B" (or "Twin 2").
        (
            child(given_name="Baby A", family_name="Smith"),
            child(given_name="Twin 2", family_name="Smith"),
            ["twin_marker"],
        ),
        (child(given_name="Baby A"), child(given_name="Baby 1"), []),
        # Unnamed newborns of different sex on one day.
        (child(given_name="Baby"), child(given_name="Baby", sex="M"), ["newborn_twin_sex"]),
        (
            child(given_name="Baby", nhs_number=N1),
            child(given_name="Baby", sex="M", nhs_number=N1),
            [],
        ),
        # Two NHS numbers: a conflict ...
        (child(nhs_number=N1), child(nhs_number=N2, postcode="M1 1AE"), ["nhs_number"]),
        (child(nhs_number=N1), child(given_name="Amelie", nhs_number=N2), ["nhs_number"]),
        # ... unless the record is the child's in every other respect, at home.
        (child(nhs_number=N1), child(nhs_number=N2), []),
        (child(given_name="Baby", nhs_number=N1), child(nhs_number=N2), []),
        # Dates of birth far apart and no identifier agreeing: siblings.
        (child(), child(date_of_birth=dt.date(2016, 7, 1)), ["date_of_birth"]),
        (child(nhs_number=N1), child(date_of_birth=dt.date(2016, 7, 1), nhs_number=N1), []),
        # Typo, swap and year-off dates of birth are the same date.
        (child(), child(date_of_birth=dt.date(2020, 4, 3)), []),
        (child(), child(date_of_birth=dt.date(2021, 3, 4)), []),
        # Missing values never conflict.
        (child(), child(date_of_birth=None, given_name=None), []),
    ],
)
def test_conflict_rules(a: dict[str, Any], b: dict[str, Any], expected: list[str]) -> None:
    assert _rules(a, b) == expected


def test_pairs_in_different_components_are_not_checked() -> None:
    frame = prepare_attendances(
        attendances(
            [{"attendance_id": "x1", **child()}, {"attendance_id": "x2", **child(given_name="Ava")}]
        )
    )
    assert conflict_pairs(frame, np.array([0, 1], dtype=np.int64)).height == 0
    got = conflict_pairs(frame, np.array([0, 0], dtype=np.int64))
    assert got.to_dicts() == [{"a": 0, "b": 1, "rule": "twin"}]
    assert got.schema == pl.Schema({"a": pl.Int64, "b": pl.Int64, "rule": pl.String})
