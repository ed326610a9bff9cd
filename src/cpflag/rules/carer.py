"""The ``carer_of_plan_subject`` rule: an adult attending is a parent or carer of a plan child.

* **Candidates**: adults, and records of unknown age outside an adult setting
  (:func:`eligible`), against the families of children on cpp/lac/cin plans
  as carers see them (a looked-after child's placement kept apart from the
  birth family), by the model's blocking rules.
* **Evidence and thresholds**: :func:`carer_model`.
* **Caps**: :func:`only_named_if_age_unknown` (an attendee of unknown age is a
  carer only as the named adult, at most ``review``); the pair is carried to
  the child's LA family except for a looked-after child's placement (a foster
  carer is the carer of the child placed with them only), then one pair per
  plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from cpflag.contract import Band
from cpflag.linkage import BlockingRule, LinkageModel
from cpflag.rules._attendee import AGE_UNKNOWN
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._models import HOUSEHOLD, RELATION_THRESHOLDS, comparison
from cpflag.rules._one_pair import OnePair
from cpflag.rules._propagate import best_per_plan, propagate_to_family

__all__ = [
    "CHECKS",
    "NAMED_ADULT_LEVELS",
    "PER_CHILD_TYPES",
    "age_unknown_one",
    "cap_one",
    "caps",
    "carer_model",
    "eligible",
    "eligible_one",
    "keep_one",
    "named_adult_expr",
    "named_adult_levels",
    "only_named_if_age_unknown",
]

_c = comparison

#: Plan types whose carer pairs neither give nor take LA-family copies.
PER_CHILD_TYPES: Final = ("lac",)

#: What to verify at review: the unknown-age cap, else generic.
CHECKS: Final = ReviewChecks(
    generic="weak household evidence: confirm the adult lives with or cares for the plan child",
    caps={AGE_UNKNOWN: "carer named by name only, age unknown: ask the adult about the children"},
)


def carer_model() -> LinkageModel:
    """Adult attendee vs the parents/carers and household of a child on a plan."""
    return LinkageModel(
        comparisons=(
            _c(
                "named_carer",
                "person_vs_carer",
                [
                    # A carer is any adult of the child's household (the data
                    # contract), and a plan names at most two of them: about
                    # half of true carers are not the named one.
                    ("full", 0.45, 2e-5, "attendee is the plan's named carer/mother"),
                    (
                        "family",
                        0.15,
                        0.003,
                        "attendee shares a surname with the named carer/mother",
                    ),
                    ("different", 0.40, 0.997, "attendee is not the named carer/mother"),
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
            HOUSEHOLD,
            _c(
                "family_ref",
                "family_row",
                [
                    # The attendee is, by a strong same-person link, the subject
                    # of another row of this plan child's LA family (a MARAC
                    # row) or the mother on its pre-birth row: known on one row
                    # of the family, a parent of its children. Only a wrong
                    # identity puts an unrelated adult there; a link still in
                    # review is not read at all.
                    ("same_family", 0.05, 1e-12, "named on another row of the LA family"),
                    ("other", 0.02, 0.9999999, "named on a row of another LA family"),
                ],
            ),
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
            # The postcode unit alone: an adult of the child's household whose
            # address is missing or spelt otherwise on one side (about 15
            # households share a unit, and few of them hold a plan family).
            BlockingRule("household_unit", ("postcode",), why="adults at the child's postcode"),
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
                "family_ref",
                ("family_keys",),
                ("family_key",),
                why="named on another row (MARAC, pre-birth) of the LA family",
            ),
            BlockingRule(
                "mother_dob_unit",
                ("postcode", "dob"),
                ("postcode", "mother_dob"),
                why="the mother's date of birth in the child's postcode unit (address missing)",
            ),
        ),
        # ~2 parents/carers per plan child among ~40M adults in England.
        prior=5e-8,
        thresholds=RELATION_THRESHOLDS,
        name="cpflag carer model v3",
    )


#: The levels that say the attendee *is* the plan's named adult (by comparison
#: kind): their full name, the mother's NHS number, or a strong same-person
#: link to another row of the LA family.
NAMED_ADULT_LEVELS: Final = {
    "person_vs_carer": ("full",),
    "mother_ids": ("nhs",),
    "family_row": ("same_family",),
}


def named_adult_levels(model: LinkageModel) -> list[tuple[int, tuple[int, ...]]]:
    """``(comparison position, level indices)`` of :data:`NAMED_ADULT_LEVELS` in ``model``."""
    return [
        (i, tuple(c.labels.index(label) for label in NAMED_ADULT_LEVELS[c.kind]))
        for i, c in enumerate(model.comparisons)
        if c.kind in NAMED_ADULT_LEVELS
    ]


def named_adult_expr(model: LinkageModel) -> pl.Expr:
    """Pairs where the attendee is the plan's named carer or mother (name or NHS number)."""
    named = pl.lit(False)
    for i, levels in named_adult_levels(model):
        named = named | pl.col(f"gamma_{model.comparisons[i].name}").is_in(levels)
    return named.fill_null(False)


def only_named_if_age_unknown(
    scored: pl.DataFrame, left: pl.DataFrame, model: LinkageModel
) -> pl.DataFrame:
    """Carer pairs of an attendee of unknown age: only as the named adult, at most review.

    With no date of birth outside an adult setting the attendee may be a
    child, and a child of the household shares the carer's home. Such a
    record is a possible carer only when it *is* the plan's named carer or
    mother (full name, or the mother's NHS number); the flag is then capped at
    ``review`` (guard ``age_unknown``), as a newborn flag of unknown age is.
    Attendees known to be adults are untouched.
    """
    if scored.height == 0:
        return scored
    doubt = left.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"),
        ((pl.col("age_doubt") == AGE_UNKNOWN) & ~pl.col("is_adult")).alias("_unknown"),
    )
    unknown = pl.col("_unknown").fill_null(False)
    return (
        scored.join(doubt, on="l", how="left")
        .filter(~unknown | named_adult_expr(model))
        .with_columns(
            pl.when(unknown & (pl.col("band") == Band.MATCH))
            .then(pl.lit(Band.REVIEW))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(unknown).then(pl.lit(AGE_UNKNOWN)).otherwise(pl.col("guard")).alias("guard"),
        )
        .drop("_unknown")
    )


def eligible() -> pl.Expr:
    """Attendees compared as possible carers: adults, and records of unknown age.

    A record with no date of birth outside an adult setting may be an adult
    (adults attend mixed EDs and urgent care); its carer pairs are kept only
    when it is the named adult (``_relation_caps.only_named_if_age_unknown``).
    """
    return (pl.col("is_adult") | (pl.col("age_doubt") == AGE_UNKNOWN)).fill_null(False)


def age_unknown_one(attendee: Mapping[str, Any]) -> bool:
    """Not known to be an adult and no usable age (:func:`only_named_if_age_unknown`)."""
    return not attendee["is_adult"] and attendee["age_doubt"] == AGE_UNKNOWN


def eligible_one(attendee: Mapping[str, Any]) -> bool:
    """:func:`eligible` of one attendee row."""
    return bool(attendee["is_adult"]) or age_unknown_one(attendee)


def caps(
    scored: pl.DataFrame,
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: LinkageModel,
    _subj: pl.DataFrame,
    _subjects: pl.DataFrame,
) -> pl.DataFrame:
    """The rule's caps and family copies on its scored, banded pairs (batch)."""
    scored = only_named_if_age_unknown(scored, left, model)
    return best_per_plan(propagate_to_family(scored, right, per_child_types=PER_CHILD_TYPES), right)


def keep_one(pair: OnePair) -> bool:
    """:func:`only_named_if_age_unknown`'s filter of one pair (before family copies)."""
    if not age_unknown_one(pair.attendee):
        return True
    return any(pair.gammas[i] in lv for i, lv in named_adult_levels(pair.model))


def cap_one(pair: OnePair) -> tuple[str, str | None] | None:
    """:func:`only_named_if_age_unknown`'s cap of one kept pair: ``(band, guard)``."""
    if not age_unknown_one(pair.attendee):
        return pair.band, pair.guard
    return (Band.REVIEW if pair.band == Band.MATCH else pair.band), AGE_UNKNOWN
