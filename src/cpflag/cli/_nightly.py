"""The nightly commands: ``validate`` and ``flag``."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cpflag.cli._common import (
    clean_errors,
    expected_opt,
    main,
    mapping_file,
    model_opt,
    night_started,
    no_rows_warning,
    output_paths,
    path_in,
    relation_files,
    relation_model_opt,
    run_config,
    stage,
    stale_opt,
    unreadable_opt,
    warn,
    write_outputs,
)
from cpflag.cli._configfile import config_options, config_text
from cpflag.cli._progress import step

if TYPE_CHECKING:
    from cpflag import FlagConfig, FlagRun
    from cpflag.history import NightCommit


@main.command()
@click.option("--attendances", type=path_in, help="Attendances table (CSV or Parquet).")
@click.option("--plans", type=path_in, help="Plans table (CSV or Parquet).")
@click.option("--manifest", type=path_in, help="Per-LA list dates (la_code,list_date).")
@click.option("--mapping", help="Column mapping: 'ecds' or a TOML file.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every rejected row / ignored value, with its reason, here.",
)
@unreadable_opt
@clean_errors
def validate(
    attendances: Path | None,
    plans: Path | None,
    manifest: Path | None,
    mapping: str | None,
    rejects: Path | None,
    unreadable_limit: float,
) -> None:
    """Read and validate input tables; report rows that cannot be used.

    Every file is read even when another cannot be used: the error lists the
    problems of each file, grouped by file.
    """
    import polars as pl

    from cpflag import io

    if attendances is None and plans is None and manifest is None:
        raise click.UsageError("give at least one of --attendances, --plans, --manifest")
    io.check_output_paths(
        {"--rejects": (rejects, "table")},
        inputs={
            "--attendances": attendances,
            "--plans": plans,
            "--manifest": manifest,
            "--mapping": mapping_file(mapping),
        },
    )
    inputs = io.read_inputs(
        attendances=attendances,
        plans=plans,
        manifest=manifest,
        mapping=mapping,
        unreadable_limit=unreadable_limit,
    )
    found = []
    for what, res, path in (
        ("attendance", inputs.attendances, attendances),
        ("plan", inputs.plans, plans),
    ):
        if res is None or path is None:
            continue
        found.append(res.rejects)
        click.echo(f"{what}s: {res.table.height} rows usable, {res.rejects.height} issues")
        if res.table.height == 0:
            warn(no_rows_warning(what, path))
    if inputs.manifest is not None:
        click.echo(f"manifest: {inputs.manifest.height} local authorities")
    if rejects is not None and found:
        io.write_table(pl.concat(found), rejects)
        click.echo(f"issues written to {rejects}")


@main.command("flag")
@click.option("--attendances", type=path_in, required=True, help="Attendances (CSV/Parquet).")
@click.option("--plans", type=path_in, required=True, help="Plans (CSV/Parquet).")
@click.option("--manifest", type=path_in, help="Per-LA list dates (la_code,list_date).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Flags table to write: .csv or .parquet.",
)
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), help="Rejects table.")
@click.option(
    "--summary", type=click.Path(dir_okay=False, path_type=Path), help="Run summary JSON."
)
@click.option(
    "--history",
    type=click.Path(file_okay=False, path_type=Path),
    help="Attendance history store (a folder; created if new) for repeat attendance.",
)
@click.option(
    "--index-cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the prepared plan index, reused while the lists and settings "
    "are unchanged (it holds the lists: keep it where they are kept).",
)
@click.option(
    "--notifications",
    type=click.Path(file_okay=False, path_type=Path),
    help="Close the loop (needs --history): write the notifications first due tonight, "
    "one <la_code>.csv per LA whose list was loaded, into this folder.",
)
@click.option(
    "--outcomes",
    type=path_in,
    help="Review outcomes to take in first (attendance_id, plan_id, flag, outcome, decided_on).",
)
@click.option(
    "--fhir",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the night's flags as HL7 FHIR R4 Flag resources (NDJSON; "
    "needs the 'fhir' extra).",
)
@click.option(
    "--lookback-days",
    type=click.IntRange(min=0),
    default=90,
    show_default=True,
    help="With --notifications: days of history re-checked against plans new to a list.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]),
    help="The date list ages are measured at (default: today); later arrivals are rejected.",
)
@unreadable_opt
@model_opt
@relation_model_opt
@stale_opt
@expected_opt
@config_options
@clean_errors
def flag_command(
    attendances: Path,
    plans: Path,
    manifest: Path | None,
    out: Path,
    rejects: Path | None,
    summary: Path | None,
    history: Path | None,
    index_cache: Path | None,
    notifications: Path | None,
    outcomes: Path | None,
    fhir: Path | None,
    lookback_days: int,
    model: Path | None,
    relation_model: tuple[str, ...],
    stale_after_days: int,
    expected_la: tuple[str, ...],
    as_of: dt.datetime | None,
    unreadable_limit: float,
    print_config: bool,
) -> None:
    """Flag a night's attendances against the LA lists (the nightly batch job).

    Writes the flags table to --out, the rejects beside it (<out>.rejects.csv)
    and the run summary (<out>.summary.json), and prints the summary. Output
    paths are checked before anything is read (none may be an input or another
    output); every input's problems are reported together.

    Every option can come from a TOML file (--config nightly.toml, keys as the
    option names: attendances = "in/att.csv", expected-la = ["E1", "E2"]);
    the command line overrides it; --print-config shows what is in force.

    With --history and --notifications the run closes the loop: the lists are
    versioned, pairs a person rejected are not raised again, the history of
    the last --lookback-days is re-checked against new plans (found =
    lookback), and each loaded LA's notifications go to <folder>/<la_code>.csv
    (rows never sent before; a re-run of the night writes the same rows).

    With --history the night is one unit: the store's changes and every
    output are staged and committed together, so a run killed at any point
    leaves the previous night or the whole new one; the next run settles an
    interrupted night first and its summary says whether a re-run is needed.
    """
    if print_config:
        click.echo(config_text(click.get_current_context()), nl=False)
        return
    from cpflag import io

    t0 = time.perf_counter()
    kinds: tuple[io.OutputKind, ...] = ("table", "table", "json")
    outputs: dict[str, tuple[Path | None, io.OutputKind]] = {
        option: (path, kind)
        for (option, path), kind in zip(
            output_paths(out, rejects, summary).items(), kinds, strict=True
        )
    }
    outputs["--fhir"] = (fhir, "file")
    outputs["--history"] = (history, "store")
    outputs["--index-cache"] = (index_cache, "cache")
    io.check_output_paths(
        outputs,
        inputs={
            "--attendances": attendances,
            "--plans": plans,
            "--manifest": manifest,
            "--model": model,
            "--relation-model": relation_files(relation_model),
            "--outcomes": outcomes,
        },
    )
    if notifications is not None and history is None:
        raise click.UsageError("--notifications needs --history (the store keeps what was sent)")
    if outcomes is not None and notifications is None:
        raise click.UsageError("--outcomes needs --notifications (outcomes are kept in the store)")
    night = night_started(history)
    try:
        run = _flag_night(
            night,
            t0,
            attendances=attendances,
            plans=plans,
            manifest=manifest,
            out=out,
            rejects=rejects,
            summary=summary,
            history=history,
            index_cache=index_cache,
            notifications=notifications,
            outcomes=outcomes,
            fhir=fhir,
            lookback_days=lookback_days,
            config=run_config(model, stale_after_days, expected_la, relation_model),
            as_of=as_of,
            unreadable_limit=unreadable_limit,
        )
        if night is not None:
            night.reached("outputs_staged")
            night.commit()
    except BaseException:
        if night is not None:
            night.abort()
        raise
    stage("done", t0)
    click.echo(run.summary.to_text())
    if sum(li.plan_rows for li in run.summary.lists) == 0:
        warn(no_rows_warning("plan", plans))


def _flag_night(
    night: NightCommit | None,
    t0: float,
    *,
    attendances: Path,
    plans: Path,
    manifest: Path | None,
    out: Path,
    rejects: Path | None,
    summary: Path | None,
    history: Path | None,
    index_cache: Path | None,
    notifications: Path | None,
    outcomes: Path | None,
    fhir: Path | None,
    lookback_days: int,
    config: FlagConfig,
    as_of: dt.datetime | None,
    unreadable_limit: float,
) -> FlagRun:
    """Read, flag and write one night; with ``night``, every file staged into it."""
    from cpflag import io, run_flagging

    stage("reading", t0)
    # With an index cache the plans are read here only if another input failed
    # (to report all problems at once); otherwise the cache reads them on a miss.
    with step("reading the inputs"):
        inputs = io.read_inputs(
            attendances=attendances,
            plans=plans,
            manifest=manifest,
            defer_plans=index_cache is not None,
            unreadable_limit=unreadable_limit,
        )
    assert inputs.attendances is not None
    if inputs.attendances.table.height == 0:
        warn(no_rows_warning("attendance", attendances))
    stage("flagging", t0)
    with step(f"flagging {inputs.attendances.table.height} attendances"):
        run = run_flagging(
            inputs.attendances,
            inputs.plans if inputs.plans is not None else plans,
            manifest,
            config,
            history=history,
            index_cache=index_cache,
            close_loop=notifications is not None,
            outcomes=outcomes,
            lookback_days=lookback_days,
            as_of=as_of.date() if as_of else None,
            night=night,
        )
    staged = None
    if night is not None:
        night.reached("store_staged")
        staged = night.stage_path
    for warning in (run.summary.loop or {}).get("warnings", []):
        warn(warning)
    stage(f"writing {run.flags.height} flags", t0)
    write_outputs(run, out, rejects, summary, staged)
    if notifications is not None and run.notifications is not None:
        from cpflag.loop import write_notifications

        files = write_notifications(run.notifications, notifications, run.loaded_las, stage=staged)
        stage(f"{run.notifications.height} notifications in {len(files)} LA files", t0)
    if fhir is not None:
        from cpflag.loop import fhir_flags, write_fhir

        plan_table = inputs.plans.table if inputs.plans is not None else None
        write_fhir(fhir_flags(run.flags, inputs.attendances.table, plan_table), fhir, stage=staged)
        stage(f"{run.flags.height} FHIR Flag resources in {fhir}", t0)
    return run
