"""From a raw table to a contract table: typing, errors and rejects.

The rules (see ``docs/input.md``):

* a missing required column -> :class:`MissingColumnError`;
* a required value that is blank or unreadable -> :class:`ParseError` naming
  the column, the first rows and their record ids;
* a duplicate id -> :class:`DuplicateIdError` naming the rows and the ids;
* an optional value that is unreadable -> the value becomes null and a reject
  ``value_ignored`` says why;
* a row that cannot be used at all -> a reject ``row_rejected``; the row is
  left out of the table.

Messages and reasons name columns, row numbers and record ids only, never a
value from a row.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import polars as pl

from cpflag._errors import InputError
from cpflag.contract import ATTENDANCES, PLAN_TYPES, TableSpec
from cpflag.io._checks import (
    UNREADABLE_LIMIT,
    check_readable_share,
    check_required,
    check_shape,
    check_unique,
    optional_dates,
)
from cpflag.io._convert import arrival_from_parts, text_expr, to_date, to_datetime
from cpflag.io._errors import gather_input_errors
from cpflag.io._mapping import (
    ARRIVAL_DATE,
    ARRIVAL_TIME_OF_DAY,
    ColumnMapping,
    resolve_headers,
)
from cpflag.io._rules import TABLE_RULES, normalise_plan_types
from cpflag.io._source import ROW, RawTable
from cpflag.io._work import DROP, ROW_REJECTED, Work, empty_rejects, reason_col

__all__ = ["build_table"]

log = logging.getLogger("cpflag.io")


def _unknown_name(header: str, position: int, taken: set[str]) -> str:
    base = header.replace("\ufeff", "") or f"column_{position + 1}"
    name, n = base, 0
    while name in taken:
        n += 1
        name = f"{base}_duplicated_{n}"
    taken.add(name)
    return name


def _typed(raw: RawTable, spec: TableSpec, targets: dict[str, int]) -> pl.DataFrame:
    """Canonical columns with contract dtypes, plus ``__reason_<col>`` for dates."""
    frame = raw.frame
    exprs: list[pl.Expr] = []
    series: dict[str, pl.Series] = {}
    for col in spec.columns:
        pos = targets.get(col.name)
        src = f"c{pos}" if pos is not None else None
        if col.name == "arrival_time" and spec is ATTENDANCES and ARRIVAL_DATE in targets:
            part = targets.get(ARRIVAL_TIME_OF_DAY)
            values, reasons = arrival_from_parts(
                frame.get_column(src) if src else None,
                frame.get_column(f"c{targets[ARRIVAL_DATE]}"),
                frame.get_column(f"c{part}") if part is not None else None,
            )
            series[col.name], series[reason_col(col.name)] = values, reasons
        elif src is None:
            exprs.append(pl.lit(None, col.dtype).alias(col.name))
        elif col.kind == "str":
            dtype = frame.schema[src]
            exprs.append(text_expr(src, dtype, source=raw.source, column=col.name))
        elif col.kind in ("date", "datetime"):
            s = frame.get_column(src).alias(col.name)
            values, reasons = to_date(s) if col.kind == "date" else to_datetime(s)
            series[col.name], series[reason_col(col.name)] = values, reasons
        else:  # pragma: no cover - the input tables have no numeric columns
            exprs.append(pl.col(src).cast(col.dtype, strict=False).alias(col.name))
    # All text columns in one select, which polars runs in parallel.
    out = frame.select(exprs).with_columns(*(s.alias(name) for name, s in series.items()))
    order = [
        c for col in spec.columns for c in (col.name, reason_col(col.name)) if c in out.columns
    ]
    return out.select(order)


def _unknown(raw: RawTable, positions: tuple[int, ...], spec: TableSpec) -> list[pl.Series]:
    taken = set(spec.names) | {ROW}
    out = []
    for pos in positions:
        if raw.headers[pos].replace("\ufeff", "").strip() == ROW:
            # Our own row numbers from an earlier write_table: they describe
            # another file, so the fresh ones replace them.
            continue
        s = raw.frame.get_column(f"c{pos}")
        name = _unknown_name(raw.headers[pos], pos, taken)
        if s.dtype != pl.String:
            try:
                s = s.cast(pl.String)
            except pl.exceptions.PolarsError:
                log.debug("%s: unknown column %d kept in its own type", raw.source, pos + 1)
        out.append(s.alias(name))
    return out


def _reject_short_rows(w: Work, short_rows: tuple[tuple[int, int], ...], needed: int) -> None:
    """Reject, and leave out before any check, the rows cut short (issue 17).

    A row is cut short when it ends before the last field of a column cpflag
    reads (``needed`` fields); one that only lacks trailing extra columns is
    kept, their values null.
    """
    rows = [row for row, fields in short_rows if fields < needed]
    if not rows:
        return
    short = pl.col(ROW).is_in(rows)
    w.reject(
        short,
        None,
        "row has fewer fields than the header (cut short?); row not used",
        ROW_REJECTED,
    )
    w.df = w.df.filter(~short)
    log.warning("%s: %d rows have fewer fields than the header; rejected", w.source, len(rows))


@contextlib.contextmanager
def _collect(errors: list[InputError]) -> Iterator[None]:
    try:
        yield
    except InputError as exc:
        errors.append(exc)


def build_table(
    raw: RawTable,
    spec: TableSpec,
    mapping: ColumnMapping | None,
    unreadable_limit: float | None = UNREADABLE_LIMIT,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Turn a raw table into the contract table ``spec`` and its rejects.

    Args:
        raw: The table as loaded.
        spec: The contract table to produce.
        mapping: A validated column mapping, or None.
        unreadable_limit: The share of an optional date column's values that
            may be unreadable before the column is an error (None: no limit).

    Returns:
        ``(table, rejects)``: canonical columns in contract order and dtype,
        then unknown columns, then ``_row``; rows rejected as a whole are left
        out. ``rejects`` has the columns of :data:`REJECTS_SCHEMA`.

    Raises:
        InputError: the header looks wrong (one unknown column).
        MissingColumnError: a required column is absent.
        ParseError: a required value is blank or unreadable.
        DuplicateIdError: an id appears more than once.
        CombinedInputError: more than one of those two (each check runs).
        ConfigError: the mapping makes two columns one.
    """
    resolution = resolve_headers(raw.headers, spec, mapping, raw.source)
    targets = {name: pos for pos, name in resolution.targets.items()}
    check_shape(raw, spec, set(targets), mapping)

    typed = _typed(raw, spec, targets)
    unknown = _unknown(raw, resolution.unknown, spec)
    df = typed.with_columns(*unknown, raw.frame.get_column(ROW), pl.lit(False).alias(DROP))
    w = Work(df=df, spec=spec, source=raw.source)
    if raw.short_rows and targets:
        _reject_short_rows(w, raw.short_rows, max(targets.values()) + 1)

    if spec.name == "plans":
        normalise_plan_types(w)
    # Every check runs, so that one error reports all of the table's problems.
    errors: list[InputError] = []
    with _collect(errors):
        check_required(w, {"plan_type": PLAN_TYPES} if spec.name == "plans" else {})
    if spec.name != "manifest":
        with _collect(errors):
            check_unique(w)
    with _collect(errors):
        check_readable_share(w, unreadable_limit)
    optional_dates(w)
    with _collect(errors):
        TABLE_RULES[spec.name](w)
    gather_input_errors(errors)

    table = w.df.filter(~pl.col(DROP)).select(*spec.names, *(s.name for s in unknown), ROW)
    rejects = (
        pl.concat(w.rejects, how="vertical_relaxed").sort("row_number", maintain_order=True)
        if w.rejects
        else empty_rejects().drop("source")
    )
    rejects = rejects.select(
        pl.lit(raw.source, pl.String).alias("source"),
        pl.col("row_number").cast(pl.UInt32),
        pl.col("record_id").cast(pl.String),
        pl.col("column").cast(pl.String),
        pl.col("reason").cast(pl.String),
        pl.col("action").cast(pl.String),
    )
    return table, rejects
