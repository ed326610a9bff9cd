"""Issue 17, failure 1, the library side: ``cpflag.io.check_output_paths`` for embedders."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpflag._errors import ConfigError
from cpflag.io import OutputPathError, check_output_paths
from tests.reliability_inputs import night, write


def test_check_output_paths_reports_every_problem_and_is_a_config_error(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    with pytest.raises(OutputPathError) as info:
        check_output_paths(
            {
                "out": (att, "table"),
                "rejects": (tmp_path / "r.doc", "table"),
                "cache": (tmp_path, "cache"),
            },
            inputs={"attendances": att, "plans": plans},
        )
    err = info.value
    assert isinstance(err, ConfigError)
    options = [p.option for p in err.problems]
    assert {"out", "rejects", "cache"} <= set(options)
    assert all(str(p) in str(err) for p in err.problems)


def test_check_output_paths_accepts_a_good_night(tmp_path: Path) -> None:
    att, plans, man = night(tmp_path)
    check_output_paths(
        {
            "--out": (tmp_path / "out" / "f.parquet", "table"),
            "--rejects": (tmp_path / "out" / "r.csv", "table"),
            "--summary": (tmp_path / "out" / "s.json", "json"),
            "--history": (tmp_path / "store", "store"),
            "--index-cache": (tmp_path / "cache", "cache"),
            "--unused": (None, "table"),
        },
        inputs={"--attendances": att, "--plans": plans, "--manifest": man, "--model": None},
    )
    assert not (tmp_path / "out").exists()  # checked, not created


def test_a_folder_output_must_not_nest_with_another(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="use separate folders"):
        check_output_paths(
            {
                "--history": (tmp_path / "h", "store"),
                "--index-cache": (tmp_path / "h" / "c", "cache"),
            }
        )


def test_an_existing_store_or_cache_folder_is_accepted(tmp_path: Path) -> None:
    for folder, marker in (("h", "manifest.json"), ("c", "meta.json")):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, marker, "{}")
    check_output_paths(
        {"--history": (tmp_path / "h", "store"), "--index-cache": (tmp_path / "c", "cache")}
    )
