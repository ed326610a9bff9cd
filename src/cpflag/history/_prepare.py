"""Attendances prepared for resolution: the rows of the history store.

One row per attendance: the contract's non-identifying columns (id, arrival,
site, setting, GP), the raw identifying columns (kept so that a later model
can be re-run on the history), the linker's prepared columns, and the extra
keys person resolution and family grouping read:

* ``trust`` and ``mrn_key``: a hospital number is stable within a trust, and an
  ODS site code is the trust's three-character code plus two characters
  (``RJ101`` is a site of ``RJ1``), so the trust is the first three characters
  of a five-character site code (else the whole code);
* ``twin_key``: the placeholder twin marker with ``a``/``b``/``c`` read as
  ``1``/``2``/``3`` ("Baby A" and "Twin 1" are the same first twin);
* ``mother_nhs``: the mother's NHS number (valid ones only);
* ``household_key``: postcode unit + house/flat numbers + street (null unless
  the postcode is a real one and the address has a street): a block of flats
  is not one household;
* ``carer_key``: the accompanying carer's given name and surname parts within
  the postcode unit (a district is too wide: common carer names collide);
* ``arrival_date``, ``age_days`` and ``is_child`` (younger than the adult age
  at arrival; with no date of birth, any setting but ``ed_adult``/``maternity``).

The raw ``sex`` and ``postcode`` are stored in their normalised form only (the
prepared columns of the same name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from cpflag._errors import DuplicateIdError, InputError
from cpflag.contract import ATTENDANCES
from cpflag.io._conform import check_required_values, conform_attendances
from cpflag.linkage import PREPARED_COLUMNS, prepare_people
from cpflag.normalise import name_parts, normalise_name, normalise_nhs_number

__all__ = [
    "ADULT_SETTINGS",
    "HISTORY_COLUMNS",
    "RAW_COLUMNS",
    "as_attendances",
    "check_batch",
    "prepare_attendances",
]

ADULT_SETTINGS: Final = ("ed_adult", "maternity")

#: Contract columns stored as given (``sex`` and ``postcode`` are stored normalised).
RAW_COLUMNS: Final = tuple(c for c in ATTENDANCES.names if c not in ("sex", "postcode"))

#: Every column of a prepared history row, in order (before resolution columns).
HISTORY_COLUMNS: Final = (
    *RAW_COLUMNS,
    *(c for c in PREPARED_COLUMNS if c != "rec"),
    "trust",
    "mrn_key",
    "twin_key",
    "mother_nhs",
    "household_key",
    "carer_key",
    "arrival_date",
    "age_days",
    "is_child",
)

_TWIN_KEYS: Final = {"a": "1", "b": "2", "c": "3", "1": "1", "2": "2", "3": "3"}


def check_batch(batch: pl.DataFrame, source: str = "attendances") -> None:
    """Check what resolution relies on: ids and arrival times present, ids unique.

    Args:
        batch: The attendances.
        source: The table's name in messages.

    Raises:
        MissingColumnError: No ``attendance_id`` or ``arrival_time`` column.
        InputError: A null attendance id or arrival time (rows named, 1-based).
        DuplicateIdError: An attendance id appears twice.
    """
    check_required_values(batch, source)
    dup = batch["attendance_id"].is_duplicated()
    if dup.any():
        idx = dup.arg_true()
        raise DuplicateIdError(
            "attendance_id must be unique within a batch",
            source=source,
            column="attendance_id",
            row_numbers=[i + 1 for i in idx.to_list()],
            record_ids=batch["attendance_id"].cast(pl.String).gather(idx).to_list(),
        )


def as_attendances(df: pl.DataFrame) -> pl.DataFrame:
    """The contract's attendance columns, in order and type; absent ones null.

    Unknown columns are dropped: the history keeps only contract columns.
    """
    return conform_attendances(df, keep_extra=False)


def _trust(site: pl.Expr) -> pl.Expr:
    s = site.str.strip_chars().str.to_uppercase()
    return pl.when(s.str.len_chars() == 5).then(s.str.slice(0, 3)).otherwise(s)


def _per_distinct(s: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``fn`` applied once per distinct non-null value of ``s`` (mostly null, repetitive)."""
    values = s.drop_nulls().unique().sort()
    if values.len() == 0:
        return fn(s.head(0)).extend_constant(None, s.len())
    mapped = fn(values)
    return s.to_frame("v").join(
        pl.DataFrame({"v": values, "out": mapped}), on="v", how="left", maintain_order="left"
    )["out"]


def prepare_attendances(
    att: pl.DataFrame, *, adult_age: int = 18, prepared: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Prepare validated attendances as history rows.

    Args:
        att: Attendances with contract columns (see :func:`as_attendances`).
        adult_age: Attendees this old or older at arrival are adults.
        prepared: ``att`` already through ``prepare_people`` (same rows, same
            order; the nightly job's matcher has done it), to save doing it twice.

    Returns:
        A frame of :data:`HISTORY_COLUMNS`, one row per input row, same order.
    """
    att = as_attendances(att)
    if prepared is not None and prepared.height != att.height:
        raise InputError("the prepared frame does not have the batch's rows", source="attendances")
    prep = (prepare_people(att) if prepared is None else prepared.select(PREPARED_COLUMNS)).drop(
        "rec"
    )
    carer_given = _per_distinct(
        att["carer_given_name"], lambda s: normalise_name(s).str.split(" ").list.first()
    )
    carer_family = _per_distinct(
        att["carer_family_name"],
        lambda s: name_parts(normalise_name(s)).list.sort().list.join(" "),
    )
    mother_nhs = _per_distinct(
        att["mother_nhs_number"], lambda s: normalise_nhs_number(s)["nhs_number"]
    )
    mrn = att["local_patient_id"].str.replace_all(r"\s+", "").str.to_uppercase()
    adult_days = int(adult_age * 365.25)
    out = pl.concat([att.select(RAW_COLUMNS), prep], how="horizontal").with_columns(
        _trust(pl.col("site_code")).alias("trust"),
        mrn.alias("_mrn"),
        pl.col("twin_marker").replace_strict(_TWIN_KEYS, default=None).alias("twin_key"),
        mother_nhs.alias("mother_nhs"),
        carer_given.alias("_carer_given"),
        carer_family.alias("_carer_family"),
        pl.col("arrival_time").dt.date().alias("arrival_date"),
    )
    age = (pl.col("arrival_date") - pl.col("dob")).dt.total_days()
    out = out.with_columns(
        pl.when((pl.col("_mrn") != "") & pl.col("trust").is_not_null())
        .then(pl.concat_str("trust", pl.lit("|"), "_mrn"))
        .alias("mrn_key"),
        pl.when(pl.col("postcode").is_not_null() & pl.col("address_street").is_not_null())
        .then(
            pl.concat_str(
                "postcode",
                pl.lit("|"),
                pl.col("address_numbers").fill_null(""),
                pl.lit("|"),
                "address_street",
            )
        )
        .alias("household_key"),
        pl.when(
            pl.col("_carer_given").is_not_null()
            & (pl.col("_carer_family") != "")
            & pl.col("postcode").is_not_null()
        )
        .then(pl.concat_str("_carer_given", pl.lit("|"), "_carer_family", pl.lit("|"), "postcode"))
        .alias("carer_key"),
        age.cast(pl.Int32).alias("age_days"),
        pl.when(age.is_not_null())
        .then(age < adult_days)
        .otherwise(~pl.col("setting").is_in(ADULT_SETTINGS).fill_null(False))
        .alias("is_child"),
    )
    return out.select(HISTORY_COLUMNS)
