"""Kill -9 trials: a night killed at random times is the old night or the new one.

Usage: ``python benchmarks/kill_trials.py [--trials 30] [--seed 0] [--nights 3] [--json FILE]``

``cpflag synth`` demo data over ``--nights`` days are split into one
attendance file per night. Nights 1 .. k-1 are run cleanly (the *pre-night*
state of night k); night k run cleanly from it gives the *reference* state.
Each trial picks a night k >= 2 (seeded), starts ``cpflag flag ... --history
... --notifications ...`` for it in a subprocess from the pre-night state,
sends SIGKILL after a random delay (seeded; half the trials uniform over a
clean run's duration, half over the window in which a clean probe run's night
record existed -- where the files are staged, committed and renamed, a few
tens of milliseconds), and then:

1. names the phase the kill landed in, from what is on disk: ``before
   staging`` (no night record, the old outputs), ``staging`` (record in
   ``staging``), ``applying`` (record ``committed``: after the commit point)
   or ``finished`` (the run had completed);
2. settles the night as the next run does (``cpflag.history.recover_night``)
   and checks the invariant: the store and every output are, byte for byte,
   either the pre-night state or the reference state (the summary compared
   without its timing and its ``recovery`` note) -- anything else, a mix of
   the two included, is a *disagreement*;
3. runs the night again to completion and checks that its outputs are
   byte-identical to the reference run's (a *re-run disagreement* if not).

It prints the counts: trials, kills per phase, recoveries (rolled back,
rolled forward), disagreements (must be 0).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl

from cpflag import synth
from cpflag.history import recover_night

#: Files of a store that are not its state: locks and live readers' registrations.
NOT_STATE = (".lock", "readers")


def command(data: Path, folder: Path, night: int) -> list[str]:
    """``cpflag flag`` for one night, run by this Python."""
    return [
        sys.executable,
        "-c",
        "from cpflag.cli import main; main()",
        "-q",
        "flag",
        *("--attendances", str(data / f"att-{night}.csv")),
        *("--plans", str(data / "plans.csv")),
        *("--manifest", str(data / "manifest.csv")),
        *("--out", str(folder / "out" / "flags.csv")),
        *("--history", str(folder / "store")),
        *("--notifications", str(folder / "out" / "notifications")),
        *("--as-of", str(data / f"as-of-{night}.txt")),
    ]


def fix_as_of(cmd: list[str]) -> list[str]:
    """Replace the as-of placeholder by the night's date (read from its file)."""
    i = cmd.index("--as-of") + 1
    cmd[i] = Path(cmd[i]).read_text().strip()
    return cmd


def state(folder: Path) -> dict[str, bytes]:
    """Store and outputs byte for byte (the summary without timing and recovery note)."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p in NOT_STATE for p in rel.parts):
            continue
        if rel.parts[0] not in ("store", "out"):
            continue
        data = path.read_bytes()
        if path.name.endswith(".summary.json"):
            d = json.loads(data)
            d.pop("seconds", None)
            d.pop("recovery", None)
            data = json.dumps(d, sort_keys=True).encode()
        files[str(rel)] = data
    return files


def outputs(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k.startswith("out")}


def prepare(work: Path, nights: int, seed: int) -> tuple[Path, dict[int, Path], dict[int, Path]]:
    """The nights' files; for each night k >= 2 its pre-night and reference folders."""
    data = work / "data"
    data.mkdir()
    gen = synth.generate(scale="demo", seed=seed, days=nights)
    day = pl.col("arrival_time").dt.date()
    days = sorted(gen.attendances.select(day.unique()).to_series().to_list())
    for k, d in enumerate(days, 1):
        gen.attendances.filter(day == d).write_csv(data / f"att-{k}.csv")
        (data / f"as-of-{k}.txt").write_text(f"{d}\n")
    gen.plans.write_csv(data / "plans.csv")
    gen.manifest.write_csv(data / "manifest.csv")
    clean = work / "clean"
    pre: dict[int, Path] = {}
    ref: dict[int, Path] = {}
    for k in range(1, len(days) + 1):
        if k >= 2:
            pre[k] = work / f"pre-{k}"
            shutil.copytree(clean, pre[k])
        subprocess.run(fix_as_of(command(data, clean, k)), check=True, capture_output=True)
        if k >= 2:
            ref[k] = work / f"ref-{k}"
            shutil.copytree(clean, ref[k])
    return data, pre, ref


def probe(work: Path, data: Path, pre: Path) -> tuple[float, tuple[float, float]]:
    """A clean run of night 2: its duration, and when its night record came and went."""
    folder = work / "probe"
    shutil.copytree(pre, folder)
    record = folder / "store" / "night.json"
    start = time.perf_counter()
    proc = subprocess.Popen(
        fix_as_of(command(data, folder, 2)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen: list[float] = []
    while proc.poll() is None:
        if record.exists():
            seen.append(time.perf_counter() - start)
        time.sleep(0.0005)
    duration = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("the probe night failed")
    return duration, (seen[0], seen[-1]) if seen else (0.7 * duration, duration)


def phase_of(folder: Path, pre_state: dict[str, bytes], finished: bool) -> str:
    if finished:
        return "finished"
    record = folder / "store" / "night.json"
    if record.exists():
        st = json.loads(record.read_text())["state"]
        return "applying (after the commit point)" if st == "committed" else "staging"
    return "before staging" if outputs(state(folder)) == outputs(pre_state) else "applied"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nights", type=int, default=3)
    ap.add_argument("--json", type=Path, help="Write the figures here too.")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="cpflag-kill-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        data, pre, ref = prepare(work, args.nights, args.seed + 5)
        pre_states = {k: state(p) for k, p in pre.items()}
        ref_states = {k: state(p) for k, p in ref.items()}
        duration, window = probe(work, data, pre[2])
        phases: Counter[str] = Counter()
        recoveries: Counter[str] = Counter()
        disagreements = rerun_disagreements = 0
        for trial in range(args.trials):
            k = rng.randint(2, args.nights)
            folder = work / f"trial-{trial}"
            shutil.copytree(pre[k], folder)
            # Half the kills anywhere in the run, half in the window where the
            # night stages, commits and applies its files (a few tens of ms).
            if rng.random() < 0.5:
                delay = rng.uniform(0.0, duration * 1.02)
            else:
                delay = rng.uniform(window[0] - 0.02, window[1] + 0.02)
            proc = subprocess.Popen(
                fix_as_of(command(data, folder, k)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            finished = proc.poll() is not None
            if not finished:
                proc.send_signal(signal.SIGKILL)
            proc.wait()
            phases[phase_of(folder, pre_states[k], finished)] += 1
            recoveries[recover_night(folder / "store").action] += 1
            now = state(folder)
            if now not in (pre_states[k], ref_states[k]):
                disagreements += 1
                diff = sorted(
                    n for n in set(now) | set(ref_states[k]) if now.get(n) != ref_states[k].get(n)
                )
                print(f"trial {trial}: DISAGREEMENT (night {k}, delay {delay:.2f}s): {diff[:5]}")
            subprocess.run(fix_as_of(command(data, folder, k)), check=True, capture_output=True)
            if outputs(state(folder)) != outputs(ref_states[k]):
                rerun_disagreements += 1
                print(f"trial {trial}: RE-RUN DIFFERS (night {k}, delay {delay:.2f}s)")
            shutil.rmtree(folder)
        figures = {
            "trials": args.trials,
            "seed": args.seed,
            "nights": args.nights,
            "clean_night_seconds": round(duration, 2),
            "staging_window_seconds": [round(window[0], 3), round(window[1], 3)],
            "kills_by_phase": dict(sorted(phases.items())),
            "recovery": dict(sorted(recoveries.items())),
            "disagreements": disagreements,
            "rerun_disagreements": rerun_disagreements,
            "wall_seconds": round(time.perf_counter() - t0, 1),
        }
    print(json.dumps(figures, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if disagreements == 0 and rerun_disagreements == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
