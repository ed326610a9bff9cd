"""Plain per-pair comparison levels: the scalar path used at triage time.

Each function takes the left and right records' prepared values (mappings of
``PREPARED_COLUMNS`` names, no ``l_``/``r_`` prefix) and returns the level index
that the vectorised comparison of the same kind (``_comparisons``) gives:
``0`` the strongest level, ``-1`` the null level. They follow the vectorised
code's null handling exactly (a condition that is null in polars is false in a
``when`` chain) and use the same Jaro--Winkler (rapidfuzz), so the two give the
same level on every pair; the property tests check that.

Only the built-in kinds have a plain form. A model with another kind (e.g. a
kind registered with ``register_comparison_kind``) has no scalar path:
``has_plain`` says so and the caller uses the vectorised code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from rapidfuzz.distance import JaroWinkler

from cpflag.linkage._comparisons import CLOSE_GIVEN, CLOSE_STRING, NEAR_DAYS

__all__ = ["PLAIN_KINDS", "PlainFn", "close", "has_plain", "meet", "plain_level"]

Rec = Mapping[str, Any]
PlainFn = Callable[[Rec, Rec, "str | None"], int]

_jw: Final = JaroWinkler.normalized_similarity


def meet(a: Sequence[Any] | None, b: Sequence[Any] | None) -> bool:
    """``lists_intersect``: both lists present and sharing an element."""
    return bool(a) and bool(b) and not set(a).isdisjoint(b)  # type: ignore[arg-type]


def close(a: str, b: str, threshold: float, prefix: int) -> bool:
    """``with_similarity`` then ``>= threshold``: the first ``prefix`` characters must agree."""
    if prefix and a[:prefix] != b[:prefix]:
        return False
    return bool(_jw(a, b) >= threshold)


def _nhs_number(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["nhs"], right["nhs"]
    if a is None or b is None:
        return -1
    return 0 if a == b else 1


def _given_name(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["given_first"], right["given_first"]
    if a is None or b is None:
        return -1
    if a == b:
        return 0
    if meet(left["given_groups"], right["given_groups"]):
        return 1
    if close(a, b, CLOSE_GIVEN, 1):
        return 2
    pa = left["given_ph"]
    if pa is not None and pa == right["given_ph"]:
        return 3
    if a[:1] == b[:1]:
        return 4
    return 5


def _family_name(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["family"], right["family"]
    if a is None or b is None:
        return -1
    if a == b:
        return 0
    lp, rp = left["family_parts"], right["family_parts"]
    if meet(lp, rp):
        return 1
    if close(a, b, CLOSE_STRING, 1):
        return 2
    if meet(left["family_ph_parts"], right["family_ph_parts"]):
        return 3
    # "parent" depends on the records' carers/mothers, not on the names alone.
    if meet(lp, right["parent_families"]) or meet(rp, left["parent_families"]):
        return 4
    return 5


def _name_swap(left: Rec, right: Rec, _col: str | None) -> int:
    lg, rg = left["given_first"], right["given_first"]
    if lg is None or rg is None or left["family"] is None or right["family"] is None:
        return -1
    lp, rp = left["family_parts"], right["family_parts"]
    swapped = lp is not None and rg in lp and rp is not None and lg in rp and lg != rg
    return 0 if swapped else 1


def _digit_mismatches(a: int, b: int) -> int:
    """How many of the eight digits of two ``YYYYMMDD`` integers differ."""
    return sum((a // 10**i) % 10 != (b // 10**i) % 10 for i in range(8))


def _date_of_birth(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["dob"], right["dob"]
    if a is None or b is None:
        return -1
    if a == b:
        return 0
    swapped = left["dob_swap"]
    if swapped is not None and swapped == b:
        return 1
    ia, ib = left["dob_int"], right["dob_int"]
    if ia is not None and ib is not None:
        if _digit_mismatches(ia, ib) == 1:
            return 2
        if ia % 10000 == ib % 10000 and abs(ia // 10000 - ib // 10000) == 1:
            return 3
    if abs(_days(a) - _days(b)) <= NEAR_DAYS:
        return 4
    return 5


def _days(d: dt.date) -> int:
    return d.toordinal()


def _sex(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["sex"], right["sex"]
    if a is None or b is None:
        return -1
    return 0 if a == b else 1


def _postcode(left: Rec, right: Rec, _col: str | None) -> int:
    if left["pc_district"] is None or right["pc_district"] is None:
        return -1
    pa = left["postcode"]
    if pa is not None and pa == right["postcode"]:
        return 0
    sa = left["pc_sector"]
    if sa is not None and sa == right["pc_sector"]:
        return 1
    if left["pc_district"] == right["pc_district"]:
        return 2
    return 3


def _address(left: Rec, right: Rec, _col: str | None) -> int:
    a, b = left["address_street"], right["address_street"]
    if a is None or b is None:
        return -1
    if not close(a, b, CLOSE_STRING, 3):
        return 2
    na = left["address_numbers"]
    # The flat or house number matters: a block of flats is not a household.
    return 0 if na is not None and na == right["address_numbers"] else 1


def _exact(left: Rec, right: Rec, col: str | None) -> int:
    a, b = left[str(col)], right[str(col)]
    if a is None or b is None:
        return -1
    return 0 if a == b else 1


def _string(left: Rec, right: Rec, col: str | None) -> int:
    a, b = left[str(col)], right[str(col)]
    if a is None or b is None:
        return -1
    if a == b:
        return 0
    return 1 if close(a, b, CLOSE_STRING, 0) else 2


#: The comparison kinds with a plain form. ``exact`` and ``string`` are exact
#: only for string values (the caller checks the column types).
PLAIN_KINDS: Final[dict[str, PlainFn]] = {
    "nhs_number": _nhs_number,
    "given_name": _given_name,
    "family_name": _family_name,
    "name_swap": _name_swap,
    "date_of_birth": _date_of_birth,
    "sex": _sex,
    "postcode": _postcode,
    "address": _address,
    "exact": _exact,
    "string": _string,
}


def has_plain(kind: str) -> bool:
    """Whether a comparison kind has a plain (scalar) form.

    Args:
        kind: The comparison kind.

    Returns:
        True for the built-in kinds.
    """
    return kind in PLAIN_KINDS


def plain_level(kind: str, left: Rec, right: Rec, column: str | None = None) -> int:
    """The level index of one pair for one comparison kind (``-1`` = null level).

    Args:
        kind: A kind with a plain form (see :func:`has_plain`).
        left: The left record's prepared values.
        right: The right record's prepared values.
        column: The compared column of a generic kind (``exact``/``string``).

    Returns:
        The level index the vectorised comparison gives for the pair.

    Raises:
        KeyError: The kind has no plain form.
    """
    return PLAIN_KINDS[kind](left, right, column)
