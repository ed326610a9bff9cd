"""The ``cpflag`` command line: a thin shell over the library.

Each command calls one library function. Library errors (:class:`CpflagError`)
and operating-system errors (``OSError``: a full disk, a read-only folder, a
denied permission) become an ``Error: ...`` message naming the path, and exit
status 2 -- never a traceback. Status 2 is also click's for a bad option; 0 is
success (warnings, such as lists with no plan rows, go to stderr).

Before reading anything, every command that writes checks its output paths
(:func:`cpflag.io.check_output_paths`): an output that is an input, two outputs
that are one file, an unknown suffix or an unwritable folder is refused.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from cpflag._errors import CpflagError
from cpflag.contract import FlagKind

if TYPE_CHECKING:
    from cpflag import FlagConfig, FlagRun

P = ParamSpec("P")
R = TypeVar("R")


#: Exit status of a run that failed with a clean error message.
EXIT_ERROR = 2


def _os_error_text(exc: OSError) -> str:
    """``<path>: <the system's words> (<type>)``: paths only, never file content."""
    paths = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    words = exc.strerror or str(exc) or "operating-system error"
    where = " -> ".join(paths)
    text = f"{where}: {words}" if where else words
    return f"{text} ({type(exc).__name__})"


def _clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`CpflagError` or an ``OSError`` into ``Error: ...`` on stderr, exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CpflagError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as exc:
            click.echo(f"Error: {_os_error_text(exc)}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def _warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


def _no_rows_warning(what: str, path: Path) -> str:
    effect = "nothing to flag"
    if what == "plan":
        effect = "no attendance can be flagged against any list"
    return (
        f"no {what} rows are usable in {path} (header only, or every row rejected): "
        f"{effect} on this run; check the file before relying on it"
    )


def _mapping_file(mapping: str | None) -> Path | None:
    """The TOML file a ``--mapping`` names, if it names one (not ``ecds``)."""
    if mapping is None or not Path(mapping).is_file():
        return None
    return Path(mapping)


def _relation_files(specs: tuple[str, ...]) -> list[Path]:
    """The files of ``--relation-model KIND=FILE`` options (bad specs fail later)."""
    return [Path(p) for spec in specs for kind, sep, p in [spec.partition("=")] if sep and p]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cpflag")
def main() -> None:
    """cpflag: find children at risk in emergency-department data.

    Matches attendances against local-authority child protection lists. A flag
    only ever steps concern up: no flag means "no match found on the lists
    loaded", never that a child is safe.
    """


_path_in = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command()
@click.option("--attendances", type=_path_in, help="Attendances table (CSV or Parquet).")
@click.option("--plans", type=_path_in, help="Plans table (CSV or Parquet).")
@click.option("--manifest", type=_path_in, help="Per-LA list dates (la_code,list_date).")
@click.option("--mapping", help="Column mapping: 'ecds' or a TOML file.")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every rejected row / ignored value, with its reason, here.",
)
@_clean_errors
def validate(
    attendances: Path | None,
    plans: Path | None,
    manifest: Path | None,
    mapping: str | None,
    rejects: Path | None,
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
            "--mapping": _mapping_file(mapping),
        },
    )
    inputs = io.read_inputs(
        attendances=attendances, plans=plans, manifest=manifest, mapping=mapping
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
            _warn(_no_rows_warning(what, path))
    if inputs.manifest is not None:
        click.echo(f"manifest: {inputs.manifest.height} local authorities")
    if rejects is not None and found:
        io.write_table(pl.concat(found), rejects)
        click.echo(f"issues written to {rejects}")


def _stage(message: str, t0: float) -> None:
    """Progress line on stderr (the flags go to a file; stdout keeps the summary)."""
    click.echo(f"[{time.perf_counter() - t0:7.2f}s] {message}", err=True)


def _config(
    model: Path | None,
    stale_after_days: int,
    expected_la: tuple[str, ...],
    relation_models: tuple[str, ...] = (),
) -> FlagConfig:
    from cpflag import FlagConfig, LinkageModel
    from cpflag._errors import ConfigError

    kwargs: dict[str, object] = {
        "stale_after_days": stale_after_days,
        "expected_la_codes": expected_la,
    }
    if model is not None:
        kwargs["model"] = LinkageModel.from_json(model)
    relations = {}
    for spec in relation_models:
        kind, sep, path = spec.partition("=")
        if not sep or not kind or not path:
            raise ConfigError(f"--relation-model takes KIND=FILE, got {spec!r}")
        relations[kind] = LinkageModel.from_json(Path(path))
    if relations:
        kwargs["relation_models"] = relations
    return FlagConfig(**kwargs)  # type: ignore[arg-type]


def _output_paths(out: Path, rejects: Path | None, summary: Path | None) -> dict[str, Path]:
    """``{option: path}`` of the flag outputs, the defaults beside ``--out`` named so."""
    return {
        "--out": out,
        "--rejects" if rejects else "--rejects (default, beside --out)": rejects
        or out.with_name(out.stem + ".rejects.csv"),
        "--summary" if summary else "--summary (default, beside --out)": summary
        or out.with_name(out.stem + ".summary.json"),
    }


def _write_outputs(run: FlagRun, out: Path, rejects: Path | None, summary: Path | None) -> None:
    """Flags, rejects and summary, each to a temporary file renamed into place."""
    from cpflag import io

    flags_path, rejects_path, summary_path = _output_paths(out, rejects, summary).values()
    io.write_table(run.flags, flags_path)
    io.write_table(run.rejects, rejects_path)
    io.write_text(summary_path, json.dumps(run.summary.to_dict(), indent=2, default=str) + "\n")


_model_opt = click.option(
    "--model", type=_path_in, help="Linkage model JSON (default: the shipped model)."
)
#: The flag kinds scored by a model (``repeat_attendance`` is a count).
_SCORED_FLAGS = tuple(k.value for k in FlagKind if k is not FlagKind.REPEAT)


def _flag_kind_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--flag KIND`` (one of :data:`_SCORED_FLAGS`, default ``plan_subject``)."""
    return click.option(
        "--flag",
        "flag_kind",
        type=click.Choice(_SCORED_FLAGS),
        default=FlagKind.PLAN_SUBJECT.value,
        show_default=True,
        help=help_text,
    )


_relation_model_opt = click.option(
    "--relation-model",
    "relation_model",
    multiple=True,
    metavar="KIND=FILE",
    help="A relationship model JSON for one flag kind (repeatable), e.g. "
    "carer_of_plan_subject=carer.json; see `cpflag model --flag KIND`.",
)
_stale_opt = click.option(
    "--stale-after-days",
    type=click.IntRange(min=0),
    default=31,
    show_default=True,
    help="Lists older than this on the arrival date carry a staleness warning.",
)
_expected_opt = click.option(
    "--expected-la",
    multiple=True,
    help="An LA whose list the trust expects (repeatable); missing ones are reported.",
)


@main.command("flag")
@click.option("--attendances", type=_path_in, required=True, help="Attendances (CSV/Parquet).")
@click.option("--plans", type=_path_in, required=True, help="Plans (CSV/Parquet).")
@click.option("--manifest", type=_path_in, help="Per-LA list dates (la_code,list_date).")
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
@_model_opt
@_relation_model_opt
@_stale_opt
@_expected_opt
@_clean_errors
def flag_command(
    attendances: Path,
    plans: Path,
    manifest: Path | None,
    out: Path,
    rejects: Path | None,
    summary: Path | None,
    history: Path | None,
    index_cache: Path | None,
    model: Path | None,
    relation_model: tuple[str, ...],
    stale_after_days: int,
    expected_la: tuple[str, ...],
) -> None:
    """Flag a night's attendances against the LA lists (the nightly batch job).

    Writes the flags table to --out, the rejects beside it (<out>.rejects.csv)
    and the run summary (<out>.summary.json), and prints the summary. Output
    paths are checked before anything is read (none may be an input or another
    output); every input's problems are reported together.
    """
    from cpflag import io, run_flagging

    t0 = time.perf_counter()
    kinds: tuple[io.OutputKind, ...] = ("table", "table", "json")
    outputs: dict[str, tuple[Path | None, io.OutputKind]] = {
        option: (path, kind)
        for (option, path), kind in zip(
            _output_paths(out, rejects, summary).items(), kinds, strict=True
        )
    }
    outputs["--history"] = (history, "store")
    outputs["--index-cache"] = (index_cache, "cache")
    io.check_output_paths(
        outputs,
        inputs={
            "--attendances": attendances,
            "--plans": plans,
            "--manifest": manifest,
            "--model": model,
            "--relation-model": _relation_files(relation_model),
        },
    )
    config = _config(model, stale_after_days, expected_la, relation_model)
    _stage("reading", t0)
    # With an index cache the plans are read here only if another input failed
    # (to report all problems at once); otherwise the cache reads them on a miss.
    inputs = io.read_inputs(
        attendances=attendances,
        plans=plans,
        manifest=manifest,
        defer_plans=index_cache is not None,
    )
    assert inputs.attendances is not None
    if inputs.attendances.table.height == 0:
        _warn(_no_rows_warning("attendance", attendances))
    _stage("flagging", t0)
    run = run_flagging(
        inputs.attendances,
        inputs.plans if inputs.plans is not None else plans,
        manifest,
        config,
        history=history,
        index_cache=index_cache,
    )
    _stage(f"writing {run.flags.height} flags", t0)
    _write_outputs(run, out, rejects, summary)
    _stage("done", t0)
    click.echo(run.summary.to_text())
    if sum(li.plan_rows for li in run.summary.lists) == 0:
        _warn(_no_rows_warning("plan", plans))


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
@_clean_errors
def synth(scale: str, seed: int, days: int, n_attendances: int | None, fmt: str, out: Path) -> None:
    """Generate synthetic attendances, plans and a manifest, with the ground truth."""
    from cpflag import synth as synth_mod

    t0 = time.perf_counter()
    data = synth_mod.generate(scale=scale, seed=seed, days=days, n_attendances=n_attendances)
    _stage(f"generated {data.attendances.height} attendances, {data.plans.height} plan rows", t0)
    synth_mod.write(data, out, fmt=fmt)  # type: ignore[arg-type]
    _stage(f"written to {out}", t0)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cpflag-demo"),
    show_default=True,
    help="Folder for the demo data and outputs.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@_clean_errors
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
    _stage(f"demo data written to {out}/", t0)
    run = run_flagging(out / "attendances.csv", out / "plans.csv", out / "manifest.csv")
    _write_outputs(run, out / "flags.csv", None, None)
    _stage(f"flags written to {out / 'flags.csv'}", t0)
    click.echo(run.summary.to_text())
    acc = evaluate_flags(run.flags, data.truth_flags, truth_attendances=data.truth_attendances)
    click.echo("\nAccuracy against the synthetic ground truth:")
    click.echo(acc.to_text())


@main.command()
@click.option("--attendances", type=_path_in, required=True)
@click.option("--plans", type=_path_in, required=True)
@click.option("--manifest", type=_path_in)
@click.option("--attendance-id", required=True, help="The attendance to explain.")
@click.option("--plan-id", required=True, help="The plan to compare it with.")
@_flag_kind_option("The flag kind whose evidence to show.")
@click.option("--show-values", is_flag=True, help="Also print the compared (identifying) values.")
@_model_opt
@_relation_model_opt
@_clean_errors
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
) -> None:
    """Print the score waterfall of one attendance against one plan."""
    import polars as pl

    from cpflag import build_index
    from cpflag import explain as explain_fn
    from cpflag._errors import InputError
    from cpflag.io import read_inputs

    inputs = read_inputs(attendances=attendances, plans=plans, manifest=manifest)
    assert inputs.attendances is not None
    assert inputs.plans is not None
    att = inputs.attendances.table.filter(pl.col("attendance_id") == attendance_id)
    if att.height == 0:
        raise InputError(f"attendance {attendance_id} is not in the file", source=str(attendances))
    index = build_index(inputs.plans, None, _config(model, 31, (), relation_model))
    click.echo(explain_fn(index, att, plan_id, flag=flag_kind, show_values=show_values).to_text())


@main.command()
@click.option("--attendances", type=_path_in, required=True, help="A site's attendances.")
@click.option("--plans", type=_path_in, required=True, help="The plan lists.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Model JSON to write.",
)
@_model_opt
@click.option(
    "--max-pairs",
    type=click.IntRange(min=1000),
    default=1_000_000,
    show_default=True,
    help="Random pairs for u.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@_clean_errors
def train(
    attendances: Path, plans: Path, out: Path, model: Path | None, max_pairs: int, seed: int
) -> None:
    """Re-estimate the model on a site's own data (u by sampling, m by EM; no labels)."""
    import polars as pl

    from cpflag import LinkageModel, Linker, io
    from cpflag.rules.plan_subject import SUBJECT_PLAN_TYPES

    t0 = time.perf_counter()
    io.check_output_paths(
        {"--out": (out, "json")},
        inputs={"--attendances": attendances, "--plans": plans, "--model": model},
    )
    linker = Linker(model=LinkageModel.from_json(model)) if model else Linker()
    inputs = io.read_inputs(attendances=attendances, plans=plans)
    assert inputs.attendances is not None
    assert inputs.plans is not None
    att = inputs.attendances.table
    pl_tab = inputs.plans.table.filter(pl.col("plan_type").is_in(SUBJECT_PLAN_TYPES))
    _stage(f"training on {att.height} attendances x {pl_tab.height} plan subjects", t0)
    trained = linker.train(att, pl_tab, max_pairs=max_pairs, seed=seed)
    io.write_text(out, trained.model.to_json() + "\n")
    _stage(f"model written to {out}", t0)


@main.command("model")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout."
)
@_flag_kind_option(
    "The flag kind whose model to print (plan_subject and unborn_plan_mother "
    "share the person model)."
)
@_clean_errors
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
    type=_path_in,
    help="Attendances to resolve on the fly (instead of a store), e.g. a year's backfill.",
)
@click.option("--attendance-id", help="An attendance of the child (e.g. a flagged one).")
@click.option("--person-id", help="The child's person id (instead of --attendance-id).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write CSV/Parquet.")
@_clean_errors
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
        source = resolve_history(read_attendances(attendances).table)
    table = chronology(source, attendance_id=attendance_id, person_id=person_id)
    if out is not None:
        write_table(table, out)
        click.echo(f"{table.height} attendances written to {out}")
    else:
        with pl.Config(tbl_rows=-1, tbl_width_chars=200, fmt_str_lengths=80):
            click.echo(str(table))
