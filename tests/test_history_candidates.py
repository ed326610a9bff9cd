"""Hashed blocking gives exactly the pairs (and first rules) of the linkage engine's block."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.history import attendance_model, prepare_attendances
from cpflag.history._candidates import candidate_pairs
from cpflag.linkage import BlockingRule, block


def _rec(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("rec"))


@pytest.fixture(scope="module")
def prepared() -> pl.DataFrame:
    synth = pytest.importorskip("cpflag.synth")
    data = synth.generate(scale="demo", days=200, seed=4, n_attendances=3000)
    return _rec(prepare_attendances(data.attendances))


def test_dedupe_pairs_match_the_engine(prepared: pl.DataFrame) -> None:
    rules = attendance_model().blocking_rules
    got = candidate_pairs(prepared, prepared, rules, dedupe=True)
    want = block(prepared, prepared, rules, dedupe=True).pairs
    assert got.height > 300
    assert got.equals(want.select("l", "r", "rule"))


def test_link_pairs_match_the_engine(prepared: pl.DataFrame) -> None:
    rules = attendance_model().blocking_rules
    left = _rec(prepared.head(500))
    got = candidate_pairs(left, prepared, rules)
    want = block(left, prepared, rules).pairs
    assert got.equals(want.select("l", "r", "rule"))


keys = st.lists(
    st.tuples(st.sampled_from(["a", "b", None]), st.lists(st.sampled_from("xyz"), max_size=3)),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(keys)
def test_list_keys_and_nulls_match_the_engine(rows: list[tuple[str | None, list[str]]]) -> None:
    df = _rec(
        pl.DataFrame(
            {"k": [r[0] for r in rows], "parts": [r[1] for r in rows]},
            schema={"k": pl.String, "parts": pl.List(pl.String)},
        )
    )
    rules = [
        BlockingRule("k", ("k",)),
        BlockingRule("parts", ("parts",)),
        BlockingRule("both", ("k", "parts")),
    ]
    got = candidate_pairs(df, df, rules, dedupe=True)
    want = block(df, df, rules, dedupe=True).pairs.select("l", "r", "rule")
    assert got.equals(want)
