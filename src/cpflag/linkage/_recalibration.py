"""A recalibration of ``match_probability`` fitted on people's decisions.

The model's probabilities come from weights estimated without labels (u by
sampling, m by EM). Review outcomes are labels: of the flags given
probability p, the confirmed share. A :class:`Recalibration` is a Platt
scaling on the log-odds fitted on them (``cpflag train --history``):

    p' = sigmoid(slope * logit(p) + intercept),   slope > 0

It is monotone (a higher raw probability stays higher), so the order of
flags is unchanged, and it changes ``match_probability`` only: a flag's band
comes from its match weight against the thresholds, never from the
probability, so no band moves (a flag never steps down). It is applied after
a guard's probability ceiling, to the probability the flag would otherwise
carry, since that is the probability the decisions were taken on.

It lives in the model JSON (``recalibration``, with its own format tag
``cpflag-recalibration/1``; a model that carries one is ``cpflag-model/2``),
with what it was fitted on, so the file says what it does and why.
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs
import polars as pl

from cpflag._errors import ModelError

__all__ = ["RECALIBRATION_FORMAT", "Recalibration"]

RECALIBRATION_FORMAT: Final = "cpflag-recalibration/1"
_EPS: Final = 1e-6
_CLIP: Final = 30.0


def _positive(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ModelError(f"recalibration {attribute.name} must be a positive number, got {value!r}")


def _finite(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise ModelError(f"recalibration {attribute.name} must be finite, got {value!r}")


@attrs.frozen
class Recalibration:
    """Platt scaling of ``match_probability``, fitted on review outcomes.

    Args:
        slope: ``a`` in ``sigmoid(a * logit(p) + b)``; positive (monotone).
        intercept: ``b``.
        labelled: Decided flags it was fitted on.
        confirmed: Of those, confirmed.
        ece_before: Expected calibration error of the probabilities without
            it, on those flags.
        ece_after: The error with it, out of fold (five folds).
        fitted_on: The date it was fitted (ISO), for the reader.
    """

    slope: float = attrs.field(validator=_positive)
    intercept: float = attrs.field(validator=_finite)
    labelled: int = 0
    confirmed: int = 0
    ece_before: float | None = None
    ece_after: float | None = None
    fitted_on: str | None = None

    def apply_one(self, p: float) -> float:
        """The recalibrated probability of one flag.

        Args:
            p: The probability without recalibration.

        Returns:
            ``sigmoid(slope * logit(p) + intercept)``.
        """
        q = min(max(p, _EPS), 1.0 - _EPS)
        z = self.slope * math.log(q / (1.0 - q)) + self.intercept
        z = min(max(z, -_CLIP), _CLIP)
        return 1.0 / (1.0 + math.exp(-z))

    def expr(self, p: pl.Expr) -> pl.Expr:
        """:meth:`apply_one` over a column of probabilities.

        Args:
            p: Probabilities without recalibration.

        Returns:
            The recalibrated probabilities.
        """
        q = p.clip(_EPS, 1.0 - _EPS)
        z = (pl.lit(self.slope) * (q / (1.0 - q)).log() + self.intercept).clip(-_CLIP, _CLIP)
        return 1.0 / (1.0 + (-z).exp())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the format tag."""
        return {"format": RECALIBRATION_FORMAT, **attrs.asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recalibration:
        """Build from :meth:`to_dict` output.

        Args:
            data: The ``recalibration`` object of a model file.

        Returns:
            The recalibration.

        Raises:
            ModelError: Not a recalibration this version reads.
        """
        if not isinstance(data, dict):
            raise ModelError("recalibration must be a JSON object")
        fmt = data.get("format")
        if fmt != RECALIBRATION_FORMAT:
            raise ModelError(f"unsupported recalibration format {fmt!r}")
        fields = {k: v for k, v in data.items() if k != "format"}
        try:
            return cls(
                slope=float(fields.pop("slope")),
                intercept=float(fields.pop("intercept")),
                **fields,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"invalid recalibration: {exc}") from exc
