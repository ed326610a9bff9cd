"""Matching nodes of the expression language: similarity, list membership, counting.

See :mod:`cpflag.linkage._expr` for the two readings every node has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from cpflag.linkage._expr import BinOp, Expr, Strict
from cpflag.linkage._expr_py import PyGen

__all__ = ["CountTrue", "ListContains", "ListsIntersect", "Similar", "jaro_winkler"]


_JW: Final = JaroWinkler.normalized_similarity


def jaro_winkler(left: pl.Series, right: pl.Series) -> np.ndarray:
    """Element-wise Jaro--Winkler similarity of two aligned string series (nulls as "")."""
    lv, rv = left.fill_null("").to_list(), right.fill_null("").to_list()
    if not lv:
        return np.zeros(0, dtype=np.float64)
    out: np.ndarray = process.cpdist(lv, rv, scorer=_JW, workers=-1, dtype=np.float64)
    return out


@attrs.frozen(cache_hash=True)
class Similar(Strict):
    """Jaro--Winkler similarity ``>= threshold``, false when the first ``prefix`` characters
    differ (a typo after the opening letters). In a level chain the polars reading
    computes it only for the pairs no stronger level settles."""

    COST: ClassVar[int] = 30
    a: Expr
    b: Expr
    threshold: float
    prefix: int = 0

    def to_polars(self) -> pl.Expr:
        a, b = self.a.to_polars().cast(pl.String), self.b.to_polars().cast(pl.String)
        sim = pl.struct(a.alias("a"), b.alias("b")).map_batches(
            lambda s: pl.Series(jaro_winkler(s.struct.field("a"), s.struct.field("b"))),
            return_dtype=pl.Float64,
            is_elementwise=True,
        )
        close = sim >= self.threshold
        if self.prefix:
            close = (a.str.slice(0, self.prefix) == b.str.slice(0, self.prefix)) & close
        return pl.when(a.is_not_null() & b.is_not_null()).then(close)

    def plain_operation(self, r: Callable[[Any], str]) -> str:
        a, b, p = r(self.a), r(self.b), self.prefix
        close = f"_jw({a}, {b}) >= {float(self.threshold)!r}"
        return f"({a}[:{p}] == {b}[:{p}] and {close})" if p else f"({close})"


@attrs.frozen(cache_hash=True)
class CountTrue(Expr):
    """How many of the conditions are true (nulls count nothing; polars ``sum_horizontal``)."""

    args: tuple[Expr, ...]

    def to_polars(self) -> pl.Expr:
        return pl.sum_horizontal([a.to_polars().cast(pl.Int32) for a in self.args])

    def may_be_null(self, g: PyGen) -> bool:
        return False

    def python_code(self, g: PyGen, truthy: bool) -> str:
        shared = {g.null_leaves(a) for a in self.args}
        if all(isinstance(a, BinOp) for a in self.args) and len(shared) == 1:
            # Every term is null exactly when a shared input is: test it once.
            return g.strict(list(self.args), False, lambda rs: f"(0 + {' + '.join(rs)})", "0")
        return "(" + " + ".join(f"(1 if {g.t(a)} else 0)" for a in self.args) + ")"


@attrs.frozen(cache_hash=True)
class ListContains(Expr):
    """Whether ``item`` is an element of list ``lst`` (null when the list is null)."""

    COST: ClassVar[int] = 4

    lst: Expr
    item: Expr

    def to_polars(self) -> pl.Expr:
        return self.lst.to_polars().list.contains(self.item.to_polars())

    def may_be_null(self, g: PyGen) -> bool:
        return g.nullable(self.lst)

    def python_code(self, g: PyGen, truthy: bool) -> str:
        if not g.nullable(self.lst):
            return f"({g.v(self.item)} in {g.v(self.lst)})"
        x, first = g.operand(self.lst)
        if truthy:
            return f"({first} is not None and {g.v(self.item)} in {x})"
        return f"(None if {first} is None else {g.v(self.item)} in {x})"


@attrs.frozen(cache_hash=True)
class ListsIntersect(Expr):
    """Both lists present and sharing an element (never null)."""

    COST: ClassVar[int] = 8

    a: Expr
    b: Expr

    def to_polars(self) -> pl.Expr:
        a, b = self.a.to_polars(), self.b.to_polars()
        return a.list.set_intersection(b).list.len().fill_null(0) > 0

    def may_be_null(self, g: PyGen) -> bool:
        return False

    def python_code(self, g: PyGen, truthy: bool) -> str:
        (x, fx), (y, fy) = g.operand(self.a), g.operand(self.b)
        test = f"({fx} and {fy} and not set({x}).isdisjoint({y}))"
        return test if truthy else f"(True if {test} else False)"
