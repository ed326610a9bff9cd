"""Issue 17, failure 4: operating-system faults are a clean one-line error, exit 2.

A full disk, a lock file that cannot be opened, a denied permission: anywhere
in a command, the operator gets ``Error: <path>: <reason>`` and status 2 --
never a traceback -- and the history store and earlier outputs are unchanged.
Faults are injected (tests run as root, for whom permissions do not bite).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cpflag
import cpflag.history._files as store_mod
from tests.reliability_inputs import (
    ENOSPC,
    assert_clean_error,
    flag_args,
    night,
    run,
    snapshot,
)


def _fail(exc: OSError) -> Any:
    def raiser(*_a: object, **_k: object) -> None:
        raise exc

    return raiser


@pytest.mark.parametrize(
    ("command", "target", "exc"),
    [
        ("flag", "run_flagging", OSError(errno.ENOSPC, ENOSPC, "/data/night/part.parquet")),
        (
            "flag",
            "run_flagging",
            PermissionError(errno.EACCES, "Permission denied", "/store/.lock"),
        ),
        ("chronology", "resolve_history", OSError(errno.EIO, "Input/output error")),
        ("model", "default_relation_models", PermissionError(errno.EACCES, "Permission denied")),
    ],
)
def test_an_os_error_anywhere_in_a_command_is_one_clean_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, target: str, exc: OSError
) -> None:
    att, plans, _ = night(tmp_path)
    monkeypatch.setattr(cpflag, target, _fail(exc))
    args: dict[str, list[str | Path]] = {
        "flag": [*flag_args(att, plans), "--out", tmp_path / "f.csv"],
        "chronology": ["chronology", "--attendances", att, "--attendance-id", "A1"],
        "model": ["model"],
    }
    result = run(*args[command])
    needles = [str(exc.strerror), type(exc).__name__]
    if exc.filename:
        needles.append(f"{exc.filename}: {exc.strerror}")
    assert_clean_error(result, *needles)


def test_a_full_disk_during_a_store_append_is_clean_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    store = tmp_path / "store"
    out = tmp_path / "f.csv"
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(att, first / "a.csv")
    assert run(*flag_args(first / "a.csv", plans), "--out", out, "--history", store).exit_code == 0
    before_store, before_out = snapshot(store), out.read_bytes()
    night2 = tmp_path / "night2.csv"
    night2.write_text(att.read_text().replace("A1,", "B1,").replace("A2,", "B2,"))

    def full(_df: pl.DataFrame, path: Path) -> None:
        raise OSError(errno.ENOSPC, ENOSPC, str(path))

    monkeypatch.setattr(store_mod, "write_parquet", full)
    result = run(*flag_args(night2, plans), "--out", out, "--history", store)
    assert_clean_error(result, ENOSPC, str(store / "parts"))
    assert snapshot(store) == before_store
    assert out.read_bytes() == before_out  # no half night either


def test_a_lock_file_that_cannot_be_opened_isassert_clean_error(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    store = tmp_path / "store"
    assert (
        run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--history", store).exit_code == 0
    )
    (store / ".lock").unlink()
    (store / ".lock").mkdir()  # cannot be opened for writing, even by root
    result = run(*flag_args(att, plans), "--out", tmp_path / "g.csv", "--history", store)
    assert_clean_error(
        result, f"history store {store}: cannot open the lock file {store / '.lock'}"
    )
    assert not (tmp_path / "g.csv").exists()


def test_a_full_disk_while_saving_the_index_cache_isassert_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, man = night(tmp_path)
    cache = tmp_path / "cache"
    real = pl.DataFrame.write_ipc  # the index cache's files are Arrow IPC

    def write_ipc(df: pl.DataFrame, file: Any, *a: Any, **k: Any) -> None:
        name = str(file) if isinstance(file, str | os.PathLike) else str(file.name)
        if f"{os.sep}.cache." in name:
            raise pl.exceptions.ComputeError(f"underlying IO error: {ENOSPC} (os error 28)")
        real(df, file, *a, **k)

    monkeypatch.setattr(pl.DataFrame, "write_ipc", write_ipc)
    result = run(*flag_args(att, plans, man), "--out", tmp_path / "f.csv", "--index-cache", cache)
    assert_clean_error(result, f"cannot write the index cache in {cache}")
    assert not cache.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cache")] == []


def test_a_full_disk_while_writing_the_outputs_is_clean_and_leaves_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    before = snapshot(tmp_path)

    def fsync(_fd: int) -> None:
        raise OSError(errno.ENOSPC, ENOSPC)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv")
    assert_clean_error(result, f"{tmp_path / 'f.csv'}: cannot write the table (OSError: {ENOSPC})")
    assert snapshot(tmp_path) == before


def test_a_read_only_store_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    store = tmp_path / "store"
    assert (
        run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--history", store).exit_code == 0
    )
    real_access = os.access
    monkeypatch.setattr(
        "cpflag.io._paths.os.access",
        lambda p, mode: not (mode & os.W_OK and Path(p) == store) and real_access(p, mode),
    )
    result = run(*flag_args(att, plans), "--out", tmp_path / "g.csv", "--history", store)
    assert_clean_error(result, f"--history {store}: the folder is not writable")
    assert "reading" not in result.output
