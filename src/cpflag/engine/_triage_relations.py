"""Relationship flags of one record in plain Python: the scalar form of ``_run``'s loop.

For each relation kind, in ``PlanIndex._run``'s order (newborn, sibling,
carer), an eligible attendee's candidates come from the index's key
dictionaries over the relation model's own blocking rules, each is scored with
``PlainScorer`` and the relation's plain comparison levels
(declared in ``rules._evidence``), and the banded pairs go through the same steps as the
batch: ``newborn.cap_unknown_age``,
``only_named_if_age_unknown`` (carer), ``propagate_to_family`` with its
tie-break (sibling, carer; a looked-after child's foster carer gets no
copies), ``not_the_subject`` (sibling), then the plan decisions
(``decide._decide_plain``). Anything outside that -- a relation model with a
comparison the plain code does not mirror -- raises ``Unsupported`` and the
caller takes the polars path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs
import polars as pl

from cpflag._errors import ModelError
from cpflag.contract import FlagKind
from cpflag.decide._decide_plain import Decided, Rows, flag_rows
from cpflag.engine._lookup import KeyLookup
from cpflag.engine._parts import IndexParts
from cpflag.engine._rows import ColumnRows
from cpflag.linkage._comparisons import required_columns
from cpflag.linkage._plain_score import PlainPair, PlainScorer, Unsupported
from cpflag.rules import RELATION_RULES, OnePair, RelationRule
from cpflag.rules._settings import RuleSettings

__all__ = ["RelationKind", "build_relations", "relation_rows"]

#: The column holding each plan-side row's LA family key as ``propagate_to_family``
#: shares it (null for plan types without copies).
_SHARED: Final = "_shared_family_key"


@attrs.frozen
class RelationKind:
    """One relation kind compiled for the scalar path.

    Attributes:
        rule: The flag kind's rule.
        lookup: Key dictionaries of its plan side under its blocking rules.
        scorer: Its model compiled; None when a comparison has no plain form
            (a record with candidates then takes the polars path).
        rows: The plan-side rows (compared columns, ``prow``, the shared family key).
        family: Shared LA family key to the plan-side rows of that family.
        propagate: Whether pairs are copied to the rest of the LA family.
    """

    rule: RelationRule
    lookup: KeyLookup
    scorer: PlainScorer | None
    rows: Rows
    family: dict[str, tuple[int, ...]]
    propagate: bool


def _columns(scorer: PlainScorer | None, frame: pl.DataFrame) -> list[str]:
    """The plan-side columns the comparisons read (those the frame has)."""
    wanted: list[str] = ["prow"]
    if scorer is not None:
        for c in scorer.model.comparisons:
            extra = [x for x in (c.tf_column, c.u_column) if x]
            wanted += [*required_columns(c.kind, c.column), *extra]
    return [c for c in dict.fromkeys(wanted) if c in frame.columns]


def _compile(index: IndexParts, rule: RelationRule, lookup: KeyLookup) -> RelationKind:
    kind, per_child = rule.kind, rule.per_child_types
    frame = index.plan_side(kind)
    scorer: PlainScorer | None
    try:
        scorer = PlainScorer.build(
            index.relation_linkers[kind].model,
            index.relation_tf.get(kind, {}),
            frame.columns,
        )
    except (Unsupported, ModelError):
        scorer = None
    shared = pl.lit(None, pl.String)
    if per_child is not None and "family_key" in frame.columns:
        # As propagate_to_family: a plan type in per_child (or a null one) shares no key.
        shared = pl.when(~pl.col("plan_type").is_in(per_child)).then(pl.col("family_key"))
    table = frame.select(*_columns(scorer, frame), shared.alias(_SHARED))
    grouped = (
        frame.select("rec", shared.alias("k"))
        .drop_nulls("k")
        .group_by("k")
        .agg(pl.col("rec").sort())
    )
    return RelationKind(
        rule=rule,
        lookup=lookup,
        scorer=scorer,
        rows=ColumnRows.of(table),
        # Tuples of ints: the collector stops tracking them (lists it walks on every pass).
        family={k: tuple(v) for k, v in zip(grouped["k"], grouped["rec"].to_list(), strict=True)},
        propagate=per_child is not None,
    )


def build_relations(index: IndexParts, lookups: Mapping[str, KeyLookup]) -> dict[str, RelationKind]:
    """Compile the relation rules that the configuration flags, in the engine's order.

    Args:
        index: The prepared lists.
        lookups: Key dictionaries by plan side (one per relation kind).

    Returns:
        ``{kind: compiled kind}``.
    """
    return {
        rule.kind.value: _compile(index, rule, lookups[rule.kind])
        for rule in RELATION_RULES
        if rule.kind in index.config.flags and rule.kind in index.relation_linkers
    }


@attrs.frozen
class _Pair:
    r: int
    pair: PlainPair
    via: int | None


def _view(
    pair: PlainPair,
    rk: RelationKind,
    attendee: Mapping[str, Any],
    link: PlainPair | None = None,
) -> OnePair:
    assert pair.band is not None  # banded pairs only
    assert rk.scorer is not None  # scored pairs only
    return OnePair(
        band=pair.band,
        guard=pair.guard,
        gammas=pair.gammas,
        weights=pair.weights,
        match_weight=pair.match_weight,
        model=rk.scorer.model,
        attendee=attendee,
        subject_band=None if link is None else link.band,
        subject_guard=None if link is None else link.guard,
    )


def _propagate(
    banded: Sequence[_Pair], rk: RelationKind, attendee: Mapping[str, Any]
) -> list[_Pair]:
    """``propagate_to_family``: copies to the LA family, one pair per plan row kept.

    Kept per row: the strongest weight, then the direct pair, then the lowest
    ``via`` (the batch's sort and ``unique(keep="first")``).
    """
    rows = rk.rows.get([p.r for p in banded])
    found = list(banded)
    for p, row in zip(banded, rows, strict=True):
        key = row[_SHARED]
        # As the batch's ``no_copies``: an unconfirmed family link gives no copies.
        if key is not None and not rk.rule.no_copies_one(_view(p.pair, rk, attendee)):
            found += [_Pair(r2, p.pair, p.r) for r2 in rk.family[key] if r2 != p.r]
    best: dict[int, _Pair] = {}
    for p in found:
        cur = best.get(p.r)
        if cur is None or _before(p, cur):
            best[p.r] = p
    return [best[r] for r in sorted(best)]


def _before(a: _Pair, b: _Pair) -> bool:
    """Whether ``a`` sorts before ``b``: weight descending, then via nulls first, ascending."""
    wa, wb = a.pair.match_weight, b.pair.match_weight
    if wa != wb:
        return wa > wb
    if (a.via is None) != (b.via is None):
        return a.via is None
    return a.via is not None and b.via is not None and a.via < b.via


def _best_per_plan(pairs: Sequence[_Pair], rk: RelationKind) -> list[_Pair]:
    """``_family.best_per_plan``: one pair per plan, the strongest of its rows.

    A looked-after child's plan is two carer rows (placement, birth family);
    kept: the strongest weight, then the direct pair, the lowest ``via``, the
    lowest row. Other frames have one row per plan, so this keeps every pair.
    """
    best: dict[int, _Pair] = {}
    for p, row in zip(pairs, rk.rows.get([p.r for p in pairs]), strict=True):
        cur = best.get(row["prow"])
        if cur is None or _before(p, cur) or (not _before(cur, p) and p.r < cur.r):
            best[row["prow"]] = p
    return sorted(best.values(), key=lambda p: p.r)


def _decide(
    pairs: Sequence[_Pair],
    rk: RelationKind,
    attendee: Mapping[str, Any],
    subject_links: Mapping[int, PlainPair],
) -> list[Decided]:
    """The caps and drops of ``_run`` for one kind: pairs to :class:`Decided`."""
    prows = [row["prow"] for row in rk.rows.get([p.r for p in pairs])]
    via_prows: dict[int, int] = {}
    vias = sorted({p.via for p in pairs if p.via is not None})
    if vias:
        via_prows = {v: row["prow"] for v, row in zip(vias, rk.rows.get(vias), strict=True)}
    out = []
    for p, prow in zip(pairs, prows, strict=True):
        capped = rk.rule.cap_one(_view(p.pair, rk, attendee, subject_links.get(prow)))
        if capped is None:
            continue
        band, guard = capped
        via = None if p.via is None else via_prows[p.via]
        anchor = attendee.get("review_anchor_weight") if rk.rule.kind == FlagKind.SIBLING else None
        out.append(
            Decided(
                prow=prow, pair=p.pair, band=band, guard=guard, via_prow=via, anchor_weight=anchor
            )
        )
    return out


def relation_rows(
    config: RuleSettings,
    kinds: Mapping[str, RelationKind],
    plans: Rows,
    record: Mapping[str, Any],
    attendee: Mapping[str, Any],
    subject_links: Mapping[int, PlainPair],
) -> tuple[list[dict[str, Any]], int]:
    """The record's relationship flag rows and the candidate pairs compared.

    Args:
        config: The run configuration.
        kinds: From :func:`build_relations`.
        plans: The index's plans (decision columns) by ``prow``.
        record: The attendance (contract columns).
        attendee: Its attendee row (``rules._attendee_plain.with_family_keys``).
        subject_links: Banded same-person pairs by the subject's ``prow``.

    Returns:
        ``(flag rows, candidate pairs)``.

    Raises:
        Unsupported: A kind with candidates has no plain form, or a blocking
            rule reads a column the attendee row does not have.
    """
    rows: list[dict[str, Any]] = []
    n_pairs = 0
    for kind, rk in kinds.items():
        if not rk.rule.eligible_one(attendee):
            continue
        if any(k not in attendee for rule in rk.lookup.rules for k in rule.left_keys):
            raise Unsupported("a relation blocking rule reads an unknown attendee column")
        cands = list(rk.lookup.candidates_one(attendee))
        n_pairs += len(cands)
        if not cands:
            continue
        scorer = rk.scorer
        if scorer is None:
            raise Unsupported(f"relation kind {kind} has no plain form")
        banded = []
        for r, row in zip(cands, rk.rows.get(cands), strict=True):
            pair = scorer.score(attendee, row)
            if pair.band is not None:
                banded.append(_Pair(r, pair, None))
        # Kept before the copies, as in the batch (a carer of unknown age: the named adult).
        banded = [p for p in banded if rk.rule.keep_one(_view(p.pair, rk, attendee))]
        if not banded:
            continue
        pairs = _propagate(banded, rk, attendee) if rk.propagate else banded
        pairs = _best_per_plan(pairs, rk)
        decided = _decide(pairs, rk, attendee, subject_links)
        rows += flag_rows(kind, decided, scorer, plans, record, config)
    return rows, n_pairs
