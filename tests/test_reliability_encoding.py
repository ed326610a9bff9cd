"""Issue 17, failure 7: encodings per line, short rows, columns mostly unreadable."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl
import pytest

from cpflag import io
from cpflag._errors import ParseError
from tests.reliability_inputs import run

HEADER = "attendance_id,arrival_time,given_name,family_name,date_of_birth,sex,postcode\n"


def test_one_cp1252_line_leaves_the_utf8_lines_intact(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "att.csv"
    path.write_bytes(
        HEADER.encode()
        + "A1,2026-11-25 10:00,Łukasz,Wójcik,2018-03-04,M,LS9 8AB\n".encode()
        + "A2,2026-11-25 11:00,Zoë,Café,2016-07-08,F,LS9 8AB\n".encode("cp1252")
        + "A3,2026-11-25 12:00,Małgorzata,Nowak,2016-07-08,F,LS9 8AB\n".encode()
    )
    with caplog.at_level(logging.WARNING, logger="cpflag.io"):
        res = io.read_attendances(path)
    assert res.table["given_name"].to_list() == ["Łukasz", "Zoë", "Małgorzata"]
    assert res.table["family_name"].to_list() == ["Wójcik", "Café", "Nowak"]
    assert res.encoding == "utf-8"
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "lines 2" in warning
    for value in ("Zoë", "Café", "Łukasz"):
        assert value not in warning


def test_a_whole_cp1252_file_is_still_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "att.csv"
    path.write_bytes(
        (HEADER + "A2,2026-11-25 11:00,Zoë,Café,2016-07-08,F,LS9 8AB\n").encode("cp1252")
    )
    res = io.read_attendances(path)
    assert res.encoding == "cp1252"
    assert res.table["given_name"].to_list() == ["Zoë"]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_row_cut_short_is_a_reject(tmp_path: Path, quoted: bool) -> None:
    q = '"' if quoted else ""
    path = tmp_path / "att.csv"
    path.write_text(
        HEADER
        + f"A1,2026-11-25 10:00,{q}Zebedee{q},Quuxworth,2018-03-04,M,LS9 8AB\n"
        + "A2,2026-11-25 11:00,Xanthippe\n"
        + "\n"
        + "A3,2026-11-25 12:00,Ottoline,Brackenbury,2016-07-08,F,\n"
    )
    res = io.read_attendances(path)
    assert res.table["attendance_id"].to_list() == ["A1", "A3"]
    (short,) = res.rejects.filter(pl.col("action") == "row_rejected").rows(named=True)
    assert short["record_id"] == "A2"
    assert short["row_number"] == 2
    assert "fewer fields than the header" in short["reason"]
    assert "Xanthippe" not in short["reason"]


def test_a_short_row_missing_its_arrival_does_not_fail_the_file(tmp_path: Path) -> None:
    path = tmp_path / "att.csv"
    path.write_text(HEADER + "A1,2026-11-25 10:00,Zebedee,Quuxworth,2018-03-04,M,LS9 8AB\nA2\n")
    res = io.read_attendances(path)
    assert res.table.height == 1
    assert res.rejects["record_id"].to_list() == ["A2"]


def _dob_frame(n: int, bad: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "attendance_id": [f"A{i}" for i in range(n)],
            "arrival_time": [dt.datetime(2026, 11, 25, 10)] * n,
            "family_name": ["Quuxworth"] * n,
            "date_of_birth": ["2018-03-04"] * (n - bad) + ["99/99/9999"] * bad,
        }
    )


def test_a_column_mostly_unreadable_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "att.parquet"
    _dob_frame(400, 399).write_parquet(path)
    with pytest.raises(ParseError) as caught:
        io.read_attendances(path)
    message = str(caught.value)
    assert "date_of_birth" in message
    assert "399 of 400" in message
    assert str(path) in message
    assert "row 2 (id A1)" in message
    assert "99/99" not in message
    assert "Quuxworth" not in message


def test_the_unreadable_limit_is_an_option() -> None:
    frame = _dob_frame(40, 10)
    assert io.read_attendances(frame).rejects.height == 10  # 25% < 50%: rejects
    with pytest.raises(ParseError, match="limit of 20%"):
        io.read_attendances(frame, unreadable_limit=0.2)
    assert io.read_attendances(_dob_frame(40, 39), unreadable_limit=None).table.height == 40


def test_a_few_bad_dates_in_a_small_file_stay_rejects() -> None:
    assert io.read_attendances(_dob_frame(5, 5)).rejects.height == 5


def test_cli_unreadable_limit(tmp_path: Path) -> None:
    path = tmp_path / "att.csv"
    path.write_text(
        HEADER
        + "".join(f"A{i},2026-11-25 10:00,Zebedee,Quuxworth,31/02/2018,M,\n" for i in range(30))
    )
    refused = run("validate", "--attendances", path)
    assert refused.exit_code == 2, refused.output
    assert "30 of 30 values" in refused.output
    assert "Zebedee" not in refused.output
    allowed = run("validate", "--attendances", path, "--unreadable-limit", "1")
    assert allowed.exit_code == 0, allowed.output
    assert "30 issues" in allowed.output
