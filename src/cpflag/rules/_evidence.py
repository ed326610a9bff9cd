"""Relationship comparison kinds: household, names, family reference, mother's ids.

Relationships are typed edges between an attendee and a plan, scored with the
same Fellegi--Sunter machinery as same-person links (levels with m and u, a
prior, thresholds), so every relationship flag has a score, a band and reasons
with weights, and ``explain`` can show its waterfall. None of the evidence
depends on a shared surname: the LA's family reference, the household (the flat
number matters), the named carer or mother, and the mother's NHS number each
count on their own; a shared surname part only adds.

The comparison kinds registered here read these prepared columns (``l_`` is the
attendee, ``r_`` the plan side; see ``_attendee`` and ``_family``). The models
using them are in ``_relations``.

* ``household``: ``postcode``, ``pc_sector``, ``address_numbers``, ``address_street``
* ``carer_name``: attendee's ``carer_given_first``/``carer_family_parts`` against
  the plan's ``carer_*`` and ``mother_*`` names
* ``person_vs_carer``: the attendee's own ``given_first``/``family_parts`` against them
* ``surname_link``: attendee ``family_parts`` against the subject's and the parents'
* ``family_ref``: ``l_family_keys`` (LA families the attendee is a subject in)
  against ``r_family_key``
* ``family_row``: the same, strong links only (the carers' reading)
* ``mother_ids``: attendee ``nhs``/``dob`` against the plan's ``mother_nhs``/``mother_dob``
* ``mother_nhs``: a baby's ``mother_nhs`` against the mother's ``nhs``
* ``birth_near_edd``: a baby's ``dob`` against the plan's ``edd``
* ``parent_age``: an adult's ``dob`` against the plan child's ``dob`` (the
  adult's age at the child's birth)
"""

from __future__ import annotations

from typing import Final

from cpflag.linkage._comparisons import (
    CLOSE_GIVEN,
    CLOSE_STRING,
    both,
    register_declared_kind,
    same,
)
from cpflag.linkage._expr import Expr, L, R, StrSlice, any_null, days_between, list_len, str_len
from cpflag.linkage._expr_match import CountTrue, ListContains, ListsIntersect, Similar
from cpflag.linkage._levels import DeclaredKind

__all__ = [
    "CARER_AGE_DAYS",
    "IDENTITY_IN_REVIEW",
    "PARENT_AGE_DAYS",
    "RELATION_KINDS",
    "UNCONFIRMED_FAMILY",
]

#: The family-reference level resting on a review-band same-person link, and
#: the guard name of the cap on it (``_relation_caps.cap_unconfirmed_family``).
UNCONFIRMED_FAMILY: Final = "same_family_unconfirmed"
IDENTITY_IN_REVIEW: Final = "identity_in_review"


def _empty(e: Expr) -> Expr:
    """No list, or an empty one."""
    return list_len(e).fill_null(0).eq(0)


def _in(lst: Expr, item: Expr) -> Expr:
    return ListContains(lst, item).fill_null(False)


def _household() -> DeclaredKind:
    has_pc = ~both("pc_sector")
    in_area = _in(R("la_districts"), L("pc_district"))
    has_area = ~L("pc_district").is_null() & list_len(R("la_districts")).fill_null(0).gt(0)
    street_missing = both("address_street")
    same_address = Similar(L("address_street"), R("address_street"), CLOSE_STRING, prefix=3) & same(
        "address_numbers"
    ).fill_null(False)
    same_unit = same("postcode").fill_null(False)
    same_sector = same("pc_sector").fill_null(False)
    # One mistyped character anywhere in an otherwise equal postcode.
    lp, rp = L("postcode"), R("postcode")
    one_off = str_len(lp).eq(str_len(rp)) & CountTrue(
        tuple(StrSlice(lp, i, 1).ne(StrSlice(rp, i, 1)) for i in range(8))
    ).le(1)
    near_postcode = same_sector | one_off.fill_null(False)
    # A plan with no home to compare (none given, or a looked-after child's
    # placement set aside): only the LA area can speak, and a relative then
    # mostly lives in it, so these levels have their own m.
    home_unknown = R("pc_sector").is_null() & R("address_street").is_null()
    # A block of flats is not a household: the flat/house numbers must agree
    # too. The same street and number within one postcode sector, or with one
    # mistyped postcode character, is the same house.
    return DeclaredKind(
        "household",
        (
            "same_house",
            "same_address_in_area",
            "same_address",
            "same_unit_house_unknown",
            "same_unit",
            "same_sector",
            "same_district",
            "la_area_home_unknown",
            "la_area",
            "elsewhere_home_unknown",
            "different",
        ),
        (
            near_postcode & same_address,
            ~has_pc & same_address & in_area,
            ~has_pc & same_address,
            # With an address missing, a shared unit is most likely the same
            # house; with both known and different, it is not.
            same_unit & street_missing,
            same_unit,
            same_sector,
            same("pc_district").fill_null(False),
            in_area & home_unknown,
            in_area,
            home_unknown,
        ),
        ~has_pc & street_missing & ~has_area,
        (
            "postcode",
            "pc_sector",
            "pc_district",
            "address_numbers",
            "address_street",
            "la_districts",
        ),
    )


_NAMES = (
    "carer_given_first",
    "carer_given_groups",
    "carer_family_parts",
    "mother_given_first",
    "mother_given_groups",
    "mother_family_parts",
)


def _name_against(kind: str, given: str, groups: str, parts: str) -> DeclaredKind:
    """Levels full/family/different of (given, parts) vs the plan's carer and mother.

    Each of the two gives a level (null where either surname list is empty); the
    stronger of the two counts, and the pair is null only when both are.
    """
    null, full, family = [], [], []
    for who in ("carer", "mother"):
        rg = R(f"{who}_given_first")
        fam = ListsIntersect(L(parts), R(f"{who}_family_parts"))
        same_given = L(given).eq(rg).fill_null(False) | ListsIntersect(
            L(groups), R(f"{who}_given_groups")
        )
        missing = _empty(L(parts)) | _empty(R(f"{who}_family_parts"))
        null.append(missing)
        full.append(~missing & fam & (same_given | Similar(L(given), rg, CLOSE_GIVEN, prefix=1)))
        family.append(~missing & fam)
    return DeclaredKind(
        kind,
        ("full", "family", "different"),
        (full[0] | full[1], family[0] | family[1]),
        null[0] & null[1],
        tuple(dict.fromkeys((given, groups, parts, *_NAMES))),
    )


def _surname_link() -> DeclaredKind:
    # A child carries its accompanying carer's surname. When that carer's
    # surname already agrees with the plan's carer or mother (the carer_name
    # comparison counts it), the child's surname is the same evidence again, not
    # independent evidence: counting it twice puts namesake families in review.
    carer = L("carer_family_parts")
    carer_agrees = ListsIntersect(carer, R("carer_family_parts")) | ListsIntersect(
        carer, R("mother_family_parts")
    )
    explained = ListsIntersect(L("family_parts"), carer) & carer_agrees
    return DeclaredKind(
        "surname_link",
        ("subject", "parent", "different"),
        (
            ListsIntersect(L("family_parts"), R("family_parts")),
            ListsIntersect(L("family_parts"), R("parent_families")),
        ),
        _empty(L("family_parts")) | explained,
        ("family_parts", "parent_families", "carer_family_parts", "mother_family_parts"),
    )


def _family_ref() -> DeclaredKind:
    key = R("family_key")
    same_family = _in(L("family_keys"), key)
    # The LA family of a plan the attendee may be (a review-band same-person
    # link): evidence for the family's other plans, not for that plan itself
    # (the attendee "may be its sibling" only because it may be that child).
    unconfirmed = (
        ~same_family & _in(L("review_family_keys"), key) & ~_in(L("review_prows"), R("prow"))
    )
    return DeclaredKind(
        "family_ref",
        ("same_family", UNCONFIRMED_FAMILY, "other"),
        (same_family, unconfirmed),
        key.is_null() | (_empty(L("family_keys")) & ~unconfirmed),
        ("family_keys", "family_key", "review_family_keys", "review_prows", "prow"),
    )


def _family_row() -> DeclaredKind:
    """The attendee named on another row of the plan's LA family, by a strong link only.

    The carers' reading of the family reference: a review-band link says
    nothing for a carer, so only ``family_keys`` (strong links) are read.
    """
    key = R("family_key")
    return DeclaredKind(
        "family_row",
        ("same_family", "other"),
        (_in(L("family_keys"), key),),
        key.is_null() | _empty(L("family_keys")),
        ("family_keys", "family_key"),
    )


#: Ages (in days, at the plan child's birth) of a parent, and of any other adult
#: who may care for a child (an older sibling, a grandparent, a foster carer).
PARENT_AGE_DAYS: Final = (5479, 18262)  # 15 to 50 years
CARER_AGE_DAYS: Final = (4383, 29220)  # 12 to 80 years


def _between(e: Expr, bounds: tuple[int, int]) -> Expr:
    return e.ge(bounds[0]) & e.le(bounds[1])


_MOTHER_NHS, _MOTHER_DOB = L("nhs").eq(R("mother_nhs")), L("dob").eq(R("mother_dob"))
# The adult's age when the plan child was born: a namesake of the named mother
# aged 70, or 19 with a 12-year-old, is not her.
_AGE = days_between(R("dob"), L("dob"))
_FROM_EDD = abs(days_between(L("dob"), R("edd")))

_DECLARED: Final = (
    _household(),
    _name_against("carer_name", "carer_given_first", "carer_given_groups", "carer_family_parts"),
    _name_against("person_vs_carer", "given_first", "given_groups", "family_parts"),
    _surname_link(),
    _family_ref(),
    _family_row(),
    DeclaredKind(
        "mother_ids",
        ("nhs", "dob", "different"),
        (_MOTHER_NHS.fill_null(False), _MOTHER_DOB.fill_null(False)),
        any_null(L("nhs"), R("mother_nhs")) & any_null(L("dob"), R("mother_dob")),
        ("nhs", "dob", "mother_nhs", "mother_dob"),
    ),
    DeclaredKind(
        "mother_nhs",
        ("exact", "different"),
        (L("mother_nhs").eq(R("nhs")),),
        any_null(L("mother_nhs"), R("nhs")),
        ("mother_nhs", "nhs"),
    ),
    DeclaredKind(
        "birth_near_edd",
        ("within_2w", "within_6w", "different"),
        (_FROM_EDD.le(14), _FROM_EDD.le(42)),
        any_null(L("dob"), R("edd")),
        ("dob", "edd"),
    ),
    DeclaredKind(
        "parent_age",
        ("parent_age", "other_adult_age", "implausible"),
        (_between(_AGE, PARENT_AGE_DAYS), _between(_AGE, CARER_AGE_DAYS)),
        both("dob"),
        ("dob",),
    ),
)
for _decl in _DECLARED:
    register_declared_kind(_decl)

#: The kinds registered here, in the order above.
RELATION_KINDS: Final = tuple(d.kind for d in _DECLARED)
