"""The plain per-value normalisers the property tests check the vectorised code against.

They were written here, independently of ``cpflag.normalise`` (token walks, no
shared regular expressions, the standard library instead of polars), and have
been promoted into the package as the scalar triage path
(``cpflag.normalise._plain``, ``_plain_newborn``, ``_plain_address``). The
property tests keep checking vectorised == plain on generated values.
"""

from __future__ import annotations

from cpflag.normalise._plain import (
    PARTICLES,
    TITLES,
    finish_name,
    fold,
    groups,
    name,
    nhs,
    parts,
    phonetic,
    postcode,
    sex,
    swap,
)
from cpflag.normalise._plain_address import address
from cpflag.normalise._plain_newborn import newborn

__all__ = [
    "PARTICLES",
    "TITLES",
    "address",
    "finish_name",
    "fold",
    "groups",
    "name",
    "newborn",
    "nhs",
    "parts",
    "phonetic",
    "postcode",
    "sex",
    "swap",
]
