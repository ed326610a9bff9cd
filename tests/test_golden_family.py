"""Golden cases for the family and mother--baby flags (issue 4).

Each case is a small family built by hand with the trap it is about; the
assertions name the flag, the plan and the band that must (or must not) appear.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from tests.helpers import attendances, nhs, plans

D = dt.date
MUM_STONE, MUM_BEGUM, MUM_CLARKE, MUM_AKHTAR = (
    nhs("943476591"),
    nhs("401023213"),
    nhs("485777345"),
    nhs("450557710"),
)

PLANS = plans(
    [
        # Half-siblings: Leo Stone on a plan; his half-sister Mia Carter lives with him.
        {
            "plan_id": "F1",
            "given_name": "Leo",
            "family_name": "Stone",
            "date_of_birth": D(2017, 2, 1),
            "sex": "M",
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "family_ref": "FAM-1",
            "carer_given_name": "Donna",
            "carer_family_name": "Stone",
        },
        # Begum mother, Rahman children: Ayaan on a plan, his sister Safa attends.
        {
            "plan_id": "F2",
            "given_name": "Ayaan",
            "family_name": "Rahman",
            "date_of_birth": D(2019, 11, 2),
            "sex": "M",
            "postcode": "LS8 1AA",
            "address": "7 Harehills Lane",
            "carer_given_name": "Shahida",
            "carer_family_name": "Begum",
            "family_ref": "FAM-2",
        },
        # Twins, one on a plan.
        {
            "plan_id": "F3",
            "given_name": "Amelia",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
            "carer_given_name": "Gemma",
            "carer_family_name": "Hughes",
        },
        # Looked-after child placed with foster carers; birth family elsewhere.
        {
            "plan_id": "F4",
            "plan_type": "lac",
            "given_name": "Tyler",
            "family_name": "Price",
            "date_of_birth": D(2014, 8, 8),
            "sex": "M",
            "postcode": "LS17 5PP",
            "address": "90 Foster Avenue",
            "carer_given_name": "Anne",
            "carer_family_name": "Moss",
            "mother_given_name": "Kayleigh",
            "mother_family_name": "Price",
            "family_ref": "FAM-4",
        },
        # Tyler's brother Kai, at home with their mother, is a child in need: the LA
        # links the two through its family reference.
        {
            "plan_id": "F5",
            "plan_type": "cin",
            "given_name": "Kai",
            "family_name": "Price",
            "date_of_birth": D(2016, 12, 12),
            "sex": "M",
            "postcode": "LS11 9ZZ",
            "address": "22 Dewsbury Road",
            "carer_given_name": "Kayleigh",
            "carer_family_name": "Price",
            "family_ref": "FAM-4",
        },
        # Unborn plan, mother Clarke, EDD 2026-10-20, still current.
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "mother_given_name": "Jade",
            "mother_family_name": "Clarke",
            "mother_nhs_number": MUM_CLARKE,
            "mother_date_of_birth": D(1999, 4, 4),
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
            "expected_delivery_date": D(2026, 10, 20),
            "start_date": D(2026, 6, 1),
        },
        # Unborn plan that ended before delivery.
        {
            "plan_id": "U2",
            "plan_type": "unborn_cpp",
            "mother_given_name": "Sana",
            "mother_family_name": "Akhtar",
            "mother_nhs_number": MUM_AKHTAR,
            "mother_date_of_birth": D(2001, 1, 9),
            "postcode": "LS7 3CC",
            "address": "5 Chapel Street",
            "expected_delivery_date": D(2026, 10, 10),
            "start_date": D(2026, 5, 1),
            "end_date": D(2026, 9, 1),
        },
    ]
)

ATT = attendances(
    [
        {
            "attendance_id": "H1",
            "given_name": "Mia",
            "family_name": "Carter",
            "date_of_birth": D(2019, 5, 5),
            "sex": "F",
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
        },
        # Step-father's surname on this record, with the mother as carer.
        {
            "attendance_id": "H2",
            "given_name": "Leo",
            "family_name": "Walsh",
            "date_of_birth": D(2017, 2, 1),
            "sex": "M",
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "carer_given_name": "Donna",
            "carer_family_name": "Stone",
        },
        {
            "attendance_id": "B1",
            "given_name": "Safa",
            "family_name": "Rahman",
            "date_of_birth": D(2016, 3, 3),
            "sex": "F",
            "postcode": "LS8 1AA",
            "address": "7 Harehills Lane",
            "carer_given_name": "Shahida",
            "carer_family_name": "Begum",
        },
        # The Begum mother herself attends adult ED.
        {
            "attendance_id": "B2",
            "given_name": "Shahida",
            "family_name": "Begum",
            "date_of_birth": D(1988, 1, 1),
            "sex": "F",
            "postcode": "LS8 1AA",
            "address": "7 Harehills Lane",
            "setting": "ed_adult",
        },
        {
            "attendance_id": "T1",
            "given_name": "Ava",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
        },
        # Another family in the same block of flats (flat 5), and its mother.
        {
            "attendance_id": "N1",
            "given_name": "Oscar",
            "family_name": "Nowak",
            "date_of_birth": D(2018, 9, 9),
            "sex": "M",
            "postcode": "LS9 7QQ",
            "address": "Flat 5, 41 Station Road",
        },
        {
            "attendance_id": "N2",
            "given_name": "Marta",
            "family_name": "Nowak",
            "date_of_birth": D(1990, 2, 2),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 5, 41 Station Road",
            "setting": "ed_adult",
        },
        # The LAC child's birth sibling, at the birth address, with the birth mother.
        {
            "attendance_id": "L1",
            "given_name": "Kai",
            "family_name": "Price",
            "date_of_birth": D(2016, 12, 12),
            "sex": "M",
            "postcode": "LS11 9ZZ",
            "address": "22 Dewsbury Road",
            "carer_given_name": "Kayleigh",
            "carer_family_name": "Price",
        },
        # Baby of Clarke with the mother's NHS number; another without it.
        {
            "attendance_id": "C1",
            "given_name": "Baby",
            "family_name": "Clarke",
            "date_of_birth": D(2026, 10, 18),
            "sex": "F",
            "mother_nhs_number": MUM_CLARKE,
            "setting": "neonatal",
        },
        {
            "attendance_id": "C2",
            "given_name": "",
            "family_name": "Baby of Clarke",
            "date_of_birth": D(2026, 10, 18),
            "sex": "M",
            "postcode": "LS6 2BB",
            "address": "3 Cardigan Road",
        },
        # The unborn-plan mother herself, after delivery (within six weeks).
        {
            "attendance_id": "C3",
            "given_name": "Jade",
            "family_name": "Clarke",
            "date_of_birth": D(1999, 4, 4),
            "sex": "F",
            "nhs_number": MUM_CLARKE,
            "setting": "maternity",
        },
        # Mother and baby of the unborn plan that ended before delivery.
        {
            "attendance_id": "E1",
            "given_name": "Sana",
            "family_name": "Akhtar",
            "date_of_birth": D(2001, 1, 9),
            "sex": "F",
            "nhs_number": MUM_AKHTAR,
            "setting": "maternity",
        },
        {
            "attendance_id": "E2",
            "given_name": "Baby",
            "family_name": "Akhtar",
            "date_of_birth": D(2026, 10, 12),
            "mother_nhs_number": MUM_AKHTAR,
            "setting": "neonatal",
        },
    ]
)


@pytest.fixture(scope="module")
def flags() -> pl.DataFrame:
    return cpflag.flag(ATT, PLANS)


def band(flags: pl.DataFrame, att: str, kind: str, plan: str) -> str | None:
    rows = flags.filter(
        (pl.col("attendance_id") == att) & (pl.col("flag") == kind) & (pl.col("plan_id") == plan)
    )
    return rows["band"][0] if rows.height else None


def test_half_sibling_with_other_fathers_surname(flags: pl.DataFrame) -> None:
    assert band(flags, "H1", "sibling_of_plan_subject", "F1") is not None


def test_step_fathers_surname_on_the_plan_child_still_the_subject(flags: pl.DataFrame) -> None:
    assert band(flags, "H2", "plan_subject", "F1") is not None
    assert band(flags, "H2", "sibling_of_plan_subject", "F1") is None


def test_begum_mother_rahman_children(flags: pl.DataFrame) -> None:
    assert band(flags, "B1", "sibling_of_plan_subject", "F2") == "match"
    assert band(flags, "B2", "carer_of_plan_subject", "F2") == "match"


def test_twin_of_plan_child_is_one_review_that_says_compare_given_names(
    flags: pl.DataFrame,
) -> None:
    # One kind per (attendance, plan) (issue 13): the capped plan_subject flag
    # is the pair's one story, and its check asks the question a sibling flag
    # would have answered without asking.
    assert band(flags, "T1", "plan_subject", "F3") == "review"
    assert band(flags, "T1", "sibling_of_plan_subject", "F3") is None
    row = flags.filter((pl.col("attendance_id") == "T1") & (pl.col("plan_id") == "F3"))
    assert row["check"].to_list() == ["possible twin: compare given names with the plan child's"]


def test_unrelated_family_in_same_block_of_flats_gets_nothing(flags: pl.DataFrame) -> None:
    assert flags.filter(pl.col("attendance_id").is_in(["N1", "N2"])).height == 0


def test_looked_after_childs_sibling_at_birth_address(flags: pl.DataFrame) -> None:
    # The placement's address and foster carer say nothing about Kai; the LA's
    # family reference does.
    assert band(flags, "L1", "plan_subject", "F5") == "match"
    assert band(flags, "L1", "sibling_of_plan_subject", "F4") == "match"
    reasons = flags.filter((pl.col("attendance_id") == "L1") & (pl.col("plan_id") == "F4"))[
        "reasons"
    ][0]
    assert "LA lists the attendee in the same family" in reasons


def test_foster_carers_own_child_is_not_the_lac_childs_sibling() -> None:
    foster_child = attendances(
        [
            {
                "attendance_id": "X1",
                "given_name": "Ruby",
                "family_name": "Moss",
                "date_of_birth": D(2012, 1, 1),
                "sex": "F",
                "postcode": "LS17 5PP",
                "address": "90 Foster Avenue",
                "carer_given_name": "Anne",
                "carer_family_name": "Moss",
            }
        ]
    )
    flags = cpflag.flag(foster_child, PLANS)
    assert flags.filter(pl.col("flag") == "sibling_of_plan_subject").height == 0


def test_baby_of_with_and_without_mothers_nhs_number(flags: pl.DataFrame) -> None:
    assert band(flags, "C1", "newborn_of_unborn_plan", "U1") == "match"
    assert band(flags, "C2", "newborn_of_unborn_plan", "U1") is not None


def test_unborn_plan_mother_within_six_weeks_of_edd(flags: pl.DataFrame) -> None:
    assert band(flags, "C3", "unborn_plan_mother", "U1") == "match"


def test_unborn_plan_mother_flag_stops_six_weeks_after_edd() -> None:
    late = ATT.filter(pl.col("attendance_id") == "C3").with_columns(
        pl.lit(dt.datetime(2026, 12, 5, 9, 0)).alias("arrival_time")  # EDD + 6 weeks + 4 days
    )
    assert cpflag.flag(late, PLANS).filter(pl.col("flag") == "unborn_plan_mother").height == 0


def test_unborn_plan_ended_before_delivery_gives_no_flag(flags: pl.DataFrame) -> None:
    assert flags.filter(pl.col("plan_id") == "U2").height == 0


def test_relation_flags_carry_reasons_and_list_age(flags: pl.DataFrame) -> None:
    rel = flags.filter(pl.col("flag") != "plan_subject")
    assert rel.height > 0
    assert rel["reasons"].str.contains(r"\(\+").all()
    assert (rel["list_age_days"] == 5).all()


def test_match_one_agrees_with_batch_for_family_flags() -> None:
    index = cpflag.PlanIndex.build(PLANS)
    batch = index.match(ATT)
    for rec in ATT.to_dicts():
        one = index.match_one(rec)
        exp = batch.filter(pl.col("attendance_id") == rec["attendance_id"])
        assert one.sort("flag", "plan_id").equals(exp.sort("flag", "plan_id")), rec["attendance_id"]


def test_config_flags_selects_kinds_without_changing_the_others() -> None:
    only = cpflag.flag(ATT, PLANS, config=cpflag.FlagConfig(flags=("plan_subject",)))
    full = cpflag.flag(ATT, PLANS)
    assert set(only["flag"].to_list()) == {"plan_subject"}
    assert only.equals(full.filter(pl.col("flag") == "plan_subject"))


def test_unknown_flag_kind_is_a_config_error() -> None:
    with pytest.raises(cpflag.ConfigError, match="unknown flag kind"):
        cpflag.FlagConfig(flags=("plan_subjects",))


@pytest.mark.parametrize(
    ("att", "kind", "plan"),
    [
        ("B1", "sibling_of_plan_subject", "F2"),
        ("B2", "carer_of_plan_subject", "F2"),
        ("C1", "newborn_of_unborn_plan", "U1"),
        ("C3", "unborn_plan_mother", "U1"),
    ],
)
def test_explain_relation_flags_gives_the_flags_score(
    flags: pl.DataFrame, att: str, kind: str, plan: str
) -> None:
    index = cpflag.PlanIndex.build(PLANS)
    row = flags.filter(
        (pl.col("attendance_id") == att) & (pl.col("flag") == kind) & (pl.col("plan_id") == plan)
    ).row(0, named=True)
    wf = cpflag.explain(index, ATT.filter(pl.col("attendance_id") == att), plan, flag=kind)
    assert wf.match_weight == pytest.approx(row["score"])
    assert wf.table["cumulative"][-1] == pytest.approx(row["score"])
    assert wf.band == row["band"]


def test_explain_rejects_a_flag_kind_that_does_not_apply() -> None:
    index = cpflag.PlanIndex.build(PLANS)
    with pytest.raises(cpflag.InputError, match="no plan_subject comparison"):
        cpflag.explain(index, ATT.filter(pl.col("attendance_id") == "C3"), "U1")
