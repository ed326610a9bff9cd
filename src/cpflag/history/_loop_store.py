"""The loop tables beside the history store: ledgers, outcomes and list versions.

```
store/
  loop/
    manifest.json               the commit point: format, version, {table: file}
    <table>-000007.parquet      one file per table per commit (immutable)
```

The closing-the-loop stage (``cpflag.loop``) keeps its state here as named
polars tables: the flags raised (``raised``), the notifications sent
(``notified``), the review outcomes read (``outcomes``) and the plan lists
seen (``plans_seen``, ``list_versions``). A night changes several of them;
:meth:`LoopStore.commit` writes every changed table to a new file and then
switches the manifest to them in one ``os.replace``, so a run killed at any
point leaves the tables as they were before that night. Files no manifest
names are removed after a commit. Given a night (``cpflag.history._journal``),
the new files and the manifest are staged into it and switched when the
night commits, with the history store's and the outputs.

This module only adds files under ``loop/``; the history store's own files
and manifest are not touched.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
import polars as pl

from cpflag._errors import StoreError
from cpflag.history._files import write_json, write_json_to, write_parquet
from cpflag.history._journal import NightCommit
from cpflag.io._write import PRIVATE_FILE_MODE, os_reason, private_dir

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOOP_FORMAT", "LoopStore"]

LOOP_FORMAT: Final = "cpflag-loop/1"
_FOLDER: Final = "loop"


@attrs.frozen
class LoopStore:
    """The loop tables of one history store (see the module doc).

    Attributes:
        root: The history store directory (the tables live in ``root/loop``).
    """

    root: Path

    @property
    def folder(self) -> Path:
        """The ``loop`` folder."""
        return self.root / _FOLDER

    def _manifest(self) -> dict[str, Any]:
        path = self.folder / "manifest.json"
        if not path.exists():
            return {"format": LOOP_FORMAT, "version": 0, "tables": {}}
        try:
            manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"cannot read the loop manifest of history store {self.root} ({type(exc).__name__})"
            ) from exc
        if manifest.get("format") != LOOP_FORMAT:
            raise StoreError(
                f"history store {self.root}: loop tables have format "
                f"{manifest.get('format')!r}; expected {LOOP_FORMAT!r}"
            )
        return manifest

    @property
    def version(self) -> int:
        """Number of committed loop updates (0 when none)."""
        return int(self._manifest()["version"])

    def read(self, name: str, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
        """One table as last committed, or an empty one of ``schema``.

        Args:
            name: The table's name.
            schema: Its columns (an older file lacking a column gets nulls).

        Returns:
            The table, columns in ``schema`` order.

        Raises:
            StoreError: The manifest or the table's file cannot be read.
        """
        file = self._manifest()["tables"].get(name)
        if file is None:
            return pl.DataFrame(schema=dict(schema))
        try:
            df = pl.read_parquet(self.folder / file)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise StoreError(
                f"cannot read loop table {name!r} of history store {self.root} "
                f"({type(exc).__name__})"
            ) from exc
        missing = [pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in df.columns]
        return df.with_columns(missing).select([pl.col(c).cast(t) for c, t in schema.items()])

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the loop lock (one night's loop update at a time).

        Raises:
            StoreError: The lock cannot be taken (another run holds it).
        """
        private_dir(self.folder)
        path = self.folder / ".lock"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        except OSError as exc:
            raise StoreError(
                f"history store {self.root}: cannot open the loop lock ({os_reason(exc)})"
            ) from exc
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    raise StoreError(
                        f"history store {self.root}: loop tables locked by another run"
                    ) from exc
            yield
        finally:
            os.close(fd)

    def commit(self, tables: Mapping[str, pl.DataFrame], night: NightCommit | None = None) -> int:
        """Write the given tables and switch the manifest to them (the atomic step).

        Tables not given keep their last committed file.

        Args:
            tables: ``{name: frame}`` to replace.
            night: Stage the new files and the manifest into this night
                instead: the switch happens when the night commits.

        Returns:
            The new loop version.

        Raises:
            StoreError: A file cannot be written (the tables are left unchanged).
        """
        manifest = self._manifest()
        version = int(manifest["version"]) + 1
        names = dict(manifest["tables"])
        written: list[Path] = []
        mpath = self.folder / "manifest.json"
        try:
            private_dir(self.folder)
            for name, df in sorted(tables.items()):
                file = f"{name}-{version:06d}.parquet"
                written.append(self.folder / file)
                if night is not None:
                    night.new_file(self.folder / file, expect=mpath)
                write_parquet(df, self.folder / file)
                names[name] = file
            new = {"format": LOOP_FORMAT, "version": version, "tables": names}
            if night is None:
                write_json(mpath, new)
            else:
                write_json_to(night.stage_path(mpath), new)
        except OSError as exc:
            for p in written:
                with contextlib.suppress(OSError):
                    p.unlink(missing_ok=True)
            raise StoreError(
                f"history store {self.root}: cannot write the loop tables ({os_reason(exc)})"
            ) from exc
        if night is None:
            self.collect()
        else:
            night.after_commit(self.collect)
        return version

    def collect(self) -> None:
        """Remove the table files the committed manifest does not name."""
        if not self.folder.is_dir():
            return
        keep = set(self._manifest()["tables"].values())
        for p in self.folder.glob("*.parquet"):
            if p.name not in keep:
                with contextlib.suppress(OSError):
                    p.unlink(missing_ok=True)
