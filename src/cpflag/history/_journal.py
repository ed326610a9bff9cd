"""A night committed as a unit: every file staged, one record the commit point.

A nightly run with a history store writes nothing where a reader looks until
the whole night is ready:

1. **Staging.** Each file of the night is written under a name nobody reads:
   the store's new parts, persons and loop tables under new names (a manifest
   does not name them yet), the store's two manifests and every output
   (flags, rejects, summary, notifications, FHIR) to a temporary file beside
   its target (``.<name>.night-<id>.tmp``, same folder, so the rename is
   atomic). Before a file is created, the night record ``night.json`` in the
   store folder lists it (``state: staging``).
2. **The commit point.** ``night.json`` is rewritten with ``state:
   committed`` (temporary file, fsync, rename, fsync of the folder).
3. **Apply.** Each staged temporary file is renamed over its target, in the
   order staged; then ``night.json`` is removed.

A run killed anywhere leaves one of three things, and the next open of the
store (:func:`cpflag.history.recover_night`) settles it:

* no ``night.json``: nothing was staged, or the night was applied -- nothing to do;
* ``night.json`` in ``staging``: the night did not reach its commit point --
  **roll back**: the staged files are deleted, the store and the outputs are
  as they were before the night;
* ``night.json`` in ``committed``: **roll forward**: the renames not yet done
  are done (each is skipped when its temporary file is gone: applying twice is
  applying once), and the night is whole.

This module knows files only; the store and the loop tables stage through it
(``HistoryStore.stage``, ``LoopStore.commit(night=...)``) and the command
line stages its outputs through :meth:`NightCommit.stage_path`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from cpflag._errors import StoreError
from cpflag.history._guard import writer_lock
from cpflag.io._write import open_private, os_reason, private_dir

__all__ = [
    "NIGHT_FORMAT",
    "NIGHT_RECORD",
    "NightCommit",
    "Recovery",
    "on_phase",
    "read_record",
]

log = logging.getLogger("cpflag.history")

NIGHT_FORMAT: Final = "cpflag-night/1"
#: The night record, in the store folder.
NIGHT_RECORD: Final = "night.json"
STAGING: Final = "staging"
COMMITTED: Final = "committed"
NONE: Final = "none"
ROLLED_FORWARD: Final = "rolled_forward"
ROLLED_BACK: Final = "rolled_back"


def _no_hook(_phase: str) -> None:
    return None


#: Called with the name of each phase a night passes (``store_staged``,
#: ``outputs_staged``, ``committed``, ``renamed_one``, ``applied``). A no-op;
#: the kill tests replace it with one that kills the process at a phase.
on_phase: Callable[[str], None] = _no_hook


def phase(name: str) -> None:
    """Mark a phase of the night (see :data:`on_phase`)."""
    on_phase(name)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_record(root: Path, record: dict[str, Any], *, durable: bool) -> None:
    """Replace ``root/night.json`` atomically (synced to disk when ``durable``)."""
    tmp = root / f".{NIGHT_RECORD}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        with open_private(tmp, exclusive=True) as fh:
            fh.write((json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8"))
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, root / NIGHT_RECORD)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(root)


def read_record(root: Path) -> dict[str, Any] | None:
    """The night record of the store at ``root``, or None when there is none.

    Raises:
        StoreError: The record exists but cannot be read (its text is not quoted).
    """
    path = root / NIGHT_RECORD
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(
            f"history store {root}: cannot read {NIGHT_RECORD} ({os_reason(exc)})"
        ) from exc
    try:
        record: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"history store {root}: {NIGHT_RECORD} is not valid JSON") from exc
    if record.get("format") != NIGHT_FORMAT:
        raise StoreError(f"history store {root}: {NIGHT_RECORD} has an unknown format")
    return record


def apply_renames(record: dict[str, Any]) -> int:
    """Rename each staged file over its target; one already renamed is skipped.

    Returns:
        The renames done now.
    """
    done = 0
    for tmp, target in record["files"]:
        if target is None:
            continue
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            continue  # renamed before (or by another process rolling forward)
        done += 1
        if done == 1:
            phase("renamed_one")
    return done


def delete_staged(record: dict[str, Any]) -> int:
    """Delete every file the record staged (never a target). Returns how many were there."""
    gone = 0
    for tmp, _target in record["files"]:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp).unlink()
            gone += 1
    return gone


@attrs.frozen
class Recovery:
    """What starting a night found of the previous one.

    Attributes:
        action: ``"none"`` (it completed), ``"rolled_forward"`` (killed after
            its commit point: completed now, nothing to re-run) or
            ``"rolled_back"`` (killed before it: nothing of it was kept).
        as_of: The as-of date of the night rolled back or forward, if recorded.
        kind: What was interrupted: ``"night"`` (``cpflag flag``) or
            ``"prune"`` (retention: ``cpflag prune``).
    """

    action: str = NONE
    as_of: dt.date | None = None
    kind: str = "night"

    def rerun_needed(self, as_of: dt.date | None) -> bool:
        """True when the night rolled back is not the night now run (it must be re-run).

        Args:
            as_of: The as-of date of the night now run.
        """
        if self.kind != "night":
            return self.action == ROLLED_BACK
        return self.action == ROLLED_BACK and (self.as_of is None or self.as_of != as_of)

    def to_dict(self, as_of: dt.date | None) -> dict[str, object]:
        """The run summary's ``recovery`` entry for a night run at ``as_of``."""
        return {
            "previous_night": self.action,
            "previous_kind": self.kind,
            "previous_as_of": self.as_of.isoformat() if self.as_of else None,
            "rerun_needed": self.rerun_needed(as_of),
        }


class NightCommit:
    """The staged files of one night, committed together (see the module doc).

    Created by :meth:`cpflag.history.NightRun.stage` (the night lock held);
    :func:`cpflag.run_flagging` stages the store into it when given one, and
    the caller stages its outputs with :meth:`stage_path` and ends the night
    with :meth:`commit` or :meth:`abort`.

    Attributes:
        root: The history store directory.
        recovery: What starting the night found of the previous one.
        as_of: The night's as-of date (recorded, so that a rolled-back night
            can be named by the next run).
        kind: ``"night"``, or ``"prune"`` for a retention run.
    """

    def __init__(self, root: str | os.PathLike[str], recovery: Recovery | None = None) -> None:
        self.root = Path(root)
        self.recovery = recovery or Recovery()
        self.as_of: dt.date | None = None
        self.kind = "night"
        self._id = uuid.uuid4().hex[:12]
        self._files: list[tuple[str, str | None]] = []
        self._expect: dict[str, str | None] = {}
        self._after: list[Callable[[], None]] = []
        self._state = "open"

    @property
    def staged(self) -> bool:
        """True once a file has been staged."""
        return bool(self._files)

    def _record(self, state: str) -> dict[str, Any]:
        return {
            "format": NIGHT_FORMAT,
            "id": self._id,
            "state": state,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "kind": self.kind,
            "files": [list(f) for f in self._files],
        }

    def _check_open(self) -> None:
        if self._state != "open":
            raise StoreError(f"history store {self.root}: the night is already {self._state}")

    def _add(self, entries: Iterable[tuple[Path, Path | None]]) -> None:
        self._check_open()
        self._files.extend(
            (str(Path(tmp).absolute()), None if t is None else str(Path(t).absolute()))
            for tmp, t in entries
        )
        # Listed before the files exist: a kill after this leaves them known.
        private_dir(self.root)
        write_record(self.root, self._record(STAGING), durable=False)

    def stage_path(self, target: str | os.PathLike[str]) -> Path:
        """A temporary file beside ``target``, renamed over it when the night commits.

        Args:
            target: The file the night writes.

        Returns:
            The path to write instead (``.<name>.night-<id>.tmp``, same folder).
        """
        path = Path(target)
        tmp = path.with_name(f".{path.name}.night-{self._id}.tmp")
        self._add([(tmp, path)])
        return tmp

    def new_file(self, path: str | os.PathLike[str], *, expect: Path | None = None) -> Path:
        """Record a new store file (kept by the commit, deleted by a roll back).

        Args:
            path: The file about to be written (no committed manifest names it).
            expect: A file whose present content the commit requires unchanged
                (the manifest the new file extends).

        Returns:
            ``path``.
        """
        if expect is not None:
            self.expect(expect)
        self._add([(Path(path), None)])
        return Path(path)

    def expect(self, path: Path) -> None:
        """Require ``path`` to be as it is now when the night commits (no other writer)."""
        self._expect.setdefault(str(path.absolute()), _digest(path))

    def reached(self, name: str) -> None:
        """Mark a phase of the night (see :data:`on_phase`)."""
        phase(name)

    def after_commit(self, func: Callable[[], None]) -> None:
        """Run ``func`` once the night is applied (clean-up of old files; errors logged)."""
        self._after.append(func)

    def commit(self) -> None:
        """The commit point, then the renames; the night is whole after this.

        Raises:
            StoreError: Another writer changed the store during the night (the
                night is rolled back), or the record cannot be written (a full
                disk: rolled back too).
        """
        if self._state == "committed":
            return
        self._check_open()
        if not self._files:
            self._state = "committed"
            return
        with writer_lock(self.root):
            changed = [p for p, d in self._expect.items() if _digest(Path(p)) != d]
            if changed:
                self.abort()
                raise StoreError(
                    f"history store {self.root} was changed by another writer during the "
                    "night; nothing of this night was kept (run it again)"
                )
            record = self._record(COMMITTED)
            try:
                write_record(self.root, record, durable=True)
            except OSError:
                self.abort()
                raise
            self._state = "committed"
            phase("committed")
            apply_renames(record)
            phase("applied")
            (self.root / NIGHT_RECORD).unlink(missing_ok=True)
        for func in self._after:
            try:
                func()
            except OSError as exc:  # committed; what is left goes at the next commit
                log.warning("history store %s: old files kept (%s)", self.root, type(exc).__name__)

    def abort(self) -> None:
        """Delete every staged file and the record: the night leaves nothing."""
        if self._state != "open":
            return
        self._state = "aborted"
        delete_staged(self._record(STAGING))
        with contextlib.suppress(OSError):
            (self.root / NIGHT_RECORD).unlink(missing_ok=True)
