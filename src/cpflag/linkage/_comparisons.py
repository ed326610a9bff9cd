"""Vectorised comparison functions: a pair frame in, one level per pair out.

A *pair frame* has one row per candidate pair, with the left record's prepared
columns prefixed ``l_`` and the right record's prefixed ``r_`` (see
``_prepare.PREPARED_COLUMNS``). Each comparison kind turns it into an ``Int8``
series of level indices: ``0`` is the strongest level, ``len(labels) - 1`` the
catch-all disagreement, and ``-1`` the null level (a value missing on either
side: no evidence either way).

Levels are tested strongest first and the first that holds wins, so the order
of ``LEVEL_LABELS`` is part of the meaning. Expressions are polars; string
similarity uses rapidfuzz's ``process.cpdist`` over aligned columns, computed
only for pairs not already settled by a stronger level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from cpflag._errors import ModelError
from cpflag.linkage._distinct import on_distinct

__all__ = [
    "CLOSE_GIVEN",
    "CLOSE_STRING",
    "COMPARISON_KINDS",
    "LEVEL_LABELS",
    "NEAR_DAYS",
    "any_null",
    "compute_levels",
    "jaro_winkler",
    "levels_expr",
    "lists_intersect",
    "register_comparison_kind",
    "required_columns",
    "with_similarity",
]

#: Jaro--Winkler similarity at or above which two given names are "close".
CLOSE_GIVEN: Final = 0.88
#: ... two family names, or two values of a generic ``string`` comparison.
CLOSE_STRING: Final = 0.90
#: Dates of birth at most this many days apart are "near" (newborn records
#: carry the delivery date, which may differ by days from a registered date).
NEAR_DAYS: Final = 7

LEVEL_LABELS: Final[dict[str, tuple[str, ...]]] = {
    "nhs_number": ("exact", "different"),
    "given_name": ("exact", "variant", "close", "phonetic", "initial", "different"),
    "family_name": ("exact", "part", "close", "phonetic", "parent", "different"),
    "name_swap": ("swapped", "not_swapped"),
    "date_of_birth": ("exact", "swapped", "typo", "year_off", "near", "different"),
    "sex": ("exact", "different"),
    "postcode": ("unit", "sector", "district", "different"),
    "address": ("same_house", "same_street", "different"),
    "exact": ("exact", "different"),
    "string": ("exact", "close", "different"),
}


def jaro_winkler(left: pl.Series, right: pl.Series) -> np.ndarray:
    """Element-wise Jaro--Winkler similarity of two aligned string series.

    Nulls compare as empty strings (similarity 0 unless both are empty); callers
    mask null pairs out before using the result.
    """
    lv = left.fill_null("").to_list()
    rv = right.fill_null("").to_list()
    if not lv:
        return np.zeros(0, dtype=np.float64)
    out: np.ndarray = process.cpdist(
        lv, rv, scorer=JaroWinkler.normalized_similarity, workers=-1, dtype=np.float64
    )
    return out


def levels_expr(conditions: list[pl.Expr], null: pl.Expr) -> pl.Expr:
    """``when(null) -1 .when(c0) 0 .when(c1) 1 ... otherwise(last)`` as Int8."""
    expr: Any = pl.when(null).then(pl.lit(-1, pl.Int8))
    for i, cond in enumerate(conditions):
        expr = expr.when(cond).then(pl.lit(i, pl.Int8))
    out: pl.Expr = expr.otherwise(pl.lit(len(conditions), pl.Int8)).cast(pl.Int8)
    return out


def any_null(*cols: str) -> pl.Expr:
    out = pl.lit(False)
    for c in cols:
        out = out | pl.col(c).is_null()
    return out


def lists_intersect(a: str, b: str) -> pl.Expr:
    return pl.col(a).list.set_intersection(pl.col(b)).list.len().fill_null(0) > 0


def with_similarity(
    pairs: pl.DataFrame, left: str, right: str, settled: pl.Expr, name: str, *, prefix: int = 0
) -> pl.DataFrame:
    """Add column ``name``: Jaro--Winkler of ``left``/``right`` where not ``settled``.

    Pairs already settled by a stronger level get 0.0 without computing, and so
    do pairs whose first ``prefix`` characters differ: "close spelling" means a
    typo after the opening letters (a different first letter is left to the
    phonetic level). On large candidate sets this skips most of the work.
    """
    unsettled = ~settled
    if prefix:
        unsettled = unsettled & (
            pl.col(left).str.slice(0, prefix) == pl.col(right).str.slice(0, prefix)
        )
    mask = pairs.select(unsettled.fill_null(False)).to_series()
    sim = np.zeros(pairs.height, dtype=np.float64)
    if mask.any():
        idx = np.flatnonzero(mask.to_numpy())
        sub = pairs.select(left, right)[idx]
        sim[idx] = jaro_winkler(sub[left], sub[right])
    return pairs.with_columns(pl.Series(name, sim))


def _nhs_number(p: pl.DataFrame, _col: str | None) -> pl.Series:
    return p.select(
        levels_expr([pl.col("l_nhs") == pl.col("r_nhs")], any_null("l_nhs", "r_nhs"))
    ).to_series()


def _given_levels(p: pl.DataFrame) -> pl.Series:
    null = any_null("l_given_first", "r_given_first")
    exact = pl.col("l_given_first") == pl.col("r_given_first")
    # The list intersection is the costly test and both the similarity mask
    # and the levels need it: computed once.
    p = p.with_columns(lists_intersect("l_given_groups", "r_given_groups").alias("_variant"))
    variant = pl.col("_variant")
    p = with_similarity(
        p, "l_given_first", "r_given_first", null | exact | variant, "_sim", prefix=1
    )
    return p.select(
        levels_expr(
            [
                exact,
                variant,
                pl.col("_sim") >= CLOSE_GIVEN,
                pl.col("l_given_ph") == pl.col("r_given_ph"),
                pl.col("l_given_first").str.slice(0, 1) == pl.col("r_given_first").str.slice(0, 1),
            ],
            null,
        )
    ).to_series()


def _given_name(p: pl.DataFrame, _col: str | None) -> pl.Series:
    cols = [f"{s}_{c}" for s in "lr" for c in ("given_first", "given_groups", "given_ph")]
    return on_distinct(p, ["l_given_first", "r_given_first"], cols, _given_levels)


def _family_core(p: pl.DataFrame) -> pl.Series:
    """Levels exact/part/close/phonetic (0-3), 4 = none of them; -1 null."""
    null = any_null("l_family", "r_family")
    exact = pl.col("l_family") == pl.col("r_family")
    # Computed once: the similarity mask and the levels both need it.
    p = p.with_columns(lists_intersect("l_family_parts", "r_family_parts").alias("_part"))
    part = pl.col("_part")
    p = with_similarity(p, "l_family", "r_family", null | exact | part, "_sim", prefix=1)
    return p.select(
        levels_expr(
            [
                exact,
                part,
                pl.col("_sim") >= CLOSE_STRING,
                lists_intersect("l_family_ph_parts", "r_family_ph_parts"),
            ],
            null,
        )
    ).to_series()


def _family_name(p: pl.DataFrame, _col: str | None) -> pl.Series:
    cols = [f"{s}_{c}" for s in "lr" for c in ("family", "family_parts", "family_ph_parts")]
    core = on_distinct(p, ["l_family", "r_family"], cols, _family_core)
    # "parent" (the attendee recorded under a parent's surname) depends on the
    # record's carer/mother, not on the surnames alone: tested per pair, only
    # where no stronger level holds.
    parent = lists_intersect("l_family_parts", "r_parent_families") | lists_intersect(
        "r_family_parts", "l_parent_families"
    )
    return (
        p.select("l_family_parts", "r_family_parts", "l_parent_families", "r_parent_families")
        .with_columns(core.alias("_core"))
        .select(
            pl.when(pl.col("_core") == 4)
            .then(pl.when(parent).then(pl.lit(4, pl.Int8)).otherwise(pl.lit(5, pl.Int8)))
            .otherwise(pl.col("_core"))
            .cast(pl.Int8)
        )
        .to_series()
    )


def _name_swap(p: pl.DataFrame, _col: str | None) -> pl.Series:
    # Swapped when the left given name is one of the right's family-name parts
    # and vice versa, and the names do not simply agree in place.
    null = any_null("l_given_first", "r_given_first", "l_family", "r_family")
    swapped = (
        pl.col("l_family_parts").list.contains(pl.col("r_given_first")).fill_null(False)
        & pl.col("r_family_parts").list.contains(pl.col("l_given_first")).fill_null(False)
        & (pl.col("l_given_first") != pl.col("r_given_first"))
    )
    return p.select(levels_expr([swapped], null)).to_series()


def _date_of_birth(p: pl.DataFrame, _col: str | None) -> pl.Series:
    null = any_null("l_dob", "r_dob")
    # One-character typo: exactly one of the eight digits of YYYYMMDD differs
    # (integer arithmetic: much faster than slicing strings).
    a, b = pl.col("l_dob_int"), pl.col("r_dob_int")
    mismatches = pl.sum_horizontal(
        [((a // 10**i) % 10 != (b // 10**i) % 10).cast(pl.Int8) for i in range(8)]
    )
    days = (pl.col("l_dob") - pl.col("r_dob")).dt.total_days().abs()
    return p.select(
        levels_expr(
            [
                pl.col("l_dob") == pl.col("r_dob"),
                (pl.col("l_dob_swap") == pl.col("r_dob")).fill_null(False),
                mismatches == 1,
                ((a % 10000) == (b % 10000)) & ((a // 10000 - b // 10000).abs() == 1),
                days <= NEAR_DAYS,
            ],
            null,
        )
    ).to_series()


def _sex(p: pl.DataFrame, _col: str | None) -> pl.Series:
    return p.select(
        levels_expr([pl.col("l_sex") == pl.col("r_sex")], any_null("l_sex", "r_sex"))
    ).to_series()


def _postcode(p: pl.DataFrame, _col: str | None) -> pl.Series:
    return p.select(
        levels_expr(
            [
                pl.col("l_postcode") == pl.col("r_postcode"),
                pl.col("l_pc_sector") == pl.col("r_pc_sector"),
                pl.col("l_pc_district") == pl.col("r_pc_district"),
            ],
            any_null("l_pc_district", "r_pc_district"),
        )
    ).to_series()


def _address(p: pl.DataFrame, _col: str | None) -> pl.Series:
    null = any_null("l_address_street", "r_address_street")
    p = with_similarity(p, "l_address_street", "r_address_street", null, "_sim", prefix=3)
    same_street = pl.col("_sim") >= CLOSE_STRING
    # The flat or house number matters: a block of flats is not a household.
    same_numbers = (pl.col("l_address_numbers") == pl.col("r_address_numbers")).fill_null(False)
    return p.select(levels_expr([same_street & same_numbers, same_street], null)).to_series()


def _exact(p: pl.DataFrame, col: str | None) -> pl.Series:
    lc, rc = f"l_{col}", f"r_{col}"
    return p.select(levels_expr([pl.col(lc) == pl.col(rc)], any_null(lc, rc))).to_series()


def _string(p: pl.DataFrame, col: str | None) -> pl.Series:
    lc, rc = f"l_{col}", f"r_{col}"
    null = any_null(lc, rc)
    exact = pl.col(lc) == pl.col(rc)
    p = with_similarity(
        p.with_columns(pl.col(lc).cast(pl.String), pl.col(rc).cast(pl.String)),
        lc,
        rc,
        null | exact,
        "_sim",
    )
    return p.select(levels_expr([exact, pl.col("_sim") >= CLOSE_STRING], null)).to_series()


ComparisonFn = Callable[[pl.DataFrame, str | None], pl.Series]

COMPARISON_KINDS: Final[dict[str, ComparisonFn]] = {
    "nhs_number": _nhs_number,
    "given_name": _given_name,
    "family_name": _family_name,
    "name_swap": _name_swap,
    "date_of_birth": _date_of_birth,
    "sex": _sex,
    "postcode": _postcode,
    "address": _address,
    "exact": _exact,
    "string": _string,
}

_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "nhs_number": ("nhs",),
    "given_name": ("given_first", "given_groups", "given_ph"),
    "family_name": ("family", "family_parts", "family_ph_parts", "parent_families"),
    "name_swap": ("given_first", "family", "family_parts"),
    "date_of_birth": ("dob", "dob_swap", "dob_int"),
    "sex": ("sex",),
    "postcode": ("postcode", "pc_sector", "pc_district"),
    "address": ("address_street", "address_numbers"),
}


def required_columns(kind: str, column: str | None = None) -> tuple[str, ...]:
    """Prepared columns a comparison kind reads (without ``l_``/``r_`` prefixes).

    Raises:
        ModelError: Unknown kind, or a generic kind without a column.
    """
    if kind not in COMPARISON_KINDS:
        raise ModelError(f"unknown comparison kind {kind!r}; known: {sorted(COMPARISON_KINDS)}")
    if kind in ("exact", "string"):
        if not column:
            raise ModelError(f"comparison kind {kind!r} needs a column")
        return (column,)
    return _REQUIRED[kind]


def compute_levels(pairs: pl.DataFrame, kind: str, column: str | None = None) -> pl.Series:
    """Level index per pair (``Int8``; ``-1`` = null level) for one comparison kind.

    Raises:
        ModelError: Unknown kind.
    """
    required_columns(kind, column)
    return COMPARISON_KINDS[kind](pairs, column)


def register_comparison_kind(
    kind: str, labels: tuple[str, ...], required: tuple[str, ...], fn: ComparisonFn
) -> None:
    """Add a comparison kind (used for cpflag's relationship comparisons).

    Args:
        kind: The kind's name, as used in ``Comparison.kind``.
        labels: Its level labels, strongest first, the catch-all last.
        required: Prepared columns it reads (without ``l_``/``r_``).
        fn: ``fn(pair_frame, column) -> Int8 series`` of level indices (-1 = null).

    Raises:
        ModelError: The kind exists already with other labels.
    """
    if kind in LEVEL_LABELS and LEVEL_LABELS[kind] != labels:
        raise ModelError(f"comparison kind {kind!r} is already registered with other levels")
    LEVEL_LABELS[kind] = labels
    _REQUIRED[kind] = required
    COMPARISON_KINDS[kind] = fn
