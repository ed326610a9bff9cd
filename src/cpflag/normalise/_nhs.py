"""NHS number normalisation and the Modulus 11 check.

An NHS number is ten digits, the last a Modulus 11 check digit: weights 10..2 on
the first nine digits, check = 11 - (sum mod 11), where 11 means 0 and 10 means
the nine digits can never form a valid number.

Choices (see ``docs/normalisation.md``):

- spaces, dashes and other whitespace are removed ("485 777 3456", "485-777-3456");
  any other character makes the value ``malformed``;
- a number of ten equal digits ("0000000000", "1111111111", ...) is ``malformed``
  although every one of them (0000000000 ... 9999999999) passes Modulus 11:
  systems use them as "not known" fillers, and treating them as identifiers
  would link every record that carries one;
- no range check: numbers from the test range (999...) and Scottish CHI numbers
  that happen to pass the check are kept, since the linker only ever compares a
  number with another record's number.
"""

from __future__ import annotations

from typing import Final

import polars as pl

__all__ = [
    "NHS_STATUSES",
    "is_valid_nhs_number",
    "nhs_check_digit",
    "normalise_nhs_number",
]

#: Every value of the ``nhs_status`` column.
NHS_STATUSES: Final = ("valid", "missing", "malformed", "bad_check_digit")

#: Characters removed before validation: ASCII whitespace, the Unicode spaces
#: that turn up in pasted text, and dashes of every width.
_STRIP_CLASS: Final = (
    r"[\t\n\v\f\r \x{A0}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}"
    r"\-\x{2010}-\x{2015}\x{2212}]"
)
_WEIGHTS: Final = tuple(range(10, 1, -1))
_SAME_DIGIT: Final = "^(?:" + "|".join(f"{d}{{10}}" for d in range(10)) + ")$"


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits of an NHS number.

    Args:
        first_nine: Exactly nine ASCII digits.

    Returns:
        The check digit 0-9, or None when no check digit exists (the remainder
        gives 10, so no valid number starts with these nine digits).

    Raises:
        ValueError: ``first_nine`` is not nine ASCII digits.
    """
    if len(first_nine) != 9 or not (first_nine.isascii() and first_nine.isdigit()):
        raise ValueError("first_nine must be exactly nine ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_nine, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """Whether a (normalised) value is a valid NHS number.

    Args:
        value: Ten ASCII digits, no separators.

    Returns:
        True when the value is ten digits, not all the same digit, and its last
        digit is the Modulus 11 check digit of the first nine.
    """
    if len(value) != 10 or not (value.isascii() and value.isdigit()):
        return False
    if len(set(value)) == 1:
        return False
    return nhs_check_digit(value[:9]) == int(value[9])


def normalise_nhs_number(s: pl.Series) -> pl.DataFrame:
    """Normalise raw NHS numbers and say which are usable.

    Args:
        s: Raw NHS numbers (strings; other dtypes are cast to strings).

    Returns:
        A frame of ``len(s)`` rows, in order, with ``nhs_number`` (ten digits, or
        null unless valid) and ``nhs_status`` (``valid``, ``missing``,
        ``malformed`` or ``bad_check_digit``).
    """
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    c = pl.col("compact")
    # Staged with_columns so that each intermediate is computed once.
    df = pl.DataFrame({"compact": s.str.replace_all(_STRIP_CLASS, "")}).with_columns(
        c.str.contains(r"^[0-9]{10}$").alias("ten_digits"),
        c.str.contains(_SAME_DIGIT).alias("same_digit"),
        *(c.str.slice(i, 1).cast(pl.Int32, strict=False).alias(f"d{i}") for i in range(10)),
    )
    total = pl.sum_horizontal(pl.col(f"d{i}") * w for i, w in enumerate(_WEIGHTS))
    df = df.with_columns((11 - total % 11).alias("check"))
    expected = pl.when(pl.col("check") == 11).then(0).otherwise(pl.col("check"))
    df = df.with_columns(
        pl.when(c.is_null() | (c == ""))
        .then(pl.lit("missing"))
        .when(~pl.col("ten_digits") | pl.col("same_digit"))
        .then(pl.lit("malformed"))
        # A check of 10 never equals a digit, so those numbers fail here too.
        .when(expected != pl.col("d9"))
        .then(pl.lit("bad_check_digit"))
        .otherwise(pl.lit("valid"))
        .alias("nhs_status")
    )
    return df.select(
        pl.when(pl.col("nhs_status") == "valid").then(c).alias("nhs_number"),
        pl.col("nhs_status"),
    )
