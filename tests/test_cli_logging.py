"""``cpflag -v/-vv/-q``: logging configured once, in the CLI, and no log line identifies anyone."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from cpflag import synth
from cpflag.cli import main
from cpflag.contract import IDENTIFYING_COLUMNS

#: The head of a log line: ``2026-12-03 11:49:58 DEBUG cpflag.io: ``.
LOG_HEAD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) cpflag[\w.]*: ", re.M
)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logday")
    synth.write(synth.generate(scale="demo", seed=5), folder)
    return folder


def _flag(day: Path, out: Path, *verbosity: str) -> Result:
    return CliRunner().invoke(
        main,
        [
            *verbosity,
            "flag",
            "--attendances",
            str(day / "attendances.csv"),
            "--plans",
            str(day / "plans.csv"),
            "--manifest",
            str(day / "manifest.csv"),
            "--history",
            str(out / "history"),
            "--index-cache",
            str(out / "cache"),
            "--out",
            str(out / "flags.csv"),
        ],
    )


def _identifying_values(day: Path) -> set[str]:
    """Every value (as in the files) of an identifying column, of 4 characters or more.

    Shorter ones (a sex code ``F``, ``Leo``) occur in ordinary words by chance.
    """
    values: set[str] = set()
    for name in ("attendances", "plans"):
        frame = pl.read_csv(day / f"{name}.csv", infer_schema=False)
        for col in sorted(IDENTIFYING_COLUMNS & set(frame.columns)):
            values.update(v.strip() for v in frame[col].drop_nulls().to_list())
    return {v for v in values if len(v) >= 4}


def _leaks(value: str, text: str) -> bool:
    """The value as written anywhere in the text, or in another case as a whole word.

    (In lower case the surnames ``Read`` and ``Carr`` are inside "reading" and
    "carried": the case variants are looked for as words only.)
    """
    if value in text:
        return True
    word = re.compile(rf"(?<!\w)(?:{re.escape(value.lower())}|{re.escape(value.upper())})(?!\w)")
    return word.search(text) is not None


def test_no_debug_line_carries_an_identifying_value(day: Path, tmp_path: Path) -> None:
    # Twice: the second night finds the history and the index cache in place.
    stderr = ""
    for _ in range(2):
        result = _flag(day, tmp_path, "-vv")
        assert result.exit_code == 0, result.output
        stderr += result.stderr
    lines = stderr.splitlines()
    logged = [LOG_HEAD.sub("", line) for line in lines if LOG_HEAD.match(line)]
    assert any(" DEBUG cpflag" in line for line in lines)
    assert any(" INFO cpflag" in line for line in lines)
    assert len(logged) > 20
    values = _identifying_values(day)
    assert len(values) > 1000
    # Every line of stderr (log lines without their timestamp, and the rest).
    text = "\n".join(LOG_HEAD.sub("", line) for line in lines)
    leaked = sorted(v for v in values if _leaks(v, text))
    assert leaked == [], f"{len(leaked)} identifying values on stderr"


def test_levels(day: Path, tmp_path: Path) -> None:
    default = _flag(day, tmp_path / "a")
    assert default.exit_code == 0, default.output
    assert "[" in default.stderr  # progress lines
    assert not LOG_HEAD.search(default.stderr)  # warnings only, and there are none
    info = _flag(day, tmp_path / "b", "-v")
    assert " INFO cpflag" in info.stderr
    assert " DEBUG " not in info.stderr
    assert " DEBUG cpflag" in _flag(day, tmp_path / "c", "--verbose", "--verbose").stderr


def test_quiet_leaves_warnings_and_errors_only(day: Path, tmp_path: Path) -> None:
    quiet = _flag(day, tmp_path, "-q")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert "Lists loaded" in quiet.stdout  # the run summary is the command's output
    # A warning still shows: a header-only attendances file.
    (tmp_path / "empty.csv").write_text("attendance_id,arrival_time\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "-q",
            "flag",
            "--attendances",
            str(tmp_path / "empty.csv"),
            "--plans",
            str(day / "plans.csv"),
            "--out",
            str(tmp_path / "o" / "flags.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: no attendance rows are usable")


def test_verbose_and_quiet_together_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["-v", "-q", "model"])
    assert result.exit_code == 2
    assert "cannot be given together" in result.stderr


def test_the_logger_is_left_as_it_was(day: Path, tmp_path: Path) -> None:
    logger = logging.getLogger("cpflag")
    before = (logger.level, list(logger.handlers))
    assert _flag(day, tmp_path, "-vv").exit_code == 0
    assert (logger.level, list(logger.handlers)) == before
