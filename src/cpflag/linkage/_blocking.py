"""Candidate generation: the union of blocking rules, each an equi-join in polars.

A rule joins the left and right prepared frames on derived key columns; list
keys (name parts, nickname groups) are exploded first, so any element may
agree. Pairs found by several rules are kept once, labelled with the first rule
(in model order) that found them; the per-rule counts report how many pairs
each rule produced before de-duplication.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import attrs
import polars as pl

from cpflag._errors import ModelError
from cpflag.linkage._frame_cache import frame_cached
from cpflag.linkage._model import BlockingRule

__all__ = ["Candidates", "block", "generic_blocking_rules", "prime_right_keys"]

_HIGH: Final = 1 << 32


@attrs.frozen
class Candidates:
    """Candidate pairs and what each blocking rule contributed.

    Attributes:
        pairs: Columns ``l`` and ``r`` (UInt32 ``rec`` indices) and ``rule``
            (UInt8 index of the first rule that found the pair), sorted by (l, r).
        rule_counts: ``{rule name: pairs the rule produced}``, before de-duplication.
    """

    pairs: pl.DataFrame
    rule_counts: dict[str, int]


def key_rows(frame: pl.DataFrame, keys: Sequence[str], side: str) -> tuple[pl.DataFrame, bool]:
    """A rule's key rows: ``rec`` (named ``side``) and keys ``k0``, ``k1``, ...

    List keys are exploded (any element may agree) and rows with a null key
    dropped.

    Returns:
        The rows, and whether a list key was exploded (only then can a record
        have the same key twice).

    Raises:
        ModelError: A key is not a column of ``frame``.
    """
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise ModelError(f"blocking key(s) {missing} are not prepared columns")
    out = frame.select(
        pl.col("rec").alias(side), *[pl.col(k).alias(f"k{i}") for i, k in enumerate(keys)]
    )
    exploded = False
    for i, _ in enumerate(keys):
        if isinstance(out.schema[f"k{i}"], pl.List):
            out = out.explode(f"k{i}")
            exploded = True
    return out.drop_nulls(), exploded


def _keys(frame: pl.DataFrame, keys: Sequence[str], side: str) -> tuple[pl.DataFrame, bool]:
    """A rule's distinct key rows, and whether a record has several of them."""
    rows, exploded = key_rows(frame, keys, side)
    rows = rows.unique() if exploded else rows
    return rows, rows.height != rows[side].n_unique()


def _right_keys(frame: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, bool]:
    # The plan side of an index is blocked against every night: its key rows
    # are computed once per frame.
    return frame_cached(frame, ("blocking keys", tuple(keys)), lambda: _keys(frame, keys, "r"))


def prime_right_keys(right: pl.DataFrame, rules: Sequence[BlockingRule]) -> None:
    """Compute ``right``'s key rows under ``rules`` now (kept with the frame for :func:`block`).

    An index does this when it is built, so that a night blocks only its own
    attendances' keys.
    """
    for rule in rules:
        _right_keys(right, rule.keys_right)


def block(
    left: pl.DataFrame,
    right: pl.DataFrame,
    rules: Sequence[BlockingRule],
    *,
    dedupe: bool = False,
) -> Candidates:
    """Candidate pairs from the union of ``rules``.

    Args:
        left: Prepared left frame (must have ``rec`` and the rules' left keys).
        right: Prepared right frame (``rec`` and the right keys).
        rules: Blocking rules, in priority order.
        dedupe: ``left`` and ``right`` are the same table: keep only ``l < r``.

    Returns:
        The de-duplicated candidate pairs with per-rule counts.

    Raises:
        ModelError: A rule names a column the frames do not have, or the left
            and right keys of a rule differ in number.
    """
    parts = []
    counts: dict[str, int] = {}
    # A pair as one UInt64 (l in the high half): de-duplicating and sorting one
    # integer column is several times cheaper than grouping on two.
    pair_key = (pl.col("l").cast(pl.UInt64) * _HIGH + pl.col("r").cast(pl.UInt64)).alias("k")
    for i, rule in enumerate(rules):
        if len(rule.left_keys) != len(rule.keys_right):
            raise ModelError(f"blocking rule {rule.name!r}: left and right key counts differ")
        lk, l_multi = _keys(left, rule.left_keys, "l")
        rk, r_multi = _right_keys(right, rule.keys_right)
        on = [f"k{j}" for j in range(len(rule.left_keys))]
        # Align key dtypes (e.g. a Date key against a Date key from another table).
        rk = rk.with_columns([pl.col(c).cast(lk.schema[c]) for c in on])
        joined = lk.join(rk, on=on, how="inner")
        if dedupe:
            joined = joined.filter(pl.col("l") < pl.col("r"))
        keys = joined.select(pair_key).to_series()
        # When each record has one key row the join's pairs are already
        # distinct; exploded list keys can find a pair twice.
        if l_multi or r_multi:
            keys = keys.unique()
        counts[rule.name] = keys.len()
        parts.append(keys.to_frame().with_columns(pl.lit(i, pl.UInt8).alias("rule")))
    if not parts:
        empty = pl.DataFrame(schema={"l": pl.UInt32, "r": pl.UInt32, "rule": pl.UInt8})
        return Candidates(pairs=empty, rule_counts=counts)
    # Rules are concatenated in priority order and the sort is stable, so the
    # first row of each pair carries the first rule that found it.
    pairs = (
        pl.concat(parts)
        .sort("k", maintain_order=True)
        .unique("k", keep="first", maintain_order=True)
        .select(
            (pl.col("k") // _HIGH).cast(pl.UInt32).alias("l"),
            (pl.col("k") % _HIGH).cast(pl.UInt32).alias("r"),
            "rule",
        )
    )
    return Candidates(pairs=pairs, rule_counts=counts)


def generic_blocking_rules() -> tuple[BlockingRule, ...]:
    """The generic linker's default rules: two keys each, so blocks stay small at any size.

    The flag path's rules (``default_blocking_rules``) block on one date of
    birth alone, which a plan list of a few hundred thousand children bears;
    on a table of millions of people of all ages a date of birth is shared by
    about 30 people and the pairs grow with the square of the table. Each rule
    here pairs two keys, and the union keeps a true pair when any one field is
    wrong: on ``benchmarks/dedupe_1m.py``'s 100,000 records (41,341 true pairs)
    it reaches blocking recall 0.984 with 44,000 pairs, where the flag path's
    rules reach 0.992 with 0.6M (and about 50M at a million records). No rule
    keys on the home alone (a house number and street): it pairs every member
    of a household, whom the independent weights of surname, postcode and
    address then cannot tell apart (precision fell to 0.57 with it).
    """
    return (
        BlockingRule("nhs_number", ("nhs",), why="the NHS number, where present and valid"),
        BlockingRule(
            "dob_surname_sound",
            ("dob", "family_ph_parts"),
            why="given name misspelt, nicknamed or missing",
        ),
        BlockingRule(
            "dob_given_group",
            ("dob", "given_groups"),
            why="surname changed or misspelt",
        ),
        BlockingRule(
            "given_group_surname_sound_year",
            ("given_groups", "family_ph_parts", "dob_year"),
            why="day or month of birth mistyped or swapped",
        ),
        BlockingRule(
            "postcode_given_group",
            ("postcode", "given_groups"),
            why="surname changed and date of birth wrong, family not moved",
        ),
        BlockingRule(
            "postcode_year",
            ("postcode", "dob_year"),
            why="both names changed or misspelt, family not moved",
        ),
        BlockingRule(
            "dob_swapped_surname_sound",
            ("dob_swap", "family_ph_parts"),
            ("dob", "family_ph_parts"),
            why="day and month of birth swapped and the given name changed",
        ),
    )
