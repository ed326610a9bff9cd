"""The chronology: one child's and the family's attendances across sites, in time order.

For a child (a person id, or any of its attendances), every attendance of the
child and of the other children of its family, oldest first, each with the
evidence that puts it there:

* the child's own attendances: the confident link that joined the record to the
  child (levels with weights, the blocking rule, the record it links to);
* the family's: what the other child shares with the family (household,
  mother's NHS number, carer), then that child's own link evidence.

Identifying columns (names, dates of birth, NHS numbers, addresses) are left out
unless asked for.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from cpflag._errors import ConfigError
from cpflag.history._store import HistoryStore

__all__ = ["CHRONOLOGY_COLUMNS", "chronology"]

CHRONOLOGY_COLUMNS: Final = (
    "arrival_time",
    "attendance_id",
    "site_code",
    "setting",
    "member",
    "person_id",
    "family_id",
    "evidence",
    "link_to",
    "link_weight",
    "link_rule",
    "family_via",
)
_IDENTIFIERS: Final = (
    "local_patient_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "address",
)
_READ: Final = (
    "attendance_id",
    "arrival_time",
    "site_code",
    "setting",
    "person_id",
    "family_id",
    "family_via",
    "link_to",
    "link_weight",
    "link_rule",
    "link_reasons",
)


def chronology(
    source: pl.DataFrame | HistoryStore,
    *,
    attendance_id: str | None = None,
    person_id: str | None = None,
    identifiers: bool = False,
) -> pl.DataFrame:
    """List a child's and its family's attendances in time order, with link evidence.

    Args:
        source: A history store, or a resolved frame (from ``resolve_history``,
            ``resolve_and_flag_repeats`` or ``HistoryStore.frame``) with the
            columns of :data:`CHRONOLOGY_COLUMNS`' sources.
        attendance_id: An attendance of the child (e.g. a flagged one).
        person_id: The child's person id (instead of ``attendance_id``).
        identifiers: Also return the raw identifying columns.

    Returns:
        :data:`CHRONOLOGY_COLUMNS` (plus the identifiers when asked): ``member``
        is ``child`` for the child's own attendances and ``family`` for the
        other children's; ``evidence`` says why the row is there.

    Raises:
        ConfigError: Neither or both of ``attendance_id`` and ``person_id``
            given, or the id is not in the history.
    """
    if (attendance_id is None) == (person_id is None):
        raise ConfigError("give exactly one of attendance_id and person_id")
    cols = [*_READ, *(_IDENTIFIERS if identifiers else ())]
    frame = source.frame(cols) if isinstance(source, HistoryStore) else source.select(cols)
    if attendance_id is not None:
        hit = frame.filter(pl.col("attendance_id") == attendance_id)
        if hit.height == 0:
            raise ConfigError(f"attendance {attendance_id} is not in the history")
        person_id = hit["person_id"][0]
    own = frame.filter(pl.col("person_id") == person_id)
    if own.height == 0:
        raise ConfigError(f"person {person_id} is not in the history")
    family = own["family_id"].drop_nulls()
    fam_id = family[0] if family.len() else None
    rows = frame.filter(
        (pl.col("person_id") == person_id)
        | (pl.lit(fam_id is not None) & (pl.col("family_id") == fam_id))
    )
    same = pl.col("person_id") == person_id
    link = (
        pl.when(pl.col("link_to").is_null())
        .then(pl.lit("no confident link to another record of the person (first or only record)"))
        .otherwise(
            pl.format(
                "same person as {} (weight {}, blocking rule {}): {}",
                pl.col("link_to"),
                pl.col("link_weight").round(1),
                pl.col("link_rule"),
                pl.col("link_reasons"),
            )
        )
    )
    evidence = (
        pl.when(same)
        .then(link)
        .otherwise(pl.format("family member ({}) via {}; {}", "person_id", "family_via", link))
    )
    out = rows.with_columns(
        pl.when(same).then(pl.lit("child")).otherwise(pl.lit("family")).alias("member"),
        evidence.alias("evidence"),
    ).sort("arrival_time", "attendance_id")
    return out.select(*CHRONOLOGY_COLUMNS, *(_IDENTIFIERS if identifiers else ()))
