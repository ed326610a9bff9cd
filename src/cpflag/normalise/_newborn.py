"""Newborn placeholder names: "Baby", "Baby of Smith", "Twin 1", "Smith (baby of)".

A newborn is registered before it has a name: the given name is a placeholder
and the family name is the mother's (which may later change). The recognised
forms, after folding (lower-case ASCII, punctuation as spaces, digits kept, and
"B/O" read as "baby of"), are:

- head words: ``baby``, ``babyboy``, ``babygirl``, ``infant``, ``newborn``,
  ``new born``, ``unborn``, ``twin``, ``triplet``, ``bb``, ``bg``; several may
  follow each other and be mixed with a sex word (``boy``, ``girl``, ``male``,
  ``female``): "Baby Boy", "Unborn Baby", "Baby Twin";
- then an optional twin marker: ``a``/``b``/``c``, ``1``/``2``/``3`` (may be
  glued: "Twin1"), ``one``/``two``/``three``; then an optional sex word;
- prefix form: heads [marker] [sex] [``of``] [surname] [``twin`` marker], e.g.
  "Baby", "Baby A", "Baby of Smith", "BABY OF SMITH-JONES", "Twin 1 of Smith",
  "Baby A Smith", "Baby of Smith Twin 2";
- suffix form: surname heads [marker] [sex] ``of``, e.g. "Smith (baby of)".

Words are matched whole, so "Babylon" or "Abbey" never match. A family field
that is only a head word ("Baby") counts as a placeholder only when the given
name is blank or a placeholder too: "Baby" is a real given name and surname in
Kerala naming. For the same reason a caller should trust a placeholder only on
the record of a young infant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from cpflag.normalise._distinct import MIN_ROWS, on_distinct
from cpflag.normalise._names import finish_name_expr
from cpflag.normalise._text import drop_digits_expr, fold

__all__ = ["HEAD_WORDS", "SEX_WORDS", "parse_newborn_placeholder"]

#: Placeholder head words (whole words after folding).
HEAD_WORDS: Final = (
    "baby", "babyboy", "babygirl", "infant", "newborn", "new born", "unborn",
    "twin", "triplet", "bb", "bg",
)  # fmt: skip
#: Sex words allowed among and after the head words.
SEX_WORDS: Final = ("boy", "girl", "male", "female")

_HEAD: Final = "(?:" + "|".join(HEAD_WORDS) + ")"
_SEX: Final = "(?:" + "|".join(SEX_WORDS) + ")"
_HEADS: Final = rf"{_HEAD}(?: (?:{_HEAD}|{_SEX}))*"


def _marker(n: str) -> str:
    return rf"(?: (?P<mark{n}>[abc]|one|two|three)| ?(?P<markd{n}>[123]))"


_PREFIX_RE: Final = (
    rf"^(?P<hit>){_HEADS}{_marker('')}?(?: {_SEX})?(?: (?P<of>of))?(?: (?P<rest>.+?))?"
    rf"(?: (?:twin|triplet){_marker('2')})?$"
)
_SUFFIX_RE: Final = rf"^(?P<hit>)(?P<rest>.+?) {_HEADS}{_marker('')}?(?: {_SEX})? of$"
_BABY_OF_RE: Final = r"(^|[^A-Za-z0-9])[Bb] ?/ ?[Oo]([^A-Za-z0-9]|$)"
_WORD_MARKERS: Final = {"one": "1", "two": "2", "three": "3"}


def _parse(df: pl.LazyFrame, col: str) -> pl.LazyFrame:
    """Add ``{col}_pre``/``_suf`` (which form matched), ``_rest``, ``_of``, ``_mark``."""
    clean = pl.col(col)
    df = df.with_columns(
        clean.str.extract_groups(_PREFIX_RE).alias("pre"),
        clean.str.extract_groups(_SUFFIX_RE).alias("suf"),
    )
    # The empty "hit" group takes part in every match: non-null means matched.
    pre, suf = pl.col("pre").struct, pl.col("suf").struct
    df = df.with_columns(
        pre.field("hit").is_not_null().alias(f"{col}_pre"),
        (pre.field("hit").is_null() & suf.field("hit").is_not_null()).alias(f"{col}_suf"),
    )
    pre_ok, suf_ok = pl.col(f"{col}_pre"), pl.col(f"{col}_suf")
    mark = pl.coalesce(
        pl.when(pre_ok).then(
            pl.coalesce(
                pre.field("mark"), pre.field("markd"), pre.field("mark2"), pre.field("markd2")
            )
        ),
        pl.when(suf_ok).then(pl.coalesce(suf.field("mark"), suf.field("markd"))),
    ).replace(_WORD_MARKERS)
    return df.with_columns(
        pl.when(pre_ok)
        .then(pre.field("rest"))
        .when(suf_ok)
        .then(suf.field("rest"))
        .alias(f"{col}_rest"),
        (suf_ok | pre.field("of").is_not_null()).fill_null(False).alias(f"{col}_of"),
        mark.alias(f"{col}_mark"),
    ).drop("pre", "suf")


def parse_newborn_placeholder(given: pl.Series, family: pl.Series) -> pl.DataFrame:
    """Recognise newborn placeholder names and recover the real name parts.

    Args:
        given: Raw given names.
        family: Raw family names, same length.

    Returns:
        A frame of ``len(given)`` rows, in order: ``given_name`` (normalised;
        null when it is only a placeholder), ``family_name`` (normalised; "smith"
        for "Baby of Smith"), ``is_newborn_placeholder`` (bool),
        ``placeholder_family`` (normalised surname carried by a placeholder
        record -- the one after "of" when there is one -- else null) and
        ``twin_marker`` ("a", "b", "c", "1", "2", "3" or null).

    Raises:
        ValueError: The two Series differ in length.
    """
    if len(given) != len(family):
        raise ValueError(f"given ({len(given)} rows) and family ({len(family)} rows) differ")
    if given.dtype != pl.String:
        given = given.cast(pl.String, strict=False)
    if family.dtype != pl.String:
        family = family.cast(pl.String, strict=False)
    if len(given) < MIN_ROWS:
        # One query: on a record at triage time the fixed cost of each
        # collect is what counts.
        sides = pl.concat([_side(given, "g"), _side(family, "f")], how="horizontal")
        return _combine(sides).collect(engine="in-memory")
    # Folding and the placeholder grammar depend on one field's value only,
    # and given and family names repeat far more than (given, family) pairs:
    # run them once per distinct value of each field, then combine per row.
    g = on_distinct(_side_frame("g"), given.to_frame())
    f = on_distinct(_side_frame("f"), family.to_frame())
    return _combine(pl.concat([g, f], how="horizontal").lazy()).collect(engine="in-memory")


def _norm(e: pl.Expr) -> pl.Expr:
    return finish_name_expr(drop_digits_expr(e))


def _side(raw: pl.Series, side: str) -> pl.LazyFrame:
    """One name field (``g`` given, ``f`` family) normalised and parsed, per value."""
    n = len(raw)
    # One fold over the raw field (for the name) and the field with "B/O"
    # read as "baby of" (for the placeholder grammar).
    both = pl.concat([raw, raw.str.replace_all(_BABY_OF_RE, "${1}baby of${2}")])
    folded = fold(both.rename("raw"), keep_digits=True)
    df = (
        pl.DataFrame({f"{side}_norm": folded.slice(0, n), side: folded.slice(n, n)})
        .lazy()
        .with_columns(_norm(pl.col(f"{side}_norm")).alias(f"{side}_norm"))
    )
    df = _parse(df, side).with_columns(_norm(pl.col(f"{side}_rest")).alias(f"{side}_rest_n"))
    return df.select(
        f"{side}_norm",
        f"{side}_pre",
        f"{side}_suf",
        f"{side}_rest",
        f"{side}_of",
        f"{side}_mark",
        f"{side}_rest_n",
    )


def _side_frame(side: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def run(inputs: pl.DataFrame) -> pl.DataFrame:
        return _side(inputs.to_series(), side).collect(engine="in-memory")

    return run


def _combine(df: pl.LazyFrame) -> pl.LazyFrame:
    """The result columns from both fields' parses (``_side``), row by row."""
    g_ph = pl.col("g_pre") | pl.col("g_suf")
    # Blank means "gives no name": nothing left after normalisation.
    g_blank = pl.col("g_norm").is_null()
    f_blank = pl.col("f_norm").is_null()
    f_named = pl.col("f_suf") | (pl.col("f_pre") & pl.col("f_rest").is_not_null())
    f_bare = pl.col("f_pre") & pl.col("f_rest").is_null()
    df = df.with_columns(
        (g_ph | f_named | (f_bare & (g_blank | g_ph))).alias("is_ph"),
    )
    # The surname the placeholder text itself carries ("of Smith", "Baby Smith"
    # with no family name given).
    ph_surname = (
        pl.when(f_named)
        .then(pl.col("f_rest_n"))
        .when(g_ph & (pl.col("g_of") | f_blank | f_bare))
        .then(pl.col("g_rest_n"))
    )
    family_from_f = (
        pl.when(f_named)
        .then(pl.col("f_rest_n"))
        .when(~(f_bare & pl.col("is_ph")))
        .then(pl.col("f_norm"))
    )
    df = df.with_columns(
        ph_surname.alias("ph_surname"),
        family_from_f.alias("family_from_f"),
        pl.coalesce(family_from_f, ph_surname).alias("family_name"),
    )
    # "Baby Olivia" with family "Smith": the words after the head are a given name.
    given_name = (
        pl.when(~g_ph)
        .then(pl.col("g_norm"))
        .when(
            ~pl.col("g_of")
            & pl.col("family_from_f").is_not_null()
            & (pl.col("g_rest_n") != pl.col("family_name"))
        )
        .then(pl.col("g_rest_n"))
    )
    return df.select(
        given_name.alias("given_name"),
        pl.col("family_name"),
        pl.col("is_ph").alias("is_newborn_placeholder"),
        pl.when(pl.col("is_ph"))
        .then(pl.coalesce("ph_surname", "family_name"))
        .alias("placeholder_family"),
        pl.when(pl.col("is_ph")).then(pl.coalesce("g_mark", "f_mark")).alias("twin_marker"),
    )
