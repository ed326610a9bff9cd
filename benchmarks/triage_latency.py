"""Triage latency of ``PlanIndex.match_one``, printed: first call, p50, p99, p99.9, max.

Run from the project root (2 cores, 24 GiB: see docs/performance.md)::

    python benchmarks/triage_latency.py --scale national --calls 5000

Records are the synthetic day's attendances, sent as typed values and again as
a JSON or FHIR message carries them (ISO text dates and times).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import cpflag
from cpflag import synth


def _iso(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()}


def _quantiles(times: list[float]) -> str:
    times = sorted(times)
    q = {p: 1000 * times[min(len(times) - 1, int(len(times) * p))] for p in (0.5, 0.99, 0.999)}
    return (
        f"p50 {q[0.5]:.2f} ms, p99 {q[0.99]:.2f} ms, p99.9 {q[0.999]:.2f} ms, "
        f"max {1000 * times[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["demo", "region", "national"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5000)
    args = parser.parse_args()
    data = synth.generate(scale=args.scale, seed=args.seed)
    t0 = time.perf_counter()
    index = cpflag.build_index(data.plans, data.manifest)
    print(f"index built in {time.perf_counter() - t0:.2f} s ({data.plans.height} plan rows)")
    records = data.attendances.head(args.calls).to_dicts()
    t0 = time.perf_counter()
    index.match_one(records[0])
    print(f"first call after build: {time.perf_counter() - t0:.2f} s")
    for label, batch in (("typed values", records), ("ISO strings", [_iso(r) for r in records])):
        times = []
        for rec in batch:
            t0 = time.perf_counter()
            index.match_one(rec)
            times.append(time.perf_counter() - t0)
        print(f"{label}: {len(times)} calls: {_quantiles(times)}")


if __name__ == "__main__":
    main()
