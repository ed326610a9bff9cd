"""The scalar triage path of ``PlanIndex.match_one``: one record in milliseconds.

The batch pipeline pays a fixed overhead per polars query (dozens of them), which
dominates on one record. Here the record is prepared in plain Python
(``prepare_one``), candidates come from the index's key dictionaries, each
candidate is compared and scored in plain Python (``PlainScorer``, the same
numbers as the vectorised scoring) against the index's prepared rows, and the
plan decisions (current on arrival, list age, staleness) are applied to the few
banded pairs. Relationship flags (newborn, sibling, carer) follow the same way
(``_triage_attendee``, ``_triage_relations``). The result is the rows
``PlanIndex.match`` gives for the record.

Anything outside what the plain code reproduces exactly (a comparison kind
without a plain form, values that need polars' casting) makes :func:`match_one`
return None and the caller runs the polars path. The scalar path never gives a
different answer; at worst it gives way.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import polars as pl

from cpflag._config import FlagConfig
from cpflag.contract import ATTENDANCES, FLAGS, Band, FlagKind
from cpflag.decide import most_specific
from cpflag.decide._decide import DECISION_PLAN_COLUMNS, FLAG_ORDER
from cpflag.decide._decide_plain import Decided, Rows, flag_rows
from cpflag.engine._lookup import KeyLookup
from cpflag.engine._parts import IndexParts
from cpflag.engine._rows import ColumnRows
from cpflag.engine._triage_relations import RelationKind, build_relations, relation_rows
from cpflag.io._dates import NotPlainISO, parse_iso_one
from cpflag.linkage import LinkageModel
from cpflag.linkage._comparisons import required_columns
from cpflag.linkage._plain_prepare import plain_values, prepare_one
from cpflag.linkage._plain_score import PlainPair, PlainScorer, Unsupported
from cpflag.linkage._prepare import ROLES
from cpflag.rules import newborn
from cpflag.rules._attendee import anchor_ceilings, anchor_weight_one, strong_anchor_one
from cpflag.rules._attendee_plain import HOME_COLUMNS, attendee_row, with_family_keys
from cpflag.rules.plan_subject import yielding_checks
from cpflag.rules.unborn_mother import BirthTiming

__all__ = ["TriageState", "build_state", "match_one"]

#: The decisions' plan columns, and the LA family of a plan the attendee is (or may be).
_PLAN_COLUMNS: Final = (*DECISION_PLAN_COLUMNS, "family_ref")

_STR_COLUMNS: Final = tuple(c.name for c in ATTENDANCES.columns if c.kind == "str")
#: Date and date-time columns, and whether each carries a time of day.
_TIME_COLUMNS: Final = {
    c.name: c.kind == "datetime" for c in ATTENDANCES.columns if c.kind in ("date", "datetime")
}

_EMPTY: Final = pl.DataFrame(schema=FLAGS.schema)


@attrs.define
class TriageState:
    """What the scalar path needs from an index, built on the first ``match_one``.

    Attributes:
        scorer: The person model against the plan subjects (their term frequencies).
        mother_scorer: The person model against unborn plans' mothers.
        keep: Record columns carried into the prepared record (generic comparisons).
        subjects: Prepared subject rows (the model's columns).
        mothers: Prepared mother rows.
        plans: Plan rows by ``prow`` (the decision columns).
        subject_prow: ``prow`` of each subject row.
        mother_prow: ``prow`` of each mother row.
        homes: Subjects' postcode and address (an attendee's own plan's home).
        relations: The flagged relation kinds, compiled.
        lookups: Key dictionaries by plan side.
        config: The index's run configuration.
        model: The person model.
        yielding: The checks of plan_subject reviews that give way to a
            relative's flag (``rules.plan_subject.yielding_checks``), once.
        birth_timing: The lists' birth timing (the index's).
    """

    scorer: PlainScorer
    mother_scorer: PlainScorer
    keep: tuple[str, ...]
    subjects: Rows
    mothers: Rows
    plans: Rows
    subject_prow: array[int]
    mother_prow: array[int]
    homes: Rows
    relations: dict[str, RelationKind]
    lookups: Mapping[str, KeyLookup]
    config: FlagConfig
    model: LinkageModel
    yielding: frozenset[str]
    birth_timing: BirthTiming


def _model_rows(frame: pl.DataFrame, scorer: PlainScorer) -> Rows:
    """The model's columns of a prepared frame; Unsupported when one is missing or mistyped."""
    cols: list[str] = []
    for c in scorer.model.comparisons:
        needed = list(required_columns(c.kind, c.column))
        if c.tf_column:
            needed.append(c.tf_column)
        for col in needed:
            if col not in frame.columns:
                raise Unsupported("a compared column is not in the prepared frame")
            if c.kind in ("exact", "string") and frame.schema[col] != pl.String:
                # Equality of other types would need polars' casting rules.
                raise Unsupported("generic comparison of a non-string column")
        if c.u_column and c.u_column in frame.columns:
            needed.append(c.u_column)
        cols.extend(x for x in needed if x not in cols)
    return ColumnRows.of(frame.select(cols))


def build_state(index: IndexParts, lookups: Mapping[str, KeyLookup]) -> TriageState:
    """Compile the index's model and tables for the scalar path.

    Args:
        index: The prepared lists.
        lookups: Their key dictionaries by plan side.

    Returns:
        The compiled state.

    Raises:
        Unsupported: The model has a comparison the scalar path cannot reproduce.
    """
    model = index.linker.model
    scorer = PlainScorer.build(model, index.tf, index.subjects.columns)
    mother_scorer = PlainScorer.build(model, index.mother_tf, index.mothers.columns)
    keep = tuple(c.column for c in model.comparisons if c.column)
    plan_cols = [c for c in _PLAN_COLUMNS if c in index.plans.columns]
    return TriageState(
        scorer=scorer,
        mother_scorer=mother_scorer,
        keep=keep,
        subjects=_model_rows(index.subjects, scorer),
        mothers=_model_rows(index.mothers, mother_scorer),
        plans=ColumnRows.of(index.plans.select(plan_cols)),
        subject_prow=array("I", index.subjects["prow"].to_list()),
        mother_prow=array("I", index.mothers["prow"].to_list()),
        homes=ColumnRows.of(index.subjects.select(HOME_COLUMNS)),
        relations=build_relations(index, lookups),
        lookups=lookups,
        config=index.config,
        yielding=yielding_checks(index.config.model),
        model=model,
        birth_timing=index.birth_timing,
    )


def _with_plain_times(record: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """ISO text dates and times read as Python values (None where polars must read them)."""
    texts = [c for c in _TIME_COLUMNS if type(record.get(c)) is str]
    if not texts:
        return record
    out = dict(record)
    try:
        for c in texts:
            out[c] = parse_iso_one(out[c], with_time=_TIME_COLUMNS[c])
    except NotPlainISO:
        return None
    return out


def _plain_record(record: Mapping[str, Any], keep: Sequence[str]) -> dict[str, Any] | None:
    """The record with every contract column, or None when a value needs polars' casts."""
    parsed = _with_plain_times(record)
    if parsed is None:
        return None
    record = parsed
    arrival = record.get("arrival_time")
    if record.get("attendance_id") is None or arrival is None:
        return None  # the polars path names the missing required value
    if not (type(arrival) is dt.datetime and arrival.tzinfo is None):
        return None
    extra_roles = [r for r in ROLES if r not in ATTENDANCES.names and r in record]
    if not plain_values(record, (*_STR_COLUMNS, "date_of_birth", *extra_roles, *keep)):
        return None
    full = {c: record.get(c) for c in ATTENDANCES.names}
    for col in (*extra_roles, *keep):
        if col not in full:
            if col not in record:
                return None  # the polars path reports the missing column
            full[col] = record[col]
    return full


def _score(
    prepared: Mapping[str, Any], cands: Sequence[int], rows: Rows, scorer: PlainScorer
) -> list[tuple[int, PlainPair]]:
    """Banded pairs ``(r, pair)`` in candidate order."""
    out = []
    for r, row in zip(cands, rows.get(cands), strict=True):
        pair = scorer.score(prepared, row)
        if pair.band is not None:
            out.append((r, pair))
    return out


def _decided(banded: Sequence[tuple[int, PlainPair]], prow_of: Sequence[int]) -> list[Decided]:
    out = []
    for r, pair in banded:
        assert pair.band is not None  # banded pairs only
        out.append(Decided(prow=prow_of[r], pair=pair, band=pair.band, guard=pair.guard))
    return out


def _attendee(
    full: Mapping[str, Any],
    prepared: Mapping[str, Any],
    subj: Sequence[tuple[int, PlainPair]],
    state: TriageState,
    mother_links: Sequence[tuple[int, PlainPair]] = (),
) -> dict[str, Any]:
    """The record's row of ``with_family_keys(attendee_frame(...))``."""

    def strong(p: PlainPair) -> bool:
        return strong_anchor_one(p.band, p.match_weight)

    matched = sorted(r for r, p in subj if strong(p))
    review_links = sorted(
        ((r, p) for r, p in subj if p.band is not None and not strong(p)), key=lambda x: x[0]
    )
    review = [r for r, _ in review_links]
    home = state.homes.get(matched[:1])[0] if matched else None
    # The pre-birth plans the attendee is the mother on give family keys too.
    prows = [state.subject_prow[r] for r in matched]
    prows += [state.mother_prow[r] for r, p in mother_links if strong(p)]
    review_prows = [state.subject_prow[r] for r in review]
    ceilings = anchor_ceilings(state.model)
    review_weights = [anchor_weight_one(p.match_weight, p.guard, ceilings) for _, p in review_links]
    review_mothers = [(r, p) for r, p in mother_links if p.band is not None and not strong(p)]
    review_prows += [state.mother_prow[r] for r, _ in review_mothers]
    review_weights += [
        anchor_weight_one(p.match_weight, p.guard, ceilings) for _, p in review_mothers
    ]
    plans = state.plans.get(prows)
    review_plans = state.plans.get(review_prows)
    unguarded = [
        state.subject_prow[r] for r, p in subj if p.band == Band.REVIEW and p.guard is None
    ]
    return with_family_keys(
        attendee_row(full, prepared, state.config),
        home,
        plans,
        review_plans,
        unguarded,
        review_weights,
    )


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The flags frame in ``order_flags`` order (flag kind, descending score, plan id)."""
    if not rows:
        # Most records: a copy of an empty frame costs a microsecond, building one 0.1 ms.
        return _EMPTY.clear()
    order = {k: i for i, k in enumerate(FLAG_ORDER)}
    rows.sort(key=lambda x: (order[x["flag"]], -x["score"], x["plan_id"]))
    return pl.from_dicts(rows, schema=FLAGS.schema)


def match_one(state: TriageState, record: Mapping[str, Any]) -> pl.DataFrame | None:
    """Flags for one record on the scalar path, or None where the polars path must run.

    Args:
        record: One attendance (contract columns).
        state: The index's compiled state (:func:`build_state`).

    Returns:
        The rows ``index.match`` gives for the record, or None.
    """
    full = _plain_record(record, state.keep)
    if full is None:
        return None
    cfg = state.config
    try:
        prepared = prepare_one(full, keep=state.keep)
        cands = list(state.lookups["subjects"].candidates_one(prepared))
        subj = _score(prepared, cands, state.subjects, state.scorer)
        n_pairs = len(cands)
        rows = []
        baby = None
        if FlagKind.PLAN_SUBJECT in cfg.flags:
            decided = _decided(subj, state.subject_prow)
            rows += flag_rows(FlagKind.PLAN_SUBJECT, decided, state.scorer, state.plans, full, cfg)
        relations = [k for k in cfg.flags if k not in (FlagKind.PLAN_SUBJECT, FlagKind.REPEAT)]
        if relations:
            mcands = list(state.lookups["mothers"].candidates_one(prepared))
            n_pairs += len(mcands)
            mlinks: list[tuple[int, PlainPair]] = []
            if mcands and FlagKind.UNBORN_MOTHER in cfg.flags:
                scorer = state.mother_scorer
                mlinks = _score(prepared, mcands, state.mothers, scorer)
                mothers = _decided(mlinks, state.mother_prow)
                rows += flag_rows(
                    FlagKind.UNBORN_MOTHER,
                    mothers,
                    scorer,
                    state.plans,
                    full,
                    cfg,
                    state.birth_timing,
                )
            if state.relations:
                links = {state.subject_prow[r]: p for r, p in subj}
                attendee = _attendee(full, prepared, subj, state, mlinks)
                baby = newborn.is_baby_one(attendee)
                found, n = relation_rows(cfg, state.relations, state.plans, full, attendee, links)
                rows += found
                n_pairs += n
    except Unsupported:
        return None
    # One kind per (attendance, plan), as the batch settles it (decide._one_kind).
    rows = [
        r for r, keep in zip(rows, most_specific(rows, baby, state.yielding), strict=True) if keep
    ]
    return _frame(rows)
