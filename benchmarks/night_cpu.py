"""CPU seconds of one national night's matching, with the index built (median of runs).

``process_time`` counts the CPU of every thread, so on a shared machine it is a
steadier measure of the work than wall time. Compare two commits by running
this from each checkout (e.g. a ``git worktree`` of the older one with
``PYTHONPATH=<worktree>/src``), alternately, a few times each.

Usage: ``python benchmarks/night_cpu.py [--scale national] [--seed 7] [--runs 5]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import cpflag
from cpflag import synth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="national", choices=sorted(synth.SCALES))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    data = synth.generate(scale=args.scale, seed=args.seed)
    index = cpflag.build_index(data.plans, manifest=data.manifest, warm=False)
    index.run(data.attendances)  # first run: caches warm
    times = []
    for _ in range(args.runs):
        t0 = time.process_time()
        index.run(data.attendances)
        times.append(time.process_time() - t0)
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"{args.scale} night, CPU s per run: median {statistics.median(times):.2f} ({shown})")


if __name__ == "__main__":
    main()
