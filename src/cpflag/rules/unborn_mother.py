"""The ``unborn_plan_mother`` rule: the attendee is the mother named on a pre-birth plan.

* **Candidates**: every attendee, against the mothers named on unborn plans
  (prepared as people), by the person model's blocking rules.
* **Evidence, guards and thresholds**: the person model, as for a plan subject
  (a same-person link), with the mothers' own term frequencies.
* **Window**: :func:`within_window` -- from the plan's start until the
  configured number of weeks after the expected delivery date. With the date
  blank, the delivery is taken to be at the latest :data:`LONGEST_PREGNANCY`
  after the plan's start (a pre-birth plan starts in pregnancy), so an open
  plan with no date does not flag the mother for ever after the birth.
* **Composition with a blank EDD**: the flag is P(she is the named mother) x
  P(still pregnant or within the weeks after delivery | days since the plan's
  start). The second factor is learnt from the lists' own pre-birth plans that
  carry both dates (:class:`BirthTiming`: how long after its start a plan's
  delivery is due), shrunk towards a wide prior. A flag whose composed
  probability is below the match threshold's is at most ``review`` (cap
  ``edd_unknown``, with a check that says what to ask).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.contract import Band
from cpflag.linkage import Thresholds
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._models import probability_of as _probability
from cpflag.rules._settings import RuleSettings

__all__ = [
    "CHECKS",
    "EDD_UNKNOWN",
    "LONGEST_PREGNANCY",
    "BirthTiming",
    "compose_window",
    "compose_window_one",
    "within_window",
    "within_window_one",
]

#: The cap of a mother flag past the usual window of a plan with no EDD.
EDD_UNKNOWN: Final = "edd_unknown"

#: What to verify at review: the person model's guards carry their own checks.
CHECKS: Final = ReviewChecks(
    generic="weak identity evidence: confirm the mother's NHS number, date of birth and address",
    caps={
        EDD_UNKNOWN: "no expected delivery date and the birth may be past: confirm she is "
        "still pregnant or within six weeks of the birth",
    },
)

#: The latest delivery after a pre-birth plan starts: a pregnancy is known at the
#: earliest about four weeks after the last period and lasts at most 42 weeks
#: from it, so a plan (which starts in pregnancy) sees the birth within 38 weeks.
LONGEST_PREGNANCY: Final = dt.timedelta(weeks=38)


def within_window(config: RuleSettings) -> pl.Expr:
    """True where the arrival is within the mother's window (plan columns in scope)."""
    latest = pl.coalesce(
        pl.col("expected_delivery_date"), pl.col("start_date") + pl.lit(LONGEST_PREGNANCY)
    )
    limit = latest + pl.duration(weeks=config.unborn_mother_weeks_after_edd)
    return (pl.col("arrival_date") <= limit).fill_null(False)


def within_window_one(
    edd: dt.date | None, start: dt.date | None, arrival: dt.date, config: RuleSettings
) -> bool:
    """:func:`within_window` of one pair."""
    latest = edd if edd is not None else None if start is None else start + LONGEST_PREGNANCY
    if latest is None:
        return False
    return arrival <= latest + dt.timedelta(weeks=config.unborn_mother_weeks_after_edd)


#: Plans of the prior, in the shrinkage of :class:`BirthTiming`: a weak prior
#: (two plans' worth), so a list with twenty dated plans mostly decides it and
#: a list with none falls back on "due at any time within the longest pregnancy".
PRIOR_PLANS: Final = 2.0


@attrs.frozen
class BirthTiming:
    """How long after a pre-birth plan's start its delivery is due, learnt from the lists.

    Estimated on the data being linked: the days from ``start_date`` to
    ``expected_delivery_date`` of every unborn plan that carries both, shrunk
    towards a prior that knows only that a plan starts in pregnancy (due
    uniformly within :data:`LONGEST_PREGNANCY` of the start), with the weight of
    :data:`PRIOR_PLANS` plans.

    Attributes:
        days: The learnt days from start to EDD, sorted (each clipped to
            ``[0, LONGEST_PREGNANCY]``).
    """

    days: tuple[int, ...] = ()

    @classmethod
    def from_plans(cls, plans: pl.DataFrame) -> BirthTiming:
        """Learn from the unborn plans of a validated plans table."""
        longest = LONGEST_PREGNANCY.days
        dated = plans.filter(
            (pl.col("plan_type") == "unborn_cpp")
            & pl.col("expected_delivery_date").is_not_null()
            & pl.col("start_date").is_not_null()
        )
        gap = (pl.col("expected_delivery_date") - pl.col("start_date")).dt.total_days()
        days = dated.select(gap.clip(0, longest).sort()).to_series().to_list()
        return cls(days=tuple(int(d) for d in days))

    def still_due(self, elapsed: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """P(the delivery is due ``elapsed`` days or more after the start), per value."""
        arr = np.asarray(self.days, dtype=np.float64)
        later = arr.size - np.searchsorted(arr, elapsed, side="left")
        prior = np.clip(1.0 - elapsed / LONGEST_PREGNANCY.days, 0.0, 1.0)
        out: npt.NDArray[np.float64] = (later + PRIOR_PLANS * prior) / (arr.size + PRIOR_PLANS)
        return out

    def still_due_one(self, elapsed: float) -> float:
        """:meth:`still_due` of one value."""
        later = len(self.days) - bisect.bisect_left(self.days, elapsed)
        prior = min(1.0, max(0.0, 1.0 - elapsed / LONGEST_PREGNANCY.days))
        return float((later + PRIOR_PLANS * prior) / (len(self.days) + PRIOR_PLANS))


def compose_window(
    frame: pl.DataFrame, config: RuleSettings, timing: BirthTiming, thresholds: Thresholds
) -> pl.DataFrame:
    """Mother flag rows with ``window_probability`` and the band their composition reaches.

    Args:
        frame: Banded mother pairs within :func:`within_window` (``match_weight``,
            ``band``, ``guard``, ``arrival_date`` and the plan's dates in scope).
        config: Run configuration (the weeks after delivery).
        timing: The lists' :class:`BirthTiming`.
        thresholds: The person model's thresholds (match weights).

    Returns:
        ``frame`` with ``window_probability`` (1 where the plan has an EDD).
        Where the plan has none, the band is the one the composed probability
        P(identity) x P(window) reaches: below the match threshold's
        probability at most ``review`` (guard :data:`EDD_UNKNOWN`), below the
        review threshold's no flag (the row is dropped).
    """
    weeks = config.unborn_mother_weeks_after_edd
    elapsed = (
        frame.select(
            (pl.col("arrival_date") - pl.col("start_date")).dt.total_days().cast(pl.Float64)
            - 7.0 * weeks
        )
        .to_series()
        .fill_null(math.inf)
        .to_numpy()
    )
    due = pl.Series("window_probability", timing.still_due(elapsed), dtype=pl.Float64)
    blank = pl.col("expected_delivery_date").is_null()
    window = pl.when(blank).then(due).otherwise(pl.lit(1.0))
    tail = pl.lit(2.0).pow(-pl.col("match_weight").abs())
    ident = (
        pl.when(pl.col("match_weight") >= 0).then(1.0 / (1.0 + tail)).otherwise(tail / (1.0 + tail))
    )
    composed = ident * pl.col("window_probability")
    late = blank & (composed < _probability(thresholds.match))
    return (
        frame.with_columns(window.alias("window_probability"))
        .filter(~blank | (composed >= _probability(thresholds.review)))
        .with_columns(
            pl.when(late & (pl.col("band") == Band.MATCH))
            .then(pl.lit(Band.REVIEW))
            .otherwise(pl.col("band"))
            .alias("band"),
            pl.when(late).then(pl.lit(EDD_UNKNOWN)).otherwise(pl.col("guard")).alias("guard"),
        )
    )


def compose_window_one(
    band: str,
    guard: str | None,
    score: float,
    plan: tuple[dt.date | None, dt.date | None],
    arrival: dt.date,
    config: RuleSettings,
    timing: BirthTiming,
    thresholds: Thresholds,
) -> tuple[str | None, str | None, float]:
    """:func:`compose_window` of one banded pair (``plan``: its EDD and start):
    ``(band or None for no flag, guard, window probability)``."""
    edd, start = plan
    if edd is not None:
        return band, guard, 1.0
    weeks = config.unborn_mother_weeks_after_edd
    elapsed = math.inf if start is None else (arrival - start).days - 7.0 * weeks
    window = timing.still_due_one(elapsed)
    composed = _probability(score) * window
    if composed < _probability(thresholds.review):
        return None, guard, window
    if composed >= _probability(thresholds.match):
        return band, guard, window
    return (Band.REVIEW if band == Band.MATCH else band), EDD_UNKNOWN, window
