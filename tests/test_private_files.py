"""Issue 17, failure 10: identifying data at rest is owner-only.

The history store, the index cache, the flags, rejects and summary, and any
folder cpflag creates for them: files 0600, folders 0700, whatever the umask
lets others read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag.history import HistoryStore
from tests.helpers import KEZIAH, attendances
from tests.reliability_inputs import flag_args, night, run


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual 022: without the fix, new files would be 0644 and folders 0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): _mode(p) for p in [root, *root.rglob("*")]}


def _assert_owner_only(root: Path) -> None:
    modes = _modes(root)
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (root / name).is_dir() else 0o600)
    }
    assert not wrong, wrong


def test_the_history_store_is_created_owner_only(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    store = tmp_path / "store"
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--history", store)
    assert result.exit_code == 0, result.output
    names = set(_modes(store))
    assert {".", ".lock", "manifest.json", "model.json", "parts"} <= names
    assert any(n.startswith("parts/part-") for n in names)
    assert any(n.startswith("persons-") for n in names)
    _assert_owner_only(store)


def test_files_written_by_later_appends_are_owner_only(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "deep" / "store")  # missing parents too
    store.append(attendances([{"attendance_id": "N1", **KEZIAH}]))
    store.append(attendances([{"attendance_id": "N2", **KEZIAH}]))
    assert store.version == 2
    _assert_owner_only(tmp_path / "deep")


def test_the_index_cache_is_created_owner_only(tmp_path: Path) -> None:
    att, plans, man = night(tmp_path)
    cache = tmp_path / "cache"
    run_ = cpflag.run_flagging(att, plans, man, index_cache=cache)
    assert run_.summary.lists
    assert (cache / "meta.json").exists()
    _assert_owner_only(cache)


def test_flags_rejects_summary_and_their_new_folder_are_owner_only(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    out_dir = tmp_path / "out"
    result = run(*flag_args(att, plans), "--out", out_dir / "f.parquet")
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out_dir)) == ["f.parquet", "f.rejects.csv", "f.summary.json"]
    _assert_owner_only(out_dir)


def test_an_existing_output_keeps_no_wider_mode(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("old\n")
    path.chmod(0o644)
    cpflag.write_table(pl.DataFrame({"a": [1]}), path)
    assert _mode(path) == 0o600
