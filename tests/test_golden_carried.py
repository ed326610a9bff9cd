"""Golden cases: a family link carried across a move (issue 13, class 10).

Mia Carter lives with her half-brother Leo Stone (plan F1) at 12 Oak Road; at
her first attendance she is flagged his sibling by the shared home. The family
then moves: at her next attendance, from an address the list does not know,
only the history store still knows her -- its same-person link to the first
record carries the relationship, composed with the link's probability.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag.contract import FLAGS
from cpflag.linkage import Thresholds
from cpflag.rules._carried import CARRIED_CHECK, carry
from tests.helpers import attendances, nhs
from tests.test_golden_family import PLANS

D = dt.date
MIA = {
    "given_name": "Mia",
    "family_name": "Carter",
    "date_of_birth": D(2019, 5, 5),
    "sex": "F",
    "nhs_number": nhs("943476591"),
}


def _night(tmp: Path, att: pl.DataFrame) -> pl.DataFrame:
    run = cpflag.run_flagging(att, PLANS, history=tmp / "history")
    return run.flags.filter(pl.col("flag") == "sibling_of_plan_subject")


def _first(tmp: Path) -> pl.DataFrame:
    att = attendances(
        [
            {
                "attendance_id": "N1",
                "arrival_time": dt.datetime(2026, 11, 20, 10),
                "postcode": "LS9 8AB",
                "address": "12 Oak Road",
                **MIA,
            }
        ]
    )
    return _night(tmp, att)


def _moved(**kw: object) -> pl.DataFrame:
    row = {
        "attendance_id": "N2",
        "arrival_time": dt.datetime(2026, 11, 25, 10),
        "postcode": "BD5 7QQ",
        "address": "4 Canal Street",
        **MIA,
    }
    return attendances([{**row, **kw}])


def test_the_sibling_link_is_carried_to_the_attendance_after_the_move(tmp_path: Path) -> None:
    first = _first(tmp_path)
    assert first.filter(pl.col("plan_id") == "F1").height == 1
    carried = _night(tmp_path, _moved()).filter(pl.col("plan_id") == "F1")
    assert carried["attendance_id"].to_list() == ["N2"]
    assert carried["found"].to_list() == ["arrival"]
    reasons = carried["reasons"][0]
    assert "carried from the same person's attendance of 2026-11-20" in reasons
    # Composed: no surer than the earlier flag.
    assert (
        carried["match_probability"][0]
        <= first.filter(pl.col("plan_id") == "F1")["match_probability"][0] + 1e-12
    )
    if carried["band"][0] == "review":
        assert carried["check"][0] == CARRIED_CHECK


def test_without_the_history_store_nothing_is_carried(tmp_path: Path) -> None:
    _first(tmp_path)
    alone = cpflag.run_flagging(_moved(), PLANS).flags
    assert alone.filter(
        (pl.col("flag") == "sibling_of_plan_subject") & (pl.col("plan_id") == "F1")
    ).is_empty()


def test_a_different_child_at_the_new_address_inherits_nothing(tmp_path: Path) -> None:
    # Another child (another NHS number, name and date of birth): no same-person
    # link to the first record, so no family link to carry.
    _first(tmp_path)
    other = _moved(
        given_name="Ruby",
        family_name="Hale",
        date_of_birth=D(2016, 1, 9),
        nhs_number=nhs("401023213"),
    )
    flags = _night(tmp_path, other)
    assert flags.filter(pl.col("plan_id") == "F1").is_empty()


def _earlier(p: float, key: str = "k1", plan: str = "F1") -> pl.DataFrame:
    row = dict.fromkeys(FLAGS.names) | {
        "attendance_id": key,
        "flag": "sibling_of_plan_subject",
        "plan_id": plan,
        "band": "match",
        "match_probability": p,
        "found": "arrival",
        "reasons": "same household",
    }
    return pl.DataFrame([row], schema=FLAGS.schema)


def _links(weight: float, key: str = "k1") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "key": [key],
            "attendance_id": ["N2"],
            "link_weight": [weight],
            "earlier_date": [D(2026, 11, 20)],
        }
    )


def test_carry_composes_the_link_with_the_relationship() -> None:
    th = {"sibling_of_plan_subject": Thresholds(match=6.0, review=0.0)}
    none = pl.DataFrame(schema=FLAGS.schema)
    # A sure link keeps an alert an alert.
    sure = carry(_earlier(0.999), _links(40.0), none, th)
    assert sure["band"].to_list() == ["match"]
    # A link of 2 bits (p 0.8) times 0.99: 0.79, a review with its check.
    doubtful = carry(_earlier(0.99), _links(2.0), none, th)
    assert doubtful["band"].to_list() == ["review"]
    assert doubtful["match_probability"][0] == pytest.approx(0.8 * 0.99)
    assert doubtful["check"].to_list() == [CARRIED_CHECK]
    # 0.8 x 0.55 is below even odds: nothing is carried.
    assert carry(_earlier(0.55), _links(2.0), none, th).is_empty()
    # A review held there by a guard stays a review, however sure the numbers.
    held = _earlier(0.9998).with_columns(pl.lit("review").alias("band"))
    assert carry(held, _links(40.0), none, th)["band"].to_list() == ["review"]
    # A pair tonight's own record flags already is left as it is.
    own = _earlier(0.9).with_columns(pl.lit("N2").alias("attendance_id"))
    assert carry(_earlier(0.999), _links(40.0), own, th).is_empty()
