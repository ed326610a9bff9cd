"""Fellegi--Sunter scoring of candidate pairs, with term-frequency adjustment.

Each comparison gives a level per pair (``gamma_<name>``), each level a weight
``log2(m/u)`` (``w_<name>``; the null level weighs 0), and a pair's match weight
is the model's prior weight plus the sum. For a level marked ``tf_adjust``, the
``u`` of the pair's agreed value is its frequency in the reference table (the
plan index when linking, the table itself when de-duplicating), floored at the
comparison's ``tf_minimum``: agreeing on "Smith" counts for less than agreeing
on "Okafor". The same numbers feed the flags' ``reasons`` and the waterfall.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import polars as pl

from cpflag._errors import ModelError
from cpflag.linkage._comparisons import LEVEL_LABELS, compute_levels, required_columns
from cpflag.linkage._model import Comparison, LinkageModel

__all__ = [
    "check_level_labels",
    "compute_gammas",
    "pair_frame",
    "reasons_expr",
    "score_gammas",
    "term_frequencies",
]


def _model_columns(model: LinkageModel) -> list[str]:
    cols: list[str] = []
    for c in model.comparisons:
        extra = [x for x in (c.tf_column, c.u_column) if x]
        for col in (*required_columns(c.kind, c.column), *extra):
            if col not in cols:
                cols.append(col)
    return cols


def pair_frame(
    left: pl.DataFrame, right: pl.DataFrame, pairs: pl.DataFrame, model: LinkageModel
) -> pl.DataFrame:
    """Gather the model's columns of both records of each pair, side by side.

    ``rec`` equals the row position in a prepared frame, so gathering is a
    positional take rather than a join.
    """
    cols = _model_columns(model)
    # Relationship comparisons read some columns from one side only (a plan's
    # mother has no "mother"), so each side gathers the columns it has.
    lf = left.select([pl.col(c).alias(f"l_{c}") for c in cols if c in left.columns])[pairs["l"]]
    rf = right.select([pl.col(c).alias(f"r_{c}") for c in cols if c in right.columns])[pairs["r"]]
    return pl.concat([pairs, lf, rf], how="horizontal")


def check_level_labels(model: LinkageModel) -> None:
    """Raise unless every comparison has its kind's own levels.

    A kind's level function returns positions, so the labels (and their m and
    u) must be the kind's, in its order.

    Raises:
        ModelError: A comparison whose labels are not its kind's.
    """
    for c in model.comparisons:
        labels = LEVEL_LABELS.get(c.kind, ())
        if c.labels != labels:
            raise ModelError(
                f"comparison {c.name!r} of kind {c.kind!r} must have levels {list(labels)}, "
                f"got {list(c.labels)}"
            )


def compute_gammas(pf: pl.DataFrame, model: LinkageModel) -> pl.DataFrame:
    """Add ``gamma_<name>`` (Int8 level index, -1 = null) for every comparison."""
    check_level_labels(model)
    return pf.with_columns(
        [compute_levels(pf, c.kind, c.column).alias(f"gamma_{c.name}") for c in model.comparisons]
    )


def term_frequencies(
    reference: pl.DataFrame,
    model: LinkageModel,
    *,
    column_references: Mapping[str, pl.Series] | None = None,
) -> dict[str, pl.DataFrame]:
    """Relative frequency of each value of every TF-adjusted comparison's column.

    Args:
        reference: The sample the frequencies are taken in (its ``tf_column``s).
        model: The model whose adjusted comparisons need tables.
        column_references: Another sample for some columns (by column name),
            e.g. the parents' surnames where the compared surname is a parent's.

    Returns:
        ``{comparison name: frame(value, tf)}``.
    """
    others = column_references or {}
    return {
        c.name: _frequency_table(
            others[c.tf_column] if c.tf_column in others else reference[c.tf_column], c
        )
        for c in model.comparisons
        if c.tf_column and any(lv.tf_adjust for lv in c.levels)
    }


def _frequency_table(values: pl.Series, comparison: Comparison) -> pl.DataFrame:
    """``frame(value, tf)``: the shrunk relative frequency of each of ``values``.

    Args:
        values: The reference sample of the comparison's ``tf_column``.
        comparison: A comparison with a term-frequency-adjusted level.
    """
    vals = values.drop_nulls()
    n = vals.len()
    # Shrink observed frequencies towards the level's u with
    # ``tf_prior_strength`` pseudo-records: a short list (a few hundred
    # plans) says little about how common a name is, a national one a lot.
    k = comparison.tf_prior_strength
    u = next(lv.u for lv in comparison.levels if lv.tf_adjust)
    return (
        vals.value_counts(name="n")
        .rename({vals.name: "value"})
        .select("value", ((pl.col("n") + k * u) / (n + k)).alias("tf"))
    )


def _weights_for(c: Comparison, gamma: np.ndarray) -> np.ndarray:
    # The null level (-1) indexes the trailing 0.0: numpy's negative indexing
    # saves a pass over the pairs.
    table = np.array([lv.weight for lv in c.levels] + [0.0])
    out: np.ndarray = table[gamma]
    return out


def _tf_of(
    pf: pl.DataFrame, column: str, table: pl.DataFrame, rows: np.ndarray, floor: float
) -> np.ndarray:
    """The TF of the right-hand value of the pairs at ``rows`` (null: ``floor``).

    Looked up only where a TF-adjusted level holds (a few per cent of the
    pairs): the string join is the costly part.
    """
    values = pf.select(pl.col(column).alias("value"))[rows]
    tf = values.join(table, on="value", how="left", maintain_order="left")["tf"]
    out: np.ndarray = tf.fill_null(floor).to_numpy()
    return out


def score_gammas(
    pf: pl.DataFrame,
    model: LinkageModel,
    tf_tables: Mapping[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Add ``w_<name>``, ``match_weight``, ``match_probability`` and ``capped``.

    Args:
        pf: A pair frame with ``gamma_<name>`` columns (and the TF columns).
        model: The model whose parameters to apply.
        tf_tables: From :func:`term_frequencies`; without them no TF adjustment.

    Returns:
        ``pf`` with the weight columns; ``guard`` names the first guard that
        applies (null where none does) and ``capped`` is True where one does.
    """
    tf_tables = tf_tables or {}
    weight_cols = []
    total = np.full(pf.height, model.prior_weight, dtype=np.float64)
    for c in model.comparisons:
        gamma = pf[f"gamma_{c.name}"].to_numpy()
        w = _weights_for(c, gamma)
        adjusted = [i for i, lv in enumerate(c.levels) if lv.tf_adjust]
        if c.name in tf_tables and c.tf_column and adjusted:
            rows = np.flatnonzero(np.isin(gamma, adjusted))
            if rows.size:
                tf = _tf_of(pf, f"r_{c.tf_column}", tf_tables[c.name], rows, c.tf_minimum)
                tf = np.maximum(tf, c.tf_minimum)
                g = gamma[rows]
                for i in adjusted:
                    sel = g == i
                    w[rows[sel]] = math.log2(c.levels[i].m) - np.log2(tf[sel])
        if c.u_column and f"r_{c.u_column}" in pf.columns:
            u_rec = pf[f"r_{c.u_column}"].fill_null(1.0).to_numpy()
            u_rec = np.maximum(u_rec, c.tf_minimum)
            for i, lv in enumerate(c.levels):
                if lv.tf_adjust:
                    sel = (gamma == i) & (u_rec < 1.0)
                    w[sel] = math.log2(lv.m) - np.log2(u_rec[sel])
        total += w
        weight_cols.append(pl.Series(f"w_{c.name}", w))
    # Index of the guard that names the cap per pair, -1 for none: the first
    # guard in model order wins, so later guards are applied first.
    code = np.full(pf.height, -1, dtype=np.int8)
    for gi in reversed(range(len(model.guards))):
        hit = np.ones(pf.height, dtype=bool)
        for cname, labels in model.guards[gi].when.items():
            comp = model.comparison(cname)
            # A look-up table over the levels (index -1 = null) instead of np.isin.
            allowed = np.zeros(len(comp.labels) + 1, dtype=bool)
            allowed[[-1 if lb == "null" else comp.labels.index(lb) for lb in labels]] = True
            hit &= allowed[pf[f"gamma_{cname}"].to_numpy()]
        code[hit] = gi
    guard_s = (
        pl.Series("guard", code)
        .replace_strict(
            list(range(len(model.guards))),
            [g.name for g in model.guards],
            default=None,
            return_dtype=pl.String,
        )
        .rename("guard")
    )
    return pf.with_columns(
        *weight_cols,
        pl.Series("match_weight", total),
        pl.Series("match_probability", 1.0 / (1.0 + np.exp2(-total))),
        guard_s,
        guard_s.is_not_null().alias("capped"),
    )


def reasons_expr(model: LinkageModel) -> pl.Expr:
    """A string expression naming every non-null level with its weight.

    E.g. ``nhs_number exact (+19.9); date_of_birth day/month swapped (+6.6)``.
    """
    pieces = []
    for c in model.comparisons:
        desc = {i: (lv.description or f"{c.name} {lv.label}") for i, lv in enumerate(c.levels)}
        label = pl.col(f"gamma_{c.name}").replace_strict(desc, default=None, return_dtype=pl.String)
        w = pl.col(f"w_{c.name}").round(1)
        sign = pl.when(w >= 0).then(pl.lit("+")).otherwise(pl.lit(""))
        piece = pl.format("{} ({}{})", label, sign, w)
        # Levels that weigh nothing (e.g. "names in place") are left out of the
        # short reasons; the waterfall shows every step.
        shown = (pl.col(f"gamma_{c.name}") >= 0) & (w.abs() >= 0.05)
        pieces.append(pl.when(shown).then(piece))
    return pl.concat_str(pieces, separator="; ", ignore_nulls=True)
