"""The generic checks: columns present, required values, unique ids, optional dates.

Each check either raises (the table cannot be used) or records rejects on the
:class:`~cpflag.io._work.Work` (the row or value cannot be used).
"""

from __future__ import annotations

import polars as pl

from cpflag._errors import DuplicateIdError, InputError, MissingColumnError, ParseError
from cpflag.contract import TableSpec
from cpflag.io._mapping import ARRIVAL_DATE, ColumnMapping
from cpflag.io._source import ROW, RawTable
from cpflag.io._work import VALUE_IGNORED, Work, reason_col

__all__ = [
    "MIN_VALUES_FOR_SHARE",
    "UNREADABLE_LIMIT",
    "check_readable_share",
    "check_required",
    "check_shape",
    "check_unique",
    "optional_dates",
]

#: The share of a column's values that may be unreadable before the column,
#: not the row, is taken to be wrong (a mapping or format error; issue 17).
UNREADABLE_LIMIT = 0.5
#: Below this many values in a column, unreadable ones are only rejects.
MIN_VALUES_FOR_SHARE = 20


def check_shape(
    raw: RawTable, spec: TableSpec, present: set[str], mapping: ColumnMapping | None
) -> None:
    """Raise when the header looks wrong or a required column is absent.

    ``present`` holds the canonical (and split-arrival) names found.
    """
    if raw.text and len(raw.headers) == 1 and not present:
        raise InputError(
            "the header has only one column and it is not a known column name: the "
            "delimiter or the header looks wrong (expected a header line of column names "
            "separated by comma, semicolon, tab or |)",
            source=raw.source,
        )
    missing = [c for c in spec.required if c not in present]
    if "arrival_time" in missing and ARRIVAL_DATE in present:
        missing.remove("arrival_time")
    if missing:
        hint = ""
        if mapping is None:
            hint = (
                "; headers are matched ignoring case, spaces and hyphens -- for other names "
                "give a column mapping (mapping='ecds' for ECDS extracts)"
            )
        raise MissingColumnError(
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}{hint}",
            source=raw.source,
            column=missing[0],
        )


def _reason_summary(reasons: pl.Series) -> str:
    counts = reasons.fill_null("blank").value_counts(sort=True, name="n")
    return ", ".join(f"{r}: {c}" for r, c in counts.iter_rows())


def check_required(w: Work, valid_codes: dict[str, tuple[str, ...]]) -> None:
    """Raise ParseError for the first required column with blank or unreadable values."""
    problems: list[tuple[str, pl.Expr, str]] = []
    for col in w.spec.columns:
        if not col.required:
            continue
        value = pl.col(col.name)
        if col.name in valid_codes:
            codes = valid_codes[col.name]
            bad = value.is_null() | ~value.is_in(list(codes))
            detail: pl.Expr = pl.when(value.is_not_null()).then(
                pl.lit(f"not one of {', '.join(codes)}")
            )
        else:
            bad = value.is_null()
            rcol = reason_col(col.name)
            detail = pl.col(rcol) if rcol in w.df.columns else pl.lit(None, pl.String)
        if w.df.select(bad.any()).item():
            details = w.df.filter(bad).with_columns(detail.cast(pl.String).alias("__d"))
            problems.append((col.name, bad, _reason_summary(details.get_column("__d"))))
    if not problems:
        return
    column, bad, summary = problems[0]
    rows, ids = w.rows_and_ids(bad, ids=column != w.id_col)
    others = ""
    if len(problems) > 1:
        others = f"; other required columns with problems: {', '.join(p[0] for p in problems[1:])}"
    raise ParseError(
        f"{len(rows)} required value{'s are' if len(rows) > 1 else ' is'} blank or unreadable "
        f"({summary}){others}",
        source=w.source,
        column=column,
        row_numbers=rows,
        record_ids=ids,
    )


def check_unique(w: Work, key: pl.Expr | None = None) -> None:
    """Raise DuplicateIdError if ``key`` (default: the id column) repeats."""
    key = pl.col(w.id_col) if key is None else key
    dup = key.is_duplicated() & key.is_not_null()
    clash = w.df.filter(dup)
    if clash.height == 0:
        return
    clash = (
        clash.with_columns(key.alias("__key"))
        .with_columns(pl.col(ROW).min().over("__key").alias("__first"))
        .sort("__first", ROW)
    )
    n_ids = clash.get_column("__key").n_unique()
    raise DuplicateIdError(
        f"{w.id_col} must be unique: {n_ids} id{'s appear' if n_ids > 1 else ' appears'} "
        "more than once",
        source=w.source,
        column=w.id_col,
        row_numbers=clash.get_column(ROW).to_list(),
        record_ids=[w.quotable(v) for v in clash.get_column(w.id_col).to_list()],
    )


def optional_dates(w: Work) -> None:
    """A ``value_ignored`` reject for every optional date that could not be read."""
    for col in w.spec.columns:
        rcol = reason_col(col.name)
        if col.required or rcol not in w.df.columns:
            continue
        w.reject(
            pl.col(rcol).is_not_null(),
            col.name,
            pl.lit(f"{col.name}: ") + pl.col(rcol),
            VALUE_IGNORED,
        )


def check_readable_share(w: Work, limit: float | None) -> None:
    """Raise ParseError for an optional date column mostly unreadable.

    A handful of bad dates are rejects; a column where more than ``limit`` of
    the values present cannot be read (a Parquet column of numbers, the wrong
    column mapped, another date layout) is a wrong file, not bad rows. None
    turns the check off.
    """
    if limit is None:
        return
    for col in w.spec.columns:
        rcol = reason_col(col.name)
        if col.required or rcol not in w.df.columns:
            continue
        bad_mask = pl.col(rcol).is_not_null()
        counts = w.df.select(
            bad_mask.sum().alias("bad"), pl.col(col.name).is_not_null().sum().alias("good")
        ).row(0)
        bad, good = int(counts[0]), int(counts[1])
        present = bad + good
        if present < MIN_VALUES_FOR_SHARE or bad <= limit * present:
            continue
        rows, ids = w.rows_and_ids(bad_mask)
        raise ParseError(
            f"{bad} of {present} values ({100 * bad / present:.1f}%) cannot be read as "
            f"dates, more than the limit of {100 * limit:g}%: the column looks wrong "
            "(its mapping, type or date layout); fix the file, or raise the limit",
            source=w.source,
            column=col.name,
            row_numbers=rows,
            record_ids=ids,
        )
