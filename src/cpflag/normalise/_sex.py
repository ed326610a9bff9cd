"""Sex / stated gender: "M", "F" or "U".

Accepted: M/F/U in any case, male/female, man/woman, boy/girl, and the ECDS
PERSON STATED GENDER CODE values 1 (male), 2 (female), 9 (indeterminate) and
X (not known), plus 0 (not known, older extracts) and zero-padded forms
("01", "02"). Everything else -- blank, null, "unknown", "indeterminate",
anything unrecognised -- is "U": no evidence either way.
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = ["normalise_sex"]

_MALE: Final = ("m", "male", "man", "boy", "1", "01")
_FEMALE: Final = ("f", "female", "woman", "girl", "2", "02")


def normalise_sex(s: pl.Series) -> pl.Series:
    """Normalise sex / stated gender codes to "M", "F" or "U".

    Args:
        s: Raw values (strings; other dtypes, e.g. integer ECDS codes, are cast).

    Returns:
        A string Series of the same length and name, never null.
    """
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    # Trim ASCII whitespace and punctuation ("M.", " f ") but nothing else.
    key = pl.col("raw").str.strip_chars(" \t\r\n.,;:'\"()[]").str.to_lowercase()
    return (
        s.to_frame("raw")
        .select(
            pl.when(key.is_in(_MALE))
            .then(pl.lit("M"))
            .when(key.is_in(_FEMALE))
            .then(pl.lit("F"))
            .otherwise(pl.lit("U"))
            .alias(s.name)
        )
        .to_series()
    )
