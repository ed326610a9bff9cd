"""Vectorised date-of-birth noise: digit typos, day/month swaps, year off by one.

Dates are int32 day numbers (days since 1970-01-01, polars' Date physical
type). Every damaged date is a real calendar date, differs from the original
and is not after the given latest date (a DOB after the arrival would be
rejected at the front desk, not recorded).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["digit_typo", "from_ymd", "is_adult", "swap_day_month", "year_off", "ymd"]

Days = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def ymd(days: Days) -> tuple[Days, Days, Days]:
    """Split day numbers into year, month (1-12) and day (1-31)."""
    dt = days.astype("datetime64[D]")
    months = dt.astype("datetime64[M]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (dt - months).astype(np.int64) + 1
    return y, m, d


def _days_in_month(y: Days, m: Days) -> Days:
    base = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    mm = np.clip(m, 1, 12) - 1
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    out: Days = base[mm] + ((mm == 1) & leap)
    return out


def from_ymd(y: Days, m: Days, d: Days) -> tuple[Days, Mask]:
    """Day numbers from year/month/day, and whether each triple is a real date.

    Invalid triples get day number 0 and ``False``.
    """
    valid = (m >= 1) & (m <= 12) & (d >= 1) & (y >= 1900) & (y <= 2100)
    valid &= d <= _days_in_month(y, m)
    ys = np.where(valid, y, 1970) - 1970
    ms = np.where(valid, m, 1) - 1
    months = (ys * 12 + ms).astype("datetime64[M]")
    out = months.astype("datetime64[D]").astype(np.int64) + np.where(valid, d, 1) - 1
    return np.where(valid, out, 0), valid


def _bump(v: Days, sel: Mask, place: Days, shift: Days) -> Days:
    """Add ``shift`` (mod 10) to the digit at ``place`` (10 or 1) where ``sel``."""
    digit = (v // place) % 10
    new = (digit + shift) % 10
    return np.where(sel, v + (new - digit) * place, v)


def digit_typo(
    rng: np.random.Generator, days: Days, latest: Days, tries: int = 8
) -> tuple[Days, Mask]:
    """Change one digit of DDMMYYYY so the result is another real, not-later date.

    Only the day, month and last two year digits are touched (a century typo
    is implausible). Rows for which no valid typo was found stay unchanged.

    Args:
        rng: The generator's random source.
        days: The true dates.
        latest: The latest acceptable date per row (the arrival date).
        tries: Random attempts per row.

    Returns:
        The new dates and a mask of rows actually changed.
    """
    n = days.shape[0]
    out = days.copy()
    done = np.zeros(n, dtype=bool)
    y, m, d = ymd(days)
    for _ in range(tries):
        todo = ~done
        if not todo.any():
            break
        # digit index: 0,1 day; 2,3 month; 4,5 last two digits of the year
        which: Days = np.asarray(rng.integers(0, 6, size=n), dtype=np.int64)
        shift: Days = np.asarray(rng.integers(1, 10, size=n), dtype=np.int64)
        place = np.where(which % 2 == 0, 10, 1)
        nd = _bump(d, which < 2, place, shift)
        nm = _bump(m, (which >= 2) & (which < 4), place, shift)
        ny = _bump(y, which >= 4, place, shift)
        cand, valid = from_ymd(ny, nm, nd)
        ok = todo & valid & (cand != days) & (cand <= latest)
        out = np.where(ok, cand, out)
        done |= ok
    return out, done


def swap_day_month(days: Days, latest: Days) -> tuple[Days, Mask]:
    """Swap day and month where that gives another real, not-later date.

    Args:
        days: The true dates.
        latest: The latest acceptable date per row.

    Returns:
        The new dates (unchanged where no swap is possible) and the swap mask.
    """
    y, m, d = ymd(days)
    cand, valid = from_ymd(y, d, m)
    ok = valid & (d != m) & (cand <= latest)
    return np.where(ok, cand, days), ok


def year_off(rng: np.random.Generator, days: Days, latest: Days) -> tuple[Days, Mask]:
    """Move the year by one (29 February becomes the 28th where needed).

    Args:
        rng: The generator's random source.
        days: The true dates.
        latest: The latest acceptable date per row.

    Returns:
        The new dates and a mask of rows changed (all, unless both years fail).
    """
    y, m, d = ymd(days)
    sign = np.where(rng.random(days.shape[0]) < 0.5, -1, 1)
    out = days.copy()
    done = np.zeros(days.shape[0], dtype=bool)
    for s in (sign, -sign):
        ny = y + s
        nd = np.minimum(d, _days_in_month(ny, m))
        cand, valid = from_ymd(ny, m, nd)
        ok = ~done & valid & (cand <= latest)
        out = np.where(ok, cand, out)
        done |= ok
    return out, done


def is_adult(dob: Days, day: Days) -> Mask:
    """Whether the person is 18 or over on ``day`` (on or after the 18th birthday)."""
    y0, m0, d0 = ymd(dob)
    y1, m1, d1 = ymd(day)
    years = y1 - y0 - ((m1 * 100 + d1) < (m0 * 100 + d0))
    out: Mask = years >= 18
    return out
