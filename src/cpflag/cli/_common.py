"""What the ``cpflag`` commands share: the group, clean errors, options, output writing.

See :mod:`cpflag.cli` for the exit statuses and the output-path checks.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TextIO, TypeVar

import click

from cpflag._errors import CpflagError
from cpflag.contract import FlagKind

if TYPE_CHECKING:
    from cpflag import FlagConfig, FlagRun
    from cpflag.history import NightCommit
    from cpflag.io._write import Stager

P = ParamSpec("P")
R = TypeVar("R")


#: Exit status of a run that failed with a clean error message.
EXIT_ERROR = 2


def os_error_text(exc: OSError) -> str:
    """``<path>: <the system's words> (<type>)``: paths only, never file content."""
    paths = [str(f) for f in (exc.filename, exc.filename2) if f is not None]
    words = exc.strerror or str(exc) or "operating-system error"
    where = " -> ".join(paths)
    text = f"{where}: {words}" if where else words
    return f"{text} ({type(exc).__name__})"


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`CpflagError` or an ``OSError`` into ``Error: ...`` on stderr, exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CpflagError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except OSError as exc:
            click.echo(f"Error: {os_error_text(exc)}", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def warn(message: str) -> None:
    click.echo(f"Warning: {message}", err=True)


def night_started(history: Path | None) -> NightCommit | None:
    """Start a nightly run with a history store: the night to stage its files into.

    The store's night lock is taken before any input is read, so a second
    concurrent run is refused before matching, and held until the command
    ends. The previous night is settled first (rolled forward when it was
    killed after its commit point, back when killed before it; see
    ``cpflag.history.recover_night``) and a warning says which. The caller
    stages the store and every output into the night and commits it.
    """
    if history is None:
        return None
    from cpflag.history import NightRun

    run = NightRun(history)
    recovery = run.start()
    click.get_current_context().call_on_close(run.release)
    when = f" (as of {recovery.as_of})" if recovery.as_of else ""
    what = "prune (retention run)" if recovery.kind == "prune" else "night"
    if recovery.action == "rolled_back":
        warn(
            f"the previous {what}{when} with history store {history} was interrupted before "
            "its commit and rolled back: nothing of it was kept (the summary says whether "
            "it must be re-run)"
        )
    elif recovery.action == "rolled_forward":
        warn(
            f"the previous {what}{when} with history store {history} was interrupted after "
            "its commit and has been completed now (rolled forward): nothing to re-run"
        )
    return run.stage()


def no_rows_warning(what: str, path: Path) -> str:
    effect = "nothing to flag"
    if what == "plan":
        effect = "no attendance can be flagged against any list"
    return (
        f"no {what} rows are usable in {path} (header only, or every row rejected): "
        f"{effect} on this run; check the file before relying on it"
    )


def mapping_file(mapping: str | None) -> Path | None:
    """The TOML file a ``--mapping`` names, if it names one (not ``ecds``)."""
    if mapping is None or not Path(mapping).is_file():
        return None
    return Path(mapping)


def relation_files(specs: tuple[str, ...]) -> list[Path]:
    """The files of ``--relation-model KIND=FILE`` options (bad specs fail later)."""
    return [Path(p) for spec in specs for kind, sep, p in [spec.partition("=")] if sep and p]


#: The log line: time, level, logger, message (the messages never carry a value
#: of an identifying column: see ``tests/test_cli_logging.py``).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class StderrHandler(logging.StreamHandler[TextIO]):
    """A handler writing to whatever ``sys.stderr`` is when a line is logged.

    Click's test runner swaps ``sys.stderr`` for each invocation; a handler
    bound to the stream of its creation would write to a closed one later.
    """

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def log_level(verbose: int, quiet: bool) -> int:
    """WARNING by default and with ``-q``; ``-v`` INFO; ``-vv`` (or more) DEBUG."""
    if quiet or verbose == 0:
        return logging.WARNING
    return logging.INFO if verbose == 1 else logging.DEBUG


def configure_logging(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Configure the ``cpflag`` logger once, for this invocation: stderr, one plain format.

    The logger's earlier level and handlers come back when the command ends,
    so a program that runs the command line in-process (the tests do) keeps
    its own logging.
    """
    logger = logging.getLogger("cpflag")
    before = (logger.level, list(logger.handlers))
    handler = StderrHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
    for old in [h for h in logger.handlers if isinstance(h, StderrHandler)]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(log_level(verbose, quiet))

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(before[0])
        for h in before[1]:
            if h not in logger.handlers:
                logger.addHandler(h)

    ctx.call_on_close(restore)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cpflag")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more on stderr: -v for INFO, -vv for DEBUG (default: warnings and errors).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Only warnings and errors on stderr: no progress lines.",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """cpflag: find children at risk in emergency-department data.

    Matches attendances against local-authority child protection lists. A flag
    only ever steps concern up: no flag means "no match found on the lists
    loaded", never that a child is safe.

    Log lines go to stderr (time, level, message); they name files, counts and
    record ids, never a name, date of birth, NHS number or postcode.
    """
    if verbose and quiet:
        raise click.UsageError("-v/--verbose and -q/--quiet cannot be given together")
    configure_logging(ctx, verbose, quiet)


def quiet() -> bool:
    """True when ``cpflag -q`` was given (no progress lines)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("quiet"))


path_in = click.Path(exists=True, dir_okay=False, path_type=Path)


def stage(message: str, t0: float) -> None:
    """Progress line on stderr (the flags go to a file; stdout keeps the summary); not with -q."""
    if quiet():
        return
    click.echo(f"[{time.perf_counter() - t0:7.2f}s] {message}", err=True)


def run_config(
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


def output_paths(out: Path, rejects: Path | None, summary: Path | None) -> dict[str, Path]:
    """``{option: path}`` of the flag outputs, the defaults beside ``--out`` named so."""
    return {
        "--out": out,
        "--rejects" if rejects else "--rejects (default, beside --out)": rejects
        or out.with_name(out.stem + ".rejects.csv"),
        "--summary" if summary else "--summary (default, beside --out)": summary
        or out.with_name(out.stem + ".summary.json"),
    }


def write_outputs(
    run: FlagRun,
    out: Path,
    rejects: Path | None,
    summary: Path | None,
    stage: Stager | None = None,
) -> None:
    """Flags, rejects and summary, each to a temporary file renamed into place.

    With ``stage`` (a night's ``stage_path``) the temporary files are renamed
    when the night commits, with the store and the other outputs.
    """
    from cpflag import io

    flags_path, rejects_path, summary_path = output_paths(out, rejects, summary).values()
    io.write_table(run.flags, flags_path, stage=stage)
    io.write_table(run.rejects, rejects_path, stage=stage)
    text = json.dumps(run.summary.to_dict(), indent=2, default=str) + "\n"
    io.write_text(summary_path, text, stage=stage)


model_opt = click.option(
    "--model", type=path_in, help="Linkage model JSON (default: the shipped model)."
)
#: The flag kinds scored by a model (``repeat_attendance`` is a count).
SCORED_FLAGS = tuple(k.value for k in FlagKind if k is not FlagKind.REPEAT)


def flag_kind_option(help_text: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--flag KIND`` (one of :data:`SCORED_FLAGS`, default ``plan_subject``)."""
    return click.option(
        "--flag",
        "flag_kind",
        type=click.Choice(SCORED_FLAGS),
        default=FlagKind.PLAN_SUBJECT.value,
        show_default=True,
        help=help_text,
    )


relation_model_opt = click.option(
    "--relation-model",
    "relation_model",
    multiple=True,
    metavar="KIND=FILE",
    help="A relationship model JSON for one flag kind (repeatable), e.g. "
    "carer_of_plan_subject=carer.json; see `cpflag model --flag KIND`.",
)
stale_opt = click.option(
    "--stale-after-days",
    type=click.IntRange(min=0),
    default=31,
    show_default=True,
    help="Lists older than this on the arrival date carry a staleness warning.",
)
unreadable_opt = click.option(
    "--unreadable-limit",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Share of an optional date column (e.g. date_of_birth) that may be unreadable "
    "before the column is an error rather than rejects.",
)
expected_opt = click.option(
    "--expected-la",
    multiple=True,
    help="An LA whose list the trust expects (repeatable); missing ones are reported.",
)
