"""Getting a raw table out of a CSV file, a Parquet file or folder, or a dataframe.

This is the one reader every table argument goes through (:func:`load_raw`):
a path is a CSV file, a Parquet file or a folder of Parquet files; an
in-memory frame of any library is handed over as polars by
:mod:`cpflag.io._native`; anything else is refused with an error that says
what is accepted.

CSV is read with every column as text -- leading zeros in ids and NHS numbers
matter, so polars never infers types here. The encoding is UTF-8 (with or
without a BOM); a line that is not UTF-8 is read as cp1252 (else latin-1) on
its own, so one such row never re-decodes the whole file; the delimiter is sniffed from the
header line among ``,`` ``;`` tab and ``|``.

No message raised here quotes the file's content: a file without its header
line has identifying values where the header should be, and polars' own parse
errors can quote a line of data, so they are never passed on (``from None``).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from pathlib import Path
from typing import Final

import attrs
import polars as pl

from cpflag._errors import InputError, ParseError
from cpflag.io._decode import decode_csv_bytes
from cpflag.io._native import ACCEPTED, TableSource, native_to_polars

__all__ = ["ROW", "RawTable", "Source", "load_raw"]

log = logging.getLogger("cpflag.io")

#: Name of the 1-based source row number column.
ROW: Final = "_row"

Source = TableSource

_DELIMITERS: Final = (",", ";", "\t", "|")
_PARQUET_MAGIC: Final = b"PAR1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"
_QUOTED = re.compile(r'"[^"]*"')


@attrs.frozen
class RawTable:
    """A table as found, before any mapping or typing.

    Attributes:
        frame: Columns ``c0``, ``c1``, ... in source order, then ``_row``.
        headers: The source header of each ``c<i>`` column.
        source: The file path or label, for messages.
        encoding: Text encoding of a CSV file; None for Parquet and frames.
        delimiter: The CSV delimiter; None for Parquet and frames.
        text: True when every column is text (CSV).
        short_rows: ``(row number, fields)`` of each CSV record with fewer
            fields than the header (a row cut short; see ``build_table``).
    """

    frame: pl.DataFrame
    headers: tuple[str, ...]
    source: str
    encoding: str | None
    delimiter: str | None
    text: bool
    short_rows: tuple[tuple[int, int], ...] = ()


def _positional(
    frame: pl.DataFrame,
    headers: list[str],
    source: str,
    *,
    text: bool,
    encoding: str | None,
    delimiter: str | None,
) -> RawTable:
    data = [c for c in frame.columns if c != ROW]
    renamed = frame.rename({old: f"c{i}" for i, old in enumerate(data)})
    return RawTable(
        frame=renamed,
        headers=tuple(headers),
        source=source,
        encoding=encoding,
        delimiter=delimiter,
        text=text,
    )


def _from_frame(df: pl.DataFrame, source: str) -> RawTable:
    cols = [c for c in df.columns if c != ROW]
    frame = df.select(cols).with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.UInt32))
    frame = frame.select([*cols, ROW])
    return _positional(frame, cols, source, text=False, encoding=None, delimiter=None)


def _sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter that occurs most often outside quotes (ties: the comma)."""
    bare = _QUOTED.sub("", header_line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], -_DELIMITERS.index(d)))
    return best if counts[best] else ","


def _first_ragged_row(text: str, delimiter: str) -> int | None:
    """Row number (header = 0) of the first record with more fields than the header.

    Only called after polars has refused the file, to say where; a plain
    Python pass is fine on that error path.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        width = len(next(reader))
        for number, record in enumerate(reader, start=1):
            if len(record) > width:
                return number
    except (csv.Error, StopIteration):
        return None
    return None


def _field_counts(data: bytes, delimiter: str) -> list[int]:
    """The number of fields of each record (header first), as polars splits them."""
    if b'"' not in data:
        # No quoting: a record is a line (the common case, one pass in C per line).
        sep = delimiter.encode()
        lines = data.split(b"\n")
        if lines and lines[-1] in (b"", b"\r"):
            lines.pop()
        return [line.count(sep) + 1 for line in lines]
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    try:
        return [len(record) for record in reader]
    except csv.Error:
        return []


def _short_rows(data: bytes, delimiter: str, frame: pl.DataFrame) -> tuple[tuple[int, int], ...]:
    """``(row number, fields)`` (header = 0) of records with fewer fields than the header."""
    counts = _field_counts(data, delimiter)
    if len(counts) != frame.height or not counts:
        log.debug("field counts not aligned with the rows; short rows not checked")
        return ()
    width = counts[0]
    if min(counts) >= width:
        return ()
    blank = frame.select(pl.all_horizontal(pl.all().is_null())).to_series().to_list()
    return tuple(
        (n, c) for n, (c, b) in enumerate(zip(counts, blank, strict=True)) if c < width and not b
    )


def _read_csv(raw: bytes, source: str) -> RawTable:
    if not raw or raw.isspace():
        raise InputError("file is empty", source=source)
    try:
        data, encoding, fallback = decode_csv_bytes(raw)
    except InputError as exc:
        raise InputError(str(exc), source=source) from None
    if fallback:
        shown = ", ".join(str(n) for n in fallback[:10])
        more = f" and {len(fallback) - 10} more" if len(fallback) > 10 else ""
        log.warning(
            "%s: %d lines are not UTF-8 and were read as Windows-1252 (lines %s%s)",
            source,
            len(fallback),
            shown,
            more,
        )
    if b"\x00" in data[:4096]:
        raise InputError(
            "file contains NUL bytes: it looks like UTF-16 without a byte-order mark, "
            "or a binary file; save it as CSV (UTF-8)",
            source=source,
        )
    end = data.find(b"\n")
    header_line = data[: end if end >= 0 else len(data)].decode("utf-8").rstrip("\r")
    if not header_line.strip():
        raise InputError("file is empty: the first line (the header) is blank", source=source)
    delimiter = _sniff_delimiter(header_line)
    try:
        frame = pl.read_csv(
            data,
            has_header=False,
            separator=delimiter,
            infer_schema=False,
            quote_char='"',
            truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        # Never pass on polars' message: it can quote a line of data.
        ragged = _first_ragged_row(data.decode("utf-8"), delimiter)
        what = (
            "this row has more fields than the header"
            if ragged is not None
            else "the file cannot be read as CSV: a row has more fields than the header or "
            "a quoted field is not closed"
        )
        raise ParseError(
            f"{what}; check the quoting and the delimiter "
            f"({_delimiter_name(delimiter)} was detected from the header line)",
            source=source,
            row_numbers=[ragged] if ragged is not None else [],
        ) from None
    if frame.height == 0:
        raise InputError("file is empty", source=source)
    short = _short_rows(data, delimiter, frame)
    headers = [h if h is not None else "" for h in frame.row(0)]
    body = (
        frame.with_row_index(ROW)
        .with_columns(pl.col(ROW).cast(pl.UInt32))
        .slice(1)
        .select([*frame.columns, ROW])
    )
    # A blank line is not a record: drop rows with no field at all.
    blank = body.select(pl.all_horizontal(pl.exclude(ROW).is_null())).to_series()
    n_blank = int(blank.sum())
    if n_blank:
        body = body.filter(~blank)
        log.info("%s: %d blank lines skipped", source, n_blank)
    log.debug("%s: encoding %s, delimiter %s", source, encoding, _delimiter_name(delimiter))
    table = _positional(body, headers, source, text=True, encoding=encoding, delimiter=delimiter)
    return attrs.evolve(table, short_rows=short)


def _delimiter_name(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[delimiter]


def _read_parquet(path: Path | list[Path], source: str) -> RawTable:
    try:
        df = pl.read_parquet(path, hive_partitioning=isinstance(path, list))
    except (pl.exceptions.PolarsError, OSError, ValueError):
        what = (
            "cannot read the Parquet files of the folder (corrupt or truncated, or their "
            "columns differ?)"
            if isinstance(path, list)
            else "cannot read the Parquet file (corrupt or truncated?)"
        )
        raise InputError(what, source=source) from None
    return _from_frame(df, source)


def _parquet_files(folder: Path) -> list[Path]:
    """The Parquet files under ``folder``, in path order (hidden and ``_`` names skipped).

    Spark and Hive folders hold ``_SUCCESS`` markers and ``.crc`` files beside
    the data; ``la_code=E10000028/`` sub-folders become a column.
    """
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in (".parquet", ".pq")
        and not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
        and p.is_file()
    )


def load_raw(source: Source, label: str | None = None) -> RawTable:
    """Load a table from a file, a folder of Parquet files or a dataframe as a :class:`RawTable`.

    The format of a file comes from the suffix (``.csv``, ``.txt``, ``.tsv``,
    ``.parquet``, ``.pq``) but the content decides: a file starting with the
    Parquet magic bytes is Parquet, anything else is read as delimited text. A
    folder is read as one table from the Parquet files in it (sub-folders
    included, in path order). A polars LazyFrame is collected; a pandas
    DataFrame or a pyarrow Table is converted to polars.

    Args:
        source: A path (file or folder), or an in-memory frame.
        label: What to call the source in messages (default: the path, or
            ``<DataFrame>``, ``<LazyFrame>``, ``<Table>``: the frame's type).

    Returns:
        The raw table.

    Raises:
        InputError: missing, unreadable, empty, binary or corrupt file; a
            folder without Parquet files; a frame that cannot be converted;
            anything that is not a table (the error says what is accepted).
        ParseError: a row with more fields than the header.
    """
    if not isinstance(source, str | os.PathLike):
        name = label or f"<{type(source).__name__}>"
        frame = native_to_polars(source, name)
        if frame is None:
            raise InputError(
                f"cannot read a table from a {type(source).__name__}; give {ACCEPTED}",
                source=label,
            )
        return _from_frame(frame, name)
    path = Path(source)
    name = label or str(path)
    if path.is_dir():
        files = _parquet_files(path)
        if not files:
            raise InputError(
                "is a folder with no Parquet files in it (a folder is read as a set of "
                "Parquet files; give a CSV file by its own path)",
                source=name,
            )
        log.debug("%s: %d Parquet files", name, len(files))
        return _read_parquet(files, name)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError:
        raise InputError("file not found", source=name) from None
    except OSError as exc:
        raise InputError(f"file cannot be read ({type(exc).__name__})", source=name) from None
    if magic == _PARQUET_MAGIC:
        return _read_parquet(path, name)
    if path.suffix.lower() in (".parquet", ".pq") and magic:
        raise InputError("file has a Parquet suffix but is not a Parquet file", source=name)
    if magic == _ZIP_MAGIC:
        raise InputError("file is a zip archive or an Excel workbook: save it as CSV", source=name)
    if magic == _OLE_MAGIC:
        raise InputError("file is an old-style Excel workbook: save it as CSV", source=name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"file cannot be read ({type(exc).__name__})", source=name) from None
    return _read_csv(raw, name)
