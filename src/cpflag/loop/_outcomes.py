"""Review outcomes (contract section 5): read, validated, and kept in the store.

A person's decision on a flag: ``confirmed`` or ``rejected``, on a date, by a
role. Errors name the file, the column and the first offending rows (by row
number and attendance id); they never show a name, a date of birth, an NHS
number or a postcode, and an outcomes table carries none of those.

A decision is kept by the identity of the two records and the kind
(``attendance_id``, ``plan_id``, ``flag``): the plan's own id, never a row
number, so it survives every refresh of the list. The latest decision on a
pair is the one in force.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag._errors import DuplicateIdError, InputError, MissingColumnError, ParseError
from cpflag.contract import FLAG_KINDS, IDENTIFYING_COLUMNS, FlagKind, Outcome
from cpflag.io import TableSource, parse_dates
from cpflag.io._source import load_raw
from cpflag.loop._tables import KEY, OUTCOMES_SCHEMA

__all__ = ["CONFIRMED", "OUTCOMES", "REJECTED", "latest", "merge_outcomes", "read_outcomes"]

CONFIRMED: Final = Outcome.CONFIRMED.value
REJECTED: Final = Outcome.REJECTED.value
OUTCOMES: Final = (CONFIRMED, REJECTED)
_REQUIRED: Final = ("attendance_id", "plan_id", "flag", "outcome", "decided_on")


def _fail(
    bad: pl.DataFrame, message: str, source: str, column: str, cls: type[InputError] = InputError
) -> None:
    if bad.height:
        raise cls(
            message,
            source=source,
            column=column,
            row_numbers=bad["_row"].to_list(),
            record_ids=bad["attendance_id"].to_list(),
        )


def read_outcomes(source: TableSource, label: str | None = None) -> pl.DataFrame:
    """Read and validate a ``review_outcomes`` table.

    Args:
        source: A CSV or Parquet file, or a frame (as ``cpflag.io`` reads).
        label: What to call it in messages (default: the path).

    Returns:
        The outcomes (contract columns, ``decided_on`` a date), the latest
        decision per (attendance, plan, flag).

    Raises:
        MissingColumnError: A required column is absent.
        InputError: A required value is blank, an outcome is not ``confirmed``
            or ``rejected``, a flag kind is unknown, or the table carries an
            identifying column (names, dates of birth, NHS numbers, postcodes
            do not belong in an outcomes table).
        ParseError: A ``decided_on`` is not a date.
        DuplicateIdError: One pair decided twice on one day, differently.
    """
    raw = load_raw(source, label)
    name = raw.source
    headers = [h.strip().lower() for h in raw.headers]
    df = raw.frame.rename(dict(zip(raw.frame.columns[: len(headers)], headers, strict=True)))
    pii = sorted(set(headers) & IDENTIFYING_COLUMNS)
    if pii:
        raise InputError(
            f"an outcomes table must not carry identifying columns ({', '.join(pii)}); "
            "remove them (the ids are enough)",
            source=name,
        )
    for col in _REQUIRED:
        if col not in df.columns:
            raise MissingColumnError("required column is missing", source=name, column=col)
    if "decided_by_role" not in df.columns:
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias("decided_by_role"))
    text = [*KEY, "outcome", "decided_by_role"]
    if df.schema["decided_on"] == pl.String:
        text.append("decided_on")
    df = df.with_columns(
        [pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in text]
    ).with_columns(pl.col("outcome").str.to_lowercase())
    for col in _REQUIRED:
        blank = pl.col(col).is_null()
        if col == "plan_id":  # a repeat-attendance flag has no plan
            blank = blank & (pl.col("flag") != FlagKind.REPEAT.value)
        _fail(df.filter(blank), "blank value", name, col)
    _fail(
        df.filter(~pl.col("outcome").is_in(OUTCOMES)),
        "outcome must be 'confirmed' or 'rejected'",
        name,
        "outcome",
    )
    _fail(
        df.filter(~pl.col("flag").is_in(FLAG_KINDS)),
        f"unknown flag kind (expected one of {', '.join(FLAG_KINDS)})",
        name,
        "flag",
    )
    dtype = df.schema["decided_on"]
    if dtype == pl.Date:
        dates = df["decided_on"]
    elif isinstance(dtype, pl.Datetime):
        dates = df["decided_on"].dt.date()
    else:
        dates, reasons = parse_dates(df["decided_on"])
        _fail(
            df.filter(reasons.is_not_null()),
            "not a date (e.g. 2026-11-30)",
            name,
            "decided_on",
            ParseError,
        )
    df = df.with_columns(dates.alias("decided_on"))
    clash = df.unique([*KEY, "decided_on", "outcome"]).filter(
        pl.len().over([*KEY, "decided_on"]) > 1
    )
    _fail(
        df.join(clash.select(*KEY, "decided_on"), on=[*KEY, "decided_on"], how="semi"),
        "the same pair is both confirmed and rejected on one day",
        name,
        "outcome",
        DuplicateIdError,
    )
    return latest(df.select(list(OUTCOMES_SCHEMA)).cast(OUTCOMES_SCHEMA))  # type: ignore[arg-type]


def latest(outcomes: pl.DataFrame) -> pl.DataFrame:
    """The latest decision per (attendance, plan, flag), sorted by that key.

    Args:
        outcomes: Outcome rows (``OUTCOMES_SCHEMA``).

    Returns:
        One row per pair.
    """
    return (
        outcomes.sort([*KEY, "decided_on"], nulls_last=True)
        .unique(list(KEY), keep="last", maintain_order=True)
        .sort(list(KEY))
    )


def merge_outcomes(stored: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Stored outcomes with new ones added (the latest per pair in force).

    Args:
        stored: The store's ``outcomes`` table.
        new: Outcomes from :func:`read_outcomes`.

    Returns:
        One row per pair.
    """
    return latest(pl.concat([stored, new.cast(OUTCOMES_SCHEMA)]))  # type: ignore[arg-type]
