"""Issue 17, failures 8 and 9: a history store safe under readers, writers and creators."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cpflag import FlagConfig, StoreError
from cpflag.history import HistoryStore, resolve_and_flag_repeats
from cpflag.history import _store as store_mod
from cpflag.history._guard import writer_lock
from tests.helpers import IDRIS, KEZIAH, attendances


def _night(*ids: str, person: dict[str, object] = KEZIAH) -> pl.DataFrame:
    return attendances([{"attendance_id": i, **person} for i in ids])


def test_a_reader_opened_before_an_append_still_reads(tmp_path: Path) -> None:
    writer = HistoryStore.open(tmp_path / "h")
    writer.append(_night("N1", "N2"))
    reader = HistoryStore.open(tmp_path / "h")
    before = reader.frame()
    writer.append(_night("N3"))
    writer.append(_night("N4"))  # the reader's persons file is two versions old
    assert reader.frame().equals(before)
    assert reader.frame(["attendance_id", "person_id"]).height == 2
    reader.refresh()
    assert reader.frame().height == 4
    reader.close()
    writer.append(_night("N5"))
    assert len(list((tmp_path / "h").glob("persons-*.parquet"))) == 1


def test_a_reader_in_another_process_survives_appends_and_compaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "MAX_PARTS", 2)
    writer = HistoryStore.open(tmp_path / "h")
    writer.append(_night("N1"))
    code = (
        "import sys, time\n"
        "from cpflag.history import HistoryStore\n"
        "s = HistoryStore.open(sys.argv[1], create=False)\n"
        "print(s.frame().height, flush=True)\n"
        "sys.stdin.readline()\n"
        "print(s.frame().height, s.frame(['person_id']).height, flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "h")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdin is not None
    assert proc.stdout.readline().strip() == "1"
    for i in range(2, 6):  # compaction rewrites the parts more than once
        writer.append(_night(f"N{i}"))
    proc.stdin.write("\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "1 1"
    writer.append(_night("N9"))  # the reader has gone: its files are cleaned up
    assert len(list((tmp_path / "h" / "parts").glob("*.parquet"))) == len(
        json.loads((tmp_path / "h" / "manifest.json").read_text())["parts"]
    )


def test_the_lock_is_filelock_not_fcntl(tmp_path: Path) -> None:
    source = Path(store_mod.__file__).read_text(encoding="utf-8")
    assert "fcntl" not in source
    store = HistoryStore.open(tmp_path / "h")
    with writer_lock(store.path), pytest.raises(StoreError, match="locked by another"):
        store.append(_night("N1"))
    assert store.append(_night("N1")).added == 1


def _create(path: str) -> str:
    try:
        HistoryStore.open(path).append(_night("X1"))
    except StoreError as exc:
        return f"store error: {exc}"
    except Exception as exc:  # a raw traceback is the failure this test is about
        return f"crash: {type(exc).__name__}: {exc}"
    return "ok"


def test_concurrent_creators_never_crash(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    for trial in range(2):
        path = str(tmp_path / f"h{trial}")
        with ctx.Pool(4) as pool:
            results = pool.map(_create, [path] * 4)
        assert not [r for r in results if r.startswith("crash")], results
        # A loser of the append race is told the store is locked; never a traceback.
        assert all(r == "ok" or "locked by another append" in r for r in results), results
        store = HistoryStore.open(path, create=False)
        assert store.frame()["attendance_id"].to_list() == ["X1"]


@pytest.mark.parametrize("leftover", ["model_only", "model_and_tmp", "empty_parts"])
def test_a_half_created_store_is_repaired(tmp_path: Path, leftover: str) -> None:
    root = tmp_path / "h"
    (root / "parts").mkdir(parents=True)
    (root / ".lock").write_bytes(b"")
    if leftover != "empty_parts":
        (root / "model.json").write_text("{")  # killed mid-write
    if leftover == "model_and_tmp":
        (root / "manifest.json.tmp").write_text("{")
    store = HistoryStore.open(root)
    assert store.append(_night("N1")).added == 1
    assert HistoryStore.open(root, create=False).n_attendances == 1


def test_a_folder_with_other_files_is_still_refused(tmp_path: Path) -> None:
    root = tmp_path / "h"
    root.mkdir()
    (root / "model.json").write_text("{}")
    (root / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a history store"):
        HistoryStore.open(root)


def test_creation_leaves_no_temporary_folder(tmp_path: Path) -> None:
    HistoryStore.open(tmp_path / "h")
    assert [p.name for p in tmp_path.iterdir()] == ["h"]
    assert (tmp_path / "h" / "manifest.json").exists()


def test_idris_and_keziah_stay_two_persons_across_snapshots(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h")
    store.append(_night("K1"))
    store.append(_night("I1", person=IDRIS))
    assert store.frame()["person_id"].n_unique() == 2


def _arrive(att_id: str, day: int, **person: object) -> dict[str, object]:
    return {"attendance_id": att_id, "arrival_time": dt.datetime(2026, 11, day, 10), **person}


def test_a_corrected_resend_replaces_that_nights_rows(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h")
    config = FlagConfig()
    wrong = {**IDRIS, "given_name": "Quentin", "family_name": "Marchbanks", "date_of_birth": None}
    resolve_and_flag_repeats(attendances([_arrive("K1", 1, **KEZIAH)]), store=store, config=config)
    night2 = [_arrive("K2", 2, **wrong), _arrive("I2", 2, **IDRIS)]
    resolve_and_flag_repeats(attendances(night2), store=store, config=config)
    before = store.frame(["attendance_id", "person_id"])
    persons = dict(zip(before["attendance_id"], before["person_id"], strict=True))
    assert persons["K2"] != persons["K1"]  # the mistyped record is someone else
    # The hospital corrects K2 and sends the night again.
    corrected = [_arrive("K2", 2, **KEZIAH), _arrive("I2", 2, **IDRIS)]
    appended = store.append(attendances(corrected), config=config)
    assert appended.replaced == 1
    assert appended.skipped == 1
    assert appended.added == 1
    after = store.frame()
    assert after.height == 3
    persons = dict(zip(after["attendance_id"], after["person_id"], strict=True))
    assert persons["K2"] == persons["K1"]
    assert after.filter(pl.col("attendance_id") == "K2")["given_name"].item() == "Keziah"
    # The same resend again changes nothing.
    again = store.append(attendances(corrected), config=config)
    assert (again.added, again.replaced, again.skipped) == (0, 0, 2)


def test_a_night_loaded_out_of_order_recounts_the_later_nights(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h")
    config = FlagConfig()
    nights = {day: attendances([_arrive(f"K{day}", day, **KEZIAH)]) for day in (1, 2, 3)}
    for day in (1, 3):  # night 2 arrives late
        flags, _ = resolve_and_flag_repeats(nights[day], store=store, config=config)
        assert flags.height == 0
    flags, _ = resolve_and_flag_repeats(nights[2], store=store, config=config)
    # Night 2 is the 2nd attendance (no flag); night 3 is now the 3rd: flagged, lookback.
    assert flags["attendance_id"].to_list() == ["K3"]
    assert flags["found"].to_list() == ["lookback"]
    assert flags["reasons"].item().startswith("child ")
    assert "3rd attendance" in flags["reasons"].item()
    # Loading the later night once more raises nothing new from the recount.
    again, _ = resolve_and_flag_repeats(nights[3], store=store, config=config)
    assert again["found"].to_list() == ["arrival"]
