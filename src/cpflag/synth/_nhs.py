"""NHS numbers for the generator: issue valid ones, corrupt some, format them.

Deliberately independent of cpflag's own normalisation code, so that a bug in
cpflag's Modulus 11 check cannot hide in data made by the same code.
Modulus 11: weights 10..2 on the first nine digits; check = 11 - (sum mod 11);
11 becomes 0; 10 means the nine digits can never form a valid number.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["check_digits", "corrupt_digit", "format_nhs", "is_valid", "issue_numbers"]

#: Ranges of the first nine digits in use in England (4xx..., 6xx... to 7xx...).
_RANGES: Final = ((400_000_000, 500_000_000), (600_000_000, 800_000_000))


def check_digits(first9: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The Modulus 11 check digit of each nine-digit base; 10 marks "no valid number".

    Args:
        first9: Integers below 10**9 (the first nine digits).

    Returns:
        The check digit (0-9), or 10 where no valid number exists.
    """
    total = np.zeros(first9.shape[0], dtype=np.int64)
    rest = first9.astype(np.int64)
    # Peel digits from the right: the last of the nine digits has weight 2.
    for weight in range(2, 11):
        total += (rest % 10) * weight
        rest //= 10
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def issue_numbers(rng: np.random.Generator, n: int) -> pl.Series:
    """``n`` distinct valid NHS numbers as 10-digit strings.

    The nine-digit bases are ``(a * i + b) mod M`` for i = 0, 1, 2, ... with
    ``a`` coprime to ``M`` (the size of the ranges in use): a bijection, so the
    numbers are distinct without a sort, yet scattered over the ranges.

    Args:
        rng: The generator's random source.
        n: How many numbers (at most ~270 million).

    Returns:
        A String series of ``n`` unique, valid numbers.
    """
    span = (_RANGES[0][1] - _RANGES[0][0]) + (_RANGES[1][1] - _RANGES[1][0])
    # M = 3 * 10**8 = 2**8 * 3 * 5**8: a multiplier coprime to it avoids 2, 3, 5.
    a = int(rng.integers(10**7, 10**8)) | 1
    while a % 3 == 0 or a % 5 == 0:
        a += 2
    b = int(rng.integers(0, span))
    want = int(n * 1.12) + 16
    v = (np.arange(want, dtype=np.int64) * a + b) % span
    low = _RANGES[0][1] - _RANGES[0][0]
    base = np.where(v < low, _RANGES[0][0] + v, _RANGES[1][0] + (v - low))
    check = check_digits(base)
    ok = check != 10
    numbers = (base[ok] * 10 + check[ok])[:n]
    if numbers.size < n:  # pragma: no cover - 1 in 11 bases is invalid; 12% spare
        raise ValueError("not enough NHS numbers drawn")
    # Shuffle, so that members of one household get unrelated-looking numbers.
    numbers = numbers[rng.permutation(n)]
    return pl.Series(values=numbers, dtype=pl.Int64()).cast(pl.String()).str.zfill(10)


def is_valid(numbers: pl.Series) -> pl.Series:
    """Whether each string is a valid NHS number (10 digits, separators ignored).

    Args:
        numbers: Strings; nulls allowed.

    Returns:
        A Boolean series; null input gives False.
    """
    clean = numbers.str.replace_all(r"[\s\-]", "")
    ok = clean.str.contains(r"^\d{10}$").fill_null(False)
    out = np.zeros(len(numbers), dtype=bool)
    idx = np.flatnonzero(ok.to_numpy())
    if idx.size:
        vals = clean.gather(idx).cast(pl.Int64()).to_numpy()
        out[idx] = check_digits(vals // 10) == vals % 10
    return pl.Series(values=out, dtype=pl.Boolean())


def corrupt_digit(rng: np.random.Generator, numbers: pl.Series) -> pl.Series:
    """Change one digit of each valid 10-digit number so that it fails Modulus 11.

    Any single-digit change of a valid number fails the check: a change of a
    data digit by d changes the weighted sum by w*d (w in 2..10, d in 1..9),
    never a multiple of 11, so the expected check digit changes (or becomes 10).

    Args:
        rng: The generator's random source.
        numbers: Valid 10-digit strings (no nulls).

    Returns:
        The corrupted numbers.
    """
    n = len(numbers)
    if n == 0:
        return numbers
    vals = numbers.cast(pl.Int64()).to_numpy()
    pos = rng.integers(0, 10, size=n)  # 0 = first digit
    power = 10 ** (9 - pos)
    digit = (vals // power) % 10
    shift = rng.integers(1, 10, size=n)
    new_digit = (digit + shift) % 10
    # A leading zero would drop a digit; NHS numbers in use start 4, 6 or 7.
    new_digit = np.where((pos == 0) & (new_digit == 0), (digit + 1) % 9 + 1, new_digit)
    new_digit = np.where(new_digit == digit, (digit + 1) % 10, new_digit)
    out = vals + (new_digit - digit) * power
    return pl.Series(values=out, dtype=pl.Int64()).cast(pl.String()).str.zfill(10)


def format_nhs(numbers: pl.Series, style: npt.NDArray[np.int8]) -> pl.Series:
    """Write numbers plain (style 0), as ``485 777 3456`` (1) or ``485-777-3456`` (2).

    Args:
        numbers: 10-digit strings; nulls stay null.
        style: The style per row.

    Returns:
        The formatted strings.
    """
    frame = pl.DataFrame({"n": numbers, "s": style})
    sep = pl.when(pl.col("s") == 1).then(pl.lit(" ")).otherwise(pl.lit("-"))
    grouped = pl.concat_str(
        [
            pl.col("n").str.slice(0, 3),
            sep,
            pl.col("n").str.slice(3, 3),
            sep,
            pl.col("n").str.slice(6, 4),
        ]
    )
    return frame.select(
        pl.when(pl.col("s") == 0).then(pl.col("n")).otherwise(grouped).alias("n")
    ).to_series()
