"""Household structure: who lives together, their roles, sexes and ages.

Structure is pure numbers (no names yet), so a large background pool can be
laid out cheaply and only the households that actually attend are given names,
NHS numbers and addresses. Persons of a household are consecutive: the adult
woman (role 0, the mother where there are children), the adult man (role 1,
father or step-father), then the children youngest first.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "CHILD",
    "KINDS",
    "MAN",
    "WOMAN",
    "YEAR",
    "Structure",
    "build_structure",
]

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
B = npt.NDArray[np.bool_]

YEAR: Final = 365.25
ADULT_DAYS: Final = int(18 * YEAR)
WOMAN, MAN, CHILD = 0, 1, 2

#: Household kinds (int codes). Plan kinds describe why a household is on a list.
KINDS: Final = (
    "background",
    "cpp",
    "lac",
    "cin",
    "unborn",
    "marac",
    "foster",
    "residential",
)
KIND: Final = {k: i for i, k in enumerate(KINDS)}

#: P(number of children = 0, 1, 2, ...) per kind (before over-18s drop out).
CHILD_COUNTS: Final = {
    "background": (0.36, 0.22, 0.24, 0.11, 0.05, 0.015, 0.005),
    "cpp": (0.0, 0.3, 0.28, 0.2, 0.12, 0.07, 0.03),
    "lac": (0.0, 0.35, 0.28, 0.19, 0.1, 0.06, 0.02),
    "cin": (0.0, 0.4, 0.3, 0.17, 0.08, 0.04, 0.01),
    "unborn": (0.45, 0.25, 0.15, 0.1, 0.05),
    "marac": (0.15, 0.35, 0.3, 0.15, 0.05),
    "foster": (0.55, 0.3, 0.15),
    "residential": (1.0,),
}
#: P(an adult woman), P(an adult man) in households with children, per kind.
ADULTS: Final = {
    "background": (0.97, 0.72),
    "cpp": (0.97, 0.55),
    "lac": (0.85, 0.35),
    "cin": (0.97, 0.5),
    "unborn": (1.0, 0.55),
    "marac": (1.0, 0.5),
    "foster": (1.0, 0.6),
    "residential": (0.0, 0.0),
}


@attrs.frozen
class Structure:
    """Households (``hh_*``, one entry each) and their persons (``p_*``)."""

    hh_kind: I8
    hh_la: I64
    hh_first: I64
    hh_size: I64
    hh_twins: B
    p_hh: I64
    p_role: I8
    p_sex: I8  # 0 female, 1 male
    p_age: I64  # age in days on the last day of the history (may be < 0: not born)
    p_twin: I8  # 0 no, 1 first twin, 2 second twin
    p_rank: I64  # child rank, youngest 0; -1 for adults

    @property
    def n_households(self) -> int:
        return int(self.hh_kind.shape[0])

    @property
    def n_persons(self) -> int:
        return int(self.p_hh.shape[0])

    @staticmethod
    def concat(parts: list[Structure]) -> Structure:
        """Stack structures; household and person indices are renumbered."""
        hh_off = np.cumsum([0] + [p.n_households for p in parts])
        p_off = np.cumsum([0] + [p.n_persons for p in parts])
        return Structure(
            hh_kind=np.concatenate([p.hh_kind for p in parts]),
            hh_la=np.concatenate([p.hh_la for p in parts]),
            hh_first=np.concatenate([p.hh_first + o for p, o in zip(parts, p_off, strict=False)]),
            hh_size=np.concatenate([p.hh_size for p in parts]),
            hh_twins=np.concatenate([p.hh_twins for p in parts]),
            p_hh=np.concatenate([p.p_hh + o for p, o in zip(parts, hh_off, strict=False)]),
            p_role=np.concatenate([p.p_role for p in parts]),
            p_sex=np.concatenate([p.p_sex for p in parts]),
            p_age=np.concatenate([p.p_age for p in parts]),
            p_twin=np.concatenate([p.p_twin for p in parts]),
            p_rank=np.concatenate([p.p_rank for p in parts]),
        )


def _counts(rng: np.random.Generator, n: int, probs: tuple[float, ...]) -> I64:
    p = np.asarray(probs, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(n), side="right").astype(np.int64)


def build_structure(
    rng: np.random.Generator,
    kind: str,
    la: I64,
    *,
    twin_rate: float,
    baby_age: I64 | None = None,
    min_youngest: float = 0.0,
    n_children: I64 | None = None,
    adults: tuple[B, B] | None = None,
    keep_children: bool = False,
) -> Structure:
    """Lay out ``la.size`` households of one kind.

    Args:
        rng: The generator's random source.
        kind: One of :data:`KINDS`.
        la: Population-LA index of each household.
        twin_rate: Share of households with 2+ children that have a twin pair.
        baby_age: Optional age (days) of a baby added as youngest child; a
            negative value means the baby is not born yet (no child is added,
            and the other children are at least ~10 months older).
        min_youngest: Minimum age in days of the youngest (random) child.
        n_children: Optional child counts, overriding the kind's distribution.
        adults: Optional (has adult woman, has adult man) per household.
        keep_children: Squeeze ages so that all ``n_children`` are under 18
            (the background pool has decided its counts before ages exist).

    Returns:
        The structure.
    """
    n = la.size
    k = n_children.copy() if n_children is not None else _counts(rng, n, CHILD_COUNTS[kind])
    has_baby = np.zeros(n, dtype=bool) if baby_age is None else baby_age >= 0
    k = k + has_baby
    # Child slots, flat (one entry per potential child), youngest first; each
    # older child is older by a birth gap of 300 days + gamma(2, 450 days).
    lo = np.full(n, float(min_youngest))
    if baby_age is not None:
        lo = np.where(baby_age < 0, np.maximum(lo, 300.0 - baby_age), lo)
    span = np.maximum(ADULT_DAYS - lo, 1.0)
    # Triangular density on [lo, 18y): the youngest child is more often young.
    youngest = lo + span * (1.0 - np.sqrt(rng.random(n)))
    first_age = np.where(has_baby, baby_age if baby_age is not None else 0, youngest)
    twins = (rng.random(n) < twin_rate) & (k >= 2)
    slots = int(k.sum())
    slot_first = (np.cumsum(k) - k).astype(np.int64)
    slot_hh = np.repeat(np.arange(n, dtype=np.int64), k)
    slot_rank = np.arange(slots, dtype=np.int64) - slot_first[slot_hh]
    gap = 300.0 + 450.0 * (rng.standard_exponential(slots) + rng.standard_exponential(slots))
    gap[slot_rank == 0] = 0.0
    gap[(slot_rank == 1) & twins[slot_hh]] = 0.0
    cs = np.cumsum(gap)
    base = (cs - gap)[slot_first[k > 0]]
    seg = np.zeros(n)
    seg[k > 0] = base
    offset = cs - seg[slot_hh]
    if keep_children:
        span_h = np.zeros(n)
        last_slot = slot_first + k - 1
        span_h[k > 0] = offset[last_slot[k > 0]]
        squeeze = np.minimum(1.0, (ADULT_DAYS - 1) / np.maximum(span_h, 1.0))
        first_age = np.minimum(first_age, ADULT_DAYS - 1 - span_h * squeeze)
        offset = offset * squeeze[slot_hh]
    slot_age = (first_age[slot_hh] + offset).astype(np.int64)
    # Children who would be 18 or over are adults elsewhere: drop them (the
    # valid slots of a household are a prefix, ages increase with rank).
    valid = slot_age < ADULT_DAYS
    k = np.bincount(slot_hh[valid], minlength=n).astype(np.int64)
    twins &= k >= 2
    oldest = np.zeros(n, dtype=np.int64)
    last = slot_first + k - 1
    oldest[k > 0] = slot_age[last[k > 0]]
    p_mother, p_partner = ADULTS[kind]
    woman = rng.random(n) < p_mother
    man = rng.random(n) < p_partner
    childless = k == 0
    if adults is not None:
        woman, man = adults[0].copy(), adults[1].copy()
    elif kind == "background":
        couple = rng.random(n) < 0.55
        single_w = rng.random(n) < 0.5
        woman = np.where(childless, couple | single_w, woman)
        man = np.where(childless, couple | ~single_w, man)
    if kind != "residential":
        # Every household has an adult: a child-only household is a residential home.
        man |= ~woman & ~man
    first_birth = np.minimum(15.5 * YEAR + rng.gamma(2.5, 4.0 * YEAR, size=n), 45 * YEAR)
    bg_single = childless & (kind == "background")
    woman_age = np.where(bg_single, (18 + rng.random(n) * 67) * YEAR, oldest + first_birth)
    if kind == "foster":
        woman_age = np.maximum(woman_age, (30 + rng.random(n) * 30) * YEAR)
    man_age = np.maximum(woman_age + rng.normal(2.5, 4.0, size=n) * YEAR, 18 * YEAR + 30)
    man_age = np.where(bg_single, (18 + rng.random(n) * 67) * YEAR, man_age)
    size = woman.astype(np.int64) + man + k
    first = (np.cumsum(size) - size).astype(np.int64)
    total = int(size.sum())
    p_hh = np.repeat(np.arange(n, dtype=np.int64), size)
    role = np.full(total, CHILD, dtype=np.int8)
    age = np.empty(total, dtype=np.int64)
    rank = np.full(total, -1, dtype=np.int64)
    twin = np.zeros(total, dtype=np.int8)
    sex = (rng.random(total) < 0.512).astype(np.int8)
    wi = np.flatnonzero(woman)
    role[first[wi]] = WOMAN
    age[first[wi]] = woman_age[wi]
    sex[first[wi]] = 0
    mi = np.flatnonzero(man)
    role[first[mi] + woman[mi]] = MAN
    age[first[mi] + woman[mi]] = man_age[mi]
    sex[first[mi] + woman[mi]] = 1
    vs = np.flatnonzero(valid)
    vh = slot_hh[vs]
    at = first[vh] + woman[vh] + man[vh] + slot_rank[vs]
    age[at] = slot_age[vs]
    rank[at] = slot_rank[vs]
    tw = twins[vh] & (slot_rank[vs] <= 1)
    twin[at[tw]] = (slot_rank[vs][tw] + 1).astype(np.int8)
    return Structure(
        hh_kind=np.full(n, KIND[kind], dtype=np.int8),
        hh_la=la.astype(np.int64),
        hh_first=first,
        hh_size=size,
        hh_twins=twins,
        p_hh=p_hh,
        p_role=role,
        p_sex=sex,
        p_age=age,
        p_twin=twin,
        p_rank=rank,
    )
