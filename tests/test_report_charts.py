"""The charts (``cpflag.report.charts``): each spec renders to PNG and SVG without a
browser, an empty night still draws, and no chart carries an identifying value.

The data is the small night of ``tests/reliability_inputs.py`` (made-up names
that must never appear in a chart), flagged once per module.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag.report import charts
from tests.reliability_inputs import NAMES, night

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Identifying values of the small night besides the names: dates of birth, postcodes.
VALUES = (*NAMES, "2018-03-04", "2016-07-08", "LS9 8AB", "LS1 4AP")


@pytest.fixture(scope="module")
def flagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[cpflag.PlanIndex, pl.DataFrame]:
    att, plans, manifest = night(tmp_path_factory.mktemp("night"))
    index = cpflag.build_index(plans, manifest=manifest)
    run = cpflag.run_flagging(att, index)
    assert run.flags.height > 0
    return index, run.flags


@pytest.fixture(scope="module")
def waterfall(flagged: tuple[cpflag.PlanIndex, pl.DataFrame]) -> cpflag.Waterfall:
    index, _ = flagged
    record = {
        "attendance_id": "A1",
        "arrival_time": "2026-11-25T10:00:00",
        "given_name": "Zebedee",
        "family_name": "Quuxworth",
        "date_of_birth": "2018-03-04",
        "sex": "M",
        "postcode": "LS9 8AB",
    }
    return cpflag.explain(index, record, "P1", show_values=True)


def _datasets(spec: object) -> list[list[dict[str, object]]]:
    """Every inline ``values`` array of a Vega-Lite spec, in document order."""
    if isinstance(spec, dict):
        own = [spec["values"]] if isinstance(spec.get("values"), list) else []
        return own + [d for k, v in spec.items() if k != "values" for d in _datasets(v)]
    if isinstance(spec, list):
        return [d for v in spec for d in _datasets(v)]
    return []


def _all_charts(waterfall: cpflag.Waterfall, flags: pl.DataFrame) -> dict[str, charts.Chart]:
    return {
        "waterfall": charts.waterfall_chart(waterfall),
        "model": charts.model_chart(cpflag.default_model()),
        "relation_model": charts.model_chart(
            cpflag.default_relation_models()["carer_of_plan_subject"]
        ),
        "flags": charts.flags_chart(flags),
        "scores": charts.score_chart(flags),
        "flags_empty": charts.flags_chart(flags.head(0)),
        "scores_empty": charts.score_chart(flags.head(0)),
    }


def test_each_chart_spec_renders_to_png_and_svg(
    waterfall: cpflag.Waterfall, flagged: tuple[cpflag.PlanIndex, pl.DataFrame]
) -> None:
    for name, chart in _all_charts(waterfall, flagged[1]).items():
        png = charts.to_png(chart)
        assert png.startswith(PNG_MAGIC), name
        assert len(png) > 2000, name
        assert charts.svg(chart).startswith("<svg"), name


def test_no_chart_carries_an_identifying_value(
    waterfall: cpflag.Waterfall, flagged: tuple[cpflag.PlanIndex, pl.DataFrame]
) -> None:
    # The waterfall was asked for with show_values=True: the chart still leaves them out.
    assert "attendance_value" in waterfall.table.columns
    for name, chart in _all_charts(waterfall, flagged[1]).items():
        spec = json.dumps(chart.to_dict())
        for value in VALUES:
            assert value.lower() not in spec.lower(), (name, value)


def test_the_waterfall_ends_at_the_flags_score(waterfall: cpflag.Waterfall) -> None:
    spec = charts.waterfall_chart(waterfall).to_dict()
    (values,) = _datasets(spec)
    assert values[0]["step"] == "prior"
    assert values[-1]["step"] == "match weight"
    assert values[-1]["end"] == pytest.approx(waterfall.match_weight)
    assert values[-2]["end"] == pytest.approx(waterfall.match_weight)


def test_the_model_chart_has_every_level(waterfall: cpflag.Waterfall) -> None:
    model = cpflag.default_model()
    spec = charts.model_chart(model).to_dict()
    n_levels = sum(len(c.levels) for c in model.comparisons)
    weights, probabilities = _datasets(spec)
    assert len(weights) == n_levels
    assert {r["parameter"] for r in probabilities} == {"m", "u"}


def test_the_flags_chart_says_what_no_flag_means(
    flagged: tuple[cpflag.PlanIndex, pl.DataFrame],
) -> None:
    assert cpflag.NO_FLAG_MEANS in json.dumps(charts.flags_chart(flagged[1]).to_dict())


@pytest.mark.parametrize("suffix", [".html", ".png", ".svg"])
def test_save_writes_each_format(waterfall: cpflag.Waterfall, tmp_path: Path, suffix: str) -> None:
    path = charts.save(charts.waterfall_chart(waterfall), tmp_path / f"w{suffix}")
    data = path.read_bytes()
    if suffix == ".png":
        assert data.startswith(PNG_MAGIC)
    elif suffix == ".svg":
        assert data.startswith(b"<svg")
    else:  # self-contained: the Vega scripts are inlined, nothing is fetched
        text = data.decode("utf-8")
        assert "<script" in text
        assert "cdn.jsdelivr" not in text
        assert 'src="http' not in text


def test_save_refuses_an_unknown_suffix(waterfall: cpflag.Waterfall, tmp_path: Path) -> None:
    with pytest.raises(cpflag.ConfigError, match=r"\.pdf"):
        charts.save(charts.waterfall_chart(waterfall), tmp_path / "w.pdf")
    assert list(tmp_path.iterdir()) == []
