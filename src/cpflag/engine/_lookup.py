"""Blocking by dictionary look-up: candidates of one record without a polars join.

For a batch, candidate pairs come from polars equi-joins (``linkage.block``).
For one record at triage time a join costs more than the whole comparison, so
each blocking rule's keys over the plan side are turned once into a
dictionary, and a record's candidates are the union of its keys' entries: the
same pairs the join gives.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from cpflag.linkage import BlockingRule

__all__ = ["KeyLookup"]


@attrs.frozen
class KeyLookup:
    """Dictionaries from each blocking rule's key to right-frame rows.

    Per rule, a dictionary from the key (the value itself for a one-column
    rule, else a tuple of values) to a group number, and the groups' rows held
    flat in ``array`` form: group ``g``'s rows are
    ``recs[offsets[g]:offsets[g + 1]]``. No group is a list: a dictionary of
    strings, dates and ints is not tracked by the garbage collector at all, and
    tuples of them are untracked on the first collection they meet, so its
    full passes no longer walk a million small lists (issue 16).
    """

    rules: tuple[BlockingRule, ...]
    maps: tuple[dict[Any, Any], ...]
    offsets: tuple[array[int], ...]
    recs: tuple[array[int], ...]

    @classmethod
    def build(cls, rules: Sequence[BlockingRule], right: pl.DataFrame) -> KeyLookup:
        maps, offsets, recs = [], [], []
        for rule in rules:
            keys = list(rule.keys_right)
            frame = right.select("rec", *keys)
            for k in keys:
                if isinstance(frame.schema[k], pl.List):
                    frame = frame.explode(k)
            grouped = frame.drop_nulls().group_by(keys).agg(pl.col("rec").unique())
            one = len(keys) == 1
            key_values = grouped[keys[0]].to_list() if one else grouped.select(keys).rows()
            maps.append(dict(zip(key_values, range(grouped.height), strict=True)))
            ends = grouped["rec"].list.len().cast(pl.Int64).cum_sum().to_numpy()
            off = array("q", [0])
            off.frombytes(ends.astype("i8").tobytes())
            flat = array("I")
            flat.frombytes(grouped["rec"].explode().to_numpy().astype("u4").tobytes())
            offsets.append(off)
            recs.append(flat)
        return cls(rules=tuple(rules), maps=tuple(maps), offsets=tuple(offsets), recs=tuple(recs))

    def candidates_one(self, row: Mapping[str, Any]) -> dict[int, int]:
        """Candidates of one prepared record: ``{r: first rule that found it}``, sorted by r.

        Args:
            row: The record's prepared values (a list value: any element may agree).
        """
        found: dict[int, int] = {}
        for i, rule in enumerate(self.rules):
            mapping, off, recs = self.maps[i], self.offsets[i], self.recs[i]
            combos: list[Any] = [()]
            for k in rule.left_keys:
                v = row[k]
                vals = v if isinstance(v, list) else (v,)
                combos = [(*c, x) for c in combos for x in vals if x is not None]
            for key in combos:
                g = mapping.get(key[0] if len(key) == 1 else key)
                if g is not None:
                    for r in recs[off[g] : off[g + 1]]:
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


def build_lookups(
    sides: Mapping[str, tuple[Sequence[BlockingRule], pl.DataFrame]],
) -> dict[str, KeyLookup]:
    """Key dictionaries for each named plan side.

    Args:
        sides: ``{name: (blocking rules, plan-side frame)}``.

    Returns:
        ``{name: lookup}``.
    """
    return {name: KeyLookup.build(rules, frame) for name, (rules, frame) in sides.items()}
