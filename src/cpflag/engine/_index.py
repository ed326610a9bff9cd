"""The plan index: built once from the plan lists, matched against many times.

``PlanIndex.match`` takes a batch of attendances (the nightly job);
``PlanIndex.match_one`` takes one record at triage time. Both run the same
rules on the same prepared frames and term frequencies, so they give the same
flags; only how candidates are found and which reading of the rules runs
differ (polars for a batch, plain Python for one record).

An index is immutable once built. What the triage path compiles from it (key
dictionaries, plain scorers) is built once, under a lock, on the first
``match_one`` or by :meth:`PlanIndex.warm`, and never changes after, so
``match_one`` may be called from many threads at once.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import polars as pl

from cpflag._errors import InputError
from cpflag.contract import FlagKind
from cpflag.engine._batch import DEFAULT_CHUNK_SIZE, prime_plan_side, run_batch
from cpflag.engine._known import KnownPairs
from cpflag.engine._lookup import KeyLookup, build_lookups
from cpflag.engine._pair import score_pair
from cpflag.engine._parts import IndexParts
from cpflag.engine._triage import TriageState, build_state, match_one
from cpflag.io._conform import conform_attendances
from cpflag.linkage import LinkageModel
from cpflag.linkage._plain_score import Unsupported
from cpflag.rules import RELATION_RULES

__all__ = ["MatchResult", "PlanIndex"]

log = logging.getLogger("cpflag")

T = TypeVar("T")


class _Once:
    """Values computed once on first use, under a lock (thread-safe, never recomputed)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._values: dict[str, Any] = {}

    def get(self, key: str, make: Callable[[], T]) -> T:
        try:
            return self._values[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with self._lock:
            if key not in self._values:
                self._values[key] = make()
            return self._values[key]  # type: ignore[no-any-return]


@attrs.frozen
class MatchResult:
    """Flags of a batch and the work behind them.

    Attributes:
        flags: The contract's ``flags`` table.
        candidate_pairs: Candidate pairs compared (for the run summary).
    """

    flags: pl.DataFrame
    candidate_pairs: int


@attrs.frozen
class PlanIndex(IndexParts):
    """Plan lists prepared for matching.

    Build with :meth:`build`; then :meth:`match` a batch or :meth:`match_one` a
    record. The attributes are those of the prepared lists (``plans``,
    ``subjects``, ``families``, ``mothers``, ``config``, ...).

    An index built with review outcomes (:meth:`with_outcomes`,
    ``cpflag.build_index(..., history=...)``) never raises a pair a person
    rejected and shows a confirmed pair as a known link (``KnownPairs``), in
    :meth:`match` and :meth:`match_one` alike.
    """

    known: KnownPairs = attrs.field(factory=KnownPairs, eq=False, repr=False, kw_only=True)
    _once: _Once = attrs.field(factory=_Once, init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # What the batch path derives from the plan side alone (blocking key
        # rows, score ceilings, value codes) is computed here, once per list
        # version, and kept with the frames: a night pays for its attendances.
        prime_plan_side(self)

    def with_outcomes(self, outcomes: pl.DataFrame) -> PlanIndex:
        """This index with review outcomes applied to what it raises.

        Args:
            outcomes: ``review_outcomes`` rows (``cpflag.loop.read_outcomes``;
                the latest per pair).

        Returns:
            A new index (the triage path compiled afresh on first use).
        """
        return attrs.evolve(self, known=KnownPairs.of(outcomes))

    @property
    def la_codes(self) -> list[str]:
        """The LAs whose lists are in the index, sorted."""
        return sorted(self.plans["la_code"].unique().to_list())

    def lookups(self) -> Mapping[str, KeyLookup]:
        """Key dictionaries of each plan side under its blocking rules (built once)."""

        def make() -> dict[str, KeyLookup]:
            rules = self.config.model.blocking_rules
            sides = {"subjects": (rules, self.subjects), "mothers": (rules, self.mothers)}
            for rule in RELATION_RULES:
                if rule.kind in self.relation_linkers:
                    linker = self.relation_linkers[rule.kind]
                    sides[rule.kind] = (linker.model.blocking_rules, self.plan_side(rule.kind))
            return build_lookups(sides)

        return self._once.get("lookups", make)

    def _triage(self) -> TriageState | None:
        def make() -> TriageState | None:
            try:
                return build_state(self, self.lookups())
            except Unsupported:
                log.info("the model has no plain form: match_one uses the polars path")
                return None

        return self._once.get("triage", make)

    def warm(self, *, freeze_gc: bool = True) -> PlanIndex:
        """Compile the triage path now (else the first :meth:`match_one` does).

        Args:
            freeze_gc: Then collect garbage once and move every object alive in
                the process into the garbage collector's permanent generation
                (``gc.collect()``, ``gc.freeze()``), so that the collector's
                occasional full passes walk only what was made after: well
                under a millisecond instead of tens of milliseconds for the
                ~55,000 objects an interpreter with polars holds (the pauses a
                triage service would see every few thousand calls). On by
                default. It is process-wide, and safe for the index: an index
                and its triage state hold no reference cycles, so one that is
                dropped is freed at once, frozen or not. What freezing can keep
                is cyclic garbage made later out of objects alive now (never
                more than what is alive now). Pass False to leave the
                collector as it is (``build_index(..., freeze_gc=False)``).

        Returns:
            The index itself, for chaining.
        """
        self._triage()
        if freeze_gc:
            gc.collect()
            gc.freeze()
        return self

    def run(
        self,
        attendances: pl.DataFrame,
        *,
        prepared: pl.DataFrame | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> MatchResult:
        """Flags for a batch of validated attendances, with the candidate pairs compared.

        Args:
            attendances: Validated attendances.
            prepared: :meth:`prepare` of the same batch, when already computed.
            chunk_size: Attendances matched at once: peak memory follows the
                chunk, not the batch; the flags are the same for any size.

        Raises:
            InputError: ``prepared`` does not have the batch's rows.
        """
        att = conform_attendances(attendances)
        if prepared is not None and prepared.height != att.height:
            raise InputError("the prepared frame does not have the batch's rows")
        flags, n_pairs = run_batch(self, att, prepared=prepared, chunk_size=chunk_size)
        log.info("%d candidate pairs for %d attendances", n_pairs, att.height)
        return MatchResult(flags=self.known.apply(flags), candidate_pairs=n_pairs)

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
        return self.run(attendances, prepared=prepared).flags

    def match_one(self, record: Mapping[str, Any]) -> pl.DataFrame:
        """Flags for one attendance record (a dict of contract columns), at triage time.

        Gives the same rows and scores as :meth:`match` would for that record.
        Records take a plain-Python path (``cpflag.engine._triage``) that costs
        a millisecond or two; dates and times may be ``datetime`` values or ISO
        strings, blanks ``None`` or empty strings. A model with a comparison
        kind that has no plain form takes the polars path, slower but the same
        answer. Safe to call from several threads at once.

        Args:
            record: ``{column: value}`` of the attendances contract.

        Returns:
            The record's rows of the ``flags`` table.

        Raises:
            InputError: The record cannot be read as an attendance.
            ConfigError: The model names a column the record does not have.
        """
        state = self._triage()
        flags = None if state is None else match_one(state, record)
        if flags is None:
            att = conform_attendances(pl.DataFrame([dict(record)]))
            flags = run_batch(self, att, lookups=self.lookups())[0]
        return self.known.apply(flags) if len(self.known) else flags

    def score_pair(
        self, attendance: pl.DataFrame, plan_id: str, flag: str = FlagKind.PLAN_SUBJECT
    ) -> tuple[dict[str, Any], LinkageModel]:
        """Score one attendance against one plan for one flag kind (for ``explain``).

        See :func:`cpflag.engine._pair.score_pair`.

        Raises:
            InputError: Unknown plan, or a flag kind that does not apply to it.
        """
        return score_pair(self, self.lookups(), attendance, plan_id, flag)

    def prepare(self, attendances: pl.DataFrame) -> pl.DataFrame:
        """The batch normalised for matching (the person linker's prepared frame).

        Pass it to :meth:`match` and to repeat-attendance resolution so that a
        nightly run normalises each attendance once.
        """
        return self.linker.prepare(conform_attendances(attendances))
