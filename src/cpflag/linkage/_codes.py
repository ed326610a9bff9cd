"""Levels once per distinct value pair, found through integer codes of each side's values.

A declared kind's ``distinct`` hint names the columns that determine its null
condition and leading levels (see ``DeclaredKind``). Each side's rows get an
integer code per distinct combination of those columns (the plan side's once
per index, see ``_reaching``), a pair's two codes make one integer key, and the
leading levels are computed once per distinct key on one representative row
of each side, then spread back by position. Neither the pair frame nor a hash
of the compared strings is built for all pairs; the levels the hint does not
cover are computed for the pairs the leading ones leave open only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
import numpy as np
import polars as pl

from cpflag.linkage._distinct import DISTINCT_MIN_PAIRS
from cpflag.linkage._levels import Branch, DeclaredKind, chain, columns

__all__ = ["Codes", "codable", "coded_levels", "factorize", "gather_prefixed", "value_codes"]

#: Key spaces up to this size are factorised with a dense table (no sort).
_DENSE_MAX: Final = 1 << 24
#: Above this share of distinct keys among the pairs, levels are computed per pair.
_MAX_SHARE: Final = 0.7


@attrs.frozen(eq=False)
class Codes:
    """Per row of a frame, the code of its combination of values (``0 .. n - 1``).

    Attributes:
        codes: One code per row (int64).
        n: How many codes.
        rep: A row of each code (int64).
    """

    codes: np.ndarray
    n: int
    rep: np.ndarray


def value_codes(frame: pl.DataFrame, cols: Sequence[str]) -> Codes:
    """Codes of the distinct combinations of ``cols`` (nulls are values too)."""
    expr = pl.col(cols[0]) if len(cols) == 1 else pl.struct(list(cols))
    # A null value (one column) ranks null: it is given code 0, the others from 1.
    ranked = frame.select(expr.rank("dense").fill_null(0).alias("c"))["c"]
    codes = ranked.to_numpy().astype(np.int64)
    n = int(codes.max()) + 1 if codes.size else 1
    rep = np.zeros(n, dtype=np.int64)
    rep[codes] = np.arange(codes.size, dtype=np.int64)
    return Codes(codes=codes, n=n, rep=rep)


def factorize(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """``(distinct keys, position of each key among them)`` for keys in ``0 .. space - 1``."""
    if space <= _DENSE_MAX:
        seen = np.zeros(space, dtype=bool)
        seen[key] = True
        uniq = np.flatnonzero(seen)
        pos = np.empty(space, dtype=np.int64)
        pos[uniq] = np.arange(uniq.size, dtype=np.int64)
        return uniq, pos[key]
    uniq, inverse = np.unique(key, return_inverse=True)
    return uniq, inverse.reshape(-1)


def codable(decl: DeclaredKind) -> bool:
    """Whether ``decl``'s leading levels can be computed per distinct value pair."""
    return bool(decl.distinct) and not decl.generic and decl.distinct_levels > 0


def gather_prefixed(
    left: pl.DataFrame, right: pl.DataFrame, cols: Sequence[str], li: np.ndarray, ri: np.ndarray
) -> pl.DataFrame:
    """Pair-frame columns (``l_x``, ``r_y``) of the pairs (``li``, ``ri``), as named."""
    lf = left.select([pl.col(c[2:]).alias(c) for c in cols if c.startswith("l_")])[li]
    rf = right.select([pl.col(c[2:]).alias(c) for c in cols if c.startswith("r_")])[ri]
    return pl.concat([lf, rf], how="horizontal")


def coded_levels(
    decl: DeclaredKind,
    left: pl.DataFrame,
    right: pl.DataFrame,
    li: np.ndarray,
    ri: np.ndarray,
    lcodes: Codes,
    rcodes: Codes,
) -> np.ndarray | None:
    """``decl``'s levels of the pairs (``li``, ``ri``) as ``levels_of`` gives them, or None.

    Args:
        decl: A :func:`codable` declaration.
        left, right: The prepared frames.
        li, ri: Row positions of the pairs.
        lcodes, rcodes: :func:`value_codes` of ``decl.distinct`` in each frame.

    Returns:
        Int8 levels; None when the pairs are few or their value pairs mostly
        distinct (compute them per pair).
    """
    if li.size < DISTINCT_MIN_PAIRS:
        return None
    key = lcodes.codes[li] * rcodes.n + rcodes.codes[ri]
    uniq, inverse = factorize(key, lcodes.n * rcodes.n)
    if uniq.size > _MAX_SHARE * li.size:
        return None
    n, k = len(decl.levels), decl.distinct_levels
    core_branches: list[Branch] = [(decl.null, -1), *decl.level_branches(0, k)]
    reps = gather_prefixed(
        left,
        right,
        columns([e for e, _ in core_branches]),
        lcodes.rep[uniq // rcodes.n],
        rcodes.rep[uniq % rcodes.n],
    )
    out: np.ndarray = chain(reps, core_branches, k).to_numpy()[inverse]
    tail: list[Branch] = [(decl.else_null, -1)] if decl.else_null is not None else []
    if k == n and not tail:
        return out
    # The levels the distinct columns do not settle, for the pairs still open.
    todo = np.flatnonzero(out == k)
    if todo.size:
        rest = [*decl.level_branches(k, n), *tail]
        cols = columns([e for e, _ in rest])
        frame = gather_prefixed(left, right, cols, li[todo], ri[todo])
        if not cols:  # conditions without columns: the frame still has the pairs' height
            frame = pl.DataFrame({"__pair": todo})
        out[todo] = chain(frame, rest, n).to_numpy()
    return out
