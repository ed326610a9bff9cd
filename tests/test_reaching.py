"""Scoring only the pairs that can reach a band gives those pairs as full scoring does."""

from __future__ import annotations

import attrs
import polars as pl
import pytest

import cpflag
from cpflag import PlanIndex, synth
from cpflag.linkage import Linker, Thresholds, block
from cpflag.linkage._reaching import score_reaching
from cpflag.rules import RELATION_RULES
from cpflag.rules._attendee import attendee_frame, with_family_keys


@pytest.fixture(scope="module")
def demo() -> tuple[PlanIndex, pl.DataFrame, pl.DataFrame]:
    data = synth.generate(scale="demo", seed=11)
    index = cpflag.build_index(data.plans, manifest=data.manifest, warm=False)
    att = data.attendances
    return index, att, index.prepare(att)


def _full(
    linker: Linker, left: pl.DataFrame, right: pl.DataFrame, pairs: pl.DataFrame, tf
) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    out = linker.score(left, right, pairs, tf=tf).filter(pl.col("band").is_not_null())
    return out.select([c for c in out.columns if not c.startswith(("l_", "r_"))])


def _same(linker: Linker, left: pl.DataFrame, right: pl.DataFrame, pairs: pl.DataFrame, tf) -> int:  # type: ignore[no-untyped-def]
    want = _full(linker, left, right, pairs, tf)
    got = score_reaching(linker.model, left, right, pairs, tf)
    got = got.filter(pl.col("band").is_not_null())
    assert got.columns == want.columns
    assert got.equals(want)
    return want.height


def test_person_pairs(demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame]) -> None:
    index, _, prepared = demo
    rules = index.config.model.blocking_rules
    for right, tf in ((index.subjects, index.tf), (index.mothers, index.mother_tf)):
        pairs = block(prepared, right, rules).pairs
        assert _same(index.linker, prepared, right, pairs, tf) > 0 or right is index.mothers


def test_relation_pairs(demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame]) -> None:
    index, att, prepared = demo
    rules = index.config.model.blocking_rules
    pairs = block(prepared, index.subjects, rules).pairs
    subj = index.linker.score(prepared, index.subjects, pairs, tf=index.tf)
    subj = subj.filter(pl.col("band").is_not_null())
    left = with_family_keys(
        attendee_frame(att, prepared, index.config),
        subj,
        index.plans,
        index.subjects,
        None,
        index.mothers,
    )
    found = 0
    for rule in RELATION_RULES:
        rl = index.relation_linkers[rule.kind]
        right = index.plan_side(rule.kind)
        sub = left.filter(rule.eligible().fill_null(False))
        rpairs = block(sub, right, rl.model.blocking_rules).pairs
        found += _same(rl, left, right, rpairs, index.relation_tf.get(rule.kind, {}))
    assert found > 0


@pytest.mark.parametrize("review", [-60.0, 0.0, 12.0, 40.0])
def test_any_threshold(demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame], review: float) -> None:
    index, _, prepared = demo
    model = index.config.model
    model = attrs.evolve(model, thresholds=Thresholds(match=max(review, 6.0), review=review))
    linker = Linker(model=model)
    pairs = block(prepared, index.subjects, model.blocking_rules).pairs
    _same(linker, prepared, index.subjects, pairs, index.tf)


def test_no_pairs(demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame]) -> None:
    index, _, prepared = demo
    pairs = pl.DataFrame(schema={"l": pl.UInt32, "r": pl.UInt32})
    out = score_reaching(index.config.model, prepared, index.subjects, pairs, index.tf)
    assert out.height == 0
    assert "band" in out.columns
