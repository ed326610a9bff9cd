"""Every comparison's vectorised path agrees with the plain reference."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.linkage import LEVEL_LABELS, compute_levels
from cpflag.linkage import _distinct as linkage_distinct
from tests.reference_linkage import REFERENCE, swap

NAMES = [
    "smith",
    "smyth",
    "jones",
    "jonas",
    "begum",
    "rahman",
    "o",
    "obrien",
    "alfie",
    "alfred",
    "ollie",
    "oliver",
    "isabella",
    "izzy",
    "mohammed",
    "muhammad",
    "kaur",
    "singh",
]
name = st.one_of(st.sampled_from(NAMES), st.text("abcdehlmnorsty", min_size=1, max_size=9))
opt = lambda s: st.one_of(st.none(), s)  # noqa: E731
words = st.lists(name, min_size=1, max_size=3)
dates = st.dates(dt.date(2005, 1, 1), dt.date(2026, 12, 31))
CANON = {
    "alfie": "alfred",
    "alfred": "alfred",
    "ollie": "oliver",
    "oliver": "oliver",
    "izzy": "isabella",
    "isabella": "isabella",
    "mohammed": "muhammad",
}
PC = ["LS1 4AB", "LS1 4AD", "LS1 5ZZ", "LS2 7XY", "M1 1AA"]


@st.composite
def record(draw: st.DrawFn) -> dict[str, Any]:
    parts = draw(opt(words))
    given = draw(opt(name))
    dob = draw(
        opt(
            st.one_of(
                dates,
                st.sampled_from(
                    [
                        dt.date(2019, 3, 4),
                        dt.date(2019, 4, 3),
                        dt.date(2018, 3, 4),
                        dt.date(2019, 3, 9),
                    ]
                ),
            )
        )
    )
    pc = draw(opt(st.sampled_from(PC)))
    street = draw(opt(st.sampled_from(["high street", "high streat", "oak road", "station road"])))
    return {
        "nhs": draw(opt(st.sampled_from(["9434765919", "9434765870", "4010232137"]))),
        "given_first": given,
        # A function of the name, as in the real prepared frame.
        "given_groups": sorted({given, CANON.get(given, given)}) if given else [],
        "given_ph": None if given is None else given[:2],
        "family": None if parts is None else " ".join(parts),
        "family_parts": parts or [],
        "family_ph_parts": [p[:2] for p in parts or []],
        "parent_families": draw(st.lists(st.sampled_from(NAMES), max_size=2)),
        "dob": dob,
        "dob_swap": swap(dob),
        "dob_int": None if dob is None else int(dob.strftime("%Y%m%d")),
        "sex": draw(opt(st.sampled_from(["M", "F"]))),
        "postcode": pc,
        "pc_sector": None if pc is None else pc[:-2],
        "pc_district": None if pc is None else pc.split()[0],
        "address_street": street,
        "address_numbers": draw(opt(st.sampled_from(["3 12", "12", "4 12"]))),
    }


SCHEMA = {
    "nhs": pl.String,
    "given_first": pl.String,
    "given_groups": pl.List(pl.String),
    "given_ph": pl.String,
    "family": pl.String,
    "family_parts": pl.List(pl.String),
    "family_ph_parts": pl.List(pl.String),
    "parent_families": pl.List(pl.String),
    "dob": pl.Date,
    "dob_swap": pl.Date,
    "dob_int": pl.Int32,
    "sex": pl.String,
    "postcode": pl.String,
    "pc_sector": pl.String,
    "pc_district": pl.String,
    "address_street": pl.String,
    "address_numbers": pl.String,
}


def pair_frame(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> pl.DataFrame:
    rows = [
        {**{f"l_{k}": v for k, v in a.items()}, **{f"r_{k}": v for k, v in b.items()}}
        for a, b in pairs
    ]
    schema = {f"{s}_{k}": t for s in ("l", "r") for k, t in SCHEMA.items()}
    return pl.DataFrame(rows, schema=schema)


@pytest.mark.parametrize("kind", sorted(REFERENCE))
@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(record(), record()), min_size=1, max_size=25))
def test_vectorised_levels_equal_reference(
    kind: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    frame = pair_frame(pairs)
    got = compute_levels(frame, kind).to_list()
    labels = LEVEL_LABELS[kind]
    for i, (a, b) in enumerate(pairs):
        label = "null" if got[i] == -1 else labels[got[i]]
        assert label in REFERENCE[kind](a, b), (kind, i, label)


@pytest.mark.parametrize("kind", ["given_name", "family_name"])
@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(record(), record()), min_size=1, max_size=40))
def test_distinct_value_path_equals_reference(
    kind: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    """The once-per-distinct-value path (used on large pair sets) agrees too."""
    frame = pair_frame(pairs * 3)  # repeated values, as in real candidate sets
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(linkage_distinct, "DISTINCT_MIN_PAIRS", 0)
        got = compute_levels(frame, kind).to_list()
    labels = LEVEL_LABELS[kind]
    for i, (a, b) in enumerate(pairs * 3):
        label = "null" if got[i] == -1 else labels[got[i]]
        assert label in REFERENCE[kind](a, b), (kind, i, label)


def test_levels_are_symmetric_for_symmetric_kinds() -> None:
    a = {"given_first": "alfie", "given_groups": ["alfie", "alfred"], "given_ph": "alf"}
    b = {"given_first": "alfred", "given_groups": ["alfred"], "given_ph": "alfr"}
    base = dict.fromkeys(SCHEMA)
    fwd = pair_frame([({**base, **a}, {**base, **b})])
    rev = pair_frame([({**base, **b}, {**base, **a})])
    assert compute_levels(fwd, "given_name").item() == compute_levels(rev, "given_name").item() == 1


def test_dob_levels_golden() -> None:
    base = dict.fromkeys(SCHEMA)

    def lv(a: dt.date, b: dt.date) -> str:
        left = {**base, "dob": a, "dob_swap": swap(a), "dob_int": int(a.strftime("%Y%m%d"))}
        right = {**base, "dob": b, "dob_swap": swap(b), "dob_int": int(b.strftime("%Y%m%d"))}
        return LEVEL_LABELS["date_of_birth"][
            compute_levels(pair_frame([(left, right)]), "date_of_birth").item()
        ]

    assert lv(dt.date(2019, 3, 4), dt.date(2019, 3, 4)) == "exact"
    assert lv(dt.date(2019, 3, 4), dt.date(2019, 4, 3)) == "swapped"
    assert lv(dt.date(2019, 3, 4), dt.date(2019, 3, 9)) == "typo"
    assert lv(dt.date(2019, 3, 4), dt.date(2017, 3, 4)) == "typo"  # one digit of the year
    assert lv(dt.date(2019, 3, 4), dt.date(2020, 3, 4)) == "year_off"
    assert lv(dt.date(2019, 3, 4), dt.date(2019, 2, 28)) == "near"
    assert lv(dt.date(2019, 3, 4), dt.date(2012, 8, 21)) == "different"
