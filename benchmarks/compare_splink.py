"""cpflag and Splink side by side: plan_subject linkage on the same synthetic data.

Usage::

    pip install 'cpflag[splink]'     # splink + duckdb: a benchmark extra only
    python benchmarks/compare_splink.py --scale region --seed 7

Generates the data in memory with ``cpflag.synth``, then

* runs ``cpflag.run_flagging`` end to end from the in-memory frames (all flag
  kinds; its default, untrained model) and keeps ``plan_subject``;
* runs Splink 4/5 on DuckDB (``_splink_model.py``): plain clean-up, library
  comparisons, blocking of the same kind, ``u`` by random sampling, ``m`` by EM,
  ``predict`` above the review threshold; a pair is a flag when the plan is
  current on the arrival date, ``match`` at weight >= 6, ``review`` at >= -6
  (cpflag's thresholds);
* scores both against the truth with ``cpflag.report._evaluate.evaluate_flags``
  (recall counts match + review, precision is of match), and prints a side-by-
  side table, which it also writes into ``docs/splink-comparison.md`` (one
  section per scale and seed, replaced on each run; the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpflag
from _splink_model import (
    EM_RULES,
    PREDICT_RULES,
    SplinkRun,
    blocking_recall,
    run_splink,
)
from cpflag import synth
from cpflag.linkage import block
from cpflag.report._evaluate import evaluate_flags

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "splink-comparison.md"
SUBJECT_TYPES = ("cpp", "lac", "cin", "marac")
MATCH_W, REVIEW_W = 6.0, -6.0
SCALE_ORDER = {"demo": 0, "region": 1, "national": 2}
#: Traps reported side by side (truth_attendances columns).
TRAPS = (
    "nhs_missing",
    "nhs_invalid",
    "nhs_of_sibling",
    "baby_of",
    "nickname",
    "name_variant",
    "given_typo",
    "family_typo",
    "given_family_swapped",
    "hyphen_one_part",
    "alt_surname_used",
    "surname_differs_from_plan",
    "dob_swap",
    "dob_typo",
    "dob_year_off",
    "dob_missing",
    "postcode_moved",
    "postcode_pseudo",
    "twin",
)


@dataclass
class Side:
    """One tool's result on the comparison's common terms."""

    name: str
    flags: pl.DataFrame  # attendance_id, flag, plan_id, band, score
    seconds_total: float
    seconds_train: float | None
    #: cpflag: run_flagging against a prebuilt plan index; Splink: scoring with
    #: the trained model (prepare + predict + decisions).
    seconds_core: float
    #: End to end, first (cold) run in the process.
    seconds_first: float
    candidate_pairs: int
    blocking_recall: float | None
    #: cpflag: a night from the files with the plan index from an index cache.
    seconds_cached: float | None = None


def _current_pairs(
    pairs: pl.DataFrame, attendances: pl.DataFrame, plans: pl.DataFrame
) -> pl.DataFrame:
    """Scored pairs to plan_subject flags: current plans only, banded by cpflag's thresholds."""
    arrival = attendances.select("attendance_id", pl.col("arrival_time").dt.date().alias("_arr"))
    return (
        pairs.join(arrival, on="attendance_id")
        .join(plans.select("plan_id", "start_date", "end_date"), on="plan_id")
        .filter(
            (pl.col("start_date") <= pl.col("_arr"))
            & (pl.col("end_date").is_null() | (pl.col("_arr") <= pl.col("end_date")))
        )
        .select(
            "attendance_id",
            pl.lit("plan_subject").alias("flag"),
            "plan_id",
            pl.when(pl.col("match_weight") >= MATCH_W)
            .then(pl.lit("match"))
            .when(pl.col("match_weight") >= REVIEW_W)
            .then(pl.lit("review"))
            .alias("band"),
            pl.col("match_weight").alias("score"),
        )
        .filter(pl.col("band").is_not_null())
    )


def time_cpflag(data: Any, files: Path) -> tuple[pl.DataFrame, float, float, float]:
    """cpflag end to end from the in-memory frames; then with the plans indexed.

    Returns:
        The plan_subject flags, seconds for ``run_flagging`` from the frames
        (validation, plan index, all six flag kinds), seconds for
        ``run_flagging`` against a prebuilt :class:`cpflag.PlanIndex` -- the
        steady state of a nightly job or a triage service, which builds the
        index once per list update -- and seconds for a night from the files
        (``files``: attendances, plans, manifest) with the plan index loaded from
        an index cache filled by an earlier night (``index_cache``).
    """
    t = time.perf_counter()
    run = cpflag.run_flagging(data.attendances, data.plans, data.manifest)
    seconds = time.perf_counter() - t
    flags = run.flags.filter(pl.col("flag") == "plan_subject").select(
        "attendance_id", "flag", "plan_id", "band", "score"
    )
    index = cpflag.build_index(data.plans, data.manifest, warm=False)
    t = time.perf_counter()
    cpflag.run_flagging(data.attendances, index)
    core = time.perf_counter() - t
    paths = (files / "attendances.parquet", files / "plans.parquet", files / "manifest.csv")
    if not paths[0].exists():
        data.attendances.write_parquet(paths[0])
        data.plans.write_parquet(paths[1])
        data.manifest.write_csv(paths[2])
        cpflag.run_flagging(*paths, index_cache=files / "cache")  # the earlier night
    t = time.perf_counter()
    cpflag.run_flagging(*paths, index_cache=files / "cache")
    return flags, seconds, core, time.perf_counter() - t


def cpflag_with_prior(data: Any, prior: float) -> pl.DataFrame:
    """cpflag's plan_subject flags with the default model's prior replaced (untimed).

    Splink estimates the prior from the data, so it shrinks as the plan list
    grows; cpflag's default model has a fixed one. Running cpflag with Splink's
    estimate puts both on the same footing and separates the effect of the
    prior from that of the comparisons.
    """
    config = cpflag.FlagConfig(model=attrs.evolve(cpflag.default_model(), prior=prior))
    run = cpflag.run_flagging(data.attendances, data.plans, data.manifest, config=config)
    flags: pl.DataFrame = run.flags.filter(pl.col("flag") == "plan_subject").select(
        "attendance_id", "flag", "plan_id", "band", "score"
    )
    return flags


def cpflag_blocking(data: Any, truth: pl.DataFrame) -> tuple[int, float]:
    """cpflag's plan-subject candidate pairs and the share of true pairs among them."""
    index = cpflag.build_index(data.plans, data.manifest)
    att = cpflag.read_attendances(data.attendances).table
    prepared = index.linker.prepare(att)
    cands = block(prepared, index.subjects, index.config.model.blocking_rules).pairs
    left_ids = att.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("l"), "attendance_id")
    right_ids = index.subjects.select(pl.col("rec").cast(pl.UInt32).alias("r"), "prow").join(
        index.plans.select(pl.col("prow").cast(index.subjects.schema["prow"]), "plan_id"),
        on="prow",
    )
    found = (
        cands.select("l", "r")
        .join(left_ids, on="l")
        .join(right_ids.select("r", "plan_id"), on="r")
        .select("attendance_id", "plan_id")
    )
    tp = truth.select("attendance_id", "plan_id").unique()
    recall = tp.join(found, on=["attendance_id", "plan_id"], how="semi").height / max(tp.height, 1)
    return cands.height, recall


def time_splink(
    data: Any, u_max_pairs: float, seed: int
) -> tuple[pl.DataFrame, float, float, float, SplinkRun]:
    """Splink trained and predicted on the plan rows with a subject, then decisions.

    Returns:
        The plan_subject flags, seconds end to end, seconds training, seconds
        scoring with the trained model (prepare + predict + decisions), and the run.
    """
    subjects = data.plans.filter(pl.col("plan_type").is_in(SUBJECT_TYPES))
    t = time.perf_counter()
    sr = run_splink(
        data.attendances, subjects, predict_weight=REVIEW_W, u_max_pairs=u_max_pairs, seed=seed
    )
    td = time.perf_counter()
    flags = _current_pairs(sr.pairs, data.attendances, subjects)
    decide = time.perf_counter() - td
    seconds = time.perf_counter() - t
    train = sr.seconds["train_prior"] + sr.seconds["train_u"] + sr.seconds["train_m"]
    core = sr.seconds["prepare"] + sr.seconds["predict"] + decide
    return flags, seconds, train, core, sr


def _wrong_person(flags: pl.DataFrame, data: Any) -> tuple[int, int]:
    """Match-band flags on another person's plan, and how many of those are twins."""
    ta = data.truth_attendances.select("attendance_id", "person_id", "twin")
    tp = data.truth_plans.select("plan_id", pl.col("person_id").alias("_plan_person"))
    wrong = (
        flags.filter(pl.col("band") == "match")
        .join(ta, on="attendance_id")
        .join(tp, on="plan_id")
        .filter(pl.col("person_id") != pl.col("_plan_person"))
    )
    return wrong.height, int(wrong["twin"].sum() or 0)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


def summarise(side: Side, data: Any, truth: pl.DataFrame) -> dict[str, Any]:
    """Accuracy, counts and times for one side."""
    acc = evaluate_flags(
        side.flags,
        truth,
        truth_attendances=data.truth_attendances,
        kinds=["plan_subject"],
    )
    row = acc.by_kind.row(0, named=True)
    wrong, twins = _wrong_person(side.flags, data)
    traps = {r["trap"]: (r["true"], r["found"]) for r in acc.by_trap.iter_rows(named=True)}
    return {
        "true": row["true"],
        "found": row["found"],
        "recall": row["recall"],
        "match": row["match"],
        "match_correct": row["match_correct"],
        "precision_match": row["precision_match"],
        "review": row["review"],
        "review_true": row["found"] - row["match_correct"],
        "wrong_person_match": wrong,
        "twin_merges": twins,
        "candidate_pairs": side.candidate_pairs,
        "blocking_recall": side.blocking_recall,
        "seconds_total": side.seconds_total,
        "seconds_train": side.seconds_train,
        "seconds_core": side.seconds_core,
        "seconds_first": side.seconds_first,
        "seconds_cached": side.seconds_cached,
        "traps": traps,
    }


def threshold_sweep(flags: pl.DataFrame, truth: pl.DataFrame) -> list[dict[str, Any]]:
    """Recall and precision of the flags at or above each match-weight threshold."""
    tp = truth.select("attendance_id", "plan_id").unique().with_columns(pl.lit(True).alias("_t"))
    scored = flags.join(tp, on=["attendance_id", "plan_id"], how="left").with_columns(
        pl.col("_t").fill_null(False)
    )
    out = []
    for w in (-6.0, -3.0, 0.0, 3.0, 6.0, 10.0, 15.0, 20.0):
        sel = scored.filter(pl.col("score") >= w)
        correct = int(sel["_t"].sum() or 0)
        out.append(
            {
                "threshold": w,
                "flags": sel.height,
                "recall": correct / max(tp.height, 1),
                "precision": correct / sel.height if sel.height else None,
            }
        )
    return out


def _cpflag_version() -> str:
    """The installed version, else the one in pyproject.toml (running from a checkout)."""
    installed = str(getattr(cpflag, "__version__", ""))
    if installed and "unknown" not in installed:
        return installed
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def _versions() -> dict[str, str]:
    import duckdb
    import splink

    return {
        "python": platform.python_version(),
        "cpflag": _cpflag_version(),
        "polars": pl.__version__,
        "splink": splink.__version__,
        "duckdb": duckdb.__version__,
    }


def _source_ids() -> dict[str, str]:
    """Identify the code that produced a result: git commit, and digests of the
    working-tree sources of the generator and of the rest of cpflag (the tree is
    often ahead of the commit)."""
    import hashlib
    import subprocess

    src = ROOT / "src" / "cpflag"
    out: dict[str, str] = {}
    try:
        out["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        out["commit"] = "unknown"
    for name, files in (
        ("synth", sorted([*src.glob("synth/*.py"), *src.glob("data/synth_*")])),
        ("engine", sorted(p for p in src.rglob("*.py") if "synth" not in p.parts)),
    ):
        h = hashlib.sha256()
        for f in files:
            h.update(f.read_bytes())
        out[name] = h.hexdigest()[:10]
    return out


def _machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores{mem}, {platform.system()} {platform.machine()}"


def _row(res: dict[str, Any], label: str, cell: Callable[[dict[str, Any]], str]) -> str:
    sides = (res["cpflag"], res["cpflag_splink_prior"], res["splink"])
    return f"| {label} | " + " | ".join(cell(x) for x in sides) + " |"


def render_section(res: dict[str, Any]) -> str:
    """The Markdown for one run (scale + seed)."""
    c, s = res["cpflag"], res["splink"]
    lines = [
        f"### {res['scale']} scale, seed {res['seed']}",
        "",
        f"{res['attendances']:,} attendances; {res['plan_rows']:,} plan rows "
        f"({res['subject_rows']:,} with a subject: cpp/lac/cin/marac); "
        f"{c['true']:,} true `plan_subject` flags. Run {res['when']}.",
        "",
        "| | cpflag (default model) | cpflag, Splink's prior | Splink |",
        "|---|---:|---:|---:|",
        _row(
            res,
            "recall (match + review)",
            lambda x: f"{_pct(x['recall'])} ({x['found']}/{x['true']})",
        ),
        _row(
            res,
            "precision (match)",
            lambda x: f"{_pct(x['precision_match'])} ({x['match_correct']}/{x['match']})",
        ),
        _row(
            res,
            "review-band flags: true / not true",
            lambda x: f"{x['review_true']:,} / {x['review'] - x['review_true']:,}",
        ),
        _row(
            res,
            "match-band flags on the wrong person (twins)",
            lambda x: f"{x['wrong_person_match']} ({x['twin_merges']})",
        ),
        f"| candidate pairs (plan subjects) | {c['candidate_pairs']:,} | same "
        f"| {s['candidate_pairs']:,} |",
        f"| blocking recall (true pairs among candidates) | {_pct(c['blocking_recall'])} "
        f"| same | {_pct(s['blocking_recall'])} |",
        f"| wall time, end to end | {c['seconds_total']:.2f} s (all six flag kinds; "
        f"first run {c['seconds_first']:.2f} s) | same | {s['seconds_total']:.2f} s "
        f"(incl. training; first run {s['seconds_first']:.2f} s) |",
        f"| training | none (default model) | none | {s['seconds_train']:.2f} s |",
        f"| model trained, plans indexed: time per batch | {c['seconds_core']:.2f} s "
        f"(prebuilt `PlanIndex`) | same | {s['seconds_core']:.2f} s (prepare + predict) |",
        *(
            [
                f"| the same night from the files, plan index from the index cache | "
                f"{c['seconds_cached']:.2f} s (read, validate, load the index, all six "
                f"flag kinds) | same | {s['seconds_core']:.2f} s (prepare + predict, "
                f"frames in memory) |"
            ]
            if c.get("seconds_cached") is not None
            else []
        ),
        "",
        "Recall by trap (true `plan_subject` flags on attendances with the trap):",
        "",
        "| trap | true | cpflag | cpflag, Splink's prior | Splink |",
        "|---|---:|---:|---:|---:|",
    ]
    for trap in TRAPS:
        if trap in c["traps"]:
            n, fc = c["traps"][trap]
            fp = res["cpflag_splink_prior"]["traps"].get(trap, (n, 0))[1]
            fs = s["traps"].get(trap, (n, 0))[1]
            lines.append(f"| {trap} | {n} | {_pct(fc / n)} | {_pct(fp / n)} | {_pct(fs / n)} |")
    lines += [
        "",
        "Splink at other match-weight thresholds (its own weights; flags at or above):",
        "",
        "| threshold | flags | recall | precision |",
        "|---:|---:|---:|---:|",
    ]
    for r in res["splink_sweep"]:
        lines.append(
            f"| {r['threshold']:+.0f} | {r['flags']:,} | {_pct(r['recall'])} "
            f"| {_pct(r['precision'])} |"
        )
    st = res["splink_stages"]
    lines += [
        "",
        f"Splink stages: prepare {st['prepare']:.2f} s, prior {st['train_prior']:.2f} s, "
        f"u sampling {st['train_u']:.2f} s (max_pairs {res['u_max_pairs']:.0e}), "
        f"EM {st['train_m']:.2f} s, predict {st['predict']:.2f} s; estimated prior "
        f"{res['splink_prior']:.2e} (log2 {res['splink_prior_log2']:.1f}). "
        f"Data generation ({res['generate_seconds']:.1f} s) is not timed for either tool. "
        f"Times are the best of {res['repeat']} interleaved run(s); 1-minute load average "
        f"{res['load_average'][0]:.2f} before, {res['load_average'][1]:.2f} after.",
        *[f"Splink training note: {n}." for n in res.get("splink_notes", [])],
        "",
        f"Command: `{res['command']}` (commit {res['sources']['commit']}; source digests: "
        f"synth {res['sources']['synth']}, engine {res['sources']['engine']}).",
        "",
    ]
    return "\n".join(lines)


_RUN_RE = re.compile(r"<!-- run:(?P<key>[\w.-]+) -->\n(?P<body>.*?)<!-- /run:(?P=key) -->\n", re.S)


def write_doc(res: dict[str, Any], path: Path) -> None:
    """Replace this run's section in the results block of ``path`` (kept sorted)."""
    text = path.read_text() if path.exists() else _SKELETON
    start, end = "<!-- results:start -->\n", "<!-- results:end -->"
    if start not in text or end not in text:
        text = text.rstrip() + "\n\n## Results\n\n" + start + end + "\n"
    head, rest = text.split(start, 1)
    block_text, tail = rest.split(end, 1)
    runs = {m["key"]: m["body"] for m in _RUN_RE.finditer(block_text)}
    key = f"{res['scale']}-s{res['seed']}"
    runs[key] = render_section(res)

    def order(k: str) -> tuple[int, str]:
        return (SCALE_ORDER.get(k.split("-s", maxsplit=1)[0], 9), k)

    header = (
        f"Machine: {res['machine']}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in res["versions"].items())
        + ".\n\n"
    )
    body = header + "".join(
        f"<!-- run:{k} -->\n{runs[k].rstrip()}\n\n<!-- /run:{k} -->\n"
        for k in sorted(runs, key=order)
    )
    path.write_text(head + start + body + end + tail)


_SKELETON = """# cpflag and Splink side by side

Generated by `benchmarks/compare_splink.py`; the results block is rewritten on each run.

## Results

<!-- results:start -->
<!-- results:end -->
"""


def _command() -> str:
    """The command line, without output-only options (``--json PATH``, ``--doc PATH``)."""
    args, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
        elif a in ("--json", "--doc"):
            skip = True
        elif not a.startswith(("--json=", "--doc=")):
            args.append(shlex.quote(a))
    return " ".join(["python benchmarks/compare_splink.py", *args])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--scale", default="demo", choices=sorted(SCALE_ORDER, key=lambda k: SCALE_ORDER[k])
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--u-max-pairs", type=float, default=1e7)
    ap.add_argument("--doc", type=Path, default=DOC, help="Markdown file to update")
    ap.add_argument("--no-doc", action="store_true", help="print only")
    ap.add_argument("--json", type=Path, help="also write the raw results as JSON")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per tool (best reported)")
    args = ap.parse_args()

    t = time.perf_counter()
    data = synth.generate(scale=args.scale, seed=args.seed, days=args.days)
    gen_s = time.perf_counter() - t
    truth = data.truth_flags.filter(pl.col("flag") == "plan_subject")
    subjects = data.plans.filter(pl.col("plan_type").is_in(SUBJECT_TYPES))
    print(
        f"{args.scale}: {data.attendances.height:,} attendances, {data.plans.height:,} plan rows,"
        f" {truth.height:,} true plan_subject flags (generated in {gen_s:.1f} s)",
        flush=True,
    )

    load_before = os.getloadavg()[0]
    cp_times: list[tuple[float, float, float]] = []
    files = tempfile.mkdtemp(prefix="cpflag-compare-")
    sp_times: list[tuple[float, float, float]] = []
    stages: list[dict[str, float]] = []
    for i in range(args.repeat):
        # Interleaved, so that load from elsewhere hits both tools alike; the
        # best of the repeats is reported.
        cp_flags, cp_s, cp_core, cp_cached = time_cpflag(data, Path(files))
        cp_times.append((cp_s, cp_core, cp_cached))
        print(f"[{i + 1}/{args.repeat}] cpflag: {cp_s:.2f} s", flush=True)
        sp_flags, sp_s, sp_train, sp_core, sr = time_splink(data, args.u_max_pairs, args.seed)
        sp_times.append((sp_s, sp_train, sp_core))
        stages.append(sr.seconds)
        print(f"[{i + 1}/{args.repeat}] Splink: {sp_s:.2f} s", flush=True)
    load_after = os.getloadavg()[0]
    cp_pairs, cp_brecall = cpflag_blocking(data, truth)
    sp_brecall, _ = blocking_recall(data.attendances, subjects, truth)
    cp = Side(
        name="cpflag",
        flags=cp_flags,
        seconds_total=min(t[0] for t in cp_times),
        seconds_train=None,
        seconds_core=min(t[1] for t in cp_times),
        seconds_first=cp_times[0][0],
        candidate_pairs=cp_pairs,
        blocking_recall=cp_brecall,
        seconds_cached=min(t[2] for t in cp_times),
    )
    shutil.rmtree(files, ignore_errors=True)
    sp = Side(
        name="Splink",
        flags=sp_flags,
        seconds_total=min(t[0] for t in sp_times),
        seconds_train=min(t[1] for t in sp_times),
        seconds_core=min(t[2] for t in sp_times),
        seconds_first=sp_times[0][0],
        candidate_pairs=sr.candidate_pairs,
        blocking_recall=sp_brecall,
    )
    sr.seconds = {k: min(st[k] for st in stages) for k in stages[0]}
    cpp = Side(
        name="cpflag, Splink's prior",
        flags=cpflag_with_prior(data, sr.prior),
        seconds_total=cp.seconds_total,
        seconds_train=None,
        seconds_core=cp.seconds_core,
        seconds_first=cp.seconds_first,
        candidate_pairs=cp_pairs,
        blocking_recall=cp_brecall,
    )

    import math

    res: dict[str, Any] = {
        "scale": args.scale,
        "seed": args.seed,
        "days": args.days,
        "when": dt.date.today().isoformat(),
        "attendances": data.attendances.height,
        "plan_rows": data.plans.height,
        "subject_rows": subjects.height,
        "generate_seconds": gen_s,
        "cpflag": summarise(cp, data, truth),
        "cpflag_splink_prior": summarise(cpp, data, truth),
        "splink": summarise(sp, data, truth),
        "splink_stages": sr.seconds,
        "splink_prior": sr.prior,
        "splink_prior_log2": math.log2(sr.prior / (1 - sr.prior)),
        "splink_pairs_per_rule": sr.pairs_per_rule,
        "splink_notes": sr.notes,
        "splink_sweep": threshold_sweep(sp.flags, truth),
        "u_max_pairs": args.u_max_pairs,
        "repeat": args.repeat,
        "load_average": [round(load_before, 2), round(load_after, 2)],
        "em_rules": [list(r) for r in EM_RULES],
        "predict_rules": [n for n, _ in PREDICT_RULES],
        "machine": _machine(),
        "versions": _versions(),
        "sources": _source_ids(),
        "command": _command(),
    }
    print()
    print(render_section(res))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, default=str))
    if not args.no_doc:
        write_doc(res, args.doc)
        print(f"updated {args.doc}")


if __name__ == "__main__":
    main()
