"""Relationship models are data: a trust may replace one through ``FlagConfig``.

The shipped models are what :func:`cpflag.default_relation_models` returns; a
model given for a kind replaces that kind's only, is checked when the
configuration is made, and drives the batch, ``match_one`` and ``explain``
alike.
"""

from __future__ import annotations

import attrs
import polars as pl
import pytest

import cpflag
from cpflag import FlagConfig, LinkageModel, Thresholds, default_relation_models
from tests.test_golden_family import ATT, PLANS

KINDS = ("sibling_of_plan_subject", "carer_of_plan_subject", "newborn_of_unborn_plan")


def _lowered(kind: str, review: float) -> LinkageModel:
    model = default_relation_models()[kind]
    return attrs.evolve(model, thresholds=Thresholds(match=model.thresholds.match, review=review))


def test_defaults_are_the_shipped_models() -> None:
    config = FlagConfig()
    assert set(config.relation_models) == set(KINDS)
    assert config.relation_models == default_relation_models()


def test_a_model_given_for_one_kind_replaces_that_kind_only() -> None:
    lowered = _lowered("carer_of_plan_subject", -3.0)
    config = FlagConfig(relation_models={"carer_of_plan_subject": lowered})
    assert config.relation_models["carer_of_plan_subject"] == lowered
    shipped = default_relation_models()
    for kind in ("sibling_of_plan_subject", "newborn_of_unborn_plan"):
        assert config.relation_models[kind] == shipped[kind]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"plan_subject": cpflag.default_model()}, "have no relationship model"),
        ({"carer_of_plan_subject": "carer.json"}, "must be a LinkageModel"),
    ],
)
def test_a_bad_relation_model_is_a_config_error(given: dict[str, object], message: str) -> None:
    with pytest.raises(cpflag.ConfigError, match=message):
        FlagConfig(relation_models=given)  # type: ignore[arg-type]


def test_a_lower_review_threshold_adds_review_flags_and_keeps_the_rest() -> None:
    # Rejected pairs between review thresholds 0 and -30 become review flags;
    # every flag of the shipped models stays, with its band and score.
    shipped = cpflag.PlanIndex.build(PLANS).match(ATT)
    config = FlagConfig(relation_models={k: _lowered(k, -30.0) for k in KINDS})
    lowered_index = cpflag.PlanIndex.build(PLANS, config=config)
    lowered = lowered_index.match(ATT)
    keys = ["attendance_id", "flag", "plan_id"]
    kept = shipped.join(lowered, on=keys, how="left", suffix="_low")
    assert kept["band_low"].null_count() == 0
    assert (kept["band"] == kept["band_low"]).all()
    assert (kept["score"] == kept["score_low"]).all()
    added = lowered.join(shipped, on=keys, how="anti")
    assert added.height > 0
    assert set(added["band"]) == {"review"}
    assert (added["score"] < 0).all()
    assert (added["score"] >= -30).all()
    # The scalar path uses the same models.
    one = pl.concat([lowered_index.match_one(r) for r in ATT.to_dicts()])
    assert one.equals(lowered)
