"""Plain per-value reference implementations of the normalisers (tests only).

Written independently of ``cpflag.normalise``: no regular expressions shared
with it, token walks instead of patterns, the Python standard library instead
of polars. The property tests check the vectorised code against these on
generated values. Only the documented constants (word lists, the curated CSV,
the nicknames package) are common ground.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import jellyfish
from nicknames import NickNamer

# --------------------------------------------------------------------------- text

_APOS = set("'`\u00b4\u2018\u2019\u201b\u2032\u02bb\u02bc\uff07\uff40")
_LATIN = (
    (0x0000, 0x024F),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x3000, 0x3000),
    (0xFB00, 0xFB06),
    (0xFF01, 0xFF5E),
)
_SPECIAL = {
    "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
    "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ƒ": "f",
}  # fmt: skip
_REPAIRABLE = ((0x00A0, 0x024F), (0x1E00, 0x1EFF), (0x2010, 0x2027))
_ASCII_LOWER = set("abcdefghijklmnopqrstuvwxyz")
_DIGITS = set("0123456789")


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _as_byte(ch: str) -> int | None:
    """The byte a wrongly decoded character came from (cp1252, else Latin-1 C1)."""
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(ch) if 0x80 <= ord(ch) <= 0x9F else None


def _repair_once(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
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


def fold(text: str, *, keep_digits: bool) -> str:
    """Lower-case ASCII words separated by single spaces ('' when nothing is left)."""
    text = _repair_once(_repair_once(text))
    text = "".join(c for c in text if c not in _APOS)
    text = "".join(c if _in(ord(c), _LATIN) else " " for c in text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not 0x300 <= ord(c) <= 0x36F)
    text = "".join(_SPECIAL.get(c, c) for c in text)
    kept = "".join(c if c in _DIGITS or c in _ASCII_LOWER else " " for c in text)
    if not keep_digits:
        kept = "".join(c for c in kept if c not in _DIGITS)
    return " ".join(w for w in kept.split(" ") if w)


# --------------------------------------------------------------------------- NHS

_NHS_STRIP = (
    set("\t\n\v\f\r \u00a0\u202f\u205f\u3000\ufeff-\u2212")
    | {chr(c) for c in range(0x2000, 0x200C)}
    | {chr(c) for c in range(0x2010, 0x2016)}
)


def nhs(value: str | None) -> tuple[str | None, str]:
    if value is None:
        return None, "missing"
    compact = "".join(c for c in value if c not in _NHS_STRIP)
    if compact == "":
        return None, "missing"
    if len(compact) != 10 or any(c not in _DIGITS for c in compact) or len(set(compact)) == 1:
        return None, "malformed"
    total = sum(int(compact[i]) * (10 - i) for i in range(9))
    check = (11 - total % 11) % 11
    if check == 10 or check != int(compact[9]):
        return None, "bad_check_digit"
    return compact, "valid"


# --------------------------------------------------------------------------- postcode

_PC_STRIP = (
    set("\t\n\v\f\r \u00a0\u202f\u205f\u3000\ufeff")
    | {chr(c) for c in range(0x2000, 0x200C)}
    | {chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()}
)
_LET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _shape(s: str) -> str:
    return "".join("A" if c in _LET else "9" if c in _DIGITS else "?" for c in s)


_OUTWARD_SHAPES = {"A9", "A99", "AA9", "AA99", "A9A", "AA9A"}


def postcode(value: str | None) -> tuple[str | None, str | None, str | None, str | None, str]:
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
    out, inw = up[:-3], up[-3:]
    if up != "GIR0AA" and (_shape(out) not in _OUTWARD_SHAPES or _shape(inw) != "9AA"):
        return (*none, "malformed")
    area = ""
    for c in out:
        if c not in _LET:
            break
        area += c
    return f"{out} {inw}", f"{out} {inw[0]}", out, area, "valid"


# --------------------------------------------------------------------------- names

TITLES = {"mr", "mrs", "miss", "ms", "mx", "dr", "master", "rev", "prof", "sir", "lady"}
PARTICLES = {
    "de", "la", "le", "du", "van", "von", "der", "den", "da", "di", "del",
    "al", "el", "bin", "bint", "ibn", "st",
}  # fmt: skip


def finish_name(folded: str) -> str | None:
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


def name(value: str | None) -> str | None:
    if value is None:
        return None
    return finish_name(fold(value, keep_digits=False))


def parts(normalised: str | None) -> list[str] | None:
    if normalised is None:
        return None
    words = [w for w in normalised.split(" ") if w]
    kept = [w for w in words if w not in PARTICLES]
    return kept or words


def phonetic(normalised: str | None) -> str | None:
    if normalised is None:
        return None
    codes = [jellyfish.metaphone(w) for w in normalised.split(" ") if w]
    return " ".join(c for c in codes if c) or None


# --------------------------------------------------------------------------- given variants

_NN = NickNamer()
_CSV = Path(__file__).resolve().parents[1] / "src" / "cpflag" / "data" / "given_name_variants.csv"


def _curated() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with _CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["name"], set()).add(row["canonical"])
    return out


_CURATED = _curated()


def groups(normalised: str | None) -> list[str] | None:
    if normalised is None:
        return None
    words = [w for w in normalised.split(" ") if w]
    if not words:
        return None
    first = words[0]
    keys = {first} | _CURATED.get(first, set())
    if first.isascii() and first.isalpha() and first.islower():
        keys |= {c for c in _NN.canonicals_of(first) if c.isascii() and c.isalpha()}
    return sorted(keys)


# --------------------------------------------------------------------------- newborn

HEAD1 = {
    "baby",
    "babyboy",
    "babygirl",
    "infant",
    "newborn",
    "unborn",
    "twin",
    "triplet",
    "bb",
    "bg",
}
SEX = {"boy", "girl", "male", "female"}
MARK_WORDS = {"a": "a", "b": "b", "c": "c", "one": "1", "two": "2", "three": "3"}
MARK_DIGITS = {"1", "2", "3"}


def _baby_of(text: str) -> str:
    """Read "B/O", "b / o" etc. as "baby of" where it is not inside a word.

    Scans left to right; a match takes the boundary character before the "b"
    (or the start) and the one after the "o" (or the end), and the next match
    may not reuse a character an earlier one took.
    """
    n = len(text)

    def alnum(c: str) -> bool:
        return c.isascii() and c.isalnum()

    def after_o(b: int) -> int | None:
        if b >= n or text[b] not in "bB":
            return None
        j = b + 1
        if j < n and text[j] == " ":
            j += 1
        if j >= n or text[j] != "/":
            return None
        j += 1
        if j < n and text[j] == " ":
            j += 1
        if j >= n or text[j] not in "oO":
            return None
        j += 1
        return j if j == n or not alnum(text[j]) else None

    out: list[str] = []
    pos = s = 0
    while s <= n:
        found = None
        if s == 0 and after_o(0) is not None:
            found = (0, "", after_o(0))
        elif s < n and not alnum(text[s]) and after_o(s + 1) is not None:
            found = (s, text[s], after_o(s + 1))
        if found is None:
            s += 1
            continue
        start, before, end = found
        assert end is not None
        after = text[end] if end < n else ""
        out.append(text[pos:start] + before + "baby of" + after)
        pos = s = end + len(after)
    out.append(text[pos:])
    return "".join(out)


def _item(tokens: list[str], i: int, allow_sex: bool) -> tuple[int, str | None] | None:
    """One head (or sex) word at i: (next index, glued digit) or None."""
    words = HEAD1 | SEX if allow_sex else HEAD1
    if i >= len(tokens):
        return None
    t = tokens[i]
    if t in words:
        return i + 1, None
    if len(t) > 1 and t[-1] in MARK_DIGITS and t[:-1] in words:
        return i + 1, t[-1]
    if t == "new" and i + 1 < len(tokens):
        u = tokens[i + 1]
        if u == "born":
            return i + 2, None
        if len(u) == 5 and u[:4] == "born" and u[4] in MARK_DIGITS:
            return i + 2, u[4]
    return None


def _heads(tokens: list[str], i: int) -> tuple[int, str | None] | None:
    """Greedy heads sequence from i: (next index, glued marker digit) or None."""
    first = _item(tokens, i, allow_sex=False)
    if first is None:
        return None
    j, glued = first
    while glued is None:
        nxt = _item(tokens, j, allow_sex=True)
        if nxt is None:
            break
        j, glued = nxt
    return j, glued


def _mark(tokens: list[str], j: int, glued: str | None) -> tuple[int, str | None]:
    if glued is not None:
        return j, glued
    if j < len(tokens):
        t = tokens[j]
        if t in MARK_WORDS:
            return j + 1, MARK_WORDS[t]
        if t in MARK_DIGITS:
            return j + 1, t
    return j, None


def _trail(tokens: list[str]) -> str | None:
    """A trailing "twin 1" / "triplet b" / "twin1": its marker, else None."""
    if len(tokens) == 2 and tokens[0] in ("twin", "triplet"):
        t = tokens[1]
        return MARK_WORDS.get(t) or (t if t in MARK_DIGITS else None)
    if len(tokens) == 1:
        t = tokens[0]
        for h in ("twin", "triplet"):
            if len(t) == len(h) + 1 and t.startswith(h) and t[-1] in MARK_DIGITS:
                return t[-1]
    return None


def _parse_prefix(tokens: list[str]) -> dict[str, object] | None:
    h = _heads(tokens, 0)
    if h is None:
        return None
    j, mark = _mark(tokens, *h)
    if j < len(tokens) and tokens[j] in SEX:
        j += 1
    of = j < len(tokens) and tokens[j] == "of"
    if of:
        j += 1
    rem = tokens[j:]
    rest = None
    for k in range(1, len(rem) + 1):
        tail = rem[k:]
        m2 = _trail(tail) if tail else None
        if not tail or m2 is not None:
            rest = " ".join(rem[:k])
            mark = mark or m2
            break
    return {"rest": rest, "of": of, "mark": mark}


def _parse_suffix(tokens: list[str]) -> dict[str, object] | None:
    if len(tokens) < 3 or tokens[-1] != "of":
        return None
    for k in range(1, len(tokens) - 1):
        h = _heads(tokens, k)
        if h is None:
            continue
        j, mark = _mark(tokens, *h)
        if j < len(tokens) and tokens[j] in SEX:
            j += 1
        if j == len(tokens) - 1:
            return {"rest": " ".join(tokens[:k]), "of": True, "mark": mark}
    return None


def _parse(raw: str | None) -> tuple[dict[str, object] | None, bool, bool]:
    """(parse, prefix form, suffix form) of one raw field."""
    if raw is None:
        return None, False, False
    tokens = [t for t in fold(_baby_of(raw), keep_digits=True).split(" ") if t]
    if not tokens:
        return None, False, False
    p = _parse_prefix(tokens)
    if p is not None:
        return p, True, False
    s = _parse_suffix(tokens)
    if s is not None:
        return s, False, True
    return None, False, False


def newborn(
    given: str | None, family: str | None
) -> tuple[str | None, str | None, bool, str | None, str | None]:
    g, g_pre, g_suf = _parse(given)
    f, f_pre, f_suf = _parse(family)
    g_norm, f_norm = name(given), name(family)

    def rest_name(p: dict[str, object] | None) -> str | None:
        r = None if p is None else p["rest"]
        return None if r is None else finish_name(fold(str(r), keep_digits=False))

    g_ph = g_pre or g_suf
    g_of = g_suf or (g is not None and bool(g["of"]))
    f_named = f_suf or (f_pre and f is not None and f["rest"] is not None)
    f_bare = f_pre and f is not None and f["rest"] is None
    g_blank, f_blank = g_norm is None, f_norm is None
    is_ph = g_ph or f_named or (f_bare and (g_blank or g_ph))
    g_rest, f_rest = rest_name(g), rest_name(f)

    if f_named:
        ph_surname = f_rest
    elif g_ph and (g_of or f_blank or f_bare):
        ph_surname = g_rest
    else:
        ph_surname = None
    if f_named:
        from_f = f_rest
    elif not (f_bare and is_ph):
        from_f = f_norm
    else:
        from_f = None
    family_name = from_f if from_f is not None else ph_surname

    if not g_ph:
        given_name = g_norm
    elif not g_of and from_f is not None and g_rest is not None and g_rest != family_name:
        given_name = g_rest
    else:
        given_name = None

    marks = [p["mark"] for p in (g, f) if p is not None and p["mark"] is not None]
    return (
        given_name,
        family_name,
        is_ph,
        (ph_surname if ph_surname is not None else family_name) if is_ph else None,
        str(marks[0]) if is_ph and marks else None,
    )


# --------------------------------------------------------------------------- dob, sex


def swap(d: dt.date | None) -> dt.date | None:
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return dt.date(d.year, d.day, d.month)


def sex(value: str | None) -> str:
    if value is None:
        return "U"
    key = value.strip(" \t\r\n.,;:'\"()[]").lower()
    if key in {"m", "male", "man", "boy", "1", "01"}:
        return "M"
    if key in {"f", "female", "woman", "girl", "2", "02"}:
        return "F"
    return "U"


# --------------------------------------------------------------------------- address

ABBR = {
    "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "cl": "close",
    "cres": "crescent", "cresc": "crescent", "dr": "drive", "ct": "court",
    "gdns": "gardens", "pl": "place", "sq": "square", "fl": "flat", "flt": "flat",
    "apt": "flat", "apartment": "flat", "ter": "terrace", "terr": "terrace",
    "tce": "terrace", "hse": "house", "pde": "parade", "gro": "grove", "gr": "grove",
    "pk": "park", "blk": "block", "bldg": "building", "est": "estate", "mt": "mount",
}  # fmt: skip
STREET_TYPES = {
    "road", "street", "avenue", "lane", "close", "crescent", "drive", "court",
    "gardens", "place", "square", "terrace", "way", "grove", "walk", "hill",
    "row", "park", "green", "mews", "rise", "view", "parade", "vale", "gate",
    "wharf", "yard", "circus", "boulevard", "broadway", "approach", "path",
    "chase", "croft", "mead", "meadows", "estate", "embankment", "passage",
}  # fmt: skip
FLAT_WORDS = {"flat", "unit", "room", "block", "suite"}
BREAK_WORDS = FLAT_WORDS | {"floor", "ground", "basement"}


def _is(tok: str, kinds: str) -> bool:
    """Whether tok is non-empty and made only of the given kinds (a=letter, 9=digit)."""
    allowed = (_ASCII_LOWER if "a" in kinds else set()) | (_DIGITS if "9" in kinds else set())
    return bool(tok) and all(c in allowed for c in tok)


def _outward(tok: str) -> bool:
    for lead in (1, 2):
        if len(tok) in (lead + 1, lead + 2) and _is(tok[:lead], "a") and tok[lead] in _DIGITS:
            return len(tok) == lead + 1 or _is(tok[lead + 1], "a9")
    return False


def _inward(tok: str) -> bool:
    return len(tok) == 3 and tok[0] in _DIGITS and _is(tok[1:], "a")


def _strip_postcodes(tokens: list[str]) -> list[str]:
    while tokens:
        last = tokens[-1]
        if last == "gir0aa" or (len(last) > 3 and _outward(last[:-3]) and _inward(last[-3:])):
            tokens = tokens[:-1]
        elif len(tokens) >= 2 and _inward(last) and (_outward(tokens[-2]) or tokens[-2] == "gir"):
            tokens = tokens[:-2]
        else:
            break
    return tokens


def address(value: str | None) -> tuple[str | None, str | None, str | None]:
    if value is None:
        return None, None, None
    raw = _strip_postcodes([t for t in fold(value, keep_digits=True).split(" ") if t])
    expanded = []
    for i, t in enumerate(raw):
        if t == "st":
            expanded.append("street" if i > 0 and _is(raw[i - 1], "a") else "saint")
        else:
            expanded.append(ABBR.get(t, t))
    toks: list[str] = []
    for t in expanded:
        if len(t) == 1 and _is(t, "a") and toks and _is(toks[-1], "9"):
            toks[-1] += t
        else:
            toks.append(t)
    if not toks:
        return None, None, None
    has_digit = [any(c in _DIGITS for c in t) for t in toks]
    flat_letter = [
        len(t) == 1 and _is(t, "a") and i > 0 and toks[i - 1] in FLAT_WORDS
        for i, t in enumerate(toks)
    ]

    def ordinal(t: str) -> bool:
        return len(t) > 2 and t[-2:] in ("st", "nd", "rd", "th") and _is(t[:-2], "9")

    numbers = [t for i, t in enumerate(toks) if (has_digit[i] and not ordinal(t)) or flat_letter[i]]
    # Runs of street words, with the index of the number they follow.
    runs: list[tuple[int, list[str]]] = []  # (numbers seen before the run, words)
    seen, current = 0, None
    for i, t in enumerate(toks):
        if has_digit[i] or flat_letter[i] or t in BREAK_WORDS:
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
    typed = [i for i, w in enumerate(chosen) if w in STREET_TYPES]
    street = chosen[: typed[-1] + 1] if typed else chosen
    return " ".join(toks), " ".join(numbers) or None, " ".join(street) or None
