"""Per-field noise of attendance records: dates of birth, NHS numbers, places, carers."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _dates, _naming, _nhs, _text
from cpflag.synth._config import NoiseRates
from cpflag.synth._households import CHILD, MAN, WOMAN, YEAR
from cpflag.synth._population import Population
from cpflag.synth._util import pick, replace_at

__all__ = ["carer_fields", "dob_noise", "nhs_fields", "place_fields", "sex_codes"]

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]

_ABBREVIATIONS: Final = {
    " Road": " Rd", " Street": " St", " Avenue": " Ave", " Close": " Cl", " Lane": " Ln",
    " Drive": " Dr", " Crescent": " Cres", " Gardens": " Gdns",
}  # fmt: skip


def dob_noise(
    rng: np.random.Generator,
    dob: I64,
    latest: I64,
    typo: float,
    swap: float,
    year_off: float,
    missing: float,
) -> tuple[pl.Series, dict[str, B]]:
    """Damage dates of birth: at most one of digit typo, day/month swap, year off, missing.

    Args:
        rng: The generator's random source.
        dob: True dates of birth (day numbers).
        latest: Latest acceptable date per row (the arrival or list date).
        typo: Rate of one-digit typos.
        swap: Rate of day/month swaps (applied only where the swap is a real date).
        year_off: Rate of the year off by one.
        missing: Rate of a missing date.

    Returns:
        The recorded dates (Date series) and the trap masks.
    """
    n = dob.size
    u = rng.random(n)
    cut = np.cumsum([typo, swap, year_off, missing])
    out = dob.copy()
    t: dict[str, B] = {}
    for name, lo, hi, fn in (
        ("dob_typo", 0.0, cut[0], lambda d, x: _dates.digit_typo(rng, d, x)),
        ("dob_swap", cut[0], cut[1], _dates.swap_day_month),
        ("dob_year_off", cut[1], cut[2], lambda d, x: _dates.year_off(rng, d, x)),
    ):
        sel = np.flatnonzero((u >= lo) & (u < hi))
        new, ok = fn(dob[sel], latest[sel])
        out[sel[ok]] = new[ok]
        mask = np.zeros(n, dtype=bool)
        mask[sel[ok]] = True
        t[name] = mask
    t["dob_missing"] = (u >= cut[2]) & (u < cut[3])
    col = pl.Series(values=out.astype(np.int32)).cast(pl.Date())
    return pick(t["dob_missing"], None, col), t


def nhs_fields(
    rng: np.random.Generator,
    pop: Population,
    own: pl.Series,
    mother: I64,
    person: I64,
    age: I64,
    rates: NoiseRates,
) -> tuple[pl.Series, pl.Series, dict[str, B]]:
    """The NHS number and mother_nhs_number of each record, and the traps applied."""
    n = own.len()
    nhs_all = pop.persons["nhs"]
    has = own.is_not_null().to_numpy()
    newborn = age < 42
    mother_nhs = pick(mother >= 0, nhs_all.gather(np.maximum(mother, 0)), None)
    has_mother_nhs = mother_nhs.is_not_null().to_numpy()
    u = rng.random(n)
    t: dict[str, B] = {}
    # A newborn without its own number on the system: staff sometimes type the
    # mother's number into the baby's NHS number field.
    t["nhs_of_mother"] = newborn & has_mother_nhs & (rng.random(n) < rates.nhs_of_mother)
    missing_p = np.where(newborn, rates.nhs_missing_newborn, rates.nhs_missing)
    t["nhs_missing"] = ~t["nhs_of_mother"] & (~has | (u < missing_p))
    rest = ~t["nhs_missing"] & ~t["nhs_of_mother"]
    v = rng.random(n)
    t["nhs_invalid"] = rest & (v < rates.nhs_invalid)
    sib_of = _sibling(pop, person)
    t["nhs_of_sibling"] = (
        rest
        & (sib_of >= 0)
        & (v >= rates.nhs_invalid)
        & (v < rates.nhs_invalid + rates.nhs_of_sibling)
    )
    t["nhs_of_sibling"][t["nhs_of_sibling"]] = (
        nhs_all.gather(sib_of[t["nhs_of_sibling"]]).is_not_null().to_numpy()
    )
    value = own
    i = np.flatnonzero(t["nhs_of_sibling"])
    if i.size:
        value = replace_at(value, i, nhs_all.gather(sib_of[i]))
    i = np.flatnonzero(t["nhs_of_mother"])
    if i.size:
        value = replace_at(value, i, mother_nhs.gather(i))
    i = np.flatnonzero(t["nhs_invalid"])
    if i.size:
        value = replace_at(value, i, _nhs.corrupt_digit(rng, own.gather(i)))
    value = pick(t["nhs_missing"], None, value)
    w = rng.random(n)
    style = np.select([w < rates.nhs_spaced, w > 1 - rates.nhs_dashed], [1, 2], 0).astype(np.int8)
    value = _nhs.format_nhs(value, style)
    p_on = np.where(
        newborn,
        rates.mother_nhs_on_newborn,
        np.where(age < 90, rates.mother_nhs_on_newborn * 0.25, 0.0),
    )
    t["mother_nhs_on_record"] = (mother >= 0) & has_mother_nhs & (rng.random(n) < p_on)
    mnhs = pick(t["mother_nhs_on_record"], _nhs.format_nhs(mother_nhs, style), None)
    return value, mnhs, t


def _sibling(pop: Population, person: I64) -> I64:
    """The next child of the same household (cyclic by rank), or -1."""
    persons = pop.persons
    role = persons["role"].to_numpy()
    hh = persons["hh"].to_numpy()
    rank = persons["rank"].to_numpy()
    kids = np.flatnonzero(role == CHILD)
    n_hh = pop.households.height
    n_kids = np.bincount(hh[kids], minlength=n_hh)
    first_kid = np.full(n_hh, -1, dtype=np.int64)
    first_kid[hh[kids][::-1]] = kids[::-1]
    h = hh[person]
    nk = n_kids[h]
    nxt = first_kid[h] + (rank[person] + 1) % np.maximum(nk, 1)
    return np.where((role[person] == CHILD) & (nk >= 2), nxt, -1)


def place_fields(
    rng: np.random.Generator,
    postcode: pl.Series,
    address: pl.Series,
    town: pl.Series,
    age: I64,
    upper: B,
    rates: NoiseRates,
) -> tuple[pl.Series, pl.Series, dict[str, B]]:
    """Recorded postcode and address (typos, pseudo-postcodes, formats), with traps."""
    n = postcode.len()
    t: dict[str, B] = {}
    u = rng.random(n)
    adult = age >= 18 * YEAR
    t["postcode_missing"] = u < rates.postcode_missing
    unknown = (u >= rates.postcode_missing) & (u < rates.postcode_missing + rates.postcode_unknown)
    nfa = adult & (u >= 1 - rates.postcode_nfa)
    typo = ~t["postcode_missing"] & ~unknown & ~nfa & (rng.random(n) < rates.postcode_typo)
    idx = np.flatnonzero(typo)
    if idx.size:
        postcode = replace_at(postcode, idx, _text.class_substitute(rng, postcode.gather(idx)))
    t["postcode_noise"] = typo
    t["postcode_pseudo"] = unknown | nfa
    pseudo = pl.select(
        pl.when(pl.lit(pl.Series(values=unknown)))
        .then(pl.lit("ZZ99 3WZ"))
        .otherwise(pl.lit("ZZ99 3VZ"))
    ).to_series()
    postcode = pick(unknown | nfa, pseudo, postcode)
    postcode = pick(t["postcode_missing"], None, postcode)
    v = rng.random(n)
    fmt = np.select([v < rates.postcode_no_space, v > 1 - rates.postcode_lower_case], [1, 2], 0)
    postcode = pl.select(
        pl.when(pl.lit(pl.Series(values=fmt == 1)))
        .then(pl.lit(postcode).str.replace(" ", "", literal=True))
        .when(pl.lit(pl.Series(values=fmt == 2)))
        .then(pl.lit(postcode).str.to_lowercase())
        .otherwise(pl.lit(postcode))
    ).to_series()
    abbrev = np.flatnonzero(rng.random(n) < rates.address_abbreviated)
    sub = address.gather(abbrev).str.replace_many(
        list(_ABBREVIATIONS), list(_ABBREVIATIONS.values())
    )
    address = replace_at(address, abbrev, sub)
    address = pick(rng.random(n) < rates.address_with_town, address + ", " + town, address)
    address = pick(upper, address.str.to_uppercase(), address)
    t["address_missing"] = rng.random(n) < rates.address_missing
    address = pick(t["address_missing"] | nfa, None, address)
    return postcode, address, t


def carer_fields(
    rng: np.random.Generator, pop: Population, home: I64, age: I64, upper: B, rates: NoiseRates
) -> tuple[pl.Series, pl.Series, B]:
    """Accompanying adult recorded on child records: an adult of the child's home."""
    persons = pop.persons
    n_hh = pop.households.height
    role = persons["role"].to_numpy()
    hh = persons["hh"].to_numpy()
    woman = np.full(n_hh, -1, dtype=np.int64)
    man = np.full(n_hh, -1, dtype=np.int64)
    woman[hh[role == WOMAN]] = np.flatnonzero(role == WOMAN)
    man[hh[role == MAN]] = np.flatnonzero(role == MAN)
    n = home.size
    w, m = woman[home], man[home]
    who = np.where((w >= 0) & ((rng.random(n) < 0.8) | (m < 0)), w, m)
    rec = (age < 16 * YEAR) & (who >= 0) & (rng.random(n) < rates.carer_recorded)
    sel = np.flatnonzero(rec)
    c = persons.select("given", "surname", "surname_alt", "double_surname")[who[sel]]
    fam, _, _ = _naming.recorded_surname(
        rng,
        c["surname"],
        c["surname_alt"],
        c["double_surname"].to_numpy(),
        rates.alt_surname_used,
        0.0,
    )
    given = c["given"]
    nick = _naming.has_alias(given, "nickname") & (rng.random(sel.size) < rates.nickname)
    given = _naming.apply_alias(rng, given, nick, "nickname")
    up = upper[sel]
    given = pick(up, given.str.to_uppercase(), given)
    fam = pick(up, fam.str.to_uppercase(), fam)
    none = pl.select(pl.repeat(None, n, dtype=pl.String())).to_series()
    return replace_at(none, sel, given), replace_at(none, sel, fam), rec


def sex_codes(
    rng: np.random.Generator, sex: pl.Series, sex_12: B, age: I64, rates: NoiseRates
) -> pl.Series:
    """Sex as the site codes it (M/F or ECDS 1/2), with mixed codings and unknowns."""
    n = sex.len()
    numeric = sex_12 ^ (rng.random(n) < rates.sex_other_coding)
    unknown = (age < 28) & (rng.random(n) < 0.05)
    male = (sex == "M").to_numpy()
    code = np.where(unknown, 2, np.where(male, 0, 1)) + np.where(numeric, 3, 0)
    return pl.Series(values=["M", "F", "U", "1", "2", "9"]).gather(code)
