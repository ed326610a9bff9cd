"""Property tests of the generator's noise primitives (Modulus 11, typos, dates)."""

from __future__ import annotations

import datetime as dt

import jellyfish
import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.synth import _dates, _nhs, _text

EPOCH = dt.date(1970, 1, 1)


def _reference_check(first9: int) -> int:
    """Modulus 11 the slow, obvious way (weights 10..2)."""
    digits = [int(c) for c in f"{first9:09d}"]
    total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 999_999_999), min_size=1, max_size=20))
def test_check_digits_match_the_definition(bases: list[int]) -> None:
    got = _nhs.check_digits(np.array(bases, dtype=np.int64)).tolist()
    assert got == [_reference_check(b) for b in bases]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_issued_numbers_are_valid_unique_and_corruption_always_fails(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    numbers = _nhs.issue_numbers(rng, n)
    assert numbers.len() == n
    assert numbers.is_unique().all()
    assert numbers.str.contains(r"^[467]\d{9}$").all()
    assert _nhs.is_valid(numbers).all()
    bad = _nhs.corrupt_digit(rng, numbers)
    assert (bad.str.len_chars() == 10).all()
    assert not _nhs.is_valid(bad).any()


def test_known_numbers_and_formats() -> None:
    s = pl.Series(["9434765919", "943 476 5919", "943-476-5919", "9434765918", None, "123"])
    assert _nhs.is_valid(s).to_list() == [True, True, True, False, False, False]
    styled = _nhs.format_nhs(pl.Series(["9434765919"] * 3), np.array([0, 1, 2], dtype=np.int8))
    assert styled.to_list() == ["9434765919", "943 476 5919", "943-476-5919"]


names = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyzABCZ-' ")), min_size=2, max_size=14
)


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_one_edit_is_exactly_one_edit(values: list[str], seed: int) -> None:
    # Trailing spaces would be lost by the fixed-width representation; real names
    # are stripped before noise is applied.
    values = [v.strip() or "ab" for v in values]
    out = _text.one_edit(np.random.default_rng(seed), pl.Series(values)).to_list()
    for before, after in zip(values, out, strict=True):
        assert jellyfish.damerau_levenshtein_distance(before, after) == 1, (before, after)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["LS12 3AB", "B1 1AA", "SW19 2XY", "M3 4DF"]), min_size=1, max_size=20
    ),
    st.integers(0, 2**32 - 1),
)
def test_postcode_substitution_keeps_character_classes(values: list[str], seed: int) -> None:
    out = _text.class_substitute(np.random.default_rng(seed), pl.Series(values)).to_list()
    for before, after in zip(values, out, strict=True):
        assert len(before) == len(after)
        diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
        assert len(diff) == 1
        a, b = diff[0]
        assert a.isdigit() == b.isdigit()
        assert a.isalpha() == b.isalpha()


dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2026, 11, 25))


@settings(max_examples=200, deadline=None)
@given(st.lists(dates, min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_date_noise_gives_real_different_not_later_dates(values: list[dt.date], seed: int) -> None:
    rng = np.random.default_rng(seed)
    days = np.array([(v - EPOCH).days for v in values], dtype=np.int64)
    latest = np.full(days.size, (dt.date(2026, 11, 25) - EPOCH).days, dtype=np.int64)
    for new, ok in (
        _dates.digit_typo(rng, days, latest),
        _dates.swap_day_month(days, latest),
        _dates.year_off(rng, days, latest),
    ):
        assert (new[ok] != days[ok]).all()
        assert (new[~ok] == days[~ok]).all()
        assert (new <= latest).all()
    swapped, ok = _dates.swap_day_month(days, latest)
    for v, s, k in zip(values, swapped.tolist(), ok.tolist(), strict=True):
        if k:
            w = EPOCH + dt.timedelta(days=s)
            assert (w.day, w.month, w.year) == (v.month, v.day, v.year)
        else:
            assert (
                v.day > 12
                or v.day == v.month
                or (EPOCH + dt.timedelta(days=int(latest[0]))) < dt.date(v.year, v.day, v.month)
            )
    off, ok = _dates.year_off(rng, days, latest)
    for v, s in zip(values, off.tolist(), strict=True):
        w = EPOCH + dt.timedelta(days=s)
        assert abs(w.year - v.year) <= 1
        assert w.month == v.month
