"""Golden cases: the data contract's v2 columns on every flag (issue 13).

``match_probability`` is the posterior probability of the score (a log2
posterior odds with the prior in it), ``check`` is null at ``match`` and, at
``review``, the one thing a person should verify -- declared by the guard or
cap that put the flag there, else the kind's generic check -- and ``found``
is ``arrival``. The columns come in the contract's order, the batch and the
triage path give the same rows, and no check carries an identifying value.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest

import cpflag
from cpflag import synth
from cpflag.contract import FLAGS, FlagKind
from cpflag.decide._columns import probability_expr, probability_one
from cpflag.engine._index import PlanIndex
from cpflag.history import repeat_flags
from cpflag.linkage import Guard, LinkageModel, default_model
from cpflag.rules import REVIEW_CHECKS
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER, MUM = nhs("943476591"), nhs("401023213")

PLANS = plans(
    [
        {
            "plan_id": "P1",
            "given_name": "Oliver",
            "family_name": "Smith-Jones",
            "date_of_birth": D(2018, 3, 4),
            "sex": "M",
            "nhs_number": OLIVER,
            "postcode": "LS9 8AB",
            "address": "12 Oak Road",
            "carer_given_name": "Kelly",
            "carer_family_name": "Smith",
        },
        {
            "plan_id": "P2",
            "given_name": "Amelia",
            "family_name": "Hughes",
            "date_of_birth": D(2020, 6, 15),
            "sex": "F",
            "postcode": "LS9 7QQ",
            "address": "Flat 3, 41 Station Road",
        },
        {
            "plan_id": "U1",
            "plan_type": "unborn_cpp",
            "mother_nhs_number": MUM,
            "mother_given_name": "Grace",
            "mother_family_name": "Adeyemi",
            "mother_date_of_birth": D(1995, 2, 1),
            "postcode": "E8 1AA",
            "address": "3 Mare Street",
            "expected_delivery_date": D(2027, 3, 1),
        },
    ]
)

#: Oliver himself: a match.
OLIVER_HIMSELF = {
    "attendance_id": "A1",
    "given_name": "Oliver",
    "family_name": "Smith-Jones",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "nhs_number": OLIVER,
    "postcode": "LS9 8AB",
}
#: Amelia's twin sister: capped at review by the twin guard.
TWIN = {
    "attendance_id": "A2",
    "given_name": "Ava",
    "family_name": "Hughes",
    "date_of_birth": D(2020, 6, 15),
    "sex": "F",
    "postcode": "LS9 7QQ",
    "address": "Flat 3, 41 Station Road",
}
#: Amelia misspelt, born within a week of her, in her postcode sector: review on
#: weight alone (elsewhere, with no NHS number, the name_and_dob_only guard
#: would name the check).
WEAK = {
    "attendance_id": "A3",
    "given_name": "Amelia",
    "family_name": "Hewes",
    "date_of_birth": D(2020, 6, 25),
    "sex": "F",
    "postcode": "LS9 7ZZ",
}
#: The plan's named carer with no date of birth in a mixed ED: the age-unknown cap.
CARER_NO_DOB = {
    "attendance_id": "A4",
    "setting": "ed_mixed",
    "given_name": "Kelly",
    "family_name": "Smith",
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
}
#: The unborn plan's mother.
MOTHER = {
    "attendance_id": "A5",
    "setting": "ed_adult",
    "given_name": "Grace",
    "family_name": "Adeyemi",
    "date_of_birth": D(1995, 2, 1),
    "nhs_number": MUM,
}
ROWS = [OLIVER_HIMSELF, TWIN, WEAK, CARER_NO_DOB, MOTHER]


@pytest.fixture(scope="module")
def index() -> PlanIndex:
    return cpflag.build_index(PLANS)


@pytest.fixture(scope="module")
def flags(index: PlanIndex) -> pl.DataFrame:
    return index.match(attendances(ROWS))


def _one(flags: pl.DataFrame, aid: str, kind: str) -> dict[str, object]:
    rows = flags.filter((pl.col("attendance_id") == aid) & (pl.col("flag") == kind))
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_columns_are_the_contracts_in_order(flags: pl.DataFrame) -> None:
    assert flags.columns == [
        "attendance_id",
        "flag",
        "plan_id",
        "la_code",
        "plan_type",
        "score",
        "band",
        "match_probability",
        "check",
        "found",
        "reasons",
        "list_age_days",
    ]
    assert flags.schema == FLAGS.schema


def test_match_probability_is_the_scores_posterior(flags: pl.DataFrame) -> None:
    for row in flags.iter_rows(named=True):
        p = 2.0 ** row["score"] / (1.0 + 2.0 ** row["score"])
        assert row["match_probability"] == pytest.approx(p, rel=1e-12)
        assert 0.0 <= row["match_probability"] <= 1.0


@pytest.mark.parametrize("score", [-5000.0, -1074.0, -60.0, -6.0, 0.0, 6.0, 60.0, 5000.0])
def test_match_probability_is_stable_at_any_score(score: float) -> None:
    p = probability_one(score)
    assert not math.isnan(p)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(1.0 - probability_one(-score), abs=1e-15)
    if abs(score) < 1000:
        assert p == pytest.approx(1.0 / (1.0 + 2.0**-score), rel=1e-12)
    if abs(score) >= 5000:
        assert p == float(score > 0)
    frame = pl.DataFrame({"s": [score]}).select(probability_expr(pl.col("s")))
    assert frame.item() == p


def test_found_is_arrival_on_every_flag(flags: pl.DataFrame) -> None:
    assert flags.height >= 5
    assert flags["found"].to_list() == ["arrival"] * flags.height


def test_check_is_null_at_match(flags: pl.DataFrame) -> None:
    at_match = flags.filter(pl.col("band") == "match")
    assert at_match.height >= 2
    assert at_match["check"].null_count() == at_match.height


def test_twin_review_says_compare_given_names(flags: pl.DataFrame) -> None:
    row = _one(flags, "A2", FlagKind.PLAN_SUBJECT)
    assert row["band"] == "review"
    assert row["check"] == "possible twin: compare given names with the plan child's"


def test_review_on_weight_alone_gets_the_kinds_generic_check(flags: pl.DataFrame) -> None:
    row = _one(flags, "A3", FlagKind.PLAN_SUBJECT)
    assert row["band"] == "review"
    assert "capped at review" not in str(row["reasons"])
    assert row["check"] == ("weak identity evidence: confirm NHS number, date of birth and address")


def test_carer_of_unknown_age_says_ask_the_adult(flags: pl.DataFrame) -> None:
    row = _one(flags, "A4", FlagKind.CARER)
    assert row["band"] == "review"
    assert row["check"] == (
        "carer named by name only, age unknown: ask the adult about the children"
    )


def test_every_review_flag_has_a_check(flags: pl.DataFrame) -> None:
    review = flags.filter(pl.col("band") == "review")
    assert review.height >= 3
    assert review["check"].null_count() == 0


def test_triage_gives_the_batchs_rows(index: PlanIndex, flags: pl.DataFrame) -> None:
    one = pl.concat([index.match_one(r) for r in attendances(ROWS).to_dicts()])
    assert one.equals(flags)


def test_repeat_rows_have_the_v2_columns() -> None:
    t0 = dt.datetime(2025, 1, 1, 10)
    days = [("a1", 0, "C1"), ("a2", 10, "C1"), ("a3", 20, "C1"), ("b1", 30, "C2")]
    days += [("b2", 31, "C3"), ("b3", 32, "C2"), ("b4", 33, "C3")]
    history = pl.DataFrame(
        {
            "attendance_id": [a for a, _, _ in days],
            "arrival_time": [t0 + dt.timedelta(days=d) for _, d, _ in days],
            "arrival_date": [(t0 + dt.timedelta(days=d)).date() for _, d, _ in days],
            "site_code": ["RJ101"] * len(days),
            "person_id": [p for _, _, p in days],
            "family_id": ["F1", "F1", "F1", "F2", "F2", "F2", "F2"],
            "is_child": [True] * len(days),
        }
    )
    # Family-only rows are off by default; on, they carry the check.
    assert "b4" not in repeat_flags(history, cpflag.FlagConfig())["attendance_id"].to_list()
    out = repeat_flags(history, cpflag.FlagConfig(repeat_family_rows=True))
    assert out.columns == list(FLAGS.names)
    by = {r["attendance_id"]: r for r in out.iter_rows(named=True)}
    assert by["a3"]["band"] == "match"
    assert by["a3"]["check"] is None
    # The family rule alone (two children, four attendances): review, with a check.
    assert by["b4"]["band"] == "review"
    assert by["b4"]["check"] == "family count only: confirm the children counted are one family"
    # A count is not a match weight: no probability.
    assert out["match_probability"].null_count() == out.height
    assert set(out["found"]) == {"arrival"}


def _declared_checks() -> set[str]:
    model = default_model()
    texts = {g.check for g in model.guards if g.check}
    for checks in REVIEW_CHECKS.values():
        texts |= {checks.generic, *checks.caps.values()}
    return texts


def test_checks_on_a_synthetic_trust_are_declared_texts() -> None:
    """A check is fixed text: none carries a name, a number or a date of the pair."""
    data = synth.generate(scale="demo", seed=3, days=5)
    run = cpflag.run_flagging(data.attendances, data.plans, data.manifest)
    review = run.flags.filter(pl.col("band") == "review")
    assert review.height > 10
    assert set(review["check"].to_list()) <= _declared_checks()
    assert not any(any(ch.isdigit() for ch in text) for text in _declared_checks())


def test_guard_check_round_trips_and_old_json_loads() -> None:
    model = default_model()
    again = LinkageModel.from_json(model.to_json())
    assert again == model
    assert {g.name: g.check for g in again.guards}["twin"].startswith("possible twin")
    data = json.loads(model.to_json())
    for g in data["guards"]:
        del g["check"]
    old = LinkageModel.from_dict(data)
    assert [g.check for g in old.guards] == [""] * len(old.guards)
    assert Guard("g", {"sex": ("different",)}).check == ""
