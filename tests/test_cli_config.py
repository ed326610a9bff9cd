"""``cpflag flag --config nightly.toml`` and ``--print-config``."""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from cpflag.cli import main
from tests.test_golden_family import ATT, PLANS


@pytest.fixture
def job(tmp_path: Path) -> Path:
    """A job folder: the inputs in ``lists/``, a config naming them relative to itself."""
    folder = tmp_path / "job"
    (folder / "lists").mkdir(parents=True)
    ATT.write_csv(folder / "lists" / "att.csv")
    PLANS.write_parquet(folder / "lists" / "plans.parquet")
    return folder


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


BASIC = """\
attendances = "lists/att.csv"
plans = "lists/plans.parquet"
out = "out/flags.csv"
"""


def _flag(*args: str) -> Result:
    return CliRunner().invoke(main, ["flag", *args])


def _in_force(*args: str) -> dict[str, object]:
    result = _flag(*args, "--print-config")
    assert result.exit_code == 0, result.output
    return tomllib.loads(result.stdout)


def test_the_job_runs_from_the_file_with_paths_relative_to_it(
    job: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _write(job / "nightly.toml", BASIC + 'expected_la = ["E08000035"]\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _flag("--config", str(config))
    assert result.exit_code == 0, result.output
    assert pl.read_csv(job / "out" / "flags.csv").height > 0
    assert (job / "out" / "flags.summary.json").is_file()
    assert list(elsewhere.iterdir()) == []


def test_command_line_overrides_file_overrides_default(job: Path) -> None:
    config = _write(
        job / "nightly.toml", BASIC + 'stale-after-days = 10\nexpected-la = ["E1", "E2"]\n'
    )
    base = ["--attendances", str(job / "lists" / "att.csv")]
    base += ["--plans", str(job / "lists" / "plans.parquet"), "--out", str(job / "o.csv")]
    assert _in_force(*base)["stale-after-days"] == 31
    assert _in_force(*base)["expected-la"] == []
    from_file = _in_force("--config", str(config))
    assert from_file["stale-after-days"] == 10
    assert from_file["expected-la"] == ["E1", "E2"]
    assert from_file["out"] == str(job / "out" / "flags.csv")
    # The command line wins, before or after --config; a repeatable option is replaced.
    for args in (
        ["--config", str(config), "--stale-after-days", "5", "--expected-la", "E3"],
        ["--stale-after-days", "5", "--expected-la", "E3", "--config", str(config)],
    ):
        both = _in_force(*args)
        assert both["stale-after-days"] == 5
        assert both["expected-la"] == ["E3"]
        assert both["attendances"] == str(job / "lists" / "att.csv")


def test_keys_take_dashes_or_underscores(job: Path) -> None:
    dashes = _write(job / "a.toml", BASIC + 'index-cache = "cache"\nstale-after-days = 3\n')
    underscores = _write(job / "b.toml", BASIC + 'index_cache = "cache"\nstale_after_days = 3\n')
    assert _in_force("--config", str(dashes)) == _in_force("--config", str(underscores))
    both = _write(job / "c.toml", BASIC + "stale-after-days = 3\nstale_after_days = 4\n")
    result = _flag("--config", str(both))
    assert result.exit_code == 2
    assert "given twice" in result.stderr


def test_an_unknown_key_is_an_error_naming_it(job: Path) -> None:
    config = _write(job / "nightly.toml", BASIC + 'atendances = "x.csv"\n')
    result = _flag("--config", str(config))
    assert result.exit_code == 2
    assert "unknown key 'atendances'" in result.stderr
    assert "stale-after-days" in result.stderr  # the keys it knows are listed
    assert not (job / "out").exists()


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("print-config = true\n", "unknown key 'print-config'"),
        ("config = 'other.toml'\n", "unknown key 'config'"),
        ('out = ["a.csv", "b.csv"]\n', "takes one value"),
        ("[model]\npath = 'x'\n", "a table is not an option value"),
        ("stale-after-days = \n", "not a TOML file"),
    ],
    ids=["print-config", "config", "list-for-one", "table", "bad-toml"],
)
def test_a_bad_file_is_a_clear_error(job: Path, extra: str, words: str) -> None:
    text = BASIC.replace('out = "out/flags.csv"\n', "") if extra.startswith("out") else BASIC
    config = _write(job / "nightly.toml", text + extra)
    result = _flag("--config", str(config))
    assert result.exit_code == 2
    assert words in result.stderr


def test_print_config_round_trips_and_runs_nothing(
    job: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job)
    config = _write(
        job / "nightly.toml",
        BASIC + 'history = "history"\nexpected-la = ["E08000035"]\n'
        'relation-model = ["carer_of_plan_subject=models/carer.json"]\n',
    )
    first = _flag("--config", str(config), "--stale-after-days", "7", "--print-config")
    assert first.exit_code == 0, first.output
    assert first.stderr == ""
    assert not (job / "out").exists()
    assert not (job / "history").exists()
    printed = tomllib.loads(first.stdout)
    assert printed["relation-model"] == [f"carer_of_plan_subject={job / 'models' / 'carer.json'}"]
    assert "# rejects: not set" in first.stdout
    # Read back from another folder: the same options in force, the same text.
    copy = _write(tmp_path / "copy.toml", first.stdout)
    monkeypatch.chdir(tmp_path)
    second = _flag("--config", str(copy), "--print-config")
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout
    assert tomllib.loads(second.stdout) == printed


def test_command_line_paths_are_printed_absolute(
    job: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(job / "lists")
    printed = _in_force("--attendances", "att.csv", "--plans", "plans.parquet", "--out", "f.csv")
    assert printed["attendances"] == str(job / "lists" / "att.csv")
    assert printed["out"] == str(job / "lists" / "f.csv")
