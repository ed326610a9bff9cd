"""The plan population: families on LA lists, who is a plan subject, where they live.

Households are built per plan kind (cpp, lac, cin, unborn, marac families), the
subjects of each plan are chosen, LAC children are placed with foster carers or
in residential homes, and every person gets an attendance stratum. The
skeleton row of each plan (who, which LA, which dates) comes from
``_skeleton``. LAs that share no list get plan families too: their children
attend, but no plan row of theirs reaches the output.
"""

from __future__ import annotations

from typing import Final

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth._config import NoiseRates, Scale
from cpflag.synth._geo import Geography
from cpflag.synth._households import CHILD, KIND, WOMAN, Structure, build_structure
from cpflag.synth._skeleton import (
    ROW_COLUMNS,
    ROW_SCHEMA,
    child_rows,
    role_of_hh,
    simple_rows,
    unborn_rows,
)

__all__ = ["PlanPopulation", "build_plan_population"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

#: Expected plan subjects per family, used to size the number of families.
_SUBJECTS_PER_FAMILY: Final = {"cpp": 1.9, "lac": 1.2, "cin": 1.5, "unborn_cpp": 1.0, "marac": 1.0}


@attrs.frozen
class PlanPopulation:
    """Plan households and their plan-row skeleton.

    ``rows`` has one row per plan (shared or not): ``plan_type``, ``la``,
    ``subject`` / ``mother`` / ``carer`` (person index or -1), ``baby`` (first
    baby born of an unborn plan, or -1), ``family_hh``, ``start``, ``end``
    (day numbers; end -1 = open), ``edd`` (-1 if none), ``category``.
    """

    structure: Structure
    rows: pl.DataFrame
    #: residence household of each person (LAC children live in placements)
    residence: I64
    #: attendance stratum of each person (see AttendanceMix)
    stratum: npt.NDArray[np.str_]


def _alloc(rng: np.random.Generator, total: int, w: npt.NDArray[np.float64], shares: B) -> I64:
    """Split ``total`` over sharing LAs by weight; unsharing LAs at the same rate."""
    out = np.zeros(w.size, dtype=np.int64)
    ws = w * shares
    if ws.sum() > 0:
        out[shares] = rng.multinomial(total, ws[shares] / ws.sum())
        rate = total / ws.sum()
        out[~shares] = rng.poisson(rate * w[~shares])
    return out


def _rank_random(rng: np.random.Generator, group: I64, eligible: B) -> I64:
    """Random rank (0, 1, ...) of each eligible element within its group; -1 if not eligible."""
    key = rng.random(group.size)
    order = np.lexsort((key, ~eligible, group))
    g = group[order]
    start = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    first = np.repeat(start, np.diff(np.r_[start, g.size]))
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(g.size) - first
    return np.where(eligible, rank, -1)


def build_plan_population(
    rng: np.random.Generator, geo: Geography, scale: Scale, rates: NoiseRates, last_day: int
) -> PlanPopulation:
    """Build the plan households and one skeleton row per plan.

    Args:
        rng: The generator's random source.
        geo: Population LAs (weights, sharing flags, list dates).
        scale: Plan-row targets.
        rates: Population and plan rates.
        last_day: Day number of the last day of the history.

    Returns:
        The plan population.
    """
    las = geo.las
    w = las["children_k"].to_numpy()
    shares = las["shares"].to_numpy()
    list_day = las["list_date"].cast(pl.Int32).to_numpy().astype(np.int64)
    n_la = las.height
    fams: dict[str, I64] = {}
    for ptype, total in scale.plan_rows.items():
        per_la = _alloc(rng, total, w, shares)
        # Over-provision child-plan families a little; surplus rows are trimmed below.
        spare = 1.1 if ptype in ("cpp", "lac", "cin") else 1.0
        fams[ptype] = np.repeat(
            np.arange(n_la), np.ceil(per_la / _SUBJECTS_PER_FAMILY[ptype] * spare).astype(np.int64)
        )
    twin = rates.twin
    parts = [
        build_structure(rng, "cpp", fams["cpp"], twin_rate=twin),
        build_structure(rng, "lac", fams["lac"], twin_rate=twin),
        build_structure(rng, "cin", fams["cin"], twin_rate=twin),
    ]
    # Unborn plans: the expected date is around the list date; babies born by
    # the last day exist as children of the household.
    ub_la = fams["unborn_cpp"]
    edd = list_day[ub_la] + rng.integers(-70, 151, size=ub_la.size)
    delivery = edd + np.clip(np.round(rng.normal(-4, 9, size=ub_la.size)), -35, 14).astype(np.int64)
    parts.append(
        build_structure(rng, "unborn", ub_la, twin_rate=twin, baby_age=last_day - delivery)
    )
    parts.append(build_structure(rng, "marac", fams["marac"], twin_rate=twin))
    s = Structure.concat(parts)
    kind = s.hh_kind
    hh = s.p_hh
    la_p = s.hh_la[hh]
    age_at_list = s.p_age - (last_day - list_day[la_p])
    is_child = s.p_role == CHILD
    eligible = is_child & (age_at_list >= 7)
    pk = kind[hh]
    # --- who is a plan subject ---------------------------------------------------
    all_kids = rng.random(s.n_households)
    coin = rng.random(s.n_persons) < 0.5
    cpp_sub = (pk == KIND["cpp"]) & eligible & ((all_kids[hh] < 0.75) | coin)
    cin_sub = (pk == KIND["cin"]) & eligible & ((all_kids[hh] < 0.5) | coin)
    n_lac = (
        np.searchsorted(np.cumsum([0.75, 0.18, 0.07]), rng.random(s.n_households), side="right") + 1
    )
    rank = _rank_random(rng, hh, eligible)
    lac_sub = (pk == KIND["lac"]) & eligible & (rank < n_lac[hh])
    # A family with no subject chosen yet gets its randomly first eligible child.
    has_cpp = np.bincount(hh[cpp_sub], minlength=s.n_households) > 0
    cpp_sub = cpp_sub | ((pk == KIND["cpp"]) & (rank == 0) & ~has_cpp[hh])
    has_cin = np.bincount(hh[cin_sub], minlength=s.n_households) > 0
    cin_sub = cin_sub | ((pk == KIND["cin"]) & (rank == 0) & ~has_cin[hh])
    # Older children of some unborn-plan mothers are on a cpp themselves.
    ub_cpp = rng.random(s.n_households) < 0.25
    baby = (pk == KIND["unborn"]) & is_child & (s.p_rank <= s.hh_twins[hh].astype(np.int64))
    ub_born = np.zeros(s.n_households, dtype=bool)
    ub_idx = np.flatnonzero(kind == KIND["unborn"])
    ub_born[ub_idx] = delivery <= last_day
    baby &= ub_born[hh]
    cpp_sub |= (pk == KIND["unborn"]) & eligible & ~baby & ub_cpp[hh]

    rows: list[pl.DataFrame] = []
    for ptype, sub in (("cpp", cpp_sub), ("lac", lac_sub), ("cin", cin_sub)):
        idx = np.flatnonzero(sub)
        target = scale.plan_rows[ptype]
        shared_idx = idx[shares[la_p[idx]]]
        if shared_idx.size > target:
            # Trim surplus shared rows: those children become plan siblings.
            drop = rng.choice(shared_idx, size=shared_idx.size - target, replace=False)
            idx = np.setdiff1d(idx, drop)
        rows.append(child_rows(rng, ptype, idx, s, list_day, last_day, rates))
    lac_idx = rows[1]["subject"].cast(pl.Int64).to_numpy()
    s, residence, foster_carer = _place_lac(rng, s, lac_idx)
    rows[1] = rows[1].with_columns(pl.Series("carer", foster_carer))
    rows.extend(unborn_rows(rng, s, ub_idx, edd, delivery, list_day, last_day))
    marac_w = np.flatnonzero((s.hh_kind[s.p_hh] == KIND["marac"]) & (s.p_role == WOMAN))
    rows.append(simple_rows(rng, "marac", marac_w, s, list_day, rates, mean_days=120))
    # Empty frames built from scalars have Null columns: cast to the row schema.
    table = pl.concat([r.select(ROW_COLUMNS).cast(ROW_SCHEMA) for r in rows], how="vertical")
    stratum = _strata(s, table, shares)
    return PlanPopulation(structure=s, rows=table, residence=residence, stratum=stratum)


def _homes(rng: np.random.Generator, n_children: int, sizes: tuple[float, ...]) -> I64:
    """Assign ``n_children`` (in random order) to homes of random sizes 1, 2, ..."""
    if n_children == 0:
        return np.zeros(0, dtype=np.int64)
    p = np.asarray(sizes) / np.sum(sizes)
    size = 1 + np.searchsorted(np.cumsum(p), rng.random(n_children), side="right")
    ends = np.cumsum(size)
    return np.searchsorted(ends, rng.permutation(n_children), side="right").astype(np.int64)


def _place_lac(rng: np.random.Generator, s: Structure, lac: I64) -> tuple[Structure, I64, I64]:
    """Place LAC children: foster carers, residential homes or at home.

    Returns:
        The structure with placement households appended, each person's
        residence household, and the carer (person index or -1) of each LAC row.
    """
    n = lac.size
    n_la = int(s.hh_la.max(initial=0)) + 1
    u = rng.random(n)
    foster = u < 0.83
    resid = (u >= 0.83) & (u < 0.93)
    birth_la = s.hh_la[s.p_hh[lac]]
    parts = [s]
    residence_of_lac = s.p_hh[lac].copy()
    carer = np.full(n, -1, dtype=np.int64)
    offset = s.n_households
    p_offset = s.n_persons
    for kind, sel, sizes in (
        ("foster", foster, (0.6, 0.3, 0.1)),
        ("residential", resid, (0.0, 0.3, 0.4, 0.3)),
    ):
        idx = np.flatnonzero(sel)
        home = _homes(rng, idx.size, sizes)
        n_homes = int(home.max(initial=-1)) + 1
        # A home is in the LA of its first child, or (out of area) anywhere.
        home_la = np.zeros(n_homes, dtype=np.int64)
        home_la[home[::-1]] = birth_la[idx[::-1]]
        away = rng.random(n_homes) < 0.3
        home_la = np.where(away, rng.integers(0, n_la, size=n_homes), home_la)
        st = build_structure(rng, kind, home_la, twin_rate=0.0, min_youngest=5 * 365.0)
        residence_of_lac[idx] = offset + home
        if kind == "foster":
            carer_of_home = role_of_hh(st, WOMAN)
            carer[idx] = np.where(carer_of_home[home] >= 0, carer_of_home[home] + p_offset, -1)
        parts.append(st)
        offset += st.n_households
        p_offset += st.n_persons
    at_home = ~foster & ~resid
    mother = role_of_hh(s, WOMAN)[s.p_hh[lac]]
    carer = np.where(at_home, mother, carer)
    full = Structure.concat(parts)
    residence = full.p_hh.copy()
    residence[lac] = residence_of_lac
    return full, residence, carer


def _strata(s: Structure, table: pl.DataFrame, shares: B) -> npt.NDArray[np.str_]:
    """Attendance stratum of every person of the plan population."""
    own_shared = shares[s.hh_la[s.p_hh]]
    out = np.where(s.p_role == CHILD, "plan_child_other", "plan_adult").astype("<U16")
    shared_rows = table.filter(pl.col("la").is_in(np.flatnonzero(shares).tolist()))
    child_plans = shared_rows.filter(pl.col("plan_type").is_in(["cpp", "lac", "cin"]))
    unborn = shared_rows.filter(pl.col("plan_type") == "unborn_cpp")
    out[~own_shared] = "unshared_la"
    mothers = unborn["mother"].to_numpy()
    out[mothers[mothers >= 0]] = "unborn_mother"
    kids = (
        (s.p_role == CHILD)
        & (s.hh_kind[s.p_hh] == KIND["unborn"])
        & (s.p_rank <= s.hh_twins[s.p_hh].astype(np.int64))
    )
    born_babies = unborn["baby"].to_numpy()
    baby_hh = s.p_hh[born_babies[born_babies >= 0]]
    is_baby = kids & np.isin(s.p_hh, baby_hh)
    out[is_baby & own_shared] = "unborn_baby"
    subjects = child_plans["subject"].to_numpy()
    out[subjects] = "plan_subject"
    return out
