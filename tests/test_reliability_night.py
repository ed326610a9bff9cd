"""Issues 14 and 17: a night commits as a unit; a concurrent run is refused before matching.

A night is killed (SIGKILL) at each named phase -- store staged, outputs
staged, just after the commit point, after the first rename, after every
rename -- and then: the store and the outputs are those of the night before
(killed before the commit point) or those of an uninterrupted run (after it),
byte for byte, once the next run has settled the night; and the night run
again writes the same files as an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import cpflag
from cpflag.history import HistoryStore, night_guard, recover_night
from tests.reliability_inputs import flag_args, night, run, snapshot, write

KILL_AT = """
import os, signal, sys
import cpflag.history._journal as journal
from cpflag.cli import main

def hook(name):
    if name == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

journal.on_phase = hook
main(sys.argv[2:])
"""

NIGHT2 = (
    "attendance_id,arrival_time,given_name,family_name,date_of_birth,sex,postcode\n"
    "B1,2026-11-26 10:00,Zebedee,Quuxworth,2018-03-04,M,LS9 8AB\n"
    "B2,2026-11-26 12:00,Ottoline,Brackenbury,2012-01-02,F,LS1 4AP\n"
)
BEFORE_COMMIT = ("store_staged", "outputs_staged")
AFTER_COMMIT = ("committed", "renamed_one", "applied")
#: Files of a store that are not its state: locks and live readers' registrations.
NOT_STATE = (".lock", "readers")


def _args(folder: Path, att: Path, as_of: str) -> list[str]:
    plans, manifest = folder / "plans.csv", folder / "manifest.csv"
    out = folder / "out"
    return [
        str(a)
        for a in (
            *flag_args(att, plans, manifest),
            *("--out", out / "flags.csv", "--history", folder / "store"),
            *("--notifications", out / "notifications", "--as-of", as_of),
        )
    ]


def _state(folder: Path) -> dict[str, bytes]:
    """The store and the outputs, byte for byte (the summary without its timing)."""
    files = {
        f"store/{k}": v
        for k, v in snapshot(folder / "store").items()
        if not any(part in NOT_STATE for part in Path(k).parts)
    }
    for k, v in snapshot(folder / "out").items():
        if k.endswith(".summary.json"):
            d = json.loads(v)
            d.pop("seconds")
            d.pop("recovery")
            files[f"out/{k}"] = json.dumps(d, sort_keys=True).encode()
            continue
        files[f"out/{k}"] = v
    return files


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Night 1 run; its store and outputs copied to ``before``; night 2 run clean in ``after``."""
    root = tmp_path_factory.mktemp("nights")
    base = root / "before"
    base.mkdir()
    att, _, _ = night(base)
    write(base, "night2.csv", NIGHT2)
    assert run(*_args(base, att, "2026-11-25")).exit_code == 0
    shutil.copytree(base, root / "after")
    result = run(*_args(root / "after", root / "after" / "night2.csv", "2026-11-26"))
    assert result.exit_code == 0, result.output
    return root


def _kill(folder: Path, phase: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    args = _args(folder, folder / "night2.csv", "2026-11-26")
    proc = subprocess.run(
        [sys.executable, "-c", KILL_AT, phase, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.parametrize("phase", BEFORE_COMMIT + AFTER_COMMIT)
def test_a_night_killed_at_any_phase_is_the_old_night_or_the_new_one(
    nights: Path, tmp_path: Path, phase: str
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(nights / "before", folder)
    _kill(folder, phase)
    # What the next run does first:
    recovered = recover_night(folder / "store")
    expected = "rolled_back" if phase in BEFORE_COMMIT else "rolled_forward"
    assert recovered.action == expected
    assert recovered.as_of is not None
    assert recovered.as_of.isoformat() == "2026-11-26"
    reference = nights / ("before" if phase in BEFORE_COMMIT else "after")
    assert _state(folder) == _state(reference)
    # The night again: the same files as an uninterrupted run.
    rerun = run(*_args(folder, folder / "night2.csv", "2026-11-26"))
    assert rerun.exit_code == 0, rerun.output
    outputs = {k: v for k, v in _state(folder).items() if k.startswith("out/")}
    assert outputs == {k: v for k, v in _state(nights / "after").items() if k.startswith("out/")}


def test_the_next_run_settles_the_night_and_the_summary_says_so(
    nights: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(nights / "before", folder)
    _kill(folder, "outputs_staged")
    rerun = run(*_args(folder, folder / "night2.csv", "2026-11-26"))
    assert rerun.exit_code == 0, rerun.output
    assert "interrupted before its commit and rolled back" in rerun.output
    summary = json.loads((folder / "out" / "flags.summary.json").read_text())
    assert summary["recovery"] == {
        "previous_night": "rolled_back",
        "previous_kind": "night",
        "previous_as_of": "2026-11-26",
        "rerun_needed": False,  # this run is that night
    }
    assert "this run is that night again" in rerun.output


def test_a_rolled_back_night_not_rerun_is_named_in_the_next_summary(
    nights: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(nights / "before", folder)
    _kill(folder, "store_staged")
    night3 = write(folder, "night3.csv", NIGHT2.replace("B", "C").replace("11-26", "11-27"))
    result = run(*_args(folder, night3, "2026-11-27"))
    assert result.exit_code == 0, result.output
    summary = json.loads((folder / "out" / "flags.summary.json").read_text())
    assert summary["recovery"]["rerun_needed"] is True
    assert "RE-RUN NEEDED" in result.output


def test_a_reader_rolls_a_committed_night_forward(nights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    shutil.copytree(nights / "before", folder)
    _kill(folder, "committed")
    assert (folder / "store" / "night.json").exists()
    store = HistoryStore.open(folder / "store", create=False)
    assert store.n_attendances == 4  # the whole new night
    store.close()
    assert not (folder / "store" / "night.json").exists()
    assert _state(folder) == _state(nights / "after")


def test_a_clean_night_reports_no_recovery(nights: Path) -> None:
    summary = json.loads((nights / "after" / "out" / "flags.summary.json").read_text())
    assert summary["recovery"]["previous_night"] == "none"
    assert summary["recovery"]["rerun_needed"] is False


def test_run_flagging_alone_commits_its_store(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    store = tmp_path / "store"
    result = cpflag.run_flagging(att, plans, manifest, history=store, close_loop=True)
    assert result.summary.recovery is not None
    assert not (store / "night.json").exists()
    assert HistoryStore.open(store, create=False).n_attendances == 2


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
