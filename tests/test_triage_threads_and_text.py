"""``match_one`` from many threads at once, and with dates and times as ISO text.

A web service calls ``match_one`` from its worker threads on one shared index:
each answer must be the one a single thread gets, including while the triage
state is still being built. A message (JSON, FHIR, HL7) carries dates and
times as text: those records take the fast path and give the typed answer.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cpflag
from cpflag import synth
from cpflag.io._dates import NotPlainISO, parse_dates, parse_datetimes, parse_iso_one
from tests.helpers import PolarsPathSpy

THREADS = 8


@pytest.fixture(scope="module")
def demo() -> tuple[synth.SynthData, list[dict[str, Any]]]:
    data = synth.generate(scale="demo", seed=5)
    return data, data.attendances.head(240).to_dicts()


def _iso(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()}


def test_match_one_from_threads_equals_serial(
    demo: tuple[synth.SynthData, list[dict[str, Any]]],
) -> None:
    data, records = demo
    serial_index = cpflag.build_index(data.plans, data.manifest)
    serial = [serial_index.match_one(r) for r in records]
    assert sum(f.height for f in serial) > 0  # some records are flagged
    # A fresh index: the threads race to build the triage state too.
    shared = cpflag.build_index(data.plans, data.manifest)
    with ThreadPoolExecutor(THREADS) as pool:
        threaded = list(pool.map(shared.match_one, records * 3))
    for i, got in enumerate(threaded):
        assert got.equals(serial[i % len(records)]), records[i % len(records)]["attendance_id"]


def test_iso_text_records_take_the_fast_path_and_agree(
    demo: tuple[synth.SynthData, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, records = demo
    index = cpflag.build_index(data.plans, data.manifest)
    typed = [index.match_one(r) for r in records]
    spy = PolarsPathSpy(monkeypatch)
    texts = [_iso(r) for r in records]
    assert any(isinstance(t["date_of_birth"], str) for t in texts)
    for text, want in zip(texts, typed, strict=True):
        assert index.match_one(text).equals(want), text["attendance_id"]
    assert spy.calls == 0


def test_other_text_layouts_fall_back_to_polars_and_agree(
    demo: tuple[synth.SynthData, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, records = demo
    index = cpflag.build_index(data.plans, data.manifest)
    rec = next(r for r in records if r["date_of_birth"] is not None)
    want = index.match_one(rec)
    spy = PolarsPathSpy(monkeypatch)
    uk = {
        **rec,
        "date_of_birth": rec["date_of_birth"].strftime("%d/%m/%Y"),
        "arrival_time": rec["arrival_time"].strftime("%d/%m/%Y %H:%M:%S"),
    }
    assert index.match_one(uk).equals(want)
    assert spy.calls == 1
    # Blank text is a blank value, on the fast path.
    blank = index.match_one({**_iso(rec), "date_of_birth": "  "})
    assert blank.equals(index.match_one({**rec, "date_of_birth": None}))
    assert spy.calls == 1


@pytest.mark.parametrize(
    "text",
    [
        "2020-01-31",
        " 2020-02-29 ",
        "2021-02-29",
        "2020-13-01",
        "0000-01-01",
        "2020-1-31",
        "31/01/2020",
        "2020-01-31 10:05",
        "2020-01-31T10:05:59",
        "2020-01-31 24:00",
        "2020-01-31T10:05:60",
        "2020-01-31T10:05:00Z",
        "2020-01-31T10:05:00.5",
        "",
        "\u00a02020-01-31",
    ],
)
@pytest.mark.parametrize("with_time", [False, True])
def test_parse_iso_one_agrees_with_the_column_parsers(text: str, with_time: bool) -> None:
    parse = parse_datetimes if with_time else parse_dates
    values, reasons = parse(pl.Series([text]))
    try:
        got: dt.date | None = parse_iso_one(text, with_time=with_time)
    except NotPlainISO:
        return  # the vectorised path reads it (or says why not): nothing to compare
    assert reasons[0] is None
    assert got == values[0]


_ISO_LIKE = r"\A\s?[0-9]{4}-[0-9]{1,2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?\s?\Z"


@given(text=st.from_regex(_ISO_LIKE), with_time=st.booleans())
@settings(max_examples=200)
def test_parse_iso_one_property(text: str, with_time: bool) -> None:
    """Whatever the plain reading accepts, the vectorised parser reads the same."""
    test_parse_iso_one_agrees_with_the_column_parsers(text, with_time)
