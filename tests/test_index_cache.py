"""The on-disk plan index cache: same flags, rebuilt on any change, never trusted broken."""

from __future__ import annotations

import logging
from pathlib import Path

import attrs
import polars as pl
import pytest
from click.testing import CliRunner

import cpflag
from cpflag import synth
from cpflag.cli import main
from cpflag.engine._index import PlanIndex


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("day")
    synth.write(synth.generate(scale="demo", seed=3), folder, fmt="csv")
    return folder


class _BuildSpy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.builds = 0
        original = PlanIndex.build.__func__  # type: ignore[attr-defined]

        def build(cls: type[PlanIndex], *args: object, **kwargs: object) -> PlanIndex:
            self.builds += 1
            return original(cls, *args, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(PlanIndex, "build", classmethod(build))


def _run(day: Path, cache: Path | None, **kw: object) -> cpflag.FlagRun:
    return cpflag.run_flagging(
        day / "attendances.csv",
        day / "plans.csv",
        day / "manifest.csv",
        index_cache=cache,
        **kw,  # type: ignore[arg-type]
    )


def test_cached_index_gives_the_same_flags_rejects_and_summary(
    day: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _run(day, None)
    spy = _BuildSpy(monkeypatch)
    first = _run(day, tmp_path / "cache")
    second = _run(day, tmp_path / "cache")
    assert spy.builds == 1  # the second run loaded the index
    for run in (first, second):
        assert run.flags.equals(plain.flags)
        assert run.rejects.equals(plain.rejects)
        assert run.summary.lists == plain.summary.lists
        assert run.summary.rejects == plain.summary.rejects


def test_changed_lists_or_settings_rebuild_the_index(
    day: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _run(day, cache)
    spy = _BuildSpy(monkeypatch)
    changed = tmp_path / "plans.csv"
    plans = pl.read_csv(day / "plans.csv", infer_schema=False)
    plans.head(plans.height - 1).write_csv(changed)
    run = cpflag.run_flagging(
        day / "attendances.csv", changed, day / "manifest.csv", index_cache=cache
    )
    assert spy.builds == 1
    assert run.summary.lists  # the new lists were used
    _run(day, cache, config=cpflag.FlagConfig(stale_after_days=7))
    assert spy.builds == 2
    carer = cpflag.default_relation_models()["carer_of_plan_subject"]
    lowered = attrs.evolve(carer, thresholds=cpflag.Thresholds(match=6.0, review=-2.0))
    config = cpflag.FlagConfig(relation_models={"carer_of_plan_subject": lowered})
    _run(day, cache, config=config)
    assert spy.builds == 3


def test_an_unreadable_cache_is_rebuilt_with_a_warning_not_trusted(
    day: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    plain = _run(day, cache)
    (cache / "t1.arrow").write_bytes(b"not arrow")
    spy = _BuildSpy(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="cpflag"):
        again = _run(day, cache)
    assert spy.builds == 1
    assert again.flags.equals(plain.flags)
    assert any("unreadable" in r.getMessage() for r in caplog.records)
    # And the rebuilt cache is good again.
    assert _run(day, cache).flags.equals(plain.flags)
    assert spy.builds == 1


def test_cli_flag_with_index_cache(day: Path, tmp_path: Path) -> None:
    args = [
        "flag",
        "--attendances",
        str(day / "attendances.csv"),
        "--plans",
        str(day / "plans.csv"),
        "--manifest",
        str(day / "manifest.csv"),
        "--index-cache",
        str(tmp_path / "cache"),
    ]
    for name in ("a.csv", "b.csv"):
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / "meta.json").exists()
    a, b = (pl.read_csv(tmp_path / n) for n in ("a.csv", "b.csv"))
    assert a.equals(b)
