"""History benchmarks: person resolution at scale and the nightly increment.

Run: ``python -m pytest benchmarks/bench_history.py --benchmark-only -s``.

Data: a national-scale synthetic year of 1,020,000 attendances (seed 5), made
once by ``cpflag.synth`` and cached under ``bench-data/history-1m/``. The first
1,000,000 by arrival are the history; the last 20,000 are the night.

* ``test_resolve_one_million_attendances``: the history resolved into persons
  and families in one call (``resolve_history``); time, peak memory (RSS high
  water mark of the process during the call, Linux) and pairwise precision,
  recall and F1 against the generator's true person ids.
* ``test_nightly_increment_against_one_million``: 20,000 attendances appended to
  a store holding the 1,000,000 (resolved against the stored persons, families
  recomputed, committed atomically) and flagged. Target < 10 s on 2 cores.
* ``test_splink_dedupe_one_million`` (runs only where ``splink`` and ``duckdb``
  are installed): Splink's de-duplication on DuckDB over the same records with
  comparable blocking rules, for the side-by-side figure.

Figures are written into ``benchmark.extra_info`` (see ``--benchmark-json``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cpflag import FlagConfig
from cpflag.history import (
    HistoryStore,
    attendance_model,
    prepare_attendances,
    repeat_counts,
    resolve,
    resolve_and_flag_repeats,
    resolve_history,
)

DATA = Path(__file__).resolve().parent.parent / "bench-data" / "history-1m"
N_HISTORY = 1_000_000
N_NIGHT = 20_000


def _data() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(history, night, truth) -- generated once and cached as Parquet."""
    att_path, truth_path = DATA / "attendances.parquet", DATA / "truth_attendances.parquet"
    if not att_path.exists():
        from cpflag import synth

        data = synth.generate(scale="national", days=365, seed=5, n_attendances=N_HISTORY + N_NIGHT)
        DATA.mkdir(parents=True, exist_ok=True)
        data.attendances.write_parquet(att_path)
        data.truth_attendances.select("attendance_id", "person_id").write_parquet(truth_path)
    att = pl.read_parquet(att_path).sort("arrival_time", "attendance_id")
    truth = pl.read_parquet(truth_path)
    return att.head(N_HISTORY), att.tail(N_NIGHT), truth


def _peak_rss_mb(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``fn``; return its result, wall seconds and the RSS high-water mark (MB)."""
    status = Path("/proc/self/status")
    clear = Path("/proc/self/clear_refs")
    if clear.exists():
        clear.write_text("5")  # reset VmHWM to the current RSS
    t0 = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - t0
    peak = 0.0
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return out, secs, peak


def _pairwise(pred: pl.DataFrame, truth: pl.DataFrame, col: str) -> dict[str, float]:
    j = pred.select("attendance_id", pl.col(col).alias("p")).join(
        truth.select("attendance_id", pl.col("person_id").alias("t")), on="attendance_id"
    )

    def pairs(*by: str) -> int:
        n = j.group_by(*by).len()["len"]
        return int((n * (n - 1) // 2).sum())

    both, p, t = pairs("p", "t"), pairs("p"), pairs("t")
    prec, rec = both / max(p, 1), both / max(t, 1)
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / max(prec + rec, 1e-12)}


def _child_rule(rows: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Child-rule precision/recall: flags from resolved persons vs from true persons.

    Both sides use the same records (arrival, site, child at arrival from the
    record), so the difference is the person resolution alone.
    """
    cfg = FlagConfig()
    base = rows.select(
        "attendance_id",
        "arrival_time",
        "arrival_date",
        "site_code",
        "is_child",
        "person_id",
        pl.lit(None, pl.String).alias("family_id"),
    )
    true_base = base.drop("person_id").join(
        truth.select("attendance_id", "person_id"), on="attendance_id", how="left"
    )
    pred = set(repeat_counts(base, cfg).filter("child_rule")["attendance_id"].to_list())
    true = set(repeat_counts(true_base, cfg).filter("child_rule")["attendance_id"].to_list())
    both = len(pred & true)
    return {
        "child_rule_precision": both / max(len(pred), 1),
        "child_rule_recall": both / max(len(true), 1),
        "child_rule_flags": float(len(pred)),
    }


@pytest.fixture(scope="module")
def data() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return _data()


def test_resolve_one_million_attendances(benchmark: Any, data: Any) -> None:
    """1,000,000 attendances into persons: time, peak memory, pairwise accuracy."""
    history, _, truth = data
    stats: dict[str, float] = {}

    def run() -> pl.DataFrame:
        rows, secs, peak = _peak_rss_mb(lambda: resolve_history(history))
        stats.update(seconds=secs, peak_rss_mb=peak)
        # The same split into preparation (normalisation) and linkage+clustering,
        # for comparison with Splink, which is given normalised fields.
        t0 = time.perf_counter()
        prepared = prepare_attendances(history)
        t1 = time.perf_counter()
        resolve(prepared, None, attendance_model())
        stats.update(prepare_seconds=t1 - t0, resolve_seconds=time.perf_counter() - t1)
        return rows  # type: ignore[no-any-return]

    rows = benchmark.pedantic(run, rounds=1, iterations=1)
    acc = _pairwise(rows, truth, "person_id")
    acc.update(_child_rule(rows, truth))
    benchmark.extra_info.update(stats)
    benchmark.extra_info.update(acc)
    benchmark.extra_info["persons"] = rows["person_id"].n_unique()
    print(f"\nresolve 1M: {stats} {acc}")
    assert acc["precision"] >= 0.99
    assert acc["recall"] >= 0.98


@pytest.fixture(scope="module")
def store_1m(data: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the 1,000,000-attendance history (built once, cached on disk)."""
    history, _, _ = data
    cached = DATA / "store"
    if not (cached / "manifest.json").exists():
        shutil.rmtree(cached, ignore_errors=True)
        HistoryStore.open(cached).append(history)
    return cached


def test_nightly_increment_against_one_million(
    benchmark: Any, data: Any, store_1m: Path, tmp_path: Path
) -> None:
    """20,000 attendances appended to a 1,000,000-attendance store and flagged (< 10 s)."""
    _, night, _ = data
    config = FlagConfig()
    work = tmp_path / "store"

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(store_1m, work)
        return (HistoryStore.open(work, create=False),), {}

    def run(st: HistoryStore) -> tuple[pl.DataFrame, pl.DataFrame]:
        return resolve_and_flag_repeats(night, store=st, config=config)

    flags, resolved = benchmark.pedantic(run, setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["flags"] = flags.height
    benchmark.extra_info["attendances_after"] = HistoryStore.open(work).n_attendances
    assert resolved["person_id"].null_count() == 0
    if benchmark.stats is not None:  # None under --benchmark-disable (a smoke run)
        assert benchmark.stats.stats.mean < 10.0


def splink_input(history: pl.DataFrame) -> pl.DataFrame:
    """The records as Splink reads them: cpflag's normalised fields, one value each.

    Splink is given the fields already normalised (names folded, NHS numbers
    validated, postcodes canonical, nickname group), so its time covers blocking,
    training, scoring and clustering only -- cpflag's figure includes preparation.
    """
    p = prepare_attendances(history)
    return p.select(
        pl.col("attendance_id").alias("unique_id"),
        "nhs",
        "mrn_key",
        "mother_nhs",
        pl.col("given_first").alias("given_name"),
        pl.col("given_groups").list.first().alias("given_group"),
        "family",
        pl.col("family_ph_parts").list.first().alias("family_ph"),
        pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
        pl.col("dob_swap").dt.strftime("%Y-%m-%d").alias("dob_swap"),
        pl.col("dob_year").cast(pl.String).alias("dob_year"),
        "sex",
        "postcode",
        "pc_district",
    )


def splink_dedupe(records: pl.DataFrame, splink: Any) -> pl.DataFrame:
    """Splink 4/5 de-duplication on DuckDB with blocking comparable to cpflag's.

    Returns:
        ``attendance_id``, ``cluster_id``.
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    rules = [
        block_on("nhs"),
        block_on("mrn_key"),
        block_on("mother_nhs"),
        block_on("dob", "postcode"),
        block_on("dob", "family_ph"),
        block_on("dob", "given_group"),
        block_on("given_group", "family_ph", "dob_year"),
        block_on("given_group", "family_ph", "pc_district"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("nhs"),
            cl.ExactMatch("mrn_key"),
            cl.ExactMatch("mother_nhs"),
            cl.NameComparison("given_name"),
            cl.NameComparison("family"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db = DuckDBAPI()
    linker = Linker(db.register(records.to_arrow()), settings)
    linker.training.estimate_probability_two_random_records_match([block_on("nhs")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nhs"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob", "postcode"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=0.95
    )
    out = pl.from_arrow(clusters.as_duckdbpyrelation().select("unique_id, cluster_id").arrow())
    assert isinstance(out, pl.DataFrame)
    return out.rename({"unique_id": "attendance_id"})


def test_splink_dedupe_one_million(benchmark: Any, data: Any) -> None:
    """Splink (DuckDB) de-duplication of the same records, comparable blocking."""
    pytest.importorskip("duckdb")
    splink = pytest.importorskip("splink")

    history, _, truth = data
    records = splink_input(history)
    stats: dict[str, float] = {}

    def run() -> pl.DataFrame:
        out, secs, peak = _peak_rss_mb(lambda: splink_dedupe(records, splink))
        stats.update(seconds=secs, peak_rss_mb=peak)
        return out  # type: ignore[no-any-return]

    clusters = benchmark.pedantic(run, rounds=1, iterations=1)
    acc = _pairwise(clusters, truth, "cluster_id")
    benchmark.extra_info.update(stats)
    benchmark.extra_info.update(acc)
    print(f"\nsplink 1M: {stats} {acc}")


def main() -> None:
    """Accuracy on a synthetic data set, from the command line.

    ``python benchmarks/bench_history.py --scale region --days 365 --n 100000 --seed 11``
    prints pairwise precision/recall of the persons and child-rule precision/recall
    (flags from resolved persons against flags from the true persons).
    """
    import argparse

    from cpflag import synth

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--scale", default="region")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    data = synth.generate(scale=args.scale, days=args.days, seed=args.seed, n_attendances=args.n)
    truth = data.truth_attendances.select("attendance_id", "person_id")
    rows, secs, peak = _peak_rss_mb(lambda: resolve_history(data.attendances))
    acc = {**_pairwise(rows, truth, "person_id"), **_child_rule(rows, truth)}
    print(
        f"{args.scale} n={args.n} days={args.days} seed={args.seed}: {secs:.1f} s, "
        f"peak {peak:.0f} MB"
    )
    for k, v in acc.items():
        print(f"  {k}: {v:.4f}" if v < 2 else f"  {k}: {v:.0f}")


if __name__ == "__main__":
    main()
