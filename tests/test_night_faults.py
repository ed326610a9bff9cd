"""Issue 17: a full disk at any write of a night, data at rest owner-only, retention.

A full disk (an injected ``ENOSPC``) while the night writes the store, an
output, or the commit record: one clean ``Error:`` line, exit 2, and the store
and the outputs exactly as before the night. Every file a night with every
output creates is owner-only. ``cpflag prune`` removes what is past the date,
in one unit.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import cpflag.history._files as files_mod
import cpflag.history._journal as journal_mod
from cpflag import loop
from cpflag.history import HistoryStore, LoopStore
from tests.reliability_inputs import (
    ENOSPC,
    assert_clean_error,
    flag_args,
    night,
    run,
    snapshot,
    write,
)

NIGHT2 = (
    "attendance_id,arrival_time,given_name,family_name,date_of_birth,sex,postcode\n"
    "B1,2026-11-26 10:00,Zebedee,Quuxworth,2018-03-04,M,LS9 8AB\n"
)


def _night_args(folder: Path, att: Path, as_of: str, *extra: str | Path) -> list[str | Path]:
    return [
        *flag_args(att, folder / "plans.csv", folder / "manifest.csv"),
        *("--out", folder / "out" / "flags.csv", "--history", folder / "store"),
        *("--notifications", folder / "out" / "notifications", "--as-of", as_of),
        *extra,
    ]


@pytest.fixture
def after_night_1(tmp_path: Path) -> Path:
    att, _, _ = night(tmp_path)
    write(tmp_path, "night2.csv", NIGHT2)
    result = run(*_night_args(tmp_path, att, "2026-11-25"))
    assert result.exit_code == 0, result.output
    return tmp_path


def _full(path_part: str) -> Any:
    def fail(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, ENOSPC, path_part)

    return fail


def _state(folder: Path) -> dict[str, bytes]:
    return {
        k: v
        for k, v in snapshot(folder).items()
        if not k.startswith(("store/readers", "store/.lock", "store/loop/.lock"))
    }


def test_a_full_disk_writing_the_store_leaves_the_night_before(
    after_night_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(after_night_1)
    monkeypatch.setattr(files_mod, "write_parquet", _full("store/parts/part-000002.parquet"))
    result = run(*_night_args(after_night_1, after_night_1 / "night2.csv", "2026-11-26"))
    assert_clean_error(result, ENOSPC)
    assert _state(after_night_1) == before


def test_a_full_disk_writing_an_output_leaves_the_night_before(
    after_night_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(after_night_1)
    real = pl.DataFrame.write_csv

    def write_csv(df: pl.DataFrame, file: Any = None, **k: Any) -> Any:
        if "notifications" in str(getattr(file, "name", file)):
            raise OSError(errno.ENOSPC, ENOSPC)
        return real(df, file, **k)

    monkeypatch.setattr(pl.DataFrame, "write_csv", write_csv)
    result = run(*_night_args(after_night_1, after_night_1 / "night2.csv", "2026-11-26"))
    assert_clean_error(result, "cannot write the table", ENOSPC)
    assert _state(after_night_1) == before  # flags, rejects, summary and store too


def test_a_full_disk_writing_the_commit_record_leaves_the_night_before(
    after_night_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(after_night_1)
    real = journal_mod.write_record

    def record(root: Path, data: dict[str, Any], *, durable: bool) -> None:
        if data["state"] == "committed":
            raise OSError(errno.ENOSPC, ENOSPC, str(root / "night.json"))
        real(root, data, durable=durable)

    monkeypatch.setattr(journal_mod, "write_record", record)
    result = run(*_night_args(after_night_1, after_night_1 / "night2.csv", "2026-11-26"))
    assert_clean_error(result, ENOSPC, "night.json")
    assert _state(after_night_1) == before
    monkeypatch.undo()
    again = run(*_night_args(after_night_1, after_night_1 / "night2.csv", "2026-11-26"))
    assert again.exit_code == 0, again.output
    assert HistoryStore.open(after_night_1 / "store", create=False).n_attendances == 3


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_every_file_of_a_full_night_is_owner_only(tmp_path: Path) -> None:
    att, _, _ = night(tmp_path)
    data = tmp_path / "data"
    extra = ("--index-cache", data / "cache", "--fhir", data / "out" / "flags.ndjson")
    args = _night_args(data, att, "2026-11-25", *extra)
    args[args.index("--plans") + 1] = tmp_path / "plans.csv"
    args[args.index("--manifest") + 1] = tmp_path / "manifest.csv"
    result = run(*args)
    assert result.exit_code == 0, result.output
    made = [data, *data.rglob("*"), *data.glob(".*")]
    names = {str(p.relative_to(data)) for p in made}
    assert {"store/manifest.json", "store/loop/manifest.json", "cache/meta.json"} <= names
    assert {"out/flags.csv", "out/flags.ndjson", "out/notifications/E08000035.csv"} <= names
    assert ".store.night.lock" in names
    wrong = {
        str(p.relative_to(data)): oct(stat.S_IMODE(p.stat().st_mode))
        for p in made
        if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {}


def test_prune_removes_what_is_past_the_date_in_one_unit(after_night_1: Path) -> None:
    folder = after_night_1
    assert run(*_night_args(folder, folder / "night2.csv", "2026-11-26")).exit_code == 0
    store = folder / "store"
    loop = LoopStore(store)
    schema = {"attendance_id": pl.String(), "arrival_time": pl.Datetime("us")}
    assert set(loop.read("raised", schema)["attendance_id"]) == {"A1", "B1"}
    result = run("prune", "--history", store, "--before", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert "2 stored attendances" in result.output
    kept = HistoryStore.open(store, create=False)
    assert kept.frame(["attendance_id"])["attendance_id"].to_list() == ["B1"]
    kept.close()
    assert set(loop.read("raised", schema)["attendance_id"]) == {"B1"}
    assert set(loop.read("notified", schema)["attendance_id"]) == {"B1"}
    assert not (store / "night.json").exists()
    assert not list((store / "parts").glob("part-00000[12].parquet"))  # old files gone
    # Idempotent, and counted back from a date.
    again = run("prune", "--history", store, "--retain-days", "400", "--as-of", "2026-11-27")
    assert again.exit_code == 0
    assert "0 stored attendances" in again.output


def test_prune_needs_one_of_before_and_retain_days(after_night_1: Path) -> None:
    store = after_night_1 / "store"
    assert run("prune", "--history", store).exit_code == 2
    both = run("prune", "--history", store, "--before", "2026-01-01", "--retain-days", "5")
    assert both.exit_code == 2


def test_a_killed_prune_changes_nothing(
    after_night_1: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _state(after_night_1)

    def die(name: str) -> None:
        if name == "committed":
            raise KeyboardInterrupt  # stands in for a kill before the renames ...

    monkeypatch.setattr(journal_mod, "on_phase", die)
    with pytest.raises(KeyboardInterrupt):
        loop.prune(after_night_1 / "store", before=dt.date(2026, 11, 26))
    monkeypatch.undo()
    # ... after its commit point: the next open completes it.
    assert (after_night_1 / "store" / "night.json").exists()
    st = HistoryStore.open(after_night_1 / "store", create=False)
    assert st.n_attendances == 0
    st.close()
    assert _state(after_night_1) != before
