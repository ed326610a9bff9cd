"""The scalar triage path's building blocks equal the vectorised ones.

``prepare_one`` against ``prepare_people``, plain comparison levels against
``compute_levels``, and ``PlainScorer`` against ``Linker.score`` (weights,
match weight to the last bit, guard, band, reasons text), on generated records.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.linkage import (
    LEVEL_LABELS,
    Linker,
    compute_levels,
    default_model,
    prepare_people,
    reasons_expr,
    term_frequencies,
)
from cpflag.linkage._comparisons import (
    PERSON_KINDS,
    has_plain,
    plain_level,
    register_comparison_kind,
)
from cpflag.linkage._plain_prepare import plain_values, prepare_one
from cpflag.linkage._plain_score import PlainScorer, Unsupported, format_weight, round_weight
from cpflag.linkage._score import pair_frame
from cpflag.normalise._plain import swap as gen_swap
from tests import test_normalise_strategies as gen
from tests.test_linkage_comparisons import pair_frame as level_pair_frame
from tests.test_linkage_comparisons import record as level_record

FAST = settings(max_examples=200, deadline=None)
SOME = settings(max_examples=60, deadline=None)

_RAW_SCHEMA = {
    "nhs_number": pl.String,
    "given_name": pl.String,
    "family_name": pl.String,
    "date_of_birth": pl.Date,
    "sex": pl.String,
    "postcode": pl.String,
    "address": pl.String,
    "carer_family_name": pl.String,
    "mother_family_name": pl.String,
}
_DATES = st.one_of(
    st.none(),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.sampled_from([dt.date(2019, 3, 4), dt.date(2019, 4, 3), dt.date(2018, 3, 4)]),
)


@st.composite
def raw_record(draw: st.DrawFn) -> dict[str, Any]:
    """A messy raw people record (every trap the normaliser tests generate)."""
    return {
        "nhs_number": draw(gen.NHS_NUMBERS),
        "given_name": draw(gen.PLACEHOLDER_FIELDS),
        "family_name": draw(gen.PLACEHOLDER_FIELDS),
        "date_of_birth": draw(_DATES),
        "sex": draw(gen.SEXES),
        "postcode": draw(gen.POSTCODES),
        "address": draw(gen.ADDRESSES),
        "carer_family_name": draw(gen.NAMES),
        "mother_family_name": draw(gen.NAMES),
    }


_PEOPLE = [
    ("9434765919", "Oliver", "Smith-Jones", dt.date(2019, 3, 4), "M", "LS1 4AB", "3 High St"),
    ("9434765870", "Ollie", "Smith", dt.date(2019, 4, 3), "1", "LS1 4AD", "Flat 3, 12 High Street"),
    ("4010232137", "Izzy", "Begum", dt.date(2018, 3, 4), "F", "LS2 7XY", "12 Oak Rd"),
    (None, "Isabella", "Kaur", dt.date(2019, 3, 9), "girl", "M1 1AA", "4 Oak Road"),
    (None, "Baby", "Baby of Smith", dt.date(2026, 11, 1), None, None, None),
]


@st.composite
def near_record(draw: st.DrawFn) -> dict[str, Any]:
    """A record drawn from a few people, each field kept, dropped or taken from another."""
    base = draw(st.sampled_from(_PEOPLE))
    other = draw(st.sampled_from(_PEOPLE))
    keys = ("nhs_number", "given_name", "family_name", "date_of_birth", "sex", "postcode")
    rec: dict[str, Any] = {}
    for i, k in enumerate((*keys, "address")):
        choice = draw(st.sampled_from(["keep", "keep", "keep", "none", "other"]))
        rec[k] = base[i] if choice == "keep" else other[i] if choice == "other" else None
    if draw(st.booleans()):
        rec["given_name"], rec["family_name"] = rec["family_name"], rec["given_name"]
    rec["carer_family_name"] = draw(st.sampled_from([None, "Smith", "Kaur", "Begum"]))
    rec["mother_family_name"] = None
    return rec


def _prepared(records: list[dict[str, Any]]) -> pl.DataFrame:
    return prepare_people(pl.DataFrame(records, schema=_RAW_SCHEMA))


@settings(max_examples=50, deadline=None)
@given(st.lists(raw_record(), min_size=1, max_size=25))
def test_prepare_one_equals_prepare_people(records: list[dict[str, Any]]) -> None:
    batch = _prepared(records).to_dicts()
    for i, rec in enumerate(records):
        assert plain_values(rec)
        assert {**prepare_one(rec), "rec": i} == batch[i], i


def test_prepare_one_keeps_generic_columns_and_rejects_odd_types() -> None:
    rec = {"given_name": "Ollie", "gp_practice_code": "B86001"}
    assert prepare_one(rec, keep=["gp_practice_code"])["gp_practice_code"] == "B86001"
    assert {"oliver", "ollie"} <= set(prepare_one(rec)["given_groups"])
    assert not plain_values({"date_of_birth": "2019-03-04"})
    assert not plain_values({"date_of_birth": dt.datetime(2019, 3, 4)})
    assert not plain_values({"nhs_number": 9434765919})
    assert plain_values({"date_of_birth": dt.date(2019, 3, 4), "nhs_number": None})


def _labels(kind: str, got: list[int]) -> list[str]:
    return ["null" if g < 0 else LEVEL_LABELS[kind][g] for g in got]


_PERSON_KINDS = [d.kind for d in PERSON_KINDS if d.kind not in ("exact", "string")]


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(level_record(), level_record()), min_size=1, max_size=25))
def test_plain_levels_equal_vectorised(pairs: list[tuple[dict[str, Any], ...]]) -> None:
    frame = level_pair_frame(pairs)
    for kind in _PERSON_KINDS:
        got = compute_levels(frame, kind).to_list()
        plain = [plain_level(kind, a, b) for a, b in pairs]
        assert _labels(kind, plain) == _labels(kind, got), kind


@pytest.mark.parametrize("kind", ["exact", "string"])
@SOME
@given(
    pairs=st.lists(
        st.tuples(*[st.one_of(st.none(), st.sampled_from(["B86001", "B86010", "Y0001"]))] * 2),
        min_size=1,
        max_size=25,
    )
)
def test_plain_generic_levels_equal_vectorised(
    kind: str, pairs: list[tuple[str | None, str | None]]
) -> None:
    frame = pl.DataFrame(
        {"l_gp": [a for a, _ in pairs], "r_gp": [b for _, b in pairs]},
        schema={"l_gp": pl.String, "r_gp": pl.String},
    )
    got = compute_levels(frame, kind, "gp").to_list()
    assert [plain_level(kind, {"gp": a}, {"gp": b}, "gp") for a, b in pairs] == got


@SOME
@given(st.lists(near_record(), min_size=1, max_size=6), st.lists(near_record(), max_size=6))
def test_plain_levels_equal_vectorised_on_prepared_records(
    left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> None:
    """Real prepared values (placeholders, nickname groups, phonetic parts)."""
    people = left + right
    lp = _prepared(people)
    rows = lp.to_dicts()
    pairs = pl.DataFrame(
        [(i, j) for i in range(len(people)) for j in range(len(people))],
        schema={"l": pl.UInt32, "r": pl.UInt32},
        orient="row",
    )
    model = default_model()
    pf = pair_frame(lp, lp, pairs, model)
    for kind in _PERSON_KINDS:
        got = compute_levels(pf, kind).to_list()
        plain = [plain_level(kind, rows[i], rows[j]) for i, j in pairs.rows()]
        assert plain == got, kind


@FAST
@given(st.floats(-60, 60, allow_nan=False))
def test_round_and_format_weight_as_polars(w: float) -> None:
    frame = pl.DataFrame({"w": [w]}).select(pl.col("w").round(1))
    rounded = frame["w"][0]
    assert round_weight(w) == rounded
    assert math.copysign(1.0, round_weight(w)) == math.copysign(1.0, rounded)
    expected = frame.select(pl.format("{}", pl.col("w"))).item()
    if abs(rounded) >= 0.05:
        assert format_weight(round_weight(w)) == expected


def test_format_weight_refuses_exponent_form() -> None:
    with pytest.raises(Unsupported):
        format_weight(1e-7)


@SOME
@given(st.lists(near_record(), min_size=1, max_size=5), st.lists(near_record(), min_size=1))
def test_plain_scorer_equals_linker_score(
    left: list[dict[str, Any]], right: list[dict[str, Any]]
) -> None:
    model = default_model()
    linker = Linker(model=model)
    lp, rp = _prepared(left), _prepared(right[:6])
    tf = term_frequencies(rp, model)
    pairs = pl.DataFrame(
        [(i, j) for i in range(lp.height) for j in range(rp.height)],
        schema={"l": pl.UInt32, "r": pl.UInt32},
        orient="row",
    )
    scored = linker.score(lp, rp, pairs, tf=tf).with_columns(reasons_expr(model).alias("reasons"))
    scorer = PlainScorer.build(model, tf, rp.columns)
    lrows, rrows = lp.to_dicts(), rp.to_dicts()
    for row in scored.iter_rows(named=True):
        pair = scorer.score(lrows[row["l"]], rrows[row["r"]])
        names = [c.name for c in model.comparisons]
        assert list(pair.gammas) == [row[f"gamma_{n}"] for n in names]
        assert list(pair.weights) == [row[f"w_{n}"] for n in names]
        assert pair.match_weight == row["match_weight"]  # to the last bit
        assert (pair.guard, pair.band) == (row["guard"], row["band"])
        assert scorer.reasons(pair) == row["reasons"]


def _vectorised_only(p: pl.DataFrame, _col: str | None) -> pl.Series:
    return p.select(pl.lit(1, pl.Int8).alias("x"))["x"].extend_constant(1, p.height - 1)


# A kind registered with a vectorised function only (household, the example
# here before, is now a declared kind with a plain form).
register_comparison_kind("test_vectorised_only", ("exact", "different"), ("nhs",), _vectorised_only)


def test_kind_without_plain_form_is_unsupported() -> None:
    model = default_model()
    odd = attrs.evolve(model.comparisons[0], name="odd", kind="test_vectorised_only")
    assert not has_plain("test_vectorised_only")
    with pytest.raises(Unsupported):
        PlainScorer.build(attrs.evolve(model, comparisons=(odd,), guards=()), {}, [])


def test_plain_dob_levels_at_the_boundaries() -> None:
    """Every offset around the near window and the typo/year-off/swap cases, both ways."""
    base = dt.date(2019, 3, 4)
    others = [base + dt.timedelta(days=d) for d in range(-10, 11)] + [
        dt.date(2019, 4, 3),
        dt.date(2018, 3, 4),
        dt.date(2020, 3, 4),
        dt.date(2017, 3, 4),
        dt.date(2019, 3, 14),
    ]

    def rec(d: dt.date) -> dict[str, Any]:
        return {
            "dob": d,
            "dob_swap": gen_swap(d),
            "dob_int": d.year * 10000 + d.month * 100 + d.day,
        }

    pairs = [(rec(base), rec(o)) for o in others] + [(rec(o), rec(base)) for o in others]
    frame = pl.DataFrame(
        {
            **{f"l_{k}": [a[k] for a, _ in pairs] for k in ("dob", "dob_swap", "dob_int")},
            **{f"r_{k}": [b[k] for _, b in pairs] for k in ("dob", "dob_swap", "dob_int")},
        },
        schema_overrides={"l_dob_int": pl.Int32, "r_dob_int": pl.Int32},
    )
    got = compute_levels(frame, "date_of_birth").to_list()
    assert [plain_level("date_of_birth", a, b) for a, b in pairs] == got
    assert set(got) >= {0, 1, 2, 3, 4, 5}
