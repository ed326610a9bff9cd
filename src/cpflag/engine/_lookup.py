"""Blocking by dictionary look-up: candidates of one record without a polars join.

For a batch, candidate pairs come from polars equi-joins (``linkage.block``).
For one record at triage time a join costs more than the whole comparison, so
each blocking rule's keys over the plan side are turned once into a
dictionary, and a record's candidates are the union of its keys' entries: the
same pairs the join gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from cpflag.linkage import BlockingRule

__all__ = ["KeyLookup"]


@attrs.frozen
class KeyLookup:
    """Dictionaries from each blocking rule's key tuple to right-frame rows."""

    rules: tuple[BlockingRule, ...]
    maps: tuple[dict[tuple[Any, ...], list[int]], ...]

    @classmethod
    def build(cls, rules: Sequence[BlockingRule], right: pl.DataFrame) -> KeyLookup:
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
        return cls(rules=tuple(rules), maps=tuple(maps))

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
