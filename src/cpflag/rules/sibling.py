"""The ``sibling_of_plan_subject`` rule: a child attending is a brother or sister of a plan child.

* **Candidates**: attendees not known to be adults (:func:`eligible`), against
  the families of children on cpp/lac/cin plans, by the model's blocking rules
  (the LA family of a plan the attendee is the subject of, the household, a
  named parent). An attendee with no date of birth is taken for a child only
  in a children's setting; elsewhere it may be an adult of the household, and
  :func:`cap_age_unknown` caps its sibling flags at ``review``.
* **Evidence and thresholds**: :func:`sibling_model`.
* **Caps**: :func:`cap_unconfirmed_family` (a sibling match may not rest on a
  same-person link still in review); the pair is carried to the plan child's
  LA family (:func:`unconfirmed_family_expr` pairs give no copies), and
  :func:`not_the_subject` drops the plan the attendee *is* and caps the one it
  may be (guard ``may_be_plan_child``); :func:`cap_age_unknown` (guard
  ``age_unknown``).
* **Checks**: :data:`CHECKS`, one per cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import polars as pl

from cpflag.contract import Band
from cpflag.linkage import BlockingRule, Comparison, LinkageModel
from cpflag.rules._attendee import AGE_UNKNOWN, CHILD_SETTINGS
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._evidence import IDENTITY_IN_REVIEW, UNCONFIRMED_FAMILY
from cpflag.rules._models import HOUSEHOLD, RELATION_THRESHOLDS, comparison, probability_of
from cpflag.rules._one_pair import OnePair
from cpflag.rules._propagate import propagate_to_family

__all__ = [
    "CHECKS",
    "MAY_BE_PLAN_CHILD",
    "age_unknown_one",
    "anchor_ceiling",
    "anchor_ceiling_one",
    "cap_age_unknown",
    "cap_one",
    "cap_unconfirmed_family",
    "caps",
    "eligible",
    "eligible_one",
    "no_copies_one",
    "not_the_subject",
    "rests_on_unconfirmed",
    "sibling_model",
    "unconfirmed_family_expr",
]

_c = comparison

#: The cap of a sibling pair whose attendee may be the plan child itself.
MAY_BE_PLAN_CHILD: Final = "may_be_plan_child"

#: What to verify at review: one check per cap, else generic.
CHECKS: Final = ReviewChecks(
    generic="weak family evidence: confirm the child lives with or shares a parent "
    "with the plan child",
    caps={
        IDENTITY_IN_REVIEW: "the plan child's identity is itself in review: confirm it first",
        MAY_BE_PLAN_CHILD: "may be the plan child itself: confirm who the attendee is first",
        AGE_UNKNOWN: "age unknown: confirm this attendee is a child",
    },
)


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
            HOUSEHOLD,
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
        thresholds=RELATION_THRESHOLDS,
        name="cpflag sibling model v2",
    )


def _family_ref(model: LinkageModel) -> Comparison | None:
    return next((c for c in model.comparisons if c.kind == "family_ref"), None)


def unconfirmed_family_expr(model: LinkageModel) -> pl.Expr | None:
    """Pairs that are relations only through the ``same_family_unconfirmed`` level.

    That level is compared with every plan of the family directly (the plan the
    attendee may be excluded), so such pairs give no copies to the family: a
    copy would carry "may be a sibling because it may be that child" to that
    very child's plan. Pairs with evidence of their own propagate as before.
    """
    comp = _family_ref(model)
    if comp is None:
        return None
    return (pl.col(f"gamma_{comp.name}") == comp.labels.index(UNCONFIRMED_FAMILY)) & (
        pl.col("match_weight") - pl.col(f"w_{comp.name}") < model.thresholds.review
    )


def cap_unconfirmed_family(scored: pl.DataFrame, model: LinkageModel) -> pl.DataFrame:
    """A sibling alert may not rest on a same-person link still in review.

    The ``same_family_unconfirmed`` family-reference level (the LA family of a
    plan the attendee *may* be) is weaker than it weighs on its own: a pair
    that is a ``match`` only with that level's weight is capped at ``review``
    (guard ``identity_in_review``). A pair that is a match without it (the same
    house, say) stays one: concern is stepped up, never down.
    """
    comp = _family_ref(model)
    if comp is None or scored.height == 0:
        return scored
    level = comp.labels.index(UNCONFIRMED_FAMILY)
    cap = (
        (pl.col(f"gamma_{comp.name}") == level)
        & (pl.col("band") == Band.MATCH)
        & (pl.col("match_weight") - pl.col(f"w_{comp.name}") < model.thresholds.match)
    )
    return scored.with_columns(
        pl.when(cap).then(pl.lit(Band.REVIEW)).otherwise(pl.col("band")).alias("band"),
        pl.when(cap & pl.col("guard").is_null())
        .then(pl.lit(IDENTITY_IN_REVIEW))
        .otherwise(pl.col("guard"))
        .alias("guard"),
    )


def not_the_subject(
    sib: pl.DataFrame, subj: pl.DataFrame, subjects: pl.DataFrame, families: pl.DataFrame
) -> pl.DataFrame:
    """Drop sibling pairs where the attendee is that plan's subject; cap doubtful ones.

    A ``match`` same-person link means the attendee *is* the plan child, not a
    sibling. A ``review`` link on weight alone leaves it open, so the sibling
    flag is at most ``review`` too (guard ``may_be_plan_child`` unless one
    is named already). Twins (and a sibling carrying the plan child's NHS
    number) are capped by a guard and stay siblings.
    """
    same = (
        subj.select("l", "r", pl.col("band").alias("_sp_band"), pl.col("guard").alias("_sp_guard"))
        .join(subjects.select(pl.col("rec").alias("r"), "prow"), on="r")
        .select("l", "prow", "_sp_band", "_sp_guard")
        .unique(["l", "prow"], keep="first", maintain_order=True)
    )
    fam = families.select(pl.col("rec").alias("r"), "prow")
    out = sib.join(fam, on="r", how="left").join(same, on=["l", "prow"], how="left")
    is_subject = (pl.col("_sp_band") == Band.MATCH).fill_null(False)
    # Capped by a guard (twin, borrowed NHS number) means "another child of the
    # family", which is what a sibling is; only an uncapped review is doubtful.
    doubtful = ((pl.col("_sp_band") == Band.REVIEW) & pl.col("_sp_guard").is_null()).fill_null(
        False
    )
    cap = doubtful & (pl.col("band") == Band.MATCH)
    return (
        out.filter(~is_subject)
        .with_columns(
            pl.when(cap).then(pl.lit(Band.REVIEW)).otherwise(pl.col("band")).alias("band"),
            pl.when(cap & pl.col("guard").is_null())
            .then(pl.lit(MAY_BE_PLAN_CHILD))
            .otherwise(pl.col("guard"))
            .alias("guard"),
        )
        .drop("prow", "_sp_band", "_sp_guard")
    )


def _age_unknown() -> pl.Expr:
    """No usable date of birth (nor a placeholder name) outside a children's setting."""
    child_setting = pl.col("setting").is_in(CHILD_SETTINGS).fill_null(False)
    return ((pl.col("age_doubt") == AGE_UNKNOWN) & ~child_setting).fill_null(False)


def age_unknown_one(attendee: Mapping[str, Any]) -> bool:
    """:func:`cap_age_unknown`'s test of one attendee row."""
    return attendee["age_doubt"] == AGE_UNKNOWN and attendee["setting"] not in CHILD_SETTINGS


def cap_age_unknown(scored: pl.DataFrame, left: pl.DataFrame) -> pl.DataFrame:
    """No adult siblings: a sibling flag of an attendee of unknown age is at most review.

    With no date of birth, outside a children's ED or neonatal unit the
    attendee may be an adult of the plan child's household (a parent shares
    the home and the surname). Its sibling flags are capped at ``review``,
    guard ``age_unknown`` ("age unknown: confirm this attendee is a child"),
    as a newborn or carer flag of unknown age is. In a children's setting the
    attendee is a child, and a placeholder name is a baby's: both untouched.
    """
    if scored.height == 0:
        return scored
    doubt = left.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"), _age_unknown())
    unknown = pl.col("age_doubt")
    return (
        scored.join(doubt, on="l", how="left")
        .with_columns(
            pl.when(unknown & (pl.col("band") == Band.MATCH))
            .then(pl.lit(Band.REVIEW))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(unknown).then(pl.lit(AGE_UNKNOWN)).otherwise(pl.col("guard")).alias("guard"),
        )
        .drop("age_doubt")
    )


def eligible() -> pl.Expr:
    """Attendees compared as siblings: those not known to be adults."""
    return ~pl.col("is_adult")


def eligible_one(attendee: Mapping[str, Any]) -> bool:
    """:func:`eligible` of one attendee row."""
    return not attendee["is_adult"]


def caps(
    scored: pl.DataFrame,
    left: pl.DataFrame,
    right: pl.DataFrame,
    model: LinkageModel,
    subj: pl.DataFrame,
    subjects: pl.DataFrame,
) -> pl.DataFrame:
    """The rule's caps, family copies and drops on its scored, banded pairs (batch)."""
    capped = cap_unconfirmed_family(scored, model)
    copied = propagate_to_family(capped, right, no_copies=unconfirmed_family_expr(model))
    return cap_age_unknown(not_the_subject(copied, subj, subjects, right), left)


def rests_on_unconfirmed(
    gammas: tuple[int, ...],
    weights: tuple[float, ...],
    match_weight: float,
    model: LinkageModel,
    threshold: float,
) -> bool:
    """One pair at the unconfirmed family level, and below ``threshold`` without its weight.

    The plain reading of :func:`unconfirmed_family_expr` (``threshold`` the
    review threshold) and of :func:`cap_unconfirmed_family`'s test (the match one).
    """
    for i, c in enumerate(model.comparisons):
        if c.kind == "family_ref":
            level = c.labels.index(UNCONFIRMED_FAMILY)
            return bool(gammas[i] == level and match_weight - weights[i] < threshold)
    return False


def no_copies_one(pair: OnePair) -> bool:
    """:func:`unconfirmed_family_expr` of one pair: it gives the LA family no copies."""
    review = pair.model.thresholds.review
    return rests_on_unconfirmed(pair.gammas, pair.weights, pair.match_weight, pair.model, review)


def cap_one(pair: OnePair) -> tuple[str, str | None] | None:
    """The caps and drop of one pair: ``(band, guard)``, or None when dropped.

    :func:`cap_unconfirmed_family`, then :func:`not_the_subject` (a match-band
    same-person link to this plan means the attendee is its subject; an
    uncapped review leaves it open), then :func:`cap_age_unknown`.
    """
    band, guard = pair.band, pair.guard
    match = pair.model.thresholds.match
    if band == Band.MATCH and rests_on_unconfirmed(
        pair.gammas, pair.weights, pair.match_weight, pair.model, match
    ):
        band, guard = Band.REVIEW, guard or IDENTITY_IN_REVIEW
    if pair.subject_band == Band.MATCH:
        return None
    if pair.subject_band == Band.REVIEW and pair.subject_guard is None and band == Band.MATCH:
        band, guard = Band.REVIEW, guard or MAY_BE_PLAN_CHILD
    if age_unknown_one(pair.attendee):
        band, guard = (Band.REVIEW if band == Band.MATCH else band), AGE_UNKNOWN
    return band, guard


def anchor_ceiling(p: pl.Expr) -> pl.Expr:
    """A flag probability no surer than the identity it was reached through.

    Where the pair is capped by ``identity_in_review`` (its alert rested on the
    LA family of a plan the attendee only *may* be), the relationship holds
    only if that identity does: the flag's probability is at most the surest
    such link's (``review_anchor_weight`` and ``guard`` in scope).
    """
    w = pl.col("review_anchor_weight")
    tail = pl.lit(2.0).pow(-w.abs())
    anchor = pl.when(w >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))
    capped = (pl.col("guard") == IDENTITY_IN_REVIEW) & w.is_not_null()
    return pl.when(capped).then(pl.min_horizontal(p, anchor)).otherwise(p)


def anchor_ceiling_one(p: float, guard: str | None, anchor_weight: float | None) -> float:
    """:func:`anchor_ceiling` of one flag."""
    if guard != IDENTITY_IN_REVIEW or anchor_weight is None:
        return p
    return min(p, probability_of(anchor_weight))
