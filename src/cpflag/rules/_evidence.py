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
* ``mother_ids``: attendee ``nhs``/``dob`` against the plan's ``mother_nhs``/``mother_dob``
* ``mother_nhs``: a baby's ``mother_nhs`` against the mother's ``nhs``
* ``birth_near_edd``: a baby's ``dob`` against the plan's ``edd``
* ``parent_age``: an adult's ``dob`` against the plan child's ``dob`` (the
  adult's age at the child's birth)
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.linkage._comparisons import (
    CLOSE_GIVEN,
    CLOSE_STRING,
    COMPARISON_KINDS,
    any_null,
    levels_expr,
    lists_intersect,
    register_comparison_kind,
    with_similarity,
)

__all__ = [
    "CARER_AGE_DAYS",
    "IDENTITY_IN_REVIEW",
    "PARENT_AGE_DAYS",
    "RELATION_KINDS",
    "UNCONFIRMED_FAMILY",
    "VECTORISED",
]

#: The family-reference level resting on a review-band same-person link, and
#: the guard name of the cap on it (``_relation_caps.cap_unconfirmed_family``).
UNCONFIRMED_FAMILY: Final = "same_family_unconfirmed"
IDENTITY_IN_REVIEW: Final = "identity_in_review"


def _household(p: pl.DataFrame, _c: str | None) -> pl.Series:
    has_pc = ~any_null("l_pc_sector", "r_pc_sector")
    in_area = pl.col("r_la_districts").list.contains(pl.col("l_pc_district")).fill_null(False)
    has_area = pl.col("l_pc_district").is_not_null() & (
        pl.col("r_la_districts").list.len().fill_null(0) > 0
    )
    null = ~has_pc & any_null("l_address_street", "r_address_street") & ~has_area
    street_missing = any_null("l_address_street", "r_address_street")
    p = with_similarity(p, "l_address_street", "r_address_street", street_missing, "_sim", prefix=3)
    same_numbers = (pl.col("l_address_numbers") == pl.col("r_address_numbers")).fill_null(False)
    same_address = (pl.col("_sim") >= CLOSE_STRING) & same_numbers
    same_unit = (pl.col("l_postcode") == pl.col("r_postcode")).fill_null(False)
    same_sector = (pl.col("l_pc_sector") == pl.col("r_pc_sector")).fill_null(False)
    # One mistyped character anywhere in an otherwise equal postcode.
    lp, rp = pl.col("l_postcode"), pl.col("r_postcode")
    one_off = (lp.str.len_chars() == rp.str.len_chars()) & (
        pl.sum_horizontal(
            [(lp.str.slice(i, 1) != rp.str.slice(i, 1)).cast(pl.Int8) for i in range(8)]
        )
        <= 1
    )
    near_postcode = same_sector | one_off.fill_null(False)
    # A plan with no home to compare (none given, or a looked-after child's
    # placement set aside): only the LA area can speak, and a relative then
    # mostly lives in it, so these levels have their own m.
    home_unknown = pl.col("r_pc_sector").is_null() & pl.col("r_address_street").is_null()
    # A block of flats is not a household: the flat/house numbers must agree
    # too. The same street and number within one postcode sector, or with one
    # mistyped postcode character, is the same house.
    return p.select(
        levels_expr(
            [
                near_postcode & same_address,
                ~has_pc & same_address & in_area,
                ~has_pc & same_address,
                # With an address missing, a shared unit is most likely the
                # same house; with both known and different, it is not.
                same_unit & street_missing,
                same_unit,
                same_sector,
                (pl.col("l_pc_district") == pl.col("r_pc_district")).fill_null(False),
                in_area & home_unknown,
                in_area,
                home_unknown,
            ],
            null,
        )
    ).to_series()


def _name_against(p: pl.DataFrame, given: str, groups: str, parts: str) -> pl.Series:
    """Levels full/family/different of (given, parts) vs the plan's carer and mother."""
    outs = []
    for who in ("carer", "mother"):
        rg, rgg, rp = f"r_{who}_given_first", f"r_{who}_given_groups", f"r_{who}_family_parts"
        fam = lists_intersect(parts, rp)
        same_given = (pl.col(given) == pl.col(rg)).fill_null(False) | lists_intersect(groups, rgg)
        q = with_similarity(p, given, rg, ~fam | same_given | any_null(given, rg), "_sim", prefix=1)
        full = fam & (same_given | (pl.col("_sim") >= CLOSE_GIVEN))
        null = pl.col(parts).list.len().fill_null(0).eq(0) | pl.col(rp).list.len().fill_null(0).eq(
            0
        )
        outs.append(q.select(levels_expr([full, fam], null)).to_series())
    a, b = outs
    # The stronger of the two (lower index, but -1 = null is weakest).
    return pl.select(
        pl.when(a < 0).then(b).when(b < 0).then(a).otherwise(pl.min_horizontal(a, b))
    ).to_series()


def _carer_name(p: pl.DataFrame, _c: str | None) -> pl.Series:
    return _name_against(p, "l_carer_given_first", "l_carer_given_groups", "l_carer_family_parts")


def _person_vs_carer(p: pl.DataFrame, _c: str | None) -> pl.Series:
    return _name_against(p, "l_given_first", "l_given_groups", "l_family_parts")


def _surname_link(p: pl.DataFrame, _c: str | None) -> pl.Series:
    # A child carries its accompanying carer's surname. When that carer's
    # surname already agrees with the plan's carer or mother (the carer_name
    # comparison counts it), the child's surname is the same evidence again, not
    # independent evidence: counting it twice puts namesake families in review.
    carer_agrees = lists_intersect(
        "l_carer_family_parts", "r_carer_family_parts"
    ) | lists_intersect("l_carer_family_parts", "r_mother_family_parts")
    explained = lists_intersect("l_family_parts", "l_carer_family_parts") & carer_agrees
    null = (pl.col("l_family_parts").list.len().fill_null(0) == 0) | explained
    return p.select(
        levels_expr(
            [
                lists_intersect("l_family_parts", "r_family_parts"),
                lists_intersect("l_family_parts", "r_parent_families"),
            ],
            null,
        )
    ).to_series()


def _family_ref(p: pl.DataFrame, _c: str | None) -> pl.Series:
    same = pl.col("l_family_keys").list.contains(pl.col("r_family_key")).fill_null(False)
    # The LA family of a plan the attendee may be (a review-band same-person
    # link): evidence for the family's other plans, not for that plan itself
    # (the attendee "may be its sibling" only because it may be that child).
    unconfirmed = (
        ~same
        & pl.col("l_review_family_keys").list.contains(pl.col("r_family_key")).fill_null(False)
        & ~pl.col("l_review_prows").list.contains(pl.col("r_prow")).fill_null(False)
    )
    null = pl.col("r_family_key").is_null() | (
        (pl.col("l_family_keys").list.len().fill_null(0) == 0) & ~unconfirmed
    )
    return p.select(levels_expr([same, unconfirmed], null)).to_series()


def _mother_ids(p: pl.DataFrame, _c: str | None) -> pl.Series:
    nhs = (pl.col("l_nhs") == pl.col("r_mother_nhs")).fill_null(False)
    dob = (pl.col("l_dob") == pl.col("r_mother_dob")).fill_null(False)
    null = any_null("l_nhs", "r_mother_nhs") & any_null("l_dob", "r_mother_dob")
    return p.select(levels_expr([nhs, dob], null)).to_series()


def _mother_nhs(p: pl.DataFrame, _c: str | None) -> pl.Series:
    return p.select(
        levels_expr([pl.col("l_mother_nhs") == pl.col("r_nhs")], any_null("l_mother_nhs", "r_nhs"))
    ).to_series()


#: Ages (in days, at the plan child's birth) of a parent, and of any other adult
#: who may care for a child (an older sibling, a grandparent, a foster carer).
PARENT_AGE_DAYS: Final = (5479, 18262)  # 15 to 50 years
CARER_AGE_DAYS: Final = (4383, 29220)  # 12 to 80 years


def _parent_age(p: pl.DataFrame, _c: str | None) -> pl.Series:
    # The adult's age when the plan child was born: a namesake of the named
    # mother aged 70, or 19 with a 12-year-old, is not her.
    days = (pl.col("r_dob") - pl.col("l_dob")).dt.total_days()
    lo, hi = PARENT_AGE_DAYS
    clo, chi = CARER_AGE_DAYS
    return p.select(
        levels_expr(
            [days.is_between(lo, hi), days.is_between(clo, chi)], any_null("l_dob", "r_dob")
        )
    ).to_series()


def _birth_near_edd(p: pl.DataFrame, _c: str | None) -> pl.Series:
    days = (pl.col("l_dob") - pl.col("r_edd")).dt.total_days().abs()
    return p.select(levels_expr([days <= 14, days <= 42], any_null("l_dob", "r_edd"))).to_series()


_NAMES = (
    "carer_given_first",
    "carer_given_groups",
    "carer_family_parts",
    "mother_given_first",
    "mother_given_groups",
    "mother_family_parts",
)
_HOUSE = (
    "postcode",
    "pc_sector",
    "pc_district",
    "address_numbers",
    "address_street",
    "la_districts",
)

register_comparison_kind(
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
    _HOUSE,
    _household,
)
register_comparison_kind("carer_name", ("full", "family", "different"), _NAMES, _carer_name)
register_comparison_kind(
    "person_vs_carer",
    ("full", "family", "different"),
    ("given_first", "given_groups", "family_parts", *_NAMES),
    _person_vs_carer,
)
register_comparison_kind(
    "surname_link",
    ("subject", "parent", "different"),
    ("family_parts", "parent_families", "carer_family_parts", "mother_family_parts"),
    _surname_link,
)
register_comparison_kind(
    "family_ref",
    ("same_family", "same_family_unconfirmed", "other"),
    ("family_keys", "family_key", "review_family_keys", "review_prows", "prow"),
    _family_ref,
)
register_comparison_kind(
    "mother_ids",
    ("nhs", "dob", "different"),
    ("nhs", "dob", "mother_nhs", "mother_dob"),
    _mother_ids,
)
register_comparison_kind("mother_nhs", ("exact", "different"), ("mother_nhs", "nhs"), _mother_nhs)
register_comparison_kind(
    "birth_near_edd", ("within_2w", "within_6w", "different"), ("dob", "edd"), _birth_near_edd
)
register_comparison_kind(
    "parent_age", ("parent_age", "other_adult_age", "implausible"), ("dob",), _parent_age
)

#: The kinds registered here, in the order above.
RELATION_KINDS: Final = (
    "household",
    "carer_name",
    "person_vs_carer",
    "surname_link",
    "family_ref",
    "mother_ids",
    "mother_nhs",
    "birth_near_edd",
    "parent_age",
)


#: The vectorised function each relation kind was registered with (their plain
#: readings mirror these; a kind re-registered later no longer matches).
VECTORISED: Final = {kind: COMPARISON_KINDS[kind] for kind in RELATION_KINDS}
