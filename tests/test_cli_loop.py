"""The loop's commands: flag --notifications/--outcomes/--fhir, worklist, outcomes, audit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from cpflag.cli import main
from tests.helpers import attendances
from tests.loop_cases import (
    AMELIA,
    OLIVER,
    OLIVER_NHS,
    P_AMELIA,
    P_OLIVER,
    P_OTHER_LA,
    plan_rows,
    visit,
)

D = dt.date


def _flag(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    att, plans = tmp_path / "att.csv", tmp_path / "plans.csv"
    attendances(
        [visit("A1", OLIVER, D(2026, 11, 24)), visit("A2", AMELIA, D(2026, 11, 24))]
    ).write_csv(att)
    plan_rows(P_OLIVER, P_AMELIA, P_OTHER_LA).write_csv(plans)
    result = CliRunner().invoke(
        main,
        [
            "flag",
            "--attendances",
            str(att),
            "--plans",
            str(plans),
            "--out",
            str(tmp_path / "flags.csv"),
            *extra,
        ],
    )
    return result.exit_code, result.stdout, result.stderr


def test_flag_writes_one_file_per_la(tmp_path: Path) -> None:
    code, out, err = _flag(
        tmp_path,
        "--history",
        str(tmp_path / "store"),
        "--notifications",
        str(tmp_path / "n"),
        "--expected-la",
        "E3",
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == ["E1.csv", "E2.csv"]
    e1 = pl.read_csv(tmp_path / "n" / "E1.csv")
    assert sorted(e1["attendance_id"]) == ["A1", "A2"]
    assert "NOTHING SENT to E3" in out
    summary = json.loads((tmp_path / "flags.summary.json").read_text())
    assert summary["loop"]["notifications"] == {"E1": 2, "E2": 0}
    # The same night again: the same files.
    code, _, _ = _flag(
        tmp_path, "--history", str(tmp_path / "store"), "--notifications", str(tmp_path / "n")
    )
    assert code == 0
    assert pl.read_csv(tmp_path / "n" / "E1.csv").equals(e1)


def test_notifications_need_history(tmp_path: Path) -> None:
    code, _, err = _flag(tmp_path, "--notifications", str(tmp_path / "n"))
    assert code == 2
    assert "--history" in err


def test_outcomes_worklist_and_audit(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, err = _flag(tmp_path, "--history", str(store), "--notifications", str(tmp_path / "n"))
    assert code == 0, err
    runner = CliRunner()
    res = runner.invoke(main, ["worklist", "--history", str(store)])
    assert res.exit_code == 0, res.output
    assert "0 open review flags" in res.output
    outcomes = tmp_path / "outcomes.csv"
    pl.DataFrame(
        {
            "attendance_id": ["A1"],
            "plan_id": ["P1"],
            "flag": ["plan_subject"],
            "outcome": ["confirmed"],
            "decided_on": ["2026-11-25"],
            "decided_by_role": ["safeguarding nurse"],
        }
    ).write_csv(outcomes)
    res = runner.invoke(main, ["outcomes", "--history", str(store), "--outcomes", str(outcomes)])
    assert res.exit_code == 0, res.output
    assert "1 confirmed, 0 rejected" in res.output
    assert "name no flag" not in res.stderr
    typo = tmp_path / "typo.csv"
    pl.read_csv(outcomes).with_columns(pl.lit("A9").alias("attendance_id")).write_csv(typo)
    res = runner.invoke(main, ["outcomes", "--history", str(store), "--outcomes", str(typo)])
    assert "1 outcome(s) name no flag cpflag raised" in res.stderr
    res = runner.invoke(main, ["audit", "--history", str(store), "--out", str(tmp_path / "a.txt")])
    assert res.exit_code == 0, res.output
    assert "match   decided     1  confirmed     1  share 100.0%" in res.output
    assert (tmp_path / "a.txt").read_text().startswith("cpflag audit")


def test_bad_outcomes_are_a_clean_error_without_values(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _flag(tmp_path, "--history", str(store), "--notifications", str(tmp_path / "n"))
    bad = tmp_path / "bad.csv"
    pl.DataFrame(
        {
            "attendance_id": ["A1"],
            "plan_id": ["P1"],
            "flag": ["plan_subject"],
            "outcome": ["yes"],
            "decided_on": ["2026-11-25"],
            "nhs_number": [OLIVER_NHS],
        }
    ).write_csv(bad)
    res = CliRunner().invoke(main, ["worklist", "--history", str(store), "--outcomes", str(bad)])
    assert res.exit_code == 2
    assert "Error:" in res.stderr
    assert OLIVER_NHS not in res.output + res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_flag_writes_fhir(tmp_path: Path) -> None:
    code, _, err = _flag(tmp_path, "--fhir", str(tmp_path / "flags.ndjson"))
    assert code == 0, err
    lines = (tmp_path / "flags.ndjson").read_text().splitlines()
    assert [json.loads(x)["code"]["coding"][0]["code"] for x in lines] == [
        "plan_subject",
        "plan_subject",
    ]


def test_calibrate_reports_too_few_decisions(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _flag(tmp_path, "--history", str(store), "--notifications", str(tmp_path / "n"))
    res = CliRunner().invoke(
        main, ["calibrate", "--history", str(store), "--out", str(tmp_path / "c.json")]
    )
    assert res.exit_code == 0, res.output
    assert "no decided flags" in res.output
    assert json.loads((tmp_path / "c.json").read_text())["decided"] == 0


def test_audit_chart_from_the_command_line(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, err = _flag(tmp_path, "--history", str(store), "--notifications", str(tmp_path / "n"))
    assert code == 0, err
    runner = CliRunner()
    res = runner.invoke(
        main, ["audit", "--history", str(store), "--chart", str(tmp_path / "a.svg")]
    )
    assert res.exit_code == 0, res.output
    assert "chart written to" in res.output
    assert (tmp_path / "a.svg").read_text().lstrip().startswith("<svg")
    res = runner.invoke(
        main, ["audit", "--history", str(store), "--chart", str(tmp_path / "a.pdf")]
    )
    assert res.exit_code == 2
    assert "use one of .html, .png, .svg" in res.stderr


def test_train_with_history_reports_labels_and_keeps_calibration(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, _, err = _flag(tmp_path, "--history", str(store), "--notifications", str(tmp_path / "n"))
    assert code == 0, err
    outcomes = tmp_path / "outcomes.csv"
    pl.DataFrame(
        {
            "attendance_id": ["A1", "A2"],
            "plan_id": ["P1", "P2"],
            "flag": ["plan_subject"] * 2,
            "outcome": ["confirmed", "confirmed"],
            "decided_on": ["2026-11-25"] * 2,
        }
    ).write_csv(outcomes)
    out = tmp_path / "model.json"
    args = ["train", "--attendances", str(tmp_path / "att.csv"), "--plans"]
    args += [str(tmp_path / "plans.csv"), "--out", str(out), "--max-pairs", "1000"]
    res = CliRunner().invoke(main, [*args, "--history", str(store), "--outcomes", str(outcomes)])
    assert res.exit_code == 0, res.output + res.stderr
    assert "labelled pairs: 2 decided in the store; 2 raised again" in res.output
    assert "too few labels (2 confirmed, 0 rejected; at least 20 of each needed)" in res.output
    assert "keeps the shipped calibration" in res.output
    assert json.loads(out.read_text())["format"] == "cpflag-model/1"
    res = CliRunner().invoke(main, [*args, "--outcomes", str(outcomes)])
    assert res.exit_code == 2
    assert "--outcomes needs --history" in res.stderr
