"""Family and mother--baby flags: sibling, carer, unborn-plan mother, newborn.

The plan-side frames are built once per index (``_family_frames``). Per batch,
each attendee is prepared once (``_attendee``: carer, mother's NHS number, age
on arrival and the LA family keys of plans it is the subject of, from the
same-person links). Each relation is then blocked, compared and scored with its
own model (``_relations``); here its pairs are carried through the LA family
(:func:`propagate_to_family`), reduced to one per plan (:func:`best_per_plan`)
and turned into flags when the plan is current (:func:`relation_flags`).
Relations are edges between an attendee and a plan: nothing is merged, so a
family never collapses into one person by chaining.
"""

from __future__ import annotations

import polars as pl

__all__ = ["best_per_plan", "propagate_to_family"]


def best_per_plan(scored: pl.DataFrame, right: pl.DataFrame) -> pl.DataFrame:
    """Keep, per (attendee, plan), the strongest of the plan's rows in ``right``.

    On a tie the direct pair (no ``via``), then the lowest ``via``, then the
    lowest row: the order :func:`propagate_to_family` keeps, so a batch and one
    record agree.
    """
    if scored.height == 0:
        return scored
    prows = right.select(pl.col("rec").alias("r"), pl.col("prow").alias("_prow"))
    return (
        scored.join(prows, on="r", how="left")
        .sort(
            ["l", "_prow", "match_weight", "via", "r"],
            descending=[False, False, True, False, False],
            nulls_last=False,
            maintain_order=True,
        )
        .unique(["l", "_prow"], keep="first", maintain_order=True)
        .drop("_prow")
        .sort("l", "r", maintain_order=True)
    )


def propagate_to_family(
    scored: pl.DataFrame,
    right: pl.DataFrame,
    *,
    per_child_types: tuple[str, ...] = (),
    no_copies: pl.Expr | None = None,
) -> pl.DataFrame:
    """Extend relation pairs to every plan of the same LA family.

    The LA's family reference says which plan children are one family: an
    attendee who is a sibling or carer of one of them is so of all of them. The
    copied pairs keep the original pair's score and levels and name the plan
    they came through. This follows the LA's own grouping, never our inferred
    edges, so families cannot grow by chaining. Plans of ``per_child_types``
    neither give nor take copies (a looked-after child's foster carer is the
    carer of that child only, not of siblings placed elsewhere). Pairs where
    ``no_copies`` holds give none: evidence already compared with every plan of
    the family, which a copy would carry to a plan it excludes.
    """
    if scored.height == 0:
        return scored.with_columns(pl.lit(None, pl.String).alias("via"))
    shared = pl.when(~pl.col("plan_type").is_in(per_child_types)).then(pl.col("family_key"))
    keys = right.select(pl.col("rec").alias("r"), shared.alias("family_key"))
    linked = scored.join(keys, on="r", how="left")
    fam = right.select(pl.col("rec").alias("r2"), shared.alias("family_key")).filter(
        pl.col("family_key").is_not_null()
    )
    givers = pl.col("family_key").is_not_null()
    if no_copies is not None:
        givers = givers & ~no_copies.fill_null(False)
    copies = (
        linked.filter(givers)
        .join(fam, on="family_key")
        .filter(pl.col("r2") != pl.col("r"))
        .with_columns(pl.col("r").alias("via"))
        .drop("r")
        .rename({"r2": "r"})
    )
    out = pl.concat(
        [
            linked.with_columns(pl.lit(None, pl.UInt32).alias("via")),
            copies.select([*linked.columns, "via"]),
        ],
        how="vertical_relaxed",
    )
    # Keep, per (attendee, plan), the strongest evidence; on a tie the direct
    # pair (no ``via``), then the lowest ``via``, so a batch and one record agree.
    return (
        out.sort(
            ["l", "r", "match_weight", "via"],
            descending=[False, False, True, False],
            nulls_last=[False, False, False, False],
            maintain_order=True,
        )
        .unique(["l", "r"], keep="first", maintain_order=True)
        .drop("family_key")
    )
