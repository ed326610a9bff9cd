"""Repeat attendance through the public API and the CLI (issue 5 wiring)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import cpflag
from cpflag import synth
from cpflag.cli import main


@pytest.fixture(scope="module")
def history_data() -> synth.SynthData:
    return synth.generate(scale="demo", seed=11, days=60, n_attendances=900)


def test_batch_is_its_own_history_without_a_store(history_data: synth.SynthData) -> None:
    d = history_data
    flags = cpflag.flag(d.attendances, d.plans, d.manifest)
    rep = flags.filter(pl.col("flag") == "repeat_attendance")
    assert rep.height > 0
    assert rep["plan_id"].is_null().all()
    assert rep["band"].is_in(["match", "review"]).all()


def test_nightly_runs_with_a_store_are_idempotent(
    history_data: synth.SynthData, tmp_path: Path
) -> None:
    d = history_data
    store = tmp_path / "history"
    first = cpflag.flag(d.attendances, d.plans, d.manifest, history=store)
    again = cpflag.flag(d.attendances, d.plans, d.manifest, history=store)
    assert first.equals(again)
    assert first.filter(pl.col("flag") == "repeat_attendance").height > 0


def test_repeat_flags_can_be_left_out(history_data: synth.SynthData) -> None:
    d = history_data
    cfg = cpflag.FlagConfig(flags=("plan_subject",))
    assert "repeat_attendance" not in cpflag.flag(d.attendances, d.plans, d.manifest, cfg)["flag"]


def test_cli_chronology_from_a_file(history_data: synth.SynthData, tmp_path: Path) -> None:
    d = history_data
    path = tmp_path / "att.csv"
    d.attendances.write_csv(path)
    flags = cpflag.flag(d.attendances, d.plans, d.manifest)
    target = flags.filter(pl.col("flag") == "repeat_attendance")["attendance_id"][0]
    out = tmp_path / "chrono.csv"
    result = CliRunner().invoke(
        main,
        ["chronology", "--attendances", str(path), "--attendance-id", target, "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert target in table["attendance_id"].to_list()
    assert table.height >= 3  # the 3rd attendance or later was flagged
