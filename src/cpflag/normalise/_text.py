"""Shared text folding for names and addresses: mojibake repair, ASCII folding.

The work runs in polars (Rust) over whole columns. The steps, in order (see
``docs/normalisation.md``):

1. repair UTF-8 text that was decoded as Windows-1252 (or Latin-1) -- "JosÃ©" --
   twice, so text that went through the mistake twice is repaired too;
2. delete apostrophes of every kind, so "O'Brien", "O`Brien" and "O’Brien" agree;
3. turn every character outside the Latin blocks into a space (this keeps the
   result independent of the Unicode version of the engine: only blocks whose
   decompositions have not changed in decades reach step 5);
4. lower-case;
5. NFKD-decompose and delete the combining marks ("é" -> "e");
6. map the Latin letters that do not decompose ("ø" -> "o", "ß" -> "ss", ...);
7. turn everything that is not ``a-z`` or ``0-9`` into a space, collapse runs
   of spaces and trim; for names, then delete the digits.
"""

from __future__ import annotations

import functools
import itertools
from typing import Final

import polars as pl

__all__ = [
    "APOSTROPHES",
    "LATIN_BLOCKS",
    "SPECIAL_LETTERS",
    "drop_digits_expr",
    "fix_mojibake",
    "fold",
    "mojibake_table",
]

#: Characters deleted (not turned into a space) so that "O'Brien" == "OBrien".
APOSTROPHES: Final = "'`\u00b4\u2018\u2019\u201b\u2032\u02bb\u02bc\uff07\uff40"

#: Code point ranges kept for folding; every other character becomes a space.
#: Latin-1, Latin Extended-A/B, combining diacritics, Latin Extended Additional,
#: general punctuation (odd spaces and dashes), the ideographic space, the Latin
#: ligatures and the full-width ASCII forms.
LATIN_BLOCKS: Final = (
    (0x0000, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x3000, 0x3000),
    (0xFB00, 0xFB06),
    (0xFF01, 0xFF5E),
)

#: Lower-case Latin letters with no canonical decomposition, and their ASCII.
SPECIAL_LETTERS: Final = {
    "ø": "o",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "n",
    "ĸ": "k",
    "ƒ": "f",
}

# Code points whose UTF-8 bytes, misread as Windows-1252, are repaired. Latin
# letters (the names and addresses we see: Western, Central and Eastern European,
# Turkish, Romanian, Vietnamese) and the typographic quotes and dashes.
_MOJIBAKE_SOURCES: Final = (
    (0x00A0, 0x024F),
    (0x1E00, 0x1EFF),
    (0x2010, 0x2027),
)


def _misreadings(byte: int) -> tuple[str, ...]:
    """How one byte of a UTF-8 sequence shows up after a wrong single-byte decode.

    Windows-1252 leaves five bytes undefined; decoders then pass them through as
    the C1 control of the same value, which is also what a Latin-1 decode gives
    for every byte 0x80-0x9F. So bytes 0x80-0x9F have two readings.
    """
    latin1 = chr(byte)
    try:
        cp1252 = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return (latin1,)
    return (cp1252,) if cp1252 == latin1 else (cp1252, latin1)


@functools.cache
def mojibake_table() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The mojibake repair table: (garbled sequences, their repaired characters).

    No garbled sequence is a prefix of, or can overlap, another: each starts with
    the reading of a UTF-8 lead byte (0xC2-0xC9, 0xE1, 0xE2) and goes on with
    readings of continuation bytes (0x80-0xBF), which are never lead-byte readings.
    So the replacement is the same whatever order a matcher tries them in.

    Returns:
        Two tuples of equal length: the sequences to find and their replacements.
    """
    bad: list[str] = []
    good: list[str] = []
    for lo, hi in _MOJIBAKE_SOURCES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            for reading in itertools.product(*(_misreadings(b) for b in ch.encode("utf-8"))):
                bad.append("".join(reading))
                good.append(ch)
    return tuple(bad), tuple(good)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regex character class body (no brackets) for code point ranges."""
    return "".join(
        f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in ranges
    )


_NOT_LATIN: Final = f"[^{_class(LATIN_BLOCKS)}]"
_APOSTROPHE_CLASS: Final = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in APOSTROPHES) + "]"


def _chars_class(chars: set[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in sorted(chars)) + "]"


@functools.cache
def _mojibake_gate() -> str:
    """A regex that finds every value the repair table could change.

    A lead-byte reading followed by a continuation-byte reading: cheap to scan
    for, so the (costly to build) repair automaton runs only when needed.
    """
    bad, _ = mojibake_table()
    return _chars_class({b[0] for b in bad}) + _chars_class({c for b in bad for c in b[1:]})


def fix_mojibake(s: pl.Series) -> pl.Series:
    """Repair UTF-8-read-as-Windows-1252 text, twice (double-encoded text too).

    Only the distinct values that contain a possible garbled sequence go through
    the repair, then are mapped back: mojibake is rare, and building the
    repair automaton costs more than scanning a column.

    Args:
        s: Raw text.

    Returns:
        The repaired text, same length and name.
    """
    suspects = s.filter(s.str.contains(_mojibake_gate()).fill_null(False)).unique()
    if suspects.len() == 0:
        return s
    bad, good = mojibake_table()
    fixed = suspects
    for _ in range(2):
        fixed = fixed.str.replace_many(list(bad), list(good), leftmost=True)
    return s.replace(suspects, fixed)


def _fold_unicode(s: pl.Series) -> pl.Series:
    """Steps 1-6 for values with non-ASCII characters (the ASCII ones skip them)."""
    s = fix_mojibake(s)
    e = pl.col("t").str.replace_all(_APOSTROPHE_CLASS, "")
    e = e.str.replace_all(_NOT_LATIN, " ")
    e = e.str.to_lowercase().str.normalize("NFKD")
    # After NFKD the only marks left are the combining diacritics (U+0300-U+036F):
    # every other block that reaches here was removed in step 3.
    e = e.str.replace_all(r"[\x{300}-\x{36F}]", "")
    e = e.str.replace_many(SPECIAL_LETTERS)
    return s.to_frame("t").select(e).to_series()


# Runs of separators other than a lone space (a lone space is already right,
# and leaving it alone keeps the replacement cheap).
_SEPARATORS: Final = r"[^a-z0-9]*[^a-z0-9 ][^a-z0-9]*| {2,}"


def fold(s: pl.Series, *, keep_digits: bool) -> pl.Series:
    """Fold free text to lower-case ASCII words separated by single spaces.

    Args:
        s: Raw text (cast to string if it is not).
        keep_digits: Keep ASCII digits (addresses, placeholder markers) or delete
            them (names: "Smith2" -> "smith"); digits that NFKD makes ("²")
            count as digits too.

    Returns:
        A string Series of the same length and name; the empty string where
        nothing is left (callers decide whether that means null). Null stays null.
    """
    name = s.name
    if s.dtype != pl.String:
        s = s.cast(pl.String, strict=False)
    # Steps 1-6 change nothing in pure-ASCII text but the apostrophes and the
    # case, and NFKD is the costliest step: run them on the other values only.
    non_ascii = s.str.contains(r"[^\x00-\x7F]").fill_null(False)
    if non_ascii.any():
        idx = non_ascii.arg_true()
        s = s.clone().scatter(idx, _fold_unicode(s.gather(idx)))
    e = pl.col("t").str.to_lowercase().str.replace_all("['`]", "")
    e = e.str.replace_all(_SEPARATORS, " ").str.strip_chars(" ")
    if not keep_digits:
        e = drop_digits_expr(e)
    return s.to_frame("t").select(e.alias(name)).to_series()


def drop_digits_expr(folded: pl.Expr) -> pl.Expr:
    """Delete the digits of folded text and tidy the spaces left behind."""
    return folded.str.replace_all(r"[0-9]+", "").str.replace_all(r" {2,}", " ").str.strip_chars(" ")
