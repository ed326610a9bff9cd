"""Flags before and after a change: save them from one commit, check them on another.

The architecture redesign (and any change that claims "behaviour preserved")
must give identical flags on the project's synthetic sets. This script
generates the demo, regional and national sets for two seeds, flags each in
batch (with repeat attendance over the batch as its own history), runs
``match_one`` on a fixed sample of each set's attendances, and either saves the
results (``save DIR``) or compares them with saved ones (``check DIR``).

Run from the project root::

    python benchmarks/flags_identity.py save /tmp/flags-before   # on the old commit
    python benchmarks/flags_identity.py check /tmp/flags-before  # on the new one

``--scales demo`` limits the sets (the national ones take a minute or two each).
Exit status 1 when any set differs; the differing rows are printed by flag kind
(ids only, never identifying values).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

import cpflag
from cpflag import synth

SEEDS = (7, 11)
SCALES = ("demo", "region", "national")
#: Attendances per set sent one at a time through ``match_one``.
TRIAGE_SAMPLE = 300


def _sets(scales: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(scale, seed) for scale in scales for seed in SEEDS]


def _run(scale: str, seed: int) -> dict[str, pl.DataFrame]:
    data = synth.generate(scale=scale, seed=seed)
    index = cpflag.build_index(data.plans, manifest=data.manifest)
    run = cpflag.run_flagging(data.attendances, index)
    sample = data.attendances.sample(
        n=min(TRIAGE_SAMPLE, data.attendances.height), seed=seed, shuffle=True
    )
    rows = [index.match_one(rec) for rec in sample.iter_rows(named=True)]
    triage = pl.concat([r for r in rows if r.height] or [run.flags.clear()])
    return {"flags": run.flags, "triage": triage}


def _key(scale: str, seed: int, part: str) -> str:
    return f"{scale}-{seed}-{part}.parquet"


def _diff(before: pl.DataFrame, after: pl.DataFrame) -> str | None:
    if before.columns != after.columns:
        return f"columns differ: {before.columns} vs {after.columns}"
    if before.equals(after):
        return None
    keys = ["attendance_id", "plan_id", "flag"]
    joined = before.join(
        after, on=keys, how="full", suffix="_after", coalesce=True, nulls_equal=True
    )
    lines = [f"rows {before.height} before, {after.height} after"]
    for kind, frame in joined.group_by("flag", maintain_order=True):
        gone = frame.filter(pl.col("band_after").is_null()).height
        new = frame.filter(pl.col("band").is_null()).height
        changed = frame.filter(
            pl.col("band").is_not_null()
            & pl.col("band_after").is_not_null()
            & (
                (pl.col("band") != pl.col("band_after"))
                | (pl.col("score") - pl.col("score_after")).abs().gt(1e-9)
            )
        ).height
        if gone or new or changed:
            lines.append(f"  {kind[0]}: {gone} gone, {new} new, {changed} band/score changed")
    if len(lines) == 1:
        lines.append("  same pairs, bands and scores; other columns or row order differ")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["save", "check"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scales", nargs="+", default=list(SCALES), choices=SCALES)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    failed = False
    for scale, seed in _sets(tuple(args.scales)):
        t0 = time.perf_counter()
        parts = _run(scale, seed)
        for part, frame in parts.items():
            path = args.folder / _key(scale, seed, part)
            if args.mode == "save":
                frame.write_parquet(path)
                continue
            problem = _diff(pl.read_parquet(path), frame)
            if problem:
                failed = True
                print(f"{scale} seed {seed} {part}: DIFFERENT\n{problem}")
            else:
                print(f"{scale} seed {seed} {part}: identical ({frame.height} rows)")
        print(f"  {scale} seed {seed}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
