"""One attendance against one plan for one flag kind: the numbers ``explain`` shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from cpflag._errors import InputError
from cpflag.contract import FlagKind
from cpflag.engine._lookup import KeyLookup
from cpflag.engine._parts import IndexParts
from cpflag.io._conform import conform_attendances
from cpflag.linkage import LinkageModel
from cpflag.rules._attendee import anchor_ceilings, attendee_frame, with_family_keys
from cpflag.rules._caps import caps_for_one_pair

__all__ = ["score_pair"]


def score_pair(
    parts: IndexParts,
    lookups: Mapping[str, KeyLookup],
    attendance: pl.DataFrame,
    plan_id: str,
    flag: str = FlagKind.PLAN_SUBJECT,
) -> tuple[dict[str, Any], LinkageModel]:
    """Score one attendance against one plan for one flag kind (for ``explain``).

    Runs the same preparation and scoring as a batch, so the numbers are the
    flags' own. A relation that reached the plan only through its LA family
    (``same LA family as plan ...``) is scored here on its direct evidence.

    Args:
        parts: The prepared lists.
        lookups: Their key dictionaries (the attendee's same-person candidates).
        attendance: One attendance (a one-row frame).
        plan_id: The plan.
        flag: The flag kind whose evidence to score.

    Returns:
        The scored pair (levels ``gamma_*``, weights ``w_*``, ``match_weight``,
        ``band``, ``guard``, compared values ``l_*``/``r_*``) and the model.

    Raises:
        InputError: Unknown plan, or a flag kind that does not apply to it.
    """
    att = conform_attendances(attendance)
    rows = parts.plans.filter(pl.col("plan_id") == plan_id)
    if rows.height == 0:
        raise InputError(f"plan {plan_id} is not in the index")
    prepared = parts.linker.prepare(att)
    left, linker = prepared, parts.linker
    if flag == FlagKind.PLAN_SUBJECT:
        tf = parts.tf
    elif flag == FlagKind.UNBORN_MOTHER:
        tf = parts.mother_tf
    elif flag in parts.relation_linkers:
        pairs = lookups["subjects"].candidates(prepared)
        subj = parts.linker.score(prepared, parts.subjects, pairs, tf=parts.tf)
        subj = subj.filter(pl.col("band").is_not_null())
        mothers = None
        if FlagKind.UNBORN_MOTHER in parts.config.flags:
            mpairs = lookups["mothers"].candidates(prepared)
            mothers = parts.linker.score(prepared, parts.mothers, mpairs, tf=parts.mother_tf)
            mothers = mothers.filter(pl.col("band").is_not_null())
        left = with_family_keys(
            attendee_frame(att, prepared, parts.config),
            subj,
            parts.plans,
            parts.subjects,
            mothers,
            parts.mothers,
            anchor_ceilings(parts.linker.model),
        )
        linker, tf = parts.relation_linkers[flag], parts.relation_tf.get(flag, {})
    else:
        raise InputError(f"cannot explain flag kind {flag!r}")
    right = parts.plan_side(flag)
    target = right.filter(pl.col("prow") == rows["prow"][0])
    if target.height == 0:
        raise InputError(f"plan {plan_id} (type {rows['plan_type'][0]}) has no {flag} comparison")
    # A plan compared as several rows (a looked-after child's placement and
    # birth family) is explained by its strongest, the one its flag came from.
    pair = pl.DataFrame(
        {"l": [0] * target.height, "r": target["rec"]},
        schema={"l": pl.UInt32, "r": pl.UInt32},
    )
    scored = linker.score(left, right, pair, tf=tf)
    if flag in parts.relation_linkers:
        scored = caps_for_one_pair(flag, scored, left, linker.model)
    best = scored.sort(["match_weight", "r"], descending=[True, False], maintain_order=True)
    return best.row(0, named=True), linker.model
