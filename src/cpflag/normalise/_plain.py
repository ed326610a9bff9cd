"""Plain per-value normalisers: the scalar path used at triage time.

Each function takes one raw value and gives what the vectorised normaliser in
this package gives for it (``cpflag.normalise``), using token walks and the
Python standard library instead of polars and regular expressions. They were
written as the property tests' independent reference and are kept exact: any
difference from the vectorised result is a bug, and the property tests check
the two against each other on generated values.

Speed matters here (one record is prepared per triage call): pure-ASCII text,
by far the commonest, skips the Unicode steps, and the costlier functions
cache their results per value. Newborn placeholders and addresses are in
``_plain_newborn`` and ``_plain_address``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Final

import jellyfish

from cpflag.normalise._given_variants import given_name_variant_map
from cpflag.normalise._plain_text import CACHE_SIZE, DIGITS, LOWER, fold

__all__ = [
    "DIGITS",
    "LOWER",
    "PARTICLES",
    "TITLES",
    "finish_name",
    "fold",
    "groups",
    "name",
    "nhs",
    "parts",
    "phonetic",
    "postcode",
    "sex",
    "swap",
]

# --------------------------------------------------------------------------- NHS

_NHS_STRIP: Final = frozenset(
    set("\t\n\v\f\r \u00a0\u202f\u205f\u3000\ufeff-\u2212")
    | {chr(c) for c in range(0x2000, 0x200C)}
    | {chr(c) for c in range(0x2010, 0x2016)}
)


def nhs(value: str | None) -> tuple[str | None, str]:
    """Normalise one raw NHS number (as ``normalise_nhs_number``).

    Args:
        value: The raw value.

    Returns:
        ``(ten digits or None, status)``; the number only when ``valid``.
    """
    if value is None:
        return None, "missing"
    compact = "".join(c for c in value if c not in _NHS_STRIP)
    if compact == "":
        return None, "missing"
    if len(compact) != 10 or any(c not in DIGITS for c in compact) or len(set(compact)) == 1:
        return None, "malformed"
    total = sum(int(compact[i]) * (10 - i) for i in range(9))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(compact[9]):
        return None, "bad_check_digit"
    return compact, "valid"


# --------------------------------------------------------------------------- postcode

_PC_STRIP: Final = frozenset(
    set("\t\n\v\f\r \u00a0\u202f\u205f\u3000\ufeff")
    | {chr(c) for c in range(0x2000, 0x200C)}
    | {chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()}
)
_LET: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OUTWARD_SHAPES: Final = frozenset({"A9", "A99", "AA9", "AA99", "A9A", "AA9A"})

Postcode = tuple[str | None, str | None, str | None, str | None, str]


def _shape(s: str) -> str:
    return "".join("A" if c in _LET else "9" if c in DIGITS else "?" for c in s)


@functools.lru_cache(maxsize=CACHE_SIZE)
def postcode(value: str | None) -> Postcode:
    """Normalise one raw UK postcode (as ``normalise_postcode``).

    Args:
        value: The raw value.

    Returns:
        ``(postcode, pc_sector, pc_district, pc_area, pc_status)``; the
        location parts are None unless the status is ``valid`` (district and
        area only when ``partial``).
    """
    none = (None, None, None, None)
    if value is None:
        return (*none, "missing")
    compact = "".join(c for c in value if c not in _PC_STRIP)
    if not compact.isascii():
        return (*none, "malformed")
    up = compact.upper()
    if up in {"", "NA", "NULL", "NONE"}:
        return (*none, "missing")
    if up in {"ZZ993VZ", "NFA", "NOFIXEDABODE"}:
        return (*none, "no_fixed_abode")
    if up.startswith("ZZ99") or up in {"UNKNOWN", "NOTKNOWN", "NK"}:
        return (*none, "not_known")
    if _shape(up) in _OUTWARD_SHAPES:
        # An outward code alone is the district, if it is one word ("LS9 7" is not).
        inner = value.strip("".join(_PC_STRIP))
        if not any(c in _PC_STRIP for c in inner):
            return None, None, up, _area(up), "partial"
    out, inw = up[:-3], up[-3:]
    if up != "GIR0AA" and (_shape(out) not in _OUTWARD_SHAPES or _shape(inw) != "9AA"):
        return (*none, "malformed")
    return f"{out} {inw}", f"{out} {inw[0]}", out, _area(out), "valid"


def _area(outward: str) -> str:
    """The leading letters of an outward code ("SW1A" -> "SW")."""
    area = ""
    for c in outward:
        if c not in _LET:
            break
        area += c
    return area


# --------------------------------------------------------------------------- names

TITLES: Final = frozenset(
    {"mr", "mrs", "miss", "ms", "mx", "dr", "master", "rev", "prof", "sir", "lady"}
)
PARTICLES: Final = frozenset(
    {
        "de", "la", "le", "du", "van", "von", "der", "den", "da", "di", "del",
        "al", "el", "bin", "bint", "ibn", "st",
    }
)  # fmt: skip


def finish_name(folded: str) -> str | None:
    """Titles dropped, "o"/"mc"/"mac" joined to the next word, empty to None.

    Args:
        folded: ``fold`` output without digits.
    """
    words = [w for w in folded.split(" ") if w]
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    joined: list[str] = []
    i = 0
    while i < len(words):
        if words[i] in ("o", "mc", "mac") and i + 1 < len(words):
            joined.append(words[i] + words[i + 1])
            i += 2
        else:
            joined.append(words[i])
            i += 1
    return " ".join(joined) or None


@functools.lru_cache(maxsize=CACHE_SIZE)
def name(value: str | None) -> str | None:
    """Normalise one raw personal name (as ``normalise_name``).

    Args:
        value: The raw name.

    Returns:
        Lower-case ASCII words separated by single spaces, or None.
    """
    if value is None:
        return None
    return finish_name(fold(value, keep_digits=False))


def parts(normalised: str | None) -> list[str] | None:
    """The words of a normalised name without lone particles (as ``name_parts``).

    Args:
        normalised: A normalised name.

    Returns:
        The words, particles dropped unless nothing else is left; None for None.
    """
    if normalised is None:
        return None
    words = [w for w in normalised.split(" ") if w]
    kept = [w for w in words if w not in PARTICLES]
    return kept or words


@functools.lru_cache(maxsize=CACHE_SIZE)
def phonetic(normalised: str | None) -> str | None:
    """Metaphone code of each word, joined by spaces (as ``phonetic_key``).

    Args:
        normalised: A normalised name (or its first word).

    Returns:
        The codes, or None when the input is None or no word yields a code.
    """
    if normalised is None:
        return None
    codes = [jellyfish.metaphone(w) for w in normalised.split(" ") if w]
    return " ".join(c for c in codes if c) or None


def groups(normalised: str | None) -> list[str] | None:
    """Variant group keys of the first word of a normalised given name.

    The same map as ``given_name_groups`` (``given_name_variant_map``): the
    word itself plus the canonical names it is a variant of, sorted.

    Args:
        normalised: A normalised given name.

    Returns:
        The sorted keys, or None when the name is None or has no word.
    """
    if normalised is None:
        return None
    words = [w for w in normalised.split(" ") if w]
    if not words:
        return None
    first = words[0]
    return sorted({first, *given_name_variant_map().get(first, ())})


# --------------------------------------------------------------------------- dob, sex


def swap(d: dt.date | None) -> dt.date | None:
    """The date with day and month swapped where that is a different date (``swap_day_month``).

    Args:
        d: A date.

    Returns:
        The swapped date, or None when the day is over 12, equals the month, or
        the date is None.
    """
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return dt.date(d.year, d.day, d.month)


_SEX_STRIP: Final = " \t\r\n.,;:'\"()[]"
_MALE: Final = frozenset({"m", "male", "man", "boy", "1", "01"})
_FEMALE: Final = frozenset({"f", "female", "woman", "girl", "2", "02"})


def sex(value: str | None) -> str:
    """Normalise a sex / stated gender code to "M", "F" or "U" (``normalise_sex``).

    Args:
        value: The raw code.

    Returns:
        "M", "F" or "U" (never None).
    """
    if value is None:
        return "U"
    key = value.strip(_SEX_STRIP).lower()
    if key in _MALE:
        return "M"
    if key in _FEMALE:
        return "F"
    return "U"
