"""The chronology and families: a child's and the family's attendances, with evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cpflag import ConfigError
from cpflag.history import (
    CHRONOLOGY_COLUMNS,
    HistoryStore,
    assign_families,
    chronology,
    resolve_history,
)
from tests.helpers import IDRIS, KEZIAH, attendances

T0 = dt.datetime(2025, 3, 1, 9, 0)
HOME = {"postcode": "LS6 1AA", "address": "4 Hyde Park Road"}
KEZ = {**KEZIAH, **HOME}
SIB = {**IDRIS, **HOME}
MUM = {
    "given_name": "Grace",
    "family_name": "Okoro",
    "date_of_birth": dt.date(1990, 1, 1),
    "sex": "F",
    "setting": "ed_adult",
    **HOME,
}
OTHER = {
    "given_name": "Wen",
    "family_name": "Zhao",
    "date_of_birth": dt.date(2012, 8, 30),
    "sex": "F",
    "postcode": "M1 1AE",
    "address": "9 Oak Lane",
}


def batch(*rows: tuple[str, int, str, dict[str, Any]]) -> pl.DataFrame:
    return attendances(
        [
            {**p, "attendance_id": aid, "arrival_time": T0 + dt.timedelta(days=d), "site_code": s}
            for aid, d, s, p in rows
        ]
    )


ROWS = batch(
    ("k3", 90, "RR801", {**KEZ, "given_name": "Kez", "nhs_number": None}),
    ("k1", 0, "RJ101", KEZ),
    ("s1", 10, "RJ102", SIB),
    ("m1", 12, "RJ101", MUM),
    ("k2", 50, "RJ101", KEZ),
    ("o1", 20, "RJ101", OTHER),
)


def test_chronology_lists_child_then_family_in_time_order_with_evidence() -> None:
    resolved = resolve_history(ROWS)
    chron = chronology(resolved, attendance_id="k2")
    assert chron.columns == list(CHRONOLOGY_COLUMNS)
    assert chron["attendance_id"].to_list() == ["k1", "s1", "k2", "k3"]
    assert chron["member"].to_list() == ["child", "family", "child", "child"]
    assert chron["site_code"].to_list() == ["RJ101", "RJ102", "RJ101", "RR801"]
    ev = dict(zip(chron["attendance_id"], chron["evidence"], strict=True))
    assert "nhs_number exact" in ev["k2"]
    assert ev["k3"].startswith("same person as k")
    assert ev["s1"].startswith("family member (P-s1) via household")
    # Adults and other households are not in a child's chronology.
    assert "m1" not in chron["attendance_id"].to_list()
    assert "o1" not in chron["attendance_id"].to_list()
    by_person = chronology(resolved, person_id=chron["person_id"][0])
    assert by_person.equals(chron)


def test_chronology_carries_no_identifiers_unless_asked() -> None:
    resolved = resolve_history(ROWS)
    plain = chronology(resolved, attendance_id="k1")
    text = " ".join(str(v) for row in plain.iter_rows() for v in row)
    for value in ("Keziah", "Abernathy", "2019-06-07", "LS6", "Hyde", "943"):
        assert value not in text
    full = chronology(resolved, attendance_id="k1", identifiers=True)
    assert "given_name" in full.columns
    assert "Keziah" in full["given_name"].to_list()


def test_chronology_from_a_store(tmp_path: Path) -> None:
    st = HistoryStore.open(tmp_path / "h")
    st.append(ROWS.head(3))
    st.append(ROWS.tail(3))
    chron = chronology(st, attendance_id="k3")
    assert chron["attendance_id"].to_list() == ["k1", "s1", "k2", "k3"]


def test_chronology_errors() -> None:
    resolved = resolve_history(ROWS)
    with pytest.raises(ConfigError, match="exactly one"):
        chronology(resolved)
    with pytest.raises(ConfigError, match="exactly one"):
        chronology(resolved, attendance_id="k1", person_id="P-k1")
    with pytest.raises(ConfigError, match="attendance nope is not"):
        chronology(resolved, attendance_id="nope")
    with pytest.raises(ConfigError, match="person P-nope is not"):
        chronology(resolved, person_id="P-nope")


def _fam_rows(rows: list[tuple[str, bool, str | None, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "person_id": pl.String,
            "is_child": pl.Boolean,
            "household_key": pl.String,
            "mother_nhs": pl.String,
            "carer_key": pl.String,
        },
        orient="row",
    )


def test_families_from_household_mother_and_carer_without_surnames() -> None:
    fam = assign_families(
        _fam_rows(
            [
                ("P-a", True, "h1", None, None),
                ("P-b", True, "h1", None, None),  # same home as a
                ("P-b", True, "h2", None, None),  # b moved: h2 joins too
                ("P-c", True, "h2", None, None),
                ("P-d", True, None, "m1", None),  # newborns of one mother
                ("P-e", True, None, "m1", "c1"),
                ("P-f", True, None, None, "c1"),  # same carer as e
                ("P-g", True, "h9", None, None),  # alone
                ("P-z", False, "h1", None, None),  # an adult: no family
            ]
        )
    )
    f = dict(zip(fam["person_id"], fam["family_id"], strict=True))
    via = dict(zip(fam["person_id"], fam["family_via"], strict=True))
    assert f["P-a"] == f["P-b"] == f["P-c"] == "F-a"
    assert f["P-d"] == f["P-e"] == f["P-f"] == "F-d"
    assert f["P-g"] == "F-g"
    assert "P-z" not in f
    assert via["P-e"] == "carer; mother's NHS number"
    assert via["P-g"] is None


def test_a_key_shared_by_too_many_children_is_not_family_evidence() -> None:
    rows = [(f"P-{i:02d}", True, "hostel", None, None) for i in range(12)]
    fam = assign_families(_fam_rows(rows))
    assert fam["family_id"].n_unique() == 12
    fam = assign_families(_fam_rows(rows), max_key_persons=20)
    assert fam["family_id"].n_unique() == 1
