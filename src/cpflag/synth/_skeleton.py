"""Skeleton plan rows: one row per plan, saying who, which LA and which dates.

Each plan kind has its own row builder: child plans (cpp, lac, cin) with a
category and a named carer, the adult's MARAC row, and the pre-birth plans with
their expected delivery date, early closures and the cpp rows of babies whose
plan was re-registered after the birth. Names, NHS numbers and addresses are
attached later (``_planrows``), when the whole population exists.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth._config import NoiseRates
from cpflag.synth._households import CHILD, MAN, WOMAN, Structure

__all__ = [
    "ROW_COLUMNS",
    "ROW_SCHEMA",
    "child_rows",
    "role_of_hh",
    "simple_rows",
    "unborn_rows",
]

I64 = npt.NDArray[np.int64]

_CATEGORIES: Final = ("neglect", "emotional", "physical", "sexual", "multiple")
_CATEGORY_P: Final = (0.5, 0.36, 0.08, 0.04, 0.02)


def _exp_days(rng: np.random.Generator, mean: float, n: int) -> I64:
    return (1 + rng.exponential(mean, size=n)).astype(np.int64)


ROW_COLUMNS: Final = (
    "plan_type", "la", "subject", "mother", "carer", "baby", "family_hh",
    "start", "end", "edd", "category",
)  # fmt: skip
ROW_SCHEMA: Final = pl.Schema(
    {c: (pl.String() if c in ("plan_type", "category") else pl.Int64()) for c in ROW_COLUMNS}
)


def _dates(
    rng: np.random.Generator, n: int, list_d: I64, dob: I64, mean_days: float, ended_rate: float
) -> tuple[I64, I64]:
    """Start and end day numbers: open plans, and some ended before the list date."""
    start = np.maximum(list_d - _exp_days(rng, mean_days, n), dob)
    ended = (rng.random(n) < ended_rate) & (list_d - dob > 200)
    end = list_d - rng.integers(1, 121, size=n)
    start_e = np.maximum(end - _exp_days(rng, mean_days, n), dob)
    return np.where(ended, start_e, start), np.where(ended & (end > start_e), end, -1)


def child_rows(
    rng: np.random.Generator,
    ptype: str,
    idx: I64,
    s: Structure,
    list_day: I64,
    last_day: int,
    rates: NoiseRates,
) -> pl.DataFrame:
    hh = s.p_hh[idx]
    la = s.hh_la[hh]
    dob = last_day - s.p_age[idx]
    mean = {"cpp": 250.0, "lac": 900.0, "cin": 300.0}[ptype]
    start, end = _dates(rng, idx.size, list_day[la], dob, mean, rates.plan_ended)
    # Siblings usually share the plan category: draw it per household.
    cat_hh = np.searchsorted(np.cumsum(_CATEGORY_P), rng.random(s.n_households), side="right")
    cat = np.array(_CATEGORIES)[np.minimum(cat_hh[hh], 4)] if ptype == "cpp" else None
    # Main carer named on the plan: the mother, else the father/step-father.
    woman = np.full(s.n_households, -1, dtype=np.int64)
    man = np.full(s.n_households, -1, dtype=np.int64)
    woman[s.p_hh[s.p_role == WOMAN]] = np.flatnonzero(s.p_role == WOMAN)
    man[s.p_hh[s.p_role == MAN]] = np.flatnonzero(s.p_role == MAN)
    is_mother = rng.random(idx.size) < rates.plan_carer_is_mother
    carer = np.where((woman[hh] >= 0) & is_mother, woman[hh], man[hh])
    return pl.DataFrame(
        {
            "plan_type": ptype,
            "la": la,
            "subject": idx,
            "mother": np.full(idx.size, -1),
            "carer": carer,
            "baby": np.full(idx.size, -1),
            "family_hh": hh,
            "start": start,
            "end": end,
            "edd": np.full(idx.size, -1),
            "category": pl.Series(values=cat, dtype=pl.String())
            if cat is not None
            else pl.Series(values=[None] * idx.size, dtype=pl.String()),
        }
    )


def simple_rows(
    rng: np.random.Generator,
    ptype: str,
    idx: I64,
    s: Structure,
    list_day: I64,
    rates: NoiseRates,
    mean_days: float,
) -> pl.DataFrame:
    hh = s.p_hh[idx]
    la = s.hh_la[hh]
    start, end = _dates(
        rng, idx.size, list_day[la], list_day[la] - 10_000, mean_days, rates.plan_ended
    )
    return pl.DataFrame(
        {
            "plan_type": ptype,
            "la": la,
            "subject": idx,
            "mother": np.full(idx.size, -1),
            "carer": np.full(idx.size, -1),
            "baby": np.full(idx.size, -1),
            "family_hh": hh,
            "start": start,
            "end": end,
            "edd": np.full(idx.size, -1),
            "category": pl.Series(values=[None] * idx.size, dtype=pl.String()),
        }
    )


def unborn_rows(
    rng: np.random.Generator,
    s: Structure,
    ub_hh: I64,
    edd: I64,
    delivery: I64,
    list_day: I64,
    last_day: int,
) -> list[pl.DataFrame]:
    """Pre-birth plan rows, and cpp rows of babies whose plan was re-registered."""
    n = ub_hh.size
    la = s.hh_la[ub_hh]
    ld = list_day[la]
    mother = role_of_hh(s, WOMAN)[ub_hh]
    partner = role_of_hh(s, MAN)[ub_hh]
    start = np.minimum(edd - rng.integers(56, 169, size=n), ld - 1)
    # Some pre-birth plans end before the birth (stepped down): no flag after.
    early = rng.random(n) < 0.08
    end_early = np.minimum(delivery, ld) - rng.integers(1, 31, size=n)
    end = np.where(early & (end_early > start), end_early, -1)
    # The babies: youngest child (and its twin) of a household whose baby is born.
    first_kid = np.full(s.n_households, -1, dtype=np.int64)
    kids = np.flatnonzero((s.p_role == CHILD) & (s.p_rank == 0))
    first_kid[s.p_hh[kids]] = kids
    born = delivery <= last_day
    baby = np.where(born, first_kid[ub_hh], -1)
    # After the birth some plans are closed and the baby gets a cpp of its own.
    rereg = born & (end < 0) & (delivery <= ld - 21) & (rng.random(n) < 0.5)
    end = np.where(rereg, np.minimum(delivery + rng.integers(7, 22, size=n), ld), end)
    unborn = pl.DataFrame(
        {
            "plan_type": "unborn_cpp",
            "la": la,
            "subject": np.full(n, -1),
            "mother": mother,
            "carer": np.where(rng.random(n) < 0.5, partner, -1),
            "baby": baby,
            "family_hh": ub_hh,
            "start": start,
            "end": end,
            "edd": edd,
            "category": pl.Series(values=[None] * n, dtype=pl.String()),
        }
    )
    # One cpp row per re-registered baby (twins: two rows).
    twin_hh = s.hh_twins[ub_hh] & rereg
    sel = np.flatnonzero(rereg)
    subj = np.r_[baby[sel], baby[twin_hh] + 1]
    at = np.r_[sel, np.flatnonzero(twin_hh)]
    cat = np.array(_CATEGORIES)[
        np.minimum(np.searchsorted(np.cumsum(_CATEGORY_P), rng.random(at.size), side="right"), 4)
    ]
    babies = pl.DataFrame(
        {
            "plan_type": "cpp",
            "la": la[at],
            "subject": subj,
            "mother": np.full(at.size, -1),
            "carer": mother[at],
            "baby": np.full(at.size, -1),
            "family_hh": ub_hh[at],
            "start": end[at],
            "end": np.full(at.size, -1),
            "edd": np.full(at.size, -1),
            "category": pl.Series(values=cat, dtype=pl.String()),
        }
    )
    return [unborn, babies]


def role_of_hh(s: Structure, role: int) -> I64:
    """Person index of the adult of ``role`` in each household (-1 if none)."""
    out = np.full(s.n_households, -1, dtype=np.int64)
    who = np.flatnonzero(s.p_role == role)
    out[s.p_hh[who]] = who
    return out
