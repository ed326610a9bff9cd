"""Family links carried to a person's later attendance (issue 13, class 10: families that move).

A child who attended at the family's old address was found to be a plan
child's sibling (or an adult its carer) there; tonight the same person attends
from a new address, which the list does not know. The history store already
links tonight's record to the earlier one (a confident same-person link), so
the earlier record's relationship is carried to tonight's attendance:

    P(carried flag) = P(tonight's record is the earlier one's person)
                      x P(relationship | the earlier record)

composed, never added (a relationship reached through a doubtful link can be
no surer than the link). The band is the one that product reaches on the
relation model's thresholds (read as probabilities), and never above the
earlier flag's own band (a guard's review stays a review); below the review
threshold's probability nothing is carried. A pair tonight's own record already flags (any
kind) is left as it is: one kind per (attendance, plan).

Only ``sibling_of_plan_subject`` and ``carer_of_plan_subject`` are carried:
the plan subject's own identity does not depend on an address, and a
newborn's or an unborn plan's mother's window is about the night itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import polars as pl

from cpflag.contract import FLAGS, Band, FlagKind
from cpflag.linkage import Thresholds
from cpflag.rules._models import probability_of as probability

__all__ = ["CARRIED_CHECK", "CARRIED_KINDS", "carry"]

#: The kinds a same-person link carries from an earlier attendance.
CARRIED_KINDS: Final = (FlagKind.SIBLING.value, FlagKind.CARER.value)

#: What to verify when a carried flag is at review.
CARRIED_CHECK: Final = (
    "family link from the same person's earlier attendance at another address: "
    "confirm the person still lives with or cares for the plan child"
)


def carry(
    earlier: pl.DataFrame,
    links: pl.DataFrame,
    tonight: pl.DataFrame,
    thresholds: Mapping[str, Thresholds],
) -> pl.DataFrame:
    """Tonight's flags carried from the earlier records of the same persons.

    Args:
        earlier: Flags raised on the earlier records as if they attended tonight
            (contract columns; ``attendance_id`` is the link's ``key``).
        links: ``key``, ``attendance_id`` (tonight's), ``link_weight`` (the
            same-person link's match weight) and ``earlier_date`` (the earlier
            record's arrival date).
        tonight: Tonight's own flags (their (attendance, plan) pairs are kept as
            they are).
        thresholds: The relation models' thresholds by flag kind.

    Returns:
        Rows of the flags table for tonight's attendances, best per
        (attendance, kind, plan).
    """
    kinds = [k for k in CARRIED_KINDS if k in thresholds]
    rows = earlier.filter(pl.col("flag").is_in(kinds))
    if rows.height == 0:
        return pl.DataFrame(schema=FLAGS.schema)
    tail = pl.lit(2.0).pow(-pl.col("link_weight").abs())
    link_p = (
        pl.when(pl.col("link_weight") >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))
    )
    match_p = pl.col("flag").replace_strict(
        {k: probability(thresholds[k].match) for k in kinds}, return_dtype=pl.Float64
    )
    review_p = pl.col("flag").replace_strict(
        {k: probability(thresholds[k].review) for k in kinds}, return_dtype=pl.Float64
    )
    own = tonight.select("attendance_id", "plan_id").unique()
    out = (
        rows.rename({"attendance_id": "key"})
        .join(links, on="key", how="inner")
        .join(own, on=["attendance_id", "plan_id"], how="anti")
        .with_columns(
            link_p.alias("_link_p"),
            (pl.col("match_probability").fill_null(0.0) * link_p).alias("match_probability"),
        )
        .filter(pl.col("match_probability") >= review_p)
        .with_columns(
            # Never above the earlier flag's band: a pair a guard held at
            # review there is a review here.
            pl.when((pl.col("match_probability") >= match_p) & (pl.col("band") == Band.MATCH.value))
            .then(pl.lit(Band.MATCH.value))
            .otherwise(pl.lit(Band.REVIEW.value))
            .alias("band"),
        )
        .with_columns(
            pl.when(pl.col("band") == Band.REVIEW.value)
            .then(pl.lit(CARRIED_CHECK))
            .otherwise(pl.lit(None, pl.String))
            .alias("check"),
            _weight(pl.col("match_probability")).alias("score"),
            pl.format(
                "carried from the same person's attendance of {} (history link, p {}): {}",
                pl.col("earlier_date").dt.strftime("%Y-%m-%d"),
                pl.col("_link_p").round(4),
                pl.col("reasons"),
            ).alias("reasons"),
        )
        .sort("match_probability", descending=True)
        .unique(["attendance_id", "flag", "plan_id"], keep="first", maintain_order=True)
    )
    return out.select([pl.col(c.name).cast(c.dtype) for c in FLAGS.columns])


def _weight(p: pl.Expr) -> pl.Expr:
    """The match weight (log2 odds) of a probability column, finite at the ends."""
    p = p.clip(1e-15, 1.0 - 1e-15)
    return (p / (1.0 - p)).log(2.0)
