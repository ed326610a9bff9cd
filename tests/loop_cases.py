"""Shared builders for the closing-the-loop tests (no test logic here)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

import cpflag
from tests.helpers import attendances, nhs, plans

D = dt.date
OLIVER_NHS = nhs("943476591")

OLIVER: dict[str, Any] = {
    "given_name": "Oliver",
    "family_name": "Smith-Jones",
    "date_of_birth": D(2018, 3, 4),
    "sex": "M",
    "nhs_number": OLIVER_NHS,
    "postcode": "LS9 8AB",
    "address": "12 Oak Road",
}
AMELIA: dict[str, Any] = {
    "given_name": "Amelia",
    "family_name": "Hughes",
    "date_of_birth": D(2020, 6, 15),
    "sex": "F",
    "postcode": "LS9 7QQ",
    "address": "Flat 3, 41 Station Road",
}
OTHER: dict[str, Any] = {
    "given_name": "Zebedee",
    "family_name": "Quayle",
    "date_of_birth": D(2016, 1, 9),
    "sex": "M",
    "postcode": "LS2 9JT",
    "address": "1 Park Row",
}

P_OLIVER = {"plan_id": "P1", "la_code": "E1", **OLIVER, "la_contact": "E1 duty team"}
P_AMELIA = {"plan_id": "P2", "la_code": "E1", **AMELIA, "la_contact": "E1 duty team"}
P_OTHER_LA = {
    "plan_id": "Q1",
    "la_code": "E2",
    "given_name": "Harriet",
    "family_name": "Lowe",
    "date_of_birth": D(2015, 5, 5),
    "sex": "F",
    "postcode": "BD1 1AA",
    "address": "9 Mill Lane",
    "la_contact": "E2 duty team",
}


LIST_DATE = D(2026, 11, 20)


def plan_rows(*rows: dict[str, Any], list_date: dt.date = LIST_DATE) -> pl.DataFrame:
    return plans(list(rows), list_date=list_date)


def visit(attendance_id: str, person: dict[str, Any], day: dt.date) -> dict[str, Any]:
    return {
        "attendance_id": attendance_id,
        "arrival_time": dt.datetime.combine(day, dt.time(10, 0)),
        "site_code": "RR801",
        **person,
    }


def night(
    store: Path,
    visits: list[dict[str, Any]],
    plan_table: pl.DataFrame,
    *,
    outcomes: Any = None,
    expected: tuple[str, ...] = ("E1", "E2", "E3"),
) -> cpflag.FlagRun:
    # Each simulated night runs on its own date (the run date is the as-of date).
    run_date = max(v["arrival_time"] for v in visits).date()
    return cpflag.run_flagging(
        attendances(visits),
        plan_table,
        config=cpflag.FlagConfig(expected_la_codes=expected),
        history=store,
        close_loop=True,
        outcomes=outcomes,
        as_of=run_date,
    )
