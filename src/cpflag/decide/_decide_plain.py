"""Plan decisions on the scalar triage path: banded pairs to rows of the flags table.

The scalar forms of ``_decide.plan_flags`` and ``_family.relation_flags``: a
pair becomes a flag when its plan is current on the arrival date (and, for an
unborn plan's mother, until the configured weeks after the expected delivery
date); ``reasons`` are the scorer's text, then "same LA family as plan X" for a
pair copied through its LA family, the guard note and the list's staleness
warning, joined as ``finish_flags`` joins them; the v2 columns are
``_columns``' plain readings. Also here: the cache of a
frame's rows as Python values that the triage modules read plans and plan-side
records through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import polars as pl

from cpflag.contract import FlagKind
from cpflag.decide._columns import (
    FOUND,
    check_one,
    guard_ceilings,
    guard_note,
    probability_one,
)
from cpflag.linkage._plain_score import PlainPair, PlainScorer
from cpflag.rules import sibling, unborn_mother
from cpflag.rules._settings import RuleSettings

__all__ = ["ROW_CACHE_SIZE", "Decided", "Rows", "flag_rows"]

#: Right-hand rows kept as Python values between calls (a bound on memory).
ROW_CACHE_SIZE: Final = 50_000


@attrs.frozen
class Rows:
    """Rows of a frame as dicts of Python values, converted on first use and cached.

    Safe under threads: each call answers from what it read or converted
    itself, so another thread clearing the cache midway loses nothing.
    """

    frame: pl.DataFrame
    cache: dict[int, dict[str, Any]] = attrs.field(factory=dict, eq=False, repr=False)

    def get(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        """The rows at ``positions`` (row numbers of the frame).

        Args:
            positions: Row numbers.

        Returns:
            One ``{column: value}`` per position, in order.
        """
        cache = self.cache
        found = {p: cache.get(p) for p in positions}
        missing = [p for p, row in found.items() if row is None]
        if missing:
            cols = self.frame.columns
            # One gather for all missing rows: a polars call per row would cost more.
            fresh = {
                p: dict(zip(cols, row, strict=True))
                for p, row in zip(missing, self.frame[missing].rows(), strict=True)
            }
            if len(cache) + len(fresh) > ROW_CACHE_SIZE:
                cache.clear()  # a bound on memory; start afresh
            cache.update(fresh)
            found.update(fresh)
        return [found[p] for p in positions]  # type: ignore[misc]


@attrs.frozen
class Decided:
    """A banded pair on its way to a flag.

    Attributes:
        prow: The plan's row number (``plans``).
        pair: The scored pair (levels, weights, match weight).
        band: The band after any cap (``match`` or ``review``).
        guard: The guard named in ``reasons`` (a model guard or an age doubt).
        via_prow: For a pair copied through its LA family, the ``prow`` of the
            plan the evidence came through; else None.
        anchor_weight: For a sibling pair, the attendee's surest review-band
            identity link (``rules.sibling.anchor_ceiling``); else None.
    """

    prow: int
    pair: PlainPair
    band: str
    guard: str | None
    via_prow: int | None = None
    anchor_weight: float | None = None


def staleness(age: int | None, stale_after: int) -> str | None:
    """``_decide.staleness_note`` of one list age.

    Args:
        age: The list's age in days on the arrival date (None: unknown).
        stale_after: The configured limit.

    Returns:
        The warning, or None for a fresh list.
    """
    if age is None:
        return "LIST DATE UNKNOWN: check the LA's current list"
    if age > stale_after:
        return f"LIST STALE: {age} days old (limit {stale_after}); check the LA's current list"
    return None


def _current(plan: Mapping[str, Any], arrival: dt.date, kind: str, config: RuleSettings) -> bool:
    """``plan_current_expr`` (and the unborn-mother window): a null start never is."""
    start, end = plan["start_date"], plan["end_date"]
    if start is None or start > arrival or (end is not None and arrival > end):
        return False
    if kind == FlagKind.UNBORN_MOTHER:
        edd = plan["expected_delivery_date"]
        return unborn_mother.within_window_one(edd, start, arrival, config)
    return True


def flag_rows(
    kind: str,
    decided: Sequence[Decided],
    scorer: PlainScorer,
    plans: Rows,
    record: Mapping[str, Any],
    config: RuleSettings,
    timing: unborn_mother.BirthTiming | None = None,
) -> list[dict[str, Any]]:
    """Flag rows of one kind (contract columns) from its banded pairs.

    Args:
        kind: The flag kind.
        decided: The banded pairs, in the order the batch keeps the first of
            a plan in.
        scorer: The kind's scorer (its model writes the reasons).
        plans: The index's plans (decision columns) by ``prow``.
        record: The attendance (``attendance_id``, ``arrival_time``).
        config: Run configuration.
        timing: The lists' birth timing (the mother's window with a blank EDD).

    Returns:
        One dict per flag, unordered across plans.
    """
    arrival_time = record["arrival_time"]
    if arrival_time is None or not decided:
        return []
    arrival = arrival_time.date()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    ceilings = guard_ceilings(scorer.model)
    for d, plan in zip(decided, plans.get([d.prow for d in decided]), strict=True):
        if not _current(plan, arrival, kind, config) or plan["plan_id"] in seen:
            continue
        band, guard, window = d.band, d.guard, 1.0
        if kind == FlagKind.UNBORN_MOTHER:
            composed, guard, window = unborn_mother.compose_window_one(
                band,
                guard,
                d.pair.match_weight,
                (plan["expected_delivery_date"], plan["start_date"]),
                arrival,
                config,
                timing or unborn_mother.BirthTiming(),
                scorer.model.thresholds,
            )
            if composed is None:
                continue
            band = composed
        seen.add(plan["plan_id"])
        listed = plan.get("list_date")
        age = None if listed is None else (arrival - listed).days
        via = None
        if d.via_prow is not None:
            via_id = plans.get([d.via_prow])[0]["plan_id"]
            via = None if via_id is None else f"same LA family as plan {via_id}"
        notes = [
            scorer.reasons(d.pair),
            via,
            None
            if guard is None
            else guard_note(guard, band, d.pair.match_weight, scorer.model.thresholds.match),
            staleness(age, config.stale_after_days),
        ]
        out.append(
            {
                "attendance_id": record["attendance_id"],
                "flag": kind,
                "plan_id": plan["plan_id"],
                "la_code": plan["la_code"],
                "plan_type": plan["plan_type"],
                "score": d.pair.match_weight,
                "band": band,
                "match_probability": _composed(
                    probability_one(
                        d.pair.match_weight, None if guard is None else ceilings.get(guard)
                    ),
                    kind,
                    guard,
                    window,
                    d.anchor_weight,
                    config,
                ),
                "check": check_one(kind, band, guard, scorer.model),
                "found": FOUND,
                "reasons": "; ".join(n for n in notes if n is not None),
                "list_age_days": age,
            }
        )
    return out


def _composed(
    p: float,
    kind: str,
    guard: str | None,
    window: float,
    anchor_weight: float | None,
    config: RuleSettings,
) -> float:
    """``finish_flags``' probability of one flag: composed, then recalibrated."""
    if kind == FlagKind.SIBLING:
        p = sibling.anchor_ceiling_one(p, guard, anchor_weight)
    p = p * window
    recalibration = config.model.recalibration
    return p if recalibration is None else recalibration.apply_one(p)
