"""Fellegi--Sunter scoring of one pair in plain Python: the scalar form of ``_score``.

``PlainScorer`` compiles a model and its term-frequency tables once, then scores
a pair of prepared records (mappings) to the numbers the vectorised path gives:
levels, weights, the match weight, the first guard that applies, the band, and
the ``reasons`` text. It follows ``score_gammas``, ``band_expr`` and
``reasons_expr`` step by step, including the order of the floating-point
additions and numpy's ``log2`` for term-frequency weights, so the scores are
equal to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import polars as pl

from cpflag.linkage._comparisons import LEVEL_LABELS, plain_function
from cpflag.linkage._expr_py import LevelFn
from cpflag.linkage._model import Comparison, LinkageModel

__all__ = ["PlainPair", "PlainScorer", "Unsupported", "format_weight", "round_weight"]

Rec = Mapping[str, Any]


class Unsupported(Exception):  # noqa: N818 -- a signal, not an error shown to anyone
    """The scalar path cannot reproduce the vectorised result here; use polars."""


def _log2(values: Sequence[float]) -> list[float]:
    # numpy's log2, not math.log2: the vectorised path uses numpy, and the two
    # may differ in the last bit.
    out: list[float] = np.log2(np.asarray(values, dtype=np.float64)).tolist()
    return out


def round_weight(w: float) -> float:
    """``pl.Expr.round(1)`` of one value (scale by ten, round half to even, scale back)."""
    scaled = w * 10.0
    if not math.isfinite(scaled):
        return w
    # round() is half to even, as polars; copysign keeps a rounded -0.0 negative.
    return math.copysign(round(scaled) / 10.0, scaled)


def format_weight(w: float) -> str:
    """A rounded weight as polars' ``format`` writes a float.

    Raises:
        Unsupported: A value polars would write in exponent form.
    """
    text = repr(w)
    if "e" in text or "n" in text:  # exponent, inf or nan
        raise Unsupported("weight outside the plainly formatted range")
    return text


@attrs.frozen
class _Compiled:
    name: str
    fn: LevelFn
    column: str | None
    weights: tuple[float, ...]
    descriptions: tuple[str, ...]
    #: Per tf-adjusted level index: log2(m) of that level.
    tf_levels: dict[int, float]
    #: value -> log2(max(tf, tf_minimum)), and the weight for an unknown value.
    tf_log: dict[Any, float] | None
    tf_missing: float
    tf_column: str | None
    u_column: str | None
    tf_minimum: float


@attrs.frozen
class PlainPair:
    """One scored pair.

    Attributes:
        gammas: Level index per comparison (``-1`` = null level), model order.
        weights: Weight per comparison.
        match_weight: Prior weight plus the weights.
        guard: The first guard (model order) that applies, else None.
        band: ``match``, ``review`` or None (below the review threshold).
    """

    gammas: tuple[int, ...]
    weights: tuple[float, ...]
    match_weight: float
    guard: str | None
    band: str | None


def _compile(c: Comparison, tf_tables: Mapping[str, pl.DataFrame]) -> _Compiled:
    fn = plain_function(c.kind, c.column)
    if fn is None or LEVEL_LABELS.get(c.kind) != c.labels:
        raise Unsupported(f"comparison kind {c.kind!r} has no plain form")
    tf_levels = {i: math.log2(lv.m) for i, lv in enumerate(c.levels) if lv.tf_adjust}
    tf_log: dict[Any, float] | None = None
    missing = 0.0
    if c.name in tf_tables and c.tf_column:
        table = tf_tables[c.name]
        values = table["value"].to_list()
        tfs = np.maximum(table["tf"].to_numpy(), c.tf_minimum)
        tf_log = dict(zip(values, _log2(tfs.tolist()), strict=True))
        missing = _log2([c.tf_minimum])[0]
    return _Compiled(
        name=c.name,
        fn=fn,
        column=c.column,
        weights=tuple(lv.weight for lv in c.levels),
        descriptions=tuple(lv.description or f"{c.name} {lv.label}" for lv in c.levels),
        tf_levels=tf_levels,
        tf_log=tf_log,
        tf_missing=missing,
        tf_column=c.tf_column,
        u_column=c.u_column,
        tf_minimum=c.tf_minimum,
    )


@attrs.frozen
class PlainScorer:
    """A model compiled for scoring one pair at a time.

    Build with :meth:`build`; it raises :class:`Unsupported` when a comparison
    kind has no plain form (the caller then uses the vectorised path).
    """

    model: LinkageModel
    comparisons: tuple[_Compiled, ...]
    guards: tuple[tuple[str, tuple[tuple[int, frozenset[int]], ...]], ...]
    right_columns: frozenset[str]

    @classmethod
    def build(
        cls,
        model: LinkageModel,
        tf_tables: Mapping[str, pl.DataFrame],
        right_columns: Sequence[str],
    ) -> PlainScorer:
        """Compile ``model`` with its term-frequency tables.

        Args:
            model: The linkage model.
            tf_tables: ``term_frequencies`` output for the right-hand table.
            right_columns: Columns of the right-hand prepared frame (a
                ``u_column`` counts only when the right frame has it).

        Returns:
            The compiled scorer.

        Raises:
            Unsupported: A comparison kind without a plain form (not a declared kind).
        """
        comps = tuple(_compile(c, tf_tables) for c in model.comparisons)
        index = {c.name: i for i, c in enumerate(model.comparisons)}
        guards = []
        for g in model.guards:
            conds = []
            for cname, labels in g.when.items():
                comp = model.comparison(cname)
                idx = frozenset(-1 if lb == "null" else comp.labels.index(lb) for lb in labels)
                conds.append((index[cname], idx))
            guards.append((g.name, tuple(conds)))
        return cls(
            model=model,
            comparisons=comps,
            guards=tuple(guards),
            right_columns=frozenset(right_columns),
        )

    def score(self, left: Rec, right: Rec) -> PlainPair:
        """Score one pair of prepared records.

        Args:
            left: The left (attendance) record's prepared values.
            right: The right record's prepared values.

        Returns:
            Levels, weights, match weight, guard and band, as the vectorised path.
        """
        gammas: list[int] = []
        weights: list[float] = []
        total = self.model.prior_weight
        for c in self.comparisons:
            g = c.fn(left, right, c.column)
            w = c.weights[g] if g >= 0 else 0.0
            if c.tf_log is not None and g in c.tf_levels:
                w = c.tf_levels[g] - c.tf_log.get(right[str(c.tf_column)], c.tf_missing)
            if c.u_column is not None and c.u_column in self.right_columns and g in c.tf_levels:
                u = right[c.u_column]
                u = max(1.0 if u is None else u, c.tf_minimum)
                if u < 1.0:
                    w = c.tf_levels[g] - _log2([u])[0]
            total += w
            gammas.append(g)
            weights.append(w)
        guard = None
        for name, conds in self.guards:
            if all(gammas[i] in idx for i, idx in conds):
                guard = name
                break
        t = self.model.thresholds
        if total >= t.match and guard is None:
            band: str | None = "match"
        elif total >= t.review:
            band = "review"
        else:
            band = None
        return PlainPair(tuple(gammas), tuple(weights), total, guard, band)

    def reasons(self, pair: PlainPair) -> str:
        """The short reasons text (``reasons_expr``): each non-null level with its weight.

        Raises:
            Unsupported: A weight polars would format differently.
        """
        pieces = []
        for c, g, w in zip(self.comparisons, pair.gammas, pair.weights, strict=True):
            if g < 0:
                continue
            wr = round_weight(w)
            # Levels that weigh nothing (e.g. "names in place") are left out.
            if abs(wr) < 0.05:
                continue
            sign = "+" if wr >= 0 else ""
            pieces.append(f"{c.descriptions[g]} ({sign}{format_weight(wr)})")
        return "; ".join(pieces)
