"""Names and dates of birth for a household structure (naming conventions).

Family naming is where ED records of one family stop looking alike, so it is
modelled explicitly per household:

- couples: children take the father's surname, or a hyphenated double
  surname (mother-father), sometimes the mother's; the mother keeps her own
  name or takes the partner's;
- step-families: older children carry an earlier father's surname (or the
  mother's), younger ones the step-father's; some older children also go by
  the step-father's name (a second, "alt" surname recorded inconsistently);
- Bangladeshi/Pakistani families: mothers often Begum/Bibi/Khatun, children
  the father's surname (Rahman, Ali, Miah ...);
- Sikh families: Singh (men, boys) and Kaur (women, girls), or a family name;
- Somali families: a child's surname is the father's given name;
- Polish families: feminine surname forms (Kowalski / Kowalska).
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _reference as ref
from cpflag.synth._config import NoiseRates
from cpflag.synth._households import ADULT_DAYS, CHILD, KIND, MAN, WOMAN, Structure
from cpflag.synth._util import replace_at

__all__ = ["materialise"]

I64 = npt.NDArray[np.int64]
G: Final = ref.GROUP_CODE
#: Relative weights of minority name groups, and of eastern European groups.
_MINORITY: Final = {
    "caribbean": 0.12,
    "south_asian_muslim": 0.36,
    "sikh": 0.07,
    "hindu": 0.13,
    "black_african": 0.2,
    "somali": 0.05,
    "chinese": 0.07,
}
_EASTERN: Final = {"polish": 0.6, "romanian": 0.4}
_EASTERN_SHARE: Final = 0.05
_MUSLIM_MOTHER_CELL: Final = len(ref.GROUPS)


@functools.cache
def _tables() -> tuple[ref.ReferenceTable, ref.ReferenceTable]:
    given = ref.given_names()
    g = given["group"].replace_strict(G, return_dtype=pl.Int64).to_numpy()
    sex = (given["sex"] == "M").cast(pl.Int64).to_numpy()
    cohort = (given["cohort"] == "adult").cast(pl.Int64).to_numpy()
    given_rt = ref.ReferenceTable(
        given["given_name"], g * 4 + sex * 2 + cohort, given["weight"].to_numpy()
    )
    sur = ref.surnames()
    codes = {**G, "muslim_mother": _MUSLIM_MOTHER_CELL}
    cells = sur["group"].replace_strict(codes, return_dtype=pl.Int64).to_numpy()
    return given_rt, ref.ReferenceTable(sur["surname"], cells, sur["weight"].to_numpy())


def _draw_groups(rng: np.random.Generator, minority: npt.NDArray[np.float64]) -> I64:
    n = minority.size
    u = rng.random(n)
    mnames = list(_MINORITY)
    mw = np.array([_MINORITY[k] for k in mnames])
    mpick = np.searchsorted(np.cumsum(mw / mw.sum()), rng.random(n), side="right")
    mcode = np.array([G[k] for k in mnames])[np.minimum(mpick, len(mnames) - 1)]
    ecode = np.where(rng.random(n) < _EASTERN["polish"], G["polish"], G["romanian"])
    ee = minority + _EASTERN_SHARE * (1 - minority)
    return np.where(u < minority, mcode, np.where(u < ee, ecode, G["british"])).astype(np.int64)


def _surname(rng: np.random.Generator, cells: I64) -> pl.Series:
    _, rt = _tables()
    return rt.values.gather(rt.sample(rng, cells))


def materialise(
    rng: np.random.Generator,
    s: Structure,
    las: pl.DataFrame,
    rates: NoiseRates,
    last_day: int,
    *,
    aux: np.random.Generator,
) -> pl.DataFrame:
    """Give every person of ``s`` a sex, date of birth, given name and surname(s).

    Args:
        rng: The generator's random source.
        aux: The generator's second source, for settings whose defaults draw
            nothing from ``rng`` (so the default output does not change).
        s: The households to name.
        las: Population LAs (``minority`` share drives the name groups).
        rates: Population rates (step-families, hyphenation, Begum/Kaur ...).
        last_day: Day number of the last day of the history (ages count from it).

    Returns:
        One row per person of ``s``, in person order: ``hh``, ``role``, ``rank``,
        ``twin``, ``sex`` (F/M), ``dob``, ``group``, ``given``, ``surname``,
        ``surname_alt`` (null unless the person also goes by a second surname),
        ``double_surname`` (hyphenated), ``mother`` (person index, -1 if none).
    """
    given_rt, _ = _tables()
    h, _p = s.n_households, s.n_persons
    hh = s.p_hh
    minority = las["minority"].to_numpy()[s.hh_la]
    group_m = _draw_groups(rng, minority)
    group_p = np.where(rng.random(h) < 0.9, group_m, _draw_groups(rng, minority))
    has_w = np.zeros(h, dtype=bool)
    has_w[hh[s.p_role == WOMAN]] = True
    has_m = np.zeros(h, dtype=bool)
    has_m[hh[s.p_role == MAN]] = True
    n_kids = np.bincount(hh[s.p_role == CHILD], minlength=h)
    blended_rate = np.where(
        s.hh_kind == KIND["background"], rates.blended_background, rates.blended_plan
    )
    blended = has_w & has_m & (n_kids >= 1) & (rng.random(h) < blended_rate)
    two_fathers = has_w & ~has_m & (n_kids >= 2) & (rng.random(h) < 0.35)
    split = (rng.random(h) * np.maximum(n_kids, 1)).astype(np.int64)
    # Twins (the two youngest) always share a father.
    split = np.where(s.hh_twins & (split == 1), np.where(n_kids > 2, 2, 0), split)
    married = rng.random(h) < 0.6
    kept_ex = rng.random(h) < 0.3
    title = (group_m == G["south_asian_muslim"]) & (rng.random(h) < rates.muslim_mother_title)
    religious = (group_m == G["sikh"]) & (rng.random(h) < rates.sikh_religious_names)
    kaur_anyway = rng.random(h) < 0.5
    child_grp = np.where(has_m & (rng.random(h) < 0.3), group_p, group_m)

    # --- person-level draws ------------------------------------------------------
    role, rank, sex = s.p_role, s.p_rank, s.p_sex
    adult = s.p_age >= ADULT_DAYS
    blended_p = blended[hh]
    key = np.where(
        role != CHILD,
        -1,
        np.where(
            has_m[hh] & ~blended_p,
            0,
            np.where(
                blended_p,
                np.where(rank < split[hh], 0, 1),
                np.where(two_fathers[hh] & (rank >= split[hh]), 2, 1),
            ),
        ),
    )
    pgroup = np.where(
        role == WOMAN,
        group_m[hh],
        np.where(role == MAN, group_p[hh], np.where(key == 0, child_grp[hh], group_m[hh])),
    )
    given_idx = given_rt.sample(rng, pgroup * 4 + sex.astype(np.int64) * 2 + adult)
    # Twins get different given names (redraw the second twin on a clash).
    twin1 = np.flatnonzero(s.p_twin == 1)
    twin2 = twin1 + 1
    for _ in range(6):
        clash = twin2[given_idx[twin2] == given_idx[twin1]]
        if clash.size == 0:
            break
        given_idx[clash] = given_rt.sample(
            rng, (pgroup * 4 + sex.astype(np.int64) * 2 + adult)[clash]
        )
    given = given_rt.values.gather(given_idx)
    # A partner's given name is a Somali child's surname.
    partner_of = np.full(h, -1, dtype=np.int64)
    men = np.flatnonzero(role == MAN)
    partner_of[hh[men]] = men
    partner_given = pl.select(
        pl.when(pl.lit(pl.Series(values=partner_of >= 0)))
        .then(given.gather(np.maximum(partner_of, 0)))
        .otherwise(pl.lit(""))
    ).to_series()

    hf = pl.DataFrame(
        {
            "M": _surname(rng, group_m),
            "SP": _surname(rng, group_p),
            "SA": _surname(rng, np.where(rng.random(h) < 0.75, group_m, G["british"])),
            "SB": _surname(rng, np.where(rng.random(h) < 0.75, group_m, G["british"])),
            "title": _surname(rng, np.full(h, _MUSLIM_MOTHER_CELL, dtype=np.int64)),
            "pgiven": partner_given,
            # Somali fathers' children carry his given name; ``patronymic``
            # adds households of other groups with the same convention.
            "somali_p": (group_p == G["somali"]) | (aux.random(h) < rates.patronymic),
            "sikh_p": group_p == G["sikh"],
            "has_m": has_m,
            "blended": blended,
            "married": married,
            "kept_ex": kept_ex,
            "is_title": title,
            "religious": religious,
            "kaur": kaur_anyway,
            "mother_alt": rng.random(h) < 0.3,
        }
    )
    hf = hf.with_columns(
        pl.when(pl.col("religious"))
        .then(pl.lit("Kaur"))
        .when(pl.col("is_title"))
        .then(pl.col("title"))
        .when(pl.col("sikh_p") & pl.col("kaur"))
        .then(pl.lit("Kaur"))
        .when(pl.col("has_m") & pl.col("married"))
        .then(pl.col("SP"))
        .when(pl.col("kept_ex"))
        .then(pl.col("SA"))
        .otherwise(pl.col("M"))
        .alias("m_cur"),
        pl.when(pl.col("religious") & pl.col("sikh_p"))
        .then(pl.lit("Singh"))
        .otherwise(pl.col("SP"))
        .alias("SP"),
    )
    # Naming choices are per household (and father), so full siblings and twins
    # share a surname; only the father of each child differs. Every candidate
    # surname is computed per household, then each person gathers one slot.
    u0, u1, u2 = rng.random(h), rng.random(h), rng.random(h)
    hf = hf.with_columns(
        pl.Series("u0", u0),
        pl.Series("u1", u1),
        pl.Series("u2", u2),
        pl.Series("hyph_order", rng.random(h) < 0.5),
    )
    hyph = rates.hyphenated_child
    hyphenated = (
        pl.when(pl.col("hyph_order"))
        .then(pl.concat_str([pl.col("M"), pl.lit("-"), pl.col("SP")]))
        .otherwise(pl.concat_str([pl.col("SP"), pl.lit("-"), pl.col("M")]))
    )
    own_family = pl.col("is_title") | pl.col("sikh_p") | pl.col("somali_p")
    sikh_rel = pl.col("religious") & pl.col("sikh_p")

    def of_partner(boy: bool) -> pl.Expr:
        return (
            pl.when(sikh_rel)
            .then(pl.lit("Singh" if boy else "Kaur"))
            .when(pl.col("somali_p"))
            .then(pl.col("pgiven"))
            .when(~own_family & (pl.col("u0") < hyph) & (pl.col("M") != pl.col("SP")))
            .then(hyphenated)
            .when(~own_family & (pl.col("u0") < hyph + rates.child_mother_surname))
            .then(pl.col("m_cur"))
            .otherwise(pl.col("SP"))
        )

    slots = hf.select(
        pl.col("m_cur").alias("woman"),
        pl.col("SP").alias("man"),
        of_partner(True).alias("key0_m"),
        of_partner(False).alias("key0_f"),
        pl.when(pl.col("u1") < 0.45).then(pl.col("m_cur")).otherwise(pl.col("SA")).alias("key1"),
        pl.when(pl.col("u2") < 0.45).then(pl.col("m_cur")).otherwise(pl.col("SB")).alias("key2"),
    )
    slot = np.select(
        [role == WOMAN, role == MAN, (key == 0) & (sex == 1), key == 0, key == 1],
        [0, 1, 2, 3, 4],
        5,
    ).astype(np.int64)
    stacked = pl.concat([slots[c] for c in slots.columns])
    surname = stacked.gather(slot * h + hh)
    # Second surnames: a mother known by the partner's name too; children of an
    # earlier father who also go by the step-father's surname.
    u_alt = rng.random(h)
    sp = slots["man"].gather(hh)
    alt_ok = (
        ((role == WOMAN) & has_m[hh] & (hf["mother_alt"].to_numpy()[hh]))
        | ((key >= 1) & blended[hh] & (u_alt[hh] < rates.surname_change))
    ) & (surname != sp).to_numpy()
    alt = pl.select(pl.when(pl.lit(pl.Series(values=alt_ok))).then(sp).otherwise(None)).to_series()
    # Polish feminine forms (Kowalski -> Kowalska) for women and girls.
    female = sex == 0
    fem = np.flatnonzero(female & surname.str.contains(r"(sk|ck|dzk)i$").to_numpy())
    surname = replace_at(surname, fem, surname.gather(fem).str.replace(r"i$", "a"))
    fem_alt = np.flatnonzero(
        female & alt.str.contains(r"(sk|ck|dzk)i$").fill_null(False).to_numpy()
    )
    alt = replace_at(alt, fem_alt, alt.gather(fem_alt).str.replace(r"i$", "a"))
    woman_of_hh = np.full(h, -1, dtype=np.int64)
    women = np.flatnonzero(role == WOMAN)
    woman_of_hh[hh[women]] = women
    mother = np.where(role == CHILD, woman_of_hh[hh], -1)
    return pl.DataFrame(
        {
            "hh": hh,
            "role": role,
            "rank": rank,
            "twin": s.p_twin,
            "sex": pl.Series(values=["F", "M"]).gather(sex),
            "dob": pl.Series(values=(last_day - s.p_age).astype(np.int32)).cast(pl.Date()),
            "age": s.p_age,
            "group": pgroup,
            "father_key": key,
            "given": given,
            "surname": surname,
            "surname_alt": alt,
            "double_surname": surname.str.contains("-", literal=True),
            "mother": mother,
        }
    )
