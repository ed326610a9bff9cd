"""The history store's guards: the writers' lock, readers' snapshots, atomic creation.

* **One writer**: appends take ``.lock`` through the maintained ``filelock``
  package (``flock`` on POSIX, ``msvcrt`` on Windows), never waiting: a second
  writer is refused at once.
* **Readers hold a snapshot**: an open store registers the files of the
  version it reads in ``readers/<id>.json`` and holds ``readers/<id>.lock``
  while it lives. Clean-up after an append removes an old file only when no
  live reader's snapshot names it; a reader whose process has gone (its lock
  is free) no longer counts and its registration is removed.
* **One night at a time**: a nightly run holds ``.<store>.night.lock`` beside
  the store from before matching to its commit (``cpflag.history._night``).
* **Creation is atomic**: a new store is built in a hidden sibling folder and
  renamed into place, so a store is either absent or complete. A folder left
  by a creator killed before the rename, or by an older cpflag that wrote
  ``model.json`` but no ``manifest.json``, holds only store files and is
  recognised and repaired.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import filelock

from cpflag._errors import StoreError
from cpflag.io._write import PRIVATE_FILE_MODE, open_private, os_reason, private_dir

__all__ = [
    "HALF_CREATED_FILES",
    "ReaderSnapshot",
    "collect_garbage",
    "create_atomically",
    "is_half_created",
    "live_snapshot_files",
    "remove_half_created",
    "writer_lock",
]

log = logging.getLogger("cpflag.history")

READERS: Final = "readers"
#: What a store folder may hold before its manifest is written.
HALF_CREATED_FILES: Final = frozenset(
    {"model.json", "model.json.tmp", "manifest.json.tmp", "parts", ".lock", READERS}
)


@contextlib.contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    """Hold the store's writer lock, or raise StoreError at once."""
    path = root / ".lock"
    lock = filelock.FileLock(path, timeout=0, mode=PRIVATE_FILE_MODE)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise StoreError(f"history store {root} is locked by another append") from exc
    except OSError as exc:
        raise StoreError(
            f"history store {root}: cannot open the lock file {path} ({os_reason(exc)})"
        ) from exc
    try:
        yield
    finally:
        lock.release()


class ReaderSnapshot:
    """This process's registration of the files of the version it reads."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._id = uuid.uuid4().hex
        self._lock: filelock.BaseFileLock | None = None

    @property
    def _json(self) -> Path:
        return self._root / READERS / f"{self._id}.json"

    def hold(self, files: list[str]) -> None:
        """Register ``files`` (relative names) as in use; best effort.

        A store the process cannot write to (read-only media) is read without
        a registration: no writer can clean it up either.
        """
        try:
            folder = self._root / READERS
            folder.mkdir(mode=0o700, exist_ok=True)
            if self._lock is None:
                lock = filelock.FileLock(
                    folder / f"{self._id}.lock", timeout=0, mode=PRIVATE_FILE_MODE
                )
                lock.acquire()
                self._lock = lock
            tmp = self._json.with_suffix(".tmp")
            with open_private(tmp) as fh:
                fh.write(json.dumps({"files": files}).encode("utf-8"))
            os.replace(tmp, self._json)
        except (OSError, filelock.Timeout) as exc:
            log.debug(
                "history store %s: reader not registered (%s)", self._root, type(exc).__name__
            )

    def release(self) -> None:
        """Drop the registration (the snapshot's files may be removed after this)."""
        with contextlib.suppress(OSError):
            self._json.unlink(missing_ok=True)
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.release()
                self._json.with_suffix(".lock").unlink(missing_ok=True)
            self._lock = None

    def __del__(self) -> None:
        self.release()


def live_snapshot_files(root: Path) -> set[str]:
    """Files named by the snapshots of live readers; dead readers' entries removed."""
    keep: set[str] = set()
    folder = root / READERS
    if not folder.is_dir():
        return keep
    for entry in folder.glob("*.json"):
        lock = filelock.FileLock(entry.with_suffix(".lock"), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            # Alive: its files stay.
            with contextlib.suppress(OSError, ValueError):
                keep.update(json.loads(entry.read_text(encoding="utf-8"))["files"])
            continue
        except OSError:
            continue
        try:
            entry.unlink(missing_ok=True)  # its process has gone
        finally:
            lock.release()
    return keep


def is_half_created(root: Path) -> bool:
    """True for a folder holding only what a store holds before its manifest."""
    names = {p.name for p in root.iterdir()}
    if not names or ("model.json" not in names and "parts" not in names):
        return False
    if not names <= HALF_CREATED_FILES:
        return False
    parts = root / "parts"
    return not parts.exists() or not any(parts.iterdir())


def remove_half_created(root: Path) -> None:
    """Empty a half-created store folder (keeping the folder itself)."""
    log.warning("history store %s: left half-created by an interrupted run; repaired", root)
    for p in root.iterdir():
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


#: A creator's temporary folder older than this is a killed creator's: removed.
_STALE_CREATING_SECONDS: Final = 600


def create_atomically(root: Path, build: Callable[[Path], None]) -> bool:
    """Build a store with ``build`` in a hidden sibling, then rename it to ``root``.

    Returns False when another process created ``root`` first (the caller then
    opens theirs). ``root`` may be absent or an empty folder.
    """
    private_dir(root.parent)
    for old in root.parent.glob(f".{root.name}.creating-*"):
        with contextlib.suppress(OSError):
            if time.time() - old.stat().st_mtime > _STALE_CREATING_SECONDS:
                shutil.rmtree(old)
    tmp = root.parent / f".{root.name}.creating-{uuid.uuid4().hex}"
    tmp.mkdir(mode=0o700)
    try:
        build(tmp)
        try:
            os.rename(tmp, root)  # onto an absent or empty folder (POSIX)
        except OSError:
            if (root / "manifest.json").exists():
                return False
            if not (root.is_dir() and not any(root.iterdir())):
                raise
            root.rmdir()  # an empty folder the platform cannot rename onto
            os.rename(tmp, root)
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def collect_garbage(root: Path, manifest: dict[str, Any]) -> None:
    """Remove files neither ``manifest`` nor a live reader's snapshot refers to."""
    keep = {root / p for p in manifest["parts"]}
    keep.add(root / manifest["persons"])
    keep.update(root / p for p in live_snapshot_files(root))
    for p in [*root.glob("persons-*.parquet"), *(root / "parts").glob("*.parquet")]:
        if p not in keep:
            p.unlink(missing_ok=True)
