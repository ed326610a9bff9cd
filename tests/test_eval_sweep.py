"""The sweep evaluator (benchmarks/sweep.py): report structure, ECE, repeat truth, grids."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

import cpflag
from cpflag import synth

_PATH = Path(__file__).resolve().parent.parent / "benchmarks" / "sweep.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cpflag_bench_sweep", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sweep = _load()


def test_ece_against_a_hand_computed_example() -> None:
    p = [0.2, 0.4, 0.6, 0.8, 0.95, 0.95]
    right = [0, 1, 1, 1, 1, 0]
    edges = (0.0, 0.5, 0.9, 1.0)
    # bins: [0, .5] mean p .3, right .5; (.5, .9] .7 vs 1; (.9, 1] .95 vs .5
    # ECE = 2/6 * (.2 + .3 + .45) = .95 / 3
    assert sweep.expected_calibration_error(p, right, edges) == pytest.approx(0.95 / 3)
    table = sweep.reliability_table(p, right, edges)
    assert table["n"].to_list() == [2, 2, 2]
    assert table["mean_p"].to_list() == pytest.approx([0.3, 0.7, 0.95])
    assert table["accuracy"].to_list() == pytest.approx([0.5, 1.0, 0.5])
    # Bin edges belong to the bin below; a perfectly calibrated set has ECE 0.
    assert sweep.reliability_table([0.5, 0.9], [1, 1], edges)["n"].to_list() == [1, 1]
    assert sweep.expected_calibration_error([1.0, 1.0], [1, 1], edges) == 0.0
    assert sweep.expected_calibration_error([], [], edges) is None


def test_probability_from_a_log2_weight_or_match_probability() -> None:
    flags = pl.DataFrame(
        {"flag": ["plan_subject", "plan_subject", "repeat_attendance"], "score": [0.0, 3.0, 4.0]}
    )
    p = sweep.flag_probability(flags).to_list()
    assert p[0] == pytest.approx(0.5)
    assert p[1] == pytest.approx(8 / 9)
    assert p[2] is None  # a repeat score is a count, not a weight
    given = flags.with_columns(match_probability=pl.Series([0.1, 0.2, 0.3]))
    assert sweep.flag_probability(given).to_list() == [0.1, 0.2, 0.3]


def test_repeat_truth_by_person_and_family() -> None:
    days = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-03-02", "2025-01-01"]
    truth = pl.DataFrame(
        {
            "attendance_id": ["A1", "A2", "A3", "A4", "A0"],
            "person_id": ["P1", "P1", "P1", "P2", "P1"],
            "family_id": ["F1", "F1", "F1", "F1", "F1"],
            "is_adult": [False] * 5,
            "arrival_date": pl.Series(days).str.to_date(),
        }
    )
    att = truth.select(
        "attendance_id", pl.col("arrival_date").cast(pl.Datetime("us")).alias("arrival_time")
    )
    rep = sweep.repeat_truth(att, truth, cpflag.FlagConfig()).sort("attendance_id")
    # A0 is more than 365 days before A3: P1 has its 3rd attendance in a year at A3.
    assert rep["child_rule"].to_list() == [False, False, False, True, False]
    # The family (P1 and P2) reaches 4 in the window at A4.
    assert rep["family_rule"].to_list() == [False, False, False, False, True]


def test_grids_are_valid_and_held_out_differs_from_tuning() -> None:
    for s in (*sweep.TUNING, *sweep.HELD_OUT):
        s.rates()  # every knob is a NoiseRates field with a valid value
    assert sweep.TUNING[0] is sweep.DEFAULT
    assert sweep.HELD_OUT[0] is sweep.DEFAULT
    assert not set(sweep.TUNING_SEEDS) & set(sweep.HELD_OUT_SEEDS)
    tuning = {tuple(sorted(s.knobs.items())) for s in sweep.TUNING[1:]}
    held = {tuple(sorted(s.knobs.items())) for s in sweep.HELD_OUT[1:]}
    assert not tuning & held
    names = [s.name for s in (*sweep.TUNING, *sweep.HELD_OUT[1:])]
    assert len(names) == len(set(names))


def test_sweep_on_a_tiny_scale_has_the_report_structure() -> None:
    settings = [sweep.DEFAULT, next(s for s in sweep.TUNING if s.name == "carers_rarely_named")]
    report = sweep.run_sweep(settings, [3], n_attendances=300, n_plan_rows=1500, days=30)
    m = report.metrics
    assert set(m["setting"]) == {"default", "carers_rarely_named"}
    assert m.filter(pl.col("setting") == "default")["flag"].to_list() == list(sweep.KINDS)
    for col in ("precision_match", "recall", "recall_findable", "precision_review", "ece"):
        values = m[col].drop_nulls().to_list()
        assert all(0.0 <= v <= 1.0 for v in values), col
    assert m["precision_match"].drop_nulls().len() > 0
    assert (m["false_reviews_per_1000"] >= 0).all()
    assert (m["review_correct"] <= m["review"]).all()
    assert (m["match_correct"] <= m["match"]).all()
    nolist = report.nolist
    assert nolist.columns == [
        "setting",
        "attendances",
        "nolist_child_attendances",
        "nolist_match",
        "nolist_review",
    ]
    assert (nolist["attendances"] == 300).all()
    rel = report.reliability
    assert rel.height > 0
    assert ((rel["mean_p"] >= 0) & (rel["mean_p"] <= 1)).all()
    assert ((rel["accuracy"] >= 0) & (rel["accuracy"] <= 1)).all()
    w = report.worst
    assert w.columns == ["flag", "metric", "default", "worst", "worst_setting"]
    assert w.height == len(sweep.KINDS) * len(sweep.METRICS) + 3
    assert set(w.filter(pl.col("worst").is_not_null())["worst_setting"]) == {"carers_rarely_named"}
    text = sweep.to_text(report)
    assert "== default" in text
    assert "== WORST" in text
    assert "ECE" in text
    assert not any(math.isnan(v) for v in m["recall"].drop_nulls().to_list())


def test_held_out_refuses_tuning_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        sweep.main(["--held-out", "--seeds", "7"])
    with pytest.raises(SystemExit, match="unknown settings"):
        sweep.main(["--held-out", "--settings", "many_moves"])
    capsys.readouterr()


def test_synth_is_used_only_through_its_public_api() -> None:
    source = _PATH.read_text()
    assert "cpflag.synth._" not in source
    assert "from cpflag._" not in source
    assert source.count("from cpflag.report import evaluate_flags") == 1  # in one function
    assert hasattr(synth, "NoiseRates")
