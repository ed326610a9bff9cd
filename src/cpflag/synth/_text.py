"""Vectorised string noise: one-edit typos, class-preserving substitutions, case.

Strings are turned into a matrix of code points (numpy's fixed-width unicode
viewed as uint32), edited with array operations and turned back, so a typo
costs the same whether it is applied to ten records or a million.

Arithmetic on code points is done in int64, never on the uint32 matrix: under
NumPy 2's promotion rules (NEP 50) ``uint32_array - 97`` stays uint32 and wraps
below zero, and from NumPy 2.5 ``np.where`` refuses a negative Python int
beside a uint32 array (``OverflowError``) where NumPy 1 promoted to int64.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "DIACRITICS",
    "change_case",
    "class_substitute",
    "mask",
    "one_edit",
    "strip_diacritics",
]

_A, _Z, _LA, _LZ = ord("A"), ord("Z"), ord("a"), ord("z")
_D0, _D9 = ord("0"), ord("9")

#: Letters with diacritics in the name lists, and the ASCII an ED system writes.
DIACRITICS: Final = {
    "ą": "a", "ć": "c", "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z",
    "ż": "z", "Ą": "A", "Ć": "C", "Ę": "E", "Ł": "L", "Ń": "N", "Ó": "O", "Ś": "S",
    "Ź": "Z", "Ż": "Z", "ă": "a", "â": "a", "î": "i", "ș": "s", "ş": "s", "ț": "t",
    "ţ": "t", "Ă": "A", "Ș": "S", "Ț": "T", "ë": "e", "é": "e", "è": "e", "ö": "o",
}  # fmt: skip


def mask(
    rng: np.random.Generator, n: int, p: float | npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Bernoulli draws: True with probability ``p`` (scalar or per row)."""
    return rng.random(n) < p


def _to_matrix(
    values: pl.Series, extra: int = 1
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """Code-point matrix (n, width + extra) and lengths of non-null strings."""
    arr = values.to_numpy().astype(str)
    width = max(1, int(np.char.str_len(arr).max(initial=1)))
    fixed = arr.astype(f"<U{width}")
    mat = fixed.view(np.uint32).reshape(len(arr), width)
    out = np.zeros((len(arr), width + extra), dtype=np.uint32)
    out[:, :width] = mat
    return out, np.char.str_len(fixed).astype(np.int64)


def _from_matrix(mat: npt.NDArray[np.uint32]) -> pl.Series:
    """Back from a code-point matrix (trailing zeros are padding)."""
    mat = np.ascontiguousarray(mat)
    arr = mat.view(f"<U{mat.shape[1]}").reshape(mat.shape[0])
    return pl.Series(values=arr, dtype=pl.String())


def _letter_position(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
    """Alphabet position (0-25) of A-Z and a-z, -1 for any other code point.

    Signed throughout: the code points are widened to int64 before anything is
    subtracted, so a code point below ``a`` can never wrap around.
    """
    c = codes.astype(np.int64)
    pos: npt.NDArray[np.int64] = np.where(
        (c >= _A) & (c <= _Z), c - _A, np.where((c >= _LA) & (c <= _LZ), c - _LA, -1)
    )
    return pos


def _random_letter_like(
    rng: np.random.Generator, old: npt.NDArray[np.uint32]
) -> npt.NDArray[np.uint32]:
    """A letter different from ``old``, upper case where ``old`` is upper case."""
    upper = (old >= _A) & (old <= _Z)
    base = np.where(upper, _A, _LA).astype(np.int64)
    oldpos = _letter_position(old)
    shift = rng.integers(1, 26, size=old.shape[0])
    newpos = np.where(oldpos >= 0, (oldpos + shift) % 26, rng.integers(0, 26, size=old.shape[0]))
    return (base + newpos).astype(np.uint32)


def one_edit(rng: np.random.Generator, values: pl.Series) -> pl.Series:
    """Apply exactly one typing error to each (non-null, non-empty) string.

    The edit is a substitution, deletion, insertion or transposition of adjacent
    characters, chosen at random; the result always differs from the input.

    Args:
        rng: The generator's random source.
        values: The strings to damage (no nulls).

    Returns:
        The damaged strings, same order.
    """
    n = len(values)
    if n == 0:
        return values
    mat, length = _to_matrix(values, extra=1)
    width = mat.shape[1]
    op = rng.integers(0, 4, size=n)  # 0 sub, 1 delete, 2 insert, 3 transpose
    op = np.where((op == 1) & (length < 3), 0, op)
    op = np.where((op == 3) & (length < 2), 0, op)
    # Typos cluster after the first letter: people rarely mistype an initial.
    first = np.where(length > 1, 1, 0)
    pos = first + (rng.random(n) * np.maximum(length - first, 1)).astype(np.int64)
    pos = np.minimum(pos, np.maximum(length - 1, 0))
    rows = np.arange(n)
    cols = np.arange(width)[None, :]
    # Transposition of equal characters is no change: use a substitution there.
    t_pos = np.minimum(pos, np.maximum(length - 2, 0))
    same = mat[rows, t_pos] == mat[rows, np.minimum(t_pos + 1, width - 1)]
    op = np.where((op == 3) & same, 0, op)
    pos = np.where(op == 3, t_pos, pos)
    p = pos[:, None]
    src = np.broadcast_to(cols, (n, width)).copy()
    src = np.where((op[:, None] == 1) & (cols >= p), np.minimum(cols + 1, width - 1), src)
    src = np.where((op[:, None] == 2) & (cols > p), cols - 1, src)
    src = np.where((op[:, None] == 3) & (cols == p), cols + 1, src)
    src = np.where((op[:, None] == 3) & (cols == p + 1), cols - 1, src)
    out = np.take_along_axis(mat, src, axis=1)
    # Deleting shifted the last character left; clear the vacated cell.
    last = np.where(op == 1, length - 1, width - 1)
    out[rows[op == 1], last[op == 1]] = 0
    old = mat[rows, pos]
    # An insertion copies a neighbour's case; a substitution keeps the old case.
    letter = _random_letter_like(
        rng, np.where(op == 2, np.where(old >= _LA, _LA, _A), old).astype(np.uint32)
    )
    put = (op == 0) | (op == 2)
    out[rows[put], pos[put]] = letter[put]
    return _from_matrix(out)


def class_substitute(rng: np.random.Generator, values: pl.Series) -> pl.Series:
    """Replace one letter or digit by another of the same class (postcode typos).

    Spaces and other characters are never chosen; the result always differs.

    Args:
        rng: The generator's random source.
        values: Strings with at least one letter or digit (no nulls).

    Returns:
        The damaged strings.
    """
    n = len(values)
    if n == 0:
        return values
    mat, _ = _to_matrix(values, extra=0)
    is_letter = ((mat >= _A) & (mat <= _Z)) | ((mat >= _LA) & (mat <= _LZ))
    is_digit = (mat >= _D0) & (mat <= _D9)
    eligible = is_letter | is_digit
    # Pick a random eligible position per row: argmax of random keys on eligible cells.
    keys = np.where(eligible, rng.random(mat.shape), -1.0)
    pos = keys.argmax(axis=1)
    rows = np.arange(n)
    old = mat[rows, pos]
    digit = (old >= _D0) & (old <= _D9)
    new_digit = (_D0 + (old.astype(np.int64) - _D0 + rng.integers(1, 10, size=n)) % 10).astype(
        np.uint32
    )
    new = np.where(digit, new_digit, _random_letter_like(rng, old))
    out = mat.copy()
    out[rows, pos] = new
    return _from_matrix(out)


def strip_diacritics(values: pl.Series) -> pl.Series:
    """Replace letters with diacritics by their ASCII base letter."""
    return values.str.replace_many(list(DIACRITICS), list(DIACRITICS.values()))


def change_case(values: pl.Series, style: npt.NDArray[np.int8]) -> pl.Series:
    """Recase strings: 0 as is, 1 upper, 2 lower, 3 a stray space (leading, trailing or double).

    Args:
        values: The strings; nulls stay null.
        style: The style per row.

    Returns:
        The recased strings.
    """
    frame = pl.DataFrame({"v": values, "s": style})
    v = pl.col("v")
    spaced = (
        pl.when(v.str.contains(" "))
        .then(v.str.replace(" ", "  ", literal=True))
        .otherwise(pl.concat_str([v, pl.lit(" ")]))
    )
    return frame.select(
        pl.when(pl.col("s") == 1)
        .then(v.str.to_uppercase())
        .when(pl.col("s") == 2)
        .then(v.str.to_lowercase())
        .when(pl.col("s") == 3)
        .then(spaced)
        .otherwise(v)
        .alias("v")
    ).to_series()
