"""Plain per-pair levels of the relationship comparison kinds: the triage path's form.

Each function is the scalar form of one kind registered in ``_relation_kinds``
(household, carer_name, person_vs_carer, surname_link, family_ref, mother_ids,
mother_nhs, birth_near_edd): it takes the attendee's values (``left``, no
``l_`` prefix) and the plan side's (``right``) and returns the level index the
vectorised function gives (``0`` strongest, ``-1`` the null level). Polars'
null rules are followed exactly: a comparison with a null is null, and a null
condition in a ``when`` chain is false (``fill_null(False)`` where the
vectorised code has it). A column one side does not have is read as absent
(None), as the vectorised pair frame gathers only the columns each side has.

:func:`relation_kinds` hands a scorer the plain forms only for kinds whose
registered vectorised function is still the one mirrored here, so a kind
re-registered with other semantics falls back to polars instead of giving a
different answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from cpflag.linkage._comparisons import CLOSE_GIVEN, CLOSE_STRING, COMPARISON_KINDS
from cpflag.linkage._plain import PLAIN_KINDS, PlainFn, close, meet
from cpflag.rules._evidence import CARER_AGE_DAYS, PARENT_AGE_DAYS, VECTORISED

__all__ = ["RELATION_KINDS", "relation_kinds"]

Rec = Mapping[str, Any]


def _empty(values: Sequence[Any] | None) -> bool:
    """``list.len().fill_null(0) == 0``."""
    return not values


def _one_off(a: str, b: str) -> bool:
    """Equal length and at most one of the first eight characters differs (``_household``)."""
    if len(a) != len(b):
        return False
    return sum(a[i : i + 1] != b[i : i + 1] for i in range(8)) <= 1


def household(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["household"]``: same house ... the plan's LA area ... different."""
    lsec, rsec = left.get("pc_sector"), right.get("pc_sector")
    ldist = left.get("pc_district")
    areas = right.get("la_districts")
    has_pc = lsec is not None and rsec is not None
    has_area = ldist is not None and not _empty(areas)
    ls, rs = left.get("address_street"), right.get("address_street")
    street_missing = ls is None or rs is None
    if not has_pc and street_missing and not has_area:
        return -1
    ln, rn = left.get("address_numbers"), right.get("address_numbers")
    same_numbers = ln is not None and rn is not None and ln == rn
    # with_similarity(prefix=3): 0.0 where a street is missing or the openings differ.
    same_address = not street_missing and same_numbers and close(str(ls), str(rs), CLOSE_STRING, 3)
    lp, rp = left.get("postcode"), right.get("postcode")
    same_unit = lp is not None and rp is not None and lp == rp
    same_sector = has_pc and lsec == rsec
    one_off = lp is not None and rp is not None and _one_off(lp, rp)
    # list.contains(null) is false: the plan's districts hold no nulls.
    in_area = ldist is not None and areas is not None and ldist in areas
    if (same_sector or one_off) and same_address:
        return 0
    if not has_pc and same_address:
        return 1 if in_area else 2
    if same_unit and street_missing:
        return 3
    if same_unit:
        return 4
    if same_sector:
        return 5
    rdist = right.get("pc_district")
    if ldist is not None and rdist is not None and ldist == rdist:
        return 6
    home_unknown = rsec is None and rs is None
    if in_area:
        return 7 if home_unknown else 8
    return 9 if home_unknown else 10


def _against(left: Rec, right: Rec, who: str, given: str, grps: str, parts: str) -> int:
    """One of ``_name_against``'s two comparisons: (given, parts) vs the plan's ``who``."""
    lg, lgroups, lparts = left.get(given), left.get(grps), left.get(parts)
    rg = right.get(f"{who}_given_first")
    rgroups = right.get(f"{who}_given_groups")
    rparts = right.get(f"{who}_family_parts")
    if _empty(lparts) or _empty(rparts):
        return -1
    if not meet(lparts, rparts):
        return 2
    same_given = (lg is not None and rg is not None and lg == rg) or meet(lgroups, rgroups)
    if same_given:
        return 0
    # Similarity only where both given names are there (else 0.0, below the bar).
    if lg is not None and rg is not None and close(lg, rg, CLOSE_GIVEN, 1):
        return 0
    return 1


def _name_against(left: Rec, right: Rec, given: str, grps: str, parts: str) -> int:
    a = _against(left, right, "carer", given, grps, parts)
    b = _against(left, right, "mother", given, grps, parts)
    # The stronger of the two (lower index), the null level (-1) the weakest.
    if a < 0:
        return b
    if b < 0:
        return a
    return min(a, b)


def carer_name(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["carer_name"]``: the accompanying carer vs the plan's carer and mother."""
    return _name_against(
        left, right, "carer_given_first", "carer_given_groups", "carer_family_parts"
    )


def person_vs_carer(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["person_vs_carer"]``: the attendee vs the plan's carer and mother."""
    return _name_against(left, right, "given_first", "given_groups", "family_parts")


def surname_link(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["surname_link"]``, with its rule that a carer-explained surname is null."""
    lparts = left.get("family_parts")
    lcarer = left.get("carer_family_parts")
    carer_agrees = meet(lcarer, right.get("carer_family_parts")) or meet(
        lcarer, right.get("mother_family_parts")
    )
    explained = meet(lparts, lcarer) and carer_agrees
    if _empty(lparts) or explained:
        return -1
    if meet(lparts, right.get("family_parts")):
        return 0
    if meet(lparts, right.get("parent_families")):
        return 1
    return 2


def family_ref(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["family_ref"]``: the attendee's LA families vs the plan's.

    Levels: same family (0), the family of a plan the attendee may be (1, not
    for that plan itself), another family (2).
    """
    keys, key = left.get("family_keys") or [], right.get("family_key")
    if key is None:
        return -1
    if key in keys:
        return 0
    if key in (left.get("review_family_keys") or []) and right.get("prow") not in (
        left.get("review_prows") or []
    ):
        return 1
    return 2 if keys else -1


def mother_ids(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["mother_ids"]``: the attendee's NHS number / dob vs the plan's mother's."""
    ln, rn = left.get("nhs"), right.get("mother_nhs")
    ld, rd = left.get("dob"), right.get("mother_dob")
    nhs_null, dob_null = ln is None or rn is None, ld is None or rd is None
    if nhs_null and dob_null:
        return -1
    if not nhs_null and ln == rn:
        return 0
    if not dob_null and ld == rd:
        return 1
    return 2


def mother_nhs(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["mother_nhs"]``: a baby's mother's NHS number vs the mother's."""
    a, b = left.get("mother_nhs"), right.get("nhs")
    if a is None or b is None:
        return -1
    return 0 if a == b else 1


def birth_near_edd(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["birth_near_edd"]``: a baby's dob vs the plan's expected delivery date."""
    dob, edd = left.get("dob"), right.get("edd")
    if dob is None or edd is None:
        return -1
    days = abs(_days(dob) - _days(edd))
    if days <= 14:
        return 0
    return 1 if days <= 42 else 2


def _days(d: dt.date) -> int:
    return d.toordinal()


def parent_age(left: Rec, right: Rec, _col: str | None) -> int:
    """``VECTORISED["parent_age"]``: the adult's age (days) at the plan child's birth."""
    dob, child = left.get("dob"), right.get("dob")
    if dob is None or child is None:
        return -1
    days = _days(child) - _days(dob)
    lo, hi = PARENT_AGE_DAYS
    clo, chi = CARER_AGE_DAYS
    if lo <= days <= hi:
        return 0
    if clo <= days <= chi:
        return 1
    return 2


#: Plain form and the vectorised function it mirrors, per relation kind.
_MIRRORS: Final = {
    "household": (household, VECTORISED["household"]),
    "carer_name": (carer_name, VECTORISED["carer_name"]),
    "person_vs_carer": (person_vs_carer, VECTORISED["person_vs_carer"]),
    "surname_link": (surname_link, VECTORISED["surname_link"]),
    "family_ref": (family_ref, VECTORISED["family_ref"]),
    "mother_ids": (mother_ids, VECTORISED["mother_ids"]),
    "mother_nhs": (mother_nhs, VECTORISED["mother_nhs"]),
    "birth_near_edd": (birth_near_edd, VECTORISED["birth_near_edd"]),
    "parent_age": (parent_age, VECTORISED["parent_age"]),
}

#: The relation kinds' plain forms.
RELATION_KINDS: Final[dict[str, PlainFn]] = {k: fn for k, (fn, _) in _MIRRORS.items()}


def relation_kinds() -> dict[str, PlainFn]:
    """Plain forms for the person kinds and the relation kinds still registered as mirrored.

    Returns:
        ``{kind: plain function}``; a relation kind re-registered with another
        vectorised function is left out (its comparisons then have no plain form).
    """
    out = dict(PLAIN_KINDS)
    for kind, (fn, vectorised) in _MIRRORS.items():
        if COMPARISON_KINDS.get(kind) is vectorised:
            out[kind] = fn
    return out
