"""``PlanIndex.match_one`` gives the rows ``PlanIndex.match`` gives, on synthetic trusts.

The scalar triage path (``cpflag.engine._triage``) must take most records and agree
with the batch; records it cannot reproduce exactly go to the polars path and
must agree too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs
import polars as pl
import pytest

import cpflag
from cpflag import synth
from cpflag.engine._index import PlanIndex
from cpflag.linkage import Comparison, block, default_model
from cpflag.linkage._comparisons import levels_expr, register_comparison_kind
from cpflag.linkage._plain_score import PlainScorer
from tests.helpers import PolarsPathSpy

SCALAR_FLAGS = ("plan_subject", "unborn_plan_mother")


@pytest.fixture(scope="module", params=[1, 2])
def demo(request: pytest.FixtureRequest) -> tuple[synth.SynthData, pl.DataFrame]:
    data = synth.generate(scale="demo", seed=request.param)
    return data, cpflag.io.read_attendances(data.attendances).table


def _pairs(index: PlanIndex, att: pl.DataFrame) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    batch = index.match(att)
    for rec in att.to_dicts():
        one = index.match_one(rec)
        ref = batch.filter(pl.col("attendance_id") == rec["attendance_id"])
        yield one.sort("flag", "plan_id"), ref.sort("flag", "plan_id")


def test_scalar_path_equals_batch_on_every_attendance(
    demo: tuple[synth.SynthData, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, att = demo
    cfg = cpflag.FlagConfig(flags=SCALAR_FLAGS)
    index = cpflag.build_index(data.plans, data.manifest, cfg)
    spy = PolarsPathSpy(monkeypatch)
    flagged = 0
    for one, ref in _pairs(index, att):
        assert one.equals(ref), ref["attendance_id"].to_list()
        flagged += ref.height > 0
    assert flagged >= 10  # the data reaches flags of both kinds, not only empty answers
    assert spy.calls == 0  # every record took the scalar path


def test_every_candidate_scores_as_in_the_batch(demo: tuple[synth.SynthData, pl.DataFrame]) -> None:
    """Not only the flagged pairs: every blocked pair's weight, to the last bit."""
    data, att = demo
    index = cpflag.build_index(data.plans, data.manifest)
    model = index.linker.model
    left = index.linker.prepare(att)
    pairs = block(left, index.subjects, model.blocking_rules).pairs
    scored = index.linker.score(left, index.subjects, pairs, tf=index.tf)
    scorer = PlainScorer.build(model, index.tf, index.subjects.columns)
    lrows, rrows = left.to_dicts(), index.subjects.to_dicts()
    got = [scorer.score(lrows[lx], rrows[rx]) for lx, rx in pairs.select("l", "r").rows()]
    assert [p.match_weight for p in got] == scored["match_weight"].to_list()
    assert [p.band for p in got] == scored["band"].to_list()
    assert [p.guard for p in got] == scored["guard"].to_list()


def test_default_flags_agree_with_batch(
    demo: tuple[synth.SynthData, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relationship flags on: the scalar path takes these records too (``_triage_relations``).

    The LA-family tie-break (``propagate_to_family``) is deterministic, so even
    the "same LA family as plan" clause of ``reasons`` agrees exactly.
    """
    data, att = demo
    index = cpflag.build_index(data.plans, data.manifest)
    spy = PolarsPathSpy(monkeypatch)
    sub = att.head(40)
    for one, ref in _pairs(index, sub):
        assert one.equals(ref)
    assert spy.calls == 0


def test_records_with_odd_types_take_the_polars_path(
    demo: tuple[synth.SynthData, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, att = demo
    cfg = cpflag.FlagConfig(flags=SCALAR_FLAGS)
    index = cpflag.build_index(data.plans, data.manifest, cfg)
    batch = index.match(att)
    ref = batch.filter(pl.col("flag") == "plan_subject").row(0, named=True)
    rec = att.filter(pl.col("attendance_id") == ref["attendance_id"]).row(0, named=True)
    spy = PolarsPathSpy(monkeypatch)
    plain = index.match_one(rec)
    dob = rec["date_of_birth"]
    odd = index.match_one({**rec, "date_of_birth": dt.datetime(dob.year, dob.month, dob.day)})
    assert spy.calls == 1
    assert odd.equals(plain)
    assert plain.height >= 1


def _area(p: pl.DataFrame, _col: str | None) -> pl.Series:
    a, b = pl.col("l_pc_district"), pl.col("r_pc_district")
    same = a.str.slice(0, 2) == b.str.slice(0, 2)
    return p.select(levels_expr([same], a.is_null() | b.is_null())).to_series()


register_comparison_kind("test_postcode_area", ("same", "different"), ("pc_district",), _area)


def _with(extra: Comparison) -> cpflag.FlagConfig:
    model = default_model()
    return cpflag.FlagConfig(
        model=attrs.evolve(model, comparisons=(*model.comparisons, extra)), flags=SCALAR_FLAGS
    )


@pytest.mark.parametrize(
    ("extra", "scalar"),
    [
        (
            Comparison.from_table(
                "area",
                "test_postcode_area",
                [("same", 0.9, 0.1, "same area"), ("different", 0.1, 0.9, "other area")],
            ),
            False,
        ),
        (
            Comparison.from_table(
                "gp",
                "exact",
                [("exact", 0.5, 0.01, "same GP"), ("different", 0.5, 0.99, "other GP")],
                column="gp_practice_code",
            ),
            True,
        ),
    ],
)
def test_custom_comparisons_agree(
    demo: tuple[synth.SynthData, pl.DataFrame],
    monkeypatch: pytest.MonkeyPatch,
    extra: Comparison,
    scalar: bool,
) -> None:
    """A kind without a plain form falls back; a generic string one stays scalar."""
    data, att = demo
    plans = data.plans.with_columns(pl.lit("B86001").alias("gp_practice_code"))
    index = cpflag.build_index(plans, data.manifest, _with(extra))
    spy = PolarsPathSpy(monkeypatch)
    sub = att.head(25)
    for one, ref in _pairs(index, sub):
        assert one.equals(ref)
    assert (spy.calls == 0) is scalar


@pytest.fixture(scope="module")
def scalar_index() -> PlanIndex:
    data = synth.generate(scale="demo", seed=3)
    return cpflag.build_index(data.plans, data.manifest, cpflag.FlagConfig(flags=SCALAR_FLAGS))


def test_match_one_fills_absent_columns_and_counts_pairs(scalar_index: PlanIndex) -> None:
    index = scalar_index
    rec: dict[str, Any] = {"attendance_id": "X1", "arrival_time": dt.datetime(2026, 11, 25, 9)}
    assert index.match_one(rec).is_empty()
    assert index.run(pl.DataFrame([rec])).candidate_pairs == 0


@pytest.mark.parametrize(
    ("record", "column", "error"),
    [
        ({"attendance_id": "X2", "given_name": "Ann"}, "arrival_time", cpflag.MissingColumnError),
        ({"attendance_id": "X3", "arrival_time": None}, "arrival_time", cpflag.InputError),
        ({"arrival_time": dt.datetime(2026, 11, 25, 9)}, "attendance_id", cpflag.InputError),
    ],
)
def test_match_one_without_a_required_value_is_an_error_not_an_empty_answer(
    scalar_index: PlanIndex, record: dict[str, Any], column: str, error: type[Exception]
) -> None:
    # No arrival time means no plan can be judged current: an empty answer
    # would read as "no flag", which must never be given by default.
    index = scalar_index
    with pytest.raises(error, match=column) as info:
        index.match_one(record)
    assert "Ann" not in str(info.value)
    with pytest.raises(error, match=column):
        index.match(pl.DataFrame([record]))
