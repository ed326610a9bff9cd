"""One self-contained HTML page for a night: summary, lists and their ages, charts, worklist.

:func:`night_page` lays out, from the outputs of a nightly run (the flags table
and the run summary):

1. what "no flag" means (:data:`~cpflag.NO_FLAG_MEANS`), first, and the LAs
   whose list was expected but not loaded;
2. the run summary: attendances read, rejects by reason, flags by kind and band;
3. the lists loaded, their dates and ages (stale ones marked);
4. the charts (:mod:`cpflag.report.charts`): flags by kind, band and LA, the
   score distribution, the model's m/u and match weights -- as SVG images
   embedded in the page, so it needs no script and no network;
5. the review worklist: every ``review`` flag, with the one thing to check.

The page holds record ids, LA codes, plan types, scores and the checks; never
a name, date of birth, NHS number or postcode (the flags table has none).
Every value is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import polars as pl

from cpflag._errors import InputError
from cpflag.contract import Band
from cpflag.io import write_text
from cpflag.linkage import LinkageModel, default_model
from cpflag.report import charts
from cpflag.report._summary import NO_FLAG_MEANS, RunSummary

__all__ = ["WORKLIST_COLUMNS", "night_page", "read_flags", "write_night_page"]

#: The columns of the review worklist, in order (those present are shown).
WORKLIST_COLUMNS: Final = (
    "attendance_id",
    "flag",
    "plan_id",
    "la_code",
    "plan_type",
    "score",
    "check",
    "list_age_days",
)

_STYLE: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
th { background: #f3f3f3; } td.num { text-align: right; }
.note { border-left: 6px solid #2166ac; background: #eef4fa; padding: 0.6em 1em; }
.warn { border-left: 6px solid #b2182b; background: #fbeeee; padding: 0.6em 1em; }
tr.stale td { background: #fbeeee; }
img { max-width: 100%; display: block; margin: 1em 0; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f'<td class="num">{value:.2f}</td>'
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{_e(value)}</td>"


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], *, stale: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cls = ' class="stale"' if stale and row[header.index(stale)] else ""
        body.append(f"<tr{cls}>" + "".join(_cell(v) for v in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _image(chart: charts.Chart, alt_text: str) -> str:
    data = base64.b64encode(charts.svg(chart).encode("utf-8")).decode("ascii")
    return f'<img alt="{_e(alt_text)}" src="data:image/svg+xml;base64,{data}">'


def _summary_section(summary: Mapping[str, Any]) -> list[str]:
    out = ["<h2>Run summary</h2>"]
    facts = [
        ("as of", summary.get("as_of") or "unknown"),
        ("attendances read", summary.get("attendances")),
        ("candidate pairs compared", summary.get("candidate_pairs")),
        ("model", summary.get("model")),
        ("run time (s)", summary.get("seconds")),
    ]
    out.append(_table(["", "this run"], facts))
    flags = summary.get("flags") or {}
    if flags:
        bands = [str(b) for b in Band]
        out.append("<h3>Flags raised</h3>")
        out.append(
            _table(
                ["flag kind", *bands],
                [[k, *(v.get(b, 0) for b in bands)] for k, v in flags.items()],
            )
        )
    else:
        out.append("<p>Flags raised: none.</p>")
    rejects = summary.get("rejects") or {}
    if rejects:
        out.append("<h3>Rejected rows and ignored values</h3>")
        out.append(_table(["reason", "count"], sorted(rejects.items())))
    return out


def _lists_section(summary: Mapping[str, Any]) -> list[str]:
    lists = summary.get("lists") or []
    stale_after = summary.get("stale_after_days")
    out = [f"<h2>Lists loaded ({len(lists)})</h2>"]
    if stale_after is not None:
        out.append(f"<p>A list older than {_e(stale_after)} days is marked stale.</p>")
    rows = [
        [
            li.get("la_code"),
            li.get("list_date") or "unknown",
            "unknown" if li.get("age_days") is None else li.get("age_days"),
            "STALE" if li.get("stale") else "",
            li.get("plan_rows"),
            ", ".join(f"{k} {v}" for k, v in sorted((li.get("by_type") or {}).items())),
        ]
        for li in lists
    ]
    header = ["LA", "list date", "age (days)", "stale", "plan rows", "by type"]
    out.append(_table(header, rows, stale="stale"))
    return out


def _worklist_section(flags: pl.DataFrame) -> list[str]:
    review = flags.filter(pl.col("band") == Band.REVIEW) if flags.height else flags
    out = [f"<h2>Review worklist ({review.height})</h2>"]
    if review.height == 0:
        out.append("<p>No flag is in the review band tonight.</p>")
        return out
    out.append(
        "<p>Each review flag needs a person to look: the <em>check</em> column says what to "
        "verify before the flag is acted on or set aside.</p>"
    )
    cols = [c for c in WORKLIST_COLUMNS if c in review.columns]
    order = [c for c in ("flag", "score") if c in cols]
    rows = review.sort(order, descending=[False, True][: len(order)]).select(cols).rows()
    out.append(_table(cols, rows))
    return out


def night_page(
    flags: pl.DataFrame,
    summary: RunSummary | Mapping[str, Any],
    *,
    model: LinkageModel | None = None,
    title: str | None = None,
) -> str:
    """The night's report as one self-contained HTML page.

    Args:
        flags: The night's flags table (``run.flags``, or the file ``cpflag flag`` wrote).
        summary: The run summary (``run.summary``, or the JSON ``cpflag flag``
            wrote beside the flags, as a dict).
        model: The person model to chart (default: the shipped one).
        title: The page title (default: ``cpflag night report, <as of>``).

    Returns:
        The HTML text (UTF-8; SVG charts embedded as data URIs; no script).
    """
    info = summary.to_dict() if isinstance(summary, RunSummary) else summary
    as_of = info.get("as_of")
    if isinstance(as_of, dt.date):
        as_of = as_of.isoformat()
    heading = title or f"cpflag night report, {as_of or 'date unknown'}"
    body = [f"<h1>{_e(heading)}</h1>", f'<p class="note">{_e(NO_FLAG_MEANS)}</p>']
    missing = info.get("missing_las") or []
    if missing:
        body.append(
            f'<p class="warn">NO LIST LOADED for {_e(", ".join(missing))}: '
            "their children cannot be flagged on this run.</p>"
        )
    body += _summary_section(info)
    body += _lists_section(info)
    body.append("<h2>Charts</h2>")
    body.append(_image(charts.flags_chart(flags), "flags by kind, band and LA"))
    if flags.height:
        body.append(_image(charts.score_chart(flags), "scores of the flags raised, per kind"))
    chosen = model or default_model()
    body.append(_image(charts.model_chart(chosen), f"m, u and match weights of {chosen.name}"))
    body += _worklist_section(flags)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(heading)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def read_flags(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read a flags table ``cpflag flag`` wrote (``.csv`` or ``.parquet``).

    Args:
        path: The file.

    Returns:
        The flags table.

    Raises:
        InputError: The suffix is neither, or the table has no ``flag`` and
            ``band`` columns (the message names the file, never a value).
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".parquet":
        table = pl.read_parquet(target)
    elif suffix == ".csv":
        table = pl.read_csv(target, infer_schema_length=None)
    else:
        raise InputError(f"a flags table is .csv or .parquet, not {suffix!r}", source=str(target))
    missing = {"flag", "band", "la_code"} - set(table.columns)
    if missing:
        raise InputError(
            f"not a flags table: no column {', '.join(sorted(missing))}", source=str(target)
        )
    return table


def write_night_page(
    path: str | os.PathLike[str],
    flags: pl.DataFrame,
    summary: RunSummary | Mapping[str, Any],
    *,
    model: LinkageModel | None = None,
) -> Path:
    """Write :func:`night_page` to ``path`` atomically, owner-only.

    Args:
        path: The ``.html`` file to write.
        flags: As for :func:`night_page`.
        summary: As for :func:`night_page`.
        model: As for :func:`night_page`.

    Returns:
        The path written.
    """
    target = Path(path)
    write_text(target, night_page(flags, summary, model=model))
    return target
