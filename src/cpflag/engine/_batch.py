"""The batch path: a frame of attendances against the prepared lists, in polars.

Each flag kind runs as its rule declares (``cpflag.rules``): candidates by the
model's blocking rules, comparison and scoring by the generic linker, then the
rule's caps, and the decisions (``cpflag.decide``). The same code serves one
record when the triage path gives way (``one=True``: candidates by dictionary
look-up instead of a join).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from cpflag.contract import FLAGS, FlagKind
from cpflag.decide import one_kind_per_pair, order_flags, plan_flags, relation_flags
from cpflag.engine._lookup import KeyLookup
from cpflag.engine._parts import IndexParts
from cpflag.linkage import BlockingRule, Linker, block
from cpflag.linkage._blocking import prime_right_keys
from cpflag.linkage._reaching import prime_reaching, score_reaching
from cpflag.rules import RELATION_RULES, newborn
from cpflag.rules._attendee import anchor_ceilings, attendee_frame, with_family_keys
from cpflag.rules.plan_subject import yielding_checks

__all__ = ["DEFAULT_CHUNK_SIZE", "prime_plan_side", "run_batch"]

#: Attendances matched at once. Candidate pairs grow with the batch (about 45
#: per attendance on the national list), so a batch is matched in chunks of
#: this many and peak memory is set by the chunk, not the batch (issue 17).
#: A national day (~20k) is one chunk. The plan side's blocking keys are
#: computed once per index (``prime_plan_side``), not per chunk.
DEFAULT_CHUNK_SIZE = 25_000


def _empty_flags() -> pl.DataFrame:
    return pl.DataFrame(schema=FLAGS.schema)


def _candidates(
    name: str,
    left: pl.DataFrame,
    right: pl.DataFrame,
    rules: Sequence[BlockingRule],
    lookups: Mapping[str, KeyLookup] | None,
) -> pl.DataFrame:
    if lookups is None:
        return block(left, right, rules).pairs
    return lookups[name].candidates(left)


def prime_plan_side(parts: IndexParts) -> None:
    """Derive now what :func:`run_batch` reads from the plan side alone (kept with its frames)."""
    model = parts.linker.model
    for right, tf in ((parts.subjects, parts.tf), (parts.mothers, parts.mother_tf)):
        prime_right_keys(right, model.blocking_rules)
        prime_reaching(model, right, tf)
    for rule in RELATION_RULES:
        if rule.kind in parts.relation_linkers:
            rl, right = parts.relation_linkers[rule.kind], parts.plan_side(rule.kind)
            prime_right_keys(right, rl.model.blocking_rules)
            prime_reaching(rl.model, right, parts.relation_tf.get(rule.kind, {}))


def run_batch(
    parts: IndexParts,
    att: pl.DataFrame,
    *,
    prepared: pl.DataFrame | None = None,
    lookups: Mapping[str, KeyLookup] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[pl.DataFrame, int]:
    """Flags of a conformed batch, and the number of candidate pairs compared.

    An attendance's flags depend on it and the lists only (term frequencies
    come from the index), so the batch is matched ``chunk_size`` attendances
    at a time with the same flags as at once, in batch order.

    Args:
        parts: The prepared lists.
        att: Conformed attendances.
        prepared: ``parts.linker.prepare(att)``, when already computed.
        lookups: Key dictionaries by plan side (for a handful of records);
            None blocks by polars joins.
        chunk_size: Attendances matched at once (at least 1).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if att.height <= chunk_size:
        return _run_chunk(parts, att, prepared=prepared, lookups=lookups)
    flags, n_pairs = [], 0
    for start in range(0, att.height, chunk_size):
        chunk = att.slice(start, chunk_size)
        chunk_prepared = None
        if prepared is not None:  # its ``rec`` row index restarts with the chunk
            chunk_prepared = prepared.slice(start, chunk_size).with_columns(
                pl.int_range(pl.len(), dtype=pl.UInt32).alias("rec")
            )
        found, n = _run_chunk(parts, chunk, prepared=chunk_prepared, lookups=lookups)
        flags.append(found)
        n_pairs += n
    return order_flags(pl.concat(flags), att["attendance_id"].to_list()), n_pairs


def _run_chunk(
    parts: IndexParts,
    att: pl.DataFrame,
    *,
    prepared: pl.DataFrame | None,
    lookups: Mapping[str, KeyLookup] | None,
) -> tuple[pl.DataFrame, int]:
    cfg = parts.config
    prepared = parts.linker.prepare(att) if prepared is None else prepared
    rules = cfg.model.blocking_rules
    pairs = _candidates("subjects", prepared, parts.subjects, rules, lookups)
    n_pairs = pairs.height
    # Term frequencies come from the index, never from the batch, so a record
    # scores the same alone (match_one) as in any batch. Only the pairs that
    # can reach a band are scored (``score_reaching``): the others would be
    # filtered out here anyway.
    subj = score_reaching(parts.linker.model, prepared, parts.subjects, pairs, parts.tf)
    subj = subj.filter(pl.col("band").is_not_null())
    ids = att["attendance_id"].to_list()
    out = []
    if FlagKind.PLAN_SUBJECT in cfg.flags:
        out.append(plan_flags(subj, att, parts.plans, parts.subjects, cfg))
    if not any(r.kind in cfg.flags for r in RELATION_RULES) and (
        FlagKind.UNBORN_MOTHER not in cfg.flags
    ):
        return order_flags(pl.concat(out or [_empty_flags()]), ids), n_pairs

    mpairs = _candidates("mothers", prepared, parts.mothers, rules, lookups)
    n_pairs += mpairs.height
    mscored = None
    if mpairs.height and FlagKind.UNBORN_MOTHER in cfg.flags:
        mscored = score_reaching(
            parts.linker.model, prepared, parts.mothers, mpairs, parts.mother_tf
        )
    # The family keys come from the attendee's own plans and from the pre-birth
    # plans it is the mother on (a person known on one row of a family).
    links = None if mscored is None else mscored.filter(pl.col("band").is_not_null())
    attendee = attendee_frame(att, prepared, cfg)
    left = with_family_keys(
        attendee,
        subj,
        parts.plans,
        parts.subjects,
        links,
        parts.mothers,
        anchor_ceilings(parts.linker.model),
    )
    if mscored is not None:
        out.append(_flags(parts, FlagKind.UNBORN_MOTHER, mscored, left, att, parts.linker))
    for rule in RELATION_RULES:
        rl = parts.relation_linkers[rule.kind]
        right = parts.plan_side(rule.kind)
        sub = left.filter(rule.eligible().fill_null(False))
        if sub.height == 0 or rule.kind not in cfg.flags:
            continue
        rpairs = _candidates(rule.kind, sub, right, rl.model.blocking_rules, lookups)
        n_pairs += rpairs.height
        if rpairs.height == 0:
            continue
        tf = parts.relation_tf.get(rule.kind, {})
        scored = score_reaching(rl.model, left, right, rpairs, tf)
        scored = scored.filter(pl.col("band").is_not_null())
        scored = rule.caps(scored, left, right, rl.model, subj, parts.subjects)
        out.append(_flags(parts, rule.kind, scored, left, att, rl))
    flags = pl.concat([p for p in out if p.height] or [_empty_flags()])
    babies = pl.DataFrame(
        {"attendance_id": att["attendance_id"], "baby": left.select(newborn.is_baby()).to_series()}
    )
    yielding = yielding_checks(cfg.model)
    return order_flags(one_kind_per_pair(flags, babies, yielding), ids), n_pairs


def _flags(
    parts: IndexParts,
    kind: str,
    scored: pl.DataFrame,
    left: pl.DataFrame,
    att: pl.DataFrame,
    linker: Linker,
) -> pl.DataFrame:
    scored = scored.filter(pl.col("band").is_not_null())
    right = parts.plan_side(kind)
    return relation_flags(
        kind, scored, left, att, right, parts.plans, linker, parts.config, parts.birth_timing
    )
