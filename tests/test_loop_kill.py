"""A night killed (SIGKILL) at any point: the loop tables are as before or as after,
and running the night again writes the same files as an uninterrupted run."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from cpflag import synth
from cpflag.history import LoopStore

pytestmark = pytest.mark.slow


def _cmd(folder: Path, store: Path, night: str, out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from cpflag.cli import main; main()",
        "-q",
        "flag",
        "--attendances",
        str(folder / f"att-{night}.csv"),
        "--plans",
        str(folder / f"plans-{night}.csv"),
        "--manifest",
        str(folder / "manifest.csv"),
        "--out",
        str(out / "flags.csv"),
        "--history",
        str(store),
        "--notifications",
        str(out / "notifications"),
    ]


def _files(out: Path) -> dict[str, pl.DataFrame]:
    found = {p.name: pl.read_csv(p) for p in sorted((out / "notifications").iterdir())}
    found["flags.csv"] = pl.read_csv(out / "flags.csv")
    return found


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill")
    data = synth.generate(scale="demo", seed=5, days=2)
    day = pl.col("arrival_time").dt.date()
    first, second = sorted(data.attendances.select(day.unique()).to_series().to_list())
    late = data.plans.filter(pl.col("plan_type") == "cpp").head(60)["plan_id"].implode()
    data.attendances.filter(day == first).write_csv(folder / "att-1.csv")
    data.attendances.filter(day == second).write_csv(folder / "att-2.csv")
    data.plans.filter(~pl.col("plan_id").is_in(late)).write_csv(folder / "plans-1.csv")
    data.plans.write_csv(folder / "plans-2.csv")
    data.manifest.write_csv(folder / "manifest.csv")
    subprocess.run(_cmd(folder, folder / "store", "1", folder / "out1"), check=True)
    shutil.copytree(folder / "store", folder / "reference")
    subprocess.run(_cmd(folder, folder / "reference", "2", folder / "ref2"), check=True)
    return folder


@pytest.mark.parametrize("delay", [0.7, 1.0, 1.3, 1.7])
def test_killed_night_reruns_to_the_same_files(nights: Path, delay: float, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(nights / "store", store)
    before = LoopStore(store).version
    proc = subprocess.Popen(_cmd(nights, store, "2", tmp_path / "out"))
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert LoopStore(store).version in (before, before + 1)
    # The night again, to completion.
    subprocess.run(_cmd(nights, store, "2", tmp_path / "again"), check=True)
    reference, again = _files(nights / "ref2"), _files(tmp_path / "again")
    assert reference.keys() == again.keys()
    for name, frame in reference.items():
        assert again[name].equals(frame), name
