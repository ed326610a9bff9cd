"""The public readers: attendances, plans and the per-LA list-date manifest."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Final

import attrs
import polars as pl

from cpflag._errors import ConfigError
from cpflag.contract import ATTENDANCES, MANIFEST, PLANS, TableSpec
from cpflag.io._checks import UNREADABLE_LIMIT
from cpflag.io._mapping import MappingLike, load_mapping
from cpflag.io._plausible import ARRIVAL_AFTER_AS_OF
from cpflag.io._source import ROW, Source, load_raw
from cpflag.io._validate import build_table
from cpflag.io._work import REJECTS_SCHEMA, ROW_REJECTED, VALUE_IGNORED

__all__ = [
    "ReadResult",
    "read_attendances",
    "read_manifest",
    "read_plans",
    "reject_arrivals_after",
]

log = logging.getLogger("cpflag.io")


@attrs.frozen(eq=False)
class ReadResult:
    """A validated contract table and what could not be used from it.

    Attributes:
        table: Every canonical column of the contract table in canonical order
            and contract dtype (a missing optional column is all null), then
            unknown source columns carried through (as text where they were
            text), then ``_row`` (UInt32): the 1-based data row number in the
            source, the header being row 0. Rows rejected as a whole are left
            out.
        rejects: One row per problem: ``source``, ``row_number`` (UInt32),
            ``record_id``, ``column``, ``reason``, ``action`` --
            ``value_ignored`` (the row is kept, that value is treated as
            absent) or ``row_rejected`` (the row is not used).
        source: The file path, or the label given.
        encoding: The text encoding of a CSV file (``utf-8``, ``utf-8-sig``,
            ``utf-16``, ``cp1252`` or ``latin-1``); None for Parquet and
            in-memory frames.
    """

    table: pl.DataFrame
    rejects: pl.DataFrame
    source: str
    encoding: str | None


def _read(
    spec: TableSpec,
    source: Source,
    mapping: MappingLike,
    label: str | None,
    unreadable_limit: float | None = UNREADABLE_LIMIT,
) -> tuple[pl.DataFrame, pl.DataFrame, str, str | None]:
    if unreadable_limit is not None and not 0 <= unreadable_limit <= 1:
        raise ConfigError("unreadable_limit must be between 0 and 1, or None")
    column_mapping = load_mapping(mapping, spec.name)
    raw = load_raw(source, label)
    table, rejects = build_table(raw, spec, column_mapping, unreadable_limit)
    return table, rejects, raw.source, raw.encoding


def _log_summary(spec: TableSpec, res: ReadResult) -> None:
    dropped = res.rejects.filter(pl.col("action") == ROW_REJECTED).height
    log.info(
        "%s: %d %s rows usable, %d rows rejected, %d values ignored",
        res.source,
        res.table.height,
        spec.name,
        dropped,
        res.rejects.height - dropped,
    )


def read_attendances(
    source: Source,
    *,
    mapping: MappingLike = None,
    label: str | None = None,
    unreadable_limit: float | None = UNREADABLE_LIMIT,
) -> ReadResult:
    """Read and validate an attendances table (contract section 1).

    Args:
        source: A table (:data:`cpflag.io.TableSource`): a CSV or Parquet file,
            a folder of Parquet files, or a polars, pandas or pyarrow frame.
        mapping: Column mapping: None, a dict ``{source_header: canonical}``, a
            TOML file path, or ``"ecds"`` for ECDS-style extract names.
        label: Name for the source in messages and rejects (default: the path).
        unreadable_limit: The share (0-1) of an optional date column's values
            that may be unreadable: above it (with at least 20 values) the
            column is an error, not rejects. None: no limit.

    Returns:
        The table and its rejects. A null or unknown ``setting`` becomes
        ``ed_mixed``; a row with no NHS number, name, date of birth or local
        patient id is rejected.

    Raises:
        InputError: the file is missing, empty, binary, corrupt or its header
            looks wrong.
        MissingColumnError: ``attendance_id`` or ``arrival_time`` is absent.
        ParseError: an ``attendance_id`` or ``arrival_time`` is blank or unreadable.
        DuplicateIdError: an ``attendance_id`` appears twice.
        ConfigError: the mapping is invalid or makes two columns one.
    """
    table, rejects, name, encoding = _read(ATTENDANCES, source, mapping, label, unreadable_limit)
    res = ReadResult(table=table, rejects=rejects, source=name, encoding=encoding)
    _log_summary(ATTENDANCES, res)
    return res


def read_manifest(source: Source, *, label: str | None = None) -> pl.DataFrame:
    """Read the per-LA list-date manifest (``la_code,list_date``).

    Args:
        source: A table (:data:`cpflag.io.TableSource`): a CSV or Parquet file,
            a folder of Parquet files, or a polars, pandas or pyarrow frame.
        label: Name for the source in messages.

    Returns:
        A DataFrame with ``la_code`` (String, stripped) and ``list_date``
        (Date), in file order; other columns are dropped.

    Raises:
        InputError: the file is missing, empty or unreadable.
        MissingColumnError: ``la_code`` or ``list_date`` is absent.
        ParseError: a blank ``la_code``, or a blank or unreadable ``list_date``.
        DuplicateIdError: an ``la_code`` appears twice (ignoring case).
    """
    raw = load_raw(source, label)
    table, _ = build_table(raw, MANIFEST, None)
    log.info("%s: manifest of %d local authorities", raw.source, table.height)
    return table.select(MANIFEST.names)


def _apply_manifest(
    table: pl.DataFrame, rejects: pl.DataFrame, manifest: pl.DataFrame, source: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Take ``list_date`` from the manifest where it names the LA.

    The manifest is the deliberate statement of when each list was extracted,
    so it wins over a ``list_date`` column; each LA whose column disagrees gets
    one ``value_ignored`` reject (its first such row) with the number of rows.
    """
    man = manifest.select(
        pl.col("la_code").str.to_uppercase().alias("__la"), pl.col("list_date").alias("__mdate")
    )
    merged = table.with_columns(pl.col("la_code").str.to_uppercase().alias("__la")).join(
        man, on="__la", how="left", maintain_order="left"
    )
    differs = (
        merged.filter(pl.col("list_date").is_not_null() & pl.col("__mdate").is_not_null())
        .filter(pl.col("list_date") != pl.col("__mdate"))
        .group_by("__la", maintain_order=True)
        .agg(pl.col(ROW).first(), pl.col("plan_id").first(), pl.len().alias("n"))
    )
    if differs.height:
        notes = differs.select(
            pl.lit(source, pl.String).alias("source"),
            pl.col(ROW).cast(pl.UInt32).alias("row_number"),
            pl.col("plan_id").alias("record_id"),
            pl.lit("list_date").alias("column"),
            pl.format(
                "list_date: differs from the manifest in {} rows of this local authority's "
                "list; manifest date used",
                pl.col("n"),
            ).alias("reason"),
            pl.lit(VALUE_IGNORED).alias("action"),
        ).cast(REJECTS_SCHEMA)  # type: ignore[arg-type]
        rejects = pl.concat([rejects, notes]).sort("row_number", maintain_order=True)
    table = merged.with_columns(pl.coalesce("__mdate", "list_date").alias("list_date")).drop(
        "__la", "__mdate"
    )
    return table, rejects


def read_plans(
    source: Source,
    *,
    mapping: MappingLike = None,
    manifest: Source | None = None,
    label: str | None = None,
    unreadable_limit: float | None = UNREADABLE_LIMIT,
) -> ReadResult:
    """Read and validate a plans table (contract section 2).

    Args:
        source: A table (:data:`cpflag.io.TableSource`): a CSV or Parquet file,
            a folder of Parquet files, or a polars, pandas or pyarrow frame.
        mapping: Column mapping, as for :func:`read_attendances`.
        manifest: Per-LA list dates (a table as ``source`` is, see
            :func:`read_manifest`). Where it names a plan's LA its date is the
            plan's ``list_date``, overriding a ``list_date`` column (a
            disagreement is noted in the rejects). An LA with no list date is
            not an error: its list age is unknown.
        label: Name for the source in messages and rejects.
        unreadable_limit: As for :func:`read_attendances`.

    Returns:
        The table and its rejects. ``plan_type`` is lower-cased (common
        spellings such as ``CLA`` or ``Child Protection`` are recognised); an
        ``end_date`` before ``start_date`` is ignored, so the plan is treated as
        open; an unknown ``category`` is ignored; a row with no identifying
        data at all is rejected.

    Raises:
        InputError: the file is missing, empty, binary, corrupt or its header
            looks wrong.
        MissingColumnError: a required column is absent.
        ParseError: a ``plan_id``, ``la_code`` or ``start_date`` is blank or
            unreadable, or a ``plan_type`` is not one of the contract's.
        DuplicateIdError: a ``plan_id`` appears twice, or an LA twice in the
            manifest.
        ConfigError: the mapping is invalid or makes two columns one.
    """
    table, rejects, name, encoding = _read(PLANS, source, mapping, label, unreadable_limit)
    if manifest is not None:
        table, rejects = _apply_manifest(table, rejects, read_manifest(manifest), name)
    undated = table.filter(pl.col("list_date").is_null()).get_column("la_code").n_unique()
    if undated:
        log.info("%s: %d local authorities have no list date (list age unknown)", name, undated)
    res = ReadResult(table=table, rejects=rejects, source=name, encoding=encoding)
    _log_summary(PLANS, res)
    return res


#: How far after the batch's median arrival an arrival may lie and still set
#: the as-of date when the data are dated after today (a year's backfill fits).
DATA_DATED_SPAN: Final = dt.timedelta(days=366)


def default_as_of(table: pl.DataFrame, today: dt.date | None = None) -> dt.date:
    """The run's as-of date when none is given: today, unless the data are dated after it.

    A batch whose median arrival is after today (a simulation, a test set, a
    clock set wrong) would otherwise lose every row as "arriving after the
    as-of date". Then the as-of date is its latest arrival within
    :data:`DATA_DATED_SPAN` of the median, with a warning: one mistyped year
    (2031) lies outside that span, is rejected and never moves the date.

    Args:
        table: Conformed attendances (``arrival_time``).
        today: The run date (default: the machine's date).
    """
    today = today or dt.date.today()
    days = table["arrival_time"].dt.date().drop_nulls() if table.height else None
    if days is None or days.len() == 0:
        return today
    median = days.sort()[days.len() // 2]
    if median <= today:
        return today
    latest = days.filter(days <= median + DATA_DATED_SPAN).max()
    as_of = latest if isinstance(latest, dt.date) else median
    log.warning(
        "the attendances are dated after today (median arrival %s): the as-of date is "
        "taken from them, %s; give the run date (--as-of) to set it",
        median.isoformat(),
        as_of.isoformat(),
    )
    return as_of


def reject_arrivals_after(res: ReadResult, as_of: dt.date) -> ReadResult:
    """``res`` without the attendances that arrive after ``as_of``, each a reject.

    An arrival after the run's as-of date is a typo (2031 for 2021) or a run
    for the wrong day: it is not matched, and it never moves the as-of date.
    """
    late = pl.col("arrival_time").dt.date() > pl.lit(as_of)
    found = res.table.filter(late)
    if found.height == 0:
        return res
    log.warning(
        "%s: %d attendances arrive after the as-of date %s; rejected",
        res.source,
        found.height,
        as_of.isoformat(),
    )
    extra = found.select(
        pl.lit(res.source, pl.String).alias("source"),
        pl.col(ROW).cast(pl.UInt32).alias("row_number"),
        pl.col("attendance_id").alias("record_id"),
        pl.lit("arrival_time").alias("column"),
        pl.lit(ARRIVAL_AFTER_AS_OF).alias("reason"),
        pl.lit(ROW_REJECTED).alias("action"),
    ).cast(REJECTS_SCHEMA)  # type: ignore[arg-type]
    rejects = pl.concat([res.rejects.cast(REJECTS_SCHEMA), extra])  # type: ignore[arg-type]
    return ReadResult(
        table=res.table.filter(~late.fill_null(False)),
        rejects=rejects.sort("row_number", maintain_order=True),
        source=res.source,
        encoding=res.encoding,
    )
