"""Small builders shared by the tests (no test logic here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from cpflag.contract import ATTENDANCES, PLANS
from cpflag.engine import _index as engine_index


def nhs(first_nine: str) -> str:
    """A valid NHS number from nine digits (Modulus 11), e.g. nhs('943476591')."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10:
        raise ValueError("these nine digits have no valid check digit")
    return first_nine + str(check)


def table(spec: Any, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A contract table with every canonical column (absent ones null)."""
    full = [{c: r.get(c) for c in spec.names} for r in rows]
    return pl.DataFrame(full, schema=spec.schema)


def plans(rows: list[dict[str, Any]], list_date: dt.date = dt.date(2026, 11, 20)) -> pl.DataFrame:
    defaults = {
        "la_code": "E08000035",
        "plan_type": "cpp",
        "start_date": dt.date(2025, 1, 1),
        "list_date": list_date,
    }
    return table(PLANS, [{**defaults, **r} for r in rows])


def attendances(rows: list[dict[str, Any]]) -> pl.DataFrame:
    defaults = {"arrival_time": dt.datetime(2026, 11, 25, 14, 30), "setting": "ed_child"}
    return table(ATTENDANCES, [{**defaults, **r} for r in rows])


#: Two children of one household, shared by the history tests (add a home).
KEZIAH: dict[str, Any] = {
    "given_name": "Keziah",
    "family_name": "Abernathy",
    "date_of_birth": dt.date(2019, 6, 7),
    "sex": "F",
    "nhs_number": nhs("943476591"),
}
IDRIS: dict[str, Any] = {
    "given_name": "Idris",
    "family_name": "Okoro",
    "date_of_birth": dt.date(2017, 2, 2),
    "sex": "M",
}


class PolarsPathSpy:
    """Counts polars-path runs for one record (``match_one`` falling back)."""

    def __init__(self, monkeypatch: Any) -> None:
        self.calls = 0
        original = engine_index.run_batch

        def run(parts: Any, att: pl.DataFrame, **kw: Any) -> tuple[pl.DataFrame, int]:
            self.calls += kw.get("lookups") is not None
            return original(parts, att, **kw)

        monkeypatch.setattr(engine_index, "run_batch", run)
