"""A 1M-record person dedupe with cpflag's generic linker and Splink, side by side in one run.

Usage::

    pip install -e '.[splink]'          # splink, duckdb, faker (the name lists)
    python benchmarks/dedupe_1m.py               # 1,000,000 records (minutes)
    python benchmarks/dedupe_1m.py --n 100000    # while developing

The data comes from ``_people_gen.py`` (seeded, its parameters documented
there; independent of ``cpflag.synth``). Each side runs in a child process of
its own, reading the table the parent generated from a parquet file, so that
its peak resident memory (``ru_maxrss``, read as soon as its timed work ends)
is its own:

* **cpflag**: ``cpflag.Linker().dedupe(records)``: the generic model and its
  default rules (``generic_blocking_rules``), u by random sampling, m and the
  prior by EM, term frequencies from the table; no option set.
* **Splink** (DuckDB): the clean-up and comparisons of ``_splink_model.py``
  (the model ``compare_splink.py`` uses) as a ``dedupe_only`` job, its tight
  prediction rules (``PREDICT_RULES``), the prior from deterministic rules
  (recall 0.9), u by random sampling (1e7 pairs) and m by EM on
  ``EM_RULES``.

Both are scored against the truth (``person_id``) over pairs at match
probability >= 0.5; blocking recall is the share of true pairs a rule's
equi-join finds (computed after the timed run, untimed).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _people_gen import generate


def true_pairs(df: pl.DataFrame) -> pl.DataFrame:
    """Row-position pairs ``l < r`` of the same person."""
    idx = df.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"), "person_id")
    return (
        idx.join(idx, on="person_id", suffix="_r")
        .filter(pl.col("i") < pl.col("i_r"))
        .select(pl.col("i").alias("l"), pl.col("i_r").alias("r"))
    )


def scores(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Pairwise precision, recall and F1 of ``predicted`` (``l``, ``r`` with l < r)."""
    predicted = predicted.unique(["l", "r"])
    tp = truth.join(predicted, on=["l", "r"], how="semi").height
    p = tp / max(predicted.height, 1)
    r = tp / max(truth.height, 1)
    f1 = 2 * p * r / max(p + r, 1e-12)
    return {"precision": p, "recall": r, "f1": f1, "fp": predicted.height - tp,
            "fn": truth.height - tp}  # fmt: skip


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_cpflag(df: pl.DataFrame) -> dict[str, Any]:
    import cpflag
    from cpflag.linkage import block

    records = df.drop("person_id")
    t = time.perf_counter()
    res = cpflag.Linker().dedupe(records, min_weight=0.0)
    seconds = time.perf_counter() - t
    peak = _peak_mib()
    pred = res.pairs.filter(pl.col("match_probability") >= 0.5).select("l", "r")
    out = {"seconds": seconds, "peak_mib": peak, "pred": pred, "candidates": res.n_candidates}
    # Untimed: recall per rule, each rule alone.
    truth = true_pairs(df)
    linker = cpflag.Linker()
    prepared = linker.prepare(records)
    per_rule: dict[str, dict[str, float]] = {}
    found = []
    for rule in linker.model.blocking_rules:
        pairs = block(prepared, prepared, [rule], dedupe=True).pairs.select("l", "r")
        hit = truth.join(pairs, on=["l", "r"], how="semi")
        found.append(hit)
        per_rule[rule.name] = {"pairs": pairs.height, "recall": hit.height / truth.height}
        del pairs
    out["per_rule"] = per_rule
    out["blocking_recall"] = pl.concat(found).unique().height / truth.height
    return out


def run_splink(df: pl.DataFrame) -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from _splink_model import (
        DETERMINISTIC_RECALL,
        DETERMINISTIC_RULES,
        EM_RULES,
        PREDICT_RULES,
        splink_frame,
    )

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = splink_frame(
        df.with_columns(pl.int_range(pl.len()).cast(pl.String).alias("rid")), "rid"
    )
    t = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=1e-6,
        comparisons=[
            cl.ExactMatch("nhs_number"),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*k) for _, k in PREDICT_RULES],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    import splink

    if int(str(splink.__version__).split(".")[0]) >= 5:
        linker = Linker(db_api.register(frame.to_arrow()), settings, log_level=None)
    else:
        linker4: Any = Linker
        linker = linker4(frame.to_arrow(), settings, db_api, set_up_basic_logging=False)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*k) for k in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=7)
    for keys in EM_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*keys))
    raw = linker.inference.predict(threshold_match_probability=0.5).as_duckdbpyrelation().pl()
    seconds = time.perf_counter() - t
    peak = _peak_mib()
    a, b = pl.col("unique_id_l").cast(pl.UInt32), pl.col("unique_id_r").cast(pl.UInt32)
    pred = raw.select(pl.min_horizontal(a, b).alias("l"), pl.max_horizontal(a, b).alias("r"))
    out = {"seconds": seconds, "peak_mib": peak, "pred": pred}
    # Untimed: pairs and recall per prediction rule on the cleaned frame.
    truth = true_pairs(df)
    keyed = frame.with_columns(pl.int_range(pl.len(), dtype=pl.UInt32).alias("i"))
    per_rule: dict[str, dict[str, float]] = {}
    found = []
    for name, keys in PREDICT_RULES:
        k = keyed.select("i", *keys).drop_nulls()
        pairs = (
            k.join(k, on=list(keys), suffix="_r")
            .filter(pl.col("i") < pl.col("i_r"))
            .select(pl.col("i").alias("l"), pl.col("i_r").alias("r"))
        )
        hit = truth.join(pairs, on=["l", "r"], how="semi")
        found.append(pairs)
        per_rule[name] = {"pairs": pairs.height, "recall": hit.height / truth.height}
    union = pl.concat(found).unique()
    out["candidates"] = union.height
    out["blocking_recall"] = truth.join(union, on=["l", "r"], how="semi").height / truth.height
    out["per_rule"] = per_rule
    return out


def _child(side: str, data: Path, queue: Any) -> None:
    try:
        # Generated by the parent: the generator's own memory is not the side's.
        df = pl.read_parquet(data)
        res = (run_cpflag if side == "cpflag" else run_splink)(df)
        res.update(scores(res.pop("pred"), true_pairs(df)))
        res["true_pairs"] = true_pairs(df).height
        queue.put(res)
    except BaseException as err:  # the parent would otherwise wait forever
        queue.put({"error": f"{type(err).__name__}: {err}"})
        raise


def measure(side: str, data: Path) -> dict[str, Any]:
    """One side in a fresh process; its figures."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(side, data, queue))
    proc.start()
    res: dict[str, Any] = queue.get()
    proc.join()
    if "error" in res:
        sys.exit(f"{side} failed: {res['error']}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="records")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "people.parquet"
        generate(args.n, args.seed).write_parquet(data)
        results = {"cpflag": measure("cpflag", data)}
        if not args.no_splink:
            results["splink"] = measure("splink", data)
    print(f"dedupe of {args.n:,} records (seed {args.seed}), "
          f"{results['cpflag']['true_pairs']:,} true pairs")  # fmt: skip
    head = f"{'':8} {'F1':>7} {'prec':>7} {'recall':>7} {'blk rec':>7} {'pairs':>12} {'s':>7}"
    print(head + f" {'MiB':>6}")
    for side, r in results.items():
        print(
            f"{side:8} {r['f1']:7.4f} {r['precision']:7.4f} {r['recall']:7.4f} "
            f"{r['blocking_recall']:7.4f} {r['candidates']:12,} {r['seconds']:7.1f} "
            f"{r['peak_mib']:6.0f}"
        )
    for side, r in results.items():
        print(f"{side} per rule (alone): pairs, blocking recall")
        for name, v in r["per_rule"].items():
            print(f"  {name:32} {v['pairs']:>12,} {v['recall']:.4f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
