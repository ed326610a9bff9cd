"""Attendance records: what an ED system writes down about each drawn attendance.

Every field starts from the person's true value and passes through the noise of
the domain notes (``NoiseRates``); each applied trap is recorded in a Boolean
truth column of the same row.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.contract import ATTENDANCES
from cpflag.synth import _dates, _fields, _naming, _text
from cpflag.synth._config import STRATA, NoiseRates
from cpflag.synth._geo import Geography
from cpflag.synth._population import Population
from cpflag.synth._sampling import choose_sites
from cpflag.synth._util import pick

__all__ = ["build_records"]

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]

_PERSON_COLUMNS = (
    "person_id", "hh", "residence", "role", "twin", "sex", "dob", "group", "given",
    "surname", "surname_alt", "double_surname", "mother", "nhs",
)  # fmt: skip
_HOUSEHOLD_COLUMNS = (
    "la", "new_la", "move_day", "postcode", "postcode_new", "address", "address_new",
    "gp", "gp_new",
)  # fmt: skip
#: ``group`` code of Chinese names (see ``_reference.GROUPS``).
_CHINESE = 9


def _names(
    rng: np.random.Generator,
    p: pl.DataFrame,
    mother_surname: pl.Series,
    age: I64,
    upper: B,
    rates: NoiseRates,
) -> tuple[pl.Series, pl.Series, dict[str, B]]:
    """Given and family name of each record, and the name traps applied."""
    n = p.height
    t: dict[str, B] = {}
    # Newborns: "Baby" / "Baby A" with the mother's surname, or "Baby of Smith".
    p_baby = np.select(
        [age < 7, age < 28, age < 42],
        [rates.baby_named_0_6, rates.baby_named_7_27, rates.baby_named_28_41],
        0.0,
    )
    baby = rng.random(n) < p_baby
    family, t["alt_surname_used"], t["hyphen_one_part"] = _naming.recorded_surname(
        rng,
        p["surname"],
        p["surname_alt"],
        p["double_surname"].to_numpy() & ~baby,
        rates.alt_surname_used,
        rates.hyphen_one_part,
    )
    t["alt_surname_used"] &= ~baby
    given = p["given"]
    t["nickname"] = ~baby & _naming.has_alias(given, "nickname") & (rng.random(n) < rates.nickname)
    t["name_variant"] = (
        ~baby
        & ~t["nickname"]
        & _naming.has_alias(given, "variant")
        & (rng.random(n) < rates.name_variant)
    )
    given = _naming.apply_alias(rng, given, t["nickname"], "nickname")
    given = _naming.apply_alias(rng, given, t["name_variant"], "variant")
    given, d1 = _naming.strip_some(rng, given, rates.diacritics_stripped)
    family, d2 = _naming.strip_some(rng, family, rates.diacritics_stripped)
    t["diacritics_stripped"] = d1 | d2
    style_of = baby & (rng.random(n) < rates.baby_of_style)
    m_surname = mother_surname.fill_null(family)
    baby_given = pl.Series(values=["Baby", "Baby A", "Baby B"]).gather(p["twin"].cast(pl.Int64))
    given = pick(style_of, None, pick(baby, baby_given, given))
    family = pick(style_of, "Baby of " + m_surname, pick(baby, m_surname, family))
    t["baby_of"] = baby
    given, t["given_typo"] = _naming.typo(rng, given, rates.given_typo, ~baby)
    family, t["family_typo"] = _naming.typo(rng, family, rates.family_typo, ~baby)
    chinese = p["group"].to_numpy() == _CHINESE
    swap_p = np.where(chinese, rates.given_family_swap_chinese, rates.given_family_swap)
    swap = ~baby & (rng.random(n) < swap_p) & given.is_not_null().to_numpy()
    given, family = pick(swap, family, given), pick(swap, given, family)
    t["given_family_swapped"] = swap
    u = rng.random(n)
    lower = u > 1 - rates.name_lower_case
    spaced = u < rates.name_extra_space
    style = np.where(upper, 1, np.select([lower, spaced], [2, 3], 0)).astype(np.int8)
    given = _text.change_case(given, style)
    # np.int8(0), not 0: NumPy 1 promoted a Python 0 beside an int8 array to int64 (NEP 50).
    family = _text.change_case(family, np.where(style == 3, np.int8(0), style))
    return given, family, t


def build_records(
    rng: np.random.Generator,
    pop: Population,
    person: I64,
    day: I64,
    minute: I64,
    stratum: I64,
    geo: Geography,
    edd_of_mother: I64,
    rates: NoiseRates,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write the attendance records (sorted by arrival) and their truth rows.

    Args:
        rng: The generator's random source.
        pop: The population.
        person: Global person index of each attendance.
        day: Day number of arrival.
        minute: Minute of the day of arrival.
        stratum: Sampling stratum (index into ``STRATA``) of each attendance.
        geo: Geography (sites).
        edd_of_mother: Expected delivery day of each person's pre-birth plan, or -1.
        rates: Noise rates.

    Returns:
        ``(attendances, truth)``: the contract frame and the truth frame (with
        internal ``_person`` and ``_day`` columns for the truth-flag joins).
    """
    order = np.lexsort((rng.random(person.size), minute, day))
    person, day, minute, stratum = person[order], day[order], minute[order], stratum[order]
    n = person.size
    persons, hhs = pop.persons, pop.households
    p = persons.select(_PERSON_COLUMNS)[person]
    dob = p["dob"].cast(pl.Int32).to_numpy().astype(np.int64)
    age = day - dob
    home = p["residence"].to_numpy()
    h = hhs.select(_HOUSEHOLD_COLUMNS)[home]
    moved = day >= h["move_day"].to_numpy()
    la = np.where(moved, h["new_la"].to_numpy(), h["la"].to_numpy())
    female = (p["sex"] == "F").to_numpy()
    pregnant = (edd_of_mother[person] >= 0) & (day < edd_of_mother[person])
    site, setting = choose_sites(rng, geo, la, age, female, pregnant)
    sites = geo.sites.frame[site]
    upper = sites["upper"].to_numpy()
    mother = p["mother"].to_numpy()
    mother_surname = pick(mother >= 0, persons["surname"].gather(np.maximum(mother, 0)), None)
    given, family, traps = _names(rng, p, mother_surname, age, upper, rates)
    dob_col, dob_traps = _fields.dob_noise(
        rng, dob, day, rates.dob_typo, rates.dob_swap, rates.dob_year_off, rates.dob_missing
    )
    traps.update(dob_traps)
    nhs, mother_nhs, nhs_traps = _fields.nhs_fields(rng, pop, p["nhs"], mother, person, age, rates)
    traps.update(nhs_traps)
    postcode = pick(moved, h["postcode_new"], h["postcode"])
    address = pick(moved, h["address_new"], h["address"])
    gp = pick(moved, h["gp_new"], h["gp"])
    traps["postcode_moved"] = moved
    town = geo.las["la_name"].gather(la)
    postcode, address, place_traps = _fields.place_fields(
        rng, postcode, address, town, age, upper, rates
    )
    traps.update(place_traps)
    gp = pick(rng.random(n) < rates.gp_missing, None, gp)
    carer_given, carer_family, traps["carer_recorded"] = _fields.carer_fields(
        rng, pop, home, age, upper, rates
    )
    # MRN: stable per (person, trust); a few duplicate registrations get a second one.
    trust = sites["trust"].to_numpy()
    dup = rng.random(n) < rates.mrn_duplicate
    key = np.where(dup, person + persons.height, person)
    number = (key * 7919 + trust * 1_000_003 + 12_345) % 100_000_000
    mrn = sites["mrn_prefix"] + pl.Series(values=number).cast(pl.String()).str.zfill(8)
    traps["mrn_duplicate"] = dup
    sex = _fields.sex_codes(rng, p["sex"], sites["sex_12"].to_numpy(), age, rates)
    arrival = pl.Series(values=day * 86_400_000_000 + minute * 60_000_000).cast(pl.Datetime("us"))
    width = max(7, len(str(n)))
    att_id = "A" + pl.Series(values=np.arange(1, n + 1)).cast(pl.String()).str.zfill(width)
    attendances = pl.DataFrame(
        {
            "attendance_id": att_id,
            "arrival_time": arrival,
            "site_code": sites["site_code"],
            "setting": setting,
            "local_patient_id": mrn,
            "nhs_number": nhs,
            "given_name": given,
            "family_name": family,
            "date_of_birth": dob_col,
            "sex": sex,
            "postcode": postcode,
            "address": address,
            "carer_given_name": carer_given,
            "carer_family_name": carer_family,
            "mother_nhs_number": mother_nhs,
            "gp_practice_code": gp,
        }
    ).select([pl.col(c.name).cast(c.dtype) for c in ATTENDANCES.columns])
    traps["twin"] = p["twin"].to_numpy() > 0
    truth = pl.DataFrame(
        {
            "attendance_id": att_id,
            "person_id": p["person_id"],
            "family_id": hhs["family_id"].gather(p["hh"]),
            "is_adult": _dates.is_adult(dob, day),
            "role": pl.Series(values=["woman", "man", "child"]).gather(p["role"].cast(pl.Int64)),
            "stratum": pl.Series(values=STRATA).gather(stratum),
            "arrival_date": pl.Series(values=day.astype(np.int32)).cast(pl.Date()),
            "age_days": age,
            **dict(sorted(traps.items())),
            # Internal keys for the truth-flag joins (dropped before output).
            "_person": person,
            "_day": day,
        }
    )
    return attendances, truth
