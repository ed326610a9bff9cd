"""The prepared plan lists: every frame and table an index matches against.

:class:`IndexParts` is frozen data built once per list version by
:meth:`IndexParts.build` (or loaded from the index cache); the batch path
(``_batch``), the triage path (``_triage``) and ``explain`` (``_pair``) read
it and never change it.
"""

from __future__ import annotations

import logging
from typing import Self

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

__all__ = ["IndexParts"]

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
        """Assemble the parts from their prepared frames (as built, or from an index cache).

        Args:
            plans: The plans with ``prow``; ``subjects``, ``families``,
                ``mothers``: the frames :meth:`build` prepares from them.
            config: The run configuration as given (the prior is scaled here).
        """
        listed = subjects.height + plans.filter(pl.col("plan_type") == "unborn_cpp").height
        if config.subject_share is not None and listed:
            # The chance that an attendance is one *given* listed person (a plan
            # subject or an unborn plan's mother) falls as the lists grow; the
            # model's comparisons and thresholds stay as they are.
            prior = min(0.5, config.subject_share / listed)
            config = attrs.evolve(config, model=attrs.evolve(config.model, prior=prior))
        linkers = {kind: Linker(model=model) for kind, model in config.relation_models.items()}
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
        )
