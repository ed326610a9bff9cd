"""Time and peak memory of a night at 1x, 2x, 4x and 8x the national day.

Run from the project root::

    python benchmarks/scale.py --factors 1 2 4 8 --repeat 2

Each factor's synthetic data (``scale="national"``, ``days=factor``: the
national list of ~140,000 plan rows against 20,000 x factor attendances) is
written to Parquet once; each run is then a fresh Python process that calls
``cpflag.run_flagging`` from the files (reading, validation, the plan index,
all six flag kinds, repeat attendance over the batch) and reports its wall
time and peak resident memory (``ru_maxrss``). A second timing runs the same
night with the plan index loaded from an index cache (``--index-cache``),
the steady state of a nightly job. The median of the repeats is printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import cpflag
folder = Path(sys.argv[1]); cache = sys.argv[2] if len(sys.argv) > 2 else None
t = time.perf_counter()
run = cpflag.run_flagging(folder / "att.parquet", folder / "plans.parquet",
                          folder / "manifest.csv", index_cache=cache)
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
print(json.dumps({"seconds": seconds, "peak_gib": rss, "flags": run.flags.height}))
"""


def _child(folder: Path, cache: Path | None = None) -> dict[str, float]:
    args = [sys.executable, "-c", CHILD, str(folder)] + ([str(cache)] if cache else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    from cpflag import synth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.factors:
            folder = Path(tmp) / f"x{factor}"
            folder.mkdir()
            t = time.perf_counter()
            data = synth.generate(scale="national", seed=args.seed, days=factor)
            data.attendances.write_parquet(folder / "att.parquet")
            data.plans.write_parquet(folder / "plans.parquet")
            data.manifest.write_csv(folder / "manifest.csv")
            n_att, n_plans = data.attendances.height, data.plans.height
            del data
            gen = time.perf_counter() - t
            cache = folder / "cache"
            _child(folder, cache)  # fills the index cache
            cold = [_child(folder) for _ in range(args.repeat)]
            warm = [_child(folder, cache) for _ in range(args.repeat)]
            row = {
                "factor": factor,
                "attendances": n_att,
                "plan_rows": n_plans,
                "seconds": statistics.median(r["seconds"] for r in cold),
                "peak_gib": statistics.median(r["peak_gib"] for r in cold),
                "cached_seconds": statistics.median(r["seconds"] for r in warm),
                "cached_peak_gib": statistics.median(r["peak_gib"] for r in warm),
                "flags": cold[0]["flags"],
                "runs": [r["seconds"] for r in cold],
                "cached_runs": [r["seconds"] for r in warm],
                "generated_seconds": round(gen, 1),
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
