"""``generate`` and ``write``: the public entry points of the synthetic generator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag._errors import ConfigError
from cpflag.contract import MANIFEST
from cpflag.synth._config import SCALES, AttendanceMix, NoiseRates, Scale
from cpflag.synth._geo import build_geography
from cpflag.synth._households import CHILD
from cpflag.synth._planrows import render_plans
from cpflag.synth._plans import build_plan_population
from cpflag.synth._population import Population, build_population
from cpflag.synth._records import build_records
from cpflag.synth._sampling import arrival_days, build_pool, choose_members, draw_attendances
from cpflag.synth._truth import expected_flags

__all__ = ["SynthData", "generate", "write"]

DEFAULT_START = dt.date(2026, 11, 25)
#: Second random stream (with the seed) for settings added after the model was
#: fixed: at their defaults they draw only from it, so the main stream -- and
#: the default output for a seed -- is what it was before they existed.
_AUX_STREAM = 13


@attrs.frozen
class SynthData:
    """A synthetic data set: the contract tables and the truth behind them.

    Attributes:
        attendances: Contract ``attendances`` frame (exact columns and dtypes).
        plans: Contract ``plans`` frame; ``list_date`` is null (see ``manifest``).
        manifest: Contract ``manifest``: one row per LA that shared a list.
        truth_attendances: Per attendance: ``person_id``, ``family_id``,
            ``is_adult``, the stratum it was drawn from and one Boolean column
            per trap applied to the record.
        truth_plans: Per plan row: the subject's ``person_id`` (for a pre-birth
            plan the baby, null if not born yet), ``family_id``, the mother's and
            named carer's person ids, and the LA's recording errors.
        truth_flags: Expected plan-based flags ``attendance_id, flag, plan_id``.
        truth_persons: Every person with true identifiers and relationships.
        seed: The seed used.
    """

    attendances: pl.DataFrame
    plans: pl.DataFrame
    manifest: pl.DataFrame
    truth_attendances: pl.DataFrame
    truth_plans: pl.DataFrame
    truth_flags: pl.DataFrame
    truth_persons: pl.DataFrame
    seed: int


def _resolve_scale(scale: str | None, n_plan_rows: int | None) -> Scale:
    if scale is None:
        scale = "demo"
    if scale not in SCALES:
        raise ConfigError(f"unknown scale {scale!r}; expected one of {sorted(SCALES)}")
    base = SCALES[scale]
    if n_plan_rows is None:
        return base
    if n_plan_rows < 0:
        raise ConfigError("n_plan_rows must be >= 0")
    total = sum(base.plan_rows.values())
    rows = {k: round(v * n_plan_rows / total) for k, v in base.plan_rows.items()}
    return attrs.evolve(base, plan_rows=rows)


def generate(
    *,
    scale: str | None = "demo",
    n_attendances: int | None = None,
    n_plan_rows: int | None = None,
    days: int = 1,
    seed: int = 0,
    start: dt.date = DEFAULT_START,
    rates: NoiseRates | None = None,
    mix: AttendanceMix | None = None,
) -> SynthData:
    """Generate a synthetic, realistic data set with its truth tables.

    Args:
        scale: Size preset: ``"demo"`` (one trust, ~400 attendances a day,
            ~3,000 plan rows from 4 LAs), ``"region"`` (~3,000 a day, ~20,000
            rows), ``"national"`` (~20,000 a day, ~140,000 rows, 153 LAs).
            ``None`` means ``"demo"``.
        n_attendances: Total attendances (overrides ``scale`` x ``days``).
        n_plan_rows: Approximate total plan rows (overrides the scale's).
        days: Days of history, ending on ``start``.
        seed: Random seed; the same seed gives identical frames.
        start: The last day of the history (the "today" of the data).
        rates: Noise and population rates (defaults documented).
        mix: Attendance shares by stratum.

    Returns:
        The data set.

    Raises:
        ConfigError: An unknown scale or a non-positive count.
    """
    if days < 1:
        raise ConfigError("days must be >= 1")
    if n_attendances is not None and n_attendances < 0:
        raise ConfigError("n_attendances must be >= 0")
    sc = _resolve_scale(scale, n_plan_rows)
    rates = rates or NoiseRates()
    mix = mix or AttendanceMix()
    n = n_attendances if n_attendances is not None else sc.attendances_per_day * days
    rng = np.random.default_rng(seed)
    aux = np.random.default_rng([seed, _AUX_STREAM])
    last_day = int(np.datetime64(start, "D").astype(np.int64))
    geo = build_geography(rng, sc, start, rates)
    plan = build_plan_population(rng, geo, sc, rates, last_day)
    pool = build_pool(rng, geo, max(n / days, 1.0))
    draw = draw_attendances(rng, plan, pool, n, days, mix)
    fp = draw.from_pool
    touched = np.unique(draw.who[fp])
    pop = build_population(rng, geo, plan, pool, touched, rates, last_day, days, aux=aux)
    bg = pop.background
    person = draw.who.copy()
    person[fp] = pop.n_plan_persons + choose_members(
        rng,
        np.searchsorted(touched, draw.who[fp]),
        draw.wants_child[fp],
        bg.hh_first,
        bg.hh_size,
        bg.p_role,
        bg.p_age,
    )
    pop = _with_doppelgangers(aux, pop, plan.rows, person, rates.doppelganger)
    dob = pop.persons["dob"].cast(pl.Int32).to_numpy().astype(np.int64)
    day = arrival_days(rng, last_day - dob[person], days, last_day)
    edd_of_mother = np.full(pop.persons.height, -1, dtype=np.int64)
    ub = plan.rows.filter(pl.col("plan_type") == "unborn_cpp")
    edd_of_mother[ub["mother"].to_numpy()] = ub["edd"].to_numpy()
    attendances, truth_att = build_records(
        rng, pop, person, day, draw.minute, draw.stratum, geo, edd_of_mother, rates
    )
    plans, truth_plans, skeleton = render_plans(rng, plan, pop, geo, rates, aux=aux)
    flags = expected_flags(
        truth_att.select(
            "attendance_id", pl.col("_person").alias("person"), pl.col("_day").alias("day")
        ),
        pop.persons,
        skeleton,
    )
    truth_att = _add_surname_traps(truth_att, attendances, plans, skeleton, pop).drop(
        "_person", "_day"
    )
    manifest = (
        geo.las.filter(pl.col("shares"))
        .select("la_code", "list_date")
        .select([pl.col(c.name).cast(c.dtype) for c in MANIFEST.columns])
    )
    return SynthData(
        attendances=attendances,
        plans=plans,
        manifest=manifest,
        truth_attendances=truth_att,
        truth_plans=truth_plans,
        truth_flags=flags,
        truth_persons=_persons_truth(pop, geo.las),
        seed=seed,
    )


#: What a namesake takes from the plan child (the rest stays its own).
_NAMESAKE_COLUMNS = ("given", "surname", "surname_alt", "double_surname", "sex", "dob", "group")


def _with_doppelgangers(
    aux: np.random.Generator,
    pop: Population,
    plan_rows: pl.DataFrame,
    person: npt.NDArray[np.int64],
    rate: float,
) -> Population:
    """Give a share ``rate`` of attending background children a plan child's name and birth.

    Each chosen child takes the given name, surname(s), sex and date of birth
    of a random plan subject (not an unborn plan's mother); it keeps its own
    NHS number, household and home, so it is another person with the plan
    child's name and birthday -- a flag on that plan is wrong. Draws only from
    ``aux`` and only when ``rate > 0``.
    """
    if rate <= 0:
        return pop
    persons = pop.persons
    subjects = plan_rows.filter(pl.col("plan_type") != "unborn_cpp")["subject"].to_numpy()
    subjects = np.unique(subjects[subjects >= 0])
    role = persons["role"].to_numpy()
    attending = np.unique(person[person >= pop.n_plan_persons])
    children = attending[role[attending] == CHILD]
    if subjects.size == 0 or children.size == 0:
        return pop
    chosen = children[aux.random(children.size) < rate]
    source = aux.choice(subjects, chosen.size)
    rows = pl.Series(np.arange(persons.height))
    is_chosen = rows.is_in(pl.Series(chosen))
    position = np.full(persons.height, 0, dtype=np.int64)
    position[chosen] = source
    taken = persons.select(_NAMESAKE_COLUMNS)[position]
    persons = persons.with_columns(
        pl.when(is_chosen).then(taken[c]).otherwise(persons[c]).alias(c) for c in _NAMESAKE_COLUMNS
    )
    return attrs.evolve(pop, persons=persons)


def _norm(col: str) -> pl.Expr:
    return pl.col(col).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()


def _add_surname_traps(
    truth: pl.DataFrame,
    attendances: pl.DataFrame,
    plans: pl.DataFrame,
    skeleton: pl.DataFrame,
    pop: Population,
) -> pl.DataFrame:
    """Surname traps that need the finished plan rows and the whole family.

    ``surname_differs_from_plan``: the recorded surname differs (ignoring case
    and spacing) from the surname on at least one of the attendee's own plan
    rows. ``surname_differs_from_sibling``: the attendee is a child with a
    sibling (another child of the household) registered under another surname.
    """
    subject = np.where(
        skeleton["plan_type"].to_numpy() == "unborn_cpp",
        skeleton["baby"].to_numpy(),
        skeleton["subject"].to_numpy(),
    )
    plan_names = pl.DataFrame({"_person": subject, "plan_fam": plans["family_name"]}).filter(
        pl.col("_person") >= 0
    )
    differs = (
        pl.DataFrame(
            {
                "attendance_id": attendances["attendance_id"],
                "fam": attendances["family_name"],
                "_person": truth["_person"],
            }
        )
        .join(plan_names, on="_person", how="inner")
        .group_by("attendance_id")
        .agg(
            (_norm("fam").fill_null("") != _norm("plan_fam").fill_null(""))
            .any()
            .alias("surname_differs_from_plan")
        )
    )
    persons = pop.persons
    role = persons["role"].to_numpy()
    hh = persons["hh"].to_numpy()
    kids = np.flatnonzero(role == 2)
    distinct = (
        pl.DataFrame({"hh": hh[kids], "s": persons["surname"].gather(kids)})
        .group_by("hh")
        .agg(pl.col("s").n_unique().alias("k"))
    )
    mixed_hh = np.zeros(pop.households.height, dtype=bool)
    mixed_hh[distinct.filter(pl.col("k") > 1)["hh"].to_numpy()] = True
    mixed = (role == 2) & mixed_hh[hh]
    return truth.join(differs, on="attendance_id", how="left", maintain_order="left").with_columns(
        pl.col("surname_differs_from_plan").fill_null(False),
        pl.Series("surname_differs_from_sibling", mixed[truth["_person"].to_numpy()]),
    )


def _persons_truth(pop: Population, las: pl.DataFrame) -> pl.DataFrame:
    p = pop.persons
    h = pop.households
    pid = p["person_id"]
    mother = p["mother"].to_numpy()
    return pl.DataFrame(
        {
            "person_id": pid,
            "family_id": h["family_id"].gather(p["hh"]),
            "residence_family_id": h["family_id"].gather(p["residence"]),
            "household_kind": h["kind"].gather(p["hh"]),
            "role": p["role"].replace_strict(
                {0: "woman", 1: "man", 2: "child"}, return_dtype=pl.String
            ),
            "sex": p["sex"],
            "date_of_birth": p["dob"],
            "given_name": p["given"],
            "family_name": p["surname"],
            "family_name_alt": p["surname_alt"],
            "nhs_number": p["nhs"],
            "mother_person_id": pl.select(
                pl.when(pl.lit(pl.Series(values=mother >= 0)))
                .then(pid.gather(np.maximum(mother, 0)))
                .otherwise(None)
            ).to_series(),
            "twin": p["twin"].cast(pl.Int8),
            "la_code": las["la_code"].gather(p["la"]),
        }
    )


def write(data: SynthData, out: Path, *, fmt: Literal["csv", "parquet"] = "csv") -> None:
    """Write the tables to ``out`` and the truth tables to ``out/truth``.

    Files: ``attendances``, ``plans``, ``manifest`` and ``truth/truth_attendances``,
    ``truth/truth_plans``, ``truth/truth_flags``, ``truth/truth_persons``, each
    ``.csv`` or ``.parquet``.

    Args:
        data: The data set.
        out: Output directory (created if missing).
        fmt: ``"csv"`` or ``"parquet"``.

    Raises:
        ConfigError: An unknown format.
    """
    if fmt not in ("csv", "parquet"):
        raise ConfigError(f"unknown format {fmt!r}; expected 'csv' or 'parquet'")
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    tables = {
        "attendances": data.attendances,
        "plans": data.plans,
        "manifest": data.manifest,
        "truth/truth_attendances": data.truth_attendances,
        "truth/truth_plans": data.truth_plans,
        "truth/truth_flags": data.truth_flags,
        "truth/truth_persons": data.truth_persons,
    }
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            frame.write_csv(path, datetime_format="%Y-%m-%dT%H:%M:%S", date_format="%Y-%m-%d")
        else:
            frame.write_parquet(path)
