"""Relationship models: sibling, carer and newborn--mother links.

Each relationship flag kind is scored by its own Fellegi--Sunter model over the
comparison kinds of ``_relation_kinds`` (registered when that module is
imported, which this one does): levels with m and u, a prior from population
sizes, thresholds and guards, so every relationship flag has a score, a band
and reasons with weights, and ``explain`` can show its waterfall.
"""

from __future__ import annotations

from typing import Final

from cpflag.linkage import BlockingRule, Comparison, LinkageModel, Thresholds
from cpflag.rules._evidence import RELATION_KINDS

__all__ = [
    "RELATION_FLAGS",
    "RELATION_KINDS",
    "carer_model",
    "default_relation_models",
    "newborn_model",
    "sibling_model",
]

#: The flag kinds scored by a relationship model of their own (the mother on an
#: unborn plan is a same-person link, scored by the person model).
RELATION_FLAGS: Final = (
    "sibling_of_plan_subject",
    "carer_of_plan_subject",
    "newborn_of_unborn_plan",
)


def _c(
    name: str, kind: str, levels: list[tuple[str, float, float, str]], *, name_u: bool = False
) -> Comparison:
    """A comparison; ``name_u`` makes its ``full`` level use the name's own frequency."""
    return Comparison.from_table(
        name,
        kind,
        levels,
        adjusted=("full",) if name_u else (),
        u_column="parent_name_u" if name_u else None,
        # No full name is rarer than about one person in ten million.
        tf_minimum=1e-7,
    )


# The "full" name levels use each plan's own name frequency (``parent_name_u``:
# given-name frequency x surname frequency, estimated from the plan list and
# shrunk towards the level's u), so "Krzysztof Kowalski" counts for far more than
# "Sarah Smith"; the u written here is the average used when no estimate exists.
# u values are chance agreement between a random attendee and a random plan
# family in England: a postcode unit holds ~15 households (~3e-6 by chance). The
# priors are the chance that a random attendee--plan pair is related, from the
# sizes of the populations (see each model).
_HOUSEHOLD = _c(
    "household",
    "household",
    [
        # Someone at the same address and flat *is* of the household: only a
        # data error puts an unrelated person there.
        ("same_house", 0.55, 1e-9, "same household (address and flat/house number)"),
        # The same number and street name exist in other towns (~1e-6 of
        # random pairs), rarely twice in one LA: within the plan's LA area a
        # random attendee has that address about once in 1e5 (x 1/150 in area).
        (
            "same_address_in_area",
            0.045,
            7e-8,
            "same address in the plan's LA area (postcode missing on one side)",
        ),
        # Not known to be in the area (the attendee's postcode is the missing
        # one, or it lies elsewhere): as before the area was compared.
        ("same_address", 0.05, 1e-6, "same address (postcode missing on one side)"),
        # About one record in ten lacks an address: the same unit then stands for
        # "same house or a neighbour", mostly the former for a relative.
        ("same_unit_house_unknown", 0.06, 3e-7, "same postcode unit, address missing"),
        ("same_unit", 0.06, 2.7e-6, "same postcode unit, other house"),
        ("same_sector", 0.05, 3e-4, "same postcode sector"),
        ("same_district", 0.07, 0.01, "same postcode district"),
        # The plan's LA area (the districts its listed families live in): a
        # looked-after child's birth family, a parent living apart. About one
        # district in 150 is a given LA's.
        # With the plan's home unknown (none given, or a looked-after child's
        # placement set aside), the LA area is the only place to compare: the
        # relatives it is asked about (a looked-after child's birth family, a
        # parent living apart) mostly live in the LA that keeps the plan. These
        # two levels share the m mass of "a relative, home unknown", so they
        # sum to 1 on their own; a random attendee is in a given LA's area about
        # once in 150.
        (
            "la_area_home_unknown",
            0.7,
            0.0067,
            "lives in the plan's LA area (plan home unknown or a placement)",
        ),
        ("la_area", 0.08, 0.0067, "lives in the plan's LA area"),
        ("elsewhere_home_unknown", 0.3, 0.9933, "lives outside the plan's LA area"),
        ("different", 0.08, 0.983, "lives elsewhere"),
    ],
)
# Relationship flags need better than even odds to reach review. Name-only
# evidence (a carer's name found on lists of 140,000 plans, the family living
# elsewhere) would otherwise fill the review band with namesakes.
_RELATION_THRESHOLDS = Thresholds(match=6.0, review=0.0)


def sibling_model() -> LinkageModel:
    """Child attendee vs the family of a child on a cpp/lac/cin plan."""
    return LinkageModel(
        comparisons=(
            _c(
                "family_ref",
                "family_ref",
                [
                    # The LA's own grouping of its children: only a wrong
                    # same-person link (itself match-band only) puts an unrelated
                    # child in it, so it outweighs a different home or surname
                    # (half-siblings, parents apart).
                    ("same_family", 0.30, 1e-12, "LA lists the attendee in the same family"),
                    (
                        "same_family_unconfirmed",
                        0.10,
                        1e-10,
                        "LA lists in the same family the plan child the attendee may be",
                    ),
                    ("other", 0.05, 0.9999999, "LA lists the attendee in another family"),
                ],
            ),
            _HOUSEHOLD,
            _c(
                "carer_name",
                "carer_name",
                [
                    # ~2e-5: two women sharing a given name and surname by chance.
                    ("full", 0.35, 2e-5, "accompanying carer is the plan's carer/mother"),
                    ("family", 0.10, 0.003, "carer shares a surname with the plan's carer/mother"),
                    ("different", 0.15, 0.997, "carer differs from the plan's"),
                ],
                name_u=True,
            ),
            _c(
                "surname_link",
                "surname_link",
                [
                    ("subject", 0.60, 0.005, "surname shared with the plan child"),
                    ("parent", 0.20, 0.005, "surname shared with the plan's carer/mother"),
                    ("different", 0.20, 0.99, "surname differs (half/step-siblings may)"),
                ],
            ),
        ),
        blocking_rules=(
            BlockingRule("household_unit", ("postcode",), why="siblings at the same address"),
            BlockingRule(
                "household_address",
                ("address_numbers", "address_street"),
                why="same address with the postcode missing on one side",
            ),
            BlockingRule(
                "family_ref", ("family_keys",), ("family_key",), why="LA family reference"
            ),
            BlockingRule(
                "family_ref_review",
                ("review_family_keys",),
                ("family_key",),
                why="LA family of a plan the attendee may be (review-band link)",
            ),
            BlockingRule(
                "carer_as_carer",
                ("carer_given_first", "carer_family_parts"),
                ("carer_given_first", "carer_family_parts"),
                why="same accompanying carer, any address (e.g. LAC birth siblings)",
            ),
            BlockingRule(
                "carer_as_mother",
                ("carer_given_first", "carer_family_parts"),
                ("mother_given_first", "mother_family_parts"),
                why="accompanied by the plan child's mother",
            ),
        ),
        # ~1.5 siblings per plan child among ~12M children in England.
        prior=1.25e-7,
        thresholds=_RELATION_THRESHOLDS,
        name="cpflag sibling model v2",
    )


def carer_model() -> LinkageModel:
    """Adult attendee vs the parents/carers and household of a child on a plan."""
    return LinkageModel(
        comparisons=(
            _c(
                "named_carer",
                "person_vs_carer",
                [
                    ("full", 0.70, 2e-5, "attendee is the plan's named carer/mother"),
                    (
                        "family",
                        0.15,
                        0.003,
                        "attendee shares a surname with the named carer/mother",
                    ),
                    ("different", 0.15, 0.997, "attendee is not the named carer/mother"),
                ],
                name_u=True,
            ),
            _c(
                "mother_ids",
                "mother_ids",
                [
                    ("nhs", 0.30, 1e-9, "attendee's NHS number is the plan's mother's"),
                    ("dob", 0.10, 1e-4, "attendee's dob is the plan's mother's"),
                    ("different", 0.05, 0.9999, "identifiers differ from the plan's mother's"),
                ],
            ),
            _HOUSEHOLD,
            _c(
                "age_gap",
                "parent_age",
                [
                    # Parents are 15-50 at a child's birth; a foster carer, a
                    # grandparent or an older sibling may be 12-80. A random
                    # adult attendee against a random plan child is in the
                    # parents' range about half the time.
                    ("parent_age", 0.88, 0.5, "of an age to be the child's parent"),
                    ("other_adult_age", 0.11, 0.35, "of an age to be a carer, not a parent"),
                    ("implausible", 0.01, 0.15, "of no plausible age to care for the child"),
                ],
            ),
        ),
        blocking_rules=(
            BlockingRule(
                "household_house",
                ("postcode", "address_numbers"),
                why="adults of the child's household (street spelt differently too)",
            ),
            BlockingRule(
                "household_address",
                ("address_numbers", "address_street"),
                why="same address with the postcode missing on one side",
            ),
            BlockingRule(
                "named_carer",
                ("given_first", "family_parts"),
                ("carer_given_first", "carer_family_parts"),
                why="the plan's named carer, any address",
            ),
            BlockingRule(
                "named_mother",
                ("given_first", "family_parts"),
                ("mother_given_first", "mother_family_parts"),
                why="the plan's named mother, any address",
            ),
            BlockingRule("mother_nhs", ("nhs",), ("mother_nhs",), why="the mother's NHS number"),
            BlockingRule(
                "mother_dob_unit",
                ("postcode", "dob"),
                ("postcode", "mother_dob"),
                why="the mother's date of birth in the child's postcode unit (address missing)",
            ),
        ),
        # ~2 parents/carers per plan child among ~40M adults in England.
        prior=5e-8,
        thresholds=_RELATION_THRESHOLDS,
        name="cpflag carer model v2",
    )


def newborn_model() -> LinkageModel:
    """Baby attendee vs the mother named on an unborn (pre-birth) plan."""
    return LinkageModel(
        comparisons=(
            _c(
                "mother_nhs",
                "mother_nhs",
                [
                    ("exact", 0.60, 1e-9, "mother's NHS number on the baby's record"),
                    ("different", 0.02, 0.999999999, "another mother's NHS number on the record"),
                ],
            ),
            Comparison.from_table(
                "surname",
                "family_name",
                [
                    ("exact", 0.70, 0.003, "baby's (placeholder) surname is the mother's"),
                    ("part", 0.05, 0.0005, "baby's surname shares a part with the mother's"),
                    ("close", 0.03, 0.002, "baby's surname close to the mother's"),
                    ("phonetic", 0.01, 0.003, "baby's surname sounds like the mother's"),
                    ("parent", 0.01, 0.001, "baby's surname is the plan's carer's"),
                    ("different", 0.20, 0.9915, "baby's surname differs from the mother's"),
                ],
                # "Baby of Redworth" says more than "Baby of Smith": the exact
                # level uses the surname's frequency among the parents and
                # carers on the lists (PlanIndex: ``adult_surnames``), where
                # "Begum" is common, not among the children, where it is rare.
                adjusted=("exact",),
                tf_column="family",
            ),
            _c(
                "carer_is_mother",
                "carer_name",
                [
                    ("full", 0.40, 2e-5, "accompanying carer is the plan's mother or named carer"),
                    (
                        "family",
                        0.10,
                        0.003,
                        "carer shares the surname of the plan's mother or carer",
                    ),
                    ("different", 0.10, 0.997, "carer is someone else"),
                ],
                name_u=True,
            ),
            _HOUSEHOLD,
            _c(
                "birth_vs_edd",
                "birth_near_edd",
                [
                    ("within_2w", 0.75, 0.08, "born within 2 weeks of the expected date"),
                    ("within_6w", 0.20, 0.15, "born within 6 weeks of the expected date"),
                    ("different", 0.05, 0.77, "born far from the expected date"),
                ],
            ),
        ),
        blocking_rules=(
            BlockingRule(
                "mother_nhs", ("mother_nhs",), ("nhs",), why="mother's NHS number on record"
            ),
            BlockingRule(
                "surname", ("family_parts",), why="'Baby of Smith' carries the mother's surname"
            ),
            BlockingRule("household_unit", ("postcode",), why="born at the mother's address"),
            BlockingRule(
                "household_address",
                ("address_numbers", "address_street"),
                why="the mother's address with the postcode missing or mistyped",
            ),
            BlockingRule(
                "carer_is_mother",
                ("carer_given_first", "carer_family_parts"),
                ("mother_given_first", "mother_family_parts"),
                why="accompanied by the mother",
            ),
        ),
        # ~1 in 150,000 babies born in a 90-day window is a given plan's baby.
        prior=5e-6,
        thresholds=_RELATION_THRESHOLDS,
        name="cpflag newborn model v1",
    )


def default_relation_models() -> dict[str, LinkageModel]:
    """The shipped relationship models, by the flag kind each scores."""
    return {
        "sibling_of_plan_subject": sibling_model(),
        "carer_of_plan_subject": carer_model(),
        "newborn_of_unborn_plan": newborn_model(),
    }
