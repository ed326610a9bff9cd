"""Personal names: normalised form, surname parts, phonetic key.

``normalise_name`` gives lower-case ASCII words (a-z) separated by single
spaces, or null. The folding (mojibake repair, diacritics, apostrophes) is in
:mod:`cpflag.normalise._text`; on top of it this module

- drops leading titles (Mr, Mrs, Miss, Ms, Mx, Dr, Master, Rev, Prof, Sir, Lady)
  while another word follows, so "Mr" alone stays "mr";
- joins a lone "o", "mc" or "mac" to the word after it, so "O Brien" == "O'Brien"
  == "OBrien" -> "obrien" and "Mc Donald" -> "mcdonald" ("Mac" as a given name
  on its own is left alone: there is no following word).

The result is idempotent: normalising a normalised name changes nothing.
"""

from __future__ import annotations

from typing import Final

import jellyfish
import polars as pl

from cpflag.normalise._distinct import on_distinct
from cpflag.normalise._text import fold

__all__ = [
    "NAME_PARTICLES",
    "TITLES",
    "name_parts",
    "normalise_name",
    "phonetic_key",
]

#: Leading words dropped as titles (while another word follows).
TITLES: Final = ("mr", "mrs", "miss", "ms", "mx", "dr", "master", "rev", "prof", "sir", "lady")

#: Words joined to the following word ("o brien" -> "obrien").
_JOINED_PREFIXES: Final = ("o", "mc", "mac")

#: Surname particles that ``name_parts`` drops when other words remain.
NAME_PARTICLES: Final = frozenset(
    {
        "de", "la", "le", "du", "van", "von", "der", "den", "da", "di", "del",
        "al", "el", "bin", "bint", "ibn", "st",
    }
)  # fmt: skip

_TITLES_RE: Final = r"^(?:(?:" + "|".join(TITLES) + r") )+"
_JOIN_RE: Final = r"(^| )(" + "|".join(_JOINED_PREFIXES) + r") ([a-z])"


def finish_name_expr(folded: pl.Expr) -> pl.Expr:
    """Titles, joins and empty-to-null on folded text (``fold`` output, no digits).

    Args:
        folded: Lower-case ASCII words separated by single spaces.

    Returns:
        The normalised name expression.
    """
    e = folded.str.replace(_TITLES_RE, "")
    e = e.str.replace_all(_JOIN_RE, "${1}${2}${3}")
    return pl.when(e != "").then(e)


def normalise_name(s: pl.Series) -> pl.Series:
    """Normalise raw personal names (given or family) for comparison.

    Args:
        s: Raw names.

    Returns:
        A string Series of the same length and name: lower-case ASCII words
        separated by single spaces, null where the input is null or nothing is
        left (blank, digits only, punctuation only).
    """
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    return on_distinct(_normalise_frame, s.to_frame("raw")).to_series().rename(s.name)


def _normalise_frame(df: pl.DataFrame) -> pl.DataFrame:
    return (
        fold(df["raw"], keep_digits=False)
        .to_frame("f")
        .lazy()  # lets polars compute the finished name once, not once per use
        .select(finish_name_expr(pl.col("f")).alias("name"))
        .collect(engine="in-memory")
    )


def name_parts(normalised: pl.Series) -> pl.Series:
    """Split normalised (family) names into words, dropping lone particles.

    "smith jones" -> ["smith", "jones"]; "de la cruz" -> ["cruz"]; "van der" ->
    ["van", "der"] (a name made only of particles keeps them all).

    Args:
        normalised: Output of :func:`normalise_name`.

    Returns:
        A ``list[str]`` Series of the same length and name; null stays null.
    """
    words = normalised.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    kept = words.list.eval(pl.element().filter(~pl.element().is_in(sorted(NAME_PARTICLES))))
    return (
        pl.DataFrame({"w": words, "k": kept})
        .select(
            pl.when(pl.col("k").list.len() > 0)
            .then(pl.col("k"))
            .otherwise(pl.col("w"))
            .alias(normalised.name)
        )
        .to_series()
    )


def _metaphone_words(value: str) -> str | None:
    codes = [c for c in (jellyfish.metaphone(w) for w in value.split(" ") if w) if c]
    return " ".join(codes) if codes else None


def phonetic_key(normalised: pl.Series) -> pl.Series:
    """Metaphone code of each word of a normalised name, joined by spaces.

    Metaphone (jellyfish) because it keys on sounds, not the first letter as
    written: Philips/Filips (FLPS) and Catherine/Katherine (K0RN) agree, which
    Soundex splits, and Smith/Smyth (SM0) agree, which NYSIIS splits; Kaur (KR)
    and Khan (KHN) stay apart. jellyfish works on one string, so this runs once
    per distinct value and maps the codes back.

    Args:
        normalised: Output of :func:`normalise_name` (or its first word).

    Returns:
        A string Series of the same length and name; null for a null input or
        when no word yields a code.
    """
    if normalised.dtype != pl.String:
        normalised = normalised.cast(pl.String, strict=False)
    distinct = normalised.drop_nulls().unique().to_list()
    codes = [_metaphone_words(v) for v in distinct]
    if not distinct:
        return pl.Series(normalised.name, [None] * len(normalised), dtype=pl.String)
    return normalised.replace_strict(
        pl.Series(distinct, dtype=pl.String),
        pl.Series(codes, dtype=pl.String),
        default=None,
        return_dtype=pl.String,
    )
