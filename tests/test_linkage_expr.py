"""The expression language's two readings agree: polars (``to_polars``) and Python (``evaluate``).

Random typed expressions over random records (nulls, empty lists, lists holding
None, empty strings) through every node type; then random level chains (with
similarity, an ``else_null`` and the distinct-values hint) through
``DeclaredKind.levels_of`` and ``DeclaredKind.plain``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.linkage import _distinct, _levels
from cpflag.linkage._expr import (
    BinOp,
    Expr,
    FillNull,
    IsNull,
    L,
    Lit,
    Logic,
    Not,
    R,
    StrSlice,
    Unary,
    days_between,
)
from cpflag.linkage._expr_match import CountTrue, ListContains, ListsIntersect, Similar
from cpflag.linkage._levels import DeclaredKind

_STRS = ["", "a", "ab", "abc", "abd", "ba", "smith", "smyth", "é", "aé"]
_SCHEMA: dict[str, pl.DataType] = {
    "s1": pl.String(),
    "s2": pl.String(),
    "i1": pl.Int64(),
    "i2": pl.Int64(),
    "d1": pl.Date(),
    "d2": pl.Date(),
    "b1": pl.Boolean(),
    "ls1": pl.List(pl.String),
    "ls2": pl.List(pl.String),
    "li": pl.List(pl.Int64),
}
_COLS = {
    "str": ["s1", "s2"],
    "int": ["i1", "i2"],
    "date": ["d1", "d2"],
    "bool": ["b1"],
    "list": ["ls1", "ls2"],
    "ilist": ["li"],
}
_DATES = [dt.date(2019, 3, 4), dt.date(2019, 3, 11), dt.date(2019, 4, 3), dt.date(1990, 1, 1)]
_INTS = st.integers(-40, 40)


def _opt(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


@st.composite
def record(draw: st.DrawFn) -> dict[str, Any]:
    strs = st.sampled_from(_STRS)
    return {
        "s1": draw(_opt(strs)),
        "s2": draw(_opt(strs)),
        "i1": draw(_opt(_INTS)),
        "i2": draw(_opt(_INTS)),
        "d1": draw(_opt(st.sampled_from(_DATES))),
        "d2": draw(_opt(st.dates(dt.date(1980, 1, 1), dt.date(2030, 1, 1)))),
        "b1": draw(_opt(st.booleans())),
        "ls1": draw(_opt(st.lists(_opt(strs), max_size=3))),
        "ls2": draw(_opt(st.lists(strs, max_size=3))),
        "li": draw(_opt(st.lists(_opt(_INTS), max_size=3))),
    }


def _col(kind: str) -> st.SearchStrategy[Expr]:
    return st.sampled_from([side(c) for c in _COLS[kind] for side in (L, R)])


def _leaf(kind: str) -> st.SearchStrategy[Expr]:
    lits: dict[str, st.SearchStrategy[Any]] = {
        "str": st.sampled_from(_STRS),
        "int": _INTS,
        "date": st.sampled_from(_DATES),
        "bool": st.booleans(),
    }
    if kind in lits:
        return st.one_of(_col(kind), lits[kind].map(Lit))
    return _col(kind)


@functools.cache
def expr(kind: str, depth: int) -> st.SearchStrategy[Expr]:
    """A random expression of one type (``str``, ``int``, ``bool``, ...)."""
    if depth == 0 or kind in ("date", "list", "ilist"):
        return _leaf(kind)
    d = depth - 1
    if kind == "str":
        return st.one_of(
            _leaf(kind),
            st.builds(StrSlice, expr("str", d), st.integers(0, 3), st.integers(0, 3)),
        )
    if kind == "int":
        arith = st.sampled_from(["+", "-"])
        divisor = st.integers(-5, 5).filter(bool).map(Lit)
        return st.one_of(
            _leaf(kind),
            st.builds(BinOp, arith, expr("int", d), expr("int", d)),
            st.builds(BinOp, st.sampled_from(["//", "%"]), expr("int", d), divisor),
            st.builds(Unary, st.just("abs"), expr("int", d)),
            st.builds(Unary, st.just("str_len"), expr("str", d)),
            st.builds(Unary, st.just("list_len"), expr("list", d)),
            st.builds(days_between, expr("date", d), expr("date", d)),
            st.builds(CountTrue, st.lists(expr("bool", d), min_size=1, max_size=3).map(tuple)),
            st.builds(FillNull, expr("int", d), _INTS.map(Lit)),
        )
    cmp = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        _leaf(kind),
        st.builds(BinOp, cmp, expr("int", d), expr("int", d)),
        st.builds(BinOp, cmp, expr("str", d), expr("str", d)),
        st.builds(BinOp, cmp, expr("date", d), expr("date", d)),
        st.builds(
            Logic,
            st.sampled_from(["and", "or"]),
            st.lists(expr("bool", d), min_size=2, max_size=3).map(tuple),
        ),
        st.builds(Not, expr("bool", d)),
        st.builds(IsNull, st.one_of(expr("str", d), expr("int", d), expr("list", d))),
        st.builds(FillNull, expr("bool", d), st.booleans().map(Lit)),
        st.builds(ListContains, expr("list", d), expr("str", d)),
        st.builds(ListContains, expr("ilist", d), expr("int", d)),
        st.builds(ListsIntersect, expr("list", d), expr("list", d)),
        st.builds(
            Similar,
            expr("str", d),
            expr("str", d),
            st.sampled_from([0.0, 0.5, 0.8, 0.9, 1.0]),
            st.integers(0, 3),
        ),
    )


def _frame(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> pl.DataFrame:
    data = {f"{s}_{c}": [p[i][c] for p in pairs] for i, s in enumerate("lr") for c in _SCHEMA}
    return pl.DataFrame(data, schema={f"{s}_{c}": t for s in "lr" for c, t in _SCHEMA.items()})


_PAIRS = st.lists(st.tuples(record(), record()), min_size=1, max_size=12)


@pytest.mark.parametrize("kind", ["bool", "int", "str"])
@settings(max_examples=100, deadline=None)
@given(data=st.data(), pairs=_PAIRS)
def test_polars_and_python_readings_agree(
    kind: str, data: st.DataObject, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    e = data.draw(expr(kind, 3))
    got = _frame(pairs).with_columns(e.to_polars().alias("_out"))["_out"].to_list()
    assert [e.evaluate(a, b) for a, b in pairs] == got, e


@st.composite
def declared(draw: st.DrawFn) -> DeclaredKind:
    n = draw(st.integers(1, 4))
    levels = tuple(draw(expr("bool", 2)) for _ in range(n))
    # Similarity in a level (its polars reading is then computed under a mask).
    if draw(st.booleans()):
        i = draw(st.integers(0, n - 1))
        sim = Similar(L("s1"), R(draw(st.sampled_from(["s1", "s2"]))), 0.8, draw(st.integers(0, 2)))
        levels = (*levels[:i], levels[i] & sim if draw(st.booleans()) else sim, *levels[i + 1 :])
    distinct = draw(st.booleans())
    return DeclaredKind(
        "random",
        tuple(f"level{i}" for i in range(n + 1)),
        levels,
        draw(expr("bool", 2)),
        tuple(_SCHEMA),
        else_null=draw(st.one_of(st.none(), expr("bool", 1))),
        # Every column is a key: the hint then holds whatever the levels read.
        distinct=tuple(_SCHEMA) if distinct else (),
        distinct_levels=draw(st.integers(0, n)) if distinct else 0,
    )


@pytest.mark.parametrize("on_distinct", [False, True])
@settings(max_examples=100, deadline=None)
@given(decl=declared(), pairs=_PAIRS)
def test_declared_levels_agree(
    on_distinct: bool,
    decl: DeclaredKind,
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if on_distinct:
            mp.setattr(_distinct, "DISTINCT_MIN_PAIRS", 0)
            pairs = pairs * 3  # repeated values, as in real candidate sets
        got = decl.levels_of(_frame(pairs)).to_list()
    fn = decl.plain()
    assert [fn(a, b, None) for a, b in pairs] == got


def test_lit_equality_keeps_the_type() -> None:
    assert Lit(1) != Lit(True)
    assert Lit(1) != Lit(1.0)
    assert (L("i1") // 2).evaluate({"i1": 7}, {}) == 3


def test_a_similarity_settled_by_a_stronger_level_is_not_computed() -> None:
    calls: list[int] = []
    decl = DeclaredKind(
        "sim",
        ("exact", "close", "different"),
        (L("s1").eq(R("s1")), Similar(L("s1"), R("s1"), 0.8)),
        IsNull(L("s1")),
        ("s1",),
    )
    frame = _frame([({**dict.fromkeys(_SCHEMA), "s1": "ab"}, {**dict.fromkeys(_SCHEMA), "s1": x})
                    for x in ("ab", "ab", "abc")])  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        real = _levels.jaro_winkler

        def counting(a: pl.Series, b: pl.Series) -> Any:
            calls.append(a.len())
            return real(a, b)

        mp.setattr(_levels, "jaro_winkler", counting)
        assert decl.levels_of(frame).to_list() == [0, 0, 1]
    assert calls == [1]
