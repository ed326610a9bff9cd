"""Date-of-birth helpers: the day/month swap and integer keys.

A day/month swap ("03/04" typed for "04/03") is one of the commonest DOB errors;
the linker compares one record's date with the other's swapped date.
"""

from __future__ import annotations

import polars as pl

__all__ = ["dob_keys", "swap_day_month"]


def _as_date(d: pl.Series) -> pl.Series:
    return d if d.dtype == pl.Date else d.cast(pl.Date, strict=False)


def swap_day_month(d: pl.Series) -> pl.Series:
    """The date with day and month swapped, where that is a different valid date.

    The swap exists only when the day is at most 12 and differs from the month;
    it is then always a valid date (the new day is at most 12).

    Args:
        d: Dates (``pl.Date``; other dtypes are cast, unparseable values become null).

    Returns:
        A ``pl.Date`` Series of the same length and name: 2016-04-03 for
        2016-03-04; null for 2016-12-31, 2016-05-05 and null inputs.
    """
    d = _as_date(d)
    c = pl.col("d")
    swappable = (c.dt.day() <= 12) & (c.dt.day() != c.dt.month())
    return (
        d.to_frame("d")
        .select(
            pl.when(swappable).then(pl.date(c.dt.year(), c.dt.day(), c.dt.month())).alias(d.name)
        )
        .to_series()
    )


def dob_keys(d: pl.Series) -> pl.DataFrame:
    """Year, month and day of each date as small integers (blocking keys).

    Args:
        d: Dates (``pl.Date``; other dtypes are cast, unparseable values become null).

    Returns:
        A frame of ``len(d)`` rows: ``dob_year`` (Int16), ``dob_month`` and
        ``dob_day`` (Int8); null where the date is null.
    """
    d = _as_date(d)
    c = pl.col("d")
    return d.to_frame("d").select(
        c.dt.year().cast(pl.Int16).alias("dob_year"),
        c.dt.month().cast(pl.Int8).alias("dob_month"),
        c.dt.day().cast(pl.Int8).alias("dob_day"),
    )
