"""One night at a time, and the previous night settled first.

A nightly run holds ``.<store>.night.lock`` beside the store from before it
reads anything to its commit (:class:`NightRun`), so a second run at the same
time is refused before any work. Starting, it settles the night before
(:func:`recover_night`): a night killed after its commit point is rolled
forward (its renames done), one killed before it is rolled back (its staged
files deleted), so the store and the outputs are those of one whole night.
The night's own files are then staged into a
:class:`~cpflag.history._journal.NightCommit` and committed together.

A reader opening the store only rolls forward (:func:`roll_forward`): files
staged by a night that did not commit are invisible to it (no manifest names
them) and are left for the next night, which reports them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import filelock

from cpflag._errors import StoreError
from cpflag.history._guard import collect_garbage, writer_lock
from cpflag.history._journal import (
    COMMITTED,
    NIGHT_RECORD,
    NONE,
    ROLLED_BACK,
    ROLLED_FORWARD,
    NightCommit,
    Recovery,
    apply_renames,
    delete_staged,
    read_record,
)
from cpflag.history._loop_store import LoopStore
from cpflag.io._write import PRIVATE_FILE_MODE, os_reason, private_dir

__all__ = ["NightRun", "night_guard", "recover_night", "roll_forward"]

log = logging.getLogger("cpflag.history")


def _collect(root: Path) -> None:
    """Remove the files neither committed manifest names (after a roll forward)."""
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("persons"):
            collect_garbage(root, manifest)
        LoopStore(root).collect()
    except (OSError, ValueError, StoreError) as exc:
        log.warning("history store %s: old files kept (%s)", root, type(exc).__name__)


def _as_of(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def roll_forward(root: str | os.PathLike[str]) -> Recovery:
    """Complete a night killed after its commit point; anything else is left alone.

    Best effort for readers: when the store is busy (a writer holds its lock)
    or cannot be written, nothing is done (a reader sees the previous night,
    which is whole).

    Args:
        root: The history store directory.

    Returns:
        ``rolled_forward`` when a night was completed now, else ``none``.
    """
    root = Path(root)
    try:
        record = read_record(root)
        if record is None or record.get("state") != COMMITTED:
            return Recovery()
        with writer_lock(root):
            record = read_record(root)  # the committing process may have finished
            if record is None or record.get("state") != COMMITTED:
                return Recovery()
            done = apply_renames(record)
            (root / NIGHT_RECORD).unlink(missing_ok=True)
    except (OSError, StoreError) as exc:
        log.debug("history store %s: not rolled forward now (%s)", root, type(exc).__name__)
        return Recovery()
    _collect(root)
    log.warning(
        "history store %s: the last night was interrupted after its commit; "
        "completed now (%d files renamed)",
        root,
        done,
    )
    return Recovery(ROLLED_FORWARD, _as_of(record.get("as_of")), str(record.get("kind", "night")))


def recover_night(root: str | os.PathLike[str]) -> Recovery:
    """Settle the last night: roll it forward when committed, else back.

    Call with the night lock held (:meth:`NightRun.start` does): a night in
    progress would otherwise lose its staged files.

    Args:
        root: The history store directory.

    Returns:
        What was done.

    Raises:
        StoreError: The night record cannot be read, or the staged files
            cannot be removed.
    """
    root = Path(root)
    record = read_record(root)
    if record is None:
        return Recovery()
    if record.get("state") == COMMITTED:
        done = roll_forward(root)
        if done.action == NONE and (root / NIGHT_RECORD).exists():
            raise StoreError(f"history store {root}: the last night could not be completed")
        return done
    try:
        gone = delete_staged(record)
        (root / NIGHT_RECORD).unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(
            f"history store {root}: cannot remove the files of an interrupted night "
            f"({os_reason(exc)})"
        ) from exc
    log.warning(
        "history store %s: the last night was interrupted before its commit; "
        "rolled back (%d staged files removed)",
        root,
        gone,
    )
    return Recovery(ROLLED_BACK, _as_of(record.get("as_of")), str(record.get("kind", "night")))


class NightRun:
    """A nightly run's hold on a store: the night lock, the recovery, the staged night."""

    def __init__(self, store: str | os.PathLike[str]) -> None:
        self.store = Path(store)
        self._lock = filelock.FileLock(
            self.store.parent / f".{self.store.name}.night.lock", timeout=0, mode=PRIVATE_FILE_MODE
        )
        self.recovery = Recovery()

    def start(self) -> Recovery:
        """Take the lock and settle the previous night (see :func:`recover_night`).

        Returns:
            What was found of the previous night.

        Raises:
            StoreError: Another run holds the lock (nothing has been done yet),
                or the previous night cannot be settled.
        """
        private_dir(self.store.parent)
        try:
            self._lock.acquire()
        except filelock.Timeout as exc:
            raise StoreError(
                f"history store {self.store} is in use by another cpflag run; nothing was "
                "done (run again when it has finished)"
            ) from exc
        except OSError as exc:
            why = os_reason(exc)
            raise StoreError(
                f"history store {self.store}: cannot take the run lock ({why})"
            ) from exc
        try:
            if self.store.is_dir():
                self.recovery = recover_night(self.store)
        except BaseException:
            self.release()
            raise
        return self.recovery

    def stage(self) -> NightCommit:
        """A new night to stage this run's files into (commit it, or abort it)."""
        return NightCommit(self.store, self.recovery)

    def release(self) -> None:
        """Let the next run start."""
        with contextlib.suppress(OSError):
            self._lock.release()


@contextlib.contextmanager
def night_guard(store: str | os.PathLike[str]) -> Iterator[NightCommit]:
    """Hold ``store``'s night lock for the block and commit its night at the end.

    Yields the night to stage files into (``HistoryStore.stage``,
    ``NightCommit.stage_path``). It is committed when the block completes
    (unless the block committed it), aborted -- nothing kept -- when it raises.

    Raises:
        StoreError: Another run holds the lock (nothing has been done yet).
    """
    run = NightRun(store)
    run.start()
    night = run.stage()
    try:
        try:
            yield night
        except BaseException:
            night.abort()
            raise
        night.commit()
    finally:
        run.release()
