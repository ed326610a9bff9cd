"""Score only the candidate pairs that can still reach a band.

Of the national day's 783,000 candidate pairs of attendances and plan
subjects, about 1,500 end in a band (review or match); the rest are left out
of every flag. A pair's match weight is the prior plus one weight per
comparison, and each comparison's weight has a ceiling known before it is
computed (its strongest level's weight, or for a term-frequency-adjusted level
the weight the right-hand record's own value would give). So comparisons are
computed one at a time, cheapest first, and after each the pairs whose weight
so far plus the ceilings of the comparisons still to compute falls below the
lowest band threshold are dropped: they cannot reach a band whatever the rest
give. The pairs that remain are scored as :meth:`Linker.score` scores them
(the same level functions on the same values, then :func:`score_gammas` and
:func:`band_expr`), so their levels, weights and bands are the same, and the
pairs dropped are exactly pairs that would have had no band.

Level functions are row-wise (a pair's level depends on that pair's values
alone), which is what lets a comparison be computed on the pairs still in
play. A kind registered with a vectorised function only
(``register_comparison_kind``) is not assumed to be: it is computed first, on
every pair.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import polars as pl

from cpflag.linkage._codes import Codes, codable, coded_levels, value_codes
from cpflag.linkage._comparisons import compute_levels, declared_kind, required_columns
from cpflag.linkage._expr import nodes
from cpflag.linkage._frame_cache import frame_cached
from cpflag.linkage._levels import DeclaredKind, columns
from cpflag.linkage._linker import band_expr
from cpflag.linkage._model import Comparison, LinkageModel
from cpflag.linkage._score import check_level_labels, score_gammas

__all__ = ["prime_reaching", "score_reaching"]

#: Slack on the pruning test: partial sums are added in another order than the
#: final weight, so they may differ in the last bits; a pair is dropped only
#: when its ceiling is below the threshold by more than this.
_SLACK: Final = 1e-6


def _dtype_cost(dtype: pl.DataType) -> float:
    if isinstance(dtype, pl.List):
        return 6.0
    return 3.0 if dtype == pl.String else 1.0


def _cost(c: Comparison, left: pl.Schema, right: pl.Schema) -> float:
    """Rough cost per pair of computing a comparison: what it reads and its nodes' ``COST``.

    A kind without a declaration comes first (``-inf``): it is computed on every
    pair, as it is not assumed row-wise.
    """
    decl = declared_kind(c.kind)
    if decl is None:
        return -math.inf
    if decl.generic:
        decl = decl.bind(str(c.column))
    cost = 0.0
    for share, work, cols in _parts(decl):
        read = 0.0
        for col in cols:
            schema = left if col.startswith("l_") else right
            if col[2:] in schema:
                read += _dtype_cost(schema[col[2:]])
        cost += share * (work + read)
    return cost


@functools.cache
def _parts(decl: DeclaredKind) -> tuple[tuple[float, float, tuple[str, ...]], ...]:
    """``(share of pairs, work, columns read)`` of a kind's leading and remaining levels."""
    tail = [decl.else_null] if decl.else_null else []
    k = decl.distinct_levels if codable(decl) else 0
    out = []
    # The leading levels of a codable kind are computed once per distinct
    # value pair (see _levels): a fraction of the pairs.
    for share, exprs in ((0.3, [decl.null, *decl.levels[:k]]), (1.0, [*decl.levels[k:], *tail])):
        work = sum(n.COST if n.COST > 1 else 0.2 for e in exprs for n in nodes(e))
        out.append((share, work, tuple(columns(exprs))))
    return tuple(out)


def _tf_applies(c: Comparison, tf: Mapping[str, pl.DataFrame]) -> bool:
    # As score_gammas decides it.
    return c.name in tf and bool(c.tf_column) and any(lv.tf_adjust for lv in c.levels)


def _right_ceiling(
    c: Comparison, right: pl.DataFrame, tf: Mapping[str, pl.DataFrame]
) -> np.ndarray:
    """Per right-hand row: the most any term-frequency-adjusted level of ``c`` can weigh.

    ``-inf`` where no adjustment applies (the level's own weight is then the
    ceiling). An upper bound on what ``score_gammas`` gives those levels: the
    looked-up frequency of the right record's value (floored) and, with a
    ``u_column``, the record's own ``u`` (below 1).
    """
    out = np.full(right.height, -np.inf)
    adjusted = [lv for lv in c.levels if lv.tf_adjust]
    if not adjusted:
        return out
    top_m = math.log2(max(lv.m for lv in adjusted))
    if _tf_applies(c, tf) and c.tf_column in right.columns:
        values = right.select(pl.col(str(c.tf_column)).alias("value"))
        freq = values.join(tf[c.name], on="value", how="left", maintain_order="left")["tf"]
        f = np.maximum(freq.fill_null(c.tf_minimum).to_numpy(), c.tf_minimum)
        out = np.maximum(out, top_m - np.log2(f))
    if c.u_column and c.u_column in right.columns:
        u = np.maximum(right[c.u_column].fill_null(1.0).to_numpy(), c.tf_minimum)
        out = np.maximum(out, np.where(u < 1.0, top_m - np.log2(u), -np.inf))
    return out


class _Ceilings:
    """Per comparison: level weights (index -1 the null level's 0) and right-row ceilings."""

    def __init__(
        self, model: LinkageModel, right: pl.DataFrame, tf: Mapping[str, pl.DataFrame]
    ) -> None:
        self.table: dict[str, np.ndarray] = {}
        self.adjusted: dict[str, np.ndarray] = {}
        self.tf_row: dict[str, np.ndarray] = {}
        self.top_row: dict[str, np.ndarray] = {}
        for c in model.comparisons:
            table = np.array([lv.weight for lv in c.levels] + [0.0])
            self.table[c.name] = table
            self.adjusted[c.name] = np.array([lv.tf_adjust for lv in c.levels] + [False])
            row = _right_ceiling(c, right, tf)
            self.tf_row[c.name] = row
            self.top_row[c.name] = np.maximum(row, table.max())
        self.codes: dict[tuple[str, ...], Codes] = {}

    def right_codes(self, right: pl.DataFrame, cols: tuple[str, ...]) -> Codes:
        """The right frame's value codes of ``cols`` (computed once)."""
        found = self.codes.get(cols)
        if found is None:
            found = self.codes[cols] = value_codes(right, cols)
        return found


def _ceilings(
    model: LinkageModel, right: pl.DataFrame, tf: Mapping[str, pl.DataFrame]
) -> _Ceilings:
    # The plan side of an index is scored against every night: its ceilings
    # and value codes are kept as long as the frame lives.
    return frame_cached(
        right,
        ("reaching ceilings", tuple(tf)),
        lambda: _Ceilings(model, right, tf),
        anchors=(model, *tf.values()),
    )


def prime_reaching(
    model: LinkageModel, right: pl.DataFrame, tf: Mapping[str, pl.DataFrame]
) -> None:
    """Compute ``right``'s ceilings and value codes for ``model`` now (kept with the frame).

    An index does this when it is built, so that a night pays for its own
    attendances only.
    """
    ceil = _ceilings(model, right, tf)
    for c in model.comparisons:
        decl = declared_kind(c.kind)
        if decl is not None and codable(decl) and all(x in right.columns for x in decl.distinct):
            ceil.right_codes(right, decl.distinct)


def _gather(
    left: pl.DataFrame, right: pl.DataFrame, cols: Sequence[str], li: np.ndarray, ri: np.ndarray
) -> pl.DataFrame:
    """Columns ``cols`` of the pairs (``li``, ``ri``), prefixed as ``pair_frame`` has them."""
    lf = left.select([pl.col(c).alias(f"l_{c}") for c in cols if c in left.columns])[li]
    rf = right.select([pl.col(c).alias(f"r_{c}") for c in cols if c in right.columns])[ri]
    return pl.concat([lf, rf], how="horizontal")


def _levels(
    c: Comparison,
    left: pl.DataFrame,
    right: pl.DataFrame,
    li: np.ndarray,
    ri: np.ndarray,
    ceil: _Ceilings,
    left_codes: dict[tuple[str, ...], Codes],
) -> np.ndarray:
    """Levels of comparison ``c`` for the pairs (``li``, ``ri``), as ``compute_levels`` gives."""
    decl = declared_kind(c.kind)
    if decl is not None and codable(decl):
        cols = decl.distinct
        if all(x in left.columns and x in right.columns for x in cols):
            if cols not in left_codes:
                left_codes[cols] = value_codes(left, cols)
            rc = ceil.right_codes(right, cols)
            found = coded_levels(decl, left, right, li, ri, left_codes[cols], rc)
            if found is not None:
                return found
    cols = required_columns(c.kind, c.column)
    return compute_levels(_gather(left, right, cols, li, ri), c.kind, c.column).to_numpy()


def score_reaching(
    model: LinkageModel,
    left: pl.DataFrame,
    right: pl.DataFrame,
    pairs: pl.DataFrame,
    tf: Mapping[str, pl.DataFrame],
) -> pl.DataFrame:
    """The candidate pairs that reach a band, scored (see the module docstring).

    Args:
        model: The model.
        left: Prepared left frame.
        right: Prepared right frame.
        pairs: Frame with ``l`` and ``r`` (UInt32 row positions); other columns are kept.
        tf: Term-frequency tables (see ``term_frequencies``).

    Returns:
        The rows of ``pairs`` whose match weight reaches the lowest band
        threshold, in their order, with ``gamma_<name>``, ``w_<name>``,
        ``match_weight``, ``match_probability``, ``guard``, ``capped`` and
        ``band`` as :meth:`Linker.score` gives them (without the compared
        values).
    """
    check_level_labels(model)
    t = model.thresholds
    floor = min(t.match, t.review) - _SLACK
    ceil = _ceilings(model, right, tf)
    keep = np.arange(pairs.height)
    li, ri = pairs["l"].to_numpy(), pairs["r"].to_numpy()
    schemas = left.schema, right.schema
    order = sorted(model.comparisons, key=lambda c: _cost(c, *schemas))
    # Weight so far (each computed comparison at its ceiling for the pair's
    # level) and the ceilings of those still to compute.
    so_far = np.full(pairs.height, model.prior_weight)
    to_come = np.zeros(pairs.height)
    for c in order:
        to_come += ceil.top_row[c.name][ri]
    gammas: dict[str, np.ndarray] = {}
    left_codes: dict[tuple[str, ...], Codes] = {}
    for c in order:
        g = _levels(c, left, right, li, ri, ceil, left_codes)
        w = ceil.table[c.name][g]
        tf_row = ceil.tf_row[c.name]
        adj = ceil.adjusted[c.name][g]
        if adj.any():
            w = np.where(adj, np.maximum(w, tf_row[ri]), w)
        so_far += w
        to_come -= ceil.top_row[c.name][ri]
        gammas[c.name] = g
        alive = so_far + to_come >= floor
        if not alive.all():
            idx = np.flatnonzero(alive)
            keep, li, ri = keep[idx], li[idx], ri[idx]
            so_far, to_come = so_far[idx], to_come[idx]
            gammas = {k: v[idx] for k, v in gammas.items()}
    extra = [x for c in model.comparisons for x in (c.tf_column, c.u_column) if x]
    extra = [x for x in dict.fromkeys(extra) if x in right.columns]
    pf = pl.concat(
        [
            pairs[keep],
            pl.DataFrame(
                [
                    pl.Series(f"gamma_{c.name}", gammas[c.name], dtype=pl.Int8)
                    for c in model.comparisons
                ]
            ),
            right.select([pl.col(x).alias(f"r_{x}") for x in extra])[ri],
        ],
        how="horizontal",
    )
    scored = score_gammas(pf, model, tf).with_columns(band_expr(model))
    return scored.drop([f"r_{x}" for x in extra])
