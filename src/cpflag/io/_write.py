"""Writing files owner-only and atomically: tables, JSON, the store's and cache's files.

Every file cpflag creates holds, or sits beside, identifying data (flags,
rejects, the history store, the index cache), so every one is created through
:func:`open_private` (mode 0600) and every folder through :func:`private_dir`
(mode 0700). Outputs a reader may look at while they are written go through
:func:`atomic_file`: a temporary owner-only file in the same folder, renamed
over the target (``os.replace``) only when it is complete.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

import polars as pl

from cpflag._errors import ConfigError, CpflagError

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "TABLE_SUFFIXES",
    "Stager",
    "atomic_file",
    "open_private",
    "os_reason",
    "output_file",
    "private_dir",
    "write_parquet_private",
    "write_table",
    "write_text",
]

log = logging.getLogger("cpflag.io")

#: Mode of every file cpflag creates: read and write by the owner only.
PRIVATE_FILE_MODE: Final = 0o600
#: Mode of every folder cpflag creates: the owner only.
PRIVATE_DIR_MODE: Final = 0o700

_CSV: Final = {".csv": ",", ".tsv": "\t", ".txt": ","}
_PARQUET: Final = (".parquet", ".pq")
#: The suffixes :func:`write_table` knows (lower case).
TABLE_SUFFIXES: Final = (*_CSV, *_PARQUET)

#: Where to write a file instead of its target, leaving the rename to the
#: caller (a night committed as a unit: ``cpflag.history.NightCommit.stage_path``).
Stager = Callable[[Path], Path]


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and any missing parents, each owner-only (0700).

    Folders that exist already are left as they are (their mode is the
    operator's choice). Returns the path.
    """
    target = Path(path)
    missing = []
    for folder in (target, *target.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    return target


def open_private(path: str | os.PathLike[str], *, exclusive: bool = False) -> BinaryIO:
    """Open ``path`` for writing as an owner-only (0600) binary file.

    A new file is created 0600; an existing one is truncated and set to 0600.

    Args:
        path: The file.
        exclusive: Fail (``FileExistsError``) when the file exists.
    """
    fh = open(  # noqa: SIM115 - returned to the caller, who closes it
        path, "xb" if exclusive else "wb", opener=lambda p, f: os.open(p, f, PRIVATE_FILE_MODE)
    )
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fh.fileno(), PRIVATE_FILE_MODE)
    except BaseException:
        fh.close()
        raise
    return fh


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], *, fsync: bool = True) -> Iterator[BinaryIO]:
    """Write ``path`` all at once: yield an owner-only temporary file, then rename it.

    The temporary file is ``.<name>.<random>.tmp`` in the same folder, so the
    rename is atomic. If the block raises (a full disk, a failing writer) the
    temporary file is removed and any earlier ``path`` is left untouched; a
    process killed mid-write leaves only a ``.tmp`` file beside it, never half
    a ``path``. Missing parent folders are created owner-only.
    """
    target = Path(path)
    private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    done = False
    try:
        with open_private(tmp, exclusive=True) as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        done = True
    finally:
        if not done:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def output_file(path: Path, stage: Stager | None = None) -> Iterator[BinaryIO]:
    """:func:`atomic_file`, or with ``stage`` the staged file ``stage(path)`` (not renamed).

    A staged file is owner-only and synced; it is removed when the block raises.
    """
    if stage is None:
        with atomic_file(path) as fh:
            yield fh
        return
    private_dir(path.parent)
    tmp = stage(path)
    done = False
    try:
        with open_private(tmp) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        done = True
    finally:
        if not done:
            tmp.unlink(missing_ok=True)


def write_parquet_private(
    df: pl.DataFrame, path: str | os.PathLike[str], *, fsync: bool = True, **options: Any
) -> None:
    """Write ``df`` to ``path`` as Parquet in an owner-only (0600) file, synced to disk.

    Not atomic by itself: for files no reader looks at until they are
    committed (the history store's parts, the index cache's staging folder).

    Args:
        df: The table.
        path: The file (created, or truncated).
        fsync: Sync the file to disk before returning.
        **options: Passed to :meth:`polars.DataFrame.write_parquet`.

    Raises:
        OSError: the file cannot be written. polars reports a failed write
            (a full disk) as a ``ComputeError``; it is raised as an ``OSError``
            naming the file, so that every write failure is one kind of error.
    """
    try:
        with open_private(path) as fh:
            df.write_parquet(fh, **options)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
    except pl.exceptions.PolarsError as exc:
        # Its text is not passed on (polars messages can quote values).
        raise OSError(
            errno.EIO, f"the Parquet write failed ({type(exc).__name__})", str(path)
        ) from None


def os_reason(exc: OSError) -> str:
    """``PermissionError: Permission denied``: the error's type and the system's words."""
    words = exc.strerror or str(exc)
    return f"{type(exc).__name__}: {words}" if words else type(exc).__name__


def write_text(path: str | os.PathLike[str], text: str, *, stage: Stager | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically and owner-only.

    Args:
        path: The file.
        text: Its text.
        stage: Write to ``stage(path)`` instead, renamed over ``path`` later
            by the caller (see :data:`Stager`).

    Raises:
        CpflagError: the file cannot be written (the path and the error named).
    """
    target = Path(path)
    try:
        with output_file(target, stage) as fh:
            fh.write(text.encode("utf-8"))
    except OSError as exc:
        raise CpflagError(f"{target}: cannot write the file ({os_reason(exc)})") from None


def write_table(
    df: pl.DataFrame, path: str | os.PathLike[str], *, stage: Stager | None = None
) -> None:
    """Write ``df`` to ``path`` as CSV or Parquet, chosen by the suffix.

    The table is written to an owner-only (0600) temporary file in the same
    directory and then renamed over ``path``, so a reader never sees a
    half-written file and a failed write leaves any earlier file in place.
    Missing parent directories are created (0700).

    Args:
        df: The table.
        path: ``.csv`` (``.txt``: comma-separated, ``.tsv``: tab-separated),
            ``.parquet`` or ``.pq``.
        stage: Write to ``stage(path)`` instead, renamed over ``path`` later
            by the caller (see :data:`Stager`).

    Raises:
        ConfigError: the suffix is not one of those.
        CpflagError: the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _CSV and suffix not in _PARQUET:
        raise ConfigError(
            f"{target}: cannot tell the format from the suffix {suffix or '(none)'!r}; "
            "use .csv, .tsv, .parquet or .pq"
        )
    try:
        with output_file(target, stage) as fh:
            if suffix in _PARQUET:
                df.write_parquet(fh)
            else:
                df.write_csv(fh, separator=_CSV[suffix])
    except OSError as exc:
        raise CpflagError(f"{target}: cannot write the table ({os_reason(exc)})") from None
    except pl.exceptions.PolarsError as exc:
        # The exception text can quote values (polars); name the type only.
        raise CpflagError(f"{target}: cannot write the table ({type(exc).__name__})") from None
    log.info("%s: wrote %d rows", target, df.height)
