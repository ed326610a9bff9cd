"""UK postcode normalisation: canonical form, sector, district, area, status.

Choices (see ``docs/normalisation.md``):

- whitespace and ASCII punctuation are removed, ASCII letters upper-cased, and
  the result must be one of the six UK formats (A9 9AA, A99 9AA, AA9 9AA,
  AA99 9AA, A9A 9AA, AA9A 9AA) or GIR 0AA. Any other character (a non-ASCII
  letter, say) makes the value ``malformed``. Only the format is checked, not
  the letters each position may take: a typo that yields a well-formed but
  wrong postcode is caught by the comparison, not here;
- ``ZZ99 3VZ`` is ``no_fixed_abode``; every other ZZ99 pseudo-postcode (3WZ
  "not known", 3CZ England n.o.s., 1WZ Scotland, 2WZ Northern Ireland, 3GZ
  Wales, the country codes ...) is ``not_known``. The words "NFA" and
  "no fixed abode" count as ``no_fixed_abode``, and "unknown", "not known",
  "NK", "N/K" as ``not_known``; "N/A", "NA", "null", "none" count as ``missing``;
- pseudo and malformed postcodes carry no location: ``postcode`` and every
  location column are null, so two records of homeless people never "agree" on
  ZZ99 3VZ;
- an outward code alone ("LS9", "SW1A": what a patient knows, or what a
  district-level extract keeps) is ``partial``: ``pc_district`` and
  ``pc_area`` are set, ``postcode`` and ``pc_sector`` null. Only one word
  counts: "LS9 7" (a sector) is ``malformed``, never the district "LS97".
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = ["PC_STATUSES", "normalise_postcode"]

#: Every value of the ``pc_status`` column.
PC_STATUSES: Final = ("valid", "partial", "missing", "malformed", "no_fixed_abode", "not_known")

#: Whitespace (Unicode spaces included) and ASCII punctuation: separators.
_SEPARATORS: Final = (
    r"\t\n\v\f\r \x{A0}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}!-/:-@\[-`{-~"
)
_STRIP_CLASS: Final = rf"[{_SEPARATORS}]"
_OUTWARD: Final = r"(?:[A-Z][0-9]{1,2}|[A-Z]{2}[0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z]{2}[0-9][A-Z])"
_VALID: Final = rf"^(?:{_OUTWARD}[0-9][A-Z]{{2}}|GIR0AA)$"
_OUTWARD_ONLY: Final = rf"^{_OUTWARD}$"
#: Separators between two other characters: the value is more than one word.
_INNER_SEPARATOR: Final = rf"[^{_SEPARATORS}][{_SEPARATORS}]+[^{_SEPARATORS}]"
_NO_FIXED_ABODE_WORDS: Final = ("NFA", "NOFIXEDABODE")
_NOT_KNOWN_WORDS: Final = ("UNKNOWN", "NOTKNOWN", "NK")
_MISSING_WORDS: Final = ("", "NA", "NULL", "NONE")


def normalise_postcode(s: pl.Series) -> pl.DataFrame:
    """Normalise raw UK postcodes and derive their geography.

    Args:
        s: Raw postcodes, any spacing and case.

    Returns:
        A frame of ``len(s)`` rows, in order: ``postcode`` ("SW1A 1AA"),
        ``pc_sector`` ("SW1A 1"), ``pc_district`` ("SW1A"), ``pc_area`` ("SW"),
        all null unless ``pc_status`` is ``valid``; and ``pc_status`` (``valid``,
        ``missing``, ``malformed``, ``no_fixed_abode`` or ``not_known``).
    """
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    # Staged with_columns so that each intermediate is computed once.
    df = pl.DataFrame(
        {
            "compact": s.str.replace_all(_STRIP_CLASS, ""),
            "one_word": ~s.str.contains(_INNER_SEPARATOR).fill_null(False),
        }
    ).with_columns(pl.col("compact").str.contains(r"[^\x00-\x7F]").alias("non_ascii"))
    # Upper-case ASCII only: a full Unicode upper-casing would turn "ß" or "ﬀ"
    # into ASCII letters and let junk pass as a postcode.
    df = df.with_columns(
        pl.when(~pl.col("non_ascii")).then(pl.col("compact").str.to_uppercase()).alias("up")
    )
    up = pl.col("up")
    df = df.with_columns(
        pl.when(pl.col("compact").is_null() | up.is_in(_MISSING_WORDS))
        .then(pl.lit("missing"))
        .when(pl.col("non_ascii"))
        .then(pl.lit("malformed"))
        .when((up == "ZZ993VZ") | up.is_in(_NO_FIXED_ABODE_WORDS))
        .then(pl.lit("no_fixed_abode"))
        .when(up.str.starts_with("ZZ99") | up.is_in(_NOT_KNOWN_WORDS))
        .then(pl.lit("not_known"))
        .when(up.str.contains(_VALID))
        .then(pl.lit("valid"))
        .when(pl.col("one_word") & up.str.contains(_OUTWARD_ONLY))
        .then(pl.lit("partial"))
        .otherwise(pl.lit("malformed"))
        .alias("pc_status")
    )
    ok = pl.col("pc_status") == "valid"
    df = df.with_columns(
        pl.when(ok)
        .then(up.str.slice(0, up.str.len_chars() - 3))
        .when(pl.col("pc_status") == "partial")
        .then(up)
        .alias("pc_district"),
        pl.when(ok).then(up.str.slice(-3)).alias("inward"),
    )
    district, inward = pl.col("pc_district"), pl.col("inward")
    return df.select(
        pl.concat_str(district, pl.lit(" "), inward).alias("postcode"),
        pl.concat_str(district, pl.lit(" "), inward.str.slice(0, 1)).alias("pc_sector"),
        district,
        district.str.extract(r"^([A-Z]+)", 1).alias("pc_area"),
        pl.col("pc_status"),
    )
