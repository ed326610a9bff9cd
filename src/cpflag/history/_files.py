"""The history store's files: JSON and Parquet written owner-only and atomically, and read back.

``read_parts`` also re-derives prepared columns a part written by an older
cpflag lacks, so a store outlives the code that wrote it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Final

import polars as pl

from cpflag._errors import StoreError
from cpflag.history._journal import NightCommit
from cpflag.history._prepare import RAW_COLUMNS, prepare_attendances
from cpflag.io._write import open_private, write_parquet_private

__all__ = [
    "PERSON_COLUMNS",
    "part_schema",
    "person_schema",
    "read_frame",
    "read_parts",
    "write_json",
    "write_json_to",
    "write_parquet",
    "write_version",
]

log = logging.getLogger("cpflag.history")

PERSON_COLUMNS: Final = ("person_id", "family_id", "family_via")


def write_json_to(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` (owner-only, synced; not renamed).

    Raises:
        OSError: The file cannot be written.
    """
    with open_private(path) as fh:
        fh.write((json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically (a ``.tmp`` file renamed over it).

    Raises:
        OSError: The file cannot be written (``path`` is left as it was).
    """
    tmp = path.with_name(path.name + ".tmp")
    write_json_to(tmp, data)
    os.replace(tmp, path)


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    write_parquet_private(df, path, compression="zstd", statistics=False)


def write_version(
    root: Path,
    manifest: dict[str, Any],
    part: pl.DataFrame,
    persons: pl.DataFrame,
    drop: pl.Series,
    old: pl.DataFrame | None,
    night: NightCommit | None,
) -> dict[str, Any]:
    """Write the files of the store's next version and its manifest; the new manifest.

    The new rows ``part`` become a new part; with ``old`` (every stored part
    row: compaction, or rows to ``drop``) the parts are rewritten as one.
    Without ``night`` the manifest is replaced (the commit); with it, the
    files are recorded in the night and the manifest staged there.

    Args:
        root: The store directory.
        manifest: The version extended.
        part: New part rows.
        persons: The persons file of the new version (every row, part order).
        drop: Attendance ids left out of ``old``.
        old: The stored part rows, when the parts are rewritten.
        night: The night to stage into, or None.

    Returns:
        The new manifest.

    Raises:
        OSError: A file cannot be written; the files written are removed.
    """
    version = int(manifest["version"]) + 1
    parts = list(manifest["parts"])
    written: list[Path] = []
    mpath = root / "manifest.json"

    def new(path: Path) -> Path:
        written.append(path)
        return path if night is None else night.new_file(path, expect=mpath)

    try:
        if old is not None:
            part = pl.concat([old.filter(~pl.col("attendance_id").is_in(drop.implode())), part])
            parts = []
        name = f"parts/part-{version:06d}.parquet"
        write_parquet(part, new(root / name))
        pname = f"persons-{version:06d}.parquet"
        write_parquet(persons, new(root / pname))
        fresh = {
            **manifest,
            "version": version,
            "parts": [*parts, name],
            "persons": pname,
            "attendances": persons.height,
        }
        if night is None:
            write_json(mpath, fresh)
        else:
            write_json_to(night.stage_path(mpath), fresh)
    except BaseException:
        for p in written:
            with contextlib.suppress(OSError):
                p.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            (root / "manifest.json.tmp").unlink(missing_ok=True)
        raise
    return fresh


def read_parts(parts: list[Path], columns: list[str]) -> pl.DataFrame:
    """Read columns of the parts, re-deriving prepared columns an older part lacks.

    A part written before a prepared column existed (a later cpflag) is
    re-prepared from its stored contract columns (``sex`` and ``postcode`` are
    stored normalised, which normalisation leaves unchanged).
    """
    try:
        return pl.read_parquet(parts, columns=columns)
    except pl.exceptions.ColumnNotFoundError:
        pass
    frames = []
    for path in parts:
        have = set(pl.read_parquet_schema(path))
        missing = [c for c in columns if c not in have]
        if not missing:
            frames.append(pl.read_parquet(path, columns=columns))
            continue
        log.warning("history part %s lacks %s: re-preparing its rows", path.name, missing)
        raw = pl.read_parquet(path, columns=[*RAW_COLUMNS, "sex", "postcode"])
        fresh = prepare_attendances(raw).select(missing)
        kept = pl.read_parquet(path, columns=[c for c in columns if c in have])
        frames.append(pl.concat([kept, fresh], how="horizontal").select(columns))
    return pl.concat(frames)


def read_frame(
    root: Path, manifest: dict[str, Any], wanted: list[str], part_columns: tuple[str, ...]
) -> pl.DataFrame:
    """The columns ``wanted`` of the store version ``manifest`` names, in storage order.

    Args:
        root: The store directory.
        manifest: The version read.
        wanted: Columns of the parts (``part_columns``) and of the persons file.
        part_columns: The columns the parts hold.

    Raises:
        StoreError: A column is unknown, or the files are missing or inconsistent.
    """
    part_cols = [c for c in wanted if c in part_columns]
    person_cols = [c for c in wanted if c in PERSON_COLUMNS]
    unknown = set(wanted) - set(part_columns) - set(PERSON_COLUMNS)
    if unknown:
        raise StoreError(f"the history store has no column(s) {sorted(unknown)}")
    parts = [root / p for p in manifest["parts"]]
    if not parts:
        schema = {**part_schema(), **person_schema()}
        return pl.DataFrame(schema={c: schema[c] for c in wanted})
    try:
        left = read_parts(parts, part_cols) if part_cols else None
        right = (
            pl.read_parquet(root / manifest["persons"], columns=person_cols)
            if person_cols
            else None
        )
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(f"cannot read history store {root}: {exc}") from exc
    frames = [f for f in (left, right) if f is not None]
    if len({f.height for f in frames}) > 1:
        raise StoreError(f"history store {root} is inconsistent (row counts differ)")
    return pl.concat(frames, how="horizontal").select(wanted)


def read_records(
    root: Path, manifest: dict[str, Any], ids: pl.Series, columns: list[str]
) -> pl.DataFrame:
    """The part ``columns`` of the stored attendances with these ids (storage order).

    Scans the parts with the filter pushed down, so a few records of a long
    history are read without building the whole frame.

    Raises:
        StoreError: The store's files are missing or unreadable.
    """
    parts = [root / p for p in manifest["parts"]]
    wanted = pl.col("attendance_id").is_in(ids.implode())
    if not parts:
        schema = part_schema()
        return pl.DataFrame(schema={c: schema[c] for c in columns})
    try:
        try:
            return pl.scan_parquet(parts).select(columns).filter(wanted).collect()
        except pl.exceptions.ColumnNotFoundError:
            return read_parts(parts, columns).filter(wanted)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(f"cannot read history store {root}: {exc}") from exc


def part_schema() -> dict[str, pl.DataType]:
    empty = prepare_attendances(pl.DataFrame({"attendance_id": [], "arrival_time": []}))
    schema: dict[str, pl.DataType] = dict(empty.schema)
    schema.update(
        {
            "link_to": pl.String(),
            "link_weight": pl.Float64(),
            "link_rule": pl.String(),
            "link_reasons": pl.String(),
        }
    )
    return schema


def person_schema() -> dict[str, pl.DataType]:
    return {c: pl.String() for c in PERSON_COLUMNS}
