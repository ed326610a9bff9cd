"""Golden cases for list versions and look-back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag import loop
from cpflag.history import LoopStore, _loop_store
from tests.loop_cases import AMELIA, OLIVER, OTHER, P_AMELIA, P_OLIVER, night, plan_rows, visit

D = dt.date
N1, N2, N3 = D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25)


def test_late_plan_is_raised_by_lookback_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = night(store, [visit("A1", AMELIA, N1), visit("A2", OLIVER, N1)], plan_rows(P_OLIVER))
    assert first.flags.filter(pl.col("plan_id") == "P2").height == 0
    assert first.summary.loop is not None
    assert first.summary.loop["first_list_version"]

    # Amelia's plan (started long before N1) reaches the list on N2.
    both = plan_rows(P_OLIVER, P_AMELIA, list_date=N2)
    second = night(store, [visit("A3", OTHER, N2)], both)
    late = second.flags.filter(pl.col("found") == "lookback")
    assert late.select("attendance_id", "plan_id", "flag").rows() == [("A1", "P2", "plan_subject")]
    assert late["band"].to_list() == ["match"]
    assert second.notifications is not None
    assert second.notifications.select("attendance_id", "plan_id").rows() == [("A1", "P2")]
    assert second.summary.loop is not None
    assert second.summary.loop["lookback_flags"] == 1
    changes = {r["la_code"]: r for r in second.summary.loop["list_changes"]}
    assert changes["E1"]["new"] == 1
    assert changes["E1"]["rows"] == 2

    # Re-running N2 raises it again on N2 (same files); N3 never does.
    again = night(store, [visit("A3", OTHER, N2)], both)
    assert again.flags.filter(pl.col("found") == "lookback").height == 1
    assert again.notifications is not None
    assert again.notifications.equals(second.notifications)
    third = night(store, [visit("A4", OTHER, N3)], plan_rows(P_OLIVER, P_AMELIA, list_date=N3))
    assert third.flags.filter(pl.col("found") == "lookback").height == 0
    assert third.notifications is not None
    assert third.notifications.height == 0
    raised = loop.raised_flags(store).filter(pl.col("plan_id") == "P2")
    assert raised.select("attendance_id", "found", "raised_on").rows() == [("A1", "lookback", N2)]


def test_lookback_window_limits_the_history(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = N1 - dt.timedelta(days=100)
    night(store, [visit("A1", AMELIA, old)], plan_rows(P_OLIVER))
    run = cpflag.run_flagging(
        cpflag.read_attendances(pl.DataFrame([visit("A3", OTHER, N2)])),
        plan_rows(P_OLIVER, P_AMELIA),
        history=store,
        close_loop=True,
        lookback_days=90,
        as_of=N2,
    )
    assert run.flags.filter(pl.col("found") == "lookback").height == 0


def test_list_changes_and_warnings(tmp_path: Path) -> None:
    store = tmp_path / "store"
    many = [
        {**P_OLIVER, "plan_id": f"P{i}", "given_name": f"Kid{i}", "nhs_number": None}
        for i in range(10, 20)
    ]
    night(store, [visit("A1", OTHER, N1)], plan_rows(P_OLIVER, *many))
    ended = {**many[0], "end_date": N2}
    changed = {**many[1], "address": "14 Oak Road"}
    run = night(
        store,
        [visit("A2", OTHER, N2)],
        plan_rows({**P_OLIVER, "nhs_number": None}, ended, changed, many[2]),
    )
    assert run.summary.loop is not None
    e1 = run.summary.loop["list_changes"][0]
    assert (e1["rows"], e1["new"], e1["changed"], e1["ended"], e1["removed"]) == (4, 0, 3, 1, 7)
    warnings = run.summary.loop["warnings"]
    assert any("shrank from 11 to 4" in w for w in warnings)
    assert any("no NHS number" in w for w in warnings)
    assert "WARNING: list of E1 shrank" in run.summary.to_text()


def test_killed_commit_leaves_the_loop_tables_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    night(store, [visit("A1", OLIVER, N1)], plan_rows(P_OLIVER))
    ls = LoopStore(store)
    before = ls.version
    sent = loop.notifications(store)
    calls = {"n": 0}
    real = _loop_store.write_parquet

    def dying(df: pl.DataFrame, path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(df, path)

    monkeypatch.setattr(_loop_store, "write_parquet", dying)
    with pytest.raises(cpflag.StoreError, match="cannot write the loop tables"):
        night(store, [visit("A2", AMELIA, N2)], plan_rows(P_OLIVER, P_AMELIA))
    monkeypatch.undo()
    assert ls.version == before
    assert loop.notifications(store).equals(sent)
    assert sorted(p.name for p in ls.folder.glob("*.parquet")) == sorted(
        f"{n}-{before:06d}.parquet"
        for n in ("list_versions", "notified", "outcomes", "plan_versions", "plans_seen", "raised")
    )
