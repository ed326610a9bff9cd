"""The model spec: validation and JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from cpflag import ModelError
from cpflag.linkage import BlockingRule, Comparison, Guard, Level, LinkageModel, default_model


def test_default_model_round_trips_through_json_unchanged(tmp_path: Path) -> None:
    model = default_model()
    path = tmp_path / "model.json"
    model.to_json(path)
    again = LinkageModel.from_json(path)
    assert again == model
    assert LinkageModel.from_json(model.to_json()) == model
    assert json.loads(again.to_json()) == json.loads(model.to_json())


def test_round_trip_keeps_estimated_parameters() -> None:
    model = default_model().evolve_levels({"sex": {"exact": (0.9, 0.45)}})
    again = LinkageModel.from_json(model.to_json())
    assert again.comparison("sex").level("exact").m == pytest.approx(0.9)
    assert again.comparison("sex").level("exact").u == pytest.approx(0.45)


def test_level_weight_is_log2_m_over_u() -> None:
    assert Level("exact", m=0.8, u=0.1).weight == pytest.approx(3.0)


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan")])
def test_probabilities_outside_0_1_are_rejected(bad: float) -> None:
    with pytest.raises(ModelError):
        Level("exact", m=bad, u=0.5)


def test_guard_naming_unknown_level_is_rejected() -> None:
    model = default_model()
    with pytest.raises(ModelError, match="no level"):
        attrs.evolve(model, guards=(Guard("x", {"sex": ("nonsense",)}),))


def test_duplicate_comparison_names_are_rejected() -> None:
    c = Comparison("sex", "sex", (Level("exact", 0.9, 0.5), Level("different", 0.1, 0.5)))
    with pytest.raises(ModelError, match="unique"):
        LinkageModel(comparisons=(c, c), blocking_rules=(BlockingRule("dob", ("dob",)),))


@pytest.mark.parametrize("text", ["{", "[]", '{"format": "other/9"}', '{"comparisons": []}'])
def test_invalid_model_json_is_a_model_error(text: str) -> None:
    with pytest.raises(ModelError):
        LinkageModel.from_json(text)


def test_missing_model_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot read"):
        LinkageModel.from_json(tmp_path / "absent.json")
