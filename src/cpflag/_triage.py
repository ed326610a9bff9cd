"""The scalar triage path of ``PlanIndex.match_one``: one record in milliseconds.

The batch pipeline pays a fixed overhead per polars query (dozens of them), which
dominates on one record. Here the record is prepared in plain Python
(``prepare_one``), candidates come from the index's key dictionaries, each
candidate is compared and scored in plain Python (``PlainScorer``, the same
numbers as the vectorised scoring) against the index's prepared rows, and the
plan decisions (current on arrival, list age, staleness) are applied to the few
banded pairs. The result is the rows ``PlanIndex.match`` gives for the record.

Relationship flags (sibling, carer, newborn) stay on the polars path: this
module only checks, with dictionary look-ups on the relation models' own
blocking rules, whether the record can have a relation candidate at all. When
it can -- or when anything is outside what the plain code reproduces exactly
(a comparison kind without a plain form, values that need polars' casting) --
:func:`match_one` returns None and the caller runs the polars path. The scalar
path never gives a different answer; at worst it gives way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import polars as pl

from cpflag._decide import FLAG_ORDER
from cpflag._schema import ATTENDANCES, FLAGS
from cpflag.linkage._comparisons import required_columns
from cpflag.linkage._plain_prepare import plain_values, prepare_one
from cpflag.linkage._plain_score import PlainPair, PlainScorer, Unsupported
from cpflag.linkage._prepare import ROLES
from cpflag.normalise._plain import groups, name, nhs, parts

if TYPE_CHECKING:
    from cpflag._index import PlanIndex

__all__ = ["TriageState", "match_one"]

#: Right-hand rows kept as Python values between calls (a bound on memory).
ROW_CACHE_SIZE: Final = 50_000

#: The frame each relation kind is matched against (as in ``PlanIndex._run``).
_RELATION_RIGHT: Final = {
    "newborn_of_unborn_plan": "mothers",
    "sibling_of_plan_subject": "sibling_families",
    "carer_of_plan_subject": "families",
}

#: A record is checked for newborn relations when its age on arrival is unknown
#: or at most this many days more than the newborn window. A superset of the
#: batch path's ``is_newborn`` (which also takes babies whose birth year looks
#: mistyped by one): a looser check only sends more records to polars.
_NEWBORN_MARGIN_DAYS: Final = 2 * 366

_PLAN_COLUMNS: Final = (
    "plan_id",
    "la_code",
    "plan_type",
    "start_date",
    "end_date",
    "list_date",
    "expected_delivery_date",
    "family_ref",
)

_STR_COLUMNS: Final = tuple(c.name for c in ATTENDANCES.columns if c.kind == "str")


@attrs.define
class _Rows:
    """Rows of a frame as dicts of Python values, converted on first use and cached."""

    frame: pl.DataFrame
    cache: dict[int, dict[str, Any]] = attrs.field(factory=dict)

    def get(self, positions: Sequence[int]) -> list[dict[str, Any]]:
        missing = [p for p in positions if p not in self.cache]
        if missing:
            if len(self.cache) + len(missing) > ROW_CACHE_SIZE:
                self.cache.clear()
            cols = self.frame.columns
            # One gather for all missing rows: a polars call per row would cost more.
            for p, row in zip(missing, self.frame[missing].rows(), strict=True):
                self.cache[p] = dict(zip(cols, row, strict=True))
        return [self.cache[p] for p in positions]


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
    """

    scorer: PlainScorer
    mother_scorer: PlainScorer
    keep: tuple[str, ...]
    subjects: _Rows
    mothers: _Rows
    plans: _Rows
    subject_prow: list[int]
    mother_prow: list[int]


def _model_rows(frame: pl.DataFrame, scorer: PlainScorer) -> _Rows:
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
    return _Rows(frame.select(cols))


def build_state(index: PlanIndex) -> TriageState:
    """Compile the index's model and tables for the scalar path.

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
        plans=_Rows(index.plans.select(plan_cols)),
        subject_prow=index.subjects["prow"].to_list(),
        mother_prow=index.mothers["prow"].to_list(),
    )


def _plain_record(record: Mapping[str, Any], keep: Sequence[str]) -> dict[str, Any] | None:
    """The record with every contract column, or None when a value needs polars' casts."""
    arrival = record.get("arrival_time")
    if arrival is not None and not (type(arrival) is dt.datetime and arrival.tzinfo is None):
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
    prepared: Mapping[str, Any], cands: Sequence[int], rows: _Rows, scorer: PlainScorer
) -> list[tuple[int, PlainPair]]:
    """Banded pairs ``(r, pair)`` in candidate order."""
    out = []
    for r, row in zip(cands, rows.get(cands), strict=True):
        pair = scorer.score(prepared, row)
        if pair.band is not None:
            out.append((r, pair))
    return out


def _staleness(age: int | None, stale_after: int) -> str | None:
    if age is None:
        return "LIST DATE UNKNOWN: check the LA's current list"
    if age > stale_after:
        return f"LIST STALE: {age} days old (limit {stale_after}); check the LA's current list"
    return None


def _flags(
    kind: str,
    banded: Sequence[tuple[int, PlainPair]],
    prow_of: Sequence[int],
    scorer: PlainScorer,
    state: TriageState,
    record: Mapping[str, Any],
    index: PlanIndex,
) -> list[dict[str, Any]]:
    """Flag rows of one kind from banded pairs: ``plan_flags`` / ``relation_flags``."""
    arrival_time = record["arrival_time"]
    if arrival_time is None or not banded:
        return []
    arrival = arrival_time.date()
    cfg = index.config
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for (_r, pair), plan in zip(
        banded, state.plans.get([prow_of[r] for r, _ in banded]), strict=True
    ):
        start, end = plan["start_date"], plan["end_date"]
        if start is None or start > arrival or (end is not None and arrival > end):
            continue  # not current on the arrival date
        if kind == "unborn_plan_mother":
            edd = plan["expected_delivery_date"]
            weeks = cfg.unborn_mother_weeks_after_edd
            if edd is not None and arrival > edd + dt.timedelta(weeks=weeks):
                continue
        if plan["plan_id"] in seen:
            continue
        seen.add(plan["plan_id"])
        listed = plan.get("list_date")
        age = None if listed is None else (arrival - listed).days
        notes = [
            scorer.reasons(pair),
            None if pair.guard is None else f"capped at review by the {pair.guard} guard",
            _staleness(age, cfg.stale_after_days),
        ]
        out.append(
            {
                "attendance_id": record["attendance_id"],
                "flag": kind,
                "plan_id": plan["plan_id"],
                "la_code": plan["la_code"],
                "plan_type": plan["plan_type"],
                "score": pair.match_weight,
                "band": pair.band,
                "reasons": "; ".join(n for n in notes if n is not None),
                "list_age_days": age,
            }
        )
    return out


def _attendee(
    record: Mapping[str, Any],
    prepared: Mapping[str, Any],
    subject_pairs: Sequence[tuple[int, PlainPair]],
    state: TriageState,
) -> dict[str, Any]:
    """The columns ``attendee_frame``/``with_family_keys`` add that blocking keys may read."""
    carer_given = name(record["carer_given_name"])
    carer_first = None if carer_given is None else carer_given.split(" ")[0]
    matched = [state.subject_prow[r] for r, p in subject_pairs if p.band == "match"]
    keys = sorted(
        {
            f"{p['la_code']}|{p['family_ref']}"
            for p in state.plans.get(matched)
            if p.get("family_ref") is not None and p["la_code"] is not None
        }
    )
    return {
        **prepared,
        "carer_given_first": carer_first,
        "carer_given_groups": groups(carer_first),
        "carer_family_parts": parts(name(record["carer_family_name"])) or [],
        "mother_nhs": nhs(record["mother_nhs_number"])[0],
        "family_keys": keys,
    }


def _maybe_newborn(record: Mapping[str, Any], prepared: Mapping[str, Any], days: int) -> bool:
    arrival, dob = record["arrival_time"], prepared["dob"]
    if arrival is None or dob is None:
        return True
    age: int = (arrival.date() - dob).days
    return age <= days + _NEWBORN_MARGIN_DAYS


def _relation_candidates(
    index: PlanIndex, attendee: Mapping[str, Any], maybe_newborn: bool
) -> bool:
    """Whether any relation kind's blocking rules find a candidate for the record.

    Sibling and carer eligibility (child or adult) is not checked: both are
    looked up, so a change to who counts as an adult cannot hide a candidate.
    A rule reading a column this module does not compute counts as a candidate.
    """
    for kind, frame in _RELATION_RIGHT.items():
        if kind not in index.config.flags or kind not in index.relation_linkers:
            continue
        if kind == "newborn_of_unborn_plan" and not maybe_newborn:
            continue
        rules = index.relation_linkers[kind].model.blocking_rules
        if any(k not in attendee for rule in rules for k in rule.left_keys):
            return True
        lookup = index._key_lookup(kind, rules, getattr(index, frame))
        if lookup.candidates_one(attendee):
            return True
    return False


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The flags frame in ``order_flags`` order (flag kind, descending score, plan id)."""
    order = {k: i for i, k in enumerate(FLAG_ORDER)}
    rows.sort(key=lambda x: (order[x["flag"]], -x["score"], x["plan_id"]))
    return pl.DataFrame({c: [row[c] for row in rows] for c in FLAGS.names}, schema=FLAGS.schema)


def match_one(
    index: PlanIndex, record: Mapping[str, Any], state: TriageState
) -> pl.DataFrame | None:
    """Flags for one record on the scalar path, or None where the polars path must run.

    Args:
        index: The plan index.
        record: One attendance (contract columns).
        state: The index's compiled state (:func:`build_state`).

    Returns:
        The rows ``index.match`` gives for the record, or None.
    """
    full = _plain_record(record, state.keep)
    if full is None:
        return None
    cfg = index.config
    model = index.linker.model
    try:
        prepared = prepare_one(full, keep=state.keep)
        lookup = index._key_lookup("subjects", model.blocking_rules, index.subjects)
        cands = list(lookup.candidates_one(prepared))
        subj = _score(prepared, cands, state.subjects, state.scorer)
        n_pairs = len(cands)
        rows = []
        if "plan_subject" in cfg.flags:
            rows += _flags(
                "plan_subject", subj, state.subject_prow, state.scorer, state, full, index
            )
        relations = [k for k in cfg.flags if k not in ("plan_subject", "repeat_attendance")]
        if relations:
            mlookup = index._key_lookup("mothers", model.blocking_rules, index.mothers)
            mcands = list(mlookup.candidates_one(prepared))
            n_pairs += len(mcands)
            if mcands and "unborn_plan_mother" in cfg.flags:
                scorer = state.mother_scorer
                mothers = _score(prepared, mcands, state.mothers, scorer)
                rows += _flags(
                    "unborn_plan_mother", mothers, state.mother_prow, scorer, state, full, index
                )
            attendee = _attendee(full, prepared, subj, state)
            if _relation_candidates(
                index, attendee, _maybe_newborn(full, prepared, cfg.newborn_days)
            ):
                return None
    except Unsupported:
        return None
    index.last_candidate_pairs = n_pairs
    return _frame(rows)
