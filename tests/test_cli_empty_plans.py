"""Issue 17, failure 3 (the CLI part): a plans file with no usable rows is a clear warning.

A header-only plans file, or one whose every row is rejected, used to give a
silent, successful night with "Lists loaded (0)". The run still succeeds (the
attendances are valid), but stderr says that nothing could be flagged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability_inputs import ATTENDANCES, NAMES, PLANS, flag_args, run, write

HEADER_ONLY = PLANS.splitlines()[0] + "\n"
# Rows with no identifying data at all: each is rejected.
ALL_REJECTED = "plan_id,la_code,plan_type,start_date\nP1,E1,cpp,2025-01-01\nP2,E1,lac,2025-01-01\n"


@pytest.mark.parametrize(
    "plans_text", [HEADER_ONLY, ALL_REJECTED], ids=["header_only", "all_rejected"]
)
@pytest.mark.parametrize("cache", [False, True])
def test_flag_warns_when_no_plan_row_is_usable(
    tmp_path: Path, plans_text: str, cache: bool
) -> None:
    att = write(tmp_path, "attendances.csv", ATTENDANCES)
    plans = write(tmp_path, "plans.csv", plans_text)
    extra = ["--index-cache", tmp_path / "cache"] if cache else []
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv", *extra)
    assert result.exit_code == 0, result.output
    assert "Lists loaded (0)" in result.stdout
    assert f"Warning: no plan rows are usable in {plans}" in result.stderr
    assert "no attendance can be flagged against any list" in result.stderr
    assert "Warning" not in result.stdout
    for name in NAMES:
        assert name not in result.output


def test_validate_warns_when_no_plan_row_is_usable(tmp_path: Path) -> None:
    plans = write(tmp_path, "plans.csv", HEADER_ONLY)
    result = run("validate", "--plans", plans)
    assert result.exit_code == 0, result.output
    assert "plans: 0 rows usable" in result.stdout
    assert f"Warning: no plan rows are usable in {plans}" in result.stderr


def test_a_usable_list_gives_no_warning(tmp_path: Path) -> None:
    att = write(tmp_path, "attendances.csv", ATTENDANCES)
    plans = write(tmp_path, "plans.csv", PLANS)
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
