"""A prepared plan index kept on disk between nightly runs.

LA lists change twice a week at most while the job runs every night, and
reading and preparing 140,000 plan rows is about half of a national night's
work. The cache stores every prepared frame and term-frequency table of the
index (``IndexParts.stored``) as uncompressed Arrow IPC files, so that loading
it is reading them back and nothing is recomputed, under a key: a
hash of the plan and manifest files' bytes, the run configuration and the
cpflag version. Any change to one of them is a miss, and the index is built
afresh and stored again; a cache that cannot be read is rebuilt, never trusted.

The cache holds the prepared lists (names, dates of birth, addresses): keep it
where the lists themselves are kept. Its folder is created owner-only (0700)
and its files 0600 (``cpflag.io._write``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from importlib import metadata
from pathlib import Path
from typing import Final

import attrs
import polars as pl

from cpflag._config import FlagConfig
from cpflag._errors import StoreError
from cpflag.engine._index import PlanIndex
from cpflag.io._write import open_private, private_dir

__all__ = ["CACHE_FORMAT", "cache_key", "load_index", "save_index"]

log = logging.getLogger("cpflag")

#: Bumped whenever the stored frames change shape or content
#: (3: address numbers, partial postcodes; 4: every frame and table, Arrow IPC).
CACHE_FORMAT: Final = 4
_META: Final = "meta.json"


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _config_text(config: FlagConfig) -> str:
    models = ("model", "relation_models")
    fields = attrs.asdict(config, filter=lambda a, _v: a.name not in models)
    relations = {kind: m.to_dict() for kind, m in config.relation_models.items()}
    return json.dumps(
        {**fields, "model": config.model.to_dict(), "relation_models": relations},
        sort_keys=True,
        default=str,
    )


def _version() -> str:
    try:
        return metadata.version("cpflag")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def cache_key(plans: Path, manifest: Path | None, config: FlagConfig) -> str:
    """The key of an index built from these files with this configuration.

    The installed cpflag version is part of it: preparation may change between
    versions.

    Args:
        plans: The plans file.
        manifest: The list manifest file, if any.
        config: The run configuration.

    Returns:
        A hex SHA-256 digest.
    """
    parts = [
        f"format={CACHE_FORMAT}",
        f"version={_version()}",
        f"plans={_file_digest(plans)}",
        f"manifest={_file_digest(manifest) if manifest is not None else '-'}",
        f"config={_config_text(config)}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def load_index(
    folder: Path, key: str, config: FlagConfig
) -> tuple[PlanIndex, pl.DataFrame, str] | None:
    """The cached index for ``key``, or None on a miss or an unreadable cache.

    Args:
        folder: The cache folder.
        key: From :func:`cache_key`.
        config: The run configuration (the same one the key was made with).

    Returns:
        ``(index, plan rejects, plans source label)`` or None.
    """
    meta_path = folder / _META
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("key") != key:
            log.info("index cache: lists or configuration changed; rebuilding")
            return None
        files: dict[str, str] = meta["tables"]
        stored = {name: _read(folder / file) for name, file in files.items()}
        rejects = _read(folder / "rejects.arrow")
        index = PlanIndex.from_stored(stored, config=config)
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError) as exc:
        # The message names the folder and the error type only: never a value.
        log.warning("index cache in %s is unreadable (%s); rebuilding", folder, type(exc).__name__)
        return None
    log.info("index cache: loaded %d plan rows", index.plans.height)
    return index, rejects, str(meta.get("source", "plans"))


def _read(path: Path) -> pl.DataFrame:
    """An IPC file as a frame: memory-mapped through pyarrow when it is installed.

    ``pl.read_ipc`` copies and checks every string (about 0.2 s for a 100 MB
    frame); a memory-mapped Arrow table becomes a polars frame without a copy
    in a millisecond. The mapping stays valid after the folder is replaced
    (the open file keeps its data).
    """
    try:
        # Optional, and slow to import: only when a cache is read.
        import pyarrow as pa  # noqa: PLC0415
        import pyarrow.ipc as pa_ipc  # noqa: PLC0415
    except ImportError:
        return pl.read_ipc(path)
    with pa.memory_map(str(path)) as source:
        table = pa_ipc.open_file(source).read_all()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _write(df: pl.DataFrame, path: Path) -> None:
    """``df`` as uncompressed Arrow IPC in an owner-only (0600) file, synced to disk."""
    try:
        with open_private(path) as fh:
            df.write_ipc(fh, compression="uncompressed")
            fh.flush()
            os.fsync(fh.fileno())
    except pl.exceptions.PolarsError as exc:
        raise OSError(f"cannot write {path.name}: {type(exc).__name__}") from exc


def save_index(
    folder: Path, key: str, index: PlanIndex, rejects: pl.DataFrame, source: str
) -> None:
    """Store ``index`` under ``key``, replacing what the folder held.

    Written to a sibling folder first and swapped in, so a crash mid-write
    leaves the old cache or none, never a mixture.

    Raises:
        StoreError: The cache cannot be written.
    """
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.tmp")
    old = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.old")
    try:
        private_dir(tmp)
        # Files are numbered: table names hold column names and slashes.
        files = {name: f"t{i}.arrow" for i, name in enumerate(index.stored())}
        for name, table in index.stored().items():
            _write(table, tmp / files[name])
        _write(rejects, tmp / "rejects.arrow")
        meta = {"key": key, "format": CACHE_FORMAT, "source": source, "tables": files}
        with open_private(tmp / _META) as fh:
            fh.write(json.dumps(meta).encode("utf-8"))
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
    except OSError as exc:
        raise StoreError(f"cannot write the index cache in {folder}: {type(exc).__name__}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
