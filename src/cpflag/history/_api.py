"""Entry points: resolve a batch (with or without a store) and flag repeats."""

from __future__ import annotations

import logging

import polars as pl

from cpflag._config import FlagConfig
from cpflag._errors import StoreError
from cpflag.contract import Found
from cpflag.history._families import assign_families
from cpflag.history._model import attendance_model
from cpflag.history._prepare import check_batch, prepare_attendances
from cpflag.history._resolve import LINK_COLUMNS, resolve
from cpflag.history._store import HistoryStore
from cpflag.linkage import LinkageModel
from cpflag.rules.repeat import REPEAT_COLUMNS, repeat_flags

__all__ = ["resolve_and_flag_repeats", "resolve_history"]

log = logging.getLogger("cpflag.history")

#: Columns added to a batch by resolution.
RESOLVED_COLUMNS = ("person_id", "family_id", "family_via", *LINK_COLUMNS[1:])


def resolve_history(
    attendances: pl.DataFrame,
    *,
    config: FlagConfig | None = None,
    model: LinkageModel | None = None,
    prepared: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Resolve a table of attendances (e.g. a year's backfill) into persons and families.

    Args:
        attendances: Validated attendances (contract columns).
        config: Run configuration (``adult_age``); defaults when omitted.
        model: Resolution model; :func:`attendance_model` when omitted.
        prepared: The attendances through ``prepare_people`` already (same rows).

    Returns:
        The prepared history rows in the input's row order, with ``person_id``,
        ``family_id``, ``family_via`` and the link evidence (``link_to``,
        ``link_weight``, ``link_rule``, ``link_reasons``).

    Raises:
        InputError: No attendance id or arrival time column, a null one, or an
            attendance id twice (``DuplicateIdError``).
    """
    config = config or FlagConfig()
    check_batch(attendances)
    new = prepare_attendances(attendances, adult_age=config.adult_age, prepared=prepared)
    res = resolve(new, None, model or attendance_model())
    fam = assign_families(res.rows)
    rows = res.rows.join(fam, on="person_id", how="left")
    return attendances.select("attendance_id").join(
        rows, on="attendance_id", how="left", maintain_order="left"
    )


def _relevant(history: pl.DataFrame, batch_rows: pl.DataFrame) -> pl.DataFrame:
    """The stored rows the batch's counts can depend on: its persons' and families'."""
    persons = batch_rows["person_id"].drop_nulls().unique().implode()
    families = batch_rows["family_id"].drop_nulls().unique().implode()
    return history.filter(
        pl.col("person_id").is_in(persons) | pl.col("family_id").is_in(families).fill_null(False)
    )


def _recount_later(history: pl.DataFrame, ids: pl.Series, config: FlagConfig) -> pl.DataFrame:
    """Flags a night loaded out of order raises on stored, later attendances.

    A stored attendance after the batch's earliest arrival was counted without
    the batch; the flags its count now reaches (or a band it now rises to) are
    raised, ``found`` = ``lookback``, after the batch's own.
    """
    in_batch = pl.col("attendance_id").is_in(ids.implode())
    first = history.filter(in_batch)["arrival_time"].min()
    if first is None:
        return repeat_flags(history.head(0), config, [])
    later = history.filter(~in_batch & (pl.col("arrival_time") > first))["attendance_id"]
    if later.len() == 0:
        return repeat_flags(history.head(0), config, [])
    now = repeat_flags(history, config, later)
    before = repeat_flags(history.filter(~in_batch), config, later)
    fresh = now.join(
        before.select("attendance_id", "band"), on=["attendance_id", "band"], how="anti"
    )
    if fresh.height:
        log.info("repeat attendance: %d flags on later nights recounted", fresh.height)
    return fresh.with_columns(pl.lit(Found.LOOKBACK.value).alias("found"))


def resolve_and_flag_repeats(
    batch: pl.DataFrame,
    *,
    store: HistoryStore | None = None,
    config: FlagConfig | None = None,
    model: LinkageModel | None = None,
    prepared: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve a batch into persons and raise its ``repeat_attendance`` flags.

    With a store, the batch is appended to it (resolved against the stored
    persons, committed atomically; ids already stored are left as they are) and
    the flags look back over the stored history. Without one, the batch is its
    own history: a year's backfill in one table is resolved and flagged at once.

    Args:
        batch: Validated attendances (contract columns).
        store: The history store, or None.
        config: Rule settings and ``adult_age``; defaults when omitted.
        model: Resolution model for the no-store case (a store has its own).
        prepared: The batch through ``prepare_people`` already (same rows), to
            save normalising it twice.

    Returns:
        ``(flags, resolved)``: the ``repeat_attendance`` rows of the flags table
        for the batch's attendances (batch order) -- then, with a store, the
        flags a night loaded out of order raises on later stored attendances
        (``found`` = ``lookback``) -- and the batch (its own
        columns) with ``person_id``, ``family_id``, ``family_via`` and the link
        evidence.

    Raises:
        InputError: No attendance id or arrival time column, a null one, or an
            attendance id twice (``DuplicateIdError``).
        StoreError: The store cannot be used; or ``model`` is given with a store
            whose model differs.
    """
    config = config or FlagConfig()
    ids = batch["attendance_id"]
    if store is None:
        rows = resolve_history(batch, config=config, model=model, prepared=prepared)
        flags = repeat_flags(rows.select(REPEAT_COLUMNS), config, ids)
        res_cols = rows.select("attendance_id", *RESOLVED_COLUMNS)
    else:
        if model is not None and model != store.model:
            raise StoreError("the store has its own resolution model; do not pass another")
        appended = store.append(batch, config=config, prepared=prepared)
        history = _relevant(store.frame(list(REPEAT_COLUMNS)), appended.rows)
        flags = repeat_flags(history, config, ids)
        recounted = _recount_later(history, ids, config)
        if recounted.height:
            flags = pl.concat([flags, recounted.cast(flags.schema)])
        res_cols = appended.rows.select("attendance_id", *RESOLVED_COLUMNS)
    resolved = batch.drop([c for c in RESOLVED_COLUMNS if c in batch.columns]).join(
        res_cols, on="attendance_id", how="left", maintain_order="left"
    )
    log.info("repeat attendance: %d flags for %d attendances", flags.height, batch.height)
    return flags, resolved
