"""Vectorised date and date-time parsing (cpflag.io._dates)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.io import _dates, parse_dates, parse_datetimes
from cpflag.io._dates import (
    REASON_AMBIGUOUS_YEAR,
    REASON_IMPOSSIBLE_DATE,
    REASON_IMPOSSIBLE_TIME,
    REASON_UNRECOGNISED,
)

D = dt.date
T = dt.datetime


def _one_date(text: str | None) -> tuple[dt.date | None, str | None]:
    values, reasons = parse_dates(pl.Series("x", [text], dtype=pl.String))
    return values[0], reasons[0]


def _one_datetime(text: str | None) -> tuple[dt.datetime | None, str | None]:
    values, reasons = parse_datetimes(pl.Series("x", [text], dtype=pl.String))
    return values[0], reasons[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-31", D(2020, 1, 31)),
        ("2020/01/31", D(2020, 1, 31)),
        ("2020-1-5", D(2020, 1, 5)),
        ("31/01/2020", D(2020, 1, 31)),
        ("1/2/2020", D(2020, 2, 1)),
        ("31-01-2020", D(2020, 1, 31)),
        ("31.01.2020", D(2020, 1, 31)),
        ("31-Jan-2020", D(2020, 1, 31)),
        ("31-JAN-2020", D(2020, 1, 31)),
        ("31 jan 2020", D(2020, 1, 31)),
        ("3 September 2019", D(2019, 9, 3)),
        ("3 Sept 2019", D(2019, 9, 3)),
        ("1st Feb 2020", D(2020, 2, 1)),
        ("20200131", D(2020, 1, 31)),
        ("  2020-01-31  ", D(2020, 1, 31)),
        ("2020-02-29", D(2020, 2, 29)),
        ("2000-02-29", D(2000, 2, 29)),
        # SQL and Excel exports put a midnight time on dates; it is dropped.
        ("2015-03-02 00:00:00.000", D(2015, 3, 2)),
        ("02/03/2015 00:00", D(2015, 3, 2)),
    ],
)
def test_accepted_date_layouts(text: str, expected: dt.date) -> None:
    assert _one_date(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("01/02/20", REASON_AMBIGUOUS_YEAR),
        ("1-2-20", REASON_AMBIGUOUS_YEAR),
        ("31-Jan-20", REASON_AMBIGUOUS_YEAR),
        ("20-01-31", REASON_AMBIGUOUS_YEAR),
        ("31/02/2020", REASON_IMPOSSIBLE_DATE),
        ("01/13/2020", REASON_IMPOSSIBLE_DATE),
        # US month-first is never assumed: this is day 12 of month 31.
        ("12/31/2020", REASON_IMPOSSIBLE_DATE),
        ("2019-02-29", REASON_IMPOSSIBLE_DATE),
        ("1900-02-29", REASON_IMPOSSIBLE_DATE),
        ("2020-04-31", REASON_IMPOSSIBLE_DATE),
        ("0000-01-01", REASON_IMPOSSIBLE_DATE),
        ("31012020", REASON_IMPOSSIBLE_DATE),  # only yyyymmdd is compact
        ("garbage", REASON_UNRECOGNISED),
        ("31-Foo-2020", REASON_UNRECOGNISED),
        ("43831", REASON_UNRECOGNISED),  # an Excel serial number
        ("2020-01", REASON_UNRECOGNISED),
    ],
)
def test_refused_dates_say_why(text: str, reason: str) -> None:
    assert _one_date(text) == (None, reason)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_dates_are_null_without_reason(text: str | None) -> None:
    assert _one_date(text) == (None, None)


def test_us_style_is_read_day_first_when_possible() -> None:
    # 02/03/2020 is 2 March (UK), never 3 February.
    assert _one_date("02/03/2020") == (D(2020, 3, 2), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-01-31T10:05:00", T(2020, 1, 31, 10, 5)),
        ("2020-01-31 10:05", T(2020, 1, 31, 10, 5)),
        ("2020-01-31 10:05:59.25", T(2020, 1, 31, 10, 5, 59, 250000)),
        ("2020-01-31T10:05:59.123456789", T(2020, 1, 31, 10, 5, 59, 123456)),
        ("31/01/2020 10:05:59", T(2020, 1, 31, 10, 5, 59)),
        ("31/01/2020 7:05", T(2020, 1, 31, 7, 5)),
        ("31-Jan-2020 23:59", T(2020, 1, 31, 23, 59)),
        ("2020-01-31", T(2020, 1, 31)),
        ("31/01/2020", T(2020, 1, 31)),
        # Offsets: converted to UK wall-clock time (GMT in winter, BST in summer).
        ("2020-01-31T10:00:00Z", T(2020, 1, 31, 10)),
        ("2020-06-01T12:00:00Z", T(2020, 6, 1, 13)),
        ("2020-06-01T12:00:00+01:00", T(2020, 6, 1, 12)),
        ("2020-06-01T12:00:00+0100", T(2020, 6, 1, 12)),
        ("2020-01-01T12:00:00-05:30", T(2020, 1, 1, 17, 30)),
    ],
)
def test_accepted_datetime_layouts(text: str, expected: dt.datetime) -> None:
    assert _one_datetime(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2020-01-01 24:00", REASON_IMPOSSIBLE_TIME),
        ("2020-01-01 23:60", REASON_IMPOSSIBLE_TIME),
        ("2020-01-01 10:00:61", REASON_IMPOSSIBLE_TIME),
        ("31/02/2020 10:00", REASON_IMPOSSIBLE_DATE),
        ("01/02/20 10:00", REASON_AMBIGUOUS_YEAR),
        ("10:00", REASON_UNRECOGNISED),
        ("yesterday", REASON_UNRECOGNISED),
    ],
)
def test_refused_datetimes_say_why(text: str, reason: str) -> None:
    assert _one_datetime(text) == (None, reason)


def test_dtypes_names_and_alignment() -> None:
    s = pl.Series("dob", ["2020-01-01", None, "bad", "2020-01-01", "31/12/1999"])
    values, reasons = parse_dates(s)
    assert values.dtype == pl.Date
    assert values.name == "dob"
    assert reasons.dtype == pl.String
    assert values.to_list() == [D(2020, 1, 1), None, None, D(2020, 1, 1), D(1999, 12, 31)]
    assert reasons.to_list() == [None, None, REASON_UNRECOGNISED, None, None]
    times, _ = parse_datetimes(s)
    assert times.dtype == pl.Datetime("us")


def test_many_distinct_and_repeated_values_agree() -> None:
    # The two internal strategies (parse distinct values then join; parse all)
    # must give the same answers.
    base = [
        f"{d:02d}/{m:02d}/20{y:02d}" for d in range(1, 32) for m in (1, 2, 13) for y in (19, 20)
    ]
    repeated = pl.Series("x", base * 50)
    distinct = pl.Series("x", base)
    v1, r1 = parse_dates(repeated)
    v2, r2 = parse_dates(distinct)
    assert v1.head(len(base)).to_list() == v2.to_list()
    assert r1.head(len(base)).to_list() == r2.to_list()


_LAYOUTS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%-d/%-m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%Y%m%d",
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=D(1000, 1, 1), max_value=D(9999, 12, 31)),
            st.sampled_from(_LAYOUTS),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_accepted_layout_round_trips(cases: list[tuple[dt.date, str, bool]]) -> None:
    # Many values per call: it exercises the vectorised path and keeps the test fast.
    texts = [d.strftime(f).upper() if up else d.strftime(f) for d, f, up in cases]
    values, reasons = parse_dates(pl.Series("x", texts))
    assert values.to_list() == [d for d, _, _ in cases]
    assert reasons.null_count() == len(cases)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=T(1900, 1, 1), max_value=T(2100, 12, 31)),
            st.sampled_from(
                ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S.%f")
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_datetimes_round_trip(cases: list[tuple[dt.datetime, str]]) -> None:
    values, reasons = parse_datetimes(pl.Series("x", [m.strftime(f) for m, f in cases]))
    assert values.to_list() == [m for m, _ in cases]
    assert reasons.null_count() == len(cases)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=25)), max_size=30))
def test_arbitrary_text_never_raises_and_every_null_has_a_reason(values: list[str | None]) -> None:
    s = pl.Series("x", values, dtype=pl.String)
    for parse in (parse_dates, parse_datetimes):
        parsed, reasons = parse(s)
        assert parsed.len() == reasons.len() == len(values)
        for text, value, reason in zip(values, parsed.to_list(), reasons.to_list(), strict=True):
            # Python's isspace() also counts the \x1c-\x1f separators; polars
            # (Unicode White_Space) does not.
            blank = text is None or all(c.isspace() and c not in "\x1c\x1d\x1e\x1f" for c in text)
            if blank:
                assert value is None
                assert reason is None
            else:
                assert (value is None) != (reason is None)
                # A reason is one of the fixed phrases: it never echoes the value.
                assert reason in (
                    None,
                    REASON_UNRECOGNISED,
                    REASON_AMBIGUOUS_YEAR,
                    REASON_IMPOSSIBLE_DATE,
                    REASON_IMPOSSIBLE_TIME,
                )


# The ISO fast path (a whole column of machine-written dates parsed in one step)
# must give exactly what the general path gives, and step aside for anything else.
_iso_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            _iso_dates.map(lambda d: d.isoformat()),
            st.tuples(st.integers(1900, 2099), st.integers(0, 13), st.integers(0, 32)).map(
                lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
            ),
            st.none(),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_iso_date_fast_path_agrees_with_the_general_path(values: list[str | None]) -> None:
    s = pl.Series("d", values, dtype=pl.String)
    fast = _dates._iso(s, with_time=False)
    general = _dates._run(s, with_time=False)
    if fast is None:
        # Only a column with an impossible date (or nothing to parse) steps aside.
        assert general["reason"].is_not_null().any() or s.null_count() == s.len()
    else:
        assert fast.to_list() == general["parsed"].to_list()
        assert general["reason"].is_null().all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            _iso_dates,
            st.integers(0, 25),
            st.integers(0, 61),
            st.one_of(st.none(), st.integers(0, 61)),
            st.sampled_from([" ", "T"]),
        ).map(
            lambda t: (
                f"{t[0].isoformat()}{t[4]}{t[1]:02d}:{t[2]:02d}"
                + ("" if t[3] is None else f":{t[3]:02d}")
            )
        ),
        min_size=1,
        max_size=30,
    )
)
def test_iso_datetime_fast_path_agrees_with_the_general_path(values: list[str]) -> None:
    s = pl.Series("t", values, dtype=pl.String)
    fast = _dates._iso(s, with_time=True)
    general = _dates._run(s, with_time=True)
    if fast is None:
        assert general["reason"].is_not_null().any()
    else:
        assert fast.to_list() == general["parsed"].to_list()
        assert general["reason"].is_null().all()


def test_a_column_with_one_uk_date_takes_the_general_path() -> None:
    s = pl.Series("d", ["2020-01-31", "31/01/2020"])
    assert _dates._iso(s, with_time=False) is None
    dates, reasons = parse_dates(s)
    assert dates.to_list() == [dt.date(2020, 1, 31), dt.date(2020, 1, 31)]
    assert reasons.is_null().all()
