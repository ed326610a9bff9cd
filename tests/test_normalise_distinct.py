"""Large inputs go through the distinct-value path; results must not change."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from cpflag.normalise import normalise_address, normalise_name, parse_newborn_placeholder
from cpflag.normalise._distinct import MIN_ROWS

_NAMES = ["O'Brien", None, "JosÃ©", "Baby of Smith", "Smith-Jones", "", "Twin 1", "Mr Ali"]
_FAMILIES = ["Smith", "Baby", None, "Kaur", "Smith (baby of)", "Nowak"]
_ADDRESSES = ["Flat 3, 12 High St", None, "12 St Johns Rd LS1 1AA", "", "Flat B 7 Park Rd"]


def _big(values: list[str | None], n: int) -> pl.Series:
    return pl.Series([values[i % len(values)] for i in range(n)], dtype=pl.String)


def _chunked(fn: Callable[..., pl.Series | pl.DataFrame], *series: pl.Series) -> pl.DataFrame:
    """The same transform run in chunks too small for the distinct path."""
    size = MIN_ROWS // 2
    parts = [fn(*(s.slice(i, size) for s in series)) for i in range(0, len(series[0]), size)]
    frames = [p.to_frame() if isinstance(p, pl.Series) else p for p in parts]
    return pl.concat(frames)


def test_distinct_path_matches_direct_path() -> None:
    n = 3 * MIN_ROWS + 17
    names, families, addresses = _big(_NAMES, n), _big(_FAMILIES, n), _big(_ADDRESSES, n)
    assert normalise_name(names).to_frame().equals(_chunked(normalise_name, names))
    assert parse_newborn_placeholder(names, families).equals(
        _chunked(parse_newborn_placeholder, names, families)
    )
    assert normalise_address(addresses).equals(_chunked(normalise_address, addresses))
    assert normalise_name(names).name == names.name
