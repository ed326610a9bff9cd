"""Issue 17, failure 5: a night is one unit; a concurrent run is refused before matching."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import cpflag
import cpflag.cli._nightly as nightly
from cpflag.history import HistoryStore, night_guard
from tests.reliability_inputs import flag_args, night, run

KILL_AFTER_COMMIT = """
import os, signal, sys
import cpflag.cli._nightly as nightly
from cpflag.cli import main

def killed(*_a, **_k):
    os.kill(os.getpid(), signal.SIGKILL)  # the store has committed; no output yet

nightly.write_outputs = killed
main(sys.argv[1:])
"""


def test_a_concurrent_run_is_refused_before_any_matching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, manifest = night(tmp_path)
    store = tmp_path / "store"

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("matching started")

    monkeypatch.setattr(cpflag, "run_flagging", never)
    with night_guard(store):
        result = run(
            *flag_args(att, plans, manifest), "--out", tmp_path / "f.csv", "--history", store
        )
    assert result.exit_code == 2, result.output
    assert "in use by another cpflag run; nothing was done" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "f.csv").exists()


def test_a_run_killed_after_the_store_commit_is_reported_and_a_rerun_completes(
    tmp_path: Path,
) -> None:
    att, plans, manifest = night(tmp_path)
    store, out = tmp_path / "store", tmp_path / "f.csv"
    args = [str(a) for a in (*flag_args(att, plans, manifest), "--out", out, "--history", store)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_COMMIT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert HistoryStore.open(store, create=False).n_attendances == 2  # committed ...
    assert not out.exists()  # ... with no flags: the next run must say so
    rerun = run(*args)
    assert rerun.exit_code == 0, rerun.output
    assert "previous run with history store" in rerun.output
    assert "re-run that night's files" in rerun.output
    assert out.exists()
    assert HistoryStore.open(store, create=False).n_attendances == 2  # idempotent
    clean = run(*args)
    assert clean.exit_code == 0
    assert "previous run" not in clean.output


def test_a_failed_write_after_the_commit_is_reported_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, manifest = night(tmp_path)
    store, out = tmp_path / "store", tmp_path / "f.csv"
    args = [*flag_args(att, plans, manifest), "--out", out, "--history", store]

    def full(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device", str(out))

    monkeypatch.setattr(nightly, "write_outputs", full)
    assert run(*args).exit_code == 2
    monkeypatch.undo()
    result = run(*args)
    assert result.exit_code == 0
    assert "did not finish" in result.output
