"""The generator settings the accuracy sweep pushes: each moves the data its way.

Every setting added for the sweep (``NoiseRates`` fields with defaults that
keep the default output of a seed unchanged) is checked here in the direction
it is meant to move the data, on small demo sets.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest

from cpflag import synth
from cpflag.synth import NoiseRates, SynthData
from cpflag.synth import _reference as ref

SEED = 5
DAYS = 10


def _gen(**rates: Any) -> SynthData:
    return synth.generate(scale="demo", days=DAYS, seed=SEED, rates=NoiseRates(**rates))


@pytest.fixture(scope="module")
def base() -> SynthData:
    return _gen()


def _frames_equal(a: SynthData, b: SynthData, *names: str) -> bool:
    return all(getattr(a, n).equals(getattr(b, n)) for n in names)


def test_explicit_defaults_give_the_default_output(base: SynthData) -> None:
    explicit = _gen(
        plan_carer_named=1.0,
        plan_carer_is_mother=0.88,
        plan_lac_address_withheld=0.0,
        plan_edd_missing=0.0,
        stale_list_min_days=60,
        stale_list_max_days=120,
        child_mother_surname=0.06,
        patronymic=0.0,
        move_same_la=0.8,
        relatives_apart=0.0,
    )
    names = ("attendances", "plans", "manifest", "truth_attendances", "truth_plans")
    assert _frames_equal(base, explicit, *names, "truth_flags", "truth_persons")


def test_no_named_carers_gives_no_carer_names_on_the_lists(base: SynthData) -> None:
    d = _gen(plan_carer_named=0.0)
    assert base.plans["carer_given_name"].is_not_null().sum() > 1000
    assert d.plans["carer_given_name"].is_null().all()
    assert d.plans["carer_family_name"].is_null().all()
    assert d.truth_plans["carer_person_id"].is_null().all()
    # Drawn from the second stream: the attendances are those of the default.
    assert _frames_equal(base, d, "attendances", "truth_persons")
    # Household adults are still carers by the household rule, named ones fewer.
    carers = d.truth_flags.filter(pl.col("flag") == "carer_of_plan_subject").height
    base_carers = base.truth_flags.filter(pl.col("flag") == "carer_of_plan_subject").height
    assert 0 < carers <= base_carers


def _carer_is_woman(d: SynthData) -> pl.Series:
    """Per cpp/cin row of a cpp/cin family with a named carer: is the carer a woman?"""
    p = d.truth_persons
    women = p.filter(pl.col("role") == "woman")["person_id"].implode()
    kind = p.select("person_id", "household_kind")
    return (
        d.truth_plans.filter(
            pl.col("plan_type").is_in(["cpp", "cin"]) & pl.col("carer_person_id").is_not_null()
        )
        .join(kind, on="person_id")
        # (a baby's cpp row after a pre-birth plan always names the mother)
        .filter(pl.col("household_kind").is_in(["cpp", "cin"]))
        .select(pl.col("carer_person_id").is_in(women))
        .to_series()
    )


def test_carer_is_mother_share_moves_the_named_carer(base: SynthData) -> None:
    assert 0.75 < _carer_is_woman(base).mean() < 0.97  # type: ignore[operator]
    assert not _carer_is_woman(_gen(plan_carer_is_mother=0.0)).any()
    assert _carer_is_woman(_gen(plan_carer_is_mother=1.0)).mean() > 0.97  # type: ignore[operator]


def test_withheld_placement_addresses(base: SynthData) -> None:
    d = _gen(plan_lac_address_withheld=1.0)
    lac = d.plans.filter(pl.col("plan_type") == "lac")
    assert lac.height > 1000
    assert lac["postcode"].is_null().all()
    assert lac["address"].is_null().all()
    others = d.plans.filter(pl.col("plan_type") != "lac")
    assert others["address"].is_not_null().all()
    t = d.truth_plans.filter(pl.col("plan_type") == "lac")
    assert t["postcode_missing"].all()
    assert base.plans.filter(pl.col("plan_type") == "lac")["address"].is_not_null().all()


def test_blank_edd_on_pre_birth_rows_keeps_the_truth(base: SynthData) -> None:
    d = _gen(plan_edd_missing=1.0)
    ub = d.plans.filter(pl.col("plan_type") == "unborn_cpp")
    assert ub.height > 20
    assert ub["expected_delivery_date"].is_null().all()
    assert (
        base.plans.filter(pl.col("plan_type") == "unborn_cpp")["expected_delivery_date"]
        .is_not_null()
        .all()
    )
    # The real EDD still defines the mother's window: the expected flags are the same.
    assert d.truth_flags.equals(base.truth_flags)


def test_stale_list_age_range() -> None:
    d = _gen(la_stale_list=1.0, stale_list_min_days=200, stale_list_max_days=200)
    start = synth.generate(scale="demo", seed=SEED).attendances["arrival_time"].max()
    assert isinstance(start, dt.datetime)
    assert (d.manifest["list_date"] == start.date() - dt.timedelta(days=200)).all()
    with pytest.raises(ValueError, match="stale_list_max_days"):
        NoiseRates(stale_list_min_days=90, stale_list_max_days=60)
    with pytest.raises(ValueError, match="stale_list_min_days"):
        NoiseRates(stale_list_min_days=0)


def _moved_in_own_la(d: SynthData) -> float:
    """Share of moved attendances whose postcode district lies in the person's own LA."""
    las = ref.las().select("la_code", "postcode_area", "district_min", "district_max")
    home = d.truth_persons.filter(pl.col("residence_family_id") == pl.col("family_id")).select(
        "person_id", "la_code"
    )
    pc = pl.col("postcode").str.to_uppercase().str.replace_all(" ", "")
    moved = (
        d.truth_attendances.filter(
            pl.col("postcode_moved")
            & ~pl.col("postcode_noise")
            & ~pl.col("postcode_missing")
            & ~pl.col("postcode_pseudo")
        )
        .join(d.attendances.select("attendance_id", "postcode"), on="attendance_id")
        .join(home, on="person_id")
        .join(las, on="la_code")
        .with_columns(
            pc.str.slice(0, pc.str.len_chars() - 3).str.extract(r"^([A-Z]+)").alias("area"),
            pc.str.slice(0, pc.str.len_chars() - 3)
            .str.extract(r"(\d+)$")
            .cast(pl.Int64)
            .alias("district"),
        )
    )
    assert moved.height > 50
    inside = (pl.col("area") == pl.col("postcode_area")) & pl.col("district").is_between(
        pl.col("district_min"), pl.col("district_max")
    )
    return float(moved.select(inside.mean()).item())


def test_moves_within_the_la_or_across() -> None:
    assert _moved_in_own_la(_gen(move_same_la=1.0, moved_plan=0.3)) == 1.0
    assert _moved_in_own_la(_gen(move_same_la=0.0, moved_plan=0.3)) < 0.6


def _lives_apart(d: SynthData) -> pl.DataFrame:
    return d.truth_persons.filter(pl.col("residence_family_id") != pl.col("family_id"))


def test_relatives_apart(base: SynthData) -> None:
    placed = (pl.col("role") == "child") & (pl.col("household_kind") == "lac")
    # By default only looked-after children live away from their birth family.
    assert _lives_apart(base).select(placed.all()).item()
    d = _gen(relatives_apart=1.0)
    apart = _lives_apart(d).filter(~placed)
    assert apart.height > 500
    assert set(apart["role"].unique()) == {"man", "child"}
    assert apart["household_kind"].is_in(["cpp", "lac", "cin", "unborn", "marac"]).all()
    # Siblings who are not plan subjects now attend from another postcode.
    assert _sibling_at_plan_postcode(base) > 0.6
    assert _sibling_at_plan_postcode(d) < 0.05
    # The same plans and the same siblings (only where they live changed; the
    # plan rows' recording noise is redrawn, the random stream having moved on).
    cols = ["plan_id", "plan_type", "start_date", "end_date", "expected_delivery_date"]
    assert base.plans.select(cols).equals(d.plans.select(cols))
    sibling = pl.col("flag") == "sibling_of_plan_subject"
    assert base.truth_flags.filter(sibling).equals(d.truth_flags.filter(sibling))


def _sibling_at_plan_postcode(d: SynthData) -> float:
    """Share of true cpp/cin sibling flags on non-subject children at the plan's postcode."""
    norm = pl.col("postcode").str.to_uppercase().str.replace_all(" ", "")
    subjects = d.truth_plans["person_id"].drop_nulls().implode()
    return float(
        d.truth_flags.filter(pl.col("flag") == "sibling_of_plan_subject")
        .join(
            d.truth_attendances.select("attendance_id", "person_id", "age_days"), on="attendance_id"
        )
        .filter(~pl.col("person_id").is_in(subjects) & (pl.col("age_days") >= 365))
        .join(d.attendances.select("attendance_id", norm.alias("att_pc")), on="attendance_id")
        .join(d.plans.select("plan_id", "plan_type", norm.alias("plan_pc")), on="plan_id")
        .filter(pl.col("plan_type").is_in(["cpp", "cin"]))
        .select((pl.col("att_pc") == pl.col("plan_pc")).fill_null(False).mean())
        .item()
    )


def _children_with(d: SynthData, relative: str) -> float:
    """Share of children whose surname is the father's given name / the mother's surname."""
    p = d.truth_persons
    kids = p.filter(pl.col("role") == "child")
    if relative == "father_given":
        men = p.filter(pl.col("role") == "man").select(
            "family_id", pl.col("given_name").alias("rel")
        )
        joined = kids.join(men, on="family_id")
    else:
        mothers = p.select(
            pl.col("person_id").alias("mother_person_id"), pl.col("family_name").alias("rel")
        )
        joined = kids.join(mothers, on="mother_person_id")
    return float(joined.select((pl.col("family_name") == pl.col("rel")).mean()).item())


def test_patronymic_share(base: SynthData) -> None:
    low = _children_with(base, "father_given")
    high = _children_with(_gen(patronymic=1.0), "father_given")
    assert low < 0.05
    assert high > 0.5


def test_children_with_the_mothers_surname(base: SynthData) -> None:
    low = _children_with(base, "mother_surname")
    high = _children_with(_gen(child_mother_surname=1.0), "mother_surname")
    assert high > low + 0.1


def test_new_settings_validate() -> None:
    for name in ("plan_carer_named", "patronymic", "relatives_apart", "plan_edd_missing"):
        with pytest.raises(ValueError, match=name):
            NoiseRates(**{name: 1.5})
    assert np.isclose(NoiseRates().plan_carer_is_mother, 0.88)
