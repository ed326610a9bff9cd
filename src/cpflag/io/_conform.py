"""An in-memory attendance table (or one triage record) in the contract's shape.

Files go through ``read_attendances`` (validation, rejects); a frame or a dict
built by an embedding system is conformed here: absent columns added as nulls,
present ones cast, text dates parsed the way ``cpflag.io`` reads them.
"""

from __future__ import annotations

import polars as pl

from cpflag._errors import InputError, MissingColumnError
from cpflag.contract import ATTENDANCES
from cpflag.io._dates import parse_dates, parse_datetimes

__all__ = ["check_required_values", "conform_attendances"]


def conform_attendances(df: pl.DataFrame, *, keep_extra: bool = True) -> pl.DataFrame:
    """Add absent contract columns as nulls and cast present ones to contract types.

    Text dates (a record built from a form or JSON) are parsed as ``cpflag.io``
    parses them, UK layouts included.

    Args:
        df: Attendances (or one attendance) with contract column names.
        keep_extra: Keep columns the contract does not name (after its own);
            the history store keeps contract columns only.

    Raises:
        MissingColumnError: A required column (``attendance_id``, ``arrival_time``)
            is absent.
        InputError: A required value is null, or a text date is not a date (the
            column, row and record id are named, never the value).
    """
    check_required_values(df)
    df = _parse_text_dates(df)
    cols = []
    for c in ATTENDANCES.columns:
        if c.name in df.columns:
            cols.append(
                pl.col(c.name).cast(c.dtype) if df.schema[c.name] != c.dtype else pl.col(c.name)
            )
        else:
            cols.append(pl.lit(None, c.dtype).alias(c.name))
    extra = [c for c in df.columns if c not in ATTENDANCES.names] if keep_extra else []
    return df.select(*cols, *extra)


def check_required_values(df: pl.DataFrame, source: str = "attendances") -> None:
    """Raise unless ``attendance_id`` and ``arrival_time`` are present and filled.

    Without an arrival time no plan can be judged current: say so, never skip.

    Raises:
        MissingColumnError: A required column is absent.
        InputError: A required value is null (rows and ids named, 1-based).
    """
    for col in ATTENDANCES.required:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", source=source, column=col)
        null = df[col].is_null()
        if null.any():
            idx = null.arg_true()
            ids = (
                df["attendance_id"].cast(pl.String).gather(idx).to_list()
                if "attendance_id" in df.columns
                else []
            )
            raise InputError(
                "value is missing",
                source=source,
                column=col,
                row_numbers=[i + 1 for i in idx.to_list()],
                record_ids=ids,
            )


def _parse_text_dates(df: pl.DataFrame) -> pl.DataFrame:
    parsers = {pl.Date: parse_dates, pl.Datetime: parse_datetimes}
    for c in ATTENDANCES.columns:
        parse = parsers.get(c.dtype.base_type())
        if parse is None or c.name not in df.columns or df.schema[c.name] != pl.String:
            continue
        values, reasons = parse(df[c.name])
        bad = reasons.is_not_null()
        if bad.any():
            idx = bad.arg_true().to_list()
            ids = df["attendance_id"].cast(pl.String) if "attendance_id" in df.columns else None
            raise InputError(
                str(reasons.filter(bad)[0]),
                source="attendances",
                column=c.name,
                row_numbers=[i + 1 for i in idx],
                record_ids=[ids[i] for i in idx] if ids is not None else [],
            )
        df = df.with_columns(values.alias(c.name))
    return df
