"""Given-name variant groups: nicknames and transliterations.

Each given name gets a set of *group keys*: the name itself, every canonical
name it is a nickname of according to the ``nicknames`` package
(``NickNamer().canonicals_of``, a US-curated list), and the canonical names in
our own ``data/given_name_variants.csv`` (British nicknames -- Alfie, Ollie,
Izzy, Millie, Evie... -- and transliteration sets in which every spelling points
at one key: Mohammed/Mohamed/Muhammed/Md -> muhammad, Aleksander/Oleksandr ->
alexander, Katarzyna/Kasia -> katherine ...).

Two names are variants of each other when their key sets intersect. That is
membership, not a transitive closure: "al" lists a dozen canonical names, which
makes "al" agree with each of them, but does not make "alfred" agree with
"albert".
"""

from __future__ import annotations

import csv
import functools
import io
import re
from importlib import resources

import polars as pl
from nicknames import NickNamer

__all__ = ["given_name_groups", "given_name_variant_map"]

_WORD = re.compile(r"[a-z]+")


def _curated() -> dict[str, set[str]]:
    text = resources.files("cpflag").joinpath("data", "given_name_variants.csv").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["name"], set()).add(row["canonical"])
    return out


@functools.cache
def given_name_variant_map() -> dict[str, tuple[str, ...]]:
    """Every known given name and the canonical names it is a variant of.

    Returns:
        ``{name: sorted canonical names}`` over lower-case a-z names: the
        ``nicknames`` package's canonical lookup united with the curated CSV. A
        name absent from the map has only itself as a group key. Cached: do not
        mutate the result.
    """
    merged: dict[str, set[str]] = {}
    for name, canonicals in NickNamer().canonical_lookup.items():
        if _WORD.fullmatch(name):
            merged.setdefault(name, set()).update(c for c in canonicals if _WORD.fullmatch(c))
    for name, canonicals in _curated().items():
        merged.setdefault(name, set()).update(canonicals)
    return {k: tuple(sorted(v - {k})) for k, v in sorted(merged.items()) if v - {k}}


@functools.cache
def _groups_frame() -> pl.DataFrame:
    """The map as a frame ``(name, groups)``, groups sorted and including the name."""
    mapping = given_name_variant_map()
    return pl.DataFrame(
        {
            "name": list(mapping),
            "groups": [sorted({k, *v}) for k, v in mapping.items()],
        },
        schema={"name": pl.String, "groups": pl.List(pl.String)},
    )


def given_name_groups(normalised: pl.Series) -> pl.Series:
    """The variant group keys of the first word of each normalised given name.

    Args:
        normalised: Output of :func:`cpflag.normalise.normalise_name` (given names).

    Returns:
        A ``list[str]`` Series of the same length and name: the sorted group keys
        (the first word itself plus its canonical names), or null where the name
        is null.
    """
    if normalised.dtype != pl.String:
        normalised = normalised.cast(pl.String, strict=False)
    first = normalised.str.extract(r"([^ ]+)", 1)
    joined = pl.DataFrame({"name": first}).join(
        _groups_frame(), on="name", how="left", maintain_order="left"
    )
    return joined.select(
        pl.when(pl.col("name").is_not_null())
        .then(pl.coalesce(pl.col("groups"), pl.concat_list(pl.col("name"))))
        .alias(normalised.name)
    ).to_series()
