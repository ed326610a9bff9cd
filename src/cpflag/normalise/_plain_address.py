"""Plain per-value address normalisation (the scalar path of ``_address``).

A token walk instead of the vectorised explode-and-window pipeline; the rules
are documented in ``cpflag.normalise._address``. Kept exact: the property
tests check it against ``normalise_address``.
"""

from __future__ import annotations

import functools
from typing import Final

from cpflag.normalise._address import ABBREVIATIONS, FLAT_WORDS, STREET_TYPES
from cpflag.normalise._plain_text import CACHE_SIZE, DIGITS, LOWER, fold

__all__ = ["address"]

# The vocabularies are the vectorised normaliser's own, so the two cannot drift.
_ABBR: Final = ABBREVIATIONS
_STREET_TYPES: Final = STREET_TYPES
_FLAT_WORDS: Final = frozenset(FLAT_WORDS)
_BREAK_WORDS: Final = _FLAT_WORDS | {"floor", "ground", "basement"}
_ORDINAL_ENDS: Final = ("st", "nd", "rd", "th")


def _letters(tok: str) -> bool:
    return bool(tok) and all(c in LOWER for c in tok)


def _digits(tok: str) -> bool:
    return bool(tok) and all(c in DIGITS for c in tok)


def _alnum(tok: str) -> bool:
    return bool(tok) and all(c in LOWER or c in DIGITS for c in tok)


def _outward(tok: str) -> bool:
    for lead in (1, 2):
        if len(tok) in (lead + 1, lead + 2) and _letters(tok[:lead]) and tok[lead] in DIGITS:
            return len(tok) == lead + 1 or _alnum(tok[lead + 1])
    return False


def _inward(tok: str) -> bool:
    return len(tok) == 3 and tok[0] in DIGITS and _letters(tok[1:])


def _strip_postcodes(tokens: list[str]) -> list[str]:
    """Drop trailing postcodes ("sw1a 1aa", "sw1a1aa", several in a row)."""
    while tokens:
        last = tokens[-1]
        if last == "gir0aa" or (len(last) > 3 and _outward(last[:-3]) and _inward(last[-3:])):
            tokens = tokens[:-1]
        elif len(tokens) >= 2 and (
            (_inward(last) and _outward(tokens[-2])) or (tokens[-2] == "gir" and last == "0aa")
        ):
            tokens = tokens[:-2]
        else:
            break
    return tokens


def _ordinal(t: str) -> bool:
    return len(t) > 2 and t[-2:] in _ORDINAL_ENDS and _digits(t[:-2])


@functools.lru_cache(maxsize=CACHE_SIZE)
def address(value: str | None) -> tuple[str | None, str | None, str | None]:
    """Normalise one raw address (as ``normalise_address``).

    Args:
        value: The raw address.

    Returns:
        ``(address, address_numbers, address_street)``, each None when empty.
    """
    if value is None:
        return None, None, None
    raw = _strip_postcodes(fold(value, keep_digits=True).split(" "))
    if raw == [""]:
        raw = []
    expanded = []
    for i, t in enumerate(raw):
        if t == "st":
            expanded.append("street" if i > 0 and _letters(raw[i - 1]) else "saint")
        else:
            expanded.append(_ABBR.get(t, t))
    toks: list[str] = []
    for t in expanded:
        # "12 a" is one house number, "12a".
        if len(t) == 1 and t in LOWER and toks and _digits(toks[-1]):
            toks[-1] += t
        else:
            toks.append(t)
    if not toks:
        return None, None, None
    has_digit = [any(c in DIGITS for c in t) for t in toks]
    flat_letter = [
        len(t) == 1 and t in LOWER and i > 0 and toks[i - 1] in _FLAT_WORDS
        for i, t in enumerate(toks)
    ]
    is_id = [(has_digit[i] and not _ordinal(t)) or flat_letter[i] for i, t in enumerate(toks)]
    after_flat = [i > 0 and toks[i - 1] in _FLAT_WORDS for i in range(len(toks))]
    # Flat identifiers first, then the others; "Flat B, 14" is the house "14b".
    numbers = [t for i, t in enumerate(toks) if is_id[i] and after_flat[i]]
    numbers += [t for i, t in enumerate(toks) if is_id[i] and not after_flat[i]]
    lettered_flat = len(numbers) == 2 and len(numbers[0]) == 1 and _letters(numbers[0])
    if lettered_flat and _digits(numbers[1]):
        numbers = [numbers[1] + numbers[0]]
    # Runs of street words, each with the count of numbers seen before it.
    runs: list[tuple[int, list[str]]] = []
    seen = 0
    current: list[str] | None = None
    for i, t in enumerate(toks):
        if has_digit[i] or flat_letter[i] or t in _BREAK_WORDS:
            seen += has_digit[i]
            current = None
            continue
        if current is None:
            current = []
            runs.append((seen, current))
        current.append(t)
    total = sum(has_digit)
    chosen: list[str] = []
    if total:
        after = [r for n, r in runs if n == total]
        before = [r for n, r in runs if n < total]
        chosen = after[0] if after else (before[-1] if before else [])
    elif runs:
        chosen = runs[0][1]
    typed = [i for i, w in enumerate(chosen) if w in _STREET_TYPES]
    street = chosen[: typed[-1] + 1] if typed else chosen
    return " ".join(toks), " ".join(numbers) or None, " ".join(street) or None
