"""A newborn's record whose birth date is one keystroke from a newborn's.

A baby's record (it carries the mother's NHS number, or a "Baby of ..."
placeholder name) with a birth date such as 13/11/2006 on 25/11/2026 is far
more likely a baby born 13/11/2026 with one digit mistyped than a 20-year-old
in the children's ED with its mother's NHS number. Such a record is still a
possible newborn, with its age in doubt (``birth_date_doubtful``), so a flag is
at most ``review``.

The check: some date one digit away (in the eight digits YYYYMMDD) falls in
the newborn window before the arrival. It runs only on baby records whose
recorded age no baby record can have -- born in the future, or an adult's --
so a sibling's ordinary record is never taken for a newborn, nor is a
three-year-old whose record carries its mother's NHS number.
Vectorised (:func:`digit_typo_of_newborn`) and plain (:func:`digit_typo_of_newborn_one`)
forms give the same answers; the tests check them against each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

__all__ = ["BIRTH_DATE_DOUBTFUL", "digit_typo_of_newborn", "digit_typo_of_newborn_one"]

#: ``age_doubt`` of a baby record whose birth date looks mistyped by one digit.
BIRTH_DATE_DOUBTFUL: Final = "birth_date_doubtful"
_DIGITS: Final = "0123456789"


def digit_typo_of_newborn(
    dob: pl.Series, arrival: pl.Series, candidate: pl.Series, newborn_days: int
) -> pl.Series:
    """Whether each birth date is one digit from a date in the newborn window.

    Args:
        dob: Recorded dates of birth.
        arrival: Arrival dates.
        candidate: Which rows to check (baby records outside the window);
            the others are False.
        newborn_days: The newborn window, in days before the arrival.

    Returns:
        A Boolean series, no nulls.
    """
    rows = pl.DataFrame({"dob": dob, "arrival": arrival, "check": candidate}).with_row_index("i")
    # Years of four digits only: the edit works on the eight digits YYYYMMDD.
    todo = rows.filter(
        pl.col("check").fill_null(False) & pl.col("dob").dt.year().is_between(1000, 9999)
    )
    if todo.height == 0:
        return pl.Series("digit_typo", [False] * dob.len(), dtype=pl.Boolean)
    edits = pl.DataFrame(
        {
            "pos": [p for p in range(8) for _ in _DIGITS],
            "digit": [d for _ in range(8) for d in _DIGITS],
        },
        schema={"pos": pl.Int64, "digit": pl.String},
    )
    s = pl.col("dob").dt.strftime("%Y%m%d")
    variants = (
        todo.join(edits, how="cross")
        .with_columns(
            pl.concat_str(
                s.str.slice(0, pl.col("pos")), "digit", s.str.slice(pl.col("pos") + 1)
            ).alias("variant")
        )
        .with_columns(pl.col("variant").str.to_date("%Y%m%d", strict=False).alias("vdate"))
        .with_columns((pl.col("arrival") - pl.col("vdate")).dt.total_days().alias("age"))
    )
    hits = (
        variants.filter(pl.col("age").is_between(-1, newborn_days - 1))
        .select("i")
        .unique()
        .with_columns(pl.lit(True).alias("digit_typo"))
    )
    out = rows.select("i").join(hits, on="i", how="left", maintain_order="left")
    return out["digit_typo"].fill_null(False)


def digit_typo_of_newborn_one(dob: dt.date, arrival: dt.date, newborn_days: int) -> bool:
    """The plain form of :func:`digit_typo_of_newborn` for one checked record."""
    if not 1000 <= dob.year <= 9999:
        return False
    s = f"{dob.year:04d}{dob.month:02d}{dob.day:02d}"
    for pos in range(8):
        for digit in _DIGITS:
            variant = s[:pos] + digit + s[pos + 1 :]
            try:
                date = dt.date(int(variant[:4]), int(variant[4:6]), int(variant[6:]))
            except ValueError:
                continue
            if -1 <= (arrival - date).days < newborn_days:
                return True
    return False
