"""Who attends, when and where: drawing attendances from the population strata.

The background population is a large pool of households known only by size
(children, adults) and a household propensity to attend. A background
attendance first picks a household (propensity x members), then, once the
household has been given people, one member (age factor x a personal
propensity: babies and toddlers attend most). Both propensities are
exponential, so over a long history a few children attend three or more times,
most once, and families accumulate attendances across siblings.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth._config import STRATA, AttendanceMix
from cpflag.synth._geo import Geography
from cpflag.synth._households import CHILD, CHILD_COUNTS, YEAR
from cpflag.synth._plans import PlanPopulation

__all__ = [
    "CATCHMENT_PER_DAILY_ATTENDANCE",
    "MAX_PER_PERSON_YEAR",
    "SETTINGS",
    "Draw",
    "Pool",
    "arrival_days",
    "build_pool",
    "choose_members",
    "choose_sites",
    "draw_attendances",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

#: Background persons per attendance a day (~0.36 attendances a person a year).
CATCHMENT_PER_DAILY_ATTENDANCE: Final = 1000
#: Most attendances a person of a plan stratum makes a year on average: the
#: enrichment of small strata never turns into dozens of visits a person.
MAX_PER_PERSON_YEAR: Final = {
    "plan_subject": 3.0,
    "plan_child_other": 2.5,
    "plan_adult": 2.0,
    "unborn_mother": 6.0,
    "unborn_baby": 4.0,
    "unshared_la": 2.5,
}
#: Mean persons per background household (used to size the pool).
_MEAN_HH_SIZE: Final = 2.86
#: Settings in code order (``choose_sites`` returns codes into this tuple).
SETTINGS: Final = ("ed_child", "ed_adult", "ed_mixed", "miu", "utc", "maternity", "neonatal")
#: Relative frequency of arrivals by hour of day (evening peak).
_HOURS: Final = np.array(
    [2, 1.5, 1, 1, 1, 1, 1.5, 2.5, 4, 5.5, 6, 6, 6, 6, 6, 6, 6, 6.5, 7, 7, 6, 5, 4, 3], dtype=float
)


@attrs.frozen
class Pool:
    """Background households: LA, children, adults and propensity (no people yet)."""

    la: I64
    n_children: I64
    woman: B
    man: B
    propensity: F64


@attrs.frozen
class Draw:
    """The drawn attendances, before any record is written.

    Plan-population draws name a person; background draws name a pool
    household and whether a child or an adult of it attends.
    """

    from_pool: B
    who: I64  # plan person index, or pool household index
    wants_child: B  # background draws: a child (else an adult) of the household
    minute: I64  # minute of the day
    stratum: I64  # index into STRATA


def build_pool(rng: np.random.Generator, geo: Geography, per_day: float) -> Pool:
    """The background households attendances are drawn from.

    Args:
        rng: The generator's random source.
        geo: Population LAs (weights by child population).
        per_day: Attendances a day.

    Returns:
        The pool.
    """
    persons = max(int(per_day * CATCHMENT_PER_DAILY_ATTENDANCE), 2000)
    n = int(persons / _MEAN_HH_SIZE)
    w = geo.las["children_k"].to_numpy()
    la = np.minimum(
        np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right"), w.size - 1
    )
    probs = np.asarray(CHILD_COUNTS["background"])
    k = np.searchsorted(np.cumsum(probs / probs.sum()), rng.random(n), side="right").astype(
        np.int64
    )
    childless = k == 0
    couple = rng.random(n) < np.where(childless, 0.55, 0.72)
    single_w = rng.random(n) < np.where(childless, 0.5, 0.95)
    woman = couple | single_w
    man = couple | ~single_w
    return Pool(
        la=la.astype(np.int64),
        n_children=k,
        woman=woman,
        man=man,
        # Gamma(2)/2: families differ in how often they attend (mean 1).
        propensity=rng.gamma(2.0, 0.5, size=n),
    )


def _age_factor(age: I64) -> F64:
    years = age / YEAR
    return np.select([years < 1, years < 5, years < 16, years < 18], [3.0, 1.8, 1.0, 1.2], 1.0)


def _draw(rng: np.random.Generator, weights: F64, n: int) -> I64:
    if n == 0 or weights.size == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weights)
    idx = np.searchsorted(cum, rng.random(n) * cum[-1], side="right")
    out: I64 = np.minimum(idx, weights.size - 1).astype(np.int64)
    return out


def draw_attendances(
    rng: np.random.Generator,
    plan: PlanPopulation,
    pool: Pool,
    n: int,
    days: int,
    mix: AttendanceMix,
) -> Draw:
    """Draw ``n`` attendances from the strata (arrival day comes later).

    Args:
        rng: The generator's random source.
        plan: The plan population (stratum of each person).
        pool: The background pool.
        n: Number of attendances.
        days: Length of the history (caps the attendances per person of plan strata).
        mix: Share of attendances per stratum.

    Returns:
        The draw, grouped by stratum.
    """
    ps = plan.structure
    weights: dict[str, tuple[bool, I64, F64]] = {}
    adults = pool.woman.astype(np.int64) + pool.man
    for name, count in (("background_child", pool.n_children), ("background_adult", adults)):
        idx = np.flatnonzero(count > 0)
        weights[name] = (True, idx, pool.propensity[idx] * count[idx])
    gp = rng.gamma(0.7, 1.0 / 0.7, size=ps.n_persons)
    factor = np.where(ps.p_role == CHILD, _age_factor(ps.p_age), 1.0)
    born = ps.p_age >= 0
    for name in STRATA[2:]:
        idx = np.flatnonzero((plan.stratum == name) & born)
        weights[name] = (False, idx, gp[idx] * factor[idx])
    shares = mix.as_dict()
    names = [k for k in STRATA if weights[k][1].size > 0 and shares[k] > 0]
    p = np.array([shares[k] for k in names], dtype=float)
    counts = rng.multinomial(n, p / p.sum()) if names else np.zeros(0, dtype=np.int64)
    # Cap the plan strata (per person and year, over at least 60 days) and
    # give the excess to the background strata.
    span = max(days, 60) / 365.0
    excess = 0
    for i, name in enumerate(names):
        if name in MAX_PER_PERSON_YEAR:
            cap = int(MAX_PER_PERSON_YEAR[name] * weights[name][1].size * span)
            excess += max(int(counts[i]) - cap, 0)
            counts[i] = min(int(counts[i]), cap)
    back = [i for i, name in enumerate(names) if name not in MAX_PER_PERSON_YEAR]
    if excess and back:
        counts[back] += rng.multinomial(excess, p[back] / p[back].sum())
    from_pool, who, child, stratum = [], [], [], []
    for name, count in zip(names, counts, strict=True):
        is_pool, idx, wts = weights[name]
        pick = idx[_draw(rng, wts, int(count))]
        from_pool.append(np.full(pick.size, is_pool))
        who.append(pick)
        child.append(np.full(pick.size, name == "background_child"))
        stratum.append(np.full(pick.size, STRATA.index(name), dtype=np.int64))
    total = sum(a.size for a in who)
    hour = np.searchsorted(np.cumsum(_HOURS / _HOURS.sum()), rng.random(total), side="right")
    minute = np.minimum(hour, 23) * 60 + rng.integers(0, 60, size=total)
    cat = np.concatenate if total else (lambda _: np.zeros(0, dtype=np.int64))
    return Draw(
        from_pool=np.concatenate(from_pool) if from_pool else np.zeros(0, dtype=bool),
        who=cat(who),
        wants_child=np.concatenate(child) if child else np.zeros(0, dtype=bool),
        minute=minute.astype(np.int64),
        stratum=cat(stratum),
    )


def choose_members(
    rng: np.random.Generator,
    household: I64,
    wants_child: B,
    first: I64,
    size: I64,
    role: npt.NDArray[np.int8],
    age: I64,
) -> I64:
    """Pick the attending member of each drawn background household.

    Members are weighted by an age factor times a personal propensity, drawn
    once per person, so the same child tends to be the one who comes back.

    Args:
        rng: The generator's random source.
        household: Household (index into ``first``/``size``) of each attendance.
        wants_child: The attendance is a child's (else an adult's).
        first: First person index of each household.
        size: Persons per household.
        role: Role of each person.
        age: Age in days of each person (on the last day).

    Returns:
        Person index of each attendance.
    """
    n_persons = role.size
    hh_of = np.repeat(np.arange(first.size), size)
    is_child = role == CHILD
    weight = rng.standard_exponential(n_persons) * np.where(is_child, _age_factor(age), 1.0)
    out = np.empty(household.size, dtype=np.int64)
    for want in (True, False):
        ok = is_child == want
        w = np.where(ok, weight, 0.0)
        # Per household a block (h, h + 1] of normalised cumulative weights.
        tot = np.bincount(hh_of, weights=w, minlength=first.size)
        cs = np.cumsum(w)
        base = np.r_[0.0, cs][first]
        cum = hh_of + (cs - base[hh_of]) / np.maximum(tot[hh_of], 1e-300)
        sel = np.flatnonzero(wants_child == want)
        h = household[sel]
        target = h + 1e-9 + rng.random(sel.size) * (1 - 2e-9)
        idx = np.searchsorted(cum, target, side="left")
        out[sel] = np.minimum(idx, n_persons - 1)
    return out


def arrival_days(rng: np.random.Generator, age: I64, days: int, last_day: int) -> I64:
    """Arrival day of each attendance: uniform over the history, not before birth."""
    lo = np.maximum(0, (days - 1) - age)
    day_index = lo + (rng.random(age.size) * (days - lo)).astype(np.int64)
    out: I64 = last_day - (days - 1) + day_index
    return out


def choose_sites(
    rng: np.random.Generator,
    geo: Geography,
    la: I64,
    age_days: I64,
    female: B,
    pregnant: B,
) -> tuple[I64, pl.Series]:
    """Site (row of ``geo.sites.frame``) and ECDS-like setting of each attendance.

    Args:
        rng: The generator's random source.
        geo: Sites and the home trust of each LA.
        la: Population-LA index of the attendee's residence.
        age_days: Age at arrival in days.
        female: Attendee is female.
        pregnant: Attendee is pregnant (a pre-birth plan mother before the due date).

    Returns:
        The site row index and the setting of each attendance.
    """
    sites = geo.sites.frame
    n = la.size
    trust = geo.sites.la_trust[la]
    site_trust = sites["trust"].to_numpy()
    n_trusts = int(site_trust.max()) + 1
    away = rng.random(n) < 0.1
    trust = np.where(away, rng.integers(0, n_trusts, size=n), trust)
    first_site = np.searchsorted(site_trust, np.arange(n_trusts))
    n_sites = np.bincount(site_trust, minlength=n_trusts)
    years = age_days / YEAR
    maternity = (pregnant & (rng.random(n) < 0.7)) | (
        female & (years >= 16) & (years < 45) & (rng.random(n) < 0.03)
    )
    second = (n_sites[trust] > 1) & (rng.random(n) < 0.15) & ~maternity & (years >= 1)
    site = first_site[trust] + second
    kind = sites["kind"].to_numpy()[site]
    teen_adult = (years >= 16) & (years < 18) & (rng.random(n) < 0.5)
    code = {k: i for i, k in enumerate(SETTINGS)}
    ed_split = np.where(
        (years < 16) | ((years < 18) & ~teen_adult), code["ed_child"], code["ed_adult"]
    )
    setting = np.select(
        [
            maternity,
            (age_days < 28) & (rng.random(n) < 0.05),
            kind == "ed_split",
            kind == "ed_mixed",
            kind == "utc",
        ],
        [code["maternity"], code["neonatal"], ed_split, code["ed_mixed"], code["utc"]],
        code["miu"],
    )
    return site.astype(np.int64), pl.Series(values=SETTINGS).gather(setting)
