"""Comparison levels computed once per distinct value combination, joined back.

Names, postcodes and dates repeat heavily across candidate pairs, so a level
that depends on values alone is computed once per distinct combination.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

__all__ = ["DISTINCT_MIN_PAIRS", "distinct_rows", "on_distinct"]


#: Above this many pairs, value-determined levels are computed once per distinct
#: value pair and joined back (names repeat heavily across candidate pairs).
DISTINCT_MIN_PAIRS: Final = 20_000


def distinct_rows(keys: pl.DataFrame, hashes: pl.Series) -> tuple[pl.Series, pl.Series] | None:
    """Group the rows of ``keys`` by value: ``(representatives, inverse)``, or None.

    ``representatives`` are the row positions of the first row of each distinct
    key combination and ``inverse`` gives, for every row, the position of its
    representative in ``representatives``. Rows are grouped by ``hashes`` (a
    64-bit hash of the key values), which is much cheaper than hashing and
    comparing strings twice (``unique`` then a join on the strings); every
    row's keys are then checked against its representative's, so a hash
    collision can only cost speed (None: the caller takes the exact path),
    never give a row another combination's result.
    """
    h = hashes.rename("_h")
    reps = h.is_first_distinct().arg_true()
    table = pl.DataFrame(
        {"_h": h.gather(reps), "_rep": pl.int_range(reps.len(), dtype=pl.UInt32, eager=True)}
    )
    inverse = h.to_frame().join(table, on="_h", how="left", maintain_order="left")["_rep"]
    back = keys[reps][inverse]
    same = keys.select(
        pl.all_horizontal([pl.col(c).eq_missing(back[c]) for c in keys.columns])
    ).to_series()
    if not same.all():
        return None
    return reps, inverse


def on_distinct(
    p: pl.DataFrame,
    keys: list[str],
    columns: list[str],
    levels: Callable[[pl.DataFrame], pl.Series],
) -> pl.Series:
    """``levels`` computed once per distinct ``keys`` combination, in ``p``'s row order.

    ``columns`` must be functions of ``keys`` (e.g. a name's nickname groups of
    the name), so any row of a combination represents it.
    """
    if p.height < DISTINCT_MIN_PAIRS:
        return levels(p)
    key_frame = p.select(keys)
    grouped = distinct_rows(key_frame, key_frame.select(pl.struct(keys).hash()).to_series())
    if grouped is None:
        return _on_distinct_exact(p, keys, columns, levels)
    reps, inverse = grouped
    if reps.len() > 0.7 * p.height:
        return levels(p)
    return levels(p.select(columns)[reps]).gather(inverse).cast(pl.Int8)


def _on_distinct_exact(
    p: pl.DataFrame,
    keys: list[str],
    columns: list[str],
    levels: Callable[[pl.DataFrame], pl.Series],
) -> pl.Series:
    """:func:`on_distinct` by ``unique`` and a join on the key values themselves."""
    uniq = p.select(columns).unique(subset=keys, keep="any", maintain_order=False)
    if uniq.height > 0.7 * p.height:
        return levels(p)
    table = uniq.select(keys).with_columns(levels(uniq).alias("_lv"))
    return (
        p.select(keys)
        .join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")["_lv"]
        .fill_null(-1)
        .cast(pl.Int8)
    )
