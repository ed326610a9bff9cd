"""The ``newborn_of_unborn_plan`` rule: a baby attending is the baby of a pre-birth plan.

* **Candidates**: attendees who are newborns (``is_newborn``: under the
  configured age, or a "Baby of" record), against the mothers named on unborn
  plans, by the model's blocking rules (mother's NHS number, the mother's name
  as the carer, the plan's postcode).
* **Evidence and thresholds**: :func:`newborn_model`.
* **Caps**: :func:`cap_unknown_age` -- a newborn flag is at most ``review``
  when the baby's age is in doubt (guard ``age_doubt``: no date of birth, a
  mistyped year, a digit typo of a newborn's date; see ``_newborn_age``).
* **Composition with an unknown age**: a record with no date of birth, a
  real given name (not "Baby" / "Baby of") and no mother's NHS number is a
  newborn only as often as a child attending is: P(flag) =
  :data:`NEWBORN_SHARE_AGE_UNKNOWN` x P(the plan's mother's baby | a newborn),
  and below the review threshold's probability the pair is dropped
  (:func:`cap_unknown_age`). The mother's older children share her home and
  surname: such records were flagged as her newborn and were right 0 times in
  18 on the project's sets. A record carrying the mother's NHS number (a
  baby's record, as ``is_baby`` reads it) keeps the review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from cpflag.contract import Band
from cpflag.linkage import BlockingRule, Comparison, LinkageModel
from cpflag.rules._attendee import AGE_UNKNOWN, BIRTH_YEAR_DOUBTFUL
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._models import HOUSEHOLD, RELATION_THRESHOLDS, comparison, probability_of
from cpflag.rules._newborn_age import BIRTH_DATE_DOUBTFUL
from cpflag.rules._one_pair import OnePair

__all__ = [
    "CHECKS",
    "NEWBORN_SHARE_AGE_UNKNOWN",
    "cap_one",
    "cap_unknown_age",
    "caps",
    "eligible",
    "eligible_one",
    "is_baby",
    "is_baby_one",
    "newborn_model",
]

_c = comparison

#: What to verify at review: by the age doubt that capped the flag, else generic.
CHECKS: Final = ReviewChecks(
    generic="weak evidence of the baby's mother: confirm she is the plan's mother",
    caps={
        AGE_UNKNOWN: "age unknown: confirm the baby's date of birth",
        BIRTH_YEAR_DOUBTFUL: "birth year may be mistyped: confirm the baby's date of birth",
        BIRTH_DATE_DOUBTFUL: "birth date looks mistyped: confirm the baby's date of birth",
    },
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
            HOUSEHOLD,
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
        thresholds=RELATION_THRESHOLDS,
        name="cpflag newborn model v1",
    )


#: P(a child's ED attendance is a baby under 90 days old): the prior of a
#: record with no date of birth and a real name. In England about one child
#: attendance in ten is an infant, a third to a half of them under three months.
NEWBORN_SHARE_AGE_UNKNOWN: Final = 0.05


def _reaches_review(weight: pl.Expr, review: float) -> pl.Expr:
    """The composed probability of an unknown-age pair reaches the review threshold's."""
    tail = pl.lit(2.0).pow(-weight.abs())
    p = pl.when(weight >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))
    return p * NEWBORN_SHARE_AGE_UNKNOWN >= probability_of(review)


def cap_unknown_age(
    scored: pl.DataFrame, left: pl.DataFrame, model: LinkageModel | None = None
) -> pl.DataFrame:
    """A newborn flag is at most review when the baby's age is in doubt.

    Doubt: no date of birth (nor a placeholder name), or a birth date a year
    before the newborn window (a mistyped year); ``age_doubt`` names which.
    """
    doubt = left.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"), "age_doubt")
    doubtful = pl.col("age_doubt").is_not_null()
    keep = pl.lit(True)
    if model is not None:
        doubt = doubt.with_columns(left["mother_nhs"].is_null().alias("_no_mother_nhs"))
        unknown = ((pl.col("age_doubt") == AGE_UNKNOWN) & pl.col("_no_mother_nhs")).fill_null(False)
        keep = ~unknown | _reaches_review(pl.col("match_weight"), model.thresholds.review)
    return (
        scored.join(doubt, on="l", how="left")
        .filter(keep)
        .with_columns(
            pl.when(doubtful & (pl.col("band") == Band.MATCH))
            .then(pl.lit(Band.REVIEW))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(doubtful).then(pl.col("age_doubt")).otherwise(pl.col("guard")).alias("guard"),
        )
        .drop("age_doubt", "_no_mother_nhs", strict=False)
    )


def eligible() -> pl.Expr:
    """Attendees compared with the unborn plans' mothers: newborns."""
    return pl.col("is_newborn")


def eligible_one(attendee: Mapping[str, Any]) -> bool:
    """:func:`eligible` of one attendee row."""
    return bool(attendee["is_newborn"])


def is_baby() -> pl.Expr:
    """Whether the attendee's record is a baby's by its age: null where it does not say.

    Known to be an adult: no. A date of birth: a newborn's age (or a newborn's
    mistyped, ``is_newborn``). None, but a placeholder name or the mother's
    NHS number on the record: a baby's record. Otherwise unknown. This is the
    age a newborn flag and a pre-birth mother flag on one plan are settled by
    (``cpflag.decide``: one kind per pair).
    """
    baby_record = pl.col("is_placeholder").fill_null(False) | pl.col("mother_nhs").is_not_null()
    return (
        pl.when(pl.col("is_adult"))
        .then(pl.lit(False))
        .when(pl.col("age_days").is_not_null())
        .then(pl.col("is_newborn"))
        .when(baby_record)
        .then(pl.lit(True))
        .otherwise(pl.lit(None, pl.Boolean))
    )


def is_baby_one(attendee: Mapping[str, Any]) -> bool | None:
    """:func:`is_baby` of one attendee row."""
    if attendee["is_adult"]:
        return False
    if attendee["age_days"] is not None:
        return bool(attendee["is_newborn"])
    if attendee["is_placeholder"] or attendee["mother_nhs"] is not None:
        return True
    return None


def caps(
    scored: pl.DataFrame,
    left: pl.DataFrame,
    _right: pl.DataFrame,
    model: LinkageModel,
    _subj: pl.DataFrame,
    _subjects: pl.DataFrame,
) -> pl.DataFrame:
    """The rule's caps on its scored, banded pairs (batch)."""
    return cap_unknown_age(scored, left, model)


def cap_one(pair: OnePair) -> tuple[str, str | None] | None:
    """:func:`cap_unknown_age` of one pair: ``(band, guard)``."""
    doubt = pair.attendee["age_doubt"]
    if doubt is None:
        return pair.band, pair.guard
    if doubt == AGE_UNKNOWN and pair.attendee.get("mother_nhs") is None:
        composed = probability_of(pair.match_weight) * NEWBORN_SHARE_AGE_UNKNOWN
        if composed < probability_of(pair.model.thresholds.review):
            return None
    return (Band.REVIEW if pair.band == Band.MATCH else pair.band), doubt
