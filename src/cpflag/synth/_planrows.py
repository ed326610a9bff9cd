"""Plan rows as the LAs send them: the contract ``plans`` frame and its truth.

LAs make errors too: some rows lack an NHS number, some carry typos, a few use
the child's known-as name or the step-father's surname; some LAs write in upper
case, some send no family reference. A looked-after child's row gives the
placement's address (foster carer, residential home), not the birth family's.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.contract import PLANS
from cpflag.synth import _fields, _naming, _nhs, _text
from cpflag.synth._config import NoiseRates
from cpflag.synth._geo import Geography
from cpflag.synth._plans import PlanPopulation
from cpflag.synth._population import Population
from cpflag.synth._util import none_like, pick, replace_at

__all__ = ["render_plans"]

B = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
_TYPE_CODE = {"cpp": "CPP", "lac": "LAC", "cin": "CIN", "unborn_cpp": "UBN", "marac": "MRC"}


def _date(days: I64) -> pl.Series:
    s = pl.Series(values=np.where(days >= 0, days, 0).astype(np.int32)).cast(pl.Date())
    return pick(days >= 0, s, none_like(s))


def render_plans(
    rng: np.random.Generator,
    plan: PlanPopulation,
    pop: Population,
    geo: Geography,
    rates: NoiseRates,
    *,
    aux: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The plan rows of the LAs that share a list, and one truth row per plan row.

    Args:
        rng: The generator's random source.
        aux: The second source (settings whose defaults draw nothing from ``rng``).
        plan: The plan population (row skeletons).
        pop: The population (names, NHS numbers, addresses).
        geo: The population LAs (codes, case convention, family_ref use).
        rates: Plan-row noise rates.

    Returns:
        ``(plans, truth_plans, skeleton)``: the skeleton rows of the shared
        plans, in output order, with their ``plan_id``.
    """
    las = geo.las
    shared = np.flatnonzero(las["shares"].to_numpy()).tolist()
    rows = plan.rows.filter(pl.col("la").is_in(shared)).sort(
        "la", "plan_type", "family_hh", "subject", "mother", maintain_order=True
    )
    n = rows.height
    persons, hhs = pop.persons, pop.households
    ptype = rows["plan_type"].to_numpy()
    unborn = ptype == "unborn_cpp"
    subject = rows["subject"].to_numpy()
    mother = rows["mother"].to_numpy()
    who = np.where(unborn, mother, subject)
    p = persons[who]
    la = rows["la"].to_numpy()
    la_rows = las[la]
    seq = rows.select(pl.int_range(pl.len()).over("la") + 1).to_series()
    plan_id = (
        la_rows["la_code"]
        + "-"
        + rows["plan_type"].replace_strict(_TYPE_CODE)
        + "-"
        + seq.cast(pl.String()).str.zfill(6)
    )
    t: dict[str, B] = {}
    # --- subject identifiers (the mother's for pre-birth plans) ------------------------
    nhs = p["nhs"]
    u = rng.random(n)
    t["nhs_missing"] = nhs.is_null().to_numpy() | (u < rates.plan_nhs_missing)
    t["nhs_invalid"] = ~t["nhs_missing"] & (u > 1 - rates.plan_nhs_invalid)
    bad = np.flatnonzero(t["nhs_invalid"])
    if bad.size:
        nhs = replace_at(nhs, bad, _nhs.corrupt_digit(rng, nhs.gather(bad)))
    nhs = pick(t["nhs_missing"], none_like(nhs), nhs)
    family, t["alt_surname_used"], t["hyphen_one_part"] = _naming.recorded_surname(
        rng,
        p["surname"],
        p["surname_alt"],
        p["double_surname"].to_numpy(),
        rates.plan_alt_surname,
        rates.plan_hyphen_one_part,
    )
    given = p["given"]
    t["known_as"] = _naming.has_alias(given, "nickname") & (rng.random(n) < rates.plan_known_as)
    given = _naming.apply_alias(rng, given, t["known_as"], "nickname")
    given, t["given_typo"] = _naming.typo(rng, given, rates.plan_given_typo, np.ones(n, dtype=bool))
    family, t["family_typo"] = _naming.typo(
        rng, family, rates.plan_family_typo, np.ones(n, dtype=bool)
    )
    dob = p["dob"].cast(pl.Int32).to_numpy().astype(np.int64)
    list_day = la_rows["list_date"].cast(pl.Int32).to_numpy().astype(np.int64)
    dob_rec, dob_traps = _fields.dob_noise(
        rng, dob, list_day, rates.plan_dob_typo, rates.plan_dob_swap, 0.0, 0.0
    )
    t["dob_typo"], t["dob_swap"] = dob_traps["dob_typo"], dob_traps["dob_swap"]
    # --- address: where the subject lives (placement for LAC), as at the list date ----
    home = np.where(
        unborn,
        persons["residence"].to_numpy()[np.maximum(mother, 0)],
        persons["residence"].to_numpy()[np.maximum(subject, 0)],
    )
    h = hhs[home]
    postcode, address = h["postcode"], h["address"]
    w = rng.random(n)
    t["postcode_missing"] = w < rates.plan_postcode_missing
    t["postcode_noise"] = w > 1 - rates.plan_postcode_typo
    typo_idx = np.flatnonzero(t["postcode_noise"])
    if typo_idx.size:
        postcode = replace_at(
            postcode, typo_idx, _text.class_substitute(rng, postcode.gather(typo_idx))
        )
    # A placement's address may be withheld altogether (no postcode, no address).
    withheld = (ptype == "lac") & (aux.random(n) < rates.plan_lac_address_withheld)
    t["postcode_missing"] |= withheld
    postcode = pick(t["postcode_missing"], none_like(postcode), postcode)
    address = pick(withheld, none_like(address), address)
    t["placement_address"] = home != persons["hh"].to_numpy()[who]
    # --- carer ---------------------------------------------------------------------------
    # A carer the LA does not name is not the row's carer (see NoiseRates).
    carer = rows["carer"].to_numpy()
    carer = np.where(aux.random(n) < rates.plan_carer_named, carer, -1)
    c = persons[np.maximum(carer, 0)]
    has_c = carer >= 0
    none = none_like(given)
    carer_given = pick(has_c, c["given"], none)
    carer_family = pick(has_c, c["surname"], none)
    # --- family reference: the birth family's, where the LA sends one ---------------------
    fam_ref = pick(
        la_rows["family_ref"].to_numpy(), hhs["family_ref"].gather(rows["family_hh"]), none
    )
    upper = la_rows["upper"].to_numpy()

    def case(s: pl.Series) -> pl.Series:
        return pick(upper, s.str.to_uppercase(), s)

    # --- a looked-after child's birth mother, where the LA records her -------------------
    birth_mother = persons["mother"].to_numpy()[np.maximum(subject, 0)]
    named = (
        (ptype == "lac")
        & (subject >= 0)
        & (birth_mother >= 0)
        & (rng.random(n) < rates.plan_lac_birth_mother_named)
    )
    bm = persons[np.maximum(birth_mother, 0)]
    t["birth_mother_named"] = named
    mother_given = pick(unborn, given, pick(named, bm["given"], none))
    mother_family = pick(unborn, family, pick(named, bm["surname"], none))
    edd = rows["edd"].to_numpy()
    # Some pre-birth rows have a blank EDD; the truth keeps the real one.
    edd_on_row = np.where(unborn & (aux.random(n) < rates.plan_edd_missing), -1, edd)
    mother_surname_on_row = rng.random(n) < 0.5
    out = pl.DataFrame(
        {
            "plan_id": plan_id,
            "la_code": la_rows["la_code"],
            "plan_type": rows["plan_type"],
            "start_date": _date(rows["start"].to_numpy()),
            "end_date": _date(rows["end"].to_numpy()),
            "category": rows["category"],
            "nhs_number": pick(unborn, none, nhs),
            "given_name": case(pick(unborn, none, given)),
            "family_name": case(pick(unborn & ~mother_surname_on_row, none, family)),
            "date_of_birth": pick(unborn, none_like(dob_rec), dob_rec),
            "sex": pick(unborn, none, p["sex"]),
            "postcode": postcode,
            "address": case(address),
            "family_ref": fam_ref,
            "carer_given_name": case(carer_given),
            "carer_family_name": case(carer_family),
            "mother_nhs_number": pick(unborn, nhs, none),
            "mother_given_name": case(mother_given),
            "mother_family_name": case(mother_family),
            "mother_date_of_birth": pick(unborn, dob_rec, none_like(dob_rec)),
            "expected_delivery_date": _date(edd_on_row),
            "la_contact": la_rows["la_contact"],
            "list_date": none_like(dob_rec),
        }
    ).select([pl.col(col.name).cast(col.dtype) for col in PLANS.columns])
    baby = rows["baby"].to_numpy()
    subj_person = np.where(unborn, baby, subject)
    pid = persons["person_id"]
    truth = pl.DataFrame(
        {
            "plan_id": plan_id,
            "person_id": pick(subj_person >= 0, pid.gather(np.maximum(subj_person, 0)), none),
            "family_id": hhs["family_id"].gather(rows["family_hh"]),
            "mother_person_id": pick(
                mother >= 0,
                pid.gather(np.maximum(mother, 0)),
                pick(named, pid.gather(np.maximum(birth_mother, 0)), none),
            ),
            "carer_person_id": pick(has_c, pid.gather(np.maximum(carer, 0)), none),
            "la_code": la_rows["la_code"],
            "plan_type": rows["plan_type"],
            **dict(sorted(t.items())),
        }
    )
    return (
        out,
        truth,
        rows.with_columns(
            plan_id.alias("plan_id"),
            pl.Series("carer", carer, dtype=pl.Int64),
            pl.Series("named_mother", np.where(named, birth_mother, -1), dtype=pl.Int64),
        ),
    )
