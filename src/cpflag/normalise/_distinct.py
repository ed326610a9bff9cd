"""Run a column transform once per distinct input and join the results back.

Names and addresses repeat (a trust sees the same surnames and streets every
night), and the costly steps (NFKD, regexes, exploding addresses into tokens)
are per value, so large inputs are deduplicated first. Small inputs skip it:
the hash and join cost more than they save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

__all__ = ["on_distinct"]

#: Inputs with fewer rows than this are transformed directly.
MIN_ROWS: Final = 4096


def on_distinct(
    fn: Callable[[pl.DataFrame], pl.DataFrame],
    inputs: pl.DataFrame,
    *,
    max_share: float = 0.5,
) -> pl.DataFrame:
    """Apply a row-wise frame transform once per distinct input row.

    Args:
        fn: Maps a frame of inputs to a frame of outputs with one row per input
            row, in order; its output column names must differ from the inputs'.
        inputs: The input columns.
        max_share: Transform the inputs directly when more than this share of
            them is distinct (the hash and join would cost more than they
            save); a costly transform pays off at a higher share.

    Returns:
        ``fn``'s output columns, one row per row of ``inputs``, in order.
    """
    if inputs.height < MIN_ROWS:
        return fn(inputs)
    keys = inputs.columns
    distinct = inputs.unique(maintain_order=True)
    if distinct.height > inputs.height * max_share:
        return fn(inputs)
    results = fn(distinct)
    table = pl.concat([distinct, results], how="horizontal")
    return inputs.join(table, on=keys, how="left", nulls_equal=True, maintain_order="left").select(
        results.columns
    )
