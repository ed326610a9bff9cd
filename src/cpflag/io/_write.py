"""Writing a table to CSV or Parquet atomically."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Final

import polars as pl

from cpflag._errors import ConfigError, CpflagError

__all__ = ["write_table"]

log = logging.getLogger("cpflag.io")

_CSV: Final = {".csv": ",", ".tsv": "\t", ".txt": ","}
_PARQUET: Final = (".parquet", ".pq")


def write_table(df: pl.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``df`` to ``path`` as CSV or Parquet, chosen by the suffix.

    The table is written to a temporary file in the same directory and then
    renamed over ``path``, so a reader never sees a half-written file and a
    failed write leaves any earlier file in place. Parent directories are
    created.

    Args:
        df: The table.
        path: ``.csv`` (``.txt``: comma-separated, ``.tsv``: tab-separated),
            ``.parquet`` or ``.pq``.

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
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        if suffix in _PARQUET:
            df.write_parquet(tmp)
        else:
            df.write_csv(tmp, separator=_CSV[suffix])
        os.replace(tmp, target)
        tmp = None
    except (OSError, pl.exceptions.PolarsError) as exc:
        # The exception text can quote values (polars); name the type only.
        raise CpflagError(f"{target}: cannot write the table ({type(exc).__name__})") from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    log.info("%s: wrote %d rows", target, df.height)
