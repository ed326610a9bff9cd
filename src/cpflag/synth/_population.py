"""The materialised population: every person and household that appears anywhere.

Plan households are all materialised; of the background pool only the
households someone attends from. Everybody then gets an NHS number (unique,
valid; a few visitors none), every household an address, a GP practice and,
for some, a house move (plan families: since the list; others: during the
history). Some relatives of plan families may live apart, at another address
of their own (``NoiseRates.relatives_apart``).
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _nhs
from cpflag.synth._config import NoiseRates
from cpflag.synth._geo import Geography, assign_addresses, gp_codes
from cpflag.synth._households import CHILD, KIND, KINDS, MAN, WOMAN, Structure, build_structure
from cpflag.synth._people import materialise
from cpflag.synth._plans import PlanPopulation
from cpflag.synth._sampling import Pool

__all__ = ["Population", "build_population"]

I64 = npt.NDArray[np.int64]


@attrs.frozen
class Population:
    """Persons and households; a person's or household's index is its row."""

    persons: pl.DataFrame
    households: pl.DataFrame
    #: first global person index of the background part
    n_plan_persons: int
    #: the background structure (touched pool households, local indices)
    background: Structure


def build_population(
    rng: np.random.Generator,
    geo: Geography,
    plan: PlanPopulation,
    pool: Pool,
    touched: I64,
    rates: NoiseRates,
    last_day: int,
    days: int,
    *,
    aux: np.random.Generator,
) -> Population:
    """Materialise plan households and the touched background households.

    Args:
        rng: The generator's random source.
        aux: The second source (settings whose defaults draw nothing from ``rng``).
        geo: Population LAs.
        plan: The plan population.
        pool: The background pool.
        touched: Sorted, distinct pool households somebody attends from (they
            are materialised in this order).
        rates: Population rates.
        last_day: Day number of the last day of the history.
        days: Length of the history.

    Returns:
        The population.
    """
    ps = plan.structure
    bg = build_structure(
        rng,
        "background",
        pool.la[touched],
        twin_rate=rates.twin,
        n_children=pool.n_children[touched],
        adults=(pool.woman[touched], pool.man[touched]),
        keep_children=True,
    )
    p_plan = materialise(rng, ps, geo.las, rates, last_day, aux=aux)
    p_bg = materialise(rng, bg, geo.las, rates, last_day, aux=aux)
    h1, n1 = ps.n_households, ps.n_persons
    p_bg = p_bg.with_columns(
        pl.col("hh") + h1,
        pl.when(pl.col("mother") >= 0).then(pl.col("mother") + n1).otherwise(-1).alias("mother"),
    )
    residence = np.r_[plan.residence, bg.p_hh + h1]
    persons = pl.concat([p_plan, p_bg], how="vertical").with_columns(
        pl.Series("residence", residence),
    )
    n = persons.height
    nhs = _nhs.issue_numbers(rng, n)
    visitor = rng.random(n) < rates.person_without_nhs
    persons = persons.with_columns(
        pl.when(pl.Series(values=visitor)).then(None).otherwise(nhs).alias("nhs"),
        pl.format("P{}", pl.int_range(pl.len()).cast(pl.String()).str.zfill(8)).alias("person_id"),
    )
    households = _households(rng, geo, Structure.concat([ps, bg]), rates, last_day, days)
    persons, households = _relatives_apart(aux, geo, plan, persons, households, rates)
    persons = persons.with_columns(
        households["la"].gather(persons["hh"]).alias("la"),
    )
    return Population(
        persons=persons,
        households=households,
        n_plan_persons=n1,
        background=bg,
    )


def _households(
    rng: np.random.Generator,
    geo: Geography,
    s: Structure,
    rates: NoiseRates,
    last_day: int,
    days: int,
) -> pl.DataFrame:
    n = s.n_households
    la = s.hh_la
    address, postcode = assign_addresses(rng, la, geo.las, rates.flat)
    gp = gp_codes(rng, la, geo.las)
    list_day = geo.las["list_date"].cast(pl.Int32).to_numpy().astype(np.int64)[la]
    plan_kind = s.hh_kind != KIND["background"]
    moved = np.where(
        plan_kind, rng.random(n) < rates.moved_plan, rng.random(n) < rates.moved_background
    )
    moved &= s.hh_kind != KIND["residential"]
    # Plan families moved after the list was extracted (the list is stale);
    # other families at any time during the history.
    lo = np.where(plan_kind, list_day + 1, last_day - days + 1)
    move_day = lo + (rng.random(n) * np.maximum(last_day - lo + 1, 1)).astype(np.int64)
    new_la = np.where(
        rng.random(n) < rates.move_same_la, la, rng.integers(0, geo.las.height, size=n)
    )
    mv = np.flatnonzero(moved)
    new_address, new_postcode = assign_addresses(rng, new_la[mv], geo.las, rates.flat)
    new_gp = gp_codes(rng, new_la[mv], geo.las)
    ref_prefix = geo.las["ref_prefix"].gather(la)
    frame = pl.DataFrame(
        {
            "family_id": "F" + pl.Series(values=np.arange(n)).cast(pl.String()).str.zfill(7),
            "kind": pl.Series(values=np.array(KINDS)[s.hh_kind], dtype=pl.String()),
            "la": la,
            "address": address,
            "postcode": postcode,
            "gp": gp,
            "moved": moved,
            "move_day": np.where(moved, move_day, np.iinfo(np.int64).max),
            "new_la": new_la,
            "family_ref": ref_prefix
            + "/"
            + pl.Series(values=rng.integers(10_000, 1_000_000, size=n))
            .cast(pl.String())
            .str.zfill(6),
        }
    )
    movers = pl.DataFrame(
        {"i": mv, "address_new": new_address, "postcode_new": new_postcode, "gp_new": new_gp},
        schema={
            "i": pl.Int64(),
            "address_new": pl.String(),
            "postcode_new": pl.String(),
            "gp_new": pl.String(),
        },
    )
    return (
        frame.with_row_index("i")
        .with_columns(pl.col("i").cast(pl.Int64))
        .join(movers, on="i", how="left", maintain_order="left")
        .drop("i")
    )


#: Household kinds whose relatives may live apart (families on a list).
_PLAN_FAMILIES = ("cpp", "lac", "cin", "unborn", "marac")


def _relatives_apart(
    aux: np.random.Generator,
    geo: Geography,
    plan: PlanPopulation,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    rates: NoiseRates,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Move some relatives of plan families to another address of their own.

    Each man of a plan household that also has a woman, and each child aged 1
    or over who is not a plan subject (nor already placed elsewhere), lives
    apart with probability ``rates.relatives_apart``; those of one family share
    one new household (same LA, or another with ``1 - move_same_la``), which is
    appended to ``households``. Their birth household (``hh``) is unchanged, so
    they are still siblings and parents in the truth; only ``residence`` moves.
    With the default rate of 0 nothing is drawn and nothing changes.
    """
    if rates.relatives_apart <= 0.0:
        return persons, households
    hh = persons["hh"].to_numpy()
    role = persons["role"].to_numpy()
    residence = persons["residence"].to_numpy().copy()
    kind = households["kind"].to_numpy()
    n_plan = plan.structure.n_persons
    in_plan = np.zeros(persons.height, dtype=bool)
    in_plan[:n_plan] = np.isin(kind[hh[:n_plan]], _PLAN_FAMILIES)
    has_woman = np.zeros(households.height, dtype=bool)
    has_woman[hh[role == WOMAN]] = True
    subjects = plan.rows["subject"].to_numpy()
    is_subject = np.zeros(persons.height, dtype=bool)
    is_subject[subjects[subjects >= 0]] = True
    at_home = residence == hh
    age = persons["age"].to_numpy()
    eligible = (
        in_plan
        & at_home
        & (((role == MAN) & has_woman[hh]) | ((role == CHILD) & ~is_subject & (age >= 365)))
    )
    apart = eligible & (aux.random(persons.height) < rates.relatives_apart)
    who = np.flatnonzero(apart)
    if who.size == 0:
        return persons, households
    fam, new_of = np.unique(hh[who], return_inverse=True)
    n_new = fam.size
    old_la = households["la"].to_numpy()[fam]
    la = np.where(
        aux.random(n_new) < rates.move_same_la, old_la, aux.integers(0, geo.las.height, n_new)
    )
    address, postcode = assign_addresses(aux, la, geo.las, rates.flat)
    first = households.height
    residence[who] = first + new_of
    ref_prefix = geo.las["ref_prefix"].gather(la)
    extra = pl.DataFrame(
        {
            "family_id": "F"
            + pl.Series(values=np.arange(first, first + n_new)).cast(pl.String()).str.zfill(7),
            "kind": pl.Series(values=["apart"] * n_new, dtype=pl.String()),
            "la": la,
            "address": address,
            "postcode": postcode,
            "gp": gp_codes(aux, la, geo.las),
            "moved": np.zeros(n_new, dtype=bool),
            "move_day": np.full(n_new, np.iinfo(np.int64).max),
            "new_la": la,
            "family_ref": ref_prefix
            + "/"
            + pl.Series(values=aux.integers(10_000, 1_000_000, size=n_new))
            .cast(pl.String())
            .str.zfill(6),
        }
    )
    extra = extra.cast({c: households.schema[c] for c in extra.columns})
    households = pl.concat([households, extra], how="diagonal")
    persons = persons.with_columns(pl.Series("residence", residence))
    return persons, households
