"""The synthetic generator: contract shape, determinism, scales, rates and realism."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cpflag._errors import ConfigError
from cpflag.contract import ATTENDANCES, MANIFEST, PLANS
from cpflag.synth import NoiseRates, SynthData, generate, nhs_is_valid, write

START = dt.date(2026, 11, 25)
FRAMES = (
    "attendances",
    "plans",
    "manifest",
    "truth_attendances",
    "truth_plans",
    "truth_flags",
    "truth_persons",
)


@pytest.fixture(scope="module")
def demo() -> SynthData:
    return generate(scale="demo", seed=11)


@pytest.fixture(scope="module")
def month() -> SynthData:
    """Sixty days of a demo trust: enough records to measure rates."""
    return generate(scale="demo", days=60, seed=5)


# --- shape and determinism ----------------------------------------------------------


def test_frames_have_exactly_the_contract_columns_and_dtypes(demo: SynthData) -> None:
    assert demo.attendances.schema == pl.Schema(ATTENDANCES.schema)
    assert demo.plans.schema == pl.Schema(PLANS.schema)
    assert demo.manifest.schema == pl.Schema(MANIFEST.schema)
    assert demo.attendances["attendance_id"].is_unique().all()
    assert demo.plans["plan_id"].is_unique().all()
    # List dates come from the manifest only.
    assert demo.plans["list_date"].null_count() == demo.plans.height


def test_required_columns_are_never_null(demo: SynthData) -> None:
    for frame, spec in ((demo.attendances, ATTENDANCES), (demo.plans, PLANS)):
        for name in spec.required:
            assert frame[name].null_count() == 0, name


def test_same_seed_gives_identical_frames_and_another_seed_differs() -> None:
    a = generate(scale="demo", seed=3, days=2)
    b = generate(scale="demo", seed=3, days=2)
    c = generate(scale="demo", seed=4, days=2)
    for name in FRAMES:
        assert getattr(a, name).equals(getattr(b, name)), name
    assert not a.attendances.equals(c.attendances)
    assert not a.plans.equals(c.plans)


def test_demo_scale_sizes(demo: SynthData) -> None:
    assert demo.attendances.height == 400
    assert 2700 <= demo.plans.height <= 3300
    assert demo.manifest.height == 4
    assert demo.attendances["site_code"].str.slice(0, 3).n_unique() == 1  # one trust
    assert (demo.attendances["arrival_time"].dt.date() == START).all()


def test_overrides_of_counts_and_history() -> None:
    d = generate(scale="demo", n_attendances=1500, n_plan_rows=800, days=365, seed=2)
    assert d.attendances.height == 1500
    assert 700 <= d.plans.height <= 900
    dates = d.attendances["arrival_time"].dt.date()
    assert dates.is_between(START - dt.timedelta(days=364), START).all()
    assert dates.n_unique() > 300
    # Nobody attends before being born.
    born = d.truth_attendances.join(
        d.truth_persons.select("person_id", "date_of_birth"), on="person_id"
    )
    assert (born["arrival_date"] >= born["date_of_birth"]).all()


def test_empty_counts_give_empty_contract_frames() -> None:
    d = generate(n_attendances=0, n_plan_rows=0, seed=1)
    assert d.attendances.height == 0
    assert d.plans.height == 0
    assert d.truth_flags.height == 0
    assert d.attendances.schema == pl.Schema(ATTENDANCES.schema)
    assert d.plans.schema == pl.Schema(PLANS.schema)


def test_region_scale_has_several_trusts_and_unshared_las() -> None:
    d = generate(scale="region", n_attendances=2000, seed=1)
    assert 15_000 <= d.plans.height <= 25_000
    assert d.attendances["site_code"].str.slice(0, 3).n_unique() >= 3
    population = set(d.truth_persons["la_code"].unique())
    assert len(population - set(d.manifest["la_code"])) == 2


def test_bad_arguments_raise_config_errors() -> None:
    with pytest.raises(ConfigError):
        generate(scale="galaxy")
    with pytest.raises(ConfigError):
        generate(days=0)
    with pytest.raises(ValueError, match="nhs_missing"):
        NoiseRates(nhs_missing=1.5)


def test_write_csv_and_parquet_round_trip(tmp_path: Path, demo: SynthData) -> None:
    write(demo, tmp_path / "csv")
    write(demo, tmp_path / "pq", fmt="parquet")
    for name in ("attendances", "plans", "manifest"):
        assert (tmp_path / "csv" / f"{name}.csv").exists()
    for name in ("truth_attendances", "truth_plans", "truth_flags", "truth_persons"):
        assert (tmp_path / "csv" / "truth" / f"{name}.csv").exists()
    back = pl.read_parquet(tmp_path / "pq" / "attendances.parquet")
    assert back.equals(demo.attendances)
    csv = pl.read_csv(tmp_path / "csv" / "plans.csv", schema=PLANS.schema)
    assert csv.equals(demo.plans)
    att = pl.read_csv(tmp_path / "csv" / "attendances.csv", schema=ATTENDANCES.schema)
    assert att.equals(demo.attendances)
    with pytest.raises(ConfigError):
        write(demo, tmp_path / "x", fmt="xlsx")  # type: ignore[arg-type]


# --- NHS numbers -----------------------------------------------------------------------


def test_nhs_numbers_valid_unless_marked_invalid(month: SynthData) -> None:
    a = month.attendances.join(month.truth_attendances, on="attendance_id")
    present = a.filter(pl.col("nhs_number").is_not_null())
    valid = nhs_is_valid(present["nhs_number"])
    invalid = present["nhs_invalid"]
    assert (valid == ~invalid).all()
    assert invalid.sum() >= 3
    p = month.plans.join(month.truth_plans.select("plan_id", "nhs_invalid"), on="plan_id")
    p = p.filter(pl.col("nhs_number").is_not_null())
    assert (nhs_is_valid(p["nhs_number"]) == ~p["nhs_invalid"]).all()
    persons = month.truth_persons.drop_nulls("nhs_number")
    assert nhs_is_valid(persons["nhs_number"]).all()
    assert persons["nhs_number"].is_unique().all()


def test_sibling_and_mother_numbers_are_other_peoples_valid_numbers(month: SynthData) -> None:
    a = month.attendances.join(month.truth_attendances, on="attendance_id").join(
        month.truth_persons.select("person_id", "nhs_number", "mother_person_id", "family_id"),
        on="person_id",
        suffix="_true",
    )
    clean = pl.col("nhs_number").str.replace_all(r"[ \-]", "")
    wrong = a.filter(pl.col("nhs_of_sibling") | pl.col("nhs_of_mother")).with_columns(clean)
    assert wrong.height >= 3
    assert (wrong["nhs_number"] != wrong["nhs_number_true"]).all()
    assert nhs_is_valid(wrong["nhs_number"]).all()
    sibs = wrong.filter(pl.col("nhs_of_sibling")).join(
        month.truth_persons.select(
            pl.col("nhs_number").alias("nhs_number"),
            pl.col("family_id").alias("sib_family"),
            pl.col("person_id").alias("sib"),
        ),
        on="nhs_number",
    )
    assert (sibs["sib_family"] == sibs["family_id"]).all()
    assert (sibs["sib"] != sibs["person_id"]).all()


# --- documented rates ------------------------------------------------------------------


def _rate(frame: pl.DataFrame, col: str, where: pl.Expr | None = None) -> float:
    sub = frame if where is None else frame.filter(where)
    return float(sub[col].mean())  # type: ignore[arg-type]


def test_documented_rates_hold(month: SynthData) -> None:
    r = NoiseRates()
    t = month.truth_attendances
    older = (pl.col("age_days") >= 42) & ~pl.col("nhs_of_mother")
    # Persons without an NHS number at all add ~1 point to the record rate.
    assert abs(_rate(t, "nhs_missing", older) - r.nhs_missing - 0.01) < 0.03
    assert abs(_rate(t, "nhs_missing", pl.col("age_days") < 42) - r.nhs_missing_newborn) < 0.08
    assert 0.12 <= _rate(t, "nhs_missing") <= 0.2
    not_baby = ~pl.col("baby_of")
    assert abs(_rate(t, "given_typo", not_baby) - r.given_typo) < 0.01
    assert abs(_rate(t, "family_typo", not_baby) - r.family_typo) < 0.01
    assert abs(_rate(t, "dob_typo") - r.dob_typo) < 0.006
    assert abs(_rate(t, "dob_year_off") - r.dob_year_off) < 0.005
    assert abs(_rate(t, "postcode_missing") - r.postcode_missing) < 0.01
    assert abs(_rate(t, "nhs_invalid", ~pl.col("nhs_missing")) - r.nhs_invalid) < 0.006
    assert abs(_rate(t, "carer_recorded", pl.col("age_days") < 16 * 365) - r.carer_recorded) < 0.06


def test_every_trap_occurs(month: SynthData) -> None:
    t = month.truth_attendances
    traps = [c for c, d in t.schema.items() if d == pl.Boolean and c != "is_adult"]
    assert len(traps) >= 25
    counts = t.select(pl.col(traps).sum()).row(0, named=True)
    rare = {"nhs_of_mother"}
    for name, count in counts.items():
        assert count >= (1 if name in rare else 3), name
    p = month.truth_plans
    for name in ("nhs_missing", "given_typo", "family_typo", "dob_typo", "placement_address"):
        assert p[name].sum() >= 3, name


def test_attendance_mix_is_enriched_for_plans(month: SynthData) -> None:
    t = month.truth_attendances
    share = t["stratum"].is_in(["background_child", "background_adult"]).mean()
    assert 0.75 <= share <= 0.85  # type: ignore[operator]
    flagged = month.truth_flags["attendance_id"].n_unique() / t.height
    assert 0.1 <= flagged <= 0.3
    # Repeat attenders over a history.
    counts = t.group_by("person_id").len()
    assert (counts["len"] >= 3).sum() >= 10


# --- realism -----------------------------------------------------------------------------


def test_name_frequencies_and_conventions(month: SynthData) -> None:
    p = month.truth_persons
    top = p["family_name"].value_counts(sort=True).head(10)["family_name"].to_list()
    assert "Smith" in top
    kids = p.filter(pl.col("role") == "child")
    assert kids["family_name"].str.contains("-").sum() > 10  # double surnames
    # Begum/Kaur mothers whose children carry another surname.
    mothers = p.filter(pl.col("family_name").is_in(["Begum", "Kaur"]))
    mixed = kids.join(
        mothers.select(pl.col("person_id").alias("mother_person_id")), on="mother_person_id"
    ).filter(~pl.col("family_name").is_in(["Begum", "Kaur"]))
    assert mixed.height >= 5
    a = month.attendances
    assert a["family_name"].str.to_uppercase().str.starts_with("BABY OF").sum() >= 3
    assert a["given_name"].str.to_uppercase().is_in(["BABY", "BABY A", "BABY B"]).sum() >= 3
    assert (
        a["postcode"].is_in(["ZZ99 3WZ", "ZZ99 3VZ", "ZZ993WZ", "ZZ993VZ", "zz99 3wz"]).sum() >= 1
    )
    assert set(a["sex"].unique().drop_nulls()) >= {"M", "F", "1", "2"}


def test_carer_names_are_an_adults_given_and_family_names(month: SynthData) -> None:
    a = month.attendances.filter(pl.col("carer_given_name").is_not_null())
    assert a.height > 1000
    adults = month.truth_persons.filter(pl.col("role") != "child")
    given = adults["given_name"].str.to_uppercase().unique()
    family = pl.concat([adults["family_name"], adults["family_name_alt"].drop_nulls()])
    # Nicknames aside, the carer's given name is a real adult given name ...
    share = a["carer_given_name"].str.to_uppercase().is_in(given.implode()).mean()
    assert share > 0.8  # type: ignore[operator]
    # ... and the family name an adult's surname, not a copy of the given name.
    assert (
        a["carer_family_name"].str.to_uppercase().is_in(family.str.to_uppercase().implode()).all()
    )
    assert (a["carer_given_name"] != a["carer_family_name"]).mean() > 0.99  # type: ignore[operator]


def test_postcodes_have_uk_format(demo: SynthData) -> None:
    pcs = demo.truth_attendances.join(demo.attendances, on="attendance_id").filter(
        ~pl.col("postcode_noise") & ~pl.col("postcode_pseudo")
    )["postcode"]
    clean = pcs.drop_nulls().str.to_uppercase().str.replace_all(" ", "")
    assert clean.str.contains(r"^[A-Z]{1,2}[0-9]{1,2}[0-9][ABD-HJLNP-UW-Z]{2}$").all()


def test_twins_are_two_people(month: SynthData) -> None:
    twins = month.truth_persons.filter(pl.col("twin") > 0)
    assert twins.height >= 10
    pairs = twins.group_by("family_id").agg(
        pl.col("person_id").n_unique().alias("people"),
        pl.col("date_of_birth").n_unique().alias("dobs"),
        pl.col("given_name").n_unique().alias("names"),
        pl.col("family_name").n_unique().alias("surnames"),
        pl.col("sex").n_unique().alias("sexes"),
    )
    assert (pairs["people"] == 2).all()
    assert (pairs["dobs"] == 1).all()
    assert (pairs["names"] == 2).all()
    # Same father, same surname (boy/girl twins may be Singh/Kaur, Kowalski/Kowalska).
    assert (pairs.filter(pl.col("sexes") == 1)["surnames"] == 1).all()


def test_lac_children_live_at_their_placement(demo: SynthData) -> None:
    lac = demo.truth_plans.filter(pl.col("plan_type") == "lac")
    placed = lac.filter(pl.col("placement_address"))
    assert placed.height > lac.height / 2
    people = demo.truth_persons.filter(pl.col("person_id").is_in(placed["person_id"].implode()))
    assert (people["family_id"] != people["residence_family_id"]).all()
