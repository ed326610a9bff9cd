"""The linkage model spec: comparisons, levels, blocking rules and thresholds.

The model is data (design principle 3): frozen attrs classes that round-trip
through JSON, so a trust can review the file that decides what is a match.

Vocabulary follows probabilistic linkage (Fellegi--Sunter, as in Splink):

* a **comparison** puts a pair in one of its ordered **levels** (strongest
  agreement first, disagreement last; missing on either side: the implicit
  *null* level, no evidence);
* each level has **m** (how often true matches fall in it) and **u** (how often
  non-matches do); its **match weight** is ``log2(m / u)``;
* a pair's match weight is the prior weight plus the weights of its levels;
* **term-frequency adjustment** replaces ``u`` of an exact level by the agreed
  value's frequency ("Smith" counts for less than "Okafor");
* **blocking rules** decide which pairs are compared at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from cpflag._errors import ModelError
from cpflag.linkage._model_rules import BlockingRule, Guard, Thresholds, probability_validator
from cpflag.linkage._recalibration import Recalibration

__all__ = [
    "BlockingRule",
    "Comparison",
    "Guard",
    "Level",
    "LinkageModel",
    "Thresholds",
]

#: Bounds that keep estimated probabilities away from 0 and 1, so that no
#: single level can carry an infinite weight (a veto or a certainty).
#: Model file formats read: 1 (no recalibration), 2 (with ``recalibration``).
MODEL_FORMATS = ("cpflag-model/1", "cpflag-model/2")

PROB_FLOOR = 1e-9
PROB_CEIL = 1.0 - 1e-9


def _levels(items: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(items)


def _comparisons(items: Iterable[Comparison]) -> tuple[Comparison, ...]:
    return tuple(items)


def _rules(items: Iterable[BlockingRule]) -> tuple[BlockingRule, ...]:
    return tuple(items)


def _guards(items: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(items)


_prob = probability_validator


@attrs.frozen
class Level:
    """One ordered level of a comparison.

    Args:
        label: The level's name, fixed by the comparison kind (e.g. ``exact``).
        m: P(level | records are the same person).
        u: P(level | records are different people).
        tf_adjust: Replace ``u`` by the agreed value's frequency (exact levels).
        description: Words for the ``reasons`` column, e.g. ``dob day/month swapped``.
    """

    label: str
    m: float = attrs.field(validator=_prob)
    u: float = attrs.field(validator=_prob)
    tf_adjust: bool = False
    description: str = ""

    @property
    def weight(self) -> float:
        """Match weight of the level: ``log2(m / u)``."""
        return math.log2(self.m / self.u)


@attrs.frozen
class Comparison:
    """How one aspect of two records is compared.

    Args:
        name: Unique name, used in output column names (``gamma_<name>``).
        kind: The built-in comparison function (see ``cpflag.linkage.comparison_kinds``).
        levels: Ordered strongest first; labels must be exactly the kind's labels.
        column: For generic kinds (``exact``, ``string``): the column compared.
        tf_column: The prepared column whose value frequencies adjust ``u``.
        tf_minimum: Floor on a term frequency (rare values cannot gain unbounded weight).
        tf_prior_strength: Pseudo-records that shrink observed term frequencies
            towards the level's ``u`` (matters for short reference tables).
        u_column: A prepared right-side column holding, per record, the chance
            that its value agrees at random (e.g. a full name's estimated
            frequency); used as ``u`` of the ``tf_adjust`` levels instead of a
            looked-up term frequency.
    """

    name: str
    kind: str
    levels: tuple[Level, ...] = attrs.field(converter=_levels)
    column: str | None = None
    tf_column: str | None = None
    tf_minimum: float = 1e-5
    tf_prior_strength: float = 1000.0
    u_column: str | None = None

    @classmethod
    def from_table(
        cls,
        name: str,
        kind: str,
        rows: Iterable[tuple[str, float, float, str]],
        *,
        adjusted: Iterable[str] = (),
        column: str | None = None,
        tf_column: str | None = None,
        u_column: str | None = None,
        tf_minimum: float = 1e-5,
    ) -> Comparison:
        """A comparison from a table of ``(label, m, u, description)`` rows.

        Args:
            name: The comparison's name.
            kind: Its comparison kind.
            rows: One row per level, strongest first.
            adjusted: Labels of the levels whose ``u`` is term-frequency adjusted.
            column: For generic kinds, the compared column.
            tf_column: Column whose value frequencies adjust ``u``.
            u_column: Column holding each record's own chance-agreement ``u``.
            tf_minimum: Floor on an adjusted ``u``.
        """
        tf = set(adjusted)
        return cls(
            name=name,
            kind=kind,
            levels=tuple(
                Level(lb, m, u, tf_adjust=lb in tf, description=d) for lb, m, u, d in rows
            ),
            column=column,
            tf_column=tf_column,
            u_column=u_column,
            tf_minimum=tf_minimum,
        )

    def level(self, label: str) -> Level:
        """Return the level called ``label``.

        Raises:
            ModelError: No such level.
        """
        for lv in self.levels:
            if lv.label == label:
                return lv
        raise ModelError(f"comparison {self.name!r} has no level {label!r}")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(lv.label for lv in self.levels)


@attrs.frozen
class LinkageModel:
    """A complete, reviewable linkage model.

    Args:
        comparisons: The comparisons, each with its levels and parameters.
        blocking_rules: Rules whose union gives the candidate pairs.
        prior: Probability that two records drawn at random are the same person.
        thresholds: Band thresholds on the final match weight.
        guards: Traps that cap a pair at ``review``.
        name: Free text naming the model and its provenance.
        recalibration: A recalibration of ``match_probability`` fitted on
            review outcomes (``cpflag train --history``); None: the
            probabilities are the weights' own. It never changes a band.
    """

    comparisons: tuple[Comparison, ...] = attrs.field(converter=_comparisons)
    blocking_rules: tuple[BlockingRule, ...] = attrs.field(converter=_rules)
    prior: float = attrs.field(default=1e-5, validator=_prob)
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    guards: tuple[Guard, ...] = attrs.field(converter=_guards, default=())
    name: str = "cpflag model"
    recalibration: Recalibration | None = None

    def __attrs_post_init__(self) -> None:
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ModelError("comparison names must be unique")
        known = set(names)
        for g in self.guards:
            for cname, labels in g.when.items():
                if cname not in known:
                    raise ModelError(f"guard {g.name!r} names unknown comparison {cname!r}")
                comp = self.comparison(cname)
                bad = set(labels) - {*comp.labels, "null"}
                if bad:
                    raise ModelError(
                        f"guard {g.name!r}: comparison {cname!r} has no level(s) {sorted(bad)}"
                    )

    @property
    def prior_weight(self) -> float:
        """``log2`` of the prior odds that a random pair matches."""
        return math.log2(self.prior / (1.0 - self.prior))

    def comparison(self, name: str) -> Comparison:
        """Return the comparison called ``name``.

        Raises:
            ModelError: No such comparison.
        """
        for c in self.comparisons:
            if c.name == name:
                return c
        raise ModelError(f"the model has no comparison {name!r}")

    def evolve_levels(self, params: dict[str, dict[str, tuple[float, float]]]) -> LinkageModel:
        """Return a copy with new ``(m, u)`` for the named comparison levels."""
        comps = []
        for c in self.comparisons:
            new = params.get(c.name, {})
            levels = tuple(
                attrs.evolve(
                    lv,
                    m=_clip(new[lv.label][0]) if lv.label in new else lv.m,
                    u=_clip(new[lv.label][1]) if lv.label in new else lv.u,
                )
                for lv in c.levels
            )
            comps.append(attrs.evolve(c, levels=levels))
        return attrs.evolve(self, comparisons=tuple(comps))

    # -- JSON ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready) of the whole model.

        A model without a recalibration is written as ``cpflag-model/1``
        (as before it existed); one with it as ``cpflag-model/2``.
        """
        out = attrs.asdict(self, recurse=True, filter=lambda a, _v: a.name != "recalibration")
        if self.recalibration is None:
            return {"format": MODEL_FORMATS[0], **out}
        return {"format": MODEL_FORMATS[1], **out, "recalibration": self.recalibration.to_dict()}

    def to_json(self, path: str | Path | None = None, *, indent: int = 2) -> str:
        """Serialise to JSON; also write it to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkageModel:
        """Build a model from :meth:`to_dict` output.

        Raises:
            ModelError: The dict is not a valid cpflag model.
        """
        if not isinstance(data, dict):
            raise ModelError("a model spec must be a JSON object")
        try:
            fmt = data.get("format", MODEL_FORMATS[0])
            if fmt not in MODEL_FORMATS:
                raise ModelError(f"unsupported model format {fmt!r}")
            recal = data.get("recalibration")
            if recal is not None and fmt == MODEL_FORMATS[0]:
                raise ModelError(f"a recalibration needs format {MODEL_FORMATS[1]!r}")
            comps = tuple(
                Comparison(
                    name=c["name"],
                    kind=c["kind"],
                    levels=tuple(Level(**lv) for lv in c["levels"]),
                    column=c.get("column"),
                    tf_column=c.get("tf_column"),
                    tf_minimum=float(c.get("tf_minimum", 1e-5)),
                    tf_prior_strength=float(c.get("tf_prior_strength", 1000.0)),
                    u_column=c.get("u_column"),
                )
                for c in data["comparisons"]
            )
            rules = tuple(
                BlockingRule(
                    name=r["name"],
                    left_keys=tuple(r["left_keys"]),
                    right_keys=tuple(r.get("right_keys", ())),
                    why=r.get("why", ""),
                )
                for r in data["blocking_rules"]
            )
            guards = tuple(Guard(**g) for g in data.get("guards", ()))
            return cls(
                comparisons=comps,
                blocking_rules=rules,
                prior=float(data["prior"]),
                thresholds=Thresholds(**data.get("thresholds", {})),
                guards=guards,
                name=data.get("name", "cpflag model"),
                recalibration=None if recal is None else Recalibration.from_dict(recal),
            )
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"invalid model spec: {exc}") from exc

    @classmethod
    def from_json(cls, source: str | Path) -> LinkageModel:
        """Load a model from a JSON file path or a JSON string.

        Raises:
            ModelError: The file is missing or not a valid cpflag model.
        """
        text = str(source)
        if not text.lstrip().startswith("{"):
            try:
                text = Path(source).read_text(encoding="utf-8")
            except OSError as exc:
                raise ModelError(f"cannot read model file {source}: {exc.strerror}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"model is not valid JSON: {exc}") from exc
        return cls.from_dict(data)


def _clip(p: float) -> float:
    return min(max(p, PROB_FLOOR), PROB_CEIL) if not math.isnan(p) else PROB_FLOOR
