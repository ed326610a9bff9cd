"""Files: encodings, delimiters, quoting, empty files, Parquet, DataFrames, writing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest

from cpflag._errors import ConfigError, InputError, ParseError
from cpflag.contract import ATTENDANCES
from cpflag.io import read_attendances, read_plans, write_table

HEADER = "attendance_id,arrival_time,given_name,family_name"


def _bytes(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- encodings -----------------------------------------------------------------


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = _bytes(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}\nA1,2024-01-05,Zoë,Ñúñez\n".encode())
    res = read_attendances(path)
    assert res.encoding == "utf-8-sig"
    assert res.table["attendance_id"].to_list() == ["A1"]
    assert res.table["given_name"].to_list() == ["Zoë"]


def test_cp1252_file(tmp_path: Path) -> None:
    # \x92 is a curly apostrophe in cp1252 and invalid as UTF-8.
    text = f"{HEADER}\nA1,2024-01-05,Zoë,O’Brien\n"
    res = read_attendances(_bytes(tmp_path, text.encode("cp1252")))
    assert res.encoding == "cp1252"
    assert res.table.select("given_name", "family_name").row(0) == ("Zoë", "O’Brien")


def test_latin1_file_with_bytes_cp1252_cannot_decode(tmp_path: Path) -> None:
    # \x81 is undefined in cp1252, so only latin-1 reads this file.
    data = f"{HEADER}\nA1,2024-01-05,Zoë,X\x81\n".encode("latin-1")
    res = read_attendances(_bytes(tmp_path, data))
    assert res.encoding == "latin-1"
    assert res.table["given_name"].to_list() == ["Zoë"]


def test_utf16_with_bom(tmp_path: Path) -> None:
    data = f"{HEADER}\r\nA1,2024-01-05,Zoë,Smith\r\n".encode("utf-16")
    res = read_attendances(_bytes(tmp_path, data))
    assert res.encoding == "utf-16"
    assert res.table["given_name"].to_list() == ["Zoë"]


def test_nul_bytes_without_bom_is_a_clear_error(tmp_path: Path) -> None:
    data = f"{HEADER}\nA1,2024-01-05,Amy,Smith\n".encode("utf-16-le")
    with pytest.raises(InputError, match="NUL bytes"):
        read_attendances(_bytes(tmp_path, data))


# -- delimiters and quoting -------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(tmp_path: Path, delimiter: str) -> None:
    header = HEADER.replace(",", delimiter)
    row = delimiter.join(["A1", "2024-01-05", "Amy", "Smith, Jr"])
    text = f"{header}\n{row}\n"
    res = read_attendances(_bytes(tmp_path, text.encode()))
    assert res.table.select("attendance_id", "given_name", "family_name").row(0) == (
        "A1",
        "Amy",
        "Smith, Jr",
    )


def test_garbled_delimiter_is_a_clear_error(tmp_path: Path) -> None:
    text = "attendance_id:arrival_time:given_name\nA1:2024-01-05:Amy\n"
    with pytest.raises(InputError, match="delimiter or the header looks wrong") as err:
        read_attendances(_bytes(tmp_path, text.encode()))
    assert not isinstance(err.value, ParseError)


def test_quoted_fields_with_commas_newlines_and_quotes(tmp_path: Path) -> None:
    text = (
        "attendance_id,arrival_time,given_name,address\n"
        'A1,2024-01-05,Amy,"1 High St,\nLeeds"\n'
        'A2,2024-01-05,"Bob ""Bobby""",""\n'
    )
    t = read_attendances(_bytes(tmp_path, text.encode())).table
    assert t["address"].to_list() == ["1 High St,\nLeeds", None]
    assert t["given_name"].to_list() == ["Amy", 'Bob "Bobby"']
    assert t["_row"].to_list() == [1, 2]


def test_crlf_line_endings(tmp_path: Path) -> None:
    data = f"{HEADER}\r\nA1,2024-01-05,Amy,Smith\r\n".encode()
    t = read_attendances(_bytes(tmp_path, data)).table
    assert t.select("attendance_id", "family_name").row(0) == ("A1", "Smith")


def test_row_with_too_many_fields_names_the_row(tmp_path: Path) -> None:
    text = f"{HEADER}\nA1,2024-01-05,Amy,Smith\nA2,2024-01-05,Bob,Jones,extra\n"
    with pytest.raises(ParseError, match="more fields than the header") as err:
        read_attendances(_bytes(tmp_path, text.encode()))
    assert err.value.row_numbers == [2]


def test_blank_lines_are_skipped_and_row_numbers_kept(tmp_path: Path) -> None:
    text = f"{HEADER}\nA1,2024-01-05,Amy,Smith\n\n,,,\nA2,2024-01-05,Bob,Jones\n"
    t = read_attendances(_bytes(tmp_path, text.encode())).table
    assert t["attendance_id"].to_list() == ["A1", "A2"]
    assert t["_row"].to_list() == [1, 4]


# -- empty and odd files ----------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match="file is empty"):
        read_attendances(_bytes(tmp_path, data))


def test_header_only_gives_an_empty_valid_table(tmp_path: Path) -> None:
    res = read_attendances(_bytes(tmp_path, f"{HEADER}\n".encode()))
    assert res.table.height == 0
    assert res.table.columns == [*ATTENDANCES.names, "_row"]
    assert res.table.schema["arrival_time"] == pl.Datetime("us")
    assert res.rejects.height == 0


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_attendances(tmp_path / "nope.csv")
    # A folder is read as a set of Parquet files: one without any is refused.
    with pytest.raises(InputError, match="folder with no Parquet files"):
        read_attendances(tmp_path)


def test_excel_workbook_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Excel"):
        read_attendances(_bytes(tmp_path, b"PK\x03\x04rest-of-zip", "att.xlsx"))


# -- Parquet ----------------------------------------------------------------------


def _good_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "attendance_id": ["A1", "A2"],
            "arrival_time": [dt.datetime(2024, 1, 5, 10, 0, 0, 123456), dt.datetime(2024, 1, 6)],
            "given_name": ["Amy", "Bob"],
            "nhs_number": ["0123456789", None],
            "date_of_birth": [dt.date(2015, 1, 1), None],
            "extra": ["x", "y"],
        }
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".tsv"])
def test_round_trip_through_write_table(tmp_path: Path, suffix: str) -> None:
    first = read_attendances(_good_frame())
    path = tmp_path / "deep" / "dir" / f"att{suffix}"
    write_table(first.table, path)
    second = read_attendances(path)
    assert second.table.equals(first.table)
    assert second.encoding == (None if suffix == ".parquet" else "utf-8")


def test_parquet_with_text_dates_and_numeric_ids(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "attendance_id": [101, 102],
            "arrival_time": ["05/01/2024 10:00", "2024-01-06T11:00:00"],
            "nhs_number": [9434765919, None],
            "date_of_birth": ["31/02/2015", "20150101"],
        }
    )
    path = tmp_path / "att.parquet"
    frame.write_parquet(path)
    res = read_attendances(path)
    assert res.table["attendance_id"].to_list() == ["101", "102"]
    assert res.table["nhs_number"].to_list() == ["9434765919", None]
    assert res.table["arrival_time"].to_list() == [
        dt.datetime(2024, 1, 5, 10),
        dt.datetime(2024, 1, 6, 11),
    ]
    assert res.table["date_of_birth"].to_list() == [None, dt.date(2015, 1, 1)]
    assert res.rejects["reason"].to_list() == ["date_of_birth: impossible date"]


def test_parquet_detected_by_content_whatever_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "att.dat"
    _good_frame().write_parquet(path)
    assert read_attendances(path).table.height == 2


def test_csv_with_unknown_suffix_is_read_as_csv(tmp_path: Path) -> None:
    path = _bytes(tmp_path, f"{HEADER}\nA1,2024-01-05,Amy,Smith\n".encode(), "att.export")
    assert read_attendances(path).table.height == 1


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = _bytes(tmp_path, b"PAR1 this is not really parquet PAR1", "att.parquet")
    with pytest.raises(InputError, match="Parquet"):
        read_attendances(path)


def test_parquet_suffix_on_a_csv_file(tmp_path: Path) -> None:
    path = _bytes(tmp_path, f"{HEADER}\nA1,2024-01-05,Amy,Smith\n".encode(), "att.parquet")
    with pytest.raises(InputError, match="not a Parquet file"):
        read_attendances(path)


# -- DataFrames ---------------------------------------------------------------------


def test_dataframe_input_with_native_types_and_label() -> None:
    frame = pl.DataFrame(
        {
            "Attendance_ID": ["A1", "A2"],
            "arrival_time": [
                dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC),
                dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC),
            ],
            "nhs_number": [9434765919.0, None],
            "date_of_birth": [dt.datetime(2015, 1, 1), None],
            "given_name": ["Amy", "Bob"],
            "_row": [7, 8],
        }
    )
    res = read_attendances(frame, label="triage feed")
    assert res.source == "triage feed"
    assert res.encoding is None
    t = res.table
    # UTC converted to UK wall-clock time (BST in June, GMT in January).
    assert t["arrival_time"].to_list() == [dt.datetime(2024, 6, 1, 13), dt.datetime(2024, 1, 1, 12)]
    assert t["nhs_number"].to_list() == ["9434765919", None]
    assert t["date_of_birth"].to_list() == [dt.date(2015, 1, 1), None]
    # A stale _row from the caller is replaced by fresh positions.
    assert t["_row"].to_list() == [1, 2]


def test_dataframe_of_text_is_parsed_like_csv() -> None:
    frame = pl.DataFrame(
        {
            "plan_id": ["P1"],
            "la_code": ["E1"],
            "plan_type": ["cpp"],
            "start_date": ["01/02/2024"],
            "nhs_number": ["0123456789"],
        }
    )
    res = read_plans(frame)
    assert res.source == "<DataFrame>"
    assert res.table["start_date"].to_list() == [dt.date(2024, 2, 1)]


def test_row_numbers_from_an_earlier_write_are_replaced(tmp_path: Path) -> None:
    first = read_attendances(_good_frame())
    sub = first.table.filter(pl.col("attendance_id") == "A2")
    path = tmp_path / "sub.csv"
    write_table(sub, path)
    t = read_attendances(path).table
    assert t["_row"].to_list() == [1]
    assert t.columns.count("_row") == 1


# -- write_table ------------------------------------------------------------------------


def test_write_table_is_atomic_and_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    write_table(pl.DataFrame({"a": [1]}), path)
    assert path.read_text() == "a\n1\n"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_write_table_failure_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n")
    nested = pl.DataFrame({"a": [[1, 2]]})  # CSV cannot hold a list column
    with pytest.raises(Exception, match="cannot write"):
        write_table(nested, path)
    assert path.read_text() == "old\n"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]


def test_write_table_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="suffix"):
        write_table(pl.DataFrame({"a": [1]}), tmp_path / "out.xlsx")
