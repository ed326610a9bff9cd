"""The history store: an embedded, append-only Parquet dataset with a manifest.

```
store/
  manifest.json            the commit point: format, version, parts, persons file, model
  model.json               the resolution model (written when the store is created)
  parts/part-000001.parquet  the prepared rows added by each append (immutable)
  persons-000001.parquet   attendance_id -> person_id, family_id, family_via
                           (rewritten by each append, rows in part order)
```

Its promises (atomic appends, idempotent, extended not re-clustered,
owner-only files, errors) are set out in ``docs/repeat-attendance.md`` section 4.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import polars as pl

from cpflag._config import FlagConfig
from cpflag._errors import StoreError
from cpflag.history._corrections import COMPARED_COLUMNS, AppendResult, changed_ids
from cpflag.history._families import assign_families
from cpflag.history._files import (
    PERSON_COLUMNS,
    read_frame,
    read_records,
    write_json,
    write_version,
)
from cpflag.history._guard import (
    ReaderSnapshot,
    collect_garbage,
    create_atomically,
    is_half_created,
    remove_half_created,
    writer_lock,
)
from cpflag.history._journal import NightCommit
from cpflag.history._model import attendance_model
from cpflag.history._night import roll_forward
from cpflag.history._prepare import (
    HISTORY_COLUMNS,
    check_batch,
    prepare_attendances,
)
from cpflag.history._resolve import LINK_COLUMNS, resolution_columns, resolve
from cpflag.io._write import atomic_file, os_reason
from cpflag.linkage import LinkageModel

__all__ = ["FORMAT", "AppendResult", "HistoryStore"]

log = logging.getLogger("cpflag.history")

FORMAT: Final = "cpflag-history/1"
MAX_PARTS: Final = 64
#: Stored columns families are built from.
_FAMILY_INPUTS: Final = ("is_child", "household_key", "mother_nhs", "carer_key")
#: Columns of ``AppendResult.rows``.
_BATCH_COLUMNS: Final = ("attendance_id", *PERSON_COLUMNS, *LINK_COLUMNS[1:])
#: Columns of the immutable parts: prepared rows plus link evidence (not person ids).
PART_COLUMNS: Final = (*HISTORY_COLUMNS, *(c for c in LINK_COLUMNS if c != "person_id"))


@attrs.define
class HistoryStore:
    """An attendance history on disk (see the module doc for the layout).

    Open with :meth:`open`; read with :meth:`frame`; extend with :meth:`append`.

    Attributes:
        path: The store directory.
        model: The resolution model the store was created with.
    """

    path: Path
    model: LinkageModel
    _manifest: dict[str, Any]
    _reader: ReaderSnapshot | None = attrs.field(default=None, eq=False, repr=False)
    _night: NightCommit | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._reader = ReaderSnapshot(self.path)
        while True:  # registered before a commit's clean-up could remove the files
            version = self.version
            self._hold()
            self._reload()
            if self.version == version:
                break

    def _hold(self) -> None:
        """Register the files of the version this store object reads (its snapshot)."""
        files = [*self._manifest["parts"], self._manifest["model"]]
        if self._manifest["persons"]:
            files.append(self._manifest["persons"])
        assert self._reader is not None
        self._reader.hold(files)

    def stage(self, night: NightCommit | None) -> None:
        """Stage this object's appends into ``night`` (None: commit each again).

        An append then writes its files under names no reader looks at; this
        object reads the staged version, and the store switches to it when
        ``night`` commits (``cpflag.history._journal``).
        """
        self._night = night

    def refresh(self) -> None:
        """Move this reader's snapshot to the latest committed version."""
        self._reload()
        self._hold()

    def close(self) -> None:
        """Release the snapshot: clean-up may then remove the files it read."""
        if self._reader is not None:
            self._reader.release()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @classmethod
    def open(
        cls, path: str | Path, *, create: bool = True, model: LinkageModel | None = None
    ) -> HistoryStore:
        """Open a store, creating an empty one when ``create`` and it does not exist.

        Args:
            path: The store directory.
            create: Create the store when there is none.
            model: The resolution model of a new store (default
                :func:`attendance_model`). An existing store keeps its own model;
                passing a different one is an error.

        Raises:
            StoreError: No store at ``path`` (and ``create`` is False), the
                manifest is unreadable or of another format, ``model``
                differs from the store's, or a new store cannot be created
                (its folders and files are created owner-only: 0700, 0600).
        """
        root = Path(path)
        mpath = root / "manifest.json"
        roll_forward(root)  # a night killed after its commit point is completed first
        if not mpath.exists():
            if not create:
                raise StoreError(f"no history store at {root} (manifest.json missing)")
            if root.exists() and any(root.iterdir()):
                if not is_half_created(root):
                    raise StoreError(f"{root} exists, is not empty and is not a history store")
                remove_half_created(root)
            m = model or attendance_model()
            manifest = {
                "format": FORMAT,
                "version": 0,
                "parts": [],
                "persons": None,
                "attendances": 0,
                "model": "model.json",
            }

            def build(folder: Path) -> None:
                (folder / "parts").mkdir(mode=0o700)
                with atomic_file(folder / "model.json") as fh:
                    fh.write((m.to_json() + "\n").encode("utf-8"))
                write_json(folder / "manifest.json", manifest)

            try:
                created = create_atomically(root, build)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the history store at {root} ({os_reason(exc)})"
                ) from exc
            if created:
                return cls(root, m, manifest)
            # Another process created it first: open theirs.
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"cannot read the manifest of history store {root}: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise StoreError(
                f"history store {root} has format {manifest.get('format')!r}; expected {FORMAT!r}"
            )
        stored = LinkageModel.from_json(root / manifest["model"])
        if model is not None and model != stored:
            raise StoreError(
                f"history store {root} was built with another resolution model; "
                "open it without a model, or start a new store"
            )
        return cls(root, stored, manifest)

    @property
    def version(self) -> int:
        """Number of committed appends (0 for an empty store)."""
        return int(self._manifest["version"])

    @property
    def n_attendances(self) -> int:
        """Attendances stored."""
        return int(self._manifest["attendances"])

    def frame(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """The stored history: one row per attendance, in storage order.

        Args:
            columns: Columns to read (default all: the prepared rows, the link
                evidence, ``person_id``, ``family_id`` and ``family_via``).

        Raises:
            StoreError: The store's files are missing or inconsistent.
        """
        wanted = list(columns) if columns is not None else [*PART_COLUMNS, *PERSON_COLUMNS]
        return read_frame(self.path, self._manifest, wanted, PART_COLUMNS)

    def records(self, ids: pl.Series, columns: Sequence[str]) -> pl.DataFrame:
        """Stored part ``columns`` of the attendances with these ids (a filtered scan)."""
        return read_records(self.path, self._manifest, ids, list(columns))

    def append(
        self,
        batch: pl.DataFrame,
        *,
        config: FlagConfig | None = None,
        prepared: pl.DataFrame | None = None,
    ) -> AppendResult:
        """Add a night's attendances: resolve them into persons, then commit atomically.

        Args:
            batch: Validated attendances (contract columns; see ``cpflag.io``).
            config: Run configuration (``adult_age``); defaults when omitted.
            prepared: The batch through ``prepare_people`` already (same rows).

        Returns:
            What was added, with the batch's person and family ids.

        Raises:
            InputError: The batch has no attendance id or arrival time column, a
                null one, or an attendance id twice (``DuplicateIdError``).
            StoreError: The store cannot be read, its lock file cannot be
                opened, or it is locked by another append.
            OSError: A new file cannot be written (a full disk); the store is
                left unchanged.
        """
        t0 = time.perf_counter()
        config = config or FlagConfig()
        check_batch(batch)
        with writer_lock(self.path):
            if self._night is None:
                self._reload()
            needed = [*resolution_columns(self.model), "person_id", *_FAMILY_INPUTS]
            history = self.frame(list(dict.fromkeys(needed)))
            is_fresh = ~batch["attendance_id"].is_in(history["attendance_id"].implode())
            replaced = self._corrections(batch.filter(~is_fresh), config)
            if replaced.len():
                history = history.filter(~pl.col("attendance_id").is_in(replaced.implode()))
                is_fresh = is_fresh | batch["attendance_id"].is_in(replaced.implode())
            fresh = batch.filter(is_fresh)
            fresh_prepared = None if prepared is None else prepared.filter(is_fresh)
            if fresh.height == 0:
                rows = self._batch_rows(batch)
                return AppendResult(
                    rows, 0, batch.height, 0, 0, self.version, time.perf_counter() - t0
                )
            new = prepare_attendances(fresh, adult_age=config.adult_age, prepared=fresh_prepared)
            res = resolve(new, history if history.height else None, self.model)
            person = history["person_id"]
            if res.merged.height:
                person = person.replace(res.merged["old_person_id"], res.merged["person_id"])
            persons = pl.concat(
                [
                    history.select(person.alias("person_id"), *_FAMILY_INPUTS),
                    res.rows.select("person_id", *_FAMILY_INPUTS),
                ]
            )
            fam = assign_families(persons)
            mapping = (
                pl.concat([history.select("attendance_id"), res.rows.select("attendance_id")])
                .with_columns(persons["person_id"])
                .join(fam, on="person_id", how="left", maintain_order="left")
            )
            self._commit(res.rows.select(PART_COLUMNS), mapping.select(PERSON_COLUMNS), replaced)
        skipped = batch.height - fresh.height
        if replaced.len():
            log.warning(
                "history store %s: %d stored attendances replaced by a corrected resend",
                self.path,
                replaced.len(),
            )
        if skipped:
            rows = self._batch_rows(batch)
        else:
            # Every row is new: no need to read the store back.
            rows = (
                batch.select("attendance_id")
                .join(
                    mapping.tail(fresh.height).join(
                        res.rows.select("attendance_id", *LINK_COLUMNS[1:]), on="attendance_id"
                    ),
                    on="attendance_id",
                    how="left",
                    maintain_order="left",
                )
                .select(_BATCH_COLUMNS)
            )
        log.info(
            "history store %s: %d attendances added, %d already stored, version %d",
            *(self.path, fresh.height, skipped, self.version),
        )
        return AppendResult(
            rows=rows,
            added=fresh.height,
            skipped=skipped,
            merged_persons=res.merged.height,
            candidate_pairs=res.candidate_pairs,
            version=self.version,
            seconds=time.perf_counter() - t0,
            replaced=replaced.len(),
        )

    def _reload(self) -> None:
        try:
            text = (self.path / "manifest.json").read_text(encoding="utf-8")
            self._manifest = json.loads(text)
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"cannot read the manifest of history store {self.path} ({type(exc).__name__})"
            ) from exc

    def _batch_rows(self, batch: pl.DataFrame) -> pl.DataFrame:
        stored = self.frame(_BATCH_COLUMNS)
        return batch.select("attendance_id").join(
            stored, on="attendance_id", how="left", maintain_order="left"
        )

    def _corrections(self, seen: pl.DataFrame, config: FlagConfig) -> pl.Series:
        """Ids of ``seen`` (stored ids) whose values differ from the stored rows."""
        if seen.height == 0:
            return pl.Series("attendance_id", [], pl.String)
        stored = self.frame(list(COMPARED_COLUMNS))
        resent = prepare_attendances(seen, adult_age=config.adult_age)
        return changed_ids(stored, resent)

    def _commit(self, part: pl.DataFrame, persons: pl.DataFrame, drop: pl.Series) -> None:
        """Write the new files, then switch the manifest to them (the atomic step)."""
        rewrite = drop.len() or len(self._manifest["parts"]) >= MAX_PARTS
        old = self.frame(PART_COLUMNS) if rewrite else None
        manifest = write_version(self.path, self._manifest, part, persons, drop, old, self._night)
        self._manifest = manifest
        self._hold()
        if self._night is not None:
            self._night.after_commit(lambda: collect_garbage(self.path, manifest))
            return
        try:
            collect_garbage(self.path, self._manifest)
        except OSError as exc:  # committed; what is left goes at the next append
            log.warning("history store %s: old files kept (%s)", self.path, type(exc).__name__)

    def remove(self, ids: pl.Series) -> int:
        """Remove stored attendances (retention): parts and persons rewritten without them.

        Persons and families of the rows kept are left as they are (never
        re-clustered). Staged like an append when the store is staged.

        Args:
            ids: ``attendance_id`` values to remove (unknown ones are ignored).

        Returns:
            The number of stored rows removed.

        Raises:
            StoreError: The store cannot be read or is locked by another append.
            OSError: A new file cannot be written; the store is left unchanged.
        """
        with writer_lock(self.path):
            if self._night is None:
                self._reload()
            stored = self.frame(["attendance_id", *PERSON_COLUMNS])
            gone = stored["attendance_id"].is_in(ids.implode())
            n = int(gone.sum())
            if n:
                drop = stored.filter(gone)["attendance_id"]
                empty = self.frame(PART_COLUMNS).head(0)
                self._commit(empty, stored.filter(~gone).select(PERSON_COLUMNS), drop)
        return n
