"""The audit as a chart (the optional ``charts`` extra): ``cpflag audit --chart``.

:func:`audit_chart` draws, from an audit (``cpflag.loop.audit``):

* per month of arrival, the flags raised, how many a person reviewed, and of
  those how many were confirmed and how many rejected (all LAs and kinds);
* the calibration table from real decisions: per ``match_probability``
  decile, the confirmed share against the mean probability, each point
  sized by the decisions in it, beside the diagonal a calibrated model
  would follow.

Save it with :func:`cpflag.report.charts.save` (``.html``, ``.png``, ``.svg``).
It counts; it names no child. Shares are of the decided flags only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import polars as pl

from cpflag._errors import ConfigError

try:
    import altair as alt
except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
    raise ConfigError(
        'charts need the optional extra: pip install "cpflag[charts]" (altair, vl-convert-python)'
    ) from exc

if TYPE_CHECKING:
    from cpflag.loop import AuditReport

__all__ = ["audit_chart"]

#: The per-month measures, in the order drawn, and their colours.
_MEASURES: Final = {
    "flags": "#2166ac",
    "reviewed": "#92c5de",
    "confirmed": "#1b7837",
    "rejected": "#b2182b",
}
_WIDTH: Final = 420


def _rows(frame: pl.DataFrame) -> alt.Data:
    values: list[dict[str, Any]] = frame.to_dicts()
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _monthly(by_month: pl.DataFrame) -> alt.Chart:
    totals = (
        by_month.group_by("month")
        .agg(pl.col(m).sum() for m in _MEASURES)
        .sort("month")
        .unpivot(index="month", on=list(_MEASURES), variable_name="measure", value_name="count")
    )
    colour = alt.Color(
        "measure:N",
        scale=alt.Scale(domain=list(_MEASURES), range=list(_MEASURES.values())),
        sort=list(_MEASURES),
        title=None,
    )
    chart: alt.Chart = (
        alt.Chart(
            _rows(totals),
            title="Flags and decisions per month of arrival",
            width=_WIDTH,
            height=260,
        )
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="month"),
            xOffset=alt.XOffset("measure:N", sort=list(_MEASURES)),
            y=alt.Y("count:Q", title="flags"),
            color=colour,
            tooltip=["month:O", "measure:N", "count:Q"],
        )
    )
    return chart


def _calibration(by_decile: pl.DataFrame) -> alt.LayerChart | alt.FacetChart:
    diagonal = pl.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})
    axis = alt.Scale(domain=[0, 1])
    line = (
        alt.Chart(_rows(diagonal))
        .mark_line(strokeDash=[4, 4], color="#888888")
        .encode(x=alt.X("x:Q", scale=axis), y=alt.Y("y:Q", scale=axis))
    )
    points = (
        alt.Chart(_rows(by_decile))
        .mark_circle(color="#d6604d", opacity=0.85)
        .encode(
            x=alt.X("mean_probability:Q", scale=axis, title="mean match_probability"),
            y=alt.Y("confirmed_share:Q", scale=axis, title="confirmed share"),
            size=alt.Size("decided:Q", title="decided"),
            tooltip=["decile:O", "decided:Q", "mean_probability:Q", "confirmed_share:Q"],
        )
    )
    return alt.layer(
        line, points, width=260, height=260, title="Calibration from decisions (per decile)"
    )


def audit_chart(report: AuditReport) -> alt.HConcatChart:
    """The audit's flags and decisions per month, and its calibration table.

    Args:
        report: What :func:`cpflag.loop.audit` returned.

    Returns:
        Two charts side by side: grouped bars per month (flags, reviewed,
        confirmed, rejected) and the calibration points per decile.
    """
    return alt.hconcat(_monthly(report.by_month), _calibration(report.by_decile))
