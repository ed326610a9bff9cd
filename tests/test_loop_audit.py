"""The audit on a known store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from cpflag import loop
from cpflag.history import LoopStore
from cpflag.loop import calibration_check
from cpflag.loop._tables import (
    LIST_VERSIONS_SCHEMA,
    NOTIFIED_SCHEMA,
    OUTCOMES_SCHEMA,
    RAISED_SCHEMA,
)
from cpflag.report import charts
from cpflag.report.audit_charts import audit_chart

D = dt.date


def _store(tmp_path: Path) -> Path:
    """A store with five flags over two months, three decided, two notified."""
    root = tmp_path / "store"
    (root).mkdir()
    (root / "manifest.json").write_text("{}")
    raised = pl.DataFrame(
        {
            "attendance_id": ["A1", "A2", "A3", "A4", "A5"],
            "flag": [
                "plan_subject",
                "plan_subject",
                "plan_subject",
                "sibling_of_plan_subject",
                "repeat_attendance",
            ],
            "plan_id": ["P1", "P2", "P3", "P4", None],
            "la_code": ["E1", "E1", "E1", "E2", None],
            "band": ["match", "review", "review", "match", "review"],
            "match_probability": [0.99, 0.55, 0.52, 0.97, None],
            "arrival_time": [
                dt.datetime(2026, 10, 30, 9),
                dt.datetime(2026, 11, 2, 9),
                dt.datetime(2026, 11, 3, 9),
                dt.datetime(2026, 11, 4, 9),
                dt.datetime(2026, 11, 5, 9),
            ],
            "raised_on": [
                D(2026, 10, 30),
                D(2026, 11, 2),
                D(2026, 11, 3),
                D(2026, 11, 6),
                D(2026, 11, 5),
            ],
        }
    )
    raised = raised.with_columns(
        pl.lit(None).cast(t).alias(c) for c, t in RAISED_SCHEMA.items() if c not in raised.columns
    ).select(list(RAISED_SCHEMA))
    outcomes = pl.DataFrame(
        {
            "attendance_id": ["A1", "A2", "A3"],
            "plan_id": ["P1", "P2", "P3"],
            "flag": ["plan_subject"] * 3,
            "outcome": ["confirmed", "confirmed", "rejected"],
            "decided_on": [D(2026, 11, 10)] * 3,
            "decided_by_role": ["safeguarding nurse"] * 3,
        },
        schema=OUTCOMES_SCHEMA,
    )
    notified = pl.DataFrame(
        {
            "notification_id": ["N1", "N4"],
            "la_code": ["E1", "E2"],
            "plan_id": ["P1", "P4"],
            "attendance_id": ["A1", "A4"],
            "flag": ["plan_subject", "sibling_of_plan_subject"],
            "arrival_time": [dt.datetime(2026, 10, 30, 9), dt.datetime(2026, 11, 4, 9)],
            "site_code": [None, None],
            "setting": [None, None],
            "la_contact": [None, None],
            "first_notified_on": [D(2026, 10, 31), D(2026, 11, 6)],
        },
        schema=NOTIFIED_SCHEMA,
    )
    runs = [
        ("E1", D(2026, 10, 1), D(2026, 10, 1)),
        ("E1", D(2026, 10, 8), D(2026, 10, 8)),
        ("E1", D(2026, 10, 15), D(2026, 10, 15)),
        ("E1", D(2026, 11, 5), D(2026, 10, 15)),
        ("E2", D(2026, 10, 1), D(2026, 10, 1)),
        ("E2", D(2026, 11, 5), D(2026, 11, 1)),
    ]
    versions = pl.DataFrame(
        {
            "la_code": [r[0] for r in runs],
            "run_date": [r[1] for r in runs],
            "list_date": [r[2] for r in runs],
        }
    )
    versions = versions.with_columns(
        pl.lit(0).cast(t).alias(c)
        for c, t in LIST_VERSIONS_SCHEMA.items()
        if c not in versions.columns
    ).select(list(LIST_VERSIONS_SCHEMA))
    LoopStore(root).commit(
        {"raised": raised, "outcomes": outcomes, "notified": notified, "list_versions": versions}
    )
    return root


def test_audit_tables(tmp_path: Path) -> None:
    report = loop.audit(_store(tmp_path))
    assert report.by_month.rows() == [
        ("2026-10", "E1", "plan_subject", 1, 1, 1, 0),
        ("2026-11", "E1", "plan_subject", 2, 2, 1, 1),
        ("2026-11", "E2", "sibling_of_plan_subject", 1, 0, 0, 0),
        ("2026-11", None, "repeat_attendance", 1, 0, 0, 0),
    ]
    assert report.by_band.rows() == [("match", 1, 1, 1.0), ("review", 2, 1, 0.5)]
    assert report.by_decile.select("decile", "decided", "confirmed_share").rows() == [
        (6, 2, 0.5),
        (10, 1, 1.0),
    ]
    assert report.notification_days.rows() == [("E1", 1, 1.0, 1), ("E2", 1, 2.0, 2)]
    assert report.list_refresh.rows() == [
        ("E1", 3, 7.0, D(2026, 10, 15), 21, True),
        ("E2", 2, 31.0, D(2026, 11, 1), 4, False),
    ]


def test_audit_text(tmp_path: Path) -> None:
    text = loop.audit(_store(tmp_path)).to_text()
    assert "2026-11  E1         plan_subject                    2      2      1      1" in text
    assert "review  decided     2  confirmed     1  share 50.0%" in text
    assert "p 0.5-0.6  decided     2  mean p 0.535  confirmed 50.0%" in text
    assert "E2         sent      1  median 2.0 d  max 2 d" in text
    assert "E1         listed 2026-10-15  age 21 d  usual refresh 7 d  << OLDER THAN USUAL" in text
    assert "not known to be safe" in text


def test_calibration_from_decisions_improves_an_overconfident_probability() -> None:
    n = 400
    p = [0.9 if i % 2 else 0.6 for i in range(n)]
    # Of the 0.9 flags about 50% are right, of the 0.6 flags 20%: both overconfident.
    draw = np.random.default_rng(0).random(n)
    right = [d < (0.5 if x == 0.9 else 0.2) for d, x in zip(draw, p, strict=True)]
    raised = pl.DataFrame(
        {
            "attendance_id": [f"A{i:03d}" for i in range(n)],
            "plan_id": ["P"] * n,
            "flag": ["plan_subject"] * n,
            "match_probability": p,
        }
    )
    outcomes = raised.select(
        "attendance_id",
        "plan_id",
        "flag",
        pl.Series("outcome", ["confirmed" if r else "rejected" for r in right]),
    )
    check = calibration_check(raised, outcomes)
    assert check.decided == n
    assert check.confirmed == sum(right)
    assert check.ece_before == pytest.approx(0.4, abs=0.05)
    assert check.ece_after is not None
    assert check.ece_after < 0.08
    assert check.improves
    fitted = check.apply(pl.Series([0.9, 0.6]))
    assert fitted[0] == pytest.approx(0.5, abs=0.05)
    assert fitted[1] == pytest.approx(0.2, abs=0.05)


def test_calibration_with_too_few_decisions(tmp_path: Path) -> None:
    check = loop.calibration(_store(tmp_path))
    assert check.decided == 3
    assert check.ece_after is None
    assert not check.improves


def test_audit_chart_counts_per_month_and_calibration(tmp_path: Path) -> None:
    report = loop.audit(_store(tmp_path))
    spec = audit_chart(report).to_dict()
    monthly, calib = spec["hconcat"]
    got = {(r["month"], r["measure"]): r["count"] for r in monthly["data"]["values"]}
    assert got == {
        ("2026-10", "flags"): 1,
        ("2026-10", "reviewed"): 1,
        ("2026-10", "confirmed"): 1,
        ("2026-10", "rejected"): 0,
        ("2026-11", "flags"): 4,
        ("2026-11", "reviewed"): 2,
        ("2026-11", "confirmed"): 1,
        ("2026-11", "rejected"): 1,
    }
    points = calib["layer"][1]["data"]["values"]
    assert [(p["decile"], p["decided"], p["confirmed_share"]) for p in points] == [
        (6, 2, 0.5),
        (10, 1, 1.0),
    ]
    svg = charts.svg(audit_chart(report))
    assert "Calibration from decisions" in svg
    assert "<svg" in svg
