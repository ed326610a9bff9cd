"""Plain per-value newborn placeholder parsing (the scalar path of ``_newborn``).

A token walk over the folded fields instead of the vectorised regular
expressions; the grammar is documented in ``cpflag.normalise._newborn``. Kept
exact: the property tests check it against ``parse_newborn_placeholder``.
"""

from __future__ import annotations

import functools
from typing import Any, Final, NamedTuple

from cpflag.normalise._plain import finish_name, name
from cpflag.normalise._plain_text import CACHE_SIZE, fold

__all__ = ["Newborn", "newborn"]

_HEADS: Final = frozenset(
    {"baby", "babyboy", "babygirl", "infant", "newborn", "unborn", "twin", "triplet", "bb", "bg"}
)
_SEX: Final = frozenset({"boy", "girl", "male", "female"})
_HEADS_OR_SEX: Final = _HEADS | _SEX
_MARK_WORDS: Final = {"a": "a", "b": "b", "c": "c", "one": "1", "two": "2", "three": "3"}
_MARK_DIGITS: Final = frozenset({"1", "2", "3"})


class Newborn(NamedTuple):
    """What ``parse_newborn_placeholder`` gives for one (given, family) pair."""

    given_name: str | None
    family_name: str | None
    is_placeholder: bool
    placeholder_family: str | None
    twin_marker: str | None


class _Parse(NamedTuple):
    rest: str | None
    of: bool
    mark: str | None


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _after_o(text: str, b: int) -> int | None:
    """End of a "b/o" (spaces allowed around the slash) starting at ``b``, else None."""
    n = len(text)
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
    return j if j == n or not _alnum(text[j]) else None


def _baby_of(text: str) -> str:
    """Read "B/O", "b / o" etc. as "baby of" where it is not inside a word.

    Scans left to right; a match takes the boundary character before the "b"
    (or the start) and the one after the "o" (or the end), and the next match
    may not reuse a character an earlier one took (as the regex replacement does).
    """
    if "/" not in text:
        return text
    n = len(text)
    out: list[str] = []
    pos = s = 0
    while s <= n:
        found: tuple[int, str, int] | None = None
        if s == 0 and (e := _after_o(text, 0)) is not None:
            found = (0, "", e)
        elif s < n and not _alnum(text[s]) and (e := _after_o(text, s + 1)) is not None:
            found = (s, text[s], e)
        if found is None:
            s += 1
            continue
        start, before, end = found
        after = text[end] if end < n else ""
        out.append(text[pos:start] + before + "baby of" + after)
        pos = s = end + len(after)
    out.append(text[pos:])
    return "".join(out)


def _item(tokens: list[str], i: int, allow_sex: bool) -> tuple[int, str | None] | None:
    """One head (or sex) word at ``i``: (next index, glued digit) or None."""
    words = _HEADS_OR_SEX if allow_sex else _HEADS
    if i >= len(tokens):
        return None
    t = tokens[i]
    if t in words:
        return i + 1, None
    if len(t) > 1 and t[-1] in _MARK_DIGITS and t[:-1] in words:
        return i + 1, t[-1]
    if t == "new" and i + 1 < len(tokens):
        u = tokens[i + 1]
        if u == "born":
            return i + 2, None
        if len(u) == 5 and u[:4] == "born" and u[4] in _MARK_DIGITS:
            return i + 2, u[4]
    return None


def _heads(tokens: list[str], i: int) -> tuple[int, str | None] | None:
    """Greedy heads sequence from ``i``: (next index, glued marker digit) or None."""
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
        if t in _MARK_WORDS:
            return j + 1, _MARK_WORDS[t]
        if t in _MARK_DIGITS:
            return j + 1, t
    return j, None


def _trail(tokens: list[str]) -> str | None:
    """A trailing "twin 1" / "triplet b" / "twin1": its marker, else None."""
    if len(tokens) == 2 and tokens[0] in ("twin", "triplet"):
        t = tokens[1]
        return _MARK_WORDS.get(t) or (t if t in _MARK_DIGITS else None)
    if len(tokens) == 1:
        t = tokens[0]
        for h in ("twin", "triplet"):
            if len(t) == len(h) + 1 and t.startswith(h) and t[-1] in _MARK_DIGITS:
                return t[-1]
    return None


def _parse_prefix(tokens: list[str]) -> _Parse | None:
    h = _heads(tokens, 0)
    if h is None:
        return None
    j, mark = _mark(tokens, *h)
    if j < len(tokens) and tokens[j] in _SEX:
        j += 1
    of = j < len(tokens) and tokens[j] == "of"
    if of:
        j += 1
    rem = tokens[j:]
    rest = None
    # The shortest surname after which only a trailing "twin <marker>" (or
    # nothing) is left: the lazy ``rest`` group of the prefix pattern.
    for k in range(1, len(rem) + 1):
        tail = rem[k:]
        m2 = _trail(tail) if tail else None
        if not tail or m2 is not None:
            rest = " ".join(rem[:k])
            mark = mark or m2
            break
    return _Parse(rest, of, mark)


def _parse_suffix(tokens: list[str]) -> _Parse | None:
    if len(tokens) < 3 or tokens[-1] != "of":
        return None
    for k in range(1, len(tokens) - 1):
        h = _heads(tokens, k)
        if h is None:
            continue
        j, mark = _mark(tokens, *h)
        if j < len(tokens) and tokens[j] in _SEX:
            j += 1
        if j == len(tokens) - 1:
            return _Parse(" ".join(tokens[:k]), True, mark)
    return None


def _parse(raw: str | None) -> tuple[_Parse | None, bool, bool]:
    """(parse, prefix form, suffix form) of one raw field."""
    if raw is None:
        return None, False, False
    tokens = fold(_baby_of(raw), keep_digits=True).split(" ")
    if tokens == [""]:
        return None, False, False
    p = _parse_prefix(tokens)
    if p is not None:
        return p, True, False
    s = _parse_suffix(tokens)
    if s is not None:
        return s, False, True
    return None, False, False


def _rest_name(p: _Parse | None) -> str | None:
    r = None if p is None else p.rest
    return None if r is None else finish_name(fold(r, keep_digits=False))


def newborn(given: str | None, family: str | None) -> Newborn:
    """Recognise a newborn placeholder name and recover the real name parts.

    Args:
        given: The raw given name.
        family: The raw family name.

    Returns:
        As :func:`_newborn`, whose cache holds plain tuples: a ``NamedTuple``
        stays tracked by the garbage collector for life (only exact tuples are
        untracked), so caching one per distinct name grew the oldest generation
        by one object per triage call and brought on full collections.
    """
    return Newborn(*_newborn(given, family))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _newborn(given: str | None, family: str | None) -> tuple[Any, ...]:
    """Recognise a newborn placeholder name and recover the real name parts.

    Args:
        given: The raw given name.
        family: The raw family name.

    Returns:
        The normalised given and family names, whether the record is a
        placeholder, the surname the placeholder carries and the twin marker,
        as ``parse_newborn_placeholder`` gives them.
    """
    g, g_pre, g_suf = _parse(given)
    f, f_pre, f_suf = _parse(family)
    g_norm, f_norm = name(given), name(family)

    g_ph = g_pre or g_suf
    g_of = g_suf or (g is not None and g.of)
    f_named = f_suf or (f_pre and f is not None and f.rest is not None)
    f_bare = f_pre and f is not None and f.rest is None
    g_blank, f_blank = g_norm is None, f_norm is None
    is_ph = g_ph or f_named or (f_bare and (g_blank or g_ph))
    g_rest, f_rest = _rest_name(g), _rest_name(f)

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

    marks = [p.mark for p in (g, f) if p is not None and p.mark is not None]
    return (
        given_name,
        family_name,
        is_ph,
        (ph_surname if ph_surname is not None else family_name) if is_ph else None,
        marks[0] if is_ph and marks else None,
    )
