"""The per-LA list-date manifest and its merge into plans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cpflag._errors import DuplicateIdError, MissingColumnError, ParseError
from cpflag.io import read_manifest, read_plans


def _csv(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_manifest(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "LA_Code,List Date,contact\n E08000035 ,03/01/2024,x\nLeeds,2024-01-04,y\n",
        "m.csv",
    )
    man = read_manifest(path)
    assert man.columns == ["la_code", "list_date"]
    assert man.schema == pl.Schema({"la_code": pl.String, "list_date": pl.Date})
    assert man.rows() == [("E08000035", dt.date(2024, 1, 3)), ("Leeds", dt.date(2024, 1, 4))]


def test_manifest_from_a_dataframe() -> None:
    frame = pl.DataFrame({"la_code": ["E1"], "list_date": [dt.date(2024, 1, 3)]})
    assert read_manifest(frame).rows() == [("E1", dt.date(2024, 1, 3))]


def test_manifest_duplicate_la_ignoring_case(tmp_path: Path) -> None:
    path = _csv(
        tmp_path, "la_code,list_date\nLeeds,2024-01-01\nE1,2024-01-01\nLEEDS,2024-01-02\n", "m.csv"
    )
    with pytest.raises(DuplicateIdError) as err:
        read_manifest(path)
    assert err.value.row_numbers == [1, 3]
    assert err.value.record_ids == ["Leeds", "LEEDS"]


@pytest.mark.parametrize(
    ("row", "column"),
    [(",2024-01-01", "la_code"), ("E2,", "list_date"), ("E2,01/02/24", "list_date")],
)
def test_manifest_required_values(tmp_path: Path, row: str, column: str) -> None:
    path = _csv(tmp_path, f"la_code,list_date\nE1,2024-01-01\n{row}\n", "m.csv")
    with pytest.raises(ParseError) as err:
        read_manifest(path)
    assert err.value.column == column
    assert err.value.row_numbers == [2]


def test_manifest_missing_column(tmp_path: Path) -> None:
    with pytest.raises(MissingColumnError, match="list_date"):
        read_manifest(_csv(tmp_path, "la_code\nE1\n", "m.csv"))


PLANS = (
    "plan_id,la_code,plan_type,start_date,nhs_number,list_date\n"
    "P1,E1,cpp,2023-01-01,1,2024-01-01\n"  # manifest disagrees
    "P2,e1,lac,2023-01-01,2,2024-01-05\n"  # manifest disagrees (same LA, other case)
    "P3,E1,cpp,2023-01-01,3,\n"  # manifest fills
    "P4,E2,cpp,2023-01-01,4,2024-02-01\n"  # LA not in manifest: column kept
    "P5,E3,cpp,2023-01-01,5,\n"  # no list date anywhere: not an error
    "P6,E4,cpp,2023-01-01,6,2024-03-01\n"  # agrees with the manifest
)
MANIFEST = "la_code,list_date\nE1,2024-01-10\nE4,2024-03-01\nE9,2024-01-01\n"


def test_manifest_fills_and_overrides_the_list_date_column(tmp_path: Path) -> None:
    plans = _csv(tmp_path, PLANS, "p.csv")
    manifest = _csv(tmp_path, MANIFEST, "m.csv")
    res = read_plans(plans, manifest=manifest)
    assert res.table["list_date"].to_list() == [
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 10),
        dt.date(2024, 2, 1),
        None,
        dt.date(2024, 3, 1),
    ]
    # One note per LA whose column disagreed, at its first such row.
    notes = res.rejects.select("row_number", "record_id", "column", "action").rows()
    assert notes == [(1, "P1", "list_date", "value_ignored")]
    reason = res.rejects["reason"][0]
    assert "2 rows" in reason
    assert "manifest date used" in reason
    assert res.rejects["source"][0] == str(plans)
    # The la_code itself is left as written.
    assert res.table["la_code"].to_list()[:2] == ["E1", "e1"]


def test_manifest_as_dataframe_and_plans_without_a_list_date_column(tmp_path: Path) -> None:
    plans = _csv(
        tmp_path,
        "plan_id,la_code,plan_type,start_date,nhs_number\nP1,E1,cpp,2023-01-01,1\n",
        "p.csv",
    )
    manifest = pl.DataFrame({"la_code": ["E1"], "list_date": ["10/01/2024"]})
    res = read_plans(plans, manifest=manifest)
    assert res.table["list_date"].to_list() == [dt.date(2024, 1, 10)]
    assert res.rejects.height == 0


def test_no_list_date_at_all_is_not_an_error(tmp_path: Path) -> None:
    plans = _csv(
        tmp_path,
        "plan_id,la_code,plan_type,start_date,nhs_number\nP1,E1,cpp,2023-01-01,1\n",
        "p.csv",
    )
    res = read_plans(plans)
    assert res.table["list_date"].to_list() == [None]
    assert res.rejects.height == 0


def test_bad_manifest_fails_the_plans_read(tmp_path: Path) -> None:
    plans = _csv(
        tmp_path,
        "plan_id,la_code,plan_type,start_date,nhs_number\nP1,E1,cpp,2023-01-01,1\n",
        "p.csv",
    )
    manifest = _csv(tmp_path, "la_code,list_date\nE1,2024-01-01\nE1,2024-01-02\n", "m.csv")
    with pytest.raises(DuplicateIdError) as err:
        read_plans(plans, manifest=manifest)
    assert str(manifest) in str(err.value)
