"""Candidate pairs for resolution: the model's blocking rules as hashed equi-joins.

The same rules and the same pairs as :func:`cpflag.linkage.block`, computed
faster for the large self-joins of a history: each rule's key tuple (list keys
exploded first) is hashed to one ``UInt64`` and the join is on that single
column, which is several times quicker than joining on several string columns.
A hash collision can only add a candidate pair (every pair is scored on its
real values afterwards), never lose one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag._errors import ModelError
from cpflag.linkage import BlockingRule
from cpflag.linkage._blocking import key_rows

__all__ = ["candidate_pairs"]

#: ``l * _SHIFT + r`` packs a pair of row numbers into one UInt64 key.
_SHIFT = 1 << 32


def _hashed(
    frame: pl.DataFrame, keys: Sequence[str], side: str, *, unique: bool = True
) -> pl.DataFrame:
    rows, exploded = key_rows(frame, keys, side)
    out = rows.select(side, pl.struct([f"k{i}" for i in range(len(keys))]).hash(seed=7).alias("h"))
    # Only an exploded list can give one record the same key twice.
    return out.unique() if exploded and unique else out


def _run_pairs(rec: npt.NDArray[np.uint64], h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Every pair ``l < r`` of records sharing a key, packed as ``l * 2**32 + r``.

    Sort by (key, record); within each run of one key, element ``p`` of ``k``
    pairs with the ``k - 1 - p`` after it. Pure index arithmetic: no join, and
    no ``l >= r`` rows to produce and throw away.
    """
    if h.size == 0:
        return np.zeros(0, dtype=np.uint64)
    order = np.lexsort((rec, h))
    hs, rs = h[order], rec[order]
    start = np.r_[0, np.flatnonzero(hs[1:] != hs[:-1]) + 1]
    size = np.diff(np.r_[start, hs.size])
    pos = np.arange(hs.size) - np.repeat(start, size)
    cnt = np.repeat(size, size) - 1 - pos
    left = np.repeat(np.arange(hs.size), cnt)
    right = left + 1 + (np.arange(left.size) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    lv, rv = rs[left], rs[right]
    # A record listed twice under one key (an exploded list) pairs with itself.
    keep = lv != rv
    packed: npt.NDArray[np.uint64] = lv[keep] * np.uint64(_SHIFT) + rv[keep]
    return packed


def candidate_pairs(
    left: pl.DataFrame,
    right: pl.DataFrame,
    rules: Sequence[BlockingRule],
    *,
    dedupe: bool = False,
) -> pl.DataFrame:
    """Candidate pairs from the union of ``rules``.

    Args:
        left: Prepared left frame (``rec`` = row position, and the left keys).
        right: Prepared right frame (``rec`` and the right keys).
        rules: Blocking rules in priority order.
        dedupe: ``left`` and ``right`` are one table: keep only ``l < r``.

    Returns:
        ``l``, ``r`` (UInt32) and ``rule`` (UInt8, first rule that found the
        pair), sorted by ``(l, r)``.

    Raises:
        ModelError: A rule names a column the frames lack, or its key counts differ.
    """
    parts: list[npt.NDArray[np.uint64]] = []
    for rule in rules:
        if len(rule.left_keys) != len(rule.keys_right):
            raise ModelError(f"blocking rule {rule.name!r}: left and right key counts differ")
        if dedupe and right is left and rule.keys_right == rule.left_keys:
            k = _hashed(left, rule.left_keys, "l", unique=False)
            k = k.filter(pl.col("h").is_duplicated())
            parts.append(_run_pairs(k["l"].to_numpy().astype(np.uint64), k["h"].to_numpy()))
            continue
        lk = _hashed(left, rule.left_keys, "l")
        # Align dtypes so that equal values hash equally (e.g. Date against Date).
        casts = [
            pl.col(rk_).cast(left.schema[lk_])
            for lk_, rk_ in zip(rule.left_keys, rule.keys_right, strict=True)
            if right.schema[rk_] != left.schema[lk_]
        ]
        # Duplicate keys of one right record only repeat a pair, which the
        # final de-duplication removes: cheaper than a unique on a big table.
        rk = _hashed(
            right.with_columns(casts) if casts else right, rule.keys_right, "r", unique=False
        )
        rk = rk.filter(pl.col("h").is_in(lk["h"].implode()))
        joined = lk.join(rk, on="h", how="inner")
        if dedupe:
            joined = joined.filter(pl.col("l") < pl.col("r"))
        parts.append(
            (joined["l"].cast(pl.UInt64) * _SHIFT + joined["r"].cast(pl.UInt64)).to_numpy()
        )
    rule_of = np.concatenate(
        [np.full(p.size, i, dtype=np.uint8) for i, p in enumerate(parts)] or [np.zeros(0, np.uint8)]
    )
    packed = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    # First occurrence of each pair: parts are in rule order, so the first rule.
    uniq, first = np.unique(packed, return_index=True)
    return pl.DataFrame(
        {
            "l": (uniq // np.uint64(_SHIFT)).astype(np.uint32),
            "r": (uniq % np.uint64(_SHIFT)).astype(np.uint32),
            "rule": rule_of[first],
        },
        schema={"l": pl.UInt32, "r": pl.UInt32, "rule": pl.UInt8},
    )
