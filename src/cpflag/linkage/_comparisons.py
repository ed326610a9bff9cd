"""Comparison kinds: a pair frame in, one level per pair out; the built-in person kinds.

A *pair frame* has one row per candidate pair, with the left record's prepared
columns prefixed ``l_`` and the right record's prefixed ``r_`` (see
``_prepare.PREPARED_COLUMNS``). Each comparison kind turns it into an ``Int8``
series of level indices: ``0`` is the strongest level, ``len(labels) - 1`` the
catch-all disagreement, and ``-1`` the null level (a value missing on either
side: no evidence either way).

Levels are tested strongest first and the first that holds wins, so the order
of the labels is part of the meaning. The built-in kinds are declared once
(:class:`~cpflag.linkage._levels.DeclaredKind`): the vectorised path and the
triage path's plain Python both read those declarations. A kind registered
with a vectorised function only (:func:`register_comparison_kind`) has no plain
form, and the triage path gives way to polars for a model using it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import polars as pl

from cpflag._errors import ModelError
from cpflag.linkage._expr import Expr, L, R, StrSlice, any_null, days_between
from cpflag.linkage._expr_match import CountTrue, ListContains, ListsIntersect, Similar
from cpflag.linkage._expr_py import LevelFn
from cpflag.linkage._levels import COLUMN, DeclaredKind

__all__ = [
    "CLOSE_GIVEN",
    "CLOSE_STRING",
    "COMPARISON_KINDS",
    "LEVEL_LABELS",
    "NEAR_DAYS",
    "PERSON_KINDS",
    "ComparisonFn",
    "both",
    "compute_levels",
    "declared_kind",
    "has_plain",
    "levels_expr",
    "lists_intersect",
    "plain_function",
    "plain_kinds",
    "plain_level",
    "register_comparison_kind",
    "register_declared_kind",
    "required_columns",
    "same",
]

#: Jaro--Winkler similarity at or above which two given names are "close".
CLOSE_GIVEN: Final = 0.88
#: ... two family names, or two values of a generic ``string`` comparison.
CLOSE_STRING: Final = 0.90
#: Dates of birth at most this many days apart are "near" (newborn records
#: carry the delivery date, which may differ by days from a registered date).
NEAR_DAYS: Final = 7

ComparisonFn = Callable[[pl.DataFrame, str | None], pl.Series]

LEVEL_LABELS: Final[dict[str, tuple[str, ...]]] = {}
COMPARISON_KINDS: Final[dict[str, ComparisonFn]] = {}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {}
#: Declared kinds, with the vectorised function registered for each.
_DECLARED: Final[dict[str, tuple[DeclaredKind, ComparisonFn]]] = {}


def levels_expr(conditions: list[pl.Expr], null: pl.Expr) -> pl.Expr:
    """``when(null) -1 .when(c0) 0 .when(c1) 1 ... otherwise(last)`` as Int8."""
    expr: Any = pl.when(null).then(pl.lit(-1, pl.Int8))
    for i, cond in enumerate(conditions):
        expr = expr.when(cond).then(pl.lit(i, pl.Int8))
    out: pl.Expr = expr.otherwise(pl.lit(len(conditions), pl.Int8)).cast(pl.Int8)
    return out


def lists_intersect(a: str, b: str) -> pl.Expr:
    """Polars: the lists in columns ``a`` and ``b`` share an element."""
    return pl.col(a).list.set_intersection(pl.col(b)).list.len().fill_null(0) > 0


def same(name: str) -> Expr:
    """The left and right values of column ``name`` are equal."""
    return L(name).eq(R(name))


def both(name: str) -> Expr:
    """Null where either record's ``name`` is null (the usual null condition)."""
    return any_null(L(name), R(name))


def _meet(name: str) -> Expr:
    return ListsIntersect(L(name), R(name))


_DOB_A, _DOB_B = L("dob_int"), R("dob_int")

PERSON_KINDS: Final[tuple[DeclaredKind, ...]] = (
    DeclaredKind("nhs_number", ("exact", "different"), (same("nhs"),), both("nhs"), ("nhs",)),
    DeclaredKind(
        "given_name",
        ("exact", "variant", "close", "phonetic", "initial", "different"),
        (
            same("given_first"),
            _meet("given_groups"),
            Similar(L("given_first"), R("given_first"), CLOSE_GIVEN, prefix=1),
            same("given_ph"),
            StrSlice(L("given_first"), 0, 1).eq(StrSlice(R("given_first"), 0, 1)),
        ),
        both("given_first"),
        ("given_first", "given_groups", "given_ph"),
        distinct=("given_first",),
        distinct_levels=5,
    ),
    DeclaredKind(
        "family_name",
        ("exact", "part", "close", "phonetic", "parent", "different"),
        (
            same("family"),
            _meet("family_parts"),
            Similar(L("family"), R("family"), CLOSE_STRING, prefix=1),
            _meet("family_ph_parts"),
            # "parent" (the attendee recorded under a parent's surname) depends on
            # the record's carer/mother, not on the surnames alone.
            ListsIntersect(L("family_parts"), R("parent_families"))
            | ListsIntersect(R("family_parts"), L("parent_families")),
        ),
        both("family"),
        ("family", "family_parts", "family_ph_parts", "parent_families"),
        distinct=("family",),
        distinct_levels=4,
    ),
    DeclaredKind(
        # Swapped when the left given name is one of the right's family-name parts
        # and vice versa, and the names do not simply agree in place.
        "name_swap",
        ("swapped", "not_swapped"),
        (
            ListContains(L("family_parts"), R("given_first")).fill_null(False)
            & ListContains(R("family_parts"), L("given_first")).fill_null(False)
            & L("given_first").ne(R("given_first")),
        ),
        any_null(L("given_first"), R("given_first"), L("family"), R("family")),
        ("given_first", "family", "family_parts"),
    ),
    DeclaredKind(
        "date_of_birth",
        ("exact", "swapped", "typo", "year_off", "near", "different"),
        (
            same("dob"),
            L("dob_swap").eq(R("dob")).fill_null(False),
            # One-character typo: exactly one of the eight digits of YYYYMMDD differs.
            CountTrue(
                tuple(((_DOB_A // 10**i) % 10).ne((_DOB_B // 10**i) % 10) for i in range(8))
            ).eq(1),
            ((_DOB_A % 10000).eq(_DOB_B % 10000)) & abs(_DOB_A // 10000 - _DOB_B // 10000).eq(1),
            abs(days_between(L("dob"), R("dob"))).le(NEAR_DAYS),
        ),
        both("dob"),
        ("dob", "dob_swap", "dob_int"),
    ),
    DeclaredKind("sex", ("exact", "different"), (same("sex"),), both("sex"), ("sex",)),
    DeclaredKind(
        "postcode",
        ("unit", "sector", "district", "different"),
        (same("postcode"), same("pc_sector"), same("pc_district")),
        both("pc_district"),
        ("postcode", "pc_sector", "pc_district"),
    ),
    DeclaredKind(
        "address",
        ("same_house", "same_street", "different"),
        (
            # The flat or house number matters: a block of flats is not a household.
            Similar(L("address_street"), R("address_street"), CLOSE_STRING, prefix=3)
            & same("address_numbers").fill_null(False),
            Similar(L("address_street"), R("address_street"), CLOSE_STRING, prefix=3),
        ),
        both("address_street"),
        ("address_street", "address_numbers"),
    ),
    DeclaredKind("exact", ("exact", "different"), (same(COLUMN),), both(COLUMN), (COLUMN,)),
    DeclaredKind(
        "string",
        ("exact", "close", "different"),
        (same(COLUMN), Similar(L(COLUMN), R(COLUMN), CLOSE_STRING)),
        both(COLUMN),
        (COLUMN,),
    ),
)


def required_columns(kind: str, column: str | None = None) -> tuple[str, ...]:
    """Prepared columns a comparison kind reads (without ``l_``/``r_`` prefixes).

    Raises:
        ModelError: Unknown kind, or a generic kind without a column.
    """
    if kind not in COMPARISON_KINDS:
        raise ModelError(f"unknown comparison kind {kind!r}; known: {sorted(COMPARISON_KINDS)}")
    required = _REQUIRED[kind]
    if COLUMN in required:
        if not column:
            raise ModelError(f"comparison kind {kind!r} needs a column")
        return tuple(column if c == COLUMN else c for c in required)
    return required


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
    """Add a comparison kind with a vectorised function (it has no plain form).

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


def register_declared_kind(decl: DeclaredKind) -> None:
    """Add a declared comparison kind: vectorised and plain readings of one declaration.

    Raises:
        ModelError: The kind exists already with other labels.
    """

    def fn(pairs: pl.DataFrame, column: str | None) -> pl.Series:
        return (decl.bind(str(column)) if decl.generic else decl).levels_of(pairs)

    register_comparison_kind(decl.kind, decl.labels, decl.required, fn)
    _DECLARED[decl.kind] = (decl, fn)


def declared_kind(kind: str) -> DeclaredKind | None:
    """The declaration of a kind whose registered function is still its declaration's."""
    entry = _DECLARED.get(kind)
    if entry is None or COMPARISON_KINDS.get(kind) is not entry[1]:
        return None
    return entry[0]


def has_plain(kind: str) -> bool:
    """Whether a comparison kind has a plain (one pair in Python) form: a declared kind."""
    return declared_kind(kind) is not None


def plain_kinds() -> frozenset[str]:
    """The registered kinds with a plain form."""
    return frozenset(k for k in COMPARISON_KINDS if has_plain(k))


def plain_function(kind: str, column: str | None = None) -> LevelFn | None:
    """``fn(left, right, column) -> level`` for one pair, or None (no plain form).

    For a generic kind the function compares ``column`` (None without one).
    """
    decl = declared_kind(kind)
    if decl is None or (decl.generic and not column):
        return None
    return (decl.bind(str(column)) if decl.generic else decl).plain()


def plain_level(
    kind: str, left: Mapping[str, Any], right: Mapping[str, Any], column: str | None = None
) -> int:
    """The level index of one pair (``-1`` = null level), as :func:`compute_levels` gives it.

    Raises:
        KeyError: The kind has no plain form.
    """
    fn = plain_function(kind, column)
    if fn is None:
        raise KeyError(kind)
    return fn(left, right, column)


for _decl in PERSON_KINDS:
    register_declared_kind(_decl)
