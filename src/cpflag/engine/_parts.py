"""The prepared plan lists: every frame and table an index matches against.

:class:`IndexParts` is frozen data built once per list version by
:meth:`IndexParts.build` (or loaded from the index cache); the batch path
(``_batch``), the triage path (``_triage``) and ``explain`` (``_pair``) read
it and never change it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final, Self

import attrs
import polars as pl

from cpflag._config import FlagConfig
from cpflag.contract import FlagKind
from cpflag.linkage import Linker, term_frequencies
from cpflag.rules._frames import (
    adult_surnames,
    carer_frame,
    family_frame,
    la_districts,
    mother_frame,
    plan_names,
    sibling_frame,
)
from cpflag.rules.plan_subject import SUBJECT_PLAN_TYPES
from cpflag.rules.unborn_mother import BirthTiming

__all__ = ["STORED_FRAMES", "IndexParts"]

log = logging.getLogger("cpflag")


@attrs.frozen
class IndexParts:
    """Plan lists prepared for matching.

    Attributes:
        plans: The validated plans table (contract columns, with ``list_date``
            and ``prow``, the row number).
        subjects: Prepared plan subjects (plan types with a subject), with ``prow``.
        families: The families of children on cpp/lac/cin plans.
        sibling_families: The families as siblings' plan side.
        carer_families: The families as carers' plan side (placements blanked).
        mothers: The mothers named on unborn plans, prepared as people.
        config: The run configuration (the person model's prior scaled to the lists).
        linker: The person linker.
        tf: Term frequencies of the plan subjects.
        mother_tf: Term frequencies of the unborn plans' mothers.
        relation_linkers: The relationship linkers by flag kind.
        relation_tf: Term frequencies for the relation models' adjusted levels.
        birth_timing: When the lists' pre-birth plans are due after their start
            (the unborn mother's window where a plan has no EDD).
    """

    plans: pl.DataFrame
    subjects: pl.DataFrame
    families: pl.DataFrame
    sibling_families: pl.DataFrame
    carer_families: pl.DataFrame
    mothers: pl.DataFrame
    config: FlagConfig
    linker: Linker
    tf: dict[str, pl.DataFrame]
    mother_tf: dict[str, pl.DataFrame]
    relation_linkers: dict[str, Linker]
    relation_tf: dict[str, dict[str, pl.DataFrame]]
    birth_timing: BirthTiming

    def plan_side(self, kind: str) -> pl.DataFrame:
        """The plan-side frame a flag kind is matched against.

        Raises:
            KeyError: A kind matched against no plan-side frame (repeat attendance).
        """
        return {
            FlagKind.PLAN_SUBJECT: self.subjects,
            FlagKind.UNBORN_MOTHER: self.mothers,
            FlagKind.NEWBORN: self.mothers,
            FlagKind.SIBLING: self.sibling_families,
            FlagKind.CARER: self.carer_families,
        }[FlagKind(kind)]

    @classmethod
    def build(cls, plans: pl.DataFrame, *, config: FlagConfig | None = None) -> Self:
        """Prepare the plans for matching.

        Args:
            plans: A validated plans table (see ``cpflag.io.read_plans``).
            config: Run configuration; defaults apply when omitted.
        """
        config = config or FlagConfig()
        plans = plans.drop("prow", strict=False).with_row_index("prow")
        with_subject = plans.filter(pl.col("plan_type").is_in(SUBJECT_PLAN_TYPES))
        # Preparation reads the model's columns only (never its prior).
        linker = Linker(model=config.model)
        subjects = linker.prepare(with_subject).with_columns(with_subject["prow"])
        names = plan_names(plans)
        areas = la_districts(plans, subjects)
        mothers = mother_frame(plans, linker, names, areas)
        families = family_frame(plans, subjects, names, areas)
        log.info("plan index built: %d plan rows, %d subjects", plans.height, subjects.height)
        return cls.from_frames(
            plans=plans, subjects=subjects, families=families, mothers=mothers, config=config
        )

    @classmethod
    def from_frames(
        cls,
        *,
        plans: pl.DataFrame,
        subjects: pl.DataFrame,
        families: pl.DataFrame,
        mothers: pl.DataFrame,
        config: FlagConfig,
    ) -> Self:
        """Assemble the parts from their prepared frames (as built).

        Args:
            plans: The plans with ``prow``; ``subjects``, ``families``,
                ``mothers``: the frames :meth:`build` prepares from them.
            config: The run configuration as given (the prior is scaled here).
        """
        config = _scaled(config, plans, subjects)
        linkers = _relation_linkers(config)
        adults = adult_surnames(plans)
        right = {
            FlagKind.SIBLING.value: sibling_frame(families),
            FlagKind.CARER.value: carer_frame(families),
            FlagKind.NEWBORN.value: mothers,
        }
        return cls(
            plans=plans,
            subjects=subjects,
            families=families,
            sibling_families=right[FlagKind.SIBLING],
            carer_families=right[FlagKind.CARER],
            mothers=mothers,
            config=config,
            linker=Linker(model=config.model),
            tf=term_frequencies(subjects, config.model),
            mother_tf=term_frequencies(mothers, config.model),
            relation_linkers=linkers,
            # A surname on a relation's plan side is a parent's (the mother's,
            # on an unborn plan): its frequency is taken among the parents and
            # carers on the lists, where "Begum" is common, not among the
            # children, where it is rare.
            relation_tf={
                kind: term_frequencies(right[kind], rl.model, column_references={"family": adults})
                for kind, rl in linkers.items()
            },
            birth_timing=BirthTiming.from_plans(plans),
        )

    def stored(self) -> dict[str, pl.DataFrame]:
        """Every prepared frame and term-frequency table, by a name :meth:`from_stored` reads.

        Names: the frames' own (``plans``, ``subjects``, ...), ``tf/<column>``,
        ``mother_tf/<column>`` and ``relation_tf/<kind>/<column>``.
        """
        out = {
            "plans": self.plans,
            "subjects": self.subjects,
            "families": self.families,
            "sibling_families": self.sibling_families,
            "carer_families": self.carer_families,
            "mothers": self.mothers,
        }
        out.update({f"tf/{c}": t for c, t in self.tf.items()})
        out.update({f"mother_tf/{c}": t for c, t in self.mother_tf.items()})
        for kind, tables in self.relation_tf.items():
            out.update({f"relation_tf/{kind}/{c}": t for c, t in tables.items()})
        return out

    @classmethod
    def from_stored(cls, stored: Mapping[str, pl.DataFrame], *, config: FlagConfig) -> Self:
        """The parts from :meth:`stored`'s tables (an index cache): nothing is recomputed.

        Args:
            stored: From :meth:`stored`, read back.
            config: The run configuration the tables were prepared under (the
                prior is scaled here, as :meth:`from_frames` scales it).

        Raises:
            KeyError: A frame is missing.
        """
        frames = {name: stored[name] for name in STORED_FRAMES}
        config = _scaled(config, frames["plans"], frames["subjects"])
        tf: dict[str, dict[str, pl.DataFrame]] = {"tf": {}, "mother_tf": {}}
        relation_tf: dict[str, dict[str, pl.DataFrame]] = {}
        for name, table in stored.items():
            group, _, rest = name.partition("/")
            if group == "relation_tf":
                kind, _, column = rest.partition("/")
                relation_tf.setdefault(kind, {})[column] = table
            elif group in tf and rest:
                tf[group][rest] = table
        linkers = _relation_linkers(config)
        return cls(
            **frames,
            config=config,
            linker=Linker(model=config.model),
            tf=tf["tf"],
            mother_tf=tf["mother_tf"],
            relation_linkers=linkers,
            relation_tf={kind: relation_tf.get(kind, {}) for kind in linkers},
            birth_timing=BirthTiming.from_plans(frames["plans"]),
        )


#: The prepared frames of :class:`IndexParts`, as :meth:`IndexParts.stored` names them.
STORED_FRAMES: Final = (
    "plans",
    "subjects",
    "families",
    "sibling_families",
    "carer_families",
    "mothers",
)


def _scaled(config: FlagConfig, plans: pl.DataFrame, subjects: pl.DataFrame) -> FlagConfig:
    listed = subjects.height + plans.filter(pl.col("plan_type") == "unborn_cpp").height
    if config.subject_share is not None and listed:
        # The chance that an attendance is one *given* listed person (a plan
        # subject or an unborn plan's mother) falls as the lists grow; the
        # model's comparisons and thresholds stay as they are.
        prior = min(0.5, config.subject_share / listed)
        config = attrs.evolve(config, model=attrs.evolve(config.model, prior=prior))
    return config


def _relation_linkers(config: FlagConfig) -> dict[str, Linker]:
    return {kind: Linker(model=model) for kind, model in config.relation_models.items()}
