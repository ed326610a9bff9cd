"""Prepare one people record in plain Python: the scalar form of ``prepare_people``.

``prepare_one`` gives, for one record, exactly the values of the row that
``prepare_people`` gives for a one-row table (``PREPARED_COLUMNS``, ``rec`` = 0),
as Python values (``datetime.date`` for dates, lists for list columns). It is
the triage path's first step and costs tens of microseconds, against tens of
milliseconds for the fixed overhead of the polars pipeline on one row.

Only plain values are accepted: strings (or None) for the text roles and a
``datetime.date`` (or None) for the date of birth. Anything else would need
polars' casting rules, so :func:`plain_values` says when a record has to go
through the vectorised path instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from cpflag.linkage._prepare import ROLES
from cpflag.normalise._plain import groups, name, nhs, parts, phonetic, postcode, sex, swap
from cpflag.normalise._plain_address import address
from cpflag.normalise._plain_newborn import newborn

__all__ = ["plain_values", "prepare_one"]

_DATE_ROLES = frozenset({"date_of_birth"})


def plain_values(record: Mapping[str, Any], columns: Iterable[str] = ROLES) -> bool:
    """Whether ``record``'s values of ``columns`` need no type conversion.

    Args:
        record: One record.
        columns: The columns to check (absent ones are fine: they are null).

    Returns:
        True when each present value is None, a ``str``, or (for the date of
        birth) a ``datetime.date`` that is not a ``datetime``.
    """
    for col in columns:
        v = record.get(col)
        if v is None:
            continue
        if col in _DATE_ROLES:
            if type(v) is not dt.date:
                return False
        elif type(v) is not str:
            return False
    return True


def _parts_or_empty(value: str | None) -> list[str]:
    return parts(name(value)) or []


def prepare_one(record: Mapping[str, Any], *, keep: Iterable[str] = ()) -> dict[str, Any]:
    """The prepared values of one record, as ``prepare_people`` gives them.

    Args:
        record: ``{column: value}`` with the roles' contract names (absent = null);
            values must pass :func:`plain_values`.
        keep: Further columns copied unchanged (generic comparisons read them).

    Returns:
        ``{column: value}`` for every column of ``PREPARED_COLUMNS`` (``rec`` = 0)
        plus the ``keep`` columns.

    Raises:
        KeyError: A ``keep`` column is not in the record.
    """
    get = record.get
    nhs_number, nhs_status = nhs(get("nhs_number"))
    nb = newborn(get("given_name"), get("family_name"))
    given_first = None if nb.given_name is None else nb.given_name.split(" ")[0]
    family = nb.family_name
    family_ph = phonetic(family)
    # Unique, in order of first appearance (``list.unique(maintain_order=True)``).
    parents = list(
        dict.fromkeys(
            [
                *_parts_or_empty(get("carer_family_name")),
                *_parts_or_empty(get("mother_family_name")),
            ]
        )
    )
    dob: dt.date | None = get("date_of_birth")
    pc, sector, district, _area, pc_status = postcode(get("postcode"))
    _addr, numbers, street = address(get("address"))
    sx = sex(get("sex"))
    out: dict[str, Any] = {
        "rec": 0,
        "nhs": nhs_number,
        "nhs_status": nhs_status,
        "given_first": given_first,
        "given_groups": groups(given_first),
        "given_ph": phonetic(given_first),
        "is_placeholder": nb.is_placeholder,
        "placeholder_family": nb.placeholder_family,
        "twin_marker": nb.twin_marker,
        "family": family,
        "family_parts": parts(family),
        # An empty list, not null, where there is no code (as the batch's split).
        "family_ph_parts": [] if family_ph is None else family_ph.split(" "),
        "parent_families": parents,
        "dob": dob,
        "dob_swap": swap(dob),
        "dob_str": None if dob is None else f"{dob.year:04d}{dob.month:02d}{dob.day:02d}",
        "dob_int": None if dob is None else dob.year * 10000 + dob.month * 100 + dob.day,
        "dob_year": None if dob is None else dob.year,
        "dob_month": None if dob is None else dob.month,
        # U (unknown) carries no evidence: the null level of the sex comparison.
        "sex": None if sx == "U" else sx,
        "postcode": pc,
        "pc_sector": sector,
        "pc_district": district,
        "pc_status": pc_status,
        "address_numbers": numbers,
        "address_street": street,
    }
    for col in keep:
        out[col] = record[col]
    return out
