"""Comparison kinds declared once: ordered level conditions read by polars and by Python.

A :class:`DeclaredKind` lists a comparison's level labels, one condition per
level (strongest first; the catch-all last level has none), the null condition
(a value missing: no evidence either way) and, optionally, a condition under
which a pair no level fits is null rather than the catch-all. The first true
condition gives the level; a null condition counts as false.

The polars reading (:meth:`DeclaredKind.levels_of`) turns a pair frame into an
``Int8`` series (``-1`` the null level). It computes string similarity only for
pairs that no stronger level settles (derived from the chain, so it cannot
change a level), and, given the ``distinct`` hint, computes the leading levels
once per distinct value combination. The Python reading
(:meth:`DeclaredKind.plain`) is a compiled function of one pair for the triage
path. Both interpret the same declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np
import polars as pl

from cpflag.linkage._distinct import on_distinct
from cpflag.linkage._expr import Col, Expr, Lit, nodes
from cpflag.linkage._expr_match import Similar, jaro_winkler
from cpflag.linkage._expr_py import LevelFn, PyGen, compile_chain

__all__ = ["COLUMN", "DeclaredKind", "chain"]

#: The column name standing for a generic kind's compared column (``exact``, ``string``).
COLUMN: Final = "$column"

Branch = tuple[Expr, int | Expr]


@attrs.frozen(cache_hash=True)
class Ref(Expr):
    """A column of the pair frame by its full name (polars reading only; internal)."""

    KIND: ClassVar[str] = "ref"
    name: str

    def to_polars(self) -> pl.Expr:
        return pl.col(self.name)

    def python_code(self, g: PyGen, truthy: bool) -> str:
        raise TypeError("Ref has no Python reading")


def columns(exprs: Sequence[Expr]) -> list[str]:
    """The prefixed pair-frame columns ``exprs`` read, in order of first use."""
    found = (n for e in exprs for n in nodes(e))
    return list(dict.fromkeys(f"{n.side}_{n.name}" for n in found if isinstance(n, Col)))


def replace(e: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """``e`` with every node for which ``fn`` gives a node replaced by it (outermost first)."""
    new = fn(e)
    if new is not None:
        return new
    changes: dict[str, Any] = {}
    for field, v in attrs.asdict(e, recurse=False).items():
        if isinstance(v, Expr):
            changes[field] = replace(v, fn)
        elif isinstance(v, tuple) and v and isinstance(v[0], Expr):
            changes[field] = tuple(replace(x, fn) for x in v)
    return attrs.evolve(e, **changes) if changes else e


@attrs.frozen(cache_hash=True)
class DeclaredKind:
    """One comparison kind: its levels as expressions (see the module docstring).

    Attributes:
        kind: The kind's name (``Comparison.kind``).
        labels: Level labels, strongest first, the catch-all last.
        levels: One condition per label but the last.
        null: The null-level condition, tested first.
        required: Prepared columns it reads (unprefixed; :data:`COLUMN` for a
            generic kind's compared column).
        else_null: Where no level holds: null instead of the catch-all when true.
        distinct: Hint: columns (both sides) that determine the null condition and
            the first ``distinct_levels`` levels (the other columns those read
            must be functions of them), so those are computed per distinct pair
            of values on large frames.
        distinct_levels: How many leading levels ``distinct`` determines.
    """

    kind: str
    labels: tuple[str, ...]
    levels: tuple[Expr, ...]
    null: Expr
    required: tuple[str, ...]
    else_null: Expr | None = None
    distinct: tuple[str, ...] = ()
    distinct_levels: int = 0

    def __attrs_post_init__(self) -> None:
        if len(self.levels) != len(self.labels) - 1:
            raise ValueError(f"{self.kind}: one condition per level but the catch-all")
        read = {n.name for e in self._exprs() for n in nodes(e) if isinstance(n, Col)}
        if not read <= set(self.required):
            raise ValueError(f"{self.kind}: reads {sorted(read - set(self.required))} too")
        if self.distinct_levels > len(self.levels):
            raise ValueError(f"{self.kind}: distinct_levels beyond the levels")

    def _exprs(self) -> list[Expr]:
        return [self.null, *self.levels, *([self.else_null] if self.else_null else [])]

    @property
    def generic(self) -> bool:
        """Whether the kind compares a column named by the comparison (``exact``)."""
        return COLUMN in self.required

    def bind(self, column: str) -> DeclaredKind:
        """A generic kind with :data:`COLUMN` replaced by ``column``."""

        def sub(e: Expr) -> Expr | None:
            return Col(e.side, column) if isinstance(e, Col) and e.name == COLUMN else None

        return attrs.evolve(
            self,
            levels=tuple(replace(e, sub) for e in self.levels),
            null=replace(self.null, sub),
            else_null=None if self.else_null is None else replace(self.else_null, sub),
            required=tuple(column if c == COLUMN else c for c in self.required),
        )

    def level_branches(self, start: int, stop: int) -> list[tuple[Expr, int]]:
        return [(self.levels[i], i) for i in range(start, stop)]

    def levels_of(self, pairs: pl.DataFrame) -> pl.Series:
        """The polars reading: level index per pair (``Int8``, ``-1`` = null level)."""
        n, k = len(self.levels), self.distinct_levels
        tail: list[Branch] = [(self.else_null, -1)] if self.else_null is not None else []
        if not self.distinct:
            return _chain(pairs, [(self.null, -1), *self.level_branches(0, n), *tail], n)
        core_branches: list[Branch] = [(self.null, -1), *self.level_branches(0, k)]
        keys = [f"{s}_{c}" for s in "lr" for c in self.distinct]
        cols = list(dict.fromkeys([*keys, *columns([e for e, _ in core_branches])]))
        core = on_distinct(pairs, keys, cols, lambda q: _chain(q, core_branches, k))
        if k == n and not tail:
            return core
        rest = [*self.level_branches(k, n), *tail]
        frame, cols = core.to_frame("__core"), columns([e for e, _ in rest])
        frame = frame.hstack(pairs.select(cols)) if cols else frame
        head: Branch = (Ref("__core").ne(Lit(k)), Ref("__core"))
        return _chain(frame, [head, *rest], n)

    def plain(self) -> LevelFn:
        """The Python reading: ``fn(left, right, column) -> level`` for one pair."""
        return _plain(self)


@functools.cache
def _plain(decl: DeclaredKind) -> LevelFn:
    tail = [(decl.else_null, -1)] if decl.else_null is not None else []
    n = len(decl.levels)
    branches: list[tuple[Expr, int]] = [(decl.null, -1), *decl.level_branches(0, n), *tail]
    return compile_chain(branches, n)


def _swap(old: Expr, new: Expr, e: Expr) -> Expr | None:
    return new if e == old else None


def _similars(branches: Sequence[Branch]) -> list[Similar]:
    found = (n for e, _ in branches for n in nodes(e))
    return list(dict.fromkeys(n for n in found if isinstance(n, Similar)))


def _contains(e: Expr, targets: set[Expr]) -> bool:
    return any(n in targets for n in nodes(e))


def chain(frame: pl.DataFrame, branches: list[Branch], otherwise: int) -> pl.Series:
    """The polars reading of a level chain over a pair frame (``Int8``; see ``_chain``)."""
    return _chain(frame, branches, otherwise)


def _chain(frame: pl.DataFrame, branches: list[Branch], otherwise: int) -> pl.Series:
    """``when(c0) v0 .when(c1) v1 ... otherwise(otherwise)`` as ``Int8``, similarity precomputed.

    Each similarity is computed only where its value can change the result: no
    earlier condition (without a similarity still to compute) is true.
    """
    sims = _similars(branches)
    if sims:
        pending: set[Expr] = set(sims)
        last = max(i for i, (e, _) in enumerate(branches) if _contains(e, pending))
        # The conditions the similarity masks read: computed once, for masks and chain.
        early = [i for i in range(last) if not _contains(branches[i][0], pending)]
        frame = frame.with_columns(
            [branches[i][0].to_polars().fill_null(False).alias(f"__c{i}") for i in early]
        )
        branches = [(Ref(f"__c{i}") if i in early else e, v) for i, (e, v) in enumerate(branches)]
        for j, s in enumerate(sims):
            relevant = []
            for u, (e, _) in enumerate(branches):
                if s in set(nodes(e)):
                    settled = [
                        c.to_polars().fill_null(False)
                        for c, _ in branches[:u]
                        if not _contains(c, pending)
                    ]
                    relevant.append(~pl.any_horizontal(pl.lit(False), *settled))
            frame = _similarity(frame, s, pl.any_horizontal(relevant), f"__s{j}")
            pending.discard(s)
            swap = functools.partial(_swap, s, Ref(f"__s{j}"))
            branches = [(replace(e, swap), v) for e, v in branches]
    expr: Any = pl
    for cond, value in branches:
        then = pl.lit(value, pl.Int8) if isinstance(value, int) else value.to_polars()
        expr = expr.when(cond.to_polars()).then(then)
    out: pl.Expr = pl.lit(otherwise, pl.Int8) if expr is pl else expr.otherwise(otherwise)
    return frame.with_columns(out.cast(pl.Int8).alias("__level")).get_column("__level")


def _similarity(frame: pl.DataFrame, s: Similar, relevant: pl.Expr, name: str) -> pl.DataFrame:
    """Add ``name``: ``s`` where ``relevant`` (elsewhere false or, with an input null, null)."""
    a, b = s.a.to_polars().cast(pl.String), s.b.to_polars().cast(pl.String)
    both = a.is_not_null() & b.is_not_null()
    todo = both & relevant
    if s.prefix:
        todo = todo & (a.str.slice(0, s.prefix) == b.str.slice(0, s.prefix))
    # with_columns, not select: literal inputs broadcast to the frame's height.
    flags = frame.with_columns(both.alias("__both"), todo.fill_null(False).alias("__todo"))
    out = np.zeros(frame.height, dtype=bool)
    idx = np.flatnonzero(flags["__todo"].to_numpy())
    if idx.size:
        sub = frame.with_columns(a.alias("__a"), b.alias("__b")).select("__a", "__b")[idx]
        out[idx] = jaro_winkler(sub["__a"], sub["__b"]) >= s.threshold
    value = pl.Series(name, out)
    if not flags["__both"].all():
        value = pl.select(pl.when(flags["__both"]).then(value)).to_series().alias(name)
    return frame.with_columns(value)
