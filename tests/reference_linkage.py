"""The plain per-pair comparison levels the property tests check the vectorised code against.

Written here first (Python sets and dates rather than polars expressions), then
promoted into the package as the scalar triage path: now the Python reading of
the declared kinds (``cpflag.linkage._comparisons.plain_level``), which uses
the same Jaro--Winkler as the vectorised code so that the two agree exactly.
``REFERENCE[kind](left, right)`` gives the set of acceptable labels (one label:
the plain level), as the tests expect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpflag.linkage._comparisons import LEVEL_LABELS, plain_level
from cpflag.normalise._plain import swap

__all__ = ["REFERENCE", "swap"]

Rec = dict[str, Any]

_KINDS = (
    "nhs_number",
    "given_name",
    "family_name",
    "name_swap",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
)


def _reference(kind: str) -> Callable[[Rec, Rec], set[str]]:
    def levels(left: Rec, right: Rec) -> set[str]:
        g = plain_level(kind, left, right)
        return {"null" if g < 0 else LEVEL_LABELS[kind][g]}

    return levels


REFERENCE: dict[str, Callable[[Rec, Rec], set[str]]] = {k: _reference(k) for k in _KINDS}
