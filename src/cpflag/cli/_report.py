"""``cpflag report``: the night's self-contained HTML page (the optional ``charts`` extra)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cpflag.cli._common import clean_errors, main, model_opt, path_in
from cpflag.cli._progress import step


@main.command("report")
@click.option(
    "--flags", "flags_path", type=path_in, required=True, help="The flags `cpflag flag` wrote."
)
@click.option(
    "--summary",
    type=path_in,
    help="The run summary JSON (default: <flags>.summary.json beside --flags).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The HTML page to write.",
)
@model_opt
@clean_errors
def report_command(flags_path: Path, summary: Path | None, out: Path, model: Path | None) -> None:
    """Write one self-contained HTML page for a night: the run summary, the
    lists and their ages, the charts and the review worklist.

    Needs the charts extra: pip install "cpflag[charts]".
    """
    from cpflag import LinkageModel, io
    from cpflag._errors import InputError
    from cpflag.report import page

    summary = summary or flags_path.with_name(flags_path.stem + ".summary.json")
    if not summary.is_file():
        raise InputError("no run summary beside the flags: give --summary", source=str(summary))
    io.check_output_paths(
        {"--out": (out, "file")},
        inputs={"--flags": flags_path, "--summary": summary, "--model": model},
    )
    if out.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"{out}: the page is HTML: use .html", param_hint="--out")
    try:
        info = json.loads(summary.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("not a run summary (JSON)", source=str(summary)) from None
    chosen = LinkageModel.from_json(model) if model else None
    with step("drawing the charts"):
        written = page.write_night_page(out, page.read_flags(flags_path), info, model=chosen)
    click.echo(f"report written to {written} ({written.stat().st_size // 1024} KiB)")
