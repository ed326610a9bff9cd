"""The batch entry points: ``flag`` and ``run_flagging``, and ``build_index``."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from pathlib import Path

import attrs
import polars as pl

from cpflag import io, loop
from cpflag._config import FlagConfig
from cpflag._errors import ConfigError
from cpflag.contract import FlagKind, Found
from cpflag.decide import order_flags
from cpflag.engine._batch import DEFAULT_CHUNK_SIZE
from cpflag.engine._cache import cache_key, load_index, save_index
from cpflag.engine._carry import carried_flags
from cpflag.engine._index import PlanIndex
from cpflag.history import HistoryStore, NightCommit, night_guard, resolve_and_flag_repeats
from cpflag.normalise import normalise_nhs_number
from cpflag.report._summary import RunSummary, flag_counts, list_infos

__all__ = ["FlagRun", "build_index", "flag", "run_flagging"]

log = logging.getLogger("cpflag")

#: A table argument: a CSV or Parquet file, a folder of Parquet files, a polars
#: DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table (all read by
#: ``cpflag.io``), or a table already read.
Source = io.TableSource | io.ReadResult

_NHS_REASONS = {
    "malformed": "nhs_number malformed (not 10 digits); treated as absent",
    "bad_check_digit": "nhs_number fails Modulus 11; treated as absent",
}


@attrs.frozen
class FlagRun:
    """The result of a flagging run.

    Attributes:
        flags: The contract's ``flags`` table.
        rejects: Every rejected row and ignored value, with its reason.
        summary: Lists used and their age, counts, timing.
        notifications: With ``close_loop``: the rows first notified on this
            run (contract ``notifications``); None otherwise.
        loaded_las: The LAs whose list was loaded (with ``close_loop``, each
            one is sent a notifications file, empty or not).
    """

    flags: pl.DataFrame
    rejects: pl.DataFrame
    summary: RunSummary
    notifications: pl.DataFrame | None = None
    loaded_las: tuple[str, ...] = ()

    def notifications_by_la(self) -> dict[str, pl.DataFrame]:
        """The run's notifications, one frame per loaded LA (empty frames included).

        Returns:
            ``{la_code: frame}``; empty when the run did not close the loop.
        """
        if self.notifications is None:
            return {}
        return {la: self.notifications.filter(pl.col("la_code") == la) for la in self.loaded_las}


def _read_att(source: Source) -> io.ReadResult:
    return source if isinstance(source, io.ReadResult) else io.read_attendances(source)


def _read_plans(source: Source, manifest: io.TableSource | None) -> io.ReadResult:
    if isinstance(source, io.ReadResult):
        return source
    return io.read_plans(source, manifest=manifest)


def _nhs_rejects(res: io.ReadResult, id_column: str, column: str = "nhs_number") -> pl.DataFrame:
    """Rejects (value ignored) for NHS numbers that are present but invalid."""
    status = normalise_nhs_number(res.table[column])["nhs_status"]
    bad = res.table.select("_row", id_column).with_columns(status.alias("status"))
    bad = bad.filter(pl.col("status").is_in(list(_NHS_REASONS)))
    return bad.select(
        pl.lit(res.source).alias("source"),
        pl.col("_row").cast(pl.UInt32).alias("row_number"),
        pl.col(id_column).alias("record_id"),
        pl.lit(column).alias("column"),
        pl.col("status").replace_strict(_NHS_REASONS, return_dtype=pl.String).alias("reason"),
        pl.lit("value_ignored").alias("action"),
    )


def _file(source: object) -> Path | None:
    """The path of a table given as one file (not a folder, not a frame)."""
    if isinstance(source, str | os.PathLike) and Path(source).is_file():
        return Path(source)
    return None


def _index_for(
    plans: Source,
    manifest: io.TableSource | None,
    config: FlagConfig | None,
    cache: str | Path | None,
) -> tuple[PlanIndex, pl.DataFrame]:
    """The plan index and the plans' rejects: from the cache when it is current."""
    config = config or FlagConfig()
    plans_path = _file(plans)
    manifest_path = _file(manifest)
    files = plans_path is not None and (manifest is None or manifest_path is not None)
    key = None
    if cache is not None and plans_path is not None and files:
        key = cache_key(plans_path, manifest_path, config)
        cached = load_index(Path(cache), key, config)
        if cached is not None:
            return cached[0], cached[1]
    elif cache is not None:
        log.info(
            "index cache: used for plan and manifest files only (not folders or frames); "
            "building in memory"
        )
    pres = _read_plans(plans, manifest)
    parts = [pres.rejects, _nhs_rejects(pres, "plan_id")]
    plan_rejects = pl.concat([r.cast(parts[0].schema) for r in parts])
    index = PlanIndex.build(pres.table, config=config)
    if key is not None and cache is not None:
        save_index(Path(cache), key, index, plan_rejects, pres.source)
    return index, plan_rejects


def build_index(
    plans: Source,
    manifest: io.TableSource | None = None,
    config: FlagConfig | None = None,
    *,
    warm: bool = True,
    freeze_gc: bool = True,
    history: HistoryStore | str | Path | None = None,
) -> PlanIndex:
    """Read and validate the plan lists and build a :class:`PlanIndex`.

    The index is built to be matched against many times, so the triage path
    (``match_one``) is compiled here too (:meth:`PlanIndex.warm`) unless
    ``warm`` is false: the first ``match_one`` then answers in milliseconds,
    not seconds. A batch-only caller (``run_flagging`` with the plan files)
    never needs it.

    Args:
        plans: Plans table: a CSV or Parquet file, a folder of Parquet files, a
            polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table,
            or a ``ReadResult``.
        manifest: Per-LA list dates (``la_code,list_date``), when not in the plans.
        config: Run configuration.
        warm: Compile the triage path now.
        freeze_gc: With ``warm``, then move the objects alive in the process
            out of the garbage collector's way (``PlanIndex.warm``): no
            collector pauses at triage. False leaves the collector alone.
        history: A history store whose review outcomes the index applies:
            a pair a person rejected is never raised, a confirmed one is
            shown as a known link (``PlanIndex.with_outcomes``), as the
            nightly batch reads them.

    Raises:
        InputError: The plans cannot be used (see ``cpflag.io``).
        StoreError: No history store at ``history``.
    """
    index = PlanIndex.build(_read_plans(plans, manifest).table, config=config)
    if history is not None:
        index = index.with_outcomes(loop.outcomes_in_force(history))
    return index.warm(freeze_gc=freeze_gc) if warm else index


def run_flagging(
    attendances: Source,
    plans: Source | PlanIndex,
    manifest: io.TableSource | None = None,
    config: FlagConfig | None = None,
    *,
    history: HistoryStore | str | Path | None = None,
    index_cache: str | Path | None = None,
    close_loop: bool = False,
    outcomes: io.TableSource | None = None,
    lookback_days: int = loop.DEFAULT_LOOKBACK_DAYS,
    run_date: dt.date | None = None,
    as_of: dt.date | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    night: NightCommit | None = None,
) -> FlagRun:
    """Flag a batch of attendances against the plan lists, with a run summary.

    With a history store, the night's changes to it (the appended rows, the
    loop tables) are one unit: staged, then committed together, so a run
    killed at any point leaves the store as it was or with the whole night
    (the next run settles it: ``cpflag.history.recover_night``). Called alone,
    the function takes the store's night lock and commits before it returns.
    A caller that writes outputs too (the ``cpflag flag`` command) passes
    ``night`` (from :meth:`cpflag.history.NightRun.stage`), stages its files
    into it and commits it itself: store and outputs then change together.

    Args:
        attendances: Attendances: a table as for ``plans`` in :func:`build_index`.
        plans: Plans (as for :func:`build_index`) or a prebuilt :class:`PlanIndex`.
        manifest: Per-LA list dates, when not in the plans.
        config: Run configuration (ignored when ``plans`` is a PlanIndex, which has its own).
        history: The attendance history store (a directory, created when new):
            the batch is appended to it and repeat attendance is counted over
            past nights. Without one, the batch is its own history (a year's
            backfill in one file is resolved and flagged in one call).
        index_cache: A folder for the prepared plan index. When the plan and
            manifest files (paths), the configuration and the cpflag version are
            those of the cached index, it is loaded instead of built; otherwise
            it is built and stored there. The folder holds the prepared lists:
            keep it where the lists are kept.
        close_loop: Close the loop in the history store (required): version
            the lists, drop pairs a person rejected, re-check the last
            ``lookback_days`` of history against new plans (``found =
            lookback``), and return the notifications first due on this run
            (see ``cpflag.loop``).
        outcomes: Review outcomes to take in first (contract section 5).
        lookback_days: Days of history re-checked when a plan is new.
        run_date: The run's date (``first_notified_on``); default ``as_of``.
        as_of: The date list ages are measured at (default: today, the run
            date; for data dated after today, their latest arrival near the
            median, see ``cpflag.io.default_as_of``). Attendances arriving after
            it are rejected, with a reason: one mistyped arrival (2031) never
            moves the as-of date.
        chunk_size: Attendances matched at once (peak memory follows the
            chunk, not the batch; the flags do not depend on it). Repeat
            attendance is counted over the whole batch.
        night: Stage the store's changes into this night and leave the
            commit to the caller (who holds its night lock); default: the
            night is staged and committed here.

    Returns:
        Flags, rejects, the run summary and (with ``close_loop``) the notifications.

    Raises:
        ConfigError: ``close_loop`` without a history store.
        InputError: An input cannot be used (missing column, duplicate id, ...).
        StoreError: The history store cannot be used, or another run holds it.
    """
    if close_loop and history is None:
        raise ConfigError("closing the loop (notifications, look-back) needs a history store")
    decided = loop.read_outcomes(outcomes) if outcomes is not None else None
    t0 = time.perf_counter()
    read = _read_att(attendances)
    as_of = as_of or io.default_as_of(read.table)
    att = io.reject_arrivals_after(read, as_of)
    rejects = [att.rejects, _nhs_rejects(att, "attendance_id")]
    if isinstance(plans, PlanIndex):
        index = plans
    else:
        index, plan_rejects = _index_for(plans, manifest, config, index_cache)
        rejects.append(plan_rejects)
    cfg = index.config
    # Normalised once, for matching and for repeat attendance.
    prepared = index.prepare(att.table)
    matched = index.run(att.table, prepared=prepared, chunk_size=chunk_size)
    flags = matched.flags
    night_run = None
    with contextlib.ExitStack() as stack:
        store = None
        if FlagKind.REPEAT in cfg.flags or close_loop:
            if night is None and history is not None:
                root = history if isinstance(history, str | Path) else history.path
                night = stack.enter_context(night_guard(root))  # committed on exit
            store = HistoryStore.open(history) if isinstance(history, str | Path) else history
            if store is not None:
                if store is not history:
                    stack.callback(store.close)  # opened here: its snapshot is released
                if night is not None:
                    night.as_of = as_of
                    night_run = night
                    store.stage(night)
                    stack.callback(store.stage, None)
        if FlagKind.REPEAT in cfg.flags:
            repeats, resolved = resolve_and_flag_repeats(
                att.table, store=store, config=cfg, prepared=prepared
            )
            if store is not None:
                # A family link found at the old address, carried to the same
                # person's attendance from the new one (rules._carried).
                carried = carried_flags(index, store, resolved, att.table, flags)
                flags = pl.concat([flags, carried]) if carried.height else flags
            flags = pl.concat([flags, repeats.cast(flags.schema)]) if repeats.height else flags
        # Recounts of later nights (an out-of-order night) go after the batch's own.
        lookback = pl.col("found") == Found.LOOKBACK.value
        flags = pl.concat(
            [
                order_flags(flags.filter(~lookback), att.table["attendance_id"].to_list()),
                flags.filter(lookback),
            ]
        )
        if close_loop and store is not None:
            if FlagKind.REPEAT not in cfg.flags:
                store.append(att.table, config=cfg, prepared=prepared)
            night_result = loop.close_night(
                store,
                flags,
                att.table,
                index,
                run_date or as_of,
                outcomes=decided,
                lookback_days=lookback_days,
                expected_las=cfg.expected_la_codes,
                night=night_run,
            )
            flags = night_result.flags
        else:
            night_result = None
    all_rejects = pl.concat(
        [r.cast(rejects[0].schema) for r in rejects if r.height] or [rejects[0]]
    )
    loaded = list_infos(index.plans, as_of, cfg.stale_after_days)
    missing = tuple(sorted(set(cfg.expected_la_codes) - {li.la_code for li in loaded}))
    summary = RunSummary(
        as_of=as_of,
        lists=loaded,
        missing_las=missing,
        attendances=att.table.height,
        rejects={
            f"{r}": n for r, n in all_rejects.group_by("reason").len().sort("reason").iter_rows()
        },
        flags=flag_counts(flags),
        candidate_pairs=matched.candidate_pairs,
        model=cfg.model.name,
        seconds=time.perf_counter() - t0,
        stale_after_days=cfg.stale_after_days,
        loop=night_result.to_dict() if night_result is not None else None,
        loop_lines=loop.loop_lines(night_result) if night_result is not None else (),
        recovery=night_run.recovery.to_dict(as_of) if night_run is not None else None,
    )
    log.info("flagged %d attendances: %d flags", att.table.height, flags.height)
    return FlagRun(
        flags=flags,
        rejects=all_rejects,
        summary=summary,
        notifications=night_result.notifications if night_result is not None else None,
        loaded_las=night_result.loaded_las if night_result is not None else (),
    )


def flag(
    attendances: Source,
    plans: Source | PlanIndex,
    manifest: io.TableSource | None = None,
    config: FlagConfig | None = None,
    *,
    history: HistoryStore | str | Path | None = None,
    as_of: dt.date | None = None,
) -> pl.DataFrame:
    """Flag a batch of attendances: the contract's ``flags`` table.

    See :func:`run_flagging` for the arguments; this returns only the flags.
    The result is a polars DataFrame whichever kind of table went in;
    ``cpflag.flag(...).to_pandas()`` gives a pandas one (with the ``pandas``
    extra installed).
    """
    return run_flagging(attendances, plans, manifest, config, history=history, as_of=as_of).flags
