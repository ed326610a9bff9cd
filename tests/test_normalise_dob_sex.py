"""Date-of-birth swap and keys; sex codes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import dob_keys, normalise_sex, swap_day_month
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)
DATES = st.one_of(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.none())


@FAST
@given(st.lists(DATES, max_size=25))
def test_swap_matches_reference(values: list[dt.date | None]) -> None:
    s = pl.Series(values, dtype=pl.Date)
    assert swap_day_month(s).to_list() == [ref.swap(v) for v in values]


@FAST
@given(st.lists(DATES, max_size=25))
def test_swap_is_an_involution_where_defined(values: list[dt.date | None]) -> None:
    s = pl.Series(values, dtype=pl.Date)
    swapped = swap_day_month(s)
    back = swap_day_month(swapped)
    for original, sw, b in zip(values, swapped.to_list(), back.to_list(), strict=True):
        if sw is not None:
            assert b == original


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2016, 3, 4), dt.date(2016, 4, 3)),
        (dt.date(2016, 4, 3), dt.date(2016, 3, 4)),
        (dt.date(2016, 12, 31), None),
        (dt.date(2016, 5, 5), None),
        (dt.date(2016, 1, 13), None),
        (dt.date(2020, 2, 29), None),
        (dt.date(2016, 2, 12), dt.date(2016, 12, 2)),
        (None, None),
    ],
)
def test_swap_examples(date: dt.date | None, expected: dt.date | None) -> None:
    out = swap_day_month(pl.Series("dob", [date], dtype=pl.Date))
    assert out.name == "dob"
    assert out.dtype == pl.Date
    assert out.to_list() == [expected]


def test_dob_keys() -> None:
    out = dob_keys(pl.Series([dt.date(2016, 3, 4), None]))
    assert out.schema == {"dob_year": pl.Int16, "dob_month": pl.Int8, "dob_day": pl.Int8}
    assert out.rows() == [(2016, 3, 4), (None, None, None)]


@FAST
@given(st.lists(gen.SEXES, max_size=25))
def test_sex_matches_reference(values: list[str | None]) -> None:
    out = normalise_sex(pl.Series(values, dtype=pl.String))
    assert out.to_list() == [ref.sex(v) for v in values]
    assert out.null_count() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("M", "M"), ("m", "M"), ("Male", "M"), ("boy", "M"), ("1", "M"), ("01", "M"),
        ("F", "F"), ("f", "F"), ("FEMALE", "F"), ("Girl", "F"), ("2", "F"), (" f. ", "F"),
        ("9", "U"), ("X", "U"), ("x", "U"), ("0", "U"), ("U", "U"), ("", "U"), (None, "U"),
        ("unknown", "U"), ("indeterminate", "U"), ("3", "U"),
    ],
)  # fmt: skip
def test_sex_codes(raw: str | None, expected: str) -> None:
    assert normalise_sex(pl.Series([raw], dtype=pl.String)).to_list() == [expected]


def test_sex_integer_ecds_codes() -> None:
    assert normalise_sex(pl.Series([1, 2, 9, None])).to_list() == ["M", "F", "U", "U"]
