"""Checking ``match_probability`` against people's decisions, and a recalibration.

The decided flags (confirmed = right, rejected = wrong) are labels beside EM,
as clerical reviews are in Splink and dedupe. :func:`calibration_check`
measures the expected calibration error (ECE: the gap between the mean
probability and the confirmed share, over ten equal-width bins, weighted by
the flags in each) and fits a Platt recalibration on the log-odds,
``p' = sigmoid(a * logit(p) + b)``. The error after recalibration is measured
out of fold (five folds), so the figure is what the recalibration would do on
decisions it was not fitted on.

The fitted parameters are reported and can be saved; ``cpflag train
--history`` (``loop.train_model``) fits them on the trained model's own
probabilities and writes them into the model (``LinkageModel.recalibration``).
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import numpy as np
import polars as pl

from cpflag.loop._outcomes import CONFIRMED
from cpflag.loop._tables import KEY

__all__ = ["Calibration", "calibration_check", "expected_calibration_error", "fit_calibration"]

_EPS: Final = 1e-6
_FOLDS: Final = 5


@attrs.frozen
class Calibration:
    """A calibration check from decisions.

    Attributes:
        decided: Decided flags with a probability.
        confirmed: Of those, confirmed.
        ece_before: Expected calibration error of ``match_probability``.
        ece_after: The same after recalibration, out of fold (None when
            there are too few decisions, fewer than 20 or one outcome only).
        slope: Platt slope ``a`` (fitted on every decision).
        intercept: Platt intercept ``b``.

    A recalibration is worth considering only when :attr:`improves`: on few
    or narrow decisions (review flags only) it can do worse out of fold than
    the probabilities as they are.
    """

    decided: int
    confirmed: int
    ece_before: float | None
    ece_after: float | None
    slope: float
    intercept: float

    @property
    def improves(self) -> bool:
        """True when the recalibration lowers the error on decisions it was not fitted on."""
        return (
            self.ece_before is not None
            and self.ece_after is not None
            and self.ece_after < self.ece_before
        )

    def apply(self, p: pl.Series) -> pl.Series:
        """Recalibrated probabilities.

        Args:
            p: Probabilities.

        Returns:
            ``sigmoid(slope * logit(p) + intercept)``.
        """
        return pl.Series(p.name, _platt(p.to_numpy(), self.slope, self.intercept))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (with ``improves``)."""
        return {**attrs.asdict(self), "improves": self.improves}


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p.astype(float), _EPS, 1 - _EPS)
    return np.asarray(np.log(q / (1 - q)))


def _platt(p: np.ndarray, a: float, b: float) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-np.clip(a * _logit(p) + b, -30, 30))))


def _fit(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Logistic regression of ``y`` on ``logit(p)``: Newton's method with step halving."""
    x = np.column_stack([_logit(p), np.ones(len(p))])
    ridge = 1e-3

    def loss(w: np.ndarray) -> float:
        z = x @ w
        return float(np.sum(np.logaddexp(0, z) - y * z) + ridge / 2 * w @ w)

    w = np.array([1.0, 0.0])
    for _ in range(100):
        q = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (q - y) + ridge * w
        hess = (x.T * (q * (1 - q))) @ x + ridge * np.eye(2)
        step = np.linalg.solve(hess, grad)
        t, now = 1.0, loss(w)
        while loss(w - t * step) > now and t > 1e-6:
            t /= 2
        w = w - t * step
        if np.abs(t * step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """ECE over equal-width bins.

    Args:
        p: Probabilities.
        y: Outcomes (1 right, 0 wrong).
        bins: Number of bins.

    Returns:
        ``sum_b n_b / n * |mean p_b - mean y_b|``.
    """
    if len(p) == 0:
        return 0.0
    b = np.clip((p * bins).astype(int), 0, bins - 1)
    total = 0.0
    for k in np.unique(b):
        m = b == k
        total += m.sum() / len(p) * abs(p[m].mean() - y[m].mean())
    return float(total)


def calibration_check(raised: pl.DataFrame, outcomes: pl.DataFrame) -> Calibration:
    """Check and recalibrate ``match_probability`` from the decided flags.

    Args:
        raised: The ``raised`` ledger.
        outcomes: The outcomes in force.

    Returns:
        The check, with the error before and (out of fold) after.
    """
    decided = (
        raised.join(outcomes.select(*KEY, "outcome"), on=list(KEY), how="inner", nulls_equal=True)
        .filter(pl.col("match_probability").is_not_null())
        .sort(list(KEY))
    )
    p = decided["match_probability"].to_numpy().astype(float)
    y = (decided["outcome"] == CONFIRMED).to_numpy().astype(float)
    return fit_calibration(p, y)


def fit_calibration(p: np.ndarray, y: np.ndarray) -> Calibration:
    """The error of ``p`` against ``y``, and a Platt recalibration measured out of fold.

    Args:
        p: Probabilities, in a fixed order (the folds are by position).
        y: Outcomes (1 confirmed, 0 rejected).

    Returns:
        The check (``ece_after`` None under 20 decisions or with one outcome only).
    """
    n, pos = len(p), int(y.sum())
    if n == 0:
        return Calibration(0, 0, None, None, 1.0, 0.0)
    before = expected_calibration_error(p, y)
    if n < 20 or pos in (0, n):
        return Calibration(n, pos, before, None, 1.0, 0.0)
    fold = np.arange(n) % _FOLDS
    out = np.empty(n)
    for k in range(_FOLDS):
        a, b = _fit(p[fold != k], y[fold != k])
        out[fold == k] = _platt(p[fold == k], a, b)
    a, b = _fit(p, y)
    return Calibration(n, pos, before, expected_calibration_error(out, y), a, b)
