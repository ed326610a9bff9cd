"""``cpflag train``: the person model re-estimated, and recalibrated from decisions.

1. m and u are re-estimated on a site's own attendances and plan subjects
   (u by random sampling, m by EM; no labels), as before (``reestimate=False``
   keeps the starting model's m and u, to recalibrate it alone).
2. With a history store, the flags people decided there are labels beside
   EM (as clerical reviews are in Splink and dedupe). Their attendances (from
   the store) are run again through an index of the plans with the trained
   model, so each decided pair gets the probability the *trained* model gives
   it; a pair the trained model no longer raises (its plan gone from the list,
   its weight under the review threshold) is counted and left out.
3. A Platt recalibration is fitted on those probabilities (every flag kind with
   a probability, together) and measured out of fold (five folds). It is
   written into the model (``LinkageModel.recalibration``) only when there are
   at least ``min_labels`` confirmed and ``min_labels`` rejected pairs, the
   error out of fold is lower than without it, and it is increasing;
   otherwise the model keeps the shipped calibration (the weights' own
   probabilities) and the result says why.

A recalibration from an earlier model is never carried over: it was fitted on
that model's weights.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

import attrs
import numpy as np
import polars as pl

from cpflag._config import FlagConfig
from cpflag._errors import ConfigError
from cpflag.engine._index import PlanIndex
from cpflag.history import HistoryStore
from cpflag.history._loop_store import LoopStore
from cpflag.history._prepare import RAW_COLUMNS
from cpflag.io import TableSource, read_inputs
from cpflag.linkage import LinkageModel, Linker, Recalibration
from cpflag.loop._calibrate import expected_calibration_error, fit_calibration
from cpflag.loop._outcomes import CONFIRMED, merge_outcomes, read_outcomes
from cpflag.loop._tables import KEY, OUTCOMES_SCHEMA, RAISED_SCHEMA
from cpflag.rules.plan_subject import SUBJECT_PLAN_TYPES

__all__ = ["MIN_LABELS", "TrainResult", "train_model"]

#: Confirmed and rejected pairs each needed to fit a recalibration: ten per
#: fitted parameter (slope and intercept), the usual floor for a logistic fit.
MIN_LABELS: Final = 20


@attrs.frozen
class TrainResult:
    """What ``cpflag train`` did.

    Attributes:
        model: The trained model (with its recalibration, when one was fitted).
        attendances: Attendances trained on.
        plan_subjects: Plan subjects trained on.
        labelled: Decided flags with a probability in the store (0 without one).
        refound: Of those, raised again by the trained model (the fit's labels).
        confirmed: Of the refound, confirmed.
        ece_as_raised: Expected calibration error of the probabilities the
            store's flags were raised with, on the decided flags.
        ece_before: The trained model's own probabilities, on the refound.
        ece_after: With the recalibration, out of fold.
        recalibrated: A recalibration was written into the model.
        note: Why not, when it was not (empty when it was).
    """

    model: LinkageModel
    attendances: int
    plan_subjects: int
    labelled: int = 0
    refound: int = 0
    confirmed: int = 0
    ece_as_raised: float | None = None
    ece_before: float | None = None
    ece_after: float | None = None
    recalibrated: bool = False
    note: str = "no history store given: no review outcomes to learn from"

    @property
    def rejected(self) -> int:
        """Of the refound, rejected."""
        return self.refound - self.confirmed

    def lines(self) -> tuple[str, ...]:
        """The report, one line each (counts and errors; nothing identifying)."""

        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.3f}"

        out = [f"trained on {self.attendances} attendances x {self.plan_subjects} plan subjects"]
        if self.model.name.endswith("; recalibrated"):
            out[0] = "m and u kept as in the starting model (no EM)"
        if self.labelled:
            out.append(
                f"labelled pairs: {self.labelled} decided in the store; {self.refound} raised "
                f"again by the trained model ({self.confirmed} confirmed, {self.rejected} rejected)"
            )
            out.append(
                f"expected calibration error: {f(self.ece_as_raised)} as raised; "
                f"{f(self.ece_before)} the trained model's own; "
                f"{f(self.ece_after)} recalibrated (out of fold)"
            )
        recal = self.model.recalibration
        if recal is not None:
            out.append(
                f"recalibration written into the model: p' = sigmoid({recal.slope:.3f} * "
                f"logit(p) + {recal.intercept:.3f}) (bands unchanged)"
            )
        else:
            out.append(f"no recalibration: {self.note}; the model keeps the shipped calibration")
        return tuple(out)


def _decided(loop: LoopStore, outcomes: TableSource | pl.DataFrame | None) -> pl.DataFrame:
    decided = loop.read("outcomes", OUTCOMES_SCHEMA)
    if outcomes is not None:
        with loop.locked():
            decided = merge_outcomes(
                loop.read("outcomes", OUTCOMES_SCHEMA), read_outcomes(outcomes)
            )
            loop.commit({"outcomes": decided})
    raised = loop.read("raised", RAISED_SCHEMA).select(*KEY, "match_probability")
    return (
        raised.join(decided.select(*KEY, "outcome"), on=list(KEY), nulls_equal=True)
        .filter(pl.col("match_probability").is_not_null())
        .sort(list(KEY))
    )


def _labels(decided: pl.DataFrame, flags: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    got = decided.select(*KEY, "outcome").join(
        flags.select(*KEY, "match_probability").unique(list(KEY)),
        on=list(KEY),
        nulls_equal=True,
        maintain_order="left",
    )
    p = got["match_probability"].to_numpy().astype(float)
    return p, (got["outcome"] == CONFIRMED).to_numpy().astype(float)


def _attendances_of(store: HistoryStore, given: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """The decided attendances: from the store, else from the given table."""
    want = ids.unique().implode()
    stored = store.frame([*RAW_COLUMNS, "sex", "postcode"]).filter(
        pl.col("attendance_id").is_in(want)
    )
    extra = given.filter(
        pl.col("attendance_id").is_in(want)
        & ~pl.col("attendance_id").is_in(stored["attendance_id"].implode())
    )
    cols = [c for c in stored.columns if c in extra.columns]
    return pl.concat([stored, extra.select(cols).cast(stored.select(cols).schema)], how="diagonal")


def train_model(
    attendances: TableSource | pl.DataFrame,
    plans: TableSource | pl.DataFrame,
    *,
    manifest: TableSource | None = None,
    model: LinkageModel | None = None,
    config: FlagConfig | None = None,
    history: HistoryStore | str | Path | None = None,
    outcomes: TableSource | pl.DataFrame | None = None,
    max_pairs: int = 1_000_000,
    seed: int = 0,
    min_labels: int = MIN_LABELS,
    reestimate: bool = True,
    today: dt.date | None = None,
) -> TrainResult:
    """Re-estimate the person model; with a store, recalibrate it from its decisions.

    Args:
        attendances: A site's attendances (file or frame).
        plans: The plan lists (their subjects train the model; all of them
            re-raise the decided pairs).
        manifest: Per-LA list dates, when not in the plans.
        model: The model to start from (default: the flag rules' person model).
        config: The run configuration the decided pairs are raised again
            with (its ``model`` is replaced by the trained one).
        history: The history store holding the review outcomes and the flags
            they decide.
        outcomes: Review outcomes to record in the store first.
        max_pairs: Random pairs drawn for u.
        seed: Random seed.
        min_labels: Confirmed and rejected pairs each needed to recalibrate.
        reestimate: Re-estimate m and u (EM); False keeps the starting
            model's and only recalibrates it.
        today: The date written as ``fitted_on`` (default: today).

    Returns:
        The trained model and the report.

    Raises:
        InputError: An input cannot be used (file, column, rows named).
        StoreError: No store at ``history``, or it cannot be read or written.
        ConfigError: ``outcomes`` given without ``history``.
    """
    if outcomes is not None and history is None:
        raise ConfigError("review outcomes need the history store whose flags they decide")
    config = config or FlagConfig()
    start = model or config.model
    inputs = read_inputs(attendances=attendances, plans=plans, manifest=manifest)
    assert inputs.attendances is not None
    assert inputs.plans is not None
    att, plan_rows = inputs.attendances.table, inputs.plans.table
    subjects = plan_rows.filter(pl.col("plan_type").is_in(SUBJECT_PLAN_TYPES))
    if reestimate:
        trained = Linker(model=start).train(att, subjects, max_pairs=max_pairs, seed=seed).model
    else:
        trained = attrs.evolve(start, name=f"{start.name}; recalibrated")
    trained = attrs.evolve(trained, recalibration=None)
    base = TrainResult(trained, att.height, subjects.height)
    if history is None:
        return base
    store = (
        history if isinstance(history, HistoryStore) else HistoryStore.open(history, create=False)
    )
    decided = _decided(LoopStore(store.path), outcomes)
    if decided.height == 0:
        return attrs.evolve(base, note="no decided flags with a probability in the store")
    as_raised = expected_calibration_error(
        decided["match_probability"].to_numpy().astype(float),
        (decided["outcome"] == CONFIRMED).to_numpy().astype(float),
    )
    index = PlanIndex.build(plan_rows, config=attrs.evolve(config, model=trained))
    again = _attendances_of(store, att, decided["attendance_id"])
    p, y = _labels(decided, index.run(again).flags if again.height else decided.clear())
    check = fit_calibration(p, y)
    result = attrs.evolve(
        base,
        labelled=decided.height,
        refound=len(p),
        confirmed=check.confirmed,
        ece_as_raised=as_raised,
        ece_before=check.ece_before,
        ece_after=check.ece_after,
    )
    rejected = check.decided - check.confirmed
    if min(check.confirmed, rejected) < min_labels:
        return attrs.evolve(
            result,
            note=f"too few labels ({check.confirmed} confirmed, {rejected} rejected; "
            f"at least {min_labels} of each needed)",
        )
    if not check.improves or check.slope <= 0:
        return attrs.evolve(
            result, note="it does not lower the error on decisions it was not fitted on"
        )
    recal = Recalibration(
        slope=check.slope,
        intercept=check.intercept,
        labelled=check.decided,
        confirmed=check.confirmed,
        ece_before=check.ece_before,
        ece_after=check.ece_after,
        fitted_on=(today or dt.date.today()).isoformat(),
    )
    return attrs.evolve(
        result,
        model=attrs.evolve(trained, recalibration=recal),
        recalibrated=True,
        note="",
    )
