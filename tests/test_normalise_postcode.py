"""Postcode normalisation: reference equality, idempotence, pseudo-postcodes."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import normalise_postcode
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)
COLS = ["postcode", "pc_sector", "pc_district", "pc_area", "pc_status"]


@FAST
@given(st.lists(gen.POSTCODES, max_size=20))
def test_matches_reference_and_is_idempotent(values: list[str | None]) -> None:
    once = normalise_postcode(pl.Series(values, dtype=pl.String))
    assert once.columns == COLS
    assert once.rows() == [ref.postcode(v) for v in values]
    twice = normalise_postcode(once["postcode"])
    assert twice["postcode"].to_list() == once["postcode"].to_list()
    valid = once["pc_status"] == "valid"
    assert twice.filter(valid).equals(once.filter(valid))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sw1a1aa", ("SW1A 1AA", "SW1A 1", "SW1A", "SW")),
        ("  Sw1A   1aA ", ("SW1A 1AA", "SW1A 1", "SW1A", "SW")),
        ("m1-1ae", ("M1 1AE", "M1 1", "M1", "M")),
        ("B33 8TH", ("B33 8TH", "B33 8", "B33", "B")),
        ("CR2 6XH", ("CR2 6XH", "CR2 6", "CR2", "CR")),
        ("DN55 1PT", ("DN55 1PT", "DN55 1", "DN55", "DN")),
        ("W1A 0AX", ("W1A 0AX", "W1A 0", "W1A", "W")),
        ("EC1A 1BB", ("EC1A 1BB", "EC1A 1", "EC1A", "EC")),
        ("GIR 0AA", ("GIR 0AA", "GIR 0", "GIR", "GIR")),
    ],
)
def test_valid_formats(raw: str, expected: tuple[str, str, str, str]) -> None:
    row = normalise_postcode(pl.Series([raw])).row(0)
    assert row == (*expected, "valid")


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("ZZ99 3VZ", "no_fixed_abode"),
        ("zz993vz", "no_fixed_abode"),
        ("NFA", "no_fixed_abode"),
        ("No Fixed Abode", "no_fixed_abode"),
        ("ZZ99 3WZ", "not_known"),
        ("ZZ99 3CZ", "not_known"),
        ("ZZ99 1WZ", "not_known"),
        ("unknown", "not_known"),
        ("N/K", "not_known"),
        ("", "missing"),
        ("N/A", "missing"),
        (None, "missing"),
        ("SW1A 1", "malformed"),
        ("LS9 7", "malformed"),
        ("1AA SW1A", "malformed"),
        ("SW1A 1AAA", "malformed"),
        ("ßW1A 1AA", "malformed"),
        ("ＳＷ1A 1AA", "malformed"),
    ],
)
def test_pseudo_missing_and_malformed_carry_no_location(raw: str | None, status: str) -> None:
    row = normalise_postcode(pl.Series([raw], dtype=pl.String)).row(0)
    assert row == (None, None, None, None, status)


def test_length_order_and_empty() -> None:
    s = pl.Series(["ZZ99 3VZ", None, "ls1 1aa", "x"])
    out = normalise_postcode(s)
    assert out["postcode"].to_list() == [None, None, "LS1 1AA", None]
    assert normalise_postcode(pl.Series([], dtype=pl.String)).shape == (0, 5)


@pytest.mark.parametrize(
    ("raw", "district", "area"),
    [("LS9", "LS9", "LS"), (" sw1a ", "SW1A", "SW"), ("B97", "B97", "B"), ("(N1C)", "N1C", "N")],
)
def test_an_outward_code_alone_is_a_partial_postcode_with_its_district(
    raw: str, district: str, area: str
) -> None:
    row = normalise_postcode(pl.Series([raw], dtype=pl.String)).row(0)
    assert row == (None, None, district, area, "partial")
