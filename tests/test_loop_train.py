"""``cpflag train`` with review outcomes: a recalibration fitted, written, applied.

Golden cases on a small synthetic store whose flags are decided from the
ground truth: the recalibration round-trips in the model JSON, is applied to
every flag's ``match_probability`` in the batch and at triage alike, keeps the
bands and the order, and is refused with too few labels.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import polars as pl
import pytest

import cpflag
from cpflag import loop, synth
from cpflag.linkage import LinkageModel, Recalibration

KEY = ["attendance_id", "plan_id", "flag"]


@pytest.fixture(scope="module")
def decided_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synth.SynthData]:
    """Three synthetic nights, every plan-based flag decided from the truth."""
    data = synth.generate(scale="demo", seed=5, days=3)
    store = tmp_path_factory.mktemp("train") / "store"
    att = data.attendances.with_columns(pl.col("arrival_time").dt.date().alias("_day"))
    true = data.truth_flags.select(KEY).with_columns(pl.lit(True).alias("true"))
    for day in sorted(att["_day"].unique().to_list()):
        run = cpflag.run_flagging(
            att.filter(pl.col("_day") == day).drop("_day"),
            data.plans,
            data.manifest,
            history=store,
            close_loop=True,
            as_of=day,
        )
        decided = (
            run.flags.filter(pl.col("flag") != "repeat_attendance")
            .select(KEY)
            .join(true, on=KEY, how="left", nulls_equal=True)
            .select(
                *KEY,
                pl.when(pl.col("true"))
                .then(pl.lit("confirmed"))
                .otherwise(pl.lit("rejected"))
                .alias("outcome"),
                pl.lit(day).alias("decided_on"),
            )
        )
        loop.record_outcomes(store, decided)
    return store, data


def _train(store: Path, data: synth.SynthData, **kw: object) -> loop.TrainResult:
    return loop.train_model(
        data.attendances,
        data.plans,
        manifest=data.manifest,
        history=store,
        max_pairs=20_000,
        today=dt.date(2026, 12, 1),
        **kw,  # type: ignore[arg-type]
    )


def test_too_few_labels_keeps_the_shipped_calibration(decided_store) -> None:  # type: ignore[no-untyped-def]
    store, data = decided_store
    result = _train(store, data)
    assert result.labelled > 0
    assert result.refound <= result.labelled
    assert result.rejected < loop.MIN_LABELS
    assert result.model.recalibration is None
    assert not result.recalibrated
    text = "\n".join(result.lines())
    assert "too few labels" in text
    assert f"at least {loop.MIN_LABELS} of each needed" in text
    assert "keeps the shipped calibration" in text
    assert "expected calibration error:" in text
    assert json.loads(result.model.to_json())["format"] == "cpflag-model/1"


def test_recalibration_fitted_written_and_applied(decided_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, data = decided_store
    result = _train(store, data, min_labels=3)
    assert result.confirmed >= 3
    assert result.rejected >= 3
    recal = result.model.recalibration
    assert result.recalibrated == (recal is not None)
    if recal is None:  # the fit must say why it is not used
        assert "does not lower the error" in result.note
        pytest.skip("the recalibration did not improve on these decisions")
    assert recal.slope > 0
    assert result.ece_after is not None
    assert result.ece_before is not None
    assert result.ece_after < result.ece_before
    assert recal.labelled == result.refound
    assert recal.fitted_on == "2026-12-01"
    # Round-trip through the model file (format 2, the field's own tag).
    path = tmp_path / "model.json"
    result.model.to_json(path)
    raw = json.loads(path.read_text())
    assert raw["format"] == "cpflag-model/2"
    assert raw["recalibration"]["format"] == "cpflag-recalibration/1"
    again = LinkageModel.from_json(path)
    assert again == result.model
    assert again.recalibration == recal

    # Applied to every flag with a probability; bands, scores and rows unchanged.
    day = data.attendances.filter(
        pl.col("arrival_time").dt.date() == data.attendances["arrival_time"].dt.date().min()
    )
    plain = cpflag.build_index(
        data.plans, data.manifest, cpflag.FlagConfig(model=attrs_no_recal(again))
    )
    recal_index = cpflag.build_index(data.plans, data.manifest, cpflag.FlagConfig(model=again))
    before, after = plain.match(day), recal_index.match(day)
    assert before.drop("match_probability").equals(after.drop("match_probability"))
    has_p = before["match_probability"].is_not_null()
    want = [recal.apply_one(p) for p in before.filter(has_p)["match_probability"]]
    assert after.filter(has_p)["match_probability"].to_list() == pytest.approx(want, abs=1e-12)
    # Triage gives the batch's rows.
    for rec in day.head(40).iter_rows(named=True):
        one = recal_index.match_one(rec)
        batch = after.filter(pl.col("attendance_id") == rec["attendance_id"])
        assert one["match_probability"].to_list() == pytest.approx(
            batch["match_probability"].to_list(), abs=1e-12, nan_ok=True
        )


def attrs_no_recal(model: LinkageModel) -> LinkageModel:
    return attrs.evolve(model, recalibration=None)


def test_recalibration_is_monotone_and_validated() -> None:
    r = Recalibration(slope=0.4, intercept=1.1)
    ps = [0.01, 0.2, 0.5, 0.51, 0.9, 0.999]
    out = [r.apply_one(p) for p in ps]
    assert out == sorted(out)
    series = pl.DataFrame({"p": ps}).select(r.expr(pl.col("p")).alias("q"))["q"].to_list()
    assert series == pytest.approx(out, abs=1e-12)
    with pytest.raises(cpflag.ModelError, match="slope must be a positive number"):
        Recalibration(slope=-0.1, intercept=0.0)
    with pytest.raises(cpflag.ModelError, match="needs format"):
        LinkageModel.from_dict({**cpflag.default_model().to_dict(), "recalibration": r.to_dict()})
    bad = {**cpflag.default_model().to_dict(), "format": "cpflag-model/2"}
    bad["recalibration"] = {**r.to_dict(), "format": "cpflag-recalibration/9"}
    with pytest.raises(cpflag.ModelError, match="unsupported recalibration format"):
        LinkageModel.from_dict(bad)


def test_outcomes_need_a_store(tmp_path: Path) -> None:
    with pytest.raises(cpflag.ConfigError, match="history store"):
        loop.train_model(
            pl.DataFrame({"attendance_id": ["A"], "arrival_time": ["2026-11-24 10:00"]}),
            pl.DataFrame(),
            outcomes=tmp_path / "o.csv",
        )


def test_no_reestimate_keeps_m_and_u(decided_store) -> None:  # type: ignore[no-untyped-def]
    store, data = decided_store
    start = cpflag.default_model()
    result = _train(store, data, min_labels=3, reestimate=False, model=start)
    assert result.model.comparisons == start.comparisons
    assert result.lines()[0] == "m and u kept as in the starting model (no EM)"
    assert result.refound == result.labelled
