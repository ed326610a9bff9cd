"""The other commands: ``synth``, ``demo``, ``explain``, ``train``, ``model``, ``chronology``."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from cpflag.cli._common import (
    clean_errors,
    flag_kind_option,
    main,
    model_opt,
    path_in,
    relation_model_opt,
    run_config,
    stage,
    write_outputs,
)
from cpflag.cli._progress import step


@main.command()
@click.option(
    "--scale", type=click.Choice(["demo", "region", "national"]), default="demo", show_default=True
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--days", type=click.IntRange(min=1), default=1, show_default=True, help="Days of attendances."
)
@click.option(
    "--n-attendances", type=click.IntRange(min=1), help="Override the number of attendances."
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write.",
)
@clean_errors
def synth(scale: str, seed: int, days: int, n_attendances: int | None, fmt: str, out: Path) -> None:
    """Generate synthetic attendances, plans and a manifest, with the ground truth."""
    from cpflag import synth as synth_mod

    t0 = time.perf_counter()
    with step(f"generating the {scale} data"):
        data = synth_mod.generate(scale=scale, seed=seed, days=days, n_attendances=n_attendances)
    stage(f"generated {data.attendances.height} attendances, {data.plans.height} plan rows", t0)
    with step(f"writing {out}"):
        synth_mod.write(data, out, fmt=fmt)  # type: ignore[arg-type]
    stage(f"written to {out}", t0)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cpflag-demo"),
    show_default=True,
    help="Folder for the demo data and outputs.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@clean_errors
def demo(out: Path, seed: int) -> None:
    """Run the nightly job on a built-in synthetic trust-sized day, and score it.

    Generates demo data into --out, flags it, writes flags/rejects/summary there,
    prints the run summary and the accuracy against the synthetic ground truth.
    """
    from cpflag import run_flagging
    from cpflag import synth as synth_mod
    from cpflag.report._evaluate import evaluate_flags

    t0 = time.perf_counter()
    data = synth_mod.generate(scale="demo", seed=seed)
    synth_mod.write(data, out, fmt="csv")
    stage(f"demo data written to {out}/", t0)
    # The synthetic day is the run's as-of date, whatever the date today.
    last = data.attendances["arrival_time"].max()
    as_of = last.date() if isinstance(last, dt.datetime) else None
    with step("flagging the demo day"):
        run = run_flagging(
            out / "attendances.csv", out / "plans.csv", out / "manifest.csv", as_of=as_of
        )
    write_outputs(run, out / "flags.csv", None, None)
    stage(f"flags written to {out / 'flags.csv'}", t0)
    click.echo(run.summary.to_text())
    acc = evaluate_flags(run.flags, data.truth_flags, truth_attendances=data.truth_attendances)
    click.echo("\nAccuracy against the synthetic ground truth:")
    click.echo(acc.to_text())


@main.command()
@click.option("--attendances", type=path_in, required=True)
@click.option("--plans", type=path_in, required=True)
@click.option("--manifest", type=path_in)
@click.option("--attendance-id", required=True, help="The attendance to explain.")
@click.option("--plan-id", required=True, help="The plan to compare it with.")
@flag_kind_option("The flag kind whose evidence to show.")
@click.option("--show-values", is_flag=True, help="Also print the compared (identifying) values.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the waterfall: .html (self-contained), .png or .svg "
    '(needs pip install "cpflag[charts]"; never shows the compared values).',
)
@model_opt
@relation_model_opt
@clean_errors
def explain(
    attendances: Path,
    plans: Path,
    manifest: Path | None,
    attendance_id: str,
    plan_id: str,
    flag_kind: str,
    show_values: bool,
    model: Path | None,
    relation_model: tuple[str, ...],
    chart: Path | None = None,
) -> None:
    """Print the score waterfall of one attendance against one plan."""
    import polars as pl

    from cpflag import build_index
    from cpflag import explain as explain_fn
    from cpflag._errors import InputError
    from cpflag.io import check_output_paths, read_inputs

    if chart is not None:
        check_output_paths(
            {"--chart": (chart, "file")},
            inputs={"--attendances": attendances, "--plans": plans, "--manifest": manifest},
        )
        from cpflag.report import charts  # fails here, cleanly, without the extra

        if chart.suffix.lower() not in charts.CHART_SUFFIXES:
            raise click.BadParameter(
                f"{chart}: use one of {', '.join(charts.CHART_SUFFIXES)}", param_hint="--chart"
            )

    inputs = read_inputs(attendances=attendances, plans=plans, manifest=manifest)
    assert inputs.attendances is not None
    assert inputs.plans is not None
    att = inputs.attendances.table.filter(pl.col("attendance_id") == attendance_id)
    if att.height == 0:
        raise InputError(f"attendance {attendance_id} is not in the file", source=str(attendances))
    index = build_index(inputs.plans, None, run_config(model, 31, (), relation_model), warm=False)
    waterfall = explain_fn(index, att, plan_id, flag=flag_kind, show_values=show_values)
    click.echo(waterfall.to_text())
    if chart is not None:
        click.echo(f"chart written to {charts.save(charts.waterfall_chart(waterfall), chart)}")


@main.command()
@click.option("--attendances", type=path_in, required=True, help="A site's attendances.")
@click.option("--plans", type=path_in, required=True, help="The plan lists.")
@click.option("--manifest", type=path_in, help="Per-LA list dates, when not in the plans.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Model JSON to write.",
)
@model_opt
@click.option(
    "--history",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A history store: recalibrate match_probability from the review outcomes in it.",
)
@click.option(
    "--outcomes",
    type=path_in,
    help="Review outcomes to record in --history first (attendance_id, plan_id, flag, ...).",
)
@click.option(
    "--no-reestimate",
    is_flag=True,
    help="Keep the starting model's m and u (no EM); only recalibrate it from --history.",
)
@click.option(
    "--min-labels",
    type=click.IntRange(min=2),
    default=20,
    show_default=True,
    help="Confirmed and rejected pairs each needed to recalibrate.",
)
@click.option(
    "--max-pairs",
    type=click.IntRange(min=1000),
    default=1_000_000,
    show_default=True,
    help="Random pairs for u.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@clean_errors
def train(
    attendances: Path,
    plans: Path,
    manifest: Path | None,
    out: Path,
    model: Path | None,
    history: Path | None,
    outcomes: Path | None,
    min_labels: int,
    max_pairs: int,
    seed: int,
    no_reestimate: bool = False,
) -> None:
    """Re-estimate the model on a site's own data (u by sampling, m by EM; no labels).

    With --history, the flags people decided there are labels beside EM: a
    recalibration of match_probability is fitted on them and written into the
    model (bands unchanged), when there are enough and it lowers the error
    out of fold. Prints the labelled pairs and the error before and after.
    """
    from cpflag import LinkageModel, io, loop

    t0 = time.perf_counter()
    io.check_output_paths(
        {"--out": (out, "json")},
        inputs={
            "--attendances": attendances,
            "--plans": plans,
            "--manifest": manifest,
            "--model": model,
            "--outcomes": outcomes,
        },
    )
    if outcomes is not None and history is None:
        raise click.UsageError("--outcomes needs --history (the store whose flags they decide)")
    with step("training (u by sampling, m by EM; then the labelled pairs)"):
        result = loop.train_model(
            attendances,
            plans,
            manifest=manifest,
            model=LinkageModel.from_json(model) if model else None,
            history=history,
            outcomes=outcomes,
            max_pairs=max_pairs,
            seed=seed,
            min_labels=min_labels,
            reestimate=not no_reestimate,
        )
    for line in result.lines():
        click.echo(line)
    io.write_text(out, result.model.to_json() + "\n")
    stage(f"model written to {out}", t0)


@main.command("model")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@flag_kind_option(
    "The flag kind whose model to print (plan_subject and unborn_plan_mother "
    "share the person model)."
)
@clean_errors
def model_command(out: Path | None, flag_kind: str) -> None:
    """Print (or write) a shipped model as JSON, for review or to adjust.

    An adjusted person model is passed back with --model, a relationship model
    with --relation-model KIND=FILE.
    """
    from cpflag import default_model, default_relation_models, io

    io.check_output_paths({"--out": (out, "json")})
    relations = default_relation_models()
    chosen = relations.get(flag_kind) or default_model()
    text = chosen.to_json()
    if out is None:
        click.echo(text)
    else:
        io.write_text(out, text + "\n")


@main.command("chronology")
@click.option(
    "--history",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The attendance history store.",
)
@click.option(
    "--attendances",
    type=path_in,
    help="Attendances to resolve on the fly (instead of a store), e.g. a year's backfill.",
)
@click.option("--attendance-id", help="An attendance of the child (e.g. a flagged one).")
@click.option("--person-id", help="The child's person id (instead of --attendance-id).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write CSV/Parquet.")
@clean_errors
def chronology_command(
    history: Path | None,
    attendances: Path | None,
    attendance_id: str | None,
    person_id: str | None,
    out: Path | None,
) -> None:
    """List a child's and the family's attendances across sites in time order.

    Each row says how it is linked to the child (the evidence and its weight).
    """
    import polars as pl

    from cpflag import HistoryStore, chronology, read_attendances, resolve_history, write_table

    if (history is None) == (attendances is None):
        raise click.UsageError("give exactly one of --history and --attendances")
    from cpflag import io

    io.check_output_paths(
        {"--out": (out, "table")}, inputs={"--history": history, "--attendances": attendances}
    )
    if history is not None:
        source: HistoryStore | pl.DataFrame = HistoryStore.open(history, create=False)
    else:
        assert attendances is not None
        with step("resolving the attendances into persons"):
            source = resolve_history(read_attendances(attendances).table)
    table = chronology(source, attendance_id=attendance_id, person_id=person_id)
    if out is not None:
        write_table(table, out)
        click.echo(f"{table.height} attendances written to {out}")
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=80):
            click.echo(str(table))
