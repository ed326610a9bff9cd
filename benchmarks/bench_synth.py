"""Synthetic data generator benchmarks.

Run: ``python -m pytest benchmarks/bench_synth.py --benchmark-only``.
Target: 1,000,000 attendances (national scale, 50 days) in under 60 s on a
2-core machine. Figures are recorded in docs/synthetic-data.md.
"""

from __future__ import annotations

from typing import Any

from cpflag import synth


def test_generate_national_one_million_attendances(benchmark: Any) -> None:
    """National scale, 50 days: 1,000,000 attendances and ~140,000 plan rows. Target < 60 s."""
    data = benchmark.pedantic(
        synth.generate, kwargs={"scale": "national", "days": 50, "seed": 1}, rounds=1, iterations=1
    )
    assert data.attendances.height == 1_000_000
    benchmark.extra_info["attendances"] = data.attendances.height
    benchmark.extra_info["plan_rows"] = data.plans.height
    benchmark.extra_info["persons"] = data.truth_persons.height
    benchmark.extra_info["truth_flags"] = data.truth_flags.height


def test_generate_national_day(benchmark: Any) -> None:
    """National scale, one day: ~20,000 attendances against ~140,000 plan rows."""
    data = benchmark.pedantic(
        synth.generate, kwargs={"scale": "national", "seed": 1}, rounds=3, iterations=1
    )
    assert data.attendances.height == 20_000
    benchmark.extra_info["plan_rows"] = data.plans.height


def test_generate_demo_day(benchmark: Any) -> None:
    """One trust, one day: ~400 attendances, ~3,000 plan rows."""
    data = benchmark(synth.generate, scale="demo", seed=1)
    assert data.attendances.height == 400
