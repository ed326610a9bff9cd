"""Fixed synthetic data sets for the benchmarks, generated once and cached on disk.

Each is written by ``cpflag.synth`` with a fixed seed into ``bench-data/``
(git-ignored), so every benchmark run measures the same records.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cpflag import synth

DATA = Path(__file__).resolve().parent.parent / "bench-data"


def dataset(name: str, **kwargs: object) -> Path:
    """Folder with attendances/plans/manifest CSVs (and truth/) for a fixed spec."""
    out = DATA / name
    if not (out / "attendances.csv").exists():
        data = synth.generate(**kwargs)  # type: ignore[arg-type]
        synth.write(data, out, fmt="csv")
    return out


@pytest.fixture(scope="session")
def national_day() -> Path:
    """~20,000 attendances against ~140,000 plan rows (seed 7)."""
    return dataset("national-day", scale="national", seed=7)


@pytest.fixture(scope="session")
def demo_day() -> Path:
    """One trust-sized day (seed 7)."""
    return dataset("demo-day", scale="demo", seed=7)
