"""Golden cases: triage (``match_one``) reads review outcomes as the nightly batch does.

A pair a person rejected is not raised again for the same two records (the
attendance's id, the plan's own id, the kind: ``cpflag.contract.FLAG_KEY``);
a confirmed one is shown as a known link. The index reads them from the store
(``build_index(..., history=...)``), and ``match`` and ``match_one`` agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

import cpflag
from cpflag import loop
from tests.helpers import attendances
from tests.loop_cases import AMELIA, OLIVER, P_AMELIA, P_OLIVER, night, plan_rows, visit

D = dt.date
DAY = D(2026, 11, 24)
PLANS = plan_rows(P_OLIVER, P_AMELIA)
#: Amelia moved and no NHS number: a review pair with P2.
AMELIA_MOVED: dict[str, Any] = {**AMELIA, "postcode": "LS1 1AA", "address": "3 X St"}


def _decide(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "attendance_id": [r[0] for r in rows],
            "plan_id": [r[1] for r in rows],
            "flag": ["plan_subject"] * len(rows),
            "outcome": [r[2] for r in rows],
            "decided_on": ["2026-11-25"] * len(rows),
            "decided_by_role": ["named nurse"] * len(rows),
        }
    )


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    visits = [visit("A1", OLIVER, DAY), visit("A2", AMELIA_MOVED, DAY)]
    night(store, visits, PLANS)
    loop.record_outcomes(store, _decide(("A1", "P1", "rejected"), ("A2", "P2", "confirmed")))
    return store


def test_rejected_pair_does_not_come_back_and_confirmed_is_a_known_link(tmp_path: Path) -> None:
    store = _store(tmp_path)
    plain = cpflag.build_index(PLANS)
    before = plain.match_one(visit("A2", AMELIA_MOVED, DAY))
    assert before.select("plan_id", "band").rows() == [("P2", "review")]
    assert before["check"][0] is not None

    index = cpflag.build_index(PLANS, history=store)
    assert index.match_one(visit("A1", OLIVER, DAY)).height == 0
    known = index.match_one(visit("A2", AMELIA_MOVED, DAY))
    assert known.select("plan_id", "band", "check").rows() == [("P2", "match", None)]
    assert known["reasons"][0].startswith("CONFIRMED by review on 2026-11-25 (a known link); ")
    assert known["reasons"][0].endswith(before["reasons"][0])
    # The probability stays the model's own estimate.
    assert known["match_probability"][0] == before["match_probability"][0]


def test_the_pair_is_the_two_records_not_the_child(tmp_path: Path) -> None:
    index = cpflag.build_index(PLANS, history=_store(tmp_path))
    # Another attendance of the same child is a new pair, flagged afresh.
    again = index.match_one(visit("A7", OLIVER, D(2026, 11, 26)))
    assert again.select("plan_id", "band").rows() == [("P1", "match")]
    fresh = index.match_one(visit("A8", AMELIA_MOVED, D(2026, 11, 26)))
    assert fresh.select("plan_id", "band").rows() == [("P2", "review")]


def test_batch_and_triage_agree_with_outcomes(tmp_path: Path) -> None:
    index = cpflag.build_index(PLANS, history=_store(tmp_path))
    visits = [visit("A1", OLIVER, DAY), visit("A2", AMELIA_MOVED, DAY)]
    batch = index.match(attendances(visits))
    one = pl.concat([index.match_one(v) for v in visits])
    assert batch.equals(one)
    assert batch.select("attendance_id", "band").rows() == [("A2", "match")]


def test_latest_decision_in_force(tmp_path: Path) -> None:
    store = _store(tmp_path)
    loop.record_outcomes(
        store,
        _decide(("A1", "P1", "confirmed")).with_columns(pl.lit("2026-11-27").alias("decided_on")),
    )
    index = cpflag.build_index(PLANS, history=store)
    back = index.match_one(visit("A1", OLIVER, DAY))
    assert back.select("plan_id", "band").rows() == [("P1", "match")]
    assert back["reasons"][0].startswith("CONFIRMED by review on 2026-11-27")


def test_nightly_batch_drops_the_same_rejected_pair(tmp_path: Path) -> None:
    store = _store(tmp_path)
    run = night(store, [visit("A1", OLIVER, DAY), visit("A2", AMELIA_MOVED, DAY)], PLANS)
    assert run.flags.filter(pl.col("attendance_id") == "A1").height == 0
    assert run.summary.loop is not None
    assert run.summary.loop["rejected_not_raised"] == 1
