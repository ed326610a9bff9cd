"""Plain per-pair reference implementations of the comparison kinds.

Written independently of the vectorised code (jellyfish's Jaro--Winkler rather
than rapidfuzz, Python sets and dates rather than polars expressions), for the
property tests to check the fast path against. Each returns the set of
acceptable level labels: normally one, two only where a similarity lies within
floating-point noise of a threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import jellyfish

from cpflag.linkage._comparisons import CLOSE_GIVEN, CLOSE_STRING, NEAR_DAYS

Rec = dict[str, Any]
EPS = 1e-9


def _jw(a: str, b: str) -> float:
    return float(jellyfish.jaro_winkler_similarity(a, b))


def _first(conds: list[tuple[str, bool | None]], last: str) -> set[str]:
    """First label whose condition holds; ``None`` conditions may go either way."""
    out: set[str] = set()
    for label, cond in conds:
        if cond is None:
            out.add(label)
            continue
        if cond:
            out.add(label)
            return out
    out.add(last)
    return out


def _close(a: str, b: str, thr: float, prefix: int) -> bool | None:
    if a[:prefix] != b[:prefix]:
        return False
    s = _jw(a, b)
    if abs(s - thr) < EPS:
        return None
    return s >= thr


def nhs_number(left: Rec, right: Rec) -> set[str]:
    if left["nhs"] is None or right["nhs"] is None:
        return {"null"}
    return {"exact"} if left["nhs"] == right["nhs"] else {"different"}


def given_name(left: Rec, right: Rec) -> set[str]:
    a, b = left["given_first"], right["given_first"]
    if a is None or b is None:
        return {"null"}
    return _first(
        [
            ("exact", a == b),
            ("variant", bool(set(left["given_groups"] or []) & set(right["given_groups"] or []))),
            ("close", _close(a, b, CLOSE_GIVEN, 1)),
            ("phonetic", left["given_ph"] == right["given_ph"] and left["given_ph"] is not None),
            ("initial", a[:1] == b[:1]),
        ],
        "different",
    )


def family_name(left: Rec, right: Rec) -> set[str]:
    a, b = left["family"], right["family"]
    if a is None or b is None:
        return {"null"}
    lp, rp = set(left["family_parts"] or []), set(right["family_parts"] or [])
    parent = bool(lp & set(right["parent_families"] or [])) or bool(
        rp & set(left["parent_families"] or [])
    )
    return _first(
        [
            ("exact", a == b),
            ("part", bool(lp & rp)),
            ("close", _close(a, b, CLOSE_STRING, 1)),
            (
                "phonetic",
                bool(set(left["family_ph_parts"] or []) & set(right["family_ph_parts"] or [])),
            ),
            ("parent", parent),
        ],
        "different",
    )


def name_swap(left: Rec, right: Rec) -> set[str]:
    if None in (left["given_first"], right["given_first"], left["family"], right["family"]):
        return {"null"}
    swapped = (
        right["given_first"] in (left["family_parts"] or [])
        and left["given_first"] in (right["family_parts"] or [])
        and left["given_first"] != right["given_first"]
    )
    return {"swapped"} if swapped else {"not_swapped"}


def date_of_birth(left: Rec, right: Rec) -> set[str]:
    a, b = left["dob"], right["dob"]
    if a is None or b is None:
        return {"null"}
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return _first(
        [
            ("exact", a == b),
            ("swapped", left["dob_swap"] is not None and left["dob_swap"] == b),
            ("typo", sum(x != y for x, y in zip(sa, sb, strict=True)) == 1),
            ("year_off", (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1),
            ("near", abs((a - b).days) <= NEAR_DAYS),
        ],
        "different",
    )


def sex(left: Rec, right: Rec) -> set[str]:
    if left["sex"] is None or right["sex"] is None:
        return {"null"}
    return {"exact"} if left["sex"] == right["sex"] else {"different"}


def postcode(left: Rec, right: Rec) -> set[str]:
    if left["pc_district"] is None or right["pc_district"] is None:
        return {"null"}
    return _first(
        [
            ("unit", left["postcode"] is not None and left["postcode"] == right["postcode"]),
            ("sector", left["pc_sector"] is not None and left["pc_sector"] == right["pc_sector"]),
            ("district", left["pc_district"] == right["pc_district"]),
        ],
        "different",
    )


def address(left: Rec, right: Rec) -> set[str]:
    a, b = left["address_street"], right["address_street"]
    if a is None or b is None:
        return {"null"}
    close = _close(a, b, CLOSE_STRING, 3)
    same_numbers = (
        left["address_numbers"] is not None and left["address_numbers"] == right["address_numbers"]
    )
    if close is None:
        return (
            {"same_house", "same_street", "different"}
            if same_numbers
            else {"same_street", "different"}
        )
    if not close:
        return {"different"}
    return {"same_house"} if same_numbers else {"same_street"}


REFERENCE: dict[str, Callable[[Rec, Rec], set[str]]] = {
    "nhs_number": nhs_number,
    "given_name": given_name,
    "family_name": family_name,
    "name_swap": name_swap,
    "date_of_birth": date_of_birth,
    "sex": sex,
    "postcode": postcode,
    "address": address,
}


def swap(d: dt.date | None) -> dt.date | None:
    """Plain day/month swap (valid, different dates only)."""
    if d is None or d.day > 12 or d.day == d.month:
        return None
    try:
        return d.replace(month=d.day, day=d.month)
    except ValueError:
        return None
