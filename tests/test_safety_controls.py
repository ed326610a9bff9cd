"""Controls of the hazard log (docs/safety/hazard-log.md) not checked elsewhere.

On the demo day (four LAs, every flag kind, ground truth known): no
``plan_subject`` child is missed, no ``match`` alert is the wrong child, every
flag names the LA of its own plan, the review band stays a small share of the
flags, and a stale list is marked wherever its age is shown.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import cpflag
from cpflag import synth
from cpflag.contract import Band, FlagKind
from cpflag.report import evaluate_flags
from cpflag.report.page import night_page

#: The measured demo day gives 100% on both; the bound leaves room for one miss.
MIN_PLAN_SUBJECT_RECALL = 0.95
MIN_MATCH_PRECISION = 0.95
#: Review flags as a share of all flags (6 of 91 on the demo day).
MAX_REVIEW_SHARE = 0.2


@pytest.fixture(scope="module")
def demo() -> tuple[synth.SynthData, cpflag.FlagRun]:
    data = synth.generate(scale="demo", seed=0)
    return data, cpflag.run_flagging(data.attendances, data.plans, data.manifest)


def test_no_plan_child_of_the_demo_day_is_missed(
    demo: tuple[synth.SynthData, cpflag.FlagRun],
) -> None:
    data, run = demo
    acc = evaluate_flags(run.flags, data.truth_flags).by_kind
    row = acc.filter(pl.col("flag") == FlagKind.PLAN_SUBJECT).row(0, named=True)
    assert row["true"] > 0
    assert row["recall"] >= MIN_PLAN_SUBJECT_RECALL


def test_no_match_alert_of_the_demo_day_is_the_wrong_child(
    demo: tuple[synth.SynthData, cpflag.FlagRun],
) -> None:
    data, run = demo
    acc = evaluate_flags(run.flags, data.truth_flags).by_kind
    for row in acc.filter(pl.col("match") > 0).iter_rows(named=True):
        assert row["precision_match"] >= MIN_MATCH_PRECISION, row["flag"]


def test_every_flag_names_the_la_of_its_own_plan(
    demo: tuple[synth.SynthData, cpflag.FlagRun],
) -> None:
    data, run = demo
    plans = data.plans.select("plan_id", pl.col("la_code").alias("plans_la"))
    joined = run.flags.join(plans, on="plan_id", how="left")
    assert joined.height == run.flags.height
    assert joined["la_code"].n_unique() > 1  # several LAs, so a mix-up would show
    assert joined.filter(pl.col("la_code") != pl.col("plans_la")).height == 0
    assert joined["plans_la"].null_count() == 0


def test_the_review_band_is_a_small_share_and_each_says_what_to_check(
    demo: tuple[synth.SynthData, cpflag.FlagRun],
) -> None:
    _, run = demo
    review = run.flags.filter(pl.col("band") == Band.REVIEW)
    assert review.height / run.flags.height <= MAX_REVIEW_SHARE
    assert review["check"].null_count() == 0


def test_a_stale_list_is_marked_in_the_summary_and_on_the_page() -> None:
    data = synth.generate(scale="demo", seed=0)
    old = data.manifest.with_columns(pl.lit(dt.date(2026, 1, 1)).alias("list_date"))
    run = cpflag.run_flagging(data.attendances, data.plans, old)
    assert all(li.stale for li in run.summary.lists)
    assert "STALE" in run.summary.to_text()
    assert "STALE" in night_page(run.flags, run.summary)
