"""Caps and drops applied to scored relationship pairs before they become flags.

Each encodes something the weights alone cannot: a sibling link to the plan
the attendee *is* (dropped) or may be (capped), a newborn whose age is in doubt,
a possible carer whose age is unknown, and sibling evidence resting on a
same-person link still in review.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag.linkage import Comparison, LinkageModel
from cpflag.rules._attendee import AGE_UNKNOWN
from cpflag.rules._evidence import IDENTITY_IN_REVIEW, UNCONFIRMED_FAMILY

__all__ = [
    "NAMED_ADULT_LEVELS",
    "cap_unconfirmed_family",
    "cap_unknown_age",
    "caps_for_one_pair",
    "named_adult_expr",
    "named_adult_levels",
    "not_the_subject",
    "only_named_if_age_unknown",
    "unconfirmed_family_expr",
]

#: The levels that say the attendee *is* the plan's named adult (by comparison
#: kind): their full name, or the mother's NHS number.
NAMED_ADULT_LEVELS: Final = {"person_vs_carer": ("full",), "mother_ids": ("nhs",)}


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
        & (pl.col("band") == "match")
        & (pl.col("match_weight") - pl.col(f"w_{comp.name}") < model.thresholds.match)
    )
    return scored.with_columns(
        pl.when(cap).then(pl.lit("review")).otherwise(pl.col("band")).alias("band"),
        pl.when(cap & pl.col("guard").is_null())
        .then(pl.lit(IDENTITY_IN_REVIEW))
        .otherwise(pl.col("guard"))
        .alias("guard"),
    )


def cap_unknown_age(scored: pl.DataFrame, left: pl.DataFrame) -> pl.DataFrame:
    """A newborn flag is at most review when the baby's age is in doubt.

    Doubt: no date of birth (nor a placeholder name), or a birth date a year
    before the newborn window (a mistyped year); ``age_doubt`` names which.
    """
    doubt = left.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"), "age_doubt")
    doubtful = pl.col("age_doubt").is_not_null()
    return (
        scored.join(doubt, on="l", how="left")
        .with_columns(
            pl.when(doubtful & (pl.col("band") == "match"))
            .then(pl.lit("review"))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(doubtful).then(pl.col("age_doubt")).otherwise(pl.col("guard")).alias("guard"),
        )
        .drop("age_doubt")
    )


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
            pl.when(unknown & (pl.col("band") == "match"))
            .then(pl.lit("review"))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(unknown).then(pl.lit(AGE_UNKNOWN)).otherwise(pl.col("guard")).alias("guard"),
        )
        .drop("_unknown")
    )


def caps_for_one_pair(
    kind: str, scored: pl.DataFrame, left: pl.DataFrame, model: LinkageModel
) -> pl.DataFrame:
    """The caps of a relation kind that need no other pairs (for ``explain``).

    A pair :func:`only_named_if_age_unknown` would drop is kept, with no band
    and guard ``age_unknown``, so the waterfall says why there is no flag.
    """
    if kind == "newborn_of_unborn_plan":
        return cap_unknown_age(scored, left)
    if kind == "sibling_of_plan_subject":
        return cap_unconfirmed_family(scored, model)
    if kind == "carer_of_plan_subject":
        kept = only_named_if_age_unknown(scored, left, model)
        dropped = scored.join(kept.select("l", "r"), on=["l", "r"], how="anti").with_columns(
            pl.lit(None, pl.String).alias("band"), pl.lit(AGE_UNKNOWN).alias("guard")
        )
        return pl.concat([kept, dropped.select(kept.columns)])
    return scored


def not_the_subject(
    sib: pl.DataFrame, subj: pl.DataFrame, subjects: pl.DataFrame, families: pl.DataFrame
) -> pl.DataFrame:
    """Drop sibling pairs where the attendee is that plan's subject; cap doubtful ones.

    A ``match`` same-person link means the attendee *is* the plan child, not a
    sibling. A ``review`` link on weight alone leaves it open, so the sibling
    flag is at most ``review`` too. Twins (and a sibling carrying the plan
    child's NHS number) are capped by a guard and stay siblings.
    """
    same = (
        subj.select("l", "r", pl.col("band").alias("_sp_band"), pl.col("guard").alias("_sp_guard"))
        .join(subjects.select(pl.col("rec").alias("r"), "prow"), on="r")
        .select("l", "prow", "_sp_band", "_sp_guard")
        .unique(["l", "prow"], keep="first", maintain_order=True)
    )
    fam = families.select(pl.col("rec").alias("r"), "prow")
    out = sib.join(fam, on="r", how="left").join(same, on=["l", "prow"], how="left")
    is_subject = (pl.col("_sp_band") == "match").fill_null(False)
    # Capped by a guard (twin, borrowed NHS number) means "another child of the
    # family", which is what a sibling is; only an uncapped review is doubtful.
    doubtful = ((pl.col("_sp_band") == "review") & pl.col("_sp_guard").is_null()).fill_null(False)
    return (
        out.filter(~is_subject)
        .with_columns(
            pl.when(doubtful & (pl.col("band") == "match"))
            .then(pl.lit("review"))
            .otherwise(pl.col("band"))
            .alias("band")
        )
        .drop("prow", "_sp_band", "_sp_guard")
    )
