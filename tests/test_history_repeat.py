"""The repeat_attendance rules: counts, window, family evidence, bands, reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag import FlagConfig
from cpflag.contract import FLAGS
from cpflag.history import repeat_counts, repeat_flags, resolve_and_flag_repeats
from tests.helpers import attendances, nhs

T0 = dt.datetime(2025, 1, 1, 10, 0)


def hist(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows ``(attendance_id, day, person_id, family_id[, is_child[, site]])``."""
    out = []
    for r in rows:
        aid, day, pid, fid = r[:4]
        out.append(
            {
                "attendance_id": aid,
                "arrival_time": T0 + dt.timedelta(days=day),
                "arrival_date": (T0 + dt.timedelta(days=day)).date(),
                "site_code": r[5] if len(r) > 5 else "RJ101",
                "person_id": pid,
                "family_id": fid,
                "is_child": r[4] if len(r) > 4 else True,
            }
        )
    schema = {
        "attendance_id": pl.String,
        "arrival_time": pl.Datetime("us"),
        "arrival_date": pl.Date,
        "site_code": pl.String,
        "person_id": pl.String,
        "family_id": pl.String,
        "is_child": pl.Boolean,
    }
    return pl.DataFrame(out, schema=schema)


def by_id(flags: pl.DataFrame) -> dict[str, dict[str, Any]]:
    return {r["attendance_id"]: r for r in flags.iter_rows(named=True)}


def test_third_and_later_attendances_in_the_window_are_flagged() -> None:
    h = hist(
        [
            ("a1", 0, "P1", "F1"),
            ("a2", 100, "P1", "F1"),
            ("a3", 200, "P1", "F1", True, "RR801"),
            ("a4", 300, "P1", "F1"),
        ]
    )
    f = by_id(repeat_flags(h, FlagConfig()))
    assert sorted(f) == ["a3", "a4"]
    assert f["a3"]["band"] == "match"
    assert f["a3"]["score"] == 3.0
    assert f["a3"]["reasons"] == "child P1: 3rd attendance in 365 days (sites RJ101, RR801)"
    assert f["a4"]["reasons"].startswith("child P1: 4th attendance")
    assert f["a3"]["plan_id"] is None
    assert f["a3"]["la_code"] is None
    assert f["a3"]["list_age_days"] is None


@pytest.mark.parametrize(("last_day", "flagged"), [(365, True), (366, False)])
def test_window_is_inclusive(last_day: int, flagged: bool) -> None:
    h = hist([("a1", 0, "P1", "F1"), ("a2", 200, "P1", "F1"), ("a3", last_day, "P1", "F1")])
    assert ("a3" in by_id(repeat_flags(h, FlagConfig()))) is flagged


def test_both_numbers_are_configurable() -> None:
    h = hist([("a1", 0, "P1", "F1"), ("a2", 20, "P1", "F1"), ("a3", 51, "P1", "F1")])
    cfg = FlagConfig(repeat_min_attendances=2, repeat_window_days=30)
    f = by_id(repeat_flags(h, cfg))
    assert sorted(f) == ["a2"]
    assert f["a2"]["reasons"] == "child P1: 2nd attendance in 30 days (site RJ101)"


FAMILY_ONLY = [
    ("a1", 0, "P1", "F1"),
    ("a2", 10, "P1", "F1"),
    ("b1", 20, "P2", "F1"),
    ("b2", 30, "P2", "F1"),
    ("c1", 31, "P3", "F2"),
]


def test_family_rule_alone_raises_no_row_by_default() -> None:
    """The flag is the child's: a family count alone is no repeat_attendance row."""
    assert by_id(repeat_flags(hist(FAMILY_ONLY), FlagConfig())) == {}


def test_family_rule_alone_raises_a_review_row_naming_the_children() -> None:
    h = hist(FAMILY_ONLY)
    f = by_id(repeat_flags(h, FlagConfig(repeat_family_rows=True)))
    assert sorted(f) == ["b2"]
    assert f["b2"]["band"] == "review"
    assert f["b2"]["score"] == 4.0
    assert f["b2"]["reasons"] == (
        "child P2: 2nd attendance in 365 days; "
        "family F1: 4 attendances by 2 children in 365 days (P1, P2)"
    )


def test_family_rule_is_evidence_on_a_child_rule_row() -> None:
    h = hist(
        [
            ("a1", 0, "P1", "F1"),
            ("a2", 10, "P1", "F1"),
            ("b1", 20, "P2", "F1"),
            ("a3", 30, "P1", "F1"),
        ]
    )
    f = by_id(repeat_flags(h, FlagConfig()))
    assert f["a3"]["band"] == "match"
    assert f["a3"]["score"] == 3.0
    assert "family F1: 4 attendances by 2 children" in f["a3"]["reasons"]


def test_one_child_alone_is_not_the_family_rule() -> None:
    h = hist([(f"a{i}", i, "P1", "F1") for i in range(4)])
    f = by_id(repeat_flags(h, FlagConfig()))
    assert "family" not in f["a3"]["reasons"]


def test_adult_attendances_neither_count_nor_flag() -> None:
    h = hist(
        [
            ("a1", 0, "P1", "F1", False),
            ("a2", 10, "P1", "F1", False),
            ("a3", 20, "P1", "F1", True),
            ("a4", 30, "P1", "F1", False),
        ]
    )
    assert repeat_flags(h, FlagConfig()).height == 0


def test_same_day_attendances_count_in_time_then_id_order() -> None:
    h = hist([("a2", 0, "P1", "F1"), ("a1", 0, "P1", "F1"), ("a3", 0, "P1", "F1")])
    f = repeat_flags(h, FlagConfig())
    assert f["attendance_id"].to_list() == ["a3"]


def test_only_the_requested_attendances_are_flagged_in_their_order() -> None:
    h = hist([(f"a{i}", i, "P1", "F1") for i in range(6)])
    f = repeat_flags(h, FlagConfig(), ["a5", "a0", "a3"])
    assert f["attendance_id"].to_list() == ["a5", "a3"]
    assert f.schema == pl.Schema(FLAGS.schema)


def _reference(h: pl.DataFrame, cfg: FlagConfig) -> dict[str, tuple[int, int | None]]:
    rows = [r for r in h.iter_rows(named=True) if r["is_child"]]
    out = {}
    for r in rows:
        key = (r["arrival_time"], r["attendance_id"])

        def within(o: dict[str, Any], r: dict[str, Any] = r, key: Any = key) -> bool:
            return (o["arrival_time"], o["attendance_id"]) <= key and (
                (r["arrival_date"] - o["arrival_date"]).days <= cfg.repeat_window_days
            )

        child = sum(1 for o in rows if o["person_id"] == r["person_id"] and within(o))
        fam = (
            sum(1 for o in rows if o["family_id"] == r["family_id"] and within(o))
            if r["family_id"] is not None
            else None
        )
        out[r["attendance_id"]] = (child, fam)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60),
            st.sampled_from(["P1", "P2", "P3", "P4"]),
            st.booleans(),
        ),
        max_size=25,
    )
)
def test_counts_match_a_plain_reference(rows: list[tuple[int, str, bool]]) -> None:
    fam = {"P1": "F1", "P2": "F1", "P3": "F2", "P4": None}
    h = hist([(f"x{i:02d}", d, p, fam[p], child) for i, (d, p, child) in enumerate(rows)])
    cfg = FlagConfig(repeat_window_days=20)
    got = repeat_counts(h, cfg)
    ref = _reference(h, cfg)
    assert sorted(got["attendance_id"].to_list()) == sorted(ref)
    for r in got.iter_rows(named=True):
        assert (r["child_n"], r["family_n"]) == ref[r["attendance_id"]]


def test_end_to_end_without_a_store_reasons_carry_no_identifiers() -> None:
    base = {
        "given_name": "Keziah",
        "family_name": "Abernathy",
        "date_of_birth": dt.date(2019, 6, 7),
        "postcode": "LS6 1AA",
        "address": "4 Hyde Park Road",
        "nhs_number": nhs("943476591"),
        "site_code": "RJ101",
        "setting": "ed_child",
    }
    rows = [
        {**base, "attendance_id": f"k{i}", "arrival_time": T0 + dt.timedelta(days=30 * i)}
        for i in range(4)
    ]
    batch = attendances(rows)
    flags, resolved = resolve_and_flag_repeats(batch)
    assert flags["attendance_id"].to_list() == ["k2", "k3"]
    assert resolved["person_id"].n_unique() == 1
    assert resolved.columns[: len(batch.columns)] == batch.columns
    text = " ".join(flags["reasons"].to_list())
    for value in ("Keziah", "Abernathy", "2019", "LS6", "943", "Hyde"):
        assert value not in text
