"""Plain text folding: the scalar form of the text steps of ``_text``.

Mis-decoded text repaired, case folded, accents and apostrophes handled as the
vectorised normaliser does, for one value at a time (the triage path and the
property tests' reference). Pure-ASCII text, by far the commonest, skips the
Unicode steps.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from cpflag.normalise._text import APOSTROPHES, LATIN_BLOCKS, SPECIAL_LETTERS

__all__ = ["CACHE_SIZE", "DIGITS", "LOWER", "fold"]

#: Entries kept by the per-value caches (names and addresses repeat heavily).
CACHE_SIZE: Final = 1 << 16

DIGITS: Final = frozenset("0123456789")
LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz")

# --------------------------------------------------------------------------- text

# The vocabularies are the vectorised normaliser's own, so the two cannot drift.
_APOS: Final = frozenset(APOSTROPHES)
_LATIN: Final = LATIN_BLOCKS
_SPECIAL: Final = SPECIAL_LETTERS
_REPAIRABLE: Final = ((0x00A0, 0x024F), (0x1E00, 0x1EFF), (0x2010, 0x2027))


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _as_byte(ch: str) -> int | None:
    """The byte a wrongly decoded character came from (cp1252, else Latin-1 C1)."""
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(ch) if 0x80 <= ord(ch) <= 0x9F else None


def _lead_readings() -> frozenset[str]:
    """Characters that can be the reading of a multi-byte UTF-8 lead byte.

    Only a window starting with one of these can decode to a single character,
    so every other position is copied without trying (the repair is costly).
    """
    out = set()
    for b in range(0xC2, 0xF5):
        for ch in {chr(b), bytes([b]).decode("cp1252", errors="ignore")}:
            if ch and _as_byte(ch) == b:
                out.add(ch)
    return frozenset(out)


_LEADS: Final = _lead_readings()


def _repair_once(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _LEADS:
            out.append(text[i])
            i += 1
            continue
        done = False
        for size in (2, 3):
            window = text[i : i + size]
            if len(window) < size:
                continue
            raw = [_as_byte(c) for c in window]
            if any(b is None for b in raw):
                continue
            try:
                decoded = bytes(b for b in raw if b is not None).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(decoded) == 1 and _in(ord(decoded), _REPAIRABLE):
                out.append(decoded)
                i += size
                done = True
                break
        if not done:
            out.append(text[i])
            i += 1
    return "".join(out)


def _ascii_table(keep_digits: bool) -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for i in range(128):
        c = chr(i).lower()
        if c in "'`":
            table[i] = None  # apostrophes are deleted: "O'Brien" == "OBrien"
        elif c in DIGITS:
            table[i] = c if keep_digits else None
        else:
            table[i] = c if c in LOWER else " "
    return table


_ASCII_KEEP: Final = _ascii_table(True)
_ASCII_DROP: Final = _ascii_table(False)


def fold(text: str, *, keep_digits: bool) -> str:
    """Fold text to lower-case ASCII words separated by single spaces.

    The steps of ``cpflag.normalise._text.fold``: mojibake repair (twice),
    apostrophes deleted, non-Latin characters to spaces, lower case, NFKD with
    the combining marks deleted, the undecomposable Latin letters mapped, then
    everything but ``a-z``/``0-9`` to spaces (digits deleted for names).

    Args:
        text: Raw text.
        keep_digits: Keep ASCII digits (addresses, placeholder markers).

    Returns:
        The folded text; ``""`` when nothing is left.
    """
    if text.isascii():
        # Steps 1 and 3-6 change nothing in ASCII text but the case.
        return " ".join(text.translate(_ASCII_KEEP if keep_digits else _ASCII_DROP).split())
    text = _repair_once(_repair_once(text))
    text = "".join(c for c in text if c not in _APOS)
    text = "".join(c if _in(ord(c), _LATIN) else " " for c in text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not 0x300 <= ord(c) <= 0x36F)
    text = "".join(_SPECIAL.get(c, c) for c in text)
    kept = "".join(c if c in DIGITS or c in LOWER else " " for c in text)
    if not keep_digits:
        kept = "".join(c for c in kept if c not in DIGITS)
    return " ".join(w for w in kept.split(" ") if w)
