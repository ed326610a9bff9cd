"""Triage latency of ``PlanIndex.match_one``, printed: first call, p50, p99, p99.9, max, pauses.

Run from the project root (2 cores, 24 GiB: see docs/performance.md)::

    python benchmarks/triage_latency.py --scale national --calls 20000
    python benchmarks/triage_latency.py --scale national --calls 20000 --no-freeze-gc

Records are the synthetic day's attendances, sent as typed values and again as
a JSON or FHIR message carries them (ISO text dates and times). ``build_index``
compiles the triage path (``warm``); the first call after it is timed, and
``--cold`` times the compile on the first call instead. Besides the
quantiles, each run counts the calls over 20 ms ("pauses") and times every
garbage-collector pass (``gc.callbacks``): the longest, and the full passes
(generation 2). ``warm`` freezes the collector's objects by default
(``freeze_gc=True``); ``--no-freeze-gc`` warms with ``freeze_gc=False``.
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

import cpflag
from cpflag import synth

PAUSE = 0.020


class GcTimer:
    """Durations of the collector's passes, by generation."""

    def __init__(self) -> None:
        self.passes: list[tuple[int, float]] = []
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.passes.append((info["generation"], time.perf_counter() - self._t0))

    def summary(self) -> str:
        full = [d for g, d in self.passes if g == 2]
        longest = max((d for _, d in self.passes), default=0.0)
        full_max = f", longest {1000 * max(full):.1f} ms" if full else ""
        return (
            f"gc: {len(self.passes)} passes, longest {1000 * longest:.1f} ms; "
            f"{len(full)} full{full_max}"
        )


def _iso(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in record.items()}


def _quantiles(times: list[float]) -> str:
    times = sorted(times)
    q = {p: 1000 * times[min(len(times) - 1, int(len(times) * p))] for p in (0.5, 0.99, 0.999)}
    pauses = sum(t > PAUSE for t in times)
    return (
        f"p50 {q[0.5]:.2f} ms, p99 {q[0.99]:.2f} ms, p99.9 {q[0.999]:.2f} ms, "
        f"max {1000 * times[-1]:.1f} ms, {pauses} calls over {1000 * PAUSE:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national", choices=["demo", "region", "national"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--cold", action="store_true", help="build without warming")
    parser.add_argument(
        "--no-freeze-gc", action="store_true", help="warm(freeze_gc=False): the collector as it is"
    )
    args = parser.parse_args()
    data = synth.generate(scale=args.scale, seed=args.seed)
    records = data.attendances.head(args.calls).to_dicts()
    batches = (("typed values", records), ("ISO strings", [_iso(r) for r in records]))
    t0 = time.perf_counter()
    index = cpflag.build_index(data.plans, data.manifest, warm=False)
    t1 = time.perf_counter()
    if not args.cold:
        index.warm(freeze_gc=not args.no_freeze_gc)
    t2 = time.perf_counter()
    print(
        f"index built in {t1 - t0:.2f} s, triage path compiled in {t2 - t1:.2f} s "
        f"({data.plans.height} plan rows)"
    )
    t0 = time.perf_counter()
    index.match_one(records[0])
    print(f"first call after build: {1000 * (time.perf_counter() - t0):.1f} ms")
    for label, batch in batches:
        timer = GcTimer()
        gc.callbacks.append(timer)
        times = []
        for rec in batch:
            t0 = time.perf_counter()
            index.match_one(rec)
            times.append(time.perf_counter() - t0)
        gc.callbacks.remove(timer)
        print(f"{label}: {len(times)} calls: {_quantiles(times)}; {timer.summary()}")


if __name__ == "__main__":
    main()
