"""Closing-the-loop commands: ``worklist``, ``outcomes``, ``audit``, ``calibrate`` and ``prune``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cpflag.cli._common import clean_errors, main, path_in, warn

_history = click.option(
    "--history",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="The history store the nightly job closes the loop in.",
)
_outcomes = click.option(
    "--outcomes",
    type=path_in,
    help="Review outcomes to record first (attendance_id, plan_id, flag, outcome, decided_on).",
)


@main.command("worklist")
@_history
@_outcomes
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the worklist (CSV/Parquet).",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@clean_errors
def worklist_command(history: Path, outcomes: Path | None, out: Path | None, limit: int) -> None:
    """List the open review flags, most harmful first, for the safeguarding team.

    Plan subjects first, then newborns and mothers on pre-birth plans, then
    siblings and carers, then repeat attendance. Each row shows the one thing
    to check and the evidence. Record decisions with --outcomes (a rejected
    pair is never raised again; a confirmed one reaches its LA's notifications).
    """
    from cpflag import io, loop

    if out is not None:
        io.check_output_paths({"--out": (out, "table")}, inputs={"--outcomes": outcomes})
    table = loop.worklist(history, outcomes)
    if out is not None:
        io.write_table(table, out)
    click.echo(f"{table.height} open review flags (most harmful first)")
    for r in table.head(limit).iter_rows(named=True):
        p = r["match_probability"]
        click.echo(
            f"{r['priority']:4d}. {r['attendance_id']} {r['flag']} plan {r['plan_id'] or '-'} "
            f"({r['la_code'] or '-'}), p={'-' if p is None else f'{p:.2f}'}, "
            f"list {r['list_age_days']} days old"
        )
        click.echo(f"      check: {r['check'] or '-'}")
        click.echo(f"      evidence: {r['reasons'] or '-'}")
    if table.height > limit:
        click.echo(f"... and {table.height - limit} more" + (f" (all in {out})" if out else ""))


@main.command("outcomes")
@_history
@click.option("--outcomes", type=path_in, required=True, help="The review_outcomes table.")
@clean_errors
def outcomes_command(history: Path, outcomes: Path) -> None:
    """Record review outcomes in the store (validated; errors name file, column, rows)."""
    from cpflag import loop

    table = loop.record_outcomes(history, outcomes)
    counts = dict(table.group_by("outcome").len().iter_rows())
    click.echo(
        f"outcomes in force: {counts.get('confirmed', 0)} confirmed, "
        f"{counts.get('rejected', 0)} rejected"
    )
    keys = ["attendance_id", "plan_id", "flag"]
    unknown = table.join(
        loop.raised_flags(history).select(keys), on=keys, how="anti", nulls_equal=True
    )
    if unknown.height:
        warn(
            f"{unknown.height} outcome(s) name no flag cpflag raised in this store "
            f"(first: attendance {unknown['attendance_id'][0]}); check the ids"
        )


@main.command("audit")
@_history
@_outcomes
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report (text)."
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the audit: .html, .png or .svg (flags, reviewed, confirmed and "
    'rejected per month; the calibration table). Needs pip install "cpflag[charts]".',
)
@clean_errors
def audit_command(
    history: Path, outcomes: Path | None, out: Path | None, chart: Path | None = None
) -> None:
    """Report flags against review decisions: per month, LA and kind, with calibration."""
    from cpflag import io, loop

    io.check_output_paths(
        {"--out": (out, "file"), "--chart": (chart, "file")},
        inputs={"--outcomes": outcomes, "--history": history},
    )
    if chart is not None:
        from cpflag.report import charts  # fails here, cleanly, without the extra
        from cpflag.report.audit_charts import audit_chart

        if chart.suffix.lower() not in charts.CHART_SUFFIXES:
            raise click.BadParameter(
                f"{chart}: use one of {', '.join(charts.CHART_SUFFIXES)}", param_hint="--chart"
            )
    report = loop.audit(history, outcomes)
    text = report.to_text()
    if out is not None:
        io.write_text(out, text + "\n")
    click.echo(text)
    if chart is not None:
        click.echo(f"chart written to {charts.save(audit_chart(report), chart)}")


@main.command("calibrate")
@_history
@_outcomes
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the check and the recalibration parameters (JSON).",
)
@clean_errors
def calibrate_command(history: Path, outcomes: Path | None, out: Path | None) -> None:
    """Check match_probability against review decisions; fit a recalibration.

    Prints the expected calibration error of the decided flags, and the error
    a Platt recalibration gives on decisions it was not fitted on (five folds).
    """
    import json

    from cpflag import io, loop

    if out is not None:
        io.check_output_paths({"--out": (out, "json")}, inputs={"--outcomes": outcomes})
    if outcomes is not None:
        loop.record_outcomes(history, outcomes)
    check = loop.calibration(history)
    if check.ece_before is None:
        click.echo("no decided flags with a probability yet")
    else:
        after = "-" if check.ece_after is None else f"{check.ece_after:.3f}"
        click.echo(
            f"decided {check.decided} (confirmed {check.confirmed}); expected calibration "
            f"error {check.ece_before:.3f}, after recalibration (out of fold) {after}"
        )
        click.echo(
            f"recalibration: p' = sigmoid({check.slope:.3f} * logit(p) + {check.intercept:.3f})"
        )
    if out is not None:
        io.write_text(out, json.dumps(check.to_dict(), indent=2) + "\n")


@main.command("prune")
@_history
@click.option(
    "--before",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Remove what concerns attendances that arrived before this date.",
)
@click.option(
    "--retain-days",
    type=click.IntRange(min=1),
    help="Keep this many days back from today (or --as-of); remove the rest.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date --retain-days counts back from (default: today).",
)
@clean_errors
def prune_command(
    history: Path,
    before: dt.datetime | None,
    retain_days: int | None,
    as_of: dt.datetime | None,
) -> None:
    """Retention: remove the store's rows about attendances past a date.

    The history store's attendances that arrived before the date, and the
    loop tables' raised and notified rows of them, review outcomes decided and
    list versions recorded before it, all in one unit (like a night: killed
    part way, nothing is removed). Repeat attendance and look-back see only
    what is kept: keep at least a year (the repeat window) unless the trust's
    policy says otherwise.
    """
    from cpflag import loop

    if (before is None) == (retain_days is None):
        raise click.UsageError("give one of --before and --retain-days")
    result = loop.prune(
        history,
        before=before.date() if before else None,
        retain_days=retain_days,
        today=as_of.date() if as_of else None,
    )
    rows = ", ".join(f"{k} {v}" for k, v in sorted(result.loop_rows.items())) or "none"
    click.echo(
        f"removed before {result.before}: {result.attendances} stored attendances; "
        f"loop rows: {rows}"
    )
    if retain_days is not None and retain_days < 365:
        warn(f"--retain-days {retain_days} is under the 365-day repeat-attendance window")
