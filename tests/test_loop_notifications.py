"""Golden cases for notifications per LA: who is told, once, and who is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag import loop
from cpflag.loop._tables import NOTIFIED_SCHEMA
from tests.loop_cases import AMELIA, OLIVER, OTHER, P_OLIVER, P_OTHER_LA, night, plan_rows, visit

D = dt.date
NIGHT1, NIGHT2 = D(2026, 11, 24), D(2026, 11, 25)
PLANS = plan_rows(P_OLIVER, P_OTHER_LA)


def test_plan_subject_at_match_reaches_its_la_once(tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = night(store, [visit("A1", OLIVER, NIGHT1), visit("A2", OTHER, NIGHT1)], PLANS)
    assert run.notifications is not None
    rows = run.notifications.to_dicts()
    assert [(r["la_code"], r["plan_id"], r["attendance_id"], r["flag"]) for r in rows] == [
        ("E1", "P1", "A1", "plan_subject")
    ]
    assert rows[0]["notification_id"] == loop.notification_id("A1", "P1", "plan_subject")
    assert rows[0]["first_notified_on"] == NIGHT1
    assert rows[0]["la_contact"] == "E1 duty team"
    assert rows[0]["site_code"] == "RR801"
    assert list(run.notifications.columns) == list(loop.NOTIFICATION_COLUMNS)
    by_la = run.notifications_by_la()
    assert sorted(by_la) == ["E1", "E2"]
    assert by_la["E2"].height == 0

    # Re-running the night gives the same rows; the ledger holds one.
    again = night(store, [visit("A1", OLIVER, NIGHT1), visit("A2", OTHER, NIGHT1)], PLANS)
    assert again.notifications is not None
    assert again.notifications.equals(run.notifications)
    assert loop.notifications(store).height == 1

    # The next night (the attendance resubmitted) sends nothing new for it.
    nxt = night(store, [visit("A1", OLIVER, NIGHT1), visit("A3", AMELIA, NIGHT2)], PLANS)
    assert nxt.notifications is not None
    assert nxt.notifications.height == 0
    assert loop.notifications(store, run_date=NIGHT1).height == 1


def test_la_without_a_list_gets_nothing_and_the_summary_says_so(tmp_path: Path) -> None:
    run = night(tmp_path / "s", [visit("A1", OLIVER, NIGHT1)], PLANS)
    assert run.summary.loop is not None
    assert run.summary.loop["not_notified_no_list"] == ["E3"]
    assert run.summary.loop["notifications"] == {"E1": 1, "E2": 0}
    text = run.summary.to_text()
    assert "NOTHING SENT to E3" in text
    assert "safe" not in text.replace("does not mean a child is safe", "")


def test_files_one_per_loaded_la(tmp_path: Path) -> None:
    run = night(tmp_path / "s", [visit("A1", OLIVER, NIGHT1)], PLANS)
    assert run.notifications is not None
    paths = loop.write_notifications(run.notifications, tmp_path / "out", run.loaded_las)
    assert [p.name for p in paths] == ["E1.csv", "E2.csv"]
    e1 = pl.read_csv(tmp_path / "out" / "E1.csv")
    assert e1["attendance_id"].to_list() == ["A1"]
    assert pl.read_csv(tmp_path / "out" / "E2.csv").height == 0
    assert (tmp_path / "out" / "E1.csv").stat().st_mode & 0o077 == 0


def test_rejected_pair_is_not_raised_or_sent(tmp_path: Path) -> None:
    outcomes = pl.DataFrame(
        {
            "attendance_id": ["A1"],
            "plan_id": ["P1"],
            "flag": ["plan_subject"],
            "outcome": ["rejected"],
            "decided_on": ["2026-11-23"],
            "decided_by_role": ["named nurse"],
        }
    )
    run = night(tmp_path / "s", [visit("A1", OLIVER, NIGHT1)], PLANS, outcomes=outcomes)
    assert run.notifications is not None
    assert run.notifications.height == 0
    assert run.flags.filter(pl.col("plan_id") == "P1").height == 0
    assert run.summary.loop is not None
    assert run.summary.loop["rejected_not_raised"] == 1


def test_close_loop_needs_a_store() -> None:
    with pytest.raises(cpflag.ConfigError, match="history store"):
        cpflag.run_flagging(
            pl.DataFrame({"attendance_id": ["A"], "arrival_time": ["2026-11-24 10:00"]}),
            PLANS,
            close_loop=True,
        )


def test_confirmed_review_flag_is_notified_once() -> None:
    raised = pl.DataFrame(
        {
            "attendance_id": ["A1", "A2", "A3"],
            "flag": ["sibling_of_plan_subject", "plan_subject", "plan_subject"],
            "plan_id": ["P1", "P2", "P3"],
            "la_code": ["E1", "E1", "E9"],
            "band": ["review", "review", "match"],
            "arrival_time": [dt.datetime(2026, 11, 24, 10)] * 3,
            "raised_on": [NIGHT1] * 3,
        }
    ).with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in ("site_code", "setting", "la_contact")
    )
    outcomes = pl.DataFrame(
        {
            "attendance_id": ["A1"],
            "plan_id": ["P1"],
            "flag": ["sibling_of_plan_subject"],
            "outcome": ["confirmed"],
            "decided_on": [NIGHT2],
        }
    )
    ledger = pl.DataFrame(schema=NOTIFIED_SCHEMA)
    sent, ledger = loop.due_notifications(raised, outcomes, ledger, NIGHT2, ["E1"])
    # The unconfirmed review (A2) waits; E9's list is not loaded tonight (A3 waits).
    assert sent["attendance_id"].to_list() == ["A1"]
    sent2, _ = loop.due_notifications(raised, outcomes, ledger, D(2026, 11, 26), ["E1", "E9"])
    assert sent2["attendance_id"].to_list() == ["A3"]
