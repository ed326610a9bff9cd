"""Accuracy and resources of the nightly job on fixed synthetic data.

Usage: ``python benchmarks/accuracy.py [--scale national] [--seed 7] [--days 1]``

Generates the data set (cached in bench-data/), runs ``cpflag.run_flagging``
from the CSV files, and prints recall (match + review) and precision (match)
per flag kind, recall by trap, the twin / ended-plan / no-list checks, the wall
time and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpflag
from _evidence import (
    evidence_of_true_flags,
    namesake_ceiling,
    recall_by_evidence,
    recall_where_findable,
)
from conftest import dataset
from cpflag.report._evaluate import evaluate_flags


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="national")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=int, default=1)
    args = ap.parse_args()
    folder = dataset(
        f"{args.scale}-s{args.seed}-d{args.days}", scale=args.scale, seed=args.seed, days=args.days
    )
    t0 = time.perf_counter()
    run = cpflag.run_flagging(
        folder / "attendances.csv", folder / "plans.csv", folder / "manifest.csv"
    )
    elapsed = time.perf_counter() - t0
    truth = pl.read_csv(folder / "truth" / "truth_flags.csv", infer_schema=False)
    tatt = (
        pl.read_parquet(folder / "truth" / "truth_attendances.parquet")
        if (folder / "truth" / "truth_attendances.parquet").exists()
        else pl.read_csv(folder / "truth" / "truth_attendances.csv", try_parse_dates=True)
    )
    acc = evaluate_flags(run.flags, truth, truth_attendances=tatt)
    print(run.summary.to_text())
    print()
    print(acc.to_text())
    # Specific traps: twins, ended plans, the LA that shares no list.
    plans = cpflag.read_plans(folder / "plans.csv").table
    ps = run.flags.filter(pl.col("flag") == "plan_subject")
    tplans = pl.read_csv(folder / "truth" / "truth_plans.csv", infer_schema=False)
    wrong_person = (
        ps.filter(pl.col("band") == "match")
        .join(tatt.select("attendance_id", "person_id", "twin"), on="attendance_id")
        .join(tplans.select("plan_id", pl.col("person_id").alias("plan_person")), on="plan_id")
        .filter(pl.col("person_id") != pl.col("plan_person"))
    )
    print(
        f"\nmatch-band plan_subject flags on the wrong person: {wrong_person.height}"
        f" (twins among them: {wrong_person['twin'].sum()})"
    )
    ended = ps.join(plans.select("plan_id", "end_date"), on="plan_id").filter(
        pl.col("end_date").is_not_null()
    )
    print(f"plan_subject flags from plans with an end date (must all be current): {ended.height}")
    # What the data carries for each true relationship: recall can only be read
    # against what is findable at all (see benchmarks/_evidence.py).
    atts = cpflag.read_attendances(folder / "attendances.csv").table
    evidence = evidence_of_true_flags(truth, atts, plans)
    with pl.Config(
        tbl_rows=40, tbl_hide_dataframe_shape=True, tbl_width_chars=140, fmt_str_lengths=30
    ):
        print("\nrecall (match + review) of true relationship flags by the evidence in the data:")
        print(recall_by_evidence(run.flags, evidence))
        print("\nrecall over all true flags and over the findable ones (identifier, LA family,")
        print("household or a named person in the family's LA area; not a namesake far away,")
        print("not a surname alone, not nothing):")
        print(recall_where_findable(run.flags, evidence))
        print("\nevery attendee-plan pair that shares a surname in the plan LA's area, or a named")
        print("parent's full name anywhere, by evidence class: how many are truly related")
        print("(share_true bounds the precision of flagging the whole class; model-free):")
        print(namesake_ceiling(truth, atts, plans))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwall time {elapsed:.2f} s; peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
