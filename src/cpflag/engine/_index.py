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
from cpflag._errors import InputError
from cpflag.contract import FLAGS
from cpflag.decide._decide import FLAG_ORDER, plan_flags
from cpflag.engine._triage import TriageState
from cpflag.engine._triage import build_state as build_triage_state
from cpflag.engine._triage import match_one as triage_one
from cpflag.io._conform import conform_attendances
from cpflag.linkage import BlockingRule, LinkageModel, Linker, block, term_frequencies
from cpflag.linkage._plain_score import Unsupported
from cpflag.rules._attendee import attendee_frame, carer_eligible_expr, with_family_keys
from cpflag.rules._caps import (
    cap_unconfirmed_family,
    cap_unknown_age,
    caps_for_one_pair,
    not_the_subject,
    only_named_if_age_unknown,
    unconfirmed_family_expr,
)
from cpflag.rules._frames import (
    adult_surnames,
    carer_frame,
    family_frame,
    la_districts,
    mother_frame,
    plan_names,
    sibling_frame,
)
from cpflag.rules._propagate import best_per_plan, propagate_to_family, relation_flags

__all__ = ["SUBJECT_PLAN_TYPES", "PlanIndex"]

log = logging.getLogger("cpflag")

#: Plan types whose subject is a person with their own identifiers.
SUBJECT_PLAN_TYPES: Final = ("cpp", "lac", "cin", "marac")


def _empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAGS.schema)


@attrs.define
class _KeyLookup:
    """Dictionaries from each blocking rule's key tuple to right-frame rows."""

    rules: tuple[BlockingRule, ...]
    maps: list[dict[tuple[Any, ...], list[int]]]

    @classmethod
    def build(cls, rules: Sequence[BlockingRule], right: pl.DataFrame) -> _KeyLookup:
        maps = []
        for rule in rules:
            keys = list(rule.keys_right)
            frame = right.select("rec", *keys)
            for k in keys:
                if isinstance(frame.schema[k], pl.List):
                    frame = frame.explode(k)
            grouped = frame.drop_nulls().group_by(keys).agg(pl.col("rec").unique())
            key_rows = grouped.select(keys).rows()
            maps.append(dict(zip(key_rows, grouped["rec"].to_list(), strict=True)))
        return cls(rules=tuple(rules), maps=maps)

    def candidates_one(self, row: Mapping[str, Any]) -> dict[int, int]:
        """Candidates of one prepared record: ``{r: first rule that found it}``, sorted by r.

        Args:
            row: The record's prepared values (a list value: any element may agree).
        """
        found: dict[int, int] = {}
        for i, (rule, mapping) in enumerate(zip(self.rules, self.maps, strict=True)):
            combos: list[tuple[Any, ...]] = [()]
            for k in rule.left_keys:
                v = row[k]
                vals = v if isinstance(v, list) else [v]
                combos = [(*c, x) for c in combos for x in vals if x is not None]
            for key in combos:
                for r in mapping.get(key, ()):
                    found.setdefault(r, i)
        return dict(sorted(found.items()))

    def candidates(self, left: pl.DataFrame) -> pl.DataFrame:
        """Candidate pairs ``(l, r, rule)`` for a small prepared left frame."""
        found: dict[tuple[int, int], int] = {}
        for row in left.iter_rows(named=True):
            for r, i in self.candidates_one(row).items():
                found[(row["rec"], r)] = i
        keys = sorted(found)
        return pl.DataFrame(
            {
                "l": [k[0] for k in keys],
                "r": [k[1] for k in keys],
                "rule": [found[k] for k in keys],
            },
            schema={"l": pl.UInt32, "r": pl.UInt32, "rule": pl.UInt8},
        )


@attrs.define
class PlanIndex:
    """Plan lists prepared for matching.

    Build with :meth:`build`; then :meth:`match` a batch or :meth:`match_one` a record.

    Attributes:
        plans: The validated plans table (contract columns, with ``list_date``
            and ``prow``, the row number).
        subjects: Prepared plan subjects (plan types with a subject), with ``prow``.
        families: The families of children on cpp/lac/cin plans (``_family``).
        mothers: The mothers named on unborn plans, prepared as people.
        config: The run configuration (including the person model).
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
    #: Term frequencies for relation models' adjusted levels (from the plan subjects).
    relation_tf: dict[str, dict[str, pl.DataFrame]] = attrs.field(factory=dict)
    _lookups: dict[str, _KeyLookup] = attrs.field(factory=dict)
    #: The scalar triage path's compiled state (``_triage``), built on first ``match_one``;
    #: False when the model has a comparison the scalar path cannot reproduce.
    _triage: TriageState | bool | None = attrs.field(default=None, init=False, eq=False, repr=False)
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
    ) -> PlanIndex:
        """Assemble an index from its prepared frames (as built, or from an index cache).

        Args:
            plans: The plans with ``prow``; ``subjects``, ``families``,
                ``mothers``: the frames :meth:`build` prepares from them.
            config: The run configuration as given (the prior is scaled here).
        """
        with_subject = subjects.height
        listed = with_subject + plans.filter(pl.col("plan_type") == "unborn_cpp").height
        if config.subject_share is not None and listed:
            # The chance that an attendance is one *given* listed person (a plan
            # subject or an unborn plan's mother) falls as the lists grow; the
            # model's comparisons and thresholds stay as they are.
            prior = min(0.5, config.subject_share / listed)
            config = attrs.evolve(config, model=attrs.evolve(config.model, prior=prior))
        relation_linkers = {
            kind: Linker(model=model) for kind, model in config.relation_models.items()
        }
        adults = adult_surnames(plans)
        right = {
            "sibling_of_plan_subject": sibling_frame(families),
            "carer_of_plan_subject": carer_frame(families),
            "newborn_of_unborn_plan": mothers,
        }
        return cls(
            plans=plans,
            subjects=subjects,
            families=families,
            sibling_families=right["sibling_of_plan_subject"],
            carer_families=right["carer_of_plan_subject"],
            mothers=mothers,
            config=config,
            linker=Linker(model=config.model),
            tf=term_frequencies(subjects, config.model),
            mother_tf=term_frequencies(mothers, config.model),
            relation_linkers=relation_linkers,
            # A surname on a relation's plan side is a parent's (the mother's,
            # on an unborn plan): its frequency is taken among the parents and
            # carers on the lists, where "Begum" is common, not among the
            # children, where it is rare.
            relation_tf={
                kind: term_frequencies(right[kind], rl.model, column_references={"family": adults})
                for kind, rl in relation_linkers.items()
            },
        )

    @property
    def la_codes(self) -> list[str]:
        """The LAs whose lists are in the index, sorted."""
        return sorted(self.plans["la_code"].unique().to_list())

    def _candidates(
        self,
        name: str,
        left: pl.DataFrame,
        right: pl.DataFrame,
        rules: Sequence[BlockingRule],
        one: bool,
    ) -> pl.DataFrame:
        if not one:
            return block(left, right, rules).pairs
        return self._key_lookup(name, rules, right).candidates(left)

    def _key_lookup(
        self, name: str, rules: Sequence[BlockingRule], right: pl.DataFrame
    ) -> _KeyLookup:
        """The key dictionaries of ``right`` under ``rules``, built on first use."""
        if name not in self._lookups:
            self._lookups[name] = _KeyLookup.build(rules, right)
        return self._lookups[name]

    def _run(
        self, att: pl.DataFrame, *, one: bool, prepared: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        cfg = self.config
        prepared = self.linker.prepare(att) if prepared is None else prepared
        rules = cfg.model.blocking_rules
        pairs = self._candidates("subjects", prepared, self.subjects, rules, one)
        self.last_candidate_pairs = pairs.height
        # Term frequencies come from the index, never from the batch, so a record
        # scores the same alone (match_one) as in any batch.
        subj = self.linker.score(prepared, self.subjects, pairs, tf=self.tf)
        subj = subj.filter(pl.col("band").is_not_null())
        parts = [plan_flags(subj, att, self.plans, self.subjects, cfg)]
        if "plan_subject" not in cfg.flags:
            parts = []
        relations = [k for k in cfg.flags if k not in ("plan_subject", "repeat_attendance")]
        if not relations:
            return order_flags(pl.concat(parts or [_empty_flags()]), att["attendance_id"].to_list())

        left = with_family_keys(attendee_frame(att, prepared, cfg), subj, self.plans, self.subjects)
        mpairs = self._candidates("mothers", prepared, self.mothers, rules, one)
        self.last_candidate_pairs += mpairs.height
        if mpairs.height and "unborn_plan_mother" in cfg.flags:
            mscored = self.linker.score(prepared, self.mothers, mpairs, tf=self.mother_tf)
            parts.append(
                self._relation("unborn_plan_mother", mscored, left, att, self.mothers, self.linker)
            )
        for kind, right, eligible in (
            ("newborn_of_unborn_plan", self.mothers, pl.col("is_newborn")),
            ("sibling_of_plan_subject", self.sibling_families, ~pl.col("is_adult")),
            # An attendee of unknown age may be an adult: compared as a carer,
            # kept only as the named adult (only_named_if_age_unknown).
            ("carer_of_plan_subject", self.carer_families, carer_eligible_expr()),
        ):
            rl = self.relation_linkers[kind]
            sub = left.filter(eligible.fill_null(False))
            if sub.height == 0 or kind not in cfg.flags:
                continue
            rpairs = self._candidates(kind, sub, right, rl.model.blocking_rules, one)
            self.last_candidate_pairs += rpairs.height
            if rpairs.height == 0:
                continue
            tf = self.relation_tf.get(kind, {})
            scored = rl.score(left, right, rpairs, tf=tf).filter(pl.col("band").is_not_null())
            if kind == "newborn_of_unborn_plan":
                scored = cap_unknown_age(scored, left)
            elif kind == "carer_of_plan_subject":
                # A foster carer is the carer of the child placed with them only.
                scored = only_named_if_age_unknown(scored, left, rl.model)
                scored = best_per_plan(
                    propagate_to_family(scored, right, per_child_types=("lac",)), right
                )
            else:
                scored = not_the_subject(
                    propagate_to_family(
                        cap_unconfirmed_family(scored, rl.model),
                        right,
                        no_copies=unconfirmed_family_expr(rl.model),
                    ),
                    subj,
                    self.subjects,
                    right,
                )
            parts.append(self._relation(kind, scored, left, att, right, rl))
        flags = pl.concat([p for p in parts if p.height] or [_empty_flags()])
        return order_flags(flags, att["attendance_id"].to_list())

    def _relation(
        self,
        kind: str,
        scored: pl.DataFrame,
        left: pl.DataFrame,
        att: pl.DataFrame,
        right: pl.DataFrame,
        linker: Linker,
    ) -> pl.DataFrame:
        scored = scored.filter(pl.col("band").is_not_null())
        return relation_flags(kind, scored, left, att, right, self.plans, linker, self.config)

    def score_pair(
        self, attendance: pl.DataFrame, plan_id: str, flag: str = "plan_subject"
    ) -> tuple[dict[str, Any], LinkageModel]:
        """Score one attendance against one plan for one flag kind (for ``explain``).

        Runs the same preparation and scoring as :meth:`match`, so the numbers
        are the flags' own. A relation that reached the plan only through its LA
        family (``same LA family as plan ...``) is scored here on its direct
        evidence.

        Returns:
            The scored pair (levels ``gamma_*``, weights ``w_*``, ``match_weight``,
            ``band``, ``guard``, compared values ``l_*``/``r_*``) and the model.

        Raises:
            InputError: Unknown plan, or a flag kind that does not apply to it.
        """
        att = conform_attendances(attendance)
        rows = self.plans.filter(pl.col("plan_id") == plan_id)
        if rows.height == 0:
            raise InputError(f"plan {plan_id} is not in the index")
        prepared = self.linker.prepare(att)
        left, linker = prepared, self.linker
        if flag == "plan_subject":
            right, tf = self.subjects, self.tf
        elif flag == "unborn_plan_mother":
            right, tf = self.mothers, self.mother_tf
        elif flag in self.relation_linkers:
            rules = self.config.model.blocking_rules
            pairs = self._candidates("subjects", prepared, self.subjects, rules, True)
            subj = self.linker.score(prepared, self.subjects, pairs, tf=self.tf)
            subj = subj.filter(pl.col("band").is_not_null())
            left = with_family_keys(
                attendee_frame(att, prepared, self.config), subj, self.plans, self.subjects
            )
            right = {
                "sibling_of_plan_subject": self.sibling_families,
                "carer_of_plan_subject": self.carer_families,
                "newborn_of_unborn_plan": self.mothers,
            }[flag]
            linker, tf = self.relation_linkers[flag], self.relation_tf.get(flag, {})
        else:
            raise InputError(f"cannot explain flag kind {flag!r}")
        target = right.filter(pl.col("prow") == rows["prow"][0])
        if target.height == 0:
            raise InputError(
                f"plan {plan_id} (type {rows['plan_type'][0]}) has no {flag} comparison"
            )
        # A plan compared as several rows (a looked-after child's placement and
        # birth family) is explained by its strongest, the one its flag came from.
        pair = pl.DataFrame(
            {"l": [0] * target.height, "r": target["rec"]},
            schema={"l": pl.UInt32, "r": pl.UInt32},
        )
        scored = linker.score(left, right, pair, tf=tf)
        if flag in self.relation_linkers:
            scored = caps_for_one_pair(flag, scored, left, linker.model)
        best = scored.sort(["match_weight", "r"], descending=[True, False], maintain_order=True)
        return best.row(0, named=True), linker.model

    def prepare(self, attendances: pl.DataFrame) -> pl.DataFrame:
        """The batch normalised for matching (the person linker's prepared frame).

        Pass it to :meth:`match` and to repeat-attendance resolution so that a
        nightly run normalises each attendance once.
        """
        return self.linker.prepare(conform_attendances(attendances))

    def match(
        self, attendances: pl.DataFrame, *, prepared: pl.DataFrame | None = None
    ) -> pl.DataFrame:
        """Flags for a batch of validated attendances (the contract's ``flags`` table).

        Rows come in the batch's attendance order, then flag kind, then
        descending score.

        Args:
            attendances: Validated attendances.
            prepared: :meth:`prepare` of the same batch, when already computed.
        """
        att = conform_attendances(attendances)
        if prepared is not None and prepared.height != att.height:
            raise InputError("the prepared frame does not have the batch's rows")
        flags = self._run(att, one=False, prepared=prepared)
        log.info("%d candidate pairs for %d attendances", self.last_candidate_pairs, att.height)
        return flags

    def match_one(self, record: Mapping[str, Any]) -> pl.DataFrame:
        """Flags for one attendance record (a dict of contract columns), at triage time.

        Gives the same rows and scores as :meth:`match` would for that record.
        Records take a plain-Python path (``cpflag.engine._triage``, relationship flags
        included) that costs a millisecond or two; a record with values that
        need type conversion, or a model with a comparison kind that has no
        plain form, takes the polars path, which is slower but the same answer.

        Args:
            record: ``{column: value}`` of the attendances contract.

        Returns:
            The record's rows of the ``flags`` table.

        Raises:
            InputError: The record cannot be read as an attendance.
            ConfigError: The model names a column the record does not have.
        """
        if self._triage is None:
            try:
                self._triage = build_triage_state(self)
            except Unsupported:
                log.info("the model has no plain form: match_one uses the polars path")
                self._triage = False
        if not isinstance(self._triage, bool):
            flags = triage_one(self, record, self._triage)
            if flags is not None:
                return flags
        return self._run(conform_attendances(pl.DataFrame([dict(record)])), one=True)


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
