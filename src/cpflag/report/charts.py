"""Charts of a flag, a model and a night, with Altair (the optional ``charts`` extra).

Each function returns an Altair chart (a Vega-Lite spec); :func:`save` writes it
as self-contained HTML (the Vega scripts inlined, no network needed to view it),
PNG or SVG -- rendered by vl-convert, without a browser.

- :func:`waterfall_chart` -- the score waterfall of one attendance--plan pair
  (:func:`cpflag.explain`): the prior, then each comparison's weight, to the total;
- :func:`model_chart` -- a model's m and u and the match weight of each
  comparison level;
- :func:`flags_chart` -- a night's flags counted by kind, band and LA;
- :func:`score_chart` -- the distribution of scores per flag kind and band.

A chart carries record ids (attendance, plan, LA code), comparison names and
numbers; never a name, date of birth, NHS number or postcode: the waterfall's
compared values (``explain(..., show_values=True)``) are not drawn. A chart of
flags shows only the flags raised: an attendance absent from it was not found
on the lists loaded, which says nothing about whether the child is safe.

Install with ``pip install "cpflag[charts]"``; without it, importing this
module raises :class:`~cpflag.ConfigError` saying so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import polars as pl

from cpflag._errors import ConfigError
from cpflag.io._write import atomic_file
from cpflag.report._summary import NO_FLAG_MEANS

try:
    import altair as alt
    import vl_convert as vlc
except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
    raise ConfigError(
        'charts need the optional extra: pip install "cpflag[charts]" (altair, vl-convert-python)'
    ) from exc

if TYPE_CHECKING:
    from cpflag.linkage import LinkageModel
    from cpflag.report._explain import Waterfall

__all__ = [
    "CHART_SUFFIXES",
    "Chart",
    "flags_chart",
    "model_chart",
    "save",
    "score_chart",
    "svg",
    "to_png",
    "waterfall_chart",
]

#: Any chart these functions return.
Chart: TypeAlias = alt.Chart | alt.LayerChart | alt.HConcatChart | alt.VConcatChart | alt.FacetChart

#: The suffixes :func:`save` writes.
CHART_SUFFIXES: Final = (".html", ".png", ".svg")

#: Colours: weight for / against a match, the total; the two bands.
_FOR, _AGAINST, _TOTAL = "#1b7837", "#b2182b", "#2166ac"
_BANDS: Final = {"match": "#d6604d", "review": "#f4a582"}
_WIDTH: Final = 560


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    """Inline data values (Altair's ``Data`` is untyped)."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _band_scale() -> alt.Scale:
    return alt.Scale(domain=list(_BANDS), range=list(_BANDS.values()))


def waterfall_chart(waterfall: Waterfall) -> alt.LayerChart:
    """The score waterfall of one pair: each step's weight as a bar from the running total.

    Args:
        waterfall: What :func:`cpflag.explain` returned.

    Returns:
        A layered bar chart: the prior and each comparison (green for, red
        against), then the final match weight (blue), with the band in the title.
    """
    rows: list[dict[str, Any]] = []
    for r in waterfall.table.select(
        "step", "comparison", "level", "weight", "cumulative"
    ).iter_rows(named=True):
        label = r["comparison"] if not r["level"] else f"{r['comparison']}: {r['level']}"
        rows.append(
            {
                "order": r["step"],
                "step": label,
                "start": r["cumulative"] - r["weight"],
                "end": r["cumulative"],
                "weight": round(r["weight"], 3),
                "effect": "for" if r["weight"] >= 0 else "against",
            }
        )
    rows.append(
        {
            "order": len(rows),
            "step": "match weight",
            "start": 0.0,
            "end": waterfall.match_weight,
            "weight": round(waterfall.match_weight, 3),
            "effect": "total",
        }
    )
    band = waterfall.band or "below the review threshold"
    title = alt.TitleParams(
        f"attendance {waterfall.attendance_id} vs plan {waterfall.plan_id}",
        subtitle=[
            f"match weight {waterfall.match_weight:+.2f} "
            f"(probability {waterfall.match_probability:.4f}): {band}",
            *([f"capped at review by the {waterfall.guard} guard"] if waterfall.guard else []),
            *([f"check: {waterfall.check}"] if waterfall.check else []),
        ],
    )
    base = alt.Chart(_data(rows), title=title, width=_WIDTH, height=300)
    steps = alt.X("step:N", sort=[r["step"] for r in rows], title=None)
    bars = base.mark_bar().encode(
        x=steps,
        y=alt.Y("start:Q", title="match weight (bits)"),
        y2="end:Q",
        color=alt.Color(
            "effect:N",
            scale=alt.Scale(domain=["for", "against", "total"], range=[_FOR, _AGAINST, _TOTAL]),
            title=None,
        ),
        tooltip=["step:N", "weight:Q", alt.Tooltip("end:Q", title="running total", format="+.2f")],
    )
    zero = base.mark_rule(color="#555").encode(y=alt.datum(0))
    return alt.LayerChart(layer=[bars, zero])


def _model_rows(model: LinkageModel) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in model.comparisons:
        for i, lv in enumerate(c.levels):
            label = f"{c.name}: {lv.label}" + (" (tf)" if lv.tf_adjust else "")
            rows.append(
                {
                    "order": len(rows),
                    "comparison": c.name,
                    "level": label,
                    "rank": i,
                    "m": lv.m,
                    "u": lv.u,
                    "weight": round(lv.weight, 3),
                    "effect": "for" if lv.weight >= 0 else "against",
                    "description": lv.description or lv.label,
                }
            )
    return rows


def model_chart(model: LinkageModel) -> alt.HConcatChart:
    """A model's parameters: m and u, and the match weight ``log2(m/u)``, per comparison level.

    Args:
        model: The model (``cpflag.default_model()``, a trained one, a relationship model).

    Returns:
        Two panels side by side sharing the level axis: the match weight of each
        level, and its m and u probabilities (log scale). ``(tf)`` marks a
        term-frequency-adjusted level, whose u (and so weight) varies by value.
    """
    rows = _model_rows(model)
    order = [r["level"] for r in rows]
    tooltip = ["level:N", "description:N", "m:Q", "u:Q", "weight:Q"]
    weights = (
        alt.Chart(_data(rows), title="match weight per level", width=260)
        .mark_bar()
        .encode(
            y=alt.Y("level:N", sort=order, title=None),
            x=alt.X("weight:Q", title="log2(m/u), bits"),
            color=alt.Color(
                "effect:N",
                scale=alt.Scale(domain=["for", "against"], range=[_FOR, _AGAINST]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    long = [
        {**r, "parameter": p, "probability": r[p]} for r in rows for p in ("m", "u") if r[p] > 0
    ]
    probs = (
        alt.Chart(_data(long), title="m and u per level", width=260)
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            y=alt.Y("level:N", sort=order, axis=alt.Axis(labels=False, title=None)),
            x=alt.X(
                "probability:Q",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(tickCount=6, format="~g"),
                title="probability (log)",
            ),
            color=alt.Color("parameter:N", title=None),
            tooltip=tooltip,
        )
    )
    chart: alt.HConcatChart = alt.hconcat(
        weights, probs, title=f"model: {model.name}"
    ).resolve_scale(y="shared", color="independent")
    return chart


def _flag_rows(flags: pl.DataFrame) -> list[dict[str, Any]]:
    if flags.height == 0:
        return []
    return (
        flags.group_by("flag", "band", "la_code")
        .len("flags")
        .sort("flag", "band", "la_code")
        .to_dicts()
    )


def flags_chart(flags: pl.DataFrame) -> alt.HConcatChart:
    """A night's flags counted by kind and band, and by LA and band.

    Args:
        flags: The flags table (``flag``, ``band``, ``la_code`` are used).

    Returns:
        Two stacked bar charts side by side, with the note that an absent
        attendance was only not found on the lists loaded.
    """
    data = _data(_flag_rows(flags))
    color = alt.Color("band:N", scale=_band_scale(), title="band")
    by_kind = (
        alt.Chart(data, title="flags by kind", width=260)
        .mark_bar()
        .encode(
            y=alt.Y("flag:N", title=None),
            x=alt.X("sum(flags):Q", title="flags"),
            color=color,
            tooltip=["flag:N", "band:N", "sum(flags):Q"],
        )
    )
    by_la = (
        alt.Chart(data, title="flags by LA", width=260)
        .mark_bar()
        .encode(
            y=alt.Y("la_code:N", title=None),
            x=alt.X("sum(flags):Q", title="flags"),
            color=color,
            tooltip=["la_code:N", "band:N", "sum(flags):Q"],
        )
    )
    title = alt.TitleParams(f"{flags.height} flags", subtitle=[NO_FLAG_MEANS])
    return alt.hconcat(by_kind, by_la, title=title)


def score_chart(flags: pl.DataFrame) -> alt.FacetChart:
    """The distribution of the flags' scores, one panel per flag kind, coloured by band.

    Args:
        flags: The flags table (``flag``, ``band``, ``score``; rows without a
            score, the repeat-attendance counts, are left out).

    Returns:
        Histograms of the match weight, one row per kind.
    """
    rows = (
        flags.filter(pl.col("score").is_not_null()).select("flag", "band", "score").to_dicts()
        if flags.height
        else []
    )
    base = alt.Chart(_data(rows), width=_WIDTH, height=90)
    hist = base.mark_bar(opacity=0.85).encode(
        x=alt.X("score:Q", bin=alt.Bin(maxbins=40), title="score (match weight, bits)"),
        y=alt.Y("count():Q", stack=True, title="flags"),
        color=alt.Color("band:N", scale=_band_scale(), title="band"),
        tooltip=["band:N", "count():Q"],
    )
    chart: alt.FacetChart = hist.facet(
        row=alt.Row("flag:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        title="scores of the flags raised",
    )
    return chart


def to_png(chart: Chart, *, scale: float = 1.0) -> bytes:
    """The chart rendered to PNG by vl-convert (no browser).

    Args:
        chart: Any chart of this module.
        scale: Pixel scale (2 for a sharper image).

    Returns:
        The PNG bytes.
    """
    return bytes(vlc.vegalite_to_png(chart.to_dict(), scale=scale))


def svg(chart: Chart) -> str:
    """The chart rendered to SVG text by vl-convert (no browser, no script).

    Args:
        chart: Any chart of this module.

    Returns:
        An ``<svg>`` document, to embed in a page or write to a file.
    """
    return str(vlc.vegalite_to_svg(chart.to_dict()))


def _html(chart: Chart) -> str:
    """A self-contained page: the Vega scripts inlined (from vl-convert), no network."""
    return str(vlc.vegalite_to_html(chart.to_dict(), bundle=True))


def save(chart: Chart, path: str | os.PathLike[str]) -> Path:
    """Write the chart, the format chosen by the suffix, atomically.

    Args:
        chart: Any chart of this module.
        path: ``.html`` (self-contained, interactive), ``.png`` or ``.svg``.

    Returns:
        The path written.

    Raises:
        ConfigError: The suffix is not one of :data:`CHART_SUFFIXES`.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ConfigError(
            f"{target}: a chart is written as {', '.join(CHART_SUFFIXES)}, "
            f"not {suffix or '(no suffix)'!r}"
        )
    if suffix == ".png":
        data = to_png(chart, scale=2.0)
    else:
        data = (_html(chart) if suffix == ".html" else svg(chart)).encode("utf-8")
    with atomic_file(target) as fh:
        fh.write(data)
    return target
