"""Giving each canonical column its contract dtype.

Text columns are stripped and blanks become null. Date and date-time columns
are parsed from text (see :mod:`cpflag.io._dates`) or converted from the
native type a Parquet file or DataFrame already has. Each conversion returns
the values and, per row, the reason a non-blank value could not be used.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag._errors import ParseError
from cpflag.io._dates import LOCAL_TIME_ZONE, parse_dates, parse_datetimes

__all__ = ["arrival_from_parts", "text_expr", "to_date", "to_datetime", "to_text"]

#: A time of day alone (``10:05``, ``10:05:59``, ``10:05:59.123``).
_TIME_ONLY: Final = r"^\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?$"


def text_expr(name: str, dtype: pl.DataType, *, source: str, column: str) -> pl.Expr:
    """Column ``name`` as text, surrounding whitespace removed, blanks as null.

    An expression, so that all text columns convert in one parallel select.
    Integral floats (an NHS number that went through a spreadsheet) lose their
    ``.0``.

    Raises:
        ParseError: a nested column (list, struct) where text is expected.
    """
    col = pl.col(name)
    if dtype == pl.Null:
        return pl.lit(None, pl.String).alias(column)
    if dtype.is_nested():
        raise ParseError("column holds lists or structs, not text", source=source, column=column)
    if dtype.is_float():
        whole = col.is_finite() & (col == col.round(0))
        text = (
            pl.when(whole)
            .then(col.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(col.cast(pl.String))
        )
    elif dtype == pl.String:
        text = col
    else:
        text = col.cast(pl.String, strict=False)
    stripped = text.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).alias(column)


def to_text(s: pl.Series, *, source: str, column: str) -> pl.Series:
    """:func:`text_expr` applied to one series."""
    frame = s.alias("v").to_frame()
    return frame.select(text_expr("v", s.dtype, source=source, column=column)).to_series()


def _no_reasons(s: pl.Series) -> pl.Series:
    return pl.Series("reason", [None] * s.len(), dtype=pl.String)


def _local_naive(s: pl.Series) -> pl.Series:
    """A time-zone-aware datetime as naive UK wall-clock time (see _dates)."""
    if getattr(s.dtype, "time_zone", None):
        s = s.dt.convert_time_zone(LOCAL_TIME_ZONE).dt.replace_time_zone(None)
    return s.cast(pl.Datetime("us"))


def to_date(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``(dates, reasons)`` for a column of any dtype."""
    if s.dtype == pl.Date:
        return s, _no_reasons(s)
    if isinstance(s.dtype, pl.Datetime):
        return _local_naive(s).dt.date().alias(s.name), _no_reasons(s)
    if s.dtype == pl.Null:
        return pl.Series(s.name, [None] * s.len(), dtype=pl.Date), _no_reasons(s)
    return parse_dates(s if s.dtype == pl.String else s.cast(pl.String, strict=False))


def to_datetime(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """``(datetimes, reasons)`` for a column of any dtype; a date is midnight."""
    if isinstance(s.dtype, pl.Datetime):
        return _local_naive(s).alias(s.name), _no_reasons(s)
    if s.dtype == pl.Date:
        return s.cast(pl.Datetime("us")), _no_reasons(s)
    if s.dtype == pl.Null:
        return pl.Series(s.name, [None] * s.len(), dtype=pl.Datetime("us")), _no_reasons(s)
    return parse_datetimes(s if s.dtype == pl.String else s.cast(pl.String, strict=False))


def arrival_from_parts(
    full: pl.Series | None, date: pl.Series, time_of_day: pl.Series | None
) -> tuple[pl.Series, pl.Series]:
    """Build ``arrival_time`` from a date column and a time-of-day column.

    ECDS extracts often carry ``Arrival_Date`` and ``Arrival_Time`` separately;
    the latter reads as ``arrival_time``. A row whose ``arrival_time`` (``full``)
    holds a whole date-time keeps it; otherwise the date is combined with the
    time of day (from ``time_of_day``, or from ``full`` when that holds a time
    alone), and a date without a time is midnight.

    Returns:
        ``(datetimes, reasons)`` named ``arrival_time``.
    """
    n = date.len()
    dates, date_reasons = to_date(date)
    date_txt = dates.dt.to_string("%Y-%m-%d")
    full_txt = (
        to_text(full.cast(pl.String, strict=False), source="", column="arrival_time")
        if full is not None
        else pl.Series([None] * n, dtype=pl.String)
    )
    tod_txt = (
        to_text(time_of_day.cast(pl.String, strict=False), source="", column="arrival_time")
        if time_of_day is not None
        else pl.Series([None] * n, dtype=pl.String)
    )
    frame = pl.DataFrame(
        {"full": full_txt, "tod": tod_txt, "date": date_txt, "date_reason": date_reasons}
    )
    full_is_time = pl.col("full").str.contains(_TIME_ONLY)
    combined = frame.select(
        pl.when(pl.col("full").is_not_null() & ~full_is_time)
        .then(pl.col("full"))
        .when(pl.col("date").is_not_null())
        .then(
            pl.col("date")
            + " "
            + pl.coalesce(
                pl.col("tod"), pl.when(full_is_time).then(pl.col("full")), pl.lit("00:00")
            )
        )
        .alias("arrival_time"),
        pl.when(pl.col("full").is_null() | full_is_time)
        .then(pl.col("date_reason"))
        .alias("date_reason"),
    )
    values, reasons = parse_datetimes(combined.get_column("arrival_time"))
    reasons = pl.select(
        pl.coalesce(pl.lit(combined.get_column("date_reason")), pl.lit(reasons))
    ).to_series()
    return values.alias("arrival_time"), reasons.alias("reason")
