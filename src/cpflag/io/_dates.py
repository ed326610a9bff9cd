"""Vectorised parsing of the date and date-time text found in real extracts.

Every accepted layout is an anchored regular expression whose parts (year,
month, day, hour, ...) are pulled out with ``str.extract_groups``; the layouts
do not overlap, so the parts of all layouts are coalesced into one set of
columns and checked arithmetically (month 1-12, day within the month, leap
years, hour 0-23 ...). Doing the calendar check ourselves, rather than through
``strptime`` with ``strict=False``, is what lets us say *why* a value was
refused -- ``impossible date`` versus ``ambiguous two-digit year`` versus
``unrecognised date format`` -- and stops chrono from quietly reading
``01/02/20`` as the year 20 AD.

The work is done once per *distinct* string and joined back, because dates of
birth and list dates repeat heavily in large tables.

Reasons never contain the value itself (a date of birth is identifying).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Final

import polars as pl

__all__ = [
    "REASON_AMBIGUOUS_YEAR",
    "REASON_IMPOSSIBLE_DATE",
    "REASON_IMPOSSIBLE_TIME",
    "REASON_UNRECOGNISED",
    "parse_dates",
    "parse_datetimes",
]

REASON_UNRECOGNISED: Final = "unrecognised date format"
REASON_AMBIGUOUS_YEAR: Final = "ambiguous two-digit year"
REASON_IMPOSSIBLE_DATE: Final = "impossible date"
REASON_IMPOSSIBLE_TIME: Final = "impossible time"

#: Values carrying a Z or a UTC offset are converted to this zone's wall-clock
#: time, because naive values in English ED and LA extracts are UK local time.
LOCAL_TIME_ZONE: Final = "Europe/London"

# An optional time of day after the date: ``T10:30``, `` 10:30:15.123``, with
# an optional ``Z`` or ``+01:00`` / ``+0100`` / ``+01`` offset.
_TIME = (
    r"(?:(?:T|\s+|T\s*)(?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"\s*(?P<Z>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_SEP = r"[-/.]"

#: English month names and abbreviations, any case; only these are accepted.
_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
#: Month number = position of the first three letters in this string / 3 + 1.
_MONTH_ORDER: Final = "janfebmaraprmayjunjulaugsepoctnovdec"

# Layouts, each anchored; their parts use the same group names so they coalesce.
_LAYOUTS: Final[tuple[tuple[str, str], ...]] = (
    # 2020-01-31, 2020/01/31, 2020.1.31 (four-digit year first is never ambiguous)
    ("ymd", rf"^(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<d>\d{{1,2}}){_TIME}$"),
    # 31/01/2020, 1/2/2020, 31-01-2020, 31.01.2020 (UK day-first; mm/dd is never assumed)
    ("dmy", rf"^(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}}){_TIME}$"),
    # 31-Jan-2020, 31 January 2020, 1st Feb 2020
    (
        "dny",
        rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-/. ]*(?P<n>{_MONTH})[-/., ]*"
        rf"(?P<y>\d{{4}}){_TIME}$",
    ),
    # 20200131
    ("compact", rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}}){_TIME}$"),
)

# Layouts with a two-digit year: recognised only to be refused with a clear reason.
_TWO_DIGIT_YEAR: Final = (
    rf"^\d{{1,2}}{_SEP}\d{{1,2}}{_SEP}\d{{2}}{_TIME}$",
    rf"^\d{{1,2}}(?:st|nd|rd|th)?[-/. ]*{_MONTH}[-/., ]*\d{{2}}{_TIME}$",
    rf"^\d{{2}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}{_TIME}$",
)


#: Rows looked at to decide whether parsing distinct values first pays off.
_SAMPLE: Final = 10_000

_PARTS: Final = ("y", "m", "d", "n", "H", "M", "S", "F", "Z")


@functools.cache
def _stages(with_time: bool) -> tuple[list[pl.Expr], ...]:
    """The parsing pipeline as stages of expressions, built once.

    Building polars expressions costs more than running them on a few rows,
    and one triage record must parse in milliseconds, so they are cached.
    """
    text = pl.col("value")
    # Stage 1: every layout's regex (one select: polars runs them in parallel).
    split = [
        text,
        *(text.str.extract_groups(pattern).alias(name) for name, pattern in _LAYOUTS),
        pl.any_horizontal([text.str.contains(p) for p in _TWO_DIGIT_YEAR])
        .fill_null(False)
        .alias("two_digit"),
    ]
    fields = {name: set(re.compile(pattern).groupindex) for name, pattern in _LAYOUTS}
    # Stage 2: coalesce the layouts' parts (they are exclusive) and make numbers.
    parts = {
        part: pl.coalesce(
            [pl.col(name).struct.field(part) for name, _ in _LAYOUTS if part in fields[name]]
            + [pl.lit(None, pl.String)]
        )
        for part in _PARTS
    }
    numbers = [
        text,
        pl.col("two_digit"),
        parts["Z"].alias("Z"),
        parts["y"].cast(pl.Int32, strict=False).alias("y"),
        pl.coalesce(
            parts["m"].cast(pl.Int32, strict=False),
            # Arithmetic rather than replace_strict: a dict lookup costs
            # milliseconds of planning per call, too much for one triage record.
            (
                pl.lit(_MONTH_ORDER).str.find(
                    parts["n"].str.to_lowercase().str.slice(0, 3), literal=True
                )
                // 3
                + 1
            ).cast(pl.Int32),
        ).alias("m"),
        parts["d"].cast(pl.Int32, strict=False).alias("d"),
        parts["H"].cast(pl.Int32, strict=False).fill_null(0).alias("H"),
        parts["M"].cast(pl.Int32, strict=False).fill_null(0).alias("M"),
        parts["S"].cast(pl.Int32, strict=False).fill_null(0).alias("S"),
        parts["F"]
        .str.pad_end(6, "0")
        .str.slice(0, 6)
        .cast(pl.Int32, strict=False)
        .fill_null(0)
        .alias("F"),
    ]
    # Stage 3: calendar and clock checks.
    y, m, d = pl.col("y"), pl.col("m"), pl.col("d")
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    thirty = (m == 4) | (m == 6) | (m == 9) | (m == 11)
    month_days = pl.when(m == 2).then(28 + leap.cast(pl.Int32)).when(thirty).then(30).otherwise(31)
    date_ok = ((y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= month_days)).fill_null(False)
    time_ok = ((pl.col("H") <= 23) & (pl.col("M") <= 59) & (pl.col("S") <= 59)).fill_null(False)
    checks = [
        date_ok.alias("date_ok"),
        (date_ok & time_ok if with_time else date_ok).alias("ok"),
    ]
    # Stage 4: the value and the reason.
    ok = pl.col("ok")
    reason = (
        pl.when(text.is_null())
        .then(None)
        .when(pl.col("two_digit"))
        .then(pl.lit(REASON_AMBIGUOUS_YEAR))
        .when(y.is_null() | m.is_null() | d.is_null())
        .then(pl.lit(REASON_UNRECOGNISED))
        .when(~pl.col("date_ok"))
        .then(pl.lit(REASON_IMPOSSIBLE_DATE))
        .when(~ok)
        .then(pl.lit(REASON_IMPOSSIBLE_TIME))
        .otherwise(None)
    )

    # pl.date/pl.datetime raise on impossible components, so rows that failed
    # the checks get harmless stand-ins here and are nulled afterwards.
    def safe(name: str, default: int) -> pl.Expr:
        return pl.when(ok).then(pl.col(name)).otherwise(default)

    if with_time:
        built = pl.datetime(
            safe("y", 2000),
            safe("m", 1),
            safe("d", 1),
            safe("H", 0),
            safe("M", 0),
            safe("S", 0),
            safe("F", 0),
            time_unit="us",
        )
    else:
        built = pl.date(safe("y", 2000), safe("m", 1), safe("d", 1))
    result = [text, pl.col("Z"), pl.when(ok).then(built).alias("parsed"), reason.alias("reason")]
    return split, numbers, checks, result


@functools.cache
def _to_local() -> pl.Expr:
    """Shift ``parsed`` by the ``Z`` offset into Europe/London wall-clock time."""
    zone = pl.col("Z")
    sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    off_h = zone.str.slice(1, 2).cast(pl.Int32, strict=False).fill_null(0)
    off_m = zone.str.replace_all(":", "").str.slice(3, 2).cast(pl.Int32, strict=False).fill_null(0)
    as_local = (
        (pl.col("parsed") - pl.duration(minutes=sign * (off_h * 60 + off_m)))
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(LOCAL_TIME_ZONE)
        .dt.replace_time_zone(None)
        .cast(pl.Datetime("us"))
    )
    return pl.when(zone.is_not_null()).then(as_local).otherwise(pl.col("parsed")).alias("parsed")


def _run(values: pl.Series, *, with_time: bool) -> pl.DataFrame:
    """``value``, ``parsed``, ``reason`` for stripped, blank-as-null strings."""
    split, numbers, checks, result = _stages(with_time)
    df = (
        values.alias("value")
        .to_frame()
        .lazy()
        .select(split)
        .select(numbers)
        .with_columns(checks)
        .select(result)
        .collect()
    )
    if with_time and df.get_column("Z").is_not_null().any():
        # Only inputs with an offset pay for the time-zone conversion.
        df = df.with_columns(_to_local())
    return df.drop("Z")


_CLEAN: Final = (
    pl.col("value").str.strip_chars().pipe(lambda e: pl.when(e.str.len_bytes() > 0).then(e))
)


#: Whole-column shapes of machine-written extracts, parsed in one step when every
#: value has them (``2020-01-31``; ``2020-01-31 10:05[:59]`` or with a ``T``).
_ISO_DATE: Final = r"^\d{4}-\d{2}-\d{2}$"
# Hours 00-23, minutes and seconds 00-59: the general path's limits (a leap
# second "60" is refused there, and so must not reach the fast parser).
_ISO_DATETIME: Final = r"^\d{4}-\d{2}-\d{2}[ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def _iso(text: pl.Series, *, with_time: bool) -> pl.Series | None:
    """The parsed column when every value is ISO and valid, else None (general path).

    Any value of another layout, an impossible date or time, or an offset sends
    the whole column down the general path, which gives the reasons.
    """
    values = text.drop_nulls()
    if (
        values.len() == 0
        or not values.str.contains(_ISO_DATETIME if with_time else _ISO_DATE).all()
    ):
        return None
    if with_time:
        clean = text.str.replace("T", " ", literal=True)
        seconds = clean.str.len_bytes() == 19
        parsed = pl.select(
            pl.when(seconds.fill_null(False))
            .then(clean.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"))
            .otherwise(clean.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"))
        ).to_series()
    else:
        parsed = text.str.to_date("%Y-%m-%d", strict=False)
    # Year 0 parses here but is an impossible date on the general path.
    if parsed.null_count() != text.null_count() or (parsed.dt.year() < 1).any():
        return None
    return parsed


def _parse(s: pl.Series, *, with_time: bool) -> tuple[pl.Series, pl.Series]:
    text = s if s.dtype == pl.String else s.cast(pl.String, strict=False)
    text = text.alias("value").to_frame().select(_CLEAN.alias("value")).to_series()
    fast = _iso(text, with_time=with_time)
    if fast is not None:
        return fast.alias(s.name), pl.Series("reason", [None] * s.len(), dtype=pl.String)
    # Dates of birth and list dates repeat heavily, so parse each distinct
    # string once and join back; arrival times are nearly all distinct, and
    # there the unique + join would cost more than it saves.
    head = text.head(_SAMPLE)
    if head.len() and head.n_unique() > head.len() // 2:
        table = _run(text, with_time=with_time)
    else:
        table = text.to_frame().join(
            _run(text.unique(), with_time=with_time),
            on="value",
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    return table.get_column("parsed").alias(s.name), table.get_column("reason")


def parse_dates(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse text dates in the layouts UK extracts use.

    Accepted: ``2020-01-31`` (also ``/`` or ``.``), ``31/01/2020``, ``1/2/2020``,
    ``31-01-2020``, ``31.01.2020``, ``31-Jan-2020``, ``31 January 2020``,
    ``20200131``; a trailing time of day is ignored. Day-first is always assumed
    for ``d/m/y`` (``12/31/2020`` is an impossible date, never a US date).

    Args:
        s: Text values (other dtypes are cast to text first). Blank and null
            values give a null date and a null reason.

    Returns:
        ``(dates, reasons)``: a ``pl.Date`` series named like ``s``, and a
        string series that is null where the value parsed (or was blank) and
        otherwise one of ``unrecognised date format``, ``ambiguous two-digit
        year`` or ``impossible date``.
    """
    return _parse(s, with_time=False)


def parse_datetimes(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse text date-times in the layouts UK extracts use.

    Accepted: any date layout of :func:`parse_dates` followed by an optional
    time ``HH:MM``, ``HH:MM:SS`` or ``HH:MM:SS.ffffff`` (separated by ``T`` or
    spaces), e.g. ``2020-01-31T10:05:00``, ``2020-01-31 10:05``,
    ``31/01/2020 10:05:59``. A date alone is midnight. Naive values are kept as
    they are (UK wall-clock time); a value with ``Z`` or an offset such as
    ``+01:00`` is converted to Europe/London wall-clock time and stored naive,
    so that it lines up with the naive values around it.

    Args:
        s: Text values (other dtypes are cast to text first).

    Returns:
        ``(datetimes, reasons)``: a naive ``pl.Datetime("us")`` series named like
        ``s``, and a reason series as for :func:`parse_dates`, with ``impossible
        time`` added for hours above 23, minutes or seconds above 59.
    """
    return _parse(s, with_time=True)


_ISO_DATE_RE: Final = re.compile(_ISO_DATE, re.ASCII)
_ISO_DATETIME_RE: Final = re.compile(_ISO_DATETIME, re.ASCII)
#: What ``strip_chars`` strips and Python's ``str.strip`` agrees on.
_BLANKS: Final = " \t\r\n"


class NotPlainISO(ValueError):  # noqa: N818 -- a signal to take the vectorised path
    """The text is not in the machine-written ISO layout :func:`parse_iso_one` reads."""


def parse_iso_one(text: str, *, with_time: bool) -> dt.date | dt.datetime | None:
    """One text value in the ISO layout of a machine-written extract, without polars.

    The plain reading of the whole-column ISO shapes above (``2020-01-31``;
    ``2020-01-31 10:05[:59]`` or with a ``T``), for one record at triage: the
    same value :func:`parse_dates` / :func:`parse_datetimes` give it. Blank is
    None (as there).

    Raises:
        NotPlainISO: Any other layout, an offset, or an impossible date: the
            caller takes the vectorised path, which parses it or says why not.
    """
    clean = text.strip(_BLANKS)
    if clean.strip() != clean:
        raise NotPlainISO("other whitespace")
    if not clean:
        return None
    try:
        if with_time:
            if not _ISO_DATETIME_RE.match(clean):
                raise NotPlainISO("not an ISO date-time")
            return dt.datetime.fromisoformat(clean)
        if not _ISO_DATE_RE.match(clean):
            raise NotPlainISO("not an ISO date")
        return dt.date.fromisoformat(clean)
    except ValueError as exc:  # impossible day or month
        raise NotPlainISO("impossible date") from exc
