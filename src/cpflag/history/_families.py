"""Families: the children who share a household, a mother or a carer.

A family is built from typed edges between *child persons* (persons with at
least one attendance as a child), never from surnames -- siblings' surnames
differ often enough that surname grouping misses exactly the families the study
found missed. Two children are in one family when they share, on any of their
attendances, one of:

* a **household**: postcode unit + house/flat numbers + street (a pseudo or
  malformed postcode, or a missing address, gives no household);
* the **mother's NHS number** recorded on their newborn records;
* the **accompanying carer**: given name and surname within the postcode unit
  (it links children whose address text is missing or written differently).

Families are the connected components of these edges. A key shared by more
than ``max_key_persons`` children (default 10: a hostel, a refuge, a children's
home, a common carer name) is dropped, so that one institution does not chain
unrelated families together. Adults have no family id; every child person has
one (a family of one when nothing links it).

A family's id is ``F-`` plus the id (without ``P-``) of its smallest person id,
so it is a function of the person ids alone.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from cpflag.history._cluster import components

__all__ = ["FAMILY_KEYS", "assign_families"]

#: Key column -> the words used for it in evidence.
FAMILY_KEYS: Final = {
    "household_key": "household",
    "mother_nhs": "mother's NHS number",
    "carer_key": "carer",
}

#: Keys shared by more children than this are not family evidence.
MAX_KEY_PERSONS: Final = 10


def assign_families(rows: pl.DataFrame, *, max_key_persons: int = MAX_KEY_PERSONS) -> pl.DataFrame:
    """Group child persons into families.

    Args:
        rows: Resolved rows with ``person_id``, ``is_child`` and the
            :data:`FAMILY_KEYS` columns.
        max_key_persons: Keys shared by more children than this are ignored.

    Returns:
        One row per child person: ``person_id``, ``family_id`` and
        ``family_via`` (the kinds of key the person shares with other members,
        e.g. ``household; carer``; null in a family of one), sorted by person id.
    """
    children = rows.filter(pl.col("is_child").fill_null(False))
    persons = children.select(pl.col("person_id").unique().sort())
    if persons.height == 0:
        return pl.DataFrame(
            schema={"person_id": pl.String, "family_id": pl.String, "family_via": pl.String}
        )
    persons = persons.with_row_index("node").with_columns(pl.col("node").cast(pl.Int64))
    keys = pl.concat(
        [
            children.select(
                "person_id", pl.lit(kind).alias("kind"), pl.col(col).alias("key")
            ).drop_nulls("key")
            for col, kind in FAMILY_KEYS.items()
        ]
    ).unique()
    sized = keys.with_columns(pl.len().over("kind", "key").alias("k")).filter(
        (pl.col("k") > 1) & (pl.col("k") <= max_key_persons)
    )
    sized = sized.join(persons, on="person_id", how="left")
    # A star per key: every member joined to the key's smallest member.
    star = sized.with_columns(pl.col("node").min().over("kind", "key").alias("head"))
    edges = star.filter(pl.col("node") != pl.col("head"))
    labels = components(
        persons.height,
        edges["node"].to_numpy().astype(np.int64),
        edges["head"].to_numpy().astype(np.int64),
    )
    head_pid = persons["person_id"].gather(labels).str.strip_prefix("P-")
    via = sized.group_by("person_id").agg(
        pl.col("kind").unique().sort().str.join("; ").alias("family_via")
    )
    return (
        persons.with_columns(head_pid.alias("head"))
        .select("person_id", pl.concat_str(pl.lit("F-"), "head").alias("family_id"))
        .join(via, on="person_id", how="left", maintain_order="left")
    )
