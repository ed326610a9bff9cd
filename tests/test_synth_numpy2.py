"""Regression tests: the generator's code-point arithmetic under NumPy 2 (NEP 50).

``_text`` edits strings as a uint32 matrix of code points. The letter position
of a code point used to be computed as ``np.where(..., old - ord("a"), -1)`` on
the uint32 array: NumPy 1 promoted that to int64, NumPy 2.0-2.4 wrap the -1 to
4294967295 (so a substituted hyphen, space or apostrophe never became a "v"),
and NumPy 2.5 raises ``OverflowError`` (``cpflag demo`` crashed on Python 3.13).
"""

from __future__ import annotations

import string

import numpy as np
import polars as pl

from cpflag.synth import _text


def _codes(text: str) -> np.ndarray:
    return np.array([ord(c) for c in text], dtype=np.uint32)


def test_letter_position_is_signed_and_minus_one_off_the_alphabet() -> None:
    # Neighbours of both alphabets, separators, a digit, a diacritic and padding.
    text = "@AZ[`az{ -'0ó\x00"
    got = _text._letter_position(_codes(text))
    assert got.dtype == np.int64
    assert got.tolist() == [-1, 0, 25, -1, -1, 0, 25, -1, -1, -1, -1, -1, -1, -1]


def test_a_non_letter_is_replaced_by_a_fresh_random_letter() -> None:
    n = 500
    old = np.tile(_codes(" -'0ó\x00"), n // 6 + 1)[:n]
    got = _text._random_letter_like(np.random.default_rng(3), old)
    # The same draws in the same order: a shift (unused here), then a fresh letter.
    mirror = np.random.default_rng(3)
    mirror.integers(1, 26, size=n)
    fresh = mirror.integers(0, 26, size=n)
    assert got.dtype == np.uint32
    assert got.tolist() == (ord("a") + fresh).tolist()
    assert {chr(c) for c in got} == set(string.ascii_lowercase)


def test_a_letter_moves_by_the_shift_and_keeps_its_case() -> None:
    n = 520
    old = np.tile(_codes(string.ascii_uppercase + string.ascii_lowercase), n // 52)
    got = _text._random_letter_like(np.random.default_rng(5), old)
    shift = np.random.default_rng(5).integers(1, 26, size=n)
    pos = _text._letter_position(old)
    base = np.where(old <= ord("Z"), ord("A"), ord("a"))
    assert got.tolist() == (base + (pos + shift) % 26).tolist()
    assert (got != old).all()


def test_typos_on_separators_give_every_letter() -> None:
    # After the (never mistyped) initial there are only hyphens: every
    # substitution replaces a non-letter, and an insertion copies a case.
    values = pl.Series(["Q--------"] * 2000)
    out = _text.one_edit(np.random.default_rng(11), values).to_list()
    assert all(o != v for o, v in zip(out, values, strict=True))
    new = {c for o in out for c in o if c not in "Q-"}
    assert new <= set(string.ascii_letters)
    assert set(string.ascii_lowercase) <= new
