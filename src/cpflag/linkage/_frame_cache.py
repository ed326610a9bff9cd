"""Values derived from a frame, kept for as long as the frame lives.

A plan index's frames are matched against every night (and every triage
fallback), so what a step derives from the plan side alone -- blocking key
rows, level ceilings, value codes -- is computed once per frame and reused.
Entries are held per frame and dropped when the frame is freed; a value may
also depend on other objects (a model, term-frequency tables), which the entry
holds and checks by identity. Frames are taken as immutable, as polars frames
are unless changed in place (the index's never are); the frame's height is part
of the key all the same.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

import polars as pl

__all__ = ["MIN_CACHED_ROWS", "frame_cached"]

T = TypeVar("T")

#: Frames shorter than this are not worth keeping values for (a batch chunk,
#: a handful of triage rows).
MIN_CACHED_ROWS: Final = 10_000

_ENTRIES: dict[int, dict[Hashable, tuple[tuple[Any, ...], Any]]] = {}
_LOCK: Final = threading.Lock()


def _forget(frame_id: int) -> None:
    with _LOCK:
        _ENTRIES.pop(frame_id, None)


def frame_cached(
    frame: pl.DataFrame, key: Hashable, make: Callable[[], T], *, anchors: tuple[Any, ...] = ()
) -> T:
    """``make()``, computed once per ``frame``, ``key`` and ``anchors`` (by identity).

    Args:
        frame: The frame the value is derived from (the cache lives as long as it).
        key: What the value is, e.g. ``("blocking keys", ("dob",))``.
        make: Computes the value.
        anchors: Other objects the value depends on, held with it and compared
            by identity.
    """
    if frame.height < MIN_CACHED_ROWS:
        return make()
    fid, key = id(frame), (key, frame.height)
    with _LOCK:
        per = _ENTRIES.get(fid)
        hit = None if per is None else per.get(key)
    if (
        hit is not None
        and len(hit[0]) == len(anchors)
        and all(a is b for a, b in zip(hit[0], anchors, strict=True))
    ):
        return hit[1]  # type: ignore[no-any-return]
    value = make()
    with _LOCK:
        per = _ENTRIES.get(fid)
        if per is None:
            per = _ENTRIES[fid] = {}
            weakref.finalize(frame, _forget, fid)
        per[key] = (anchors, value)
    return value
