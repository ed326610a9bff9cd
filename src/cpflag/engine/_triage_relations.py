"""Relationship flags of one record in plain Python: the scalar form of ``_run``'s loop.

For each relation kind, in ``PlanIndex._run``'s order (newborn, sibling,
carer), an eligible attendee's candidates come from the index's key
dictionaries over the relation model's own blocking rules, each is scored with
``PlainScorer`` and the relation's plain comparison levels
(``_plain_relations``), and the banded pairs go through the same steps as the
batch: ``_relation_caps.cap_unknown_age`` (newborn),
``only_named_if_age_unknown`` (carer), ``propagate_to_family`` with its
tie-break (sibling, carer; a looked-after child's foster carer gets no
copies), ``not_the_subject`` (sibling), then the plan decisions
(``_triage_decide``). Anything outside that -- a relation model with a
comparison the plain code does not mirror -- raises ``Unsupported`` and the
caller takes the polars path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import polars as pl

from cpflag._errors import ModelError
from cpflag.decide._decide_plain import Decided, Rows, flag_rows
from cpflag.linkage._comparisons import required_columns
from cpflag.linkage._plain_score import PlainPair, PlainScorer, Unsupported
from cpflag.rules._attendee import AGE_UNKNOWN
from cpflag.rules._caps import named_adult_levels
from cpflag.rules._evidence import IDENTITY_IN_REVIEW, UNCONFIRMED_FAMILY

if TYPE_CHECKING:
    from cpflag.engine._index import PlanIndex

__all__ = ["RELATION_ORDER", "RelationKind", "build_relations", "relation_rows"]

#: Relation kinds in ``_run``'s order, with the index frame each is matched
#: against and the plan types that neither give nor take LA-family copies
#: (None: no copies at all).
RELATION_ORDER: Final[tuple[tuple[str, str, tuple[str, ...] | None], ...]] = (
    ("newborn_of_unborn_plan", "mothers", None),
    ("sibling_of_plan_subject", "sibling_families", ()),
    ("carer_of_plan_subject", "carer_families", ("lac",)),
)

#: The column holding each plan-side row's LA family key as ``propagate_to_family``
#: shares it (null for plan types without copies).
_SHARED: Final = "_shared_family_key"


@attrs.define
class RelationKind:
    """One relation kind compiled for the scalar path.

    Attributes:
        kind: The flag kind.
        frame: The ``PlanIndex`` attribute of its plan-side frame.
        scorer: Its model compiled; None when a comparison has no plain form
            (a record with candidates then takes the polars path).
        rows: The plan-side rows (compared columns, ``prow``, the shared family key).
        family: Shared LA family key to the plan-side rows of that family.
        propagate: Whether pairs are copied to the rest of the LA family.
    """

    kind: str
    frame: str
    scorer: PlainScorer | None
    rows: Rows
    family: dict[str, list[int]]
    propagate: bool


def _columns(scorer: PlainScorer | None, frame: pl.DataFrame) -> list[str]:
    """The plan-side columns the comparisons read (those the frame has)."""
    wanted: list[str] = ["prow"]
    if scorer is not None:
        for c in scorer.model.comparisons:
            extra = [x for x in (c.tf_column, c.u_column) if x]
            wanted += [*required_columns(c.kind, c.column), *extra]
    return [c for c in dict.fromkeys(wanted) if c in frame.columns]


def _compile(
    index: PlanIndex, kind: str, frame_name: str, per_child: tuple[str, ...] | None
) -> RelationKind:
    frame: pl.DataFrame = getattr(index, frame_name)
    # The key dictionaries are built here, once, not on the first record that needs them.
    index._key_lookup(kind, index.relation_linkers[kind].model.blocking_rules, frame)
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
        kind=kind,
        frame=frame_name,
        scorer=scorer,
        rows=Rows(table),
        family=dict(zip(grouped["k"].to_list(), grouped["rec"].to_list(), strict=True)),
        propagate=per_child is not None,
    )


def build_relations(index: PlanIndex) -> dict[str, RelationKind]:
    """Compile the index's relation kinds that the configuration flags.

    Args:
        index: The plan index.

    Returns:
        ``{kind: compiled kind}``.
    """
    return {
        kind: _compile(index, kind, frame, per_child)
        for kind, frame, per_child in RELATION_ORDER
        if kind in index.config.flags and kind in index.relation_linkers
    }


def _eligible(kind: str, attendee: Mapping[str, Any]) -> bool:
    if kind == "newborn_of_unborn_plan":
        return bool(attendee["is_newborn"])
    if kind == "sibling_of_plan_subject":
        return not attendee["is_adult"]
    # ``carer_eligible_expr``: adults, and records of unknown age.
    return bool(attendee["is_adult"]) or _age_unknown(attendee)


def _age_unknown(attendee: Mapping[str, Any]) -> bool:
    """Not known to be an adult and no usable age (``only_named_if_age_unknown``)."""
    return not attendee["is_adult"] and attendee["age_doubt"] == AGE_UNKNOWN


def _named_adult(pair: PlainPair, scorer: PlainScorer) -> bool:
    """``named_adult_expr``: the attendee is the plan's named carer or mother."""
    return any(pair.gammas[i] in levels for i, levels in named_adult_levels(scorer.model))


@attrs.frozen
class _Pair:
    r: int
    pair: PlainPair
    via: int | None


def _propagate(banded: Sequence[_Pair], rk: RelationKind) -> list[_Pair]:
    """``propagate_to_family``: copies to the LA family, one pair per plan row kept.

    Kept per row: the strongest weight, then the direct pair, then the lowest
    ``via`` (the batch's sort and ``unique(keep="first")``).
    """
    rows = rk.rows.get([p.r for p in banded])
    found = list(banded)
    for p, row in zip(banded, rows, strict=True):
        key = row[_SHARED]
        # As the batch's ``no_copies``: an unconfirmed family link gives no copies.
        if key is not None and not _unconfirmed_family(p.pair, rk):
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
    kind: str,
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
    doubt = attendee["age_doubt"]
    out = []
    for p, prow in zip(pairs, prows, strict=True):
        band, guard = p.pair.band, p.pair.guard
        assert band is not None  # only banded pairs get here
        if kind == "newborn_of_unborn_plan" and doubt is not None:
            # cap_unknown_age: the age is in doubt, so at most review, and say why.
            band, guard = ("review" if band == "match" else band), doubt
        elif kind == "carer_of_plan_subject" and _age_unknown(attendee):
            # only_named_if_age_unknown (the pairs kept were filtered before).
            band, guard = ("review" if band == "match" else band), AGE_UNKNOWN
        elif kind == "sibling_of_plan_subject":
            if _rests_on_unconfirmed_family(p.pair, rk) and band == "match":
                # cap_unconfirmed_family: a match only through a review-band identity.
                band, guard = "review", guard or IDENTITY_IN_REVIEW
            # not_the_subject: a match-band same-person link to this plan means
            # the attendee is its subject; an uncapped review leaves it open.
            link = subject_links.get(prow)
            if link is not None and link.band == "match":
                continue
            if link is not None and link.band == "review" and link.guard is None:
                band = "review" if band == "match" else band
        via = None if p.via is None else via_prows[p.via]
        out.append(Decided(prow=prow, pair=p.pair, band=band, guard=guard, via_prow=via))
    return out


def _rests_on_unconfirmed(pair: PlainPair, rk: RelationKind, threshold: float) -> bool:
    """At the unconfirmed family level, and below ``threshold`` without its weight."""
    if rk.scorer is None:
        return False
    for i, c in enumerate(rk.scorer.model.comparisons):
        if c.kind == "family_ref":
            level = c.labels.index(UNCONFIRMED_FAMILY)
            return bool(pair.gammas[i] == level and pair.match_weight - pair.weights[i] < threshold)
    return False


def _unconfirmed_family(pair: PlainPair, rk: RelationKind) -> bool:
    """``unconfirmed_family_expr``: a relation only through the unconfirmed level."""
    review = rk.scorer.model.thresholds.review if rk.scorer is not None else 0.0
    return _rests_on_unconfirmed(pair, rk, review)


def _rests_on_unconfirmed_family(pair: PlainPair, rk: RelationKind) -> bool:
    """``cap_unconfirmed_family``'s test: a match only through the unconfirmed level."""
    match = rk.scorer.model.thresholds.match if rk.scorer is not None else 0.0
    return _rests_on_unconfirmed(pair, rk, match)


def relation_rows(
    index: PlanIndex,
    kinds: Mapping[str, RelationKind],
    plans: Rows,
    record: Mapping[str, Any],
    attendee: Mapping[str, Any],
    subject_links: Mapping[int, PlainPair],
) -> tuple[list[dict[str, Any]], int]:
    """The record's relationship flag rows and the candidate pairs compared.

    Args:
        index: The plan index (key dictionaries, configuration).
        kinds: From :func:`build_relations`.
        plans: The index's plans (decision columns) by ``prow``.
        record: The attendance (contract columns).
        attendee: Its attendee row (``_triage_attendee.with_family_keys``).
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
        if not _eligible(kind, attendee):
            continue
        rules = index.relation_linkers[kind].model.blocking_rules
        if any(k not in attendee for rule in rules for k in rule.left_keys):
            raise Unsupported("a relation blocking rule reads an unknown attendee column")
        lookup = index._key_lookup(kind, rules, getattr(index, rk.frame))
        cands = list(lookup.candidates_one(attendee))
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
        if kind == "carer_of_plan_subject" and _age_unknown(attendee):
            # only_named_if_age_unknown, before the copies as in the batch.
            banded = [p for p in banded if _named_adult(p.pair, scorer)]
        if not banded:
            continue
        pairs = _propagate(banded, rk) if rk.propagate else banded
        pairs = _best_per_plan(pairs, rk)
        decided = _decide(kind, pairs, rk, attendee, subject_links)
        rows += flag_rows(kind, decided, scorer, plans, record, index.config)
    return rows, n_pairs
