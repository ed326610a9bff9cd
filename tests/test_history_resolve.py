"""Person resolution end to end: twins, siblings, newborns, determinism, the model."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from cpflag import DuplicateIdError, FlagConfig, InputError, LinkageModel, MissingColumnError
from cpflag.history import (
    REPEAT_COLUMNS,
    attendance_model,
    link_threshold,
    repeat_counts,
    resolve_history,
)
from tests.helpers import attendances, nhs

DOB = dt.date(2025, 1, 10)
HOME = {"postcode": "LS6 1AA", "address": "Flat 2, 12 Hyde Park Road"}


def _t(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2025, 1, 10, hour) + dt.timedelta(days=day)


def rec(aid: str, day: int, **kw: Any) -> dict[str, Any]:
    return {"attendance_id": aid, "arrival_time": _t(day), "site_code": "RJ101", **kw}


def _persons(rows: list[dict[str, Any]]) -> dict[str, str]:
    out = resolve_history(attendances(rows))
    return dict(zip(out["attendance_id"], out["person_id"], strict=True))


def test_twins_stay_two_children_and_baby_a_b_stay_apart() -> None:
    twin = {"family_name": "Okafor", "date_of_birth": DOB, "sex": "F", **HOME}
    rows = [
        rec("b1", 0, given_name="Baby A", **twin),
        rec("b2", 0, given_name="Baby B", **twin),
        rec("a1", 40, given_name="Amara", **twin),
        rec("a2", 90, given_name="Amara", **twin, site_code="RR801"),
        rec("z1", 41, given_name="Zara", **twin),
        rec("z2", 95, given_name="Zara", **twin),
    ]
    p = _persons(rows)
    assert p["a1"] == p["a2"]
    assert p["z1"] == p["z2"]
    assert p["a1"] != p["z1"]
    assert p["b1"] != p["b2"]
    # Each placeholder joins at most one twin, never both.
    assert len({p[x] for x in p}) == 2 or len({p[x] for x in p}) > 2


def test_twins_with_their_own_nhs_numbers_never_merge_through_a_shared_record() -> None:
    twin = {"family_name": "Okafor", "date_of_birth": DOB, "sex": "M", **HOME}
    rows = [
        rec("a1", 1, given_name="Tomi", nhs_number=nhs("943476591"), **twin),
        rec("a2", 2, given_name="Tomi", **twin),
        rec("b1", 3, given_name="Tobi", nhs_number=nhs("401023213"), **twin),
        rec("b2", 4, given_name="Tobi", **twin),
        # An unnamed record of the same household and date links to both.
        rec("u1", 5, given_name=None, **twin),
    ]
    p = _persons(rows)
    assert p["a1"] == p["a2"]
    assert p["b1"] == p["b2"]
    assert p["a1"] != p["b1"]


def test_siblings_with_the_same_given_name_stay_apart() -> None:
    # Half-siblings both called Oliver at one address, no NHS numbers.
    home = {"family_name": "Griffin", "sex": "M", "given_name": "Oliver", **HOME}
    rows = [
        rec("o1", 1, date_of_birth=dt.date(2015, 5, 5), **home),
        rec("o2", 2, date_of_birth=dt.date(2015, 5, 5), **home),
        rec("y1", 3, date_of_birth=dt.date(2022, 10, 23), **home),
        rec("y2", 4, date_of_birth=dt.date(2022, 10, 23), **home),
    ]
    p = _persons(rows)
    assert p["o1"] == p["o2"]
    assert p["y1"] == p["y2"]
    assert p["o1"] != p["y1"]


def test_baby_of_x_joins_the_childs_later_named_attendances() -> None:
    mother_nhs = nhs("943476591")
    rows = [
        # Day 2: "Baby of Smith", mother's surname, no NHS number yet.
        rec(
            "n1",
            2,
            given_name=None,
            family_name="Baby of Smith",
            date_of_birth=DOB,
            sex="F",
            mother_nhs_number=mother_nhs,
            local_patient_id="H1",
            **HOME,
        ),
        # Later, at another trust (no shared hospital number), registered under
        # the father's surname, with her own NHS number.
        rec(
            "k1",
            60,
            given_name="Olivia",
            family_name="Jones",
            date_of_birth=DOB,
            sex="F",
            nhs_number=nhs("401023213"),
            site_code="RR801",
            **HOME,
        ),
        rec(
            "k2",
            120,
            given_name="Livvy",
            family_name="Jones",
            date_of_birth=DOB,
            sex="F",
            nhs_number=nhs("401023213"),
            site_code="RR801",
            **HOME,
        ),
        # A sibling born a year earlier at the same home stays apart.
        rec(
            "s1",
            61,
            given_name="Noah",
            family_name="Jones",
            date_of_birth=dt.date(2024, 1, 3),
            sex="M",
            site_code="RR801",
            **HOME,
        ),
    ]
    out = resolve_history(attendances(rows))
    p = dict(zip(out["attendance_id"], out["person_id"], strict=True))
    assert p["n1"] == p["k1"] == p["k2"]
    assert p["s1"] != p["k1"]
    # The person id comes from the earliest attendance.
    assert p["k1"] == "P-n1"
    fam = dict(zip(out["attendance_id"], out["family_id"], strict=True))
    assert fam["s1"] == fam["k1"]


def test_nickname_and_missing_nhs_number_join_through_the_hospital_number() -> None:
    base = {"family_name": "Patel", "date_of_birth": DOB, "sex": "F", **HOME}
    rows = [
        rec(
            "x1",
            1,
            given_name="Natalie",
            nhs_number=nhs("943476591"),
            local_patient_id="M77",
            **base,
        ),
        rec("x2", 30, given_name="Nat", local_patient_id="M77", site_code="RJ102", **base),
        rec("x3", 60, given_name="Natalie", nhs_number=nhs("943476591"), **base),
    ]
    p = _persons(rows)
    assert p["x1"] == p["x2"] == p["x3"]


def test_link_evidence_names_levels_and_never_values() -> None:
    base = {
        "given_name": "Ruby",
        "family_name": "Kowalska",
        "date_of_birth": DOB,
        "sex": "F",
        "nhs_number": nhs("943476591"),
        **HOME,
    }
    out = resolve_history(attendances([rec("r1", 1, **base), rec("r2", 5, **base)]))
    first, second = out.row(0, named=True), out.row(1, named=True)
    assert first["link_to"] == "r2"
    assert second["link_to"] == "r1"
    assert first["link_weight"] > 20
    assert "nhs_number exact" in second["link_reasons"]
    for value in ("Ruby", "ruby", "Kowalska", "kowalska", "2025", "943", "LS6"):
        assert value not in second["link_reasons"]


def test_result_does_not_depend_on_row_order() -> None:
    base = {"family_name": "Begum", "date_of_birth": DOB, "sex": "M", **HOME}
    rows = [
        rec("c1", 1, given_name="Mohammed", **base),
        rec("c2", 2, given_name="Muhammad", **base),
        rec("c3", 3, given_name="Yusuf", **base),
        rec("c4", 4, given_name="Yusuf", **base),
    ]
    a = resolve_history(attendances(rows)).sort("attendance_id")
    b = resolve_history(attendances(rows[::-1])).sort("attendance_id")
    assert a.equals(b)


def test_duplicate_attendance_ids_are_an_error() -> None:
    rows = [rec("d1", 1, given_name="A"), rec("d1", 2, given_name="B")]
    with pytest.raises(DuplicateIdError, match="row 1 \\(id d1\\), row 2 \\(id d1\\)"):
        resolve_history(attendances(rows))


def test_model_is_data_and_keeps_the_default_guards() -> None:
    model = attendance_model()
    assert LinkageModel.from_json(model.to_json()) == model
    guards = {g.name for g in model.guards}
    assert {"twin", "borrowed_nhs_number", "twin_marker"} <= guards
    assert {"mrn", "mother_nhs", "twin_marker"} <= {c.name for c in model.comparisons}
    assert "mrn" in {r.name for r in model.blocking_rules}


def test_empty_batch() -> None:
    out = resolve_history(attendances([]))
    assert out.height == 0
    assert "person_id" in out.columns


def test_accuracy_on_synthetic_data() -> None:
    synth = pytest.importorskip("cpflag.synth")
    data = synth.generate(scale="demo", days=120, seed=3, n_attendances=12_000)
    out_full = resolve_history(data.attendances)
    out = out_full.select("attendance_id", "person_id")
    j = out.join(
        data.truth_attendances.select("attendance_id", pl.col("person_id").alias("t")),
        on="attendance_id",
    )

    def pairs(*by: str) -> int:
        n = j.group_by(*by).len()["len"]
        return int((n * (n - 1) // 2).sum())

    both, pred, true = pairs("person_id", "t"), pairs("person_id"), pairs("t")
    assert both / pred >= 0.995
    assert both / true >= 0.97
    # The child rule on resolved persons against the rule on the true persons.
    base = out_full.select(*REPEAT_COLUMNS)
    truth = base.drop("person_id").join(
        j.select("attendance_id", pl.col("t").alias("person_id")), on="attendance_id"
    )
    cfg = FlagConfig()
    got = set(repeat_counts(base, cfg).filter("child_rule")["attendance_id"].to_list())
    want = set(repeat_counts(truth, cfg).filter("child_rule")["attendance_id"].to_list())
    assert len(want) > 100
    assert len(got & want) / len(got) >= 0.98
    assert len(got & want) / len(want) >= 0.98


def test_batches_without_ids_or_arrival_times_are_errors() -> None:
    rows = [rec("d1", 1, given_name="A"), rec("d2", 2, given_name="B")]
    with pytest.raises(MissingColumnError, match="column 'arrival_time'"):
        resolve_history(attendances(rows).drop("arrival_time"))
    bad = attendances(rows).with_columns(
        pl.when(pl.col("attendance_id") == "d2")
        .then(None)
        .otherwise(pl.col("arrival_time"))
        .alias("arrival_time")
    )
    with pytest.raises(InputError, match="row 2 \\(id d2\\): value is missing"):
        resolve_history(bad)


def test_link_threshold_rises_with_the_table() -> None:
    model = attendance_model()
    base = model.thresholds.match
    assert link_threshold(model, 20_000) == base
    assert link_threshold(model, 100_000) == base
    assert link_threshold(model, 800_000) == pytest.approx(base + 3.0)
