"""How a person's name ends up on a record: nicknames, variants, typos, babies.

Shared by attendance records and plan rows. Each step returns the new values
and a mask of the rows it changed, so the truth tables can say exactly which
trap was applied to which record.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _reference as ref
from cpflag.synth import _text
from cpflag.synth._util import replace_at

__all__ = [
    "apply_alias",
    "has_alias",
    "pick_alias",
    "recorded_surname",
    "split_hyphen",
    "strip_some",
    "typo",
]

B = npt.NDArray[np.bool_]


@functools.cache
def _alias_table(kind: str) -> tuple[pl.DataFrame, npt.NDArray[np.float64], pl.Series]:
    """Aliases of one kind: per formal name a block of cumulative weights.

    Cumulative weights of block b are b + (0, 1]: one global, increasing array,
    so one searchsorted finds the alias of every record at once.
    """
    t = ref.nicknames().filter(pl.col("kind") == kind).sort("formal", "alias")
    t = t.with_columns(
        (pl.col("weight").cum_sum().over("formal") / pl.col("weight").sum().over("formal")).alias(
            "c"
        )
    )
    formals = t["formal"].unique(maintain_order=True)
    block = t["formal"].replace_strict(
        formals, pl.Series(values=np.arange(formals.len()), dtype=pl.Int64)
    )
    cum = block.to_numpy().astype(np.float64) + t["c"].to_numpy()
    lookup = pl.DataFrame({"formal": formals, "block": np.arange(formals.len())})
    return lookup, cum, t["alias"]


def has_alias(names: pl.Series, kind: str) -> B:
    """Whether each name has an alias of ``kind`` (``nickname`` or ``variant``)."""
    lookup, _, _ = _alias_table(kind)
    return names.is_in(lookup["formal"].implode()).fill_null(False).to_numpy()


def pick_alias(rng: np.random.Generator, names: pl.Series, kind: str) -> pl.Series:
    """A random alias (by weight) of each name; null where the name has none."""
    lookup, cum, aliases = _alias_table(kind)
    block = (
        pl.DataFrame({"formal": names})
        .join(lookup, on="formal", how="left", maintain_order="left")["block"]
        .to_numpy()
    )
    ok = ~np.isnan(block.astype(np.float64))
    out = np.full(names.len(), -1, dtype=np.int64)
    b = block[ok].astype(np.float64)
    idx = np.searchsorted(cum, b + rng.random(b.size) * 0.999999 + 1e-9, side="left")
    out[ok] = np.minimum(idx, cum.size - 1)
    result = aliases.gather(np.maximum(out, 0))
    return pl.select(pl.when(pl.Series(values=ok)).then(result).otherwise(None)).to_series()


def apply_alias(rng: np.random.Generator, names: pl.Series, mask: B, kind: str) -> pl.Series:
    """Replace the names on ``mask`` rows (each must have an alias) by a random alias."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return names
    return replace_at(names, idx, pick_alias(rng, names.gather(idx), kind))


def split_hyphen(rng: np.random.Generator, names: pl.Series) -> pl.Series:
    """One part (first or second, at random) of hyphenated names."""
    parts = names.str.split("-")
    first = rng.random(names.len()) < 0.5
    return pl.select(
        pl.when(pl.Series(values=first)).then(parts.list.first()).otherwise(parts.list.last())
    ).to_series()


def recorded_surname(
    rng: np.random.Generator,
    surname: pl.Series,
    alt: pl.Series,
    double: B,
    alt_rate: float,
    hyphen_rate: float,
) -> tuple[pl.Series, B, B]:
    """The surname a record carries: the second (new partner's) name or one hyphen part.

    Args:
        rng: The generator's random source.
        surname: Registered surnames.
        alt: Second surnames (null where none).
        double: Whether the registered surname is a hyphenated double surname.
        alt_rate: Probability a person with a second surname is recorded under it.
        hyphen_rate: Probability a double surname is recorded as one part.

    Returns:
        ``(surname, alt_used, hyphen_part)``.
    """
    n = surname.len()
    use_alt = alt.is_not_null().to_numpy() & (rng.random(n) < alt_rate)
    one_part = double & ~use_alt & (rng.random(n) < hyphen_rate)
    out = surname
    ia = np.flatnonzero(use_alt)
    if ia.size:
        out = replace_at(out, ia, alt.gather(ia))
    ih = np.flatnonzero(one_part)
    if ih.size:
        out = replace_at(out, ih, split_hyphen(rng, surname.gather(ih)))
    return out, use_alt, one_part


def typo(
    rng: np.random.Generator, values: pl.Series, rate: float, eligible: B
) -> tuple[pl.Series, B]:
    """One-edit typos on a random ``rate`` of the eligible, non-null rows."""
    hit = (
        eligible
        & values.is_not_null().to_numpy()
        & (values.str.len_chars().fill_null(0).to_numpy() > 1)
    )
    hit &= rng.random(values.len()) < rate
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return values, hit
    return replace_at(values, idx, _text.one_edit(rng, values.gather(idx))), hit


def strip_some(rng: np.random.Generator, values: pl.Series, rate: float) -> tuple[pl.Series, B]:
    """Drop diacritics from a random ``rate`` of the names that have any."""
    has = values.str.contains(r"[^\x00-\x7F]").fill_null(False).to_numpy()
    hit = has & (rng.random(values.len()) < rate)
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return values, hit
    return replace_at(values, idx, _text.strip_diacritics(values.gather(idx))), hit
