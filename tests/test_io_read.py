"""Reading attendances and plans: the contract table, errors and rejects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import polars as pl
import pytest

from cpflag._errors import DuplicateIdError, MissingColumnError, ParseError
from cpflag.contract import ATTENDANCES, PLANS
from cpflag.io import REJECTS_SCHEMA, ReadResult, read_attendances, read_plans


def _csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ATT_HEADER = "attendance_id,arrival_time,given_name,family_name,date_of_birth,nhs_number"


def _att(tmp_path: Path, *rows: str, header: str = ATT_HEADER) -> Path:
    return _csv(tmp_path, "\n".join([header, *rows]) + "\n", "att.csv")


PLAN_HEADER = "plan_id,la_code,plan_type,start_date,end_date,given_name,family_name,date_of_birth"


def _plans(tmp_path: Path, *rows: str, header: str = PLAN_HEADER) -> Path:
    return _csv(tmp_path, "\n".join([header, *rows]) + "\n", "plans.csv")


# -- the table -----------------------------------------------------------------


def test_attendances_table_has_contract_columns_dtypes_and_row_numbers(tmp_path: Path) -> None:
    path = _att(
        tmp_path,
        "A1,2024-01-05 10:00,Amy,Smith,2015-01-01,0123456789",
        "A2,05/01/2024 11:30,Bob,Jones,01/02/2016,",
        header=ATT_HEADER + ",Notes,Ward",
    )
    res = read_attendances(path)
    t = res.table
    assert t.columns == [*ATTENDANCES.names, "Notes", "Ward", "_row"]
    for col in ATTENDANCES.columns:
        assert t.schema[col.name] == col.dtype, col.name
    assert t.schema["Notes"] == pl.String
    assert t.schema["_row"] == pl.UInt32
    assert t["_row"].to_list() == [1, 2]
    assert t["arrival_time"].to_list() == [
        dt.datetime(2024, 1, 5, 10),
        dt.datetime(2024, 1, 5, 11, 30),
    ]
    assert t["date_of_birth"].to_list() == [dt.date(2015, 1, 1), dt.date(2016, 2, 1)]
    # Leading zeros survive: CSV columns are never type-inferred.
    assert t["nhs_number"].to_list() == ["0123456789", None]
    # Missing optional columns are all null.
    assert t["postcode"].null_count() == 2
    assert res.rejects.height == 0
    assert res.source == str(path)
    assert res.encoding == "utf-8"


def test_values_are_stripped_and_blanks_are_null(tmp_path: Path) -> None:
    path = _att(tmp_path, " A1 ,2024-01-05, Amy ,  ,2015-01-01,  ")
    t = read_attendances(path).table
    assert t.row(0, named=True)["attendance_id"] == "A1"
    assert t["given_name"].to_list() == ["Amy"]
    assert t["family_name"].to_list() == [None]
    assert t["nhs_number"].to_list() == [None]


def test_unknown_columns_are_carried_through_untouched(tmp_path: Path) -> None:
    path = _att(
        tmp_path, 'A1,2024-01-05,Amy,Smith,,, 007 ,"x, y"', header=ATT_HEADER + ",Code,Free"
    )
    t = read_attendances(path).table
    assert t["Code"].to_list() == [" 007 "]
    assert t["Free"].to_list() == ["x, y"]


def test_result_is_frozen(tmp_path: Path) -> None:
    res = read_attendances(_att(tmp_path, "A1,2024-01-05,Amy,,,"))
    assert isinstance(res, ReadResult)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        res.source = "x"  # type: ignore[misc]


def test_rejects_have_the_documented_schema(tmp_path: Path) -> None:
    res = read_attendances(_att(tmp_path, "A1,2024-01-05,Amy,,31/02/2015,"))
    assert res.rejects.schema == pl.Schema(REJECTS_SCHEMA)
    empty = read_attendances(_att(tmp_path, "A1,2024-01-05,Amy,,,")).rejects
    assert empty.schema == pl.Schema(REJECTS_SCHEMA)
    assert empty.height == 0


# -- required columns and values -> errors ---------------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    path = _att(tmp_path, "A1,Amy", header="attendance_id,given_name")
    with pytest.raises(MissingColumnError) as err:
        read_attendances(path)
    assert err.value.column == "arrival_time"
    assert str(path) in str(err.value)
    assert "arrival_time" in str(err.value)


def test_missing_several_required_plan_columns_lists_them_all(tmp_path: Path) -> None:
    path = _plans(tmp_path, "P1,x", header="plan_id,given_name")
    with pytest.raises(MissingColumnError) as err:
        read_plans(path)
    for name in ("la_code", "plan_type", "start_date"):
        assert name in str(err.value)


def test_unreadable_arrival_time_names_rows_and_ids(tmp_path: Path) -> None:
    path = _att(
        tmp_path,
        "A1,2024-01-05 10:00,Amy,,,",
        "A2,31/02/2024 10:00,Bob,,,",
        "A3,,Cat,,,",
        "A4,05/01/24 10:00,Dan,,,",
    )
    with pytest.raises(ParseError) as err:
        read_attendances(path)
    e = err.value
    assert e.column == "arrival_time"
    assert e.row_numbers == [2, 3, 4]
    assert e.record_ids == ["A2", "A3", "A4"]
    msg = str(e)
    assert str(path) in msg
    assert "row 2 (id A2)" in msg
    assert "impossible date: 1" in msg
    assert "blank: 1" in msg
    assert "ambiguous two-digit year: 1" in msg


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    rows = [f"A{i},not a time,N{i},,," for i in range(1, 13)]
    with pytest.raises(ParseError) as err:
        read_attendances(_att(tmp_path, *rows))
    assert len(err.value.row_numbers) == 12
    assert "and 7 more" in str(err.value)


def test_blank_attendance_id_is_an_error_naming_the_row(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as err:
        read_attendances(_att(tmp_path, "A1,2024-01-05,Amy,,,", " ,2024-01-05,Bob,,,"))
    assert err.value.column == "attendance_id"
    assert err.value.row_numbers == [2]


def test_duplicate_ids_name_rows_and_ids(tmp_path: Path) -> None:
    path = _att(
        tmp_path,
        "A1,2024-01-05,Amy,,,",
        "A2,2024-01-05,Bob,,,",
        "A1,2024-01-06,Cat,,,",
        "A3,2024-01-06,Dan,,,",
        "A2,2024-01-07,Eve,,,",
    )
    with pytest.raises(DuplicateIdError) as err:
        read_attendances(path)
    e = err.value
    assert e.column == "attendance_id"
    assert e.row_numbers == [1, 3, 2, 5]
    assert e.record_ids == ["A1", "A1", "A2", "A2"]
    assert "2 ids appear more than once" in str(e)
    assert "row 3 (id A1)" in str(e)


def test_duplicate_plan_ids(tmp_path: Path) -> None:
    path = _plans(tmp_path, "P1,E1,cpp,2024-01-01,,Amy,,", "P1,E1,cpp,2024-01-01,,Bob,,")
    with pytest.raises(DuplicateIdError):
        read_plans(path)


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("P1,,cpp,2024-01-01,,Amy,,", "la_code"),
        ("P1,E1,,2024-01-01,,Amy,,", "plan_type"),
        ("P1,E1,supervision,2024-01-01,,Amy,,", "plan_type"),
        ("P1,E1,cpp,,,Amy,,", "start_date"),
        ("P1,E1,cpp,2024-13-01,,Amy,,", "start_date"),
        (",E1,cpp,2024-01-01,,Amy,,", "plan_id"),
    ],
)
def test_bad_required_plan_values(tmp_path: Path, row: str, column: str) -> None:
    path = _plans(tmp_path, "P0,E1,cpp,2024-01-01,,Amy,,", row)
    with pytest.raises(ParseError) as err:
        read_plans(path)
    assert err.value.column == column
    assert err.value.row_numbers == [2]


def test_unknown_plan_type_message_lists_the_allowed_types(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="not one of cpp, lac, unborn_cpp, cin, marac"):
        read_plans(_plans(tmp_path, "P1,E1,supervision,2024-01-01,,Amy,,"))


def test_problems_in_several_required_columns_are_all_mentioned(tmp_path: Path) -> None:
    path = _plans(tmp_path, "P1,,cpp,bad,,Amy,,")
    with pytest.raises(ParseError) as err:
        read_plans(path)
    assert err.value.column == "la_code"
    assert "start_date" in str(err.value)


# -- optional values -> rejects --------------------------------------------------


def test_unreadable_optional_date_is_ignored_with_a_reject(tmp_path: Path) -> None:
    res = read_attendances(
        _att(tmp_path, "A1,2024-01-05,Amy,Smith,31/02/2015,", "A2,2024-01-05,Bob,Jones,1/2/15,")
    )
    assert res.table["date_of_birth"].to_list() == [None, None]
    assert res.table.height == 2
    assert res.rejects.select("row_number", "record_id", "column", "reason", "action").rows() == [
        (1, "A1", "date_of_birth", "date_of_birth: impossible date", "value_ignored"),
        (2, "A2", "date_of_birth", "date_of_birth: ambiguous two-digit year", "value_ignored"),
    ]
    assert res.rejects["source"].to_list() == [res.source] * 2


def test_setting_defaults_and_unknown_values(tmp_path: Path) -> None:
    header = ATT_HEADER + ",setting"
    res = read_attendances(
        _att(
            tmp_path,
            "A1,2024-01-05,Amy,,,,ED_Child",
            "A2,2024-01-05,Bob,,,,",
            "A3,2024-01-05,Cat,,,,resus",
            "A4,2024-01-05,Dan,,,, maternity ",
            header=header,
        )
    )
    assert res.table["setting"].to_list() == ["ed_child", "ed_mixed", "ed_mixed", "maternity"]
    assert res.rejects.select("row_number", "column", "action").rows() == [
        (3, "setting", "value_ignored")
    ]
    assert "ed_mixed" in res.rejects["reason"][0]


def test_setting_absent_means_ed_mixed(tmp_path: Path) -> None:
    res = read_attendances(_att(tmp_path, "A1,2024-01-05,Amy,,,"))
    assert res.table["setting"].to_list() == ["ed_mixed"]


def test_row_without_identifying_data_is_rejected(tmp_path: Path) -> None:
    header = ATT_HEADER + ",local_patient_id,postcode"
    res = read_attendances(
        _att(
            tmp_path,
            "A1,2024-01-05,Amy,,,,,",
            "A2,2024-01-05,,,,,,LS1 1AA",
            "A3,2024-01-05,,,,,000123,",
            "A4,2024-01-05,,,31/02/2015,,,",
            header=header,
        )
    )
    assert res.table["attendance_id"].to_list() == ["A1", "A3"]
    assert res.table["_row"].to_list() == [1, 3]
    assert res.table["local_patient_id"].to_list() == [None, "000123"]
    rejected = res.rejects.filter(pl.col("action") == "row_rejected")
    assert rejected["record_id"].to_list() == ["A2", "A4"]
    assert rejected["column"].to_list() == [None, None]
    # A4 has both: its unreadable date of birth, then the row rejection.
    assert res.rejects.filter(pl.col("record_id") == "A4")["action"].to_list() == [
        "value_ignored",
        "row_rejected",
    ]


def test_plans_table_and_normalised_codes(tmp_path: Path) -> None:
    header = PLAN_HEADER + ",category,mother_nhs_number,expected_delivery_date,list_date"
    res = read_plans(
        _plans(
            tmp_path,
            "P1,E08000035,CPP,2023-01-01,,Amy,Smith,2015-01-01,Neglect,,,2024-01-02",
            "P2,E08000035,Unborn CPP,01-Mar-2023,,,,,Sexual Abuse,4010232137,2024-09-01,",
            "P3,E08000035,CLA,2023-01-01,2024-01-01,Bob,,,emotional,,,",
            "P4,E08000035,child in need,2023-01-01,,Cat,,,mixed up,,,",
            header=header,
        )
    )
    t = res.table
    assert t.columns == [*PLANS.names, "_row"]
    for col in PLANS.columns:
        assert t.schema[col.name] == col.dtype, col.name
    assert t["plan_type"].to_list() == ["cpp", "unborn_cpp", "lac", "cin"]
    assert t["category"].to_list() == ["neglect", "sexual", "emotional", None]
    assert t["start_date"][1] == dt.date(2023, 3, 1)
    assert t["expected_delivery_date"][1] == dt.date(2024, 9, 1)
    assert t["list_date"].to_list() == [dt.date(2024, 1, 2), None, None, None]
    assert res.rejects.select("record_id", "column", "reason").rows() == [
        ("P4", "category", "category: unknown value")
    ]


def test_plan_ending_before_it_starts_is_treated_as_open(tmp_path: Path) -> None:
    res = read_plans(_plans(tmp_path, "P1,E1,cpp,2024-05-01,2024-04-30,Amy,,"))
    assert res.table["end_date"].to_list() == [None]
    assert res.table.height == 1
    assert res.rejects.select("record_id", "column", "action").rows() == [
        ("P1", "end_date", "value_ignored")
    ]
    assert "treated as open" in res.rejects["reason"][0]


def test_plan_optional_dates_unreadable(tmp_path: Path) -> None:
    res = read_plans(_plans(tmp_path, "P1,E1,cpp,2024-05-01,31/06/2024,Amy,,99/99/2010"))
    assert res.table.select("end_date", "date_of_birth").row(0) == (None, None)
    assert res.rejects["reason"].to_list() == [
        "end_date: impossible date",
        "date_of_birth: impossible date",
    ]


def test_plan_with_no_identifying_data_is_rejected(tmp_path: Path) -> None:
    res = read_plans(_plans(tmp_path, "P1,E1,cpp,2024-05-01,,Amy,,", "P2,E1,lac,2024-05-01,,,,"))
    assert res.table["plan_id"].to_list() == ["P1"]
    assert res.rejects.select("record_id", "action").rows() == [("P2", "row_rejected")]


def test_unborn_plan_identified_through_the_mother_is_kept(tmp_path: Path) -> None:
    header = "plan_id,la_code,plan_type,start_date,mother_given_name,mother_family_name"
    res = read_plans(_plans(tmp_path, "P1,E1,unborn_cpp,2024-05-01,Ann,Bee", header=header))
    assert res.table.height == 1
    assert res.rejects.height == 0
