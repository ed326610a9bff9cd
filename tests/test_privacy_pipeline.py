"""No identifying value reaches a log line, a warning, a reason or the run summary."""

from __future__ import annotations

import json
import logging
import warnings

import polars as pl
import pytest

import cpflag
from cpflag.contract import IDENTIFYING_COLUMNS
from tests.test_golden_family import ATT, PLANS


def _identifying_values() -> set[str]:
    values: set[str] = set()
    for frame in (ATT, PLANS):
        for col in IDENTIFYING_COLUMNS & set(frame.columns):
            for v in frame[col].drop_nulls().cast(pl.String).to_list():
                # Short fragments ("Leo") and newborn placeholders ("Baby") also
                # occur in ordinary words; they identify nobody.
                if len(v) >= 4 and v.lower() not in {"baby"}:
                    values.add(v)
                    values.add(v.lower())
                    values.add(v.upper())
    return values


def test_flagging_leaks_no_identifying_values(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cpflag")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = cpflag.run_flagging(ATT, PLANS, config=cpflag.FlagConfig(expected_la_codes=("E1",)))
    texts = [r.getMessage() for r in caplog.records]
    texts += [str(w.message) for w in caught]
    texts += run.flags["reasons"].to_list()
    texts.append(run.summary.to_text())
    texts.append(json.dumps(run.summary.to_dict(), default=str))
    texts += run.rejects["reason"].to_list()
    assert run.flags.height > 0
    for value in _identifying_values():
        for text in texts:
            assert value not in text, "an identifying value leaked"


def test_input_error_names_rows_not_values() -> None:
    dup = pl.concat([ATT.head(2), ATT.head(1)])
    with pytest.raises(cpflag.DuplicateIdError) as info:
        cpflag.flag(dup, PLANS)
    message = str(info.value)
    assert "attendance_id" in message
    for value in _identifying_values():
        assert value not in message
