"""Small column helpers shared by the record writers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["none_like", "pick", "replace_at"]


def pick(mask: npt.NDArray[np.bool_], a: pl.Series | None, b: pl.Series | None) -> pl.Series:
    """Row-wise ``a`` where ``mask`` is True, else ``b``; ``None`` stands for null."""
    then = pl.lit(None) if a is None else pl.lit(a)
    other = pl.lit(None) if b is None else pl.lit(b)
    out = pl.select(pl.when(pl.lit(pl.Series(values=mask))).then(then).otherwise(other)).to_series()
    typed = a if a is not None else b
    return out if typed is None else out.cast(typed.dtype)


def none_like(s: pl.Series) -> pl.Series:
    """A null series of the same length and dtype."""
    return pl.select(pl.repeat(None, s.len(), dtype=s.dtype)).to_series()


def replace_at(s: pl.Series, idx: npt.NDArray[np.int64], values: pl.Series) -> pl.Series:
    """A copy of ``s`` with rows ``idx`` replaced (``Series.scatter`` works in place)."""
    out = s.clone()
    out.scatter(idx, values)
    return out
