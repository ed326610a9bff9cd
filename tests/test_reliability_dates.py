"""Issue 17, failure 6: one wrong date never moves the run; implausible dates are rejects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

import cpflag
from cpflag import io
from tests.reliability_inputs import (
    ATTENDANCES,
    MANIFEST,
    NAMES,
    PLANS,
    flag_args,
    night,
    run,
    write,
)

AS_OF = dt.date(2026, 11, 26)


def _reasons(rejects: pl.DataFrame, column: str) -> list[str]:
    return rejects.filter(pl.col("column") == column).get_column("reason").to_list()


def test_a_future_arrival_never_moves_the_as_of_date(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    att.write_text(ATTENDANCES + "A3,2031-11-25 10:00,Ottoline,Brackenbury,2012-01-02,F,LS1 4AP\n")
    result = cpflag.run_flagging(att, plans, manifest, as_of=AS_OF)
    assert result.summary.as_of == AS_OF
    (li,) = result.summary.lists
    assert li.age_days == 6
    assert not li.stale
    assert "A3" not in result.flags["attendance_id"].to_list()
    late = result.rejects.filter(pl.col("record_id") == "A3")
    assert late["action"].to_list() == ["row_rejected"]
    assert "after the run's as-of date" in late["reason"].item()


def test_the_as_of_date_defaults_to_the_run_date(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    assert cpflag.run_flagging(att, plans, manifest).summary.as_of == dt.date.today()


def test_cli_as_of_option(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    att.write_text(ATTENDANCES + "A3,2031-11-25 10:00,Ottoline,Brackenbury,2012-01-02,F,LS1 4AP\n")
    out = tmp_path / "flags.csv"
    result = run(*flag_args(att, plans, manifest), "--out", out, "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "flags.summary.json").read_text())
    assert summary["as_of"] == "2026-11-26"
    assert summary["lists"][0]["age_days"] == 6
    for name in NAMES:
        assert name not in result.output


def test_a_list_dated_after_the_as_of_date_has_no_negative_age(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    manifest = write(tmp_path, "m.csv", "la_code,list_date\nE08000035,2026-11-25\n")
    summary = cpflag.run_flagging(att, plans, manifest, as_of=dt.date(2026, 11, 20)).summary
    (li,) = summary.lists
    assert li.age_days is None
    assert li.stale
    assert "dated after the as-of date" in summary.to_text()
    assert "-5 days" not in summary.to_text()


def test_a_future_list_date_column_is_ignored_with_a_reason(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    plans = write(
        tmp_path,
        "plans.csv",
        PLANS.replace("postcode\n", "postcode,list_date\n", 1)
        .replace("LS9 8AB\n", f"LS9 8AB,{future}\n")
        .replace("LS1 4AP\n", "LS1 4AP,2026-11-20\n"),
    )
    res = io.read_plans(plans)
    assert res.table["list_date"].to_list() == [None, dt.date(2026, 11, 20)]
    assert _reasons(res.rejects, "list_date") == [
        "list_date: over a year in the future; list age unknown"
    ]


def test_implausible_dates_of_birth_are_rejects_with_reasons(tmp_path: Path) -> None:
    att = write(
        tmp_path,
        "att.csv",
        "attendance_id,arrival_time,given_name,family_name,date_of_birth\n"
        "A1,2026-11-25 10:00,Zebedee,Quuxworth,1900-01-01\n"
        "A2,2026-11-25 10:00,Xanthippe,Vorpalsson,1899-05-06\n"
        "A3,2026-11-25 10:00,Ottoline,Brackenbury,2027-01-02\n"
        "A4,2026-11-25 10:00,Ottoline,Brackenbury,2016-01-02\n",
    )
    res = io.read_attendances(att)
    assert res.table["date_of_birth"].to_list() == [
        None,
        None,
        dt.date(2027, 1, 2),  # kept, reported: a newborn's date may be mistyped
        dt.date(2016, 1, 2),
    ]
    dob = res.rejects.filter(pl.col("column") == "date_of_birth")
    assert dob["record_id"].to_list() == ["A1", "A2", "A3"]
    assert dob["action"].to_list() == ["value_ignored", "value_ignored", "value_doubtful"]
    assert "after the arrival" in dob["reason"][2]
    for reason in dob["reason"]:
        assert "19" not in reason.split(":", 1)[1].replace("1900 or earlier", "")


def test_a_plan_date_of_birth_in_the_future_is_reported(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    plans = write(tmp_path, "plans.csv", PLANS.replace("2012-01-02", future))
    res = io.read_plans(plans, manifest=write(tmp_path, "m.csv", MANIFEST))
    assert _reasons(res.rejects, "date_of_birth") == ["date_of_birth: in the future; kept"]


def test_a_plan_ending_before_it_starts_is_a_reject(tmp_path: Path) -> None:
    plans = write(
        tmp_path,
        "plans.csv",
        PLANS.replace("start_date,", "start_date,end_date,")
        .replace("2025-01-01,Zebedee", "2025-01-01,2024-01-01,Zebedee")
        .replace("2025-01-01,Ottoline", "2025-01-01,,Ottoline"),
    )
    res = io.read_plans(plans)
    assert _reasons(res.rejects, "end_date") == [
        "end_date: before start_date; plan treated as open"
    ]
    assert res.table["end_date"].to_list() == [None, None]


def _arrivals(days: list[dt.date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"arrival_time": [dt.datetime.combine(d, dt.time(10)) for d in days]},
        schema={"arrival_time": pl.Datetime("us")},
    )


def test_default_as_of_is_today_when_the_data_are_not_ahead() -> None:
    today = dt.date(2026, 12, 3)
    days = [dt.date(2026, 11, 25)] * 9 + [dt.date(2031, 11, 25)]
    assert io.default_as_of(_arrivals(days), today) == today


def test_default_as_of_follows_data_dated_after_today_but_not_a_typo() -> None:
    """A simulated future night is not lost; one mistyped year there still is."""
    today = dt.date(2026, 12, 3)
    night_day = dt.date(2030, 3, 4)
    days = [night_day] * 9 + [dt.date(2035, 3, 4)]
    assert io.default_as_of(_arrivals(days), today) == night_day
    assert io.default_as_of(_arrivals([]), today) == today


def test_a_night_dated_after_today_is_flagged_not_rejected(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    base = cpflag.run_flagging(att, plans, manifest, as_of=AS_OF)
    ahead = pl.read_csv(att, infer_schema=False).with_columns(
        pl.col("arrival_time").str.replace(r"^2026-", "2030-")
    )
    moved = tmp_path / "ahead.csv"
    ahead.write_csv(moved)
    result = cpflag.run_flagging(moved, plans, manifest)
    assert result.summary.as_of is not None
    assert result.summary.as_of.year == 2030
    assert result.rejects.filter(pl.col("column") == "arrival_time").height == 0
    assert result.flags.height == base.flags.height
