"""A frame's rows as Python values, held column by column as codes of distinct values.

The triage path reads a few dozen plan-side rows per record as ``{column:
value}`` dicts. Caching those dicts between calls made the garbage collector's
work grow with every call: each cached row is a tracked dict holding tracked
lists, the cache's growth promotes them to the oldest generation, and the full
collections it triggers traverse all of them (pauses of a quarter of a second
on the national list). Here each column is held once, at build, as an
``array`` of codes (arrays are not tracked by the collector) into a list of
its distinct values (strings, numbers, dates; a list column's distinct lists
as tuples, which the collector stops tracking), and a row is assembled on
each read: fresh dicts and lists, freed by reference counting when the call
ends, so nothing a call makes survives it and nothing grows.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from cpflag.decide._decide_plain import Rows

__all__ = ["ColumnRows"]


def _typecode(n: int) -> str:
    return "B" if n <= 2**8 else "H" if n <= 2**16 else "I"


def _codes(n_values: int, codes: pl.Series) -> array[int]:
    out = array(_typecode(n_values))
    out.frombytes(codes.to_numpy().astype(f"u{out.itemsize}").tobytes())
    return out


def _encode(s: pl.Series) -> tuple[array[int], list[Any]] | list[Any]:
    """Codes of ``s`` and the value of each code (a list value as a tuple), or plain values.

    A string column of few distinct values is coded through an ``Enum`` of
    them; other scalar columns are held as their values (ints, floats and
    dates are not tracked by the collector either). A list column's rows are
    grouped by their hash, and every row is checked equal (nulls equal) to its
    group's first row, so a hash collision cannot merge two values (on one,
    each row keeps its own value).
    """
    if not isinstance(s.dtype, pl.List):
        if s.dtype != pl.String or s.n_unique() * 8 > len(s):
            return s.to_list()
        cats = s.drop_nulls().unique()
        codes = s.cast(pl.Enum(cats)).to_physical().fill_null(len(cats))
        return _codes(len(cats) + 1, codes), [*cats.to_list(), None]
    hashes = s.hash()
    codes = hashes.rank("dense").cast(pl.Int64) - 1
    first = (
        pl.DataFrame({"c": codes})
        .with_row_index("i")
        .group_by("c")
        .agg(pl.col("i").first())
        .sort("c")["i"]
    )
    if not s.eq_missing(s.gather(first.gather(codes))).all():
        values = s.to_list()
        return _codes(len(values), pl.Series(range(len(values)))), values
    values = [None if v is None else tuple(v) for v in s.gather(first).to_list()]
    return _codes(len(values), codes), values


@attrs.frozen
class ColumnRows(Rows):
    """Rows of a frame, assembled from column codes on each read (nothing cached).

    Build with :meth:`of`; :meth:`get` answers as :class:`Rows` does, a list
    value as a fresh list.
    """

    #: Per column: name, codes (None: ``values`` is by row), values, whether a list.
    columns: tuple[tuple[str, array[int] | None, list[Any], bool], ...] = ()

    @classmethod
    def of(cls, frame: pl.DataFrame) -> ColumnRows:
        """Encode every column of ``frame``."""
        columns = []
        for name, dtype in frame.schema.items():
            encoded = _encode(frame.get_column(name))
            codes, values = (None, encoded) if isinstance(encoded, list) else encoded
            columns.append((name, codes, values, isinstance(dtype, pl.List)))
        return cls(frame=frame, columns=tuple(columns))

    def get(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        """The rows at ``positions`` (row numbers of the frame), one fresh dict each."""
        out = []
        for p in positions:
            row: dict[str, Any] = {}
            for name, codes, values, is_list in self.columns:
                v = values[p] if codes is None else values[codes[p]]
                row[name] = list(v) if is_list and v is not None else v
            out.append(row)
        return out
