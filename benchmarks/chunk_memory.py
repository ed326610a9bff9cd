"""Peak memory of batch matching, chunked and not (issue 17, failure 2). Not a test.

Generates a national synthetic list and batches of N attendances (written to
Parquet in a temporary folder), then, for each (N, chunk size), matches the
batch in a fresh process and reports its RSS once the index is built (the
floor every run pays), the peak RSS while matching (``/proc/self/statm``
sampled every 10 ms by a thread; Linux), the growth above the floor, and the
time.

Run from the project root::

    python benchmarks/chunk_memory.py                       # N = 20k, 60k; chunk 10k vs whole
    python benchmarks/chunk_memory.py --sizes 20000 100000 --chunks 10000 0

A chunk size of 0 means the whole batch at once (the behaviour before chunking).
``--full`` runs ``cpflag.run_flagging`` (repeat attendance over the batch too)
instead of ``PlanIndex.run``. Batches over 200,000 attendances are made of
pieces generated with successive seeds (see ``PIECE``): their attendances
beyond the first piece belong to other synthetic populations than the list,
so they raise fewer flags, but they are blocked and scored as any.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, os, sys, threading, time
import polars as pl
import cpflag

plans, att_path, chunk, full = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20
att = pl.read_parquet(att_path)
index = cpflag.build_index(plans)
floor = rss_mb()
peak = [floor]
done = threading.Event()
def sample():  # the peak while matching, sampled every 10 ms
    while not done.wait(0.01):
        peak[0] = max(peak[0], rss_mb())
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
chunk = chunk or att.height
t0 = time.perf_counter()
if full:
    as_of = att["arrival_time"].max().date()
    run = cpflag.run_flagging(att, index, as_of=as_of, chunk_size=chunk)
    n_flags, pairs = run.flags.height, run.summary.candidate_pairs
else:
    res = index.run(att, chunk_size=chunk)
    n_flags, pairs = res.flags.height, res.candidate_pairs
seconds = time.perf_counter() - t0
done.set()
sampler.join()
print(json.dumps({"floor_mb": floor, "peak_mb": max(peak[0], rss_mb()), "seconds": seconds,
                  "flags": n_flags, "pairs": pairs}))
"""


#: Attendances generated at once: the generator's own memory grows faster than
#: linearly (1M national attendances in one call exceeds 22 GB), so larger
#: batches are made of pieces from successive seeds (ids prefixed by piece).
PIECE = 200_000


def _generate(folder: Path, sizes: list[int], seed: int) -> tuple[Path, dict[int, Path]]:
    import polars as pl

    from cpflag import synth

    biggest = max(sizes)
    plans = folder / "plans.parquet"
    pieces = []
    for i, start in enumerate(range(0, biggest, PIECE)):
        n = min(PIECE, biggest - start)
        data = synth.generate(scale="national", seed=seed + i, n_attendances=n)
        if i == 0:
            data.plans.write_parquet(plans)
        path = folder / f"piece-{i}.parquet"
        data.attendances.with_columns(
            (pl.lit(f"p{i}-") + pl.col("attendance_id")).alias("attendance_id")
        ).write_parquet(path)
        pieces.append(path)
        del data
    batches = {}
    for n in sizes:
        path = folder / f"att-{n}.parquet"
        pl.scan_parquet(pieces).head(n).sink_parquet(path)
        batches[n] = path
    return plans, batches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 60_000])
    parser.add_argument("--chunks", type=int, nargs="+", default=[10_000, 0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        plans, batches = _generate(Path(tmp), args.sizes, args.seed)
        print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)
        print(
            f"{'attendances':>11} {'chunk':>8} {'floor MB':>9} {'peak MB':>8} "
            f"{'growth MB':>9} {'seconds':>8} {'pairs':>10} {'flags':>7}"
        )
        for n in args.sizes:
            for chunk in args.chunks:
                proc = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        CHILD,
                        str(plans),
                        str(batches[n]),
                        str(chunk),
                        "1" if args.full else "0",
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    print(f"{n:>11} {chunk or 'whole':>8} failed: {proc.stderr[-400:]}")
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                print(
                    f"{n:>11} {chunk or 'whole':>8} {r['floor_mb']:>9.0f} {r['peak_mb']:>8.0f} "
                    f"{r['peak_mb'] - r['floor_mb']:>9.0f} {r['seconds']:>8.1f} "
                    f"{r['pairs']:>10} {r['flags']:>7}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
