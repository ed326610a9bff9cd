"""Issue 17, failure 11: every input's problems are reported at once, grouped by file.

With a bad attendances file, a bad plans file and a bad manifest, one run of
``cpflag validate`` or ``cpflag flag`` names all three files and each file's
problems -- and within a file, blank required values and duplicate ids both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability_inputs import ATTENDANCES, NAMES, PLANS, flag_args, run, write

BAD_ATT = "attendance_id,given_name,family_name\nA1,Zebedee,Quuxworth\n"  # no arrival_time
BAD_PLANS = PLANS + PLANS.splitlines()[1] + "\n"  # P1 twice
BAD_MANIFEST = "la_code,list_date\nE08000035,2026-11-20\ne08000035,2026-11-21\n"


def _bad_night(folder: Path) -> tuple[Path, Path, Path]:
    return (
        write(folder, "att.csv", BAD_ATT),
        write(folder, "plans.csv", BAD_PLANS),
        write(folder, "manifest.csv", BAD_MANIFEST),
    )


def _assert_grouped(output: str, files: list[Path], needles: list[str]) -> None:
    assert "Traceback" not in output
    assert f"problems in {len(files)} input files" in output
    positions = []
    for f in files:
        assert f"{f}:\n" in output, (f, output)
        positions.append(output.index(f"{f}:\n"))
    assert positions == sorted(positions)  # attendances, plans, manifest
    for needle in needles:
        assert needle in output, (needle, output)
    for name in NAMES:
        assert name not in output


NEEDLES = ["required column missing: arrival_time", "plan_id must be unique", "la_code"]


def test_validate_reports_every_file(tmp_path: Path) -> None:
    att, plans, man = _bad_night(tmp_path)
    result = run("validate", "--attendances", att, "--plans", plans, "--manifest", man)
    assert result.exit_code == 2, result.output
    _assert_grouped(result.output, [att, plans, man], NEEDLES)


@pytest.mark.parametrize("cache", [False, True])
def test_flag_reports_every_file_before_any_matching(tmp_path: Path, cache: bool) -> None:
    att, plans, man = _bad_night(tmp_path)
    extra = ["--index-cache", tmp_path / "cache"] if cache else []
    result = run(*flag_args(att, plans, man), "--out", tmp_path / "f.csv", *extra)
    assert result.exit_code == 2, result.output
    _assert_grouped(result.output, [att, plans, man], NEEDLES)
    assert "flagging" not in result.output
    assert not (tmp_path / "f.csv").exists()


def test_flag_reports_two_bad_files_when_the_third_is_good(tmp_path: Path) -> None:
    att = write(tmp_path, "att.csv", BAD_ATT)
    plans = write(tmp_path, "plans.csv", BAD_PLANS)
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv")
    assert result.exit_code == 2, result.output
    _assert_grouped(result.output, [att, plans], NEEDLES[:2])


def test_blank_required_values_and_duplicate_ids_in_one_file_are_both_reported(
    tmp_path: Path,
) -> None:
    rows = ATTENDANCES.splitlines()
    text = "\n".join([rows[0], rows[1], rows[1], rows[2].replace("2026-11-25 11:00", "")]) + "\n"
    att = write(tmp_path, "att.csv", text)
    result = run("validate", "--attendances", att)
    assert result.exit_code == 2, result.output
    assert f"2 problems in 1 input file:\n{att}:\n" in result.output
    assert "column 'arrival_time': row 3 (id A2): 1 required value is blank" in result.output
    assert "column 'attendance_id': row 1 (id A1), row 2 (id A1)" in result.output
