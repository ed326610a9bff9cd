"""Free-text addresses: normalised tokens, house/flat identifiers, street.

Purpose: two households in one block of flats share the street and building
number and differ only in the flat number, so the flat number must survive
normalisation and be comparable on its own.

Rules (simple on purpose; see ``docs/normalisation.md``):

- text is folded like names but keeps digits (``_text.fold_expr``); punctuation
  and slashes become spaces ("3/12" -> "3 12", "12-14" -> "12 14");
- trailing UK postcodes (one or more, any spacing) are removed;
- abbreviations are expanded word by word (rd -> road, ave -> avenue, fl/flt/apt/
  apartment -> flat, ...). "st" is "street" after a word ("High St") and
  "saint" at the start or after a number ("12 St Johns Rd");
- a number followed by a lone letter is one house number ("12 a" -> "12a");
- ``address_numbers``: every token with a digit except ordinals ("1st", "3rd"),
  plus a lone letter after flat/unit/room/block/suite ("Flat B"); those right
  after a flat word first, then the others, each in order, so "10 High St,
  Flat 2" and "Flat 2, 10 High St" both give "2 10"; a lettered flat and a
  house number alone are one lettered house number ("Flat B, 14" -> "14b", as
  "14B" is written);
- ``address_street``: the words after the last number ("Flat 3, 12 High St,
  London" -> "high street london" -> cut after the last street-type word ->
  "high street"); when no words follow the last number, the last run of words
  before it; with no number at all, the first run of words. Runs are broken by
  numbers and by flat words (flat, unit, room, block, suite, floor, ground,
  basement).
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.normalise._distinct import on_distinct
from cpflag.normalise._text import fold

__all__ = ["ABBREVIATIONS", "STREET_TYPES", "normalise_address"]

#: Whole-word expansions ("st" is handled apart: street or saint).
ABBREVIATIONS: Final = {
    "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cl": "close",
    "cres": "crescent", "cresc": "crescent", "dr": "drive", "ct": "court",
    "gdns": "gardens", "pl": "place", "sq": "square", "fl": "flat", "flt": "flat",
    "apt": "flat", "apartment": "flat", "ter": "terrace", "terr": "terrace",
    "tce": "terrace", "hse": "house", "pde": "parade", "gro": "grove", "gr": "grove",
    "pk": "park", "blk": "block", "bldg": "building", "est": "estate", "mt": "mount",
}  # fmt: skip

#: Words that end a street name.
STREET_TYPES: Final = frozenset(
    {
        "road", "street", "avenue", "lane", "close", "crescent", "drive", "court",
        "gardens", "place", "square", "terrace", "way", "grove", "walk", "hill",
        "row", "park", "green", "mews", "rise", "view", "parade", "vale", "gate",
        "wharf", "yard", "circus", "boulevard", "broadway", "approach", "path",
        "chase", "croft", "mead", "meadows", "estate", "embankment", "passage",
    }
)  # fmt: skip

#: Words that introduce a flat identifier; a lone letter after one is a number.
FLAT_WORDS: Final = ("flat", "unit", "room", "block", "suite")
#: Words that break a run of street words without being identifiers themselves.
_BREAK_WORDS: Final = (*FLAT_WORDS, "floor", "ground", "basement")

#: "Flat B, 14 ..." with no other number: the house "14b".
_LETTERED_FLAT: Final = r"^([a-z]) ([0-9]+)$"

_PC: Final = r"(?:[a-z]{1,2}[0-9][a-z0-9]? ?[0-9][a-z]{2}|gir ?0aa)"
_TRAILING_PCS: Final = rf"(?:^| ){_PC}(?: {_PC})*$"


def _same_row(offset: int) -> pl.Expr:
    """Whether the token ``offset`` places away belongs to the same address.

    Tokens are exploded in row order, so plain shifts plus this mask replace
    per-row windows (much faster than ``shift().over("row")``).
    """
    return (pl.col("row").shift(offset) == pl.col("row")).fill_null(False)


def _shifted(e: pl.Expr, offset: int) -> pl.Expr:
    return pl.when(_same_row(offset)).then(e.shift(offset))


def _row_cum_sum(flag: pl.Expr) -> pl.Expr:
    """Running count of ``flag`` within each address (rows are contiguous)."""
    x = flag.cast(pl.UInt32)
    total = x.cum_sum()
    return total - pl.when(~_same_row(1)).then(total - x).forward_fill()


def _tokens(text: pl.DataFrame) -> pl.DataFrame:
    """One row per token (``row``, ``tok``, ``pos``) after expansion and merging."""
    t = (
        text.select("row", pl.col("text").str.split(" ").alias("tok"))
        .explode("tok")
        .filter(pl.col("tok").is_not_null() & (pl.col("tok") != ""))
    )
    tok = pl.col("tok")
    after_word = _shifted(tok, 1).str.contains(r"^[a-z]+$").fill_null(False)
    t = t.with_columns(
        pl.when(tok == "st")
        .then(pl.when(after_word).then(pl.lit("street")).otherwise(pl.lit("saint")))
        .otherwise(tok.replace(ABBREVIATIONS))
        .alias("tok")
    )
    t = t.with_columns(
        tok.str.contains(r"^[0-9]+$").alias("is_num"),
        tok.str.contains(r"^[a-z]$").alias("is_letter"),
    )
    is_num, is_letter = pl.col("is_num"), pl.col("is_letter")
    prev_num = _shifted(is_num, 1).fill_null(False)
    next_letter = _shifted(is_letter, -1).fill_null(False)
    return (
        t.with_columns(
            pl.when(is_num & next_letter).then(tok + tok.shift(-1)).otherwise(tok).alias("tok"),
            (is_letter & prev_num).alias("merged"),
        )
        .filter(~pl.col("merged"))
        .drop("merged", "is_num", "is_letter")
        # Global order is row-major, so a global index orders tokens within a row.
        .with_row_index("pos")
    )


def normalise_address(s: pl.Series) -> pl.DataFrame:
    """Normalise free-text addresses and pull out house/flat numbers and street.

    Args:
        s: Raw addresses.

    Returns:
        A frame of ``len(s)`` rows, in order: ``address`` (normalised tokens),
        ``address_numbers`` (house/flat identifiers in order, e.g. "3 12" for
        "Flat 3, 12 High St") and ``address_street`` (e.g. "high street"); each
        null when empty.
    """
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    # Tokenising is costly per value, so de-duplicating pays even when most
    # addresses are distinct (a national list: about 55%).
    return on_distinct(_address_frame, s.to_frame("raw"), max_share=0.8)


def _address_frame(df: pl.DataFrame) -> pl.DataFrame:
    text = pl.DataFrame({"text": fold(df["raw"], keep_digits=True)}).with_row_index("row")
    text = text.with_columns(pl.col("text").str.replace(_TRAILING_PCS, ""))
    t = _tokens(text)
    tok, pos = pl.col("tok"), pl.col("pos")
    t = t.with_columns(
        tok.str.contains(r"[0-9]").alias("has_digit"),
        (tok.str.contains(r"^[a-z]$") & _shifted(tok, 1).is_in(FLAT_WORDS).fill_null(False)).alias(
            "flat_letter"
        ),
    )
    has_digit, flat_letter = pl.col("has_digit"), pl.col("flat_letter")
    is_break = has_digit | flat_letter | tok.is_in(_BREAK_WORDS)
    t = t.with_columns(
        ((has_digit & ~tok.str.contains(r"^[0-9]+(?:st|nd|rd|th)$")) | flat_letter).alias("is_id"),
        _shifted(tok, 1).is_in(FLAT_WORDS).fill_null(False).alias("after_flat_word"),
        (~is_break).alias("is_word"),
        _row_cum_sum(is_break).alias("seg"),
        _row_cum_sum(has_digit).alias("num_cum"),
        has_digit.cast(pl.UInt32).sum().over("row").alias("num_total"),
    )
    word, seg = pl.col("is_word"), pl.col("seg")
    num_cum, num_total = pl.col("num_cum"), pl.col("num_total")
    after = word & (num_total > 0) & (num_cum == num_total)
    before = word & (num_cum < num_total)
    no_num = word & (num_total == 0)
    t = t.with_columns(
        pl.when(after).then(seg).min().over("row").alias("first_after"),
        pl.when(before).then(seg).max().over("row").alias("last_before"),
        pl.when(no_num).then(seg).min().over("row").alias("first_run"),
    )
    chosen = pl.coalesce("first_after", "last_before", "first_run")
    t = t.with_columns((word & (seg == chosen)).fill_null(False).alias("in_run"))
    t = t.with_columns(
        pl.when(pl.col("in_run") & tok.is_in(sorted(STREET_TYPES)))
        .then(pos)
        .max()
        .over("row")
        .alias("last_type")
    )
    last_type = pl.col("last_type")
    t = t.with_columns(
        (pl.col("in_run") & (last_type.is_null() | (pos <= last_type))).alias("is_street")
    )
    # Aggregate to lists, then join: much faster than a string join per group.
    is_id, after_flat = pl.col("is_id"), pl.col("after_flat_word")
    agg = (
        t.group_by("row", maintain_order=True)
        .agg(
            tok.alias("address"),
            tok.filter(is_id & after_flat).alias("_flat_ids"),
            tok.filter(is_id & ~after_flat).alias("_other_ids"),
            tok.filter(pl.col("is_street")).alias("address_street"),
        )
        .select(
            "row",
            "address",
            pl.concat_list("_flat_ids", "_other_ids").alias("address_numbers"),
            "address_street",
        )
    )
    cols = ("address", "address_numbers", "address_street")
    joined = (
        text.select("row")
        .join(agg, on="row", how="left", maintain_order="left")
        .select(pl.col(cols).list.join(" "))
    )
    return joined.with_columns(
        pl.col("address_numbers").str.replace(_LETTERED_FLAT, "${2}${1}")
    ).select(pl.when(pl.col(cols) != "").then(pl.col(cols)).name.keep())
