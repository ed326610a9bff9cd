"""The history store's files: JSON and Parquet written owner-only and atomically, and read back.

``read_parts`` also re-derives prepared columns a part written by an older
cpflag lacks, so a store outlives the code that wrote it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Final

import polars as pl

from cpflag.history._prepare import RAW_COLUMNS, prepare_attendances
from cpflag.io._write import open_private, write_parquet_private

__all__ = [
    "PERSON_COLUMNS",
    "part_schema",
    "person_schema",
    "read_parts",
    "write_json",
    "write_parquet",
]

log = logging.getLogger("cpflag.history")

PERSON_COLUMNS: Final = ("person_id", "family_id", "family_via")


def write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open_private(tmp) as fh:
        fh.write((json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_parquet(df: pl.DataFrame, path: Path) -> None:
    write_parquet_private(df, path, compression="zstd", statistics=False)


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
