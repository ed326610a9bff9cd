"""The plan index: built once from the plan lists, matched against many times.

``PlanIndex.match`` takes a batch of attendances (the nightly job);
``PlanIndex.match_one`` takes one record at triage time. Both run the same
preparation, scoring and decision code on the same prepared plan frame and term
frequencies, so they give the same scores by construction; only how candidates
are found differs (a polars join for a batch, dictionary look-ups for one).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import polars as pl

from cpflag._config import FlagConfig
from cpflag._decide import FLAG_ORDER, plan_flags
from cpflag._schema import ATTENDANCES, FLAGS
from cpflag.linkage import Linker, block, term_frequencies

__all__ = ["SUBJECT_PLAN_TYPES", "PlanIndex"]

log = logging.getLogger("cpflag")

#: Plan types whose subject is a person with their own identifiers.
SUBJECT_PLAN_TYPES: Final = ("cpp", "lac", "cin", "marac")


def _empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAGS.schema)


@attrs.define
class _KeyLookup:
    """Dictionaries from each blocking rule's key tuple to plan-subject rows."""

    maps: list[dict[tuple[Any, ...], list[int]]]

    @classmethod
    def build(cls, linker: Linker, subjects: pl.DataFrame) -> _KeyLookup:
        maps = []
        for rule in linker.model.blocking_rules:
            keys = list(rule.keys_right)
            frame = subjects.select("rec", *keys)
            for k in keys:
                if isinstance(frame.schema[k], pl.List):
                    frame = frame.explode(k)
            grouped = frame.drop_nulls().group_by(keys).agg(pl.col("rec").unique())
            key_rows = grouped.select(keys).rows()
            maps.append(dict(zip(key_rows, grouped["rec"].to_list(), strict=True)))
        return cls(maps=maps)

    def candidates(self, linker: Linker, record: pl.DataFrame) -> pl.DataFrame:
        """Candidate pairs ``(l=0, r, rule)`` for a one-row prepared frame."""
        row = record.row(0, named=True)
        found: dict[int, int] = {}
        for i, (rule, mapping) in enumerate(zip(linker.model.blocking_rules, self.maps, strict=True)):
            combos: list[tuple[Any, ...]] = [()]
            for k in rule.left_keys:
                v = row[k]
                vals = v if isinstance(v, list) else [v]
                combos = [(*c, x) for c in combos for x in vals if x is not None]
            for key in combos:
                for r in mapping.get(key, ()):
                    found.setdefault(r, i)
        return pl.DataFrame(
            {
                "l": [0] * len(found),
                "r": sorted(found),
                "rule": [found[r] for r in sorted(found)],
            },
            schema={"l": pl.UInt32, "r": pl.UInt32, "rule": pl.UInt8},
        )


@attrs.define
class PlanIndex:
    """Plan lists prepared for matching.

    Build with :meth:`build`; then :meth:`match` a batch or :meth:`match_one` a record.

    Attributes:
        plans: The validated plans table (contract columns, with ``list_date``).
        subjects: Prepared frame of the plan subjects (plan types with a subject),
            with ``prow``: the row of ``plans`` each subject comes from.
        config: The run configuration (including the model).
    """

    plans: pl.DataFrame
    subjects: pl.DataFrame
    config: FlagConfig
    linker: Linker
    tf: dict[str, pl.DataFrame]
    _lookup: _KeyLookup | None = None
    #: Candidate pairs compared by the last :meth:`match` (for the run summary).
    last_candidate_pairs: int = 0

    @classmethod
    def build(cls, plans: pl.DataFrame, *, config: FlagConfig | None = None) -> PlanIndex:
        """Prepare the plans for matching.

        Args:
            plans: A validated plans table (see ``cpflag.io.read_plans``).
            config: Run configuration; defaults apply when omitted.
        """
        config = config or FlagConfig()
        linker = Linker(model=config.model)
        plans = plans.with_row_index("prow")
        with_subject = plans.filter(pl.col("plan_type").is_in(SUBJECT_PLAN_TYPES))
        subjects = linker.prepare(with_subject).with_columns(with_subject["prow"])
        tf = term_frequencies(subjects, config.model)
        log.info("plan index built: %d plan rows, %d subjects", plans.height, subjects.height)
        return cls(plans=plans, subjects=subjects, config=config, linker=linker, tf=tf)

    @property
    def la_codes(self) -> list[str]:
        """The LAs whose lists are in the index, sorted."""
        return sorted(self.plans["la_code"].unique().to_list())

    def _flags(self, attendances: pl.DataFrame, prepared: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
        # Term frequencies come from the index, never from the batch, so a record
        # scores the same alone (match_one) as in any batch.
        scored = self.linker.score(prepared, self.subjects, pairs, tf=self.tf)
        scored = scored.filter(pl.col("band").is_not_null())
        flags = plan_flags(scored, attendances, self.plans, self.subjects, self.config)
        return flags if flags.height else _empty_flags()

    def match(self, attendances: pl.DataFrame) -> pl.DataFrame:
        """Flags for a batch of validated attendances (the contract's ``flags`` table).

        Rows come in the batch's attendance order, then flag kind, then
        descending score.
        """
        att = _as_attendances(attendances)
        prepared = self.linker.prepare(att)
        cand = block(prepared, self.subjects, self.config.model.blocking_rules)
        log.info("%d candidate pairs for %d attendances", cand.pairs.height, att.height)
        self.last_candidate_pairs = cand.pairs.height
        return self._flags(att, prepared, cand.pairs)

    def match_one(self, record: Mapping[str, Any]) -> pl.DataFrame:
        """Flags for one attendance record (a dict of contract columns), at triage time.

        Gives the same rows and scores as :meth:`match` would for that record.
        """
        att = _as_attendances(pl.DataFrame([dict(record)]))
        prepared = self.linker.prepare(att)
        if self._lookup is None:
            self._lookup = _KeyLookup.build(self.linker, self.subjects)
        pairs = self._lookup.candidates(self.linker, prepared)
        return self._flags(att, prepared, pairs)


def _as_attendances(df: pl.DataFrame) -> pl.DataFrame:
    """Add absent contract columns as nulls and cast present ones to contract types."""
    cols = []
    for c in ATTENDANCES.columns:
        if c.name in df.columns:
            cols.append(pl.col(c.name).cast(c.dtype) if df.schema[c.name] != c.dtype else pl.col(c.name))
        else:
            cols.append(pl.lit(None, c.dtype).alias(c.name))
    extra = [c for c in df.columns if c not in ATTENDANCES.names]
    return df.select(*cols, *extra)


def order_flags(flags: pl.DataFrame, attendance_ids: Sequence[str]) -> pl.DataFrame:
    """Sort flags by batch order, flag kind, descending score, plan id."""
    order = pl.DataFrame({"attendance_id": list(attendance_ids)}).with_row_index("_ord")
    kinds = pl.DataFrame({"flag": list(FLAG_ORDER)}).with_row_index("_kind")
    return (
        flags.join(order, on="attendance_id", how="left")
        .join(kinds, on="flag", how="left")
        .sort(["_ord", "_kind", "score", "plan_id"], descending=[False, False, True, False])
        .drop("_ord", "_kind")
    )
