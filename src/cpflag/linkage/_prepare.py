"""Turn a people table into the prepared frame every comparison and blocking rule reads.

The prepared frame has one row per input row (same order), a ``rec`` row index,
and the normalised and derived columns listed in :data:`PREPARED_COLUMNS`. It is
computed once per table (the plan index keeps it), never per pair.

Roles: the linker is not tied to the data contract. ``roles`` maps a role
(``nhs_number``, ``given_name``, ``family_name``, ``date_of_birth``, ``sex``,
``postcode``, ``address``, ``carer_family_name``, ``mother_family_name``) to the
column that plays it; a role without a column is treated as all-null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import polars as pl

from cpflag._errors import ConfigError
from cpflag.io import parse_dates
from cpflag.normalise import (
    given_name_groups,
    name_parts,
    normalise_address,
    normalise_name,
    normalise_nhs_number,
    normalise_postcode,
    normalise_sex,
    parse_newborn_placeholder,
    phonetic_key,
    swap_day_month,
)

__all__ = ["PREPARED_COLUMNS", "ROLES", "prepare_people"]

ROLES: Final = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "carer_family_name",
    "mother_family_name",
)

PREPARED_COLUMNS: Final = (
    "rec",
    "nhs",
    "nhs_status",
    "given_first",
    "given_groups",
    "given_ph",
    "is_placeholder",
    "placeholder_family",
    "twin_marker",
    "family",
    "family_parts",
    "family_ph_parts",
    "parent_families",
    "dob",
    "dob_swap",
    "dob_str",
    "dob_int",
    "dob_year",
    "dob_month",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "pc_status",
    "address_numbers",
    "address_street",
)

_LIST_STR = pl.List(pl.String)


def _role_series(
    df: pl.DataFrame, roles: Mapping[str, str], role: str, dtype: pl.DataType
) -> pl.Series:
    col = roles.get(role, role)
    if col in df.columns:
        s = df[col]
        if dtype == pl.String() and s.dtype != pl.String:
            s = s.cast(pl.String)
        elif dtype == pl.Date() and s.dtype == pl.String:
            # polars 2 has no string-to-date cast: the layouts ``cpflag.io`` reads;
            # an unreadable date is a missing one, as the cast gave before.
            s = parse_dates(s)[0]
        elif dtype == pl.Date() and s.dtype != pl.Date:
            s = s.cast(pl.Date, strict=False)
        return s.rename(role)
    return pl.Series(role, [None] * df.height, dtype=dtype)


def _split_words(s: pl.Series) -> pl.Series:
    return s.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))


def prepare_people(
    df: pl.DataFrame,
    *,
    roles: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
) -> pl.DataFrame:
    """Normalise a people table into the prepared frame.

    Args:
        df: The table, one row per record.
        roles: ``{role: column}`` where the table's column names differ from the roles.
        keep: Further columns of ``df`` to carry into the prepared frame unchanged
            (generic comparisons and the decision rules read them).

    Returns:
        A frame of :data:`PREPARED_COLUMNS` plus the ``keep`` columns.

    Raises:
        ConfigError: A role names a column that is not in the table, or ``keep``
            names a missing column.
    """
    roles = dict(roles or {})
    unknown_roles = set(roles) - set(ROLES)
    if unknown_roles:
        raise ConfigError(f"unknown role(s) {sorted(unknown_roles)}; roles are {list(ROLES)}")
    for role, col in roles.items():
        if col not in df.columns:
            raise ConfigError(f"role {role!r} names column {col!r}, which is not in the table")
    keep = tuple(keep)
    missing = [c for c in keep if c not in df.columns]
    if missing:
        raise ConfigError(f"column(s) {missing} to keep are not in the table")

    s = pl.String()
    nhs = normalise_nhs_number(_role_series(df, roles, "nhs_number", s))
    names = parse_newborn_placeholder(
        _role_series(df, roles, "given_name", s), _role_series(df, roles, "family_name", s)
    )
    given_first = names["given_name"].str.split(" ").list.first().rename("given_first")
    family = names["family_name"].rename("family")
    family_parts = name_parts(family).rename("family_parts")
    family_ph = _split_words(phonetic_key(family).fill_null("")).rename("family_ph_parts")
    parents = pl.DataFrame(
        [
            name_parts(normalise_name(_role_series(df, roles, r, s))).alias(r)
            for r in ("carer_family_name", "mother_family_name")
        ]
    ).select(
        pl.concat_list(
            pl.col("carer_family_name").fill_null(pl.lit([], dtype=_LIST_STR)),
            pl.col("mother_family_name").fill_null(pl.lit([], dtype=_LIST_STR)),
        )
        .list.unique(maintain_order=True)
        .alias("parent_families")
    )["parent_families"]
    dob = _role_series(df, roles, "date_of_birth", pl.Date())
    pc = normalise_postcode(_role_series(df, roles, "postcode", s))
    addr = normalise_address(_role_series(df, roles, "address", s))
    sex = normalise_sex(_role_series(df, roles, "sex", s))

    out = pl.DataFrame(
        {
            "rec": pl.Series("rec", range(df.height), dtype=pl.UInt32),
            "nhs": nhs["nhs_number"],
            "nhs_status": nhs["nhs_status"],
            "given_first": given_first,
            "given_groups": given_name_groups(given_first),
            "given_ph": phonetic_key(given_first),
            "is_placeholder": names["is_newborn_placeholder"],
            "placeholder_family": names["placeholder_family"],
            "twin_marker": names["twin_marker"],
            "family": family,
            "family_parts": family_parts,
            "family_ph_parts": family_ph,
            "parent_families": parents,
            "dob": dob,
            "dob_swap": swap_day_month(dob),
            "sex": sex,
            "postcode": pc["postcode"],
            "pc_sector": pc["pc_sector"],
            "pc_district": pc["pc_district"],
            "pc_status": pc["pc_status"],
            "address_numbers": addr["address_numbers"],
            "address_street": addr["address_street"],
        }
    ).with_columns(
        pl.col("dob").dt.strftime("%Y%m%d").alias("dob_str"),
        (
            pl.col("dob").dt.year().cast(pl.Int32) * 10000
            + pl.col("dob").dt.month().cast(pl.Int32) * 100
            + pl.col("dob").dt.day().cast(pl.Int32)
        ).alias("dob_int"),
        pl.col("dob").dt.year().cast(pl.Int16).alias("dob_year"),
        pl.col("dob").dt.month().cast(pl.Int8).alias("dob_month"),
        # U (unknown) carries no evidence: it is the null level of the sex comparison.
        pl.when(pl.col("sex") == "U").then(None).otherwise(pl.col("sex")).alias("sex"),
        pl.col("given_groups").cast(_LIST_STR),
    )
    out = out.select(PREPARED_COLUMNS)
    if keep:
        out = out.with_columns(df.select(keep))
    return out
