"""Golden cases for the review worklist and review outcomes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag import loop
from cpflag.loop._tables import OUTCOMES_SCHEMA, RAISED_SCHEMA
from cpflag.loop._worklist import worklist
from tests.loop_cases import OLIVER, OLIVER_NHS, P_OLIVER, night, plan_rows, visit

D = dt.date


def _raised() -> pl.DataFrame:
    rows = [
        ("A1", "repeat_attendance", None, 0.9),
        ("A2", "carer_of_plan_subject", "P1", 0.8),
        ("A3", "plan_subject", "P2", 0.4),
        ("A4", "newborn_of_unborn_plan", "P3", 0.5),
        ("A5", "plan_subject", "P4", 0.7),
        ("A6", "sibling_of_plan_subject", "P5", 0.9),
        ("A7", "plan_subject", "P6", 0.99),
    ]
    df = pl.DataFrame(
        {
            "attendance_id": [r[0] for r in rows],
            "flag": [r[1] for r in rows],
            "plan_id": [r[2] for r in rows],
            "match_probability": [r[3] for r in rows],
            "band": ["review"] * 6 + ["match"],
            "check": ["trace both NHS numbers"] * 7,
            "reasons": ["dob exact (+12.6)"] * 7,
            "list_age_days": [5] * 7,
            "arrival_time": [dt.datetime(2026, 11, 24, 10)] * 7,
            "raised_on": [D(2026, 11, 24)] * 7,
        }
    )
    return df.with_columns(
        pl.lit(None).cast(t).alias(c) for c, t in RAISED_SCHEMA.items() if c not in df.columns
    ).select(list(RAISED_SCHEMA))


def _outcomes(**cols: list[object]) -> pl.DataFrame:
    base: dict[str, list[object]] = {
        "attendance_id": ["A5"],
        "plan_id": ["P4"],
        "flag": ["plan_subject"],
        "outcome": ["rejected"],
        "decided_on": ["2026-11-25"],
    }
    return pl.DataFrame({**base, **cols})


def test_most_harmful_first_with_check_and_evidence() -> None:
    empty = pl.DataFrame(schema=OUTCOMES_SCHEMA)
    table = worklist(_raised(), empty)
    assert table["attendance_id"].to_list() == ["A5", "A3", "A4", "A6", "A2", "A1"]
    assert table["priority"].to_list() == [1, 2, 3, 4, 5, 6]
    assert set(table["check"]) == {"trace both NHS numbers"}
    assert list(table.columns) == list(loop.WORKLIST_COLUMNS)
    decided = loop.read_outcomes(_outcomes())
    assert worklist(_raised(), decided)["attendance_id"].to_list()[0] == "A3"


def test_outcomes_validated_with_file_column_and_row(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    _outcomes(
        attendance_id=["A5", "A6"],
        plan_id=["P4", "P5"],
        flag=["plan_subject", "sibling_of_plan_subject"],
        outcome=["rejected", "maybe"],
        decided_on=["2026-11-25", "2026-11-25"],
    ).write_csv(path)
    with pytest.raises(cpflag.InputError) as err:
        loop.read_outcomes(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "'outcome'" in msg
    assert "row 2 (id A6)" in msg

    _outcomes(decided_on=["30th of Nov"]).write_csv(path)
    with pytest.raises(cpflag.ParseError, match=r"'decided_on'.*row 1 \(id A5\)"):
        loop.read_outcomes(path)

    _outcomes().drop("decided_on").write_csv(path)
    with pytest.raises(cpflag.MissingColumnError, match="decided_on"):
        loop.read_outcomes(path)

    _outcomes(flag=["half_sibling"]).write_csv(path)
    with pytest.raises(cpflag.InputError, match="unknown flag kind"):
        loop.read_outcomes(path)


def test_identifying_columns_refused_without_their_values(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.csv"
    _outcomes(nhs_number=[OLIVER_NHS], given_name=["Oliver"]).write_csv(path)
    with pytest.raises(cpflag.InputError) as err:
        loop.read_outcomes(path)
    msg = str(err.value)
    assert "given_name" in msg
    assert "nhs_number" in msg
    assert OLIVER_NHS not in msg
    assert "Oliver" not in msg


def test_latest_decision_in_force_and_kept_across_reopen(tmp_path: Path) -> None:
    store = tmp_path / "store"
    night(store, [visit("A1", OLIVER, D(2026, 11, 24))], plan_rows(P_OLIVER))
    first = _outcomes(attendance_id=["A1"], plan_id=["P1"], outcome=["confirmed"])
    loop.record_outcomes(store, first)
    later = _outcomes(
        attendance_id=["A1"], plan_id=["P1"], outcome=["rejected"], decided_on=["2026-11-26"]
    )
    inforce = loop.record_outcomes(cpflag.HistoryStore.open(store), later)
    assert inforce.select("outcome", "decided_on").rows() == [("rejected", D(2026, 11, 26))]
    # Re-running the first night (the plan row refreshed, same plan_id): never raised again.
    refreshed = plan_rows({**P_OLIVER, "la_contact": "new duty number"})
    run = night(store, [visit("A1", OLIVER, D(2026, 11, 24))], refreshed)
    assert run.flags.filter(pl.col("plan_id") == "P1").height == 0


def test_same_day_conflict_is_an_error(tmp_path: Path) -> None:
    df = pl.concat([_outcomes(), _outcomes(outcome=["confirmed"])])
    with pytest.raises(cpflag.DuplicateIdError, match="both confirmed and rejected"):
        loop.read_outcomes(df)


def test_worklist_from_store_lists_open_reviews(tmp_path: Path) -> None:
    store = tmp_path / "store"
    night(store, [visit("A1", OLIVER, D(2026, 11, 24))], plan_rows(P_OLIVER))
    # A1 is a match: nothing to review.
    assert loop.worklist(store).height == 0
    with pytest.raises(cpflag.StoreError, match="no history store"):
        loop.worklist(tmp_path / "nowhere")
