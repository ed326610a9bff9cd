"""The scalar relationship path (sibling, carer, newborn) equals the polars one.

Plain relation levels against the registered vectorised kinds on generated pair
frames, the attendee row against ``attendee_frame``, and ``match_one`` against
``match`` with the default flags on synthetic trusts and the golden family
cases, without falling back to polars.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpflag
from cpflag import synth
from cpflag._config import FlagConfig
from cpflag.decide import _decide_plain as _triage_decide
from cpflag.engine import _triage
from cpflag.engine._index import PlanIndex
from cpflag.linkage import compute_levels, prepare_people
from cpflag.linkage._comparisons import COMPARISON_KINDS, ComparisonFn, plain_kinds, plain_level
from cpflag.linkage._plain_prepare import prepare_one
from cpflag.normalise._plain import groups
from cpflag.rules._attendee import attendee_frame, with_family_keys
from cpflag.rules._attendee_plain import attendee_row
from cpflag.rules._evidence import RELATION_KINDS as _RELATION_KIND_NAMES
from tests import test_golden_family as golden
from tests import test_golden_family_evidence as evidence
from tests import test_normalise_strategies as gen
from tests.helpers import PolarsPathSpy, attendances, plans

# The relation kinds' plain (Python) readings, called as ``fn(left, right, column)``.
RELATION_KINDS = {k: functools.partial(plain_level, k) for k in _RELATION_KIND_NAMES}
relation_kinds = plain_kinds

RELATIONS = (
    "sibling_of_plan_subject",
    "unborn_plan_mother",
    "newborn_of_unborn_plan",
    "carer_of_plan_subject",
)

# --------------------------------------------------------------------------- levels

# "LS1 4ABX" is no postcode: it checks the equal-length rule of the one-character typo.
_POSTCODES = [
    "LS1 4AB",
    "LS1 4AD",
    "LS1 5AB",
    "LS11 4AB",
    "LS1 4BB",
    "M1 1AA",
    "M1 1AB",
    "LS1 4ABX",
]
_DISTRICTS = ["LS1", "LS11", "M1", "B1"]
_STREETS = ["high street", "high streat", "hig street", "oak road", "oak rd", "station road"]
_NUMBERS = ["3", "12", "3 12", "41"]
_GIVEN = ["sarah", "sara", "sally", "john", "jon", "jonathan", "ann"]
_FAMILY = ["smith", "smyth", "jones", "kaur", "begum", "stone"]
_KEYS = ["E1|F1", "E1|F2", "E2|F1"]
_NHS = ["9434765919", "9434765870", "4010232137"]
_DATES = [dt.date(2026, 10, d) for d in (1, 14, 15, 28)] + [
    dt.date(2026, 11, 30),
    # Adults and children decades apart, on the parent_age bounds (15, 50 years).
    dt.date(2011, 10, 14),
    dt.date(2011, 10, 15),
    dt.date(1976, 10, 14),
    dt.date(1976, 10, 13),
    dt.date(1940, 1, 1),
]


def _maybe(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.sampled_from(values))


def _lists(values: list[str]) -> st.SearchStrategy[list[str] | None]:
    return st.one_of(st.none(), st.lists(st.sampled_from(values), max_size=3, unique=True))


@st.composite
def _home(draw: st.DrawFn) -> dict[str, Any]:
    """Postcode parts from one postcode, each sometimes lost on its own."""
    pc = draw(_maybe(_POSTCODES))
    sector = None if pc is None else pc[:-2]
    district = None if pc is None else pc.split(" ")[0]
    lost = draw(st.sets(st.sampled_from(["postcode", "pc_sector", "pc_district"]), max_size=1))
    out = {"postcode": pc, "pc_sector": sector, "pc_district": district}
    return {
        **{k: None if k in lost else v for k, v in out.items()},
        "address_street": draw(_maybe(_STREETS)),
        "address_numbers": draw(_maybe(_NUMBERS)),
    }


@st.composite
def _names(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    first = draw(_maybe(_GIVEN))
    # Usually the real nickname groups of the name; sometimes anything.
    grp = groups(first) if draw(st.booleans()) else draw(_lists(_GIVEN))
    return {
        f"{prefix}given_first": first,
        f"{prefix}given_groups": grp,
        f"{prefix}family_parts": draw(_lists(_FAMILY)),
    }


@st.composite
def relation_record(draw: st.DrawFn) -> dict[str, Any]:
    """One side of a relation pair: every column any relation kind reads."""
    return {
        **draw(_home()),
        **draw(_names("")),
        **draw(_names("carer_")),
        **draw(_names("mother_")),
        "la_districts": draw(_lists(_DISTRICTS)),
        "parent_families": draw(_lists(_FAMILY)),
        "family_keys": draw(_lists(_KEYS)),
        "family_key": draw(_maybe(_KEYS)),
        "review_family_keys": draw(_lists(_KEYS)),
        "review_prows": draw(
            st.one_of(st.none(), st.lists(st.integers(0, 3), max_size=3, unique=True))
        ),
        "prow": draw(st.one_of(st.none(), st.integers(0, 3))),
        "nhs": draw(_maybe(_NHS)),
        "mother_nhs": draw(_maybe(_NHS)),
        "dob": draw(_maybe(_DATES)),
        "mother_dob": draw(_maybe(_DATES)),
        "edd": draw(_maybe(_DATES)),
    }


_LIST = pl.List(pl.String)
_TYPES: dict[str, pl.DataType] = {
    "la_districts": _LIST,
    "parent_families": _LIST,
    "family_keys": _LIST,
    "review_family_keys": _LIST,
    "review_prows": pl.List(pl.UInt32),
    "prow": pl.UInt32(),
    "dob": pl.Date(),
    "mother_dob": pl.Date(),
    "edd": pl.Date(),
}


def _pair_frame(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> pl.DataFrame:
    cols = list(pairs[0][0])

    def dtype(c: str) -> pl.DataType:
        return _TYPES.get(c, _LIST if c.endswith(("_groups", "_parts")) else pl.String())

    data = {f"{s}_{c}": [p[i][c] for p in pairs] for i, s in enumerate("lr") for c in cols}
    return pl.DataFrame(data, schema={f"{s}_{c}": dtype(c) for s in "lr" for c in cols})


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(relation_record(), relation_record()), min_size=1, max_size=25))
def test_plain_relation_levels_equal_vectorised(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    frame = _pair_frame(pairs)
    for kind, fn in RELATION_KINDS.items():
        got = compute_levels(frame, kind).to_list()
        assert [fn(a, b, None) for a, b in pairs] == got, kind


def test_household_levels_on_chosen_pairs() -> None:
    """Each household level is reached (the generator's coverage, pinned)."""
    house = {"address_street": "oak road", "address_numbers": "3"}
    ls1 = {"postcode": "LS1 4AB", "pc_sector": "LS1 4", "pc_district": "LS1"}
    none = dict.fromkeys(ls1)
    fn = RELATION_KINDS["household"]
    cases = [
        ({**ls1, **house}, {**ls1, **house}, 0),
        # One mistyped postcode character (another sector): still the same house ...
        ({**ls1, **house}, {**ls1, "postcode": "LS1 5AB", "pc_sector": "LS1 5", **house}, 0),
        # ... but only between postcodes of one length.
        ({**ls1, **house}, {**ls1, "postcode": "LS1 4ABX", "pc_sector": "LS1 4A", **house}, 6),
        # The same address, the plan's postcode missing: in the plan's LA area or not.
        ({**ls1, **house}, {**none, **house, "la_districts": ["LS1"]}, 1),
        ({**ls1, **house}, {**none, **house}, 2),
        ({**ls1, "address_street": None}, {**ls1, **house}, 3),
        ({**ls1, **house}, {**ls1, "address_street": "high street"}, 4),
        ({**ls1, **house}, {**ls1, "postcode": "LS1 4ZZ", **house, "address_numbers": "4"}, 5),
        ({**ls1}, {**ls1, "postcode": "LS1 9ZZ", "pc_sector": "LS1 9"}, 6),
        ({**ls1}, {"postcode": "M1 1AA", "pc_sector": "M1 1", "la_districts": ["LS1"]}, 8),
        ({**ls1}, {"postcode": "M1 1AA", "pc_sector": "M1 1", "pc_district": "M1"}, 10),
        # No home on the plan (or a placement set aside): the LA area speaks alone.
        ({**ls1, **house}, {"la_districts": ["LS1"]}, 7),
        ({**ls1, **house}, {"la_districts": ["M1"]}, 9),
        # A street without a postcode is a home: the known-home levels apply.
        ({**ls1}, {"address_street": "high st", "la_districts": ["LS1"]}, 8),
        ({**none}, {**ls1, "la_districts": ["LS1"]}, -1),
    ]
    full = {**none, "address_street": None, "address_numbers": None, "la_districts": None}
    frame = _pair_frame([({**full, **a}, {**full, **b}) for a, b, _ in cases])
    assert compute_levels(frame, "household").to_list() == [lv for _, _, lv in cases]
    assert [fn({**full, **a}, {**full, **b}, None) for a, b, _ in cases] == [
        lv for _, _, lv in cases
    ]


def _copy_of(fn: ComparisonFn) -> ComparisonFn:
    """The same levels from another function (a kind re-registered)."""

    def copy(p: pl.DataFrame, c: str | None) -> pl.Series:
        return fn(p, c)

    return copy


def test_parent_age_levels_on_chosen_pairs() -> None:
    """The adult's age at the plan child's birth: parent 15-50, other carer 12-80 years."""
    child = dt.date(2015, 6, 1)
    cases = [
        (dt.date(1990, 6, 1), 0),  # 25
        (child - dt.timedelta(days=5479), 0),  # the parent range's first day
        (child - dt.timedelta(days=5478), 1),
        (child - dt.timedelta(days=18262), 0),  # its last
        (child - dt.timedelta(days=18263), 1),
        (dt.date(1950, 1, 1), 1),  # a grandparent, 65
        (dt.date(2004, 1, 1), 2),  # 11: no carer
        (dt.date(1930, 1, 1), 2),  # 85
        (dt.date(2020, 1, 1), 2),  # born after the child
        (None, -1),
    ]
    fn = RELATION_KINDS["parent_age"]
    frame = _pair_frame([({"dob": a}, {"dob": child}) for a, _ in cases])
    want = [lv for _, lv in cases]
    assert compute_levels(frame, "parent_age").to_list() == want
    assert [fn({"dob": a}, {"dob": child}, None) for a, _ in cases] == want


def test_a_re_registered_kind_has_no_plain_form(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(RELATION_KINDS) <= set(relation_kinds())
    monkeypatch.setitem(COMPARISON_KINDS, "household", _copy_of(COMPARISON_KINDS["household"]))
    assert "household" not in relation_kinds()


# --------------------------------------------------------------------------- attendee row

_ARRIVAL = dt.datetime(2026, 11, 25, 14, 30)
_AGES = st.one_of(
    st.integers(-3, 800), st.sampled_from([365, 366, 456, 457, 6574, 6575, 6576, 6577])
)


@st.composite
def attendee_record(draw: st.DrawFn) -> dict[str, Any]:
    age = draw(st.one_of(st.none(), _AGES))
    return {
        "attendance_id": "A",
        "arrival_time": _ARRIVAL,
        "given_name": draw(st.sampled_from([None, "Baby", "Ollie", "Twin 1"])),
        "family_name": draw(st.sampled_from([None, "Baby of Smith", "Smith"])),
        "date_of_birth": None if age is None else _ARRIVAL.date() - dt.timedelta(days=age),
        "setting": draw(st.sampled_from([None, "ed_child", "ed_adult", "maternity", "miu"])),
        "carer_given_name": draw(gen.NAMES),
        "carer_family_name": draw(gen.NAMES),
        "mother_nhs_number": draw(gen.NHS_NUMBERS),
    }


_ATTENDEE_COLUMNS = (
    "carer_given_first",
    "carer_given_groups",
    "carer_family_parts",
    "mother_nhs",
    "arrival_date",
    "setting",
    "age_days",
    "is_adult",
    "is_newborn",
    "age_doubt",
)


@settings(max_examples=60, deadline=None)
@given(st.lists(attendee_record(), min_size=1, max_size=20))
def test_attendee_row_equals_attendee_frame(records: list[dict[str, Any]]) -> None:
    att = attendances(records)
    cfg = FlagConfig()
    frame = attendee_frame(att, prepare_people(att), cfg).select(_ATTENDEE_COLUMNS).to_dicts()
    for i, rec in enumerate(records):
        row = attendee_row({**dict.fromkeys(att.columns), **rec}, prepare_one(rec), cfg)
        assert {c: row[c] for c in _ATTENDEE_COLUMNS} == frame[i], i


# --------------------------------------------------------------------------- match_one


def _disagreements(index: PlanIndex, att: pl.DataFrame) -> list[str]:
    batch = index.match(att)
    bad = []
    for rec in att.to_dicts():
        one = index.match_one(rec).sort("flag", "plan_id")
        ref = batch.filter(pl.col("attendance_id") == rec["attendance_id"]).sort("flag", "plan_id")
        if not one.equals(ref):
            bad.append(rec["attendance_id"])
    return bad


@pytest.fixture(scope="module", params=[1, 2])
def demo(request: pytest.FixtureRequest) -> tuple[PlanIndex, pl.DataFrame, pl.DataFrame]:
    data = synth.generate(scale="demo", seed=request.param)
    att = cpflag.io.read_attendances(data.attendances).table
    index = cpflag.build_index(data.plans, data.manifest)
    return index, att, index.match(att)


def test_default_flags_every_attendance_on_the_scalar_path(
    demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    index, att, batch = demo
    spy = PolarsPathSpy(monkeypatch)
    assert _disagreements(index, att) == []
    assert spy.calls == 0
    # The data reaches every relation kind and the LA-family copies.
    assert set(RELATIONS) <= set(batch["flag"].to_list())
    assert batch["reasons"].str.contains("same LA family as plan").any()


def test_relation_kind_without_plain_form_falls_back_and_agrees(
    demo: tuple[PlanIndex, pl.DataFrame, pl.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A household kind re-registered (same levels, another function) is not mirrored."""
    monkeypatch.setitem(COMPARISON_KINDS, "household", _copy_of(COMPARISON_KINDS["household"]))
    index, att, _ = demo
    fresh = PlanIndex.build(index.plans, config=index.config)
    spy = PolarsPathSpy(monkeypatch)
    sub = att.head(30)
    assert _disagreements(fresh, sub) == []
    assert 0 < spy.calls < sub.height  # records without relation candidates stay scalar


_EVIDENCE_BABIES = [
    {
        "attendance_id": "Y1",
        "given_name": "Baby",
        "family_name": "Clarke",
        "date_of_birth": dt.date(2025, 10, 18),
        "mother_nhs_number": evidence.MUM,
        "postcode": "LS6 2BB",
        "address": "3 Cardigan Road",
    },
    {
        "attendance_id": "Y2",
        "given_name": "Ella",
        "family_name": "Clarke",
        "date_of_birth": dt.date(2023, 10, 18),
        "mother_nhs_number": evidence.MUM,
        "postcode": "LS6 2BB",
    },
    {
        "attendance_id": "Y3",
        "given_name": "Noah",
        "family_name": "Wood",
        "date_of_birth": dt.date(2026, 10, 17),
        "postcode": "LS6 2BC",
        "address": "3 Cardigan Road",
    },
    {
        "attendance_id": "Y4",
        "given_name": "Alfie",
        "family_name": "Holworth",
        "date_of_birth": dt.date(2026, 10, 5),
        "postcode": "LS12 4DD",
        "carer_given_name": "Paul",
        "carer_family_name": "Holworth",
    },
    {
        "attendance_id": "Y5",
        "given_name": "Zoe",
        "family_name": "Stone",
        "date_of_birth": dt.date(2015, 3, 3),
        "postcode": "M1 1AA",
        "carer_given_name": "Donna",
        "carer_family_name": "Stone",
    },
    {"attendance_id": "Y6", "given_name": "Baby", "family_name": "Clarke", "setting": None},
]


@pytest.mark.parametrize(
    ("plans", "att"),
    [
        (golden.PLANS, golden.ATT),
        (evidence.PLANS, attendances(_EVIDENCE_BABIES)),
    ],
    ids=["golden_family", "golden_family_evidence"],
)
def test_golden_family_cases_agree_on_the_scalar_path(
    plans: pl.DataFrame, att: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = PlanIndex.build(cpflag.io.read_plans(plans).table)
    spy = PolarsPathSpy(monkeypatch)
    assert _disagreements(index, att) == []
    assert spy.calls == 0
    assert set(index.match(att)["flag"].to_list()) & set(RELATIONS)


def _own_plan_variants() -> list[dict[str, Any]]:
    """Golden attendees, and each again without its postcode or its address."""
    out = []
    for rec in golden.ATT.to_dicts():
        out += [rec, {**rec, "postcode": None}, {**rec, "address": None}]
    return [{**r, "attendance_id": f"{r['attendance_id']}-{i}"} for i, r in enumerate(out)]


def test_family_keys_and_plan_home_equal_with_family_keys() -> None:
    """``with_family_keys``: LA family keys and a missing postcode/address from the own plan."""
    index = PlanIndex.build(cpflag.io.read_plans(golden.PLANS).table)
    state = index.warm()._triage()
    assert isinstance(state, _triage.TriageState)
    records = _own_plan_variants()
    att = attendances(records)
    prepared = index.linker.prepare(att)
    pairs = index.lookups()["subjects"].candidates(prepared)
    subj = index.linker.score(prepared, index.subjects, pairs, tf=index.tf)
    subj = subj.filter(pl.col("band").is_not_null())
    frame = with_family_keys(
        attendee_frame(att, prepared, index.config), subj, index.plans, index.subjects
    )
    columns = [
        "family_keys",
        "review_family_keys",
        "review_prows",
        "postcode",
        "pc_sector",
        "pc_district",
        "address_numbers",
        "address_street",
    ]
    expected = frame.select(columns).to_dicts()
    filled = 0
    for i, rec in enumerate(att.to_dicts()):
        one = prepare_one(rec)
        cands = list(index.lookups()["subjects"].candidates_one(one))
        links = _triage._score(one, cands, state.subjects, state.scorer)
        row = _triage._attendee(rec, one, links, state)
        assert {c: row[c] for c in columns} == expected[i], rec["attendance_id"]
        filled += row["address_street"] is not None and rec["address"] is None
    assert filled > 0  # some attendee took its own plan's address
    assert any(r["family_keys"] for r in expected)


def test_sibling_flag_capped_when_the_attendee_may_be_the_plan_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An uncapped review same-person link leaves "is it the child?" open: at most review."""
    plan = {
        "plan_id": "P1",
        "given_name": "Leo",
        "family_name": "Stone",
        "date_of_birth": dt.date(2017, 2, 1),
        "sex": "M",
        "postcode": "LS9 8AB",
        "address": "12 Oak Road",
        "carer_given_name": "Donna",
        "carer_family_name": "Stone",
    }
    child = {
        "attendance_id": "S1",
        "given_name": "Max",
        "family_name": "Stone",
        "date_of_birth": dt.date(2017, 2, 4),  # one digit off the plan child's
        "sex": "M",
        "postcode": "LS9 8AB",
        "address": "12 Oak Road",
        "carer_given_name": "Donna",
        "carer_family_name": "Stone",
    }
    # No list-size prior: on a one-plan list it would make any namesake the child.
    config = FlagConfig(subject_share=None)
    index = PlanIndex.build(cpflag.io.read_plans(plans([plan])).table, config=config)
    att = attendances([child])
    batch = index.match(att)
    same = batch.filter(pl.col("flag") == "plan_subject")
    assert same["band"].to_list() == ["review"]
    assert "guard" not in same["reasons"][0]
    # One kind per (attendance, plan): the plan_subject review is the pair's story.
    assert batch.filter(pl.col("flag") == "sibling_of_plan_subject").height == 0
    # Without plan_subject flags the sibling flag is capped at review instead.
    siblings_only = FlagConfig(subject_share=None, flags=("sibling_of_plan_subject",))
    alone = PlanIndex.build(cpflag.io.read_plans(plans([plan])).table, config=siblings_only)
    sib = alone.match(att)
    assert sib["band"].to_list() == ["review"]
    assert sib["score"][0] >= 6.0  # match on its own weight: the cap made it review
    assert "capped at review by the may_be_plan_child guard" in sib["reasons"][0]
    assert sib["check"][0].startswith("may be the plan child itself")
    spy = PolarsPathSpy(monkeypatch)
    assert index.match_one(att.row(0, named=True)).equals(batch)
    assert alone.match_one(att.row(0, named=True)).equals(sib)
    assert spy.calls == 0


def test_row_cache_refills_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full cache is cleared without losing rows asked for in the same call."""
    monkeypatch.setattr(_triage_decide, "ROW_CACHE_SIZE", 4)
    rows = _triage_decide.Rows(pl.DataFrame({"x": list(range(10))}))
    assert [r["x"] for r in rows.get([1, 2, 3])] == [1, 2, 3]
    assert [r["x"] for r in rows.get([2, 5, 6, 2])] == [2, 5, 6, 2]
    assert len(rows.cache) <= 4
