"""``cpflag validate``: clean errors (exit 2, no traceback) and counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cpflag.cli import main


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ATTENDANCES = (
    "attendance_id,arrival_time,given_name,family_name,date_of_birth\n"
    "A1,2024-01-05 10:00,Zebedee,Quuxworth,2015-01-01\n"
    "A2,2024-01-05 11:00,Xanthippe,Vorpalsson,31/02/2015\n"
    "A3,2024-01-05 12:00,,,\n"
)
PLANS = (
    "plan_id,la_code,plan_type,start_date,nhs_number\n"
    "P1,E1,cpp,2024-01-01,9434765919\n"
    "P2,E2,lac,2024-01-01,4010232137\n"
)
MANIFEST = "la_code,list_date\nE1,2024-01-10\nE2,2024-01-11\n"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    return result.exit_code, result.output


def test_good_files_print_counts(tmp_path: Path) -> None:
    code, out = _run(
        "--attendances",
        str(_write(tmp_path, "a.csv", ATTENDANCES)),
        "--plans",
        str(_write(tmp_path, "p.csv", PLANS)),
        "--manifest",
        str(_write(tmp_path, "m.csv", MANIFEST)),
    )
    assert code == 0, out
    # A3 has no identifying data (rejected); A2's date of birth is ignored.
    assert "attendances: 2 rows usable, 2 issues" in out
    assert "plans: 2 rows usable, 0 issues" in out
    assert "manifest: 2 local authorities" in out
    for secret in ("Zebedee", "Quuxworth", "9434765919", "31/02/2015"):
        assert secret not in out


def test_ecds_mapping_option(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "ecds.csv",
        "EC_Ident,Der_EC_Arrival_Date_Time,NHS_Number\n1001,2024-01-05 10:00:00,9434765919\n",
    )
    code, out = _run("--attendances", str(path), "--mapping", "ecds")
    assert code == 0, out
    assert "attendances: 1 rows usable, 0 issues" in out


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("missing.csv", "attendance_id,given_name\nA1,Zebedee\n", "arrival_time"),
        ("empty.csv", "", "file is empty"),
        ("garbled.csv", "attendance_id:arrival_time\nA1:2024-01-05\n", "delimiter"),
        ("badtime.csv", "attendance_id,arrival_time\nA1,Zebedee Quuxworth\n", "row 1 (id A1)"),
        (
            "dup.csv",
            "attendance_id,arrival_time,given_name\nA1,2024-01-05,Zebedee\nA1,2024-01-05,X\n",
            "unique",
        ),
    ],
)
def test_bad_attendances_file_is_a_clean_error(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    code, out = _run("--attendances", str(_write(tmp_path, name, text)))
    assert code == 2
    assert "Error:" in out
    assert expected in out
    assert "Traceback" not in out
    assert "Zebedee" not in out
    assert "Quuxworth" not in out


def test_bad_mapping_is_a_clean_error(tmp_path: Path) -> None:
    att = _write(tmp_path, "a.csv", ATTENDANCES)
    mapping = _write(tmp_path, "map.toml", '[columns]\nVisit = "not_a_column"\n')
    code, out = _run("--attendances", str(att), "--mapping", str(mapping))
    assert code == 2
    assert "Error:" in out
    assert "not a canonical column name" in out
    assert "Traceback" not in out


def test_bad_manifest_is_a_clean_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "m.csv", "la_code,list_date\nE1,2024-01-10\nE1,2024-01-11\n")
    code, out = _run("--manifest", str(path))
    assert code == 2
    assert "Error:" in out
    assert "Traceback" not in out
