"""The history store: nightly appends, idempotence, atomicity, determinism, merges."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cpflag import DuplicateIdError, FlagConfig, StoreError
from cpflag.history import HistoryStore, attendance_model, resolve_and_flag_repeats
from cpflag.history import _files as store_mod
from cpflag.history import _store as store_class_mod
from cpflag.history._guard import writer_lock
from tests.helpers import IDRIS, KEZIAH, attendances, nhs

T0 = dt.datetime(2025, 3, 1, 9, 0)
HOME = {"postcode": "LS6 1AA", "address": "4 Hyde Park Road", "site_code": "RJ101"}
KEZ = {**KEZIAH, **HOME}
SIB = {**IDRIS, **HOME}
OTHER = {
    "given_name": "Wen",
    "family_name": "Zhao",
    "date_of_birth": dt.date(2012, 8, 30),
    "sex": "F",
    "postcode": "M1 1AE",
    "address": "9 Oak Lane",
    "site_code": "RR801",
}


def night(day: int, *people: tuple[str, dict[str, Any]]) -> pl.DataFrame:
    return attendances(
        [
            {**p, "attendance_id": aid, "arrival_time": T0 + dt.timedelta(days=day, hours=i)}
            for i, (aid, p) in enumerate(people)
        ]
    )


NIGHTS = [
    night(0, ("n0a", KEZ), ("n0b", OTHER)),
    night(40, ("n1a", {**KEZ, "given_name": "Kez", "nhs_number": None}), ("n1b", SIB)),
    night(80, ("n2a", KEZ), ("n2b", SIB), ("n2c", SIB)),
]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def build(root: Path, nights: list[pl.DataFrame] = NIGHTS) -> list[pl.DataFrame]:
    st = HistoryStore.open(root)
    return [resolve_and_flag_repeats(n, store=st)[0] for n in nights]


def test_nights_resolve_against_the_history_and_flag_across_nights(tmp_path: Path) -> None:
    flags = build(tmp_path / "h")
    st = HistoryStore.open(tmp_path / "h", create=False)
    frame = st.frame(["attendance_id", "person_id", "family_id"])
    p = dict(zip(frame["attendance_id"], frame["person_id"], strict=True))
    assert p["n0a"] == p["n1a"] == p["n2a"] == "P-n0a"
    assert p["n1b"] == p["n2b"] == p["n2c"]
    assert p["n0b"] != p["n0a"]
    assert st.version == 3
    assert st.n_attendances == 7
    last = {r["attendance_id"]: r for r in flags[2].iter_rows(named=True)}
    assert last["n2a"]["band"] == "match"
    assert last["n2a"]["reasons"].startswith("child P-n0a: 3rd attendance in 365 days")
    # Idris's 3rd (same night) is flagged; his family (same home) adds Keziah's.
    assert last["n2c"]["score"] == 3.0
    assert "family" in last["n2c"]["reasons"]
    assert flags[0].height == 0


def test_same_night_twice_gives_identical_store_and_flags(tmp_path: Path) -> None:
    root = tmp_path / "h"
    st = HistoryStore.open(root)
    for n in NIGHTS[:2]:
        resolve_and_flag_repeats(n, store=st)
    first_flags, first_res = resolve_and_flag_repeats(NIGHTS[2], store=st)
    before = snapshot(root)
    again_flags, again_res = resolve_and_flag_repeats(NIGHTS[2], store=st)
    assert snapshot(root) == before
    assert again_flags.equals(first_flags)
    assert again_res.equals(first_res)
    assert st.version == 3


def test_person_ids_are_deterministic_across_stores(tmp_path: Path) -> None:
    build(tmp_path / "a")
    build(tmp_path / "b")
    a = HistoryStore.open(tmp_path / "a").frame()
    b = HistoryStore.open(tmp_path / "b").frame()
    assert a.equals(b)


@pytest.mark.parametrize("fail_on", ["persons", "manifest"])
def test_an_interrupted_append_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    root = tmp_path / "h"
    st = HistoryStore.open(root)
    resolve_and_flag_repeats(NIGHTS[0], store=st)
    before = snapshot(root)
    real_parquet, real_json = store_mod.write_parquet, store_mod.write_json

    def parquet(df: pl.DataFrame, path: Path) -> None:
        if fail_on == "persons" and path.name.startswith("persons-"):
            real_parquet(df.head(1), path)  # a half-written file ...
            raise OSError("disk full")  # ... then the failure
        real_parquet(df, path)

    def manifest(path: Path, data: dict[str, Any]) -> None:
        path.with_name(path.name + ".tmp").write_text("{ half")
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "write_parquet", parquet)
    if fail_on == "manifest":
        monkeypatch.setattr(store_mod, "write_json", manifest)
    with pytest.raises(OSError, match="disk full"):
        st.append(NIGHTS[1])
    assert snapshot(root) == before
    reopened = HistoryStore.open(root, create=False)
    assert reopened.version == 1
    assert reopened.n_attendances == 2
    monkeypatch.setattr(store_mod, "write_parquet", real_parquet)
    monkeypatch.setattr(store_mod, "write_json", real_json)
    # The same append then succeeds, as if nothing had happened.
    st.append(NIGHTS[1])
    build(tmp_path / "clean", NIGHTS[:2])
    assert st.frame().equals(HistoryStore.open(tmp_path / "clean").frame())


def test_a_crash_leftover_is_ignored_and_cleaned_up(tmp_path: Path) -> None:
    root = tmp_path / "h"
    st = HistoryStore.open(root)
    st.append(NIGHTS[0])
    (root / "parts" / "part-000002.parquet").write_bytes(b"junk from a killed run")
    (root / "persons-000002.parquet").write_bytes(b"junk")
    assert HistoryStore.open(root).frame().height == 2
    st.append(NIGHTS[1])
    assert st.frame().height == 4
    assert sorted(p.name for p in root.glob("persons-*")) == ["persons-000002.parquet"]


def test_a_new_record_merges_two_stored_persons(tmp_path: Path) -> None:
    nat = {"family_name": "Patel", "date_of_birth": dt.date(2020, 3, 4), "sex": "F"}
    n1 = night(
        0,
        ("a1", {**nat, "given_name": "Natalie", "nhs_number": nhs("943476591"), **HOME}),
        (
            "b1",
            {
                **nat,
                "given_name": "Nat",
                "local_patient_id": "M77",
                "site_code": "RR801",
                "postcode": "M1 1AE",
                "address": "9 Oak Lane",
            },
        ),
    )
    n2 = night(
        5,
        (
            "c1",
            {
                **nat,
                "given_name": "Natalie",
                "nhs_number": nhs("943476591"),
                "local_patient_id": "M77",
                "site_code": "RR801",
            },
        ),
    )
    st = HistoryStore.open(tmp_path / "h")
    st.append(n1)
    frame = st.frame(["attendance_id", "person_id"])
    assert frame["person_id"].n_unique() == 2
    res = st.append(n2)
    assert res.merged_persons == 1
    frame = st.frame(["attendance_id", "person_id"])
    assert frame["person_id"].to_list() == ["P-a1"] * 3


def test_duplicate_ids_in_a_batch_are_an_error_and_change_nothing(tmp_path: Path) -> None:
    root = tmp_path / "h"
    st = HistoryStore.open(root)
    st.append(NIGHTS[0])
    before = snapshot(root)
    bad = pl.concat([NIGHTS[1], NIGHTS[1].head(1)])
    with pytest.raises(DuplicateIdError, match="id n1a"):
        st.append(bad)
    assert snapshot(root) == before


def test_open_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no history store"):
        HistoryStore.open(tmp_path / "missing", create=False)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x")
    with pytest.raises(StoreError, match="not a history store"):
        HistoryStore.open(tmp_path / "busy")
    st = HistoryStore.open(tmp_path / "h")
    other = attendance_model()
    other = type(other)(
        comparisons=other.comparisons,
        blocking_rules=other.blocking_rules[:3],
        prior=other.prior,
        thresholds=other.thresholds,
        guards=other.guards,
    )
    with pytest.raises(StoreError, match="another resolution model"):
        HistoryStore.open(st.path, model=other)
    with pytest.raises(StoreError, match="own resolution model"):
        resolve_and_flag_repeats(NIGHTS[0], store=st, model=other)
    manifest = json.loads((st.path / "manifest.json").read_text())
    (st.path / "manifest.json").write_text(json.dumps({**manifest, "format": "other/9"}))
    with pytest.raises(StoreError, match="format"):
        HistoryStore.open(st.path)


def test_a_second_concurrent_append_is_refused(tmp_path: Path) -> None:
    st = HistoryStore.open(tmp_path / "h")
    other = HistoryStore.open(tmp_path / "h")
    with writer_lock(st.path), pytest.raises(StoreError, match="locked"):
        other.append(NIGHTS[0])


def test_empty_store_reads_as_an_empty_frame(tmp_path: Path) -> None:
    st = HistoryStore.open(tmp_path / "h")
    assert st.frame(["attendance_id", "person_id"]).height == 0
    with pytest.raises(StoreError, match="no column"):
        st.frame(["given_name_x"])
    flags, resolved = resolve_and_flag_repeats(NIGHTS[0].clear(), store=st)
    assert flags.height == 0
    assert resolved.height == 0


def test_compaction_keeps_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(tmp_path / "ref")
    monkeypatch.setattr(store_class_mod, "MAX_PARTS", 2)
    build(tmp_path / "h")
    assert len(list((tmp_path / "h" / "parts").iterdir())) == 1
    assert len(list((tmp_path / "ref" / "parts").iterdir())) == 3
    assert (
        HistoryStore.open(tmp_path / "h")
        .frame()
        .equals(HistoryStore.open(tmp_path / "ref").frame())
    )


def test_config_adult_age_is_used(tmp_path: Path) -> None:
    st = HistoryStore.open(tmp_path / "h")
    flags, _ = resolve_and_flag_repeats(NIGHTS[0], store=st, config=FlagConfig(adult_age=5))
    assert st.frame(["is_child"])["is_child"].to_list() == [False, False]
    assert flags.height == 0


def test_a_part_missing_a_prepared_column_is_re_prepared(tmp_path: Path) -> None:
    # As if the part had been written by an older cpflag without that column.
    st = HistoryStore.open(tmp_path / "h")
    st.append(NIGHTS[0])
    st.append(NIGHTS[1])
    expected = st.frame()
    part = tmp_path / "h" / "parts" / "part-000001.parquet"
    pl.read_parquet(part).drop("given_ph", "household_key").write_parquet(part)
    assert st.frame().equals(expected)
