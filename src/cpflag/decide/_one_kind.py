"""One flag kind per (attendance, plan): the most specific.

The rules run one kind at a time, so one attendance can come out with two
stories about one plan. They are settled here, after every kind is computed,
by :func:`most_specific` -- one plain function that the batch
(:func:`one_kind_per_pair`, on the few clashing rows) and the triage path (on
the record's rows) both call, so the two cannot differ:

* a ``plan_subject`` flag (either band) for a plan drops the attendance's
  ``sibling_of_plan_subject`` and ``carer_of_plan_subject`` flags for that
  plan: the attendee is (or, at review, may be) the plan's child, and a
  review already tells a person what to check, where a sibling or carer
  alert on the same pair would contradict it -- except a review capped by a
  guard that means "another child of the family" (two different NHS numbers
  and a second contradiction; ``cpflag.rules.plan_subject.YIELDS_TO_RELATIVE``):
  that review gives way to the relative's flag, the likelier story;
* of a ``newborn_of_unborn_plan`` and an ``unborn_plan_mother`` flag for one
  plan, the one the attendee's age fits is kept: a baby's record (by its age,
  a placeholder name or a mother's NHS number on it;
  ``cpflag.rules.newborn.is_baby``) is the baby, an adult's the mother. When
  the age says neither, the stronger flag is kept: the higher band, then the
  higher score (both are log2 posterior odds), then the mother.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import polars as pl

from cpflag.contract import Band, FlagKind

__all__ = ["most_specific", "one_kind_per_pair"]

#: Kinds a plan_subject flag on the same plan supersedes.
_SUPERSEDED_BY_SUBJECT: Final = (FlagKind.SIBLING, FlagKind.CARER)
_KEY: Final = ("attendance_id", "flag", "plan_id")


def _stronger(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether flag ``a`` is strictly stronger than ``b``: band, then score."""
    a_match, b_match = bool(a["band"] == Band.MATCH), bool(b["band"] == Band.MATCH)
    if a_match != b_match:
        return a_match
    return bool(a["score"] > b["score"])


def _pre_birth_drop(
    newborn: Mapping[str, Any], mother: Mapping[str, Any], baby: bool | None
) -> str:
    """The kind to drop of a newborn and a mother flag on one plan."""
    if baby is None:
        baby = _stronger(newborn, mother)
    return FlagKind.UNBORN_MOTHER if baby else FlagKind.NEWBORN


def most_specific(
    rows: Sequence[Mapping[str, Any]],
    baby: bool | None,
    yielding: frozenset[str] = frozenset(),
) -> list[bool]:
    """Which flag rows of one attendance to keep: one kind per plan.

    Args:
        rows: Flag rows of one attendance (``flag``, ``plan_id``, ``band``,
            ``score``); at most one per (kind, plan), as the decisions give.
        baby: Whether the attendee's record is a baby's by its age (None:
            the age does not say; ``cpflag.rules.newborn.is_baby``).
        yielding: ``check`` texts of a plan_subject review that gives way to a
            sibling or carer flag on its plan
            (``cpflag.rules.plan_subject.yielding_checks``).

    Returns:
        One keep flag per row, in order.
    """
    by_plan: dict[str, dict[str, Mapping[str, Any]]] = {}
    for row in rows:
        if row["plan_id"] is not None:
            by_plan.setdefault(row["plan_id"], {})[row["flag"]] = row
    drop: set[tuple[str, str]] = set()
    for plan, kinds in by_plan.items():
        subject = kinds.get(FlagKind.PLAN_SUBJECT)
        if subject is not None:
            relatives = [k for k in _SUPERSEDED_BY_SUBJECT if k in kinds]
            yields = subject["band"] == Band.REVIEW and subject.get("check") in yielding
            if yields and relatives:
                drop.add((plan, FlagKind.PLAN_SUBJECT))
            else:
                drop |= {(plan, k) for k in relatives}
        newborn, mother = kinds.get(FlagKind.NEWBORN), kinds.get(FlagKind.UNBORN_MOTHER)
        if newborn is not None and mother is not None:
            drop.add((plan, _pre_birth_drop(newborn, mother, baby)))
    return [(row["plan_id"], row["flag"]) not in drop for row in rows]


def one_kind_per_pair(
    flags: pl.DataFrame, babies: pl.DataFrame, yielding: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """:func:`most_specific` over a batch's flags (only the clashing pairs are read).

    Args:
        flags: Flag rows of every kind (contract columns).
        babies: ``attendance_id`` and ``baby`` (Boolean, null where the age
            does not say) of the batch's attendances.
        yielding: As for :func:`most_specific`.

    Returns:
        ``flags`` without the rows :func:`most_specific` drops, in order.
    """
    pair = ("attendance_id", "plan_id")
    clash = flags.filter(pl.col("plan_id").is_not_null() & (pl.len().over(pair) > 1))
    if clash.height == 0:
        return flags
    clash = clash.select(*_KEY, "band", "score", "check").join(
        babies, on="attendance_id", how="left"
    )
    by_attendance: dict[str, list[dict[str, Any]]] = {}
    for row in clash.iter_rows(named=True):
        by_attendance.setdefault(row["attendance_id"], []).append(row)
    dropped = [
        tuple(row[c] for c in _KEY)
        for group in by_attendance.values()
        for row, keep in zip(group, most_specific(group, group[0]["baby"], yielding), strict=True)
        if not keep
    ]
    if not dropped:
        return flags
    gone = pl.DataFrame(dropped, schema=dict.fromkeys(_KEY, pl.String), orient="row")
    return flags.join(gone, on=list(_KEY), how="anti", maintain_order="left")
