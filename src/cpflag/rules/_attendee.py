"""The attendee side of the relationship rules.

Each attendance of a batch, prepared once as a person, gains what the
relationship comparisons read: its accompanying carer's names, its mother's
NHS number, its age on arrival (adult, newborn, or in doubt), and what its own
plan says when it is a plan subject -- the LA family keys and, where its record
lacks them, the plan's postcode and address.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final

import polars as pl

from cpflag.contract import Band
from cpflag.linkage import LinkageModel
from cpflag.normalise import normalise_nhs_number
from cpflag.rules._frames import names_of
from cpflag.rules._newborn_age import BIRTH_DATE_DOUBTFUL, digit_typo_of_newborn
from cpflag.rules._settings import RuleSettings

__all__ = [
    "ADULT_SETTINGS",
    "AGE_UNKNOWN",
    "BIRTH_YEAR_DOUBTFUL",
    "CHILD_SETTINGS",
    "STRONG_ANCHOR",
    "anchor_ceilings",
    "anchor_weight_one",
    "attendee_frame",
    "strong_anchor",
    "strong_anchor_one",
    "with_family_keys",
]

ADULT_SETTINGS: Final = ("ed_adult", "maternity")
#: Settings where every attendee is a child.
CHILD_SETTINGS: Final = ("ed_child", "neonatal")
#: ``age_doubt`` of an attendee with no usable date of birth.
AGE_UNKNOWN: Final = "age_unknown"

#: The match weight (log2 posterior odds) a same-person link needs to anchor
#: the attendee's LA family and home: p >= 0.9998, about 1 wrong anchor in
#: 4,000. A name and a date of birth alone give about 7 bits; an NHS number or
#: the home on top passes 20. Weaker match-band links count as review links.
STRONG_ANCHOR: Final = 12.0
#: ``age_doubt`` of a baby whose birth year looks mistyped by one.
BIRTH_YEAR_DOUBTFUL: Final = "birth_year_doubtful"
_LIST = pl.List(pl.String)


def attendee_frame(att: pl.DataFrame, prepared: pl.DataFrame, config: RuleSettings) -> pl.DataFrame:
    """The prepared attendances plus carer, mother's NHS number and age on arrival."""
    arrival = att["arrival_time"].dt.date()
    out = prepared.with_columns(
        *names_of(att, "carer_given_name", "carer_family_name", "carer"),
        normalise_nhs_number(att["mother_nhs_number"])["nhs_number"].alias("mother_nhs"),
        arrival.alias("arrival_date"),
        att["setting"].alias("setting"),
    ).with_columns((pl.col("arrival_date") - pl.col("dob")).dt.total_days().alias("age_days"))
    adult_days = int(config.adult_age * 365.25)
    # Born a year before a newborn's window: 365/366 days more than a newborn's age.
    year_off = pl.col("age_days").is_between(365, 365 + config.newborn_days)
    adult_setting = pl.col("setting").is_in(ADULT_SETTINGS).fill_null(False)
    age = pl.col("age_days")
    # A baby's record (mother's NHS number, placeholder name) with an age no
    # such record can have (born in the future, or an adult's): its birth date
    # perhaps one digit off a newborn's (_newborn_age).
    baby_record = pl.col("mother_nhs").is_not_null() | pl.col("is_placeholder").fill_null(False)
    impossible = ((age < -1) | (age >= adult_days)).fill_null(False)
    checked = out.select((baby_record & impossible).alias("c"))["c"]
    out = out.with_columns(
        digit_typo_of_newborn(out["dob"], out["arrival_date"], checked, config.newborn_days).alias(
            "_dob_typo"
        )
    )
    dob_typo = pl.col("_dob_typo")
    return out.with_columns(
        # A baby's record with an adult's age by a typo is a baby's, not an adult's.
        pl.when(age.is_not_null())
        .then((age >= adult_days) & ~dob_typo)
        .otherwise(adult_setting)
        .alias("is_adult"),
        # Age unknown and not an adult setting: possibly a newborn (concern is
        # stepped up, not down); such flags are capped at review (see _index).
        # So is a baby whose birth year looks mistyped by one (a common typo):
        # its recorded age is a year more than a newborn's.
        pl.when(age.is_not_null())
        .then(age.is_between(-1, config.newborn_days - 1) | year_off | dob_typo)
        .otherwise(~adult_setting)
        .fill_null(False)
        .alias("is_newborn"),
        pl.when(age.is_null() & ~pl.col("is_placeholder").fill_null(False))
        .then(pl.lit(AGE_UNKNOWN))
        .when(year_off)
        .then(pl.lit(BIRTH_YEAR_DOUBTFUL))
        .when(dob_typo)
        .then(pl.lit(BIRTH_DATE_DOUBTFUL))
        .alias("age_doubt"),
    ).drop("_dob_typo")


_POSTCODE_COLS: Final = ("postcode", "pc_sector", "pc_district")
_ADDRESS_COLS: Final = ("address_numbers", "address_street")


def _with_plan_home(
    left: pl.DataFrame, matched: pl.DataFrame, subjects: pl.DataFrame
) -> pl.DataFrame:
    """Fill a missing postcode / address from the attendee's own plan (first match)."""
    if matched.height == 0:
        return left
    home = (
        matched.sort("l", "r")
        .unique("l", keep="first", maintain_order=True)
        .join(
            subjects.select(
                pl.col("rec").alias("r"),
                *[pl.col(c).alias(f"_h_{c}") for c in (*_POSTCODE_COLS, *_ADDRESS_COLS)],
            ),
            on="r",
        )
        .drop("r")
        .rename({"l": "_l"})
        .with_columns(pl.lit(True).alias("_h_found"))
    )
    # Only attendees with a matched plan take anything (the whole postcode or
    # the whole address of it); the others keep their record as it is.
    found = pl.col("_h_found").fill_null(False)
    no_pc = pl.col("postcode").is_null() & found
    no_addr = pl.col("address_street").is_null() & found
    return (
        left.with_row_index("_l")
        .with_columns(pl.col("_l").cast(pl.UInt32))
        .join(home, on="_l", how="left", maintain_order="left")
        .with_columns(
            *[
                pl.when(no_pc).then(pl.col(f"_h_{c}")).otherwise(pl.col(c)).alias(c)
                for c in _POSTCODE_COLS
            ],
            *[
                pl.when(no_addr).then(pl.col(f"_h_{c}")).otherwise(pl.col(c)).alias(c)
                for c in _ADDRESS_COLS
            ],
        )
        .drop("_l", "_h_found", *[f"_h_{c}" for c in (*_POSTCODE_COLS, *_ADDRESS_COLS)])
    )


def strong_anchor() -> pl.Expr:
    """A same-person link that anchors the attendee's LA family and home (``band``,
    ``match_weight`` in scope): a match of at least :data:`STRONG_ANCHOR` bits."""
    return (pl.col("band") == Band.MATCH) & (pl.col("match_weight") >= STRONG_ANCHOR)


def strong_anchor_one(band: str | None, match_weight: float) -> bool:
    """:func:`strong_anchor` of one link."""
    return band == Band.MATCH and match_weight >= STRONG_ANCHOR


def anchor_ceilings(model: LinkageModel) -> dict[str, float]:
    """The person model's guard ceilings as match weights (a guarded link's surest)."""
    out = {}
    for g in model.guards:
        if g.probability is not None:
            p = min(max(g.probability, 1e-15), 1.0 - 1e-15)
            out[g.name] = math.log2(p / (1.0 - p))
    return out


def anchor_weight_one(weight: float, guard: str | None, ceilings: Mapping[str, float]) -> float:
    """A same-person link's weight as an anchor: at most its guard's ceiling."""
    return weight if guard is None or guard not in ceilings else min(weight, ceilings[guard])


def with_family_keys(
    left: pl.DataFrame,
    subject_pairs: pl.DataFrame,
    plans: pl.DataFrame,
    subjects: pl.DataFrame,
    mother_pairs: pl.DataFrame | None = None,
    mothers: pl.DataFrame | None = None,
    ceilings: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """Add what the attendee's own plan says: LA family keys and a missing address.

    ``family_keys`` are the LA families of plans each attendee is the subject
    of, or (``mother_pairs`` against ``mothers``, the unborn plans' mothers)
    the mother named on: a person known on one row of a family is known on
    its others (a mother identified on a pre-birth or MARAC row is a parent of
    the family's children). An attendee whose record lacks a postcode (or an address) takes its own
    plan's, so that siblings listed at that address are found. Only
    ``match``-band same-person links count for these: strong family evidence
    must not rest on an uncertain identity.

    ``review_family_keys`` are the LA families of plans the attendee is linked
    to in the ``review`` band only (``review_anchor_weight`` the surest such
    link's match weight, at most its guard's ceiling in ``ceilings``), and
    ``review_prows`` the plans of unguarded such links (the attendee may be
    that child): weaker evidence, which the sibling model caps at review
    (guard ``identity_in_review``).
    """
    # A relation reached through the attendee's identity can be no surer than
    # that identity: only a link well past the match threshold anchors the LA
    # family (and fills a missing home); a match resting on little more than
    # a name and a date of birth counts as a review-band link.
    strong = strong_anchor()
    matched = subject_pairs.filter(strong).select("l", "r")
    left = _with_plan_home(left, matched, subjects)

    def links(pairs: pl.DataFrame, side: pl.DataFrame) -> pl.DataFrame:
        return pairs.select(
            "l",
            "r",
            pl.when(strong).then(pl.col("band")).otherwise(pl.lit(Band.REVIEW)).alias("band"),
            "guard",
            pl.min_horizontal(
                "match_weight",
                pl.col("guard").replace_strict(
                    dict(ceilings or {}), default=math.inf, return_dtype=pl.Float64
                ),
            ).alias("match_weight"),
            pl.col("band").alias("_link_band"),
        ).join(side.select(pl.col("rec").alias("r"), "prow"), on="r")

    linked = links(subject_pairs, subjects)
    identified = linked
    if mother_pairs is not None and mothers is not None and mother_pairs.height:
        identified = pl.concat([linked, links(mother_pairs, mothers)])
    family_key = pl.concat_str("la_code", pl.lit("|"), "family_ref")
    keyed = identified.join(plans.select("prow", "la_code", "family_ref"), on="prow").filter(
        pl.col("family_ref").is_not_null()
    )
    keys = (
        keyed.filter(pl.col("band") == Band.MATCH)
        .group_by("l")
        .agg(family_key.unique().sort().alias("family_keys"))
    )
    review_keys = (
        keyed.filter(pl.col("band") == Band.REVIEW)
        .group_by("l")
        .agg(
            family_key.unique().sort().alias("review_family_keys"),
            # The surest of those links: a sibling reached through one is no
            # surer than it (``rules.sibling.anchor_ceiling``).
            pl.col("match_weight").max().alias("review_anchor_weight"),
        )
    )
    review_prows = (
        linked.filter((pl.col("_link_band") == Band.REVIEW) & pl.col("guard").is_null())
        .group_by("l")
        .agg(pl.col("prow").unique().sort().alias("review_prows"))
    )
    out = left.with_row_index("_l").with_columns(pl.col("_l").cast(pl.UInt32))
    for frame in (keys, review_keys, review_prows):
        out = out.join(frame.rename({"l": "_l"}), on="_l", how="left", maintain_order="left")
    return out.drop("_l").with_columns(
        pl.col("family_keys").fill_null(pl.lit([], dtype=_LIST)),
        pl.col("review_family_keys").fill_null(pl.lit([], dtype=_LIST)),
        pl.col("review_prows").fill_null(pl.lit([], dtype=pl.List(pl.UInt32))),
    )
