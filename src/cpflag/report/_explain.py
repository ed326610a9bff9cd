"""Waterfall explanations: how one attendance--plan pair got its score.

The numbers are the ones the flags table uses (the same scoring code on the
same index), laid out step by step: the prior, then each comparison's level
with its m, u and weight, the running total, the guards and the band. Values
of identifying fields are not shown unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import polars as pl

from cpflag._errors import InputError
from cpflag.contract import FlagKind
from cpflag.decide import check_one, guard_ceilings, guard_note, probability_one
from cpflag.engine._index import PlanIndex
from cpflag.io._conform import conform_attendances
from cpflag.rules import unborn_mother

__all__ = ["Waterfall", "explain"]


@attrs.frozen
class Waterfall:
    """The step-by-step score of one pair.

    Attributes:
        attendance_id: The attendance explained.
        plan_id: The plan explained.
        table: One row per step: ``step``, ``comparison``, ``level``,
            ``description``, ``m``, ``u``, ``weight``, ``cumulative``
            (and ``attendance_value`` / ``plan_value`` when values were asked for).
        match_weight: The final weight (the flag's ``score``).
        match_probability: The flag's probability: the weight's, at most the
            probability of the guard that applies.
        band: ``match``, ``review`` or None (below the review threshold).
        guard: The guard that capped the pair at review, if any.
        check: What a person should verify when the pair is at review (the
            flag's ``check``); None otherwise.
        match_threshold: The model's match threshold (a guard "capped" the pair
            only where the weight reached it).
        window_probability: For a relationship that holds only for a while
            (an unborn plan's mother with no EDD), the probability that it
            still holds on the arrival date; ``match_probability`` is the
            identity's probability times this. 1 otherwise.
    """

    attendance_id: str
    plan_id: str
    table: pl.DataFrame
    match_weight: float
    match_probability: float
    band: str | None
    guard: str | None
    check: str | None = None
    match_threshold: float = float("inf")
    window_probability: float = 1.0

    def to_text(self) -> str:
        """The waterfall as aligned text."""
        lines = [f"attendance {self.attendance_id} vs plan {self.plan_id}"]
        show_values = "attendance_value" in self.table.columns
        for row in self.table.iter_rows(named=True):
            vals = ""
            if show_values and row["step"] > 0:
                vals = f"  [{row['attendance_value']} | {row['plan_value']}]"
            m = "" if row["m"] is None else f"m={row['m']:.4g} u={row['u']:.4g}"
            lines.append(
                f"  {row['comparison']:<14} {row['level']:<12} {row['weight']:+7.2f} "
                f"-> {row['cumulative']:+7.2f}  {m}{vals}"
            )
        band = self.band or "below review threshold"
        weight, prob = self.match_weight, self.match_probability
        if self.window_probability < 1.0:
            ident = prob / self.window_probability if self.window_probability > 0 else 0.0
            lines.append(
                f"  P(identity) {ident:.4f} x P(still pregnant or within the weeks after "
                f"the birth | no EDD) {self.window_probability:.4f}"
            )
        lines.append(f"  match weight {weight:+.2f}, probability {prob:.4f}: {band}")
        if self.guard:
            note = guard_note(self.guard, self.band, self.match_weight, self.match_threshold)
            lines.append(f"  {note}")
        if self.check:
            lines.append(f"  check: {self.check}")
        return "\n".join(lines)


def explain(
    index: PlanIndex,
    attendance: Mapping[str, Any] | pl.DataFrame,
    plan_id: str,
    *,
    flag: str = FlagKind.PLAN_SUBJECT,
    show_values: bool = False,
) -> Waterfall:
    """Explain the score of one attendance against one plan, for one flag kind.

    Args:
        index: The plan index (see ``cpflag.build_index``).
        attendance: One attendance record (dict of contract columns or a one-row frame).
        plan_id: The plan to compare with.
        flag: The flag kind whose evidence to show (``plan_subject``,
            ``sibling_of_plan_subject``, ``carer_of_plan_subject``,
            ``unborn_plan_mother``, ``newborn_of_unborn_plan``).
        show_values: Include the compared prepared values (identifying!) in the table.

    Returns:
        The waterfall.

    Raises:
        InputError: The plan id is not in the index, or the flag kind does not
            apply to its plan (e.g. ``plan_subject`` on an ``unborn_cpp``).
    """
    frame = attendance if isinstance(attendance, pl.DataFrame) else pl.DataFrame([dict(attendance)])
    if frame.height != 1:
        raise InputError("explain takes exactly one attendance record")
    att = conform_attendances(frame)
    scored, model = index.score_pair(att, plan_id, flag)
    if flag == FlagKind.UNBORN_MOTHER:
        scored = _mother_cap(index, att, plan_id, scored)
    steps: list[dict[str, Any]] = [
        {
            "step": 0,
            "comparison": "prior",
            "level": "",
            "description": "prior odds that two records match",
            "m": None,
            "u": None,
            "weight": model.prior_weight,
            "attendance_value": None,
            "plan_value": None,
        }
    ]
    for i, c in enumerate(model.comparisons, start=1):
        g = scored[f"gamma_{c.name}"]
        lv = c.levels[g] if g >= 0 else None
        cols = [col for col in _shown_columns(c.kind, c.column) if f"l_{col}" in scored]
        weight = scored[f"w_{c.name}"]
        # A term-frequency-adjusted level's u is the agreed value's own
        # frequency: show the u that gave this weight, not the level's average.
        u = (lv.m / 2.0**weight if lv.tf_adjust else lv.u) if lv else None
        steps.append(
            {
                "step": i,
                "comparison": c.name,
                "level": lv.label if lv else "null",
                "description": (lv.description or lv.label) if lv else "missing on either side",
                "m": lv.m if lv else None,
                "u": u,
                "weight": weight,
                "attendance_value": "; ".join(str(scored[f"l_{col}"]) for col in cols),
                "plan_value": "; ".join(str(scored[f"r_{col}"]) for col in cols),
            }
        )
    table = pl.DataFrame(steps, infer_schema_length=None).with_columns(
        pl.col("weight").cum_sum().alias("cumulative")
    )
    if not show_values:
        table = table.drop("attendance_value", "plan_value")
    return Waterfall(
        attendance_id=str(att["attendance_id"][0]),
        plan_id=plan_id,
        table=table,
        match_weight=scored["match_weight"],
        # The flag's own probability: at most its guard's, then recalibrated
        # as the person model says (decide._columns).
        match_probability=_recalibrated(
            probability_one(
                scored["match_weight"], guard_ceilings(model).get(scored["guard"] or "")
            )
            * scored.get("window_probability", 1.0),
            index,
        ),
        band=scored["band"],
        guard=scored["guard"],
        check=None
        if scored["band"] is None
        else check_one(flag, scored["band"], scored["guard"], model),
        match_threshold=model.thresholds.match,
        window_probability=scored.get("window_probability", 1.0),
    )


def _mother_cap(
    index: PlanIndex, att: pl.DataFrame, plan_id: str, scored: dict[str, Any]
) -> dict[str, Any]:
    """The decision's window composition of a pre-birth mother pair (as the flag has it)."""
    plan = index.plans.filter(pl.col("plan_id") == plan_id).row(0, named=True)
    arrival = att["arrival_time"][0]
    if arrival is None or scored["band"] is None:
        return scored
    band, guard, window = unborn_mother.compose_window_one(
        scored["band"],
        scored["guard"],
        scored["match_weight"],
        (plan["expected_delivery_date"], plan["start_date"]),
        arrival.date(),
        index.config,
        index.birth_timing,
        index.linker.model.thresholds,
    )
    return {**scored, "band": band, "guard": guard, "window_probability": window}


def _shown_columns(kind: str, column: str | None) -> tuple[str, ...]:
    return {
        "nhs_number": ("nhs",),
        "given_name": ("given_first",),
        "family_name": ("family",),
        "name_swap": ("given_first", "family"),
        "date_of_birth": ("dob",),
        "sex": ("sex",),
        "postcode": ("postcode",),
        "address": ("address_numbers", "address_street"),
    }.get(kind, (column,) if column else ())


def _recalibrated(p: float, index: PlanIndex) -> float:
    """The composed probability, recalibrated as the flags are (``decide.finish_flags``)."""
    recalibration = index.config.model.recalibration
    return p if recalibration is None else recalibration.apply_one(p)
