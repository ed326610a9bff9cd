"""Family links carried across a move: nights run one by one with a history store.

Usage::

    python benchmarks/carried_nights.py --setting many_moves --seeds 7,11
    python benchmarks/carried_nights.py --setting addresses_and_moves --seeds 2027 --no-carry

Generates ``--days`` days of a sweep setting (``sweep.TUNING`` or
``sweep.HELD_OUT``), flags each day as one night against a fresh history store
(so an attendance can be linked to the same person's earlier ones), and prints
per seed: sibling and carer counts against the truth (as the sweep counts
them) and the carried flags (``reasons`` "carried from ...") by band, right
and wrong. ``--no-carry`` switches the carry off to compare.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpflag
import cpflag._api as api
import sweep
from cpflag import synth
from cpflag.contract import FLAGS

KINDS = ("sibling_of_plan_subject", "carer_of_plan_subject")


def run(setting: sweep.Setting, seed: int, days: int, scale: str) -> None:
    data = synth.generate(scale=scale, days=days, seed=seed, rates=setting.rates())
    index = cpflag.build_index(data.plans, manifest=data.manifest)
    att = data.attendances.with_columns(pl.col("arrival_time").dt.date().alias("_day"))
    out = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for day in sorted(att["_day"].unique().to_list()):
            night = att.filter(pl.col("_day") == day).drop("_day")
            out.append(cpflag.run_flagging(night, index, history=Path(tmp) / "history").flags)
    seconds = time.perf_counter() - t0
    flags = pl.concat(out)
    counts, _, _ = sweep.evaluate_run(data, flags, index.config)
    print(f"== {setting.name}, seed {seed}: {days} nights in {seconds:.1f} s")
    cols = ["flag", "true", "found", "match", "match_correct", "review", "review_correct"]
    cols += ["findable", "found_findable"]
    with pl.Config(tbl_cols=20, tbl_width_chars=200):
        print(counts.filter(pl.col("flag").is_in(KINDS)).select(cols))
        truth = data.truth_flags.select("attendance_id", "plan_id", "flag").with_columns(
            right=pl.lit(True)
        )
        carried = (
            flags.filter(pl.col("reasons").str.contains("carried from"))
            .join(truth, on=["attendance_id", "plan_id", "flag"], how="left")
            .with_columns(pl.col("right").fill_null(False))
        )
        print(carried.group_by("flag", "band", "right").len().sort("flag", "band", "right"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--setting", default="many_moves")
    ap.add_argument("--seeds", default="7,11")
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--scale", default="region")
    ap.add_argument("--no-carry", action="store_true", help="switch the carry off")
    args = ap.parse_args()
    settings = {s.name: s for s in (*sweep.TUNING, *sweep.HELD_OUT)}
    if args.no_carry:
        api.carried_flags = lambda *_a, **_k: pl.DataFrame(schema=FLAGS.schema)  # type: ignore[attr-defined]
    for seed in (int(s) for s in args.seeds.split(",")):
        run(settings[args.setting], seed, args.days, args.scale)


if __name__ == "__main__":
    main()
