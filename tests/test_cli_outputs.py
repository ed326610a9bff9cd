"""Issue 17, failure 1: outputs never destroy inputs or each other.

Every output path is resolved and checked against every input and every other
output -- and its suffix and folder -- before anything is read; a refused run
exits 2 naming the option and the path, and leaves every file as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from tests.reliability_inputs import NAMES, flag_args, night, run, snapshot, write


def _refused(result_output: str, exit_code: int, *needles: str) -> None:
    assert exit_code == 2, result_output
    assert "Error:" in result_output
    assert "Traceback" not in result_output
    # Refused before any reading: no progress stage was printed.
    assert "reading" not in result_output
    for needle in needles:
        assert needle in result_output, (needle, result_output)
    for name in NAMES:
        assert name not in result_output


@pytest.mark.parametrize(
    ("case", "outputs", "needles"),
    [
        ("out_is_attendances", {"--out": "attendances.csv"}, ["--out", "--attendances"]),
        (
            "out_plans_rejects_manifest",
            {"--out": "plans.csv", "--rejects": "manifest.csv"},
            ["--out", "--plans", "--rejects", "--manifest"],
        ),
        (
            "summary_is_an_input",
            {"--out": "f.csv", "--summary": "attendances.csv"},
            ["--summary", "--attendances"],
        ),
        (
            "rejects_is_out",
            {"--out": "f.csv", "--rejects": "f.csv"},
            ["--rejects", "two outputs would overwrite each other"],
        ),
        (
            "summary_is_rejects_by_another_spelling",
            {"--out": "f.csv", "--rejects": "r.json", "--summary": "sub/../r.json"},
            ["--summary", "--rejects"],
        ),
    ],
)
def test_flag_refuses_outputs_that_are_inputs_or_each_other(
    tmp_path: Path, case: str, outputs: dict[str, str], needles: list[str]
) -> None:
    att, plans, man = night(tmp_path)
    (tmp_path / "sub").mkdir()
    before = snapshot(tmp_path)
    args = [a for opt, name in outputs.items() for a in (opt, tmp_path / name)]
    result = run(*flag_args(att, plans, man), *args)
    _refused(result.output, result.exit_code, *needles)
    assert snapshot(tmp_path) == before, case


def test_the_default_rejects_beside_out_is_checked_too(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    # --out f.csv writes its rejects to f.rejects.csv by default: here, the attendances.
    inputs = att.rename(tmp_path / "f.rejects.csv")
    before = snapshot(tmp_path)
    result = run(*flag_args(inputs, plans), "--out", tmp_path / "f.csv")
    _refused(result.output, result.exit_code, "--rejects (default, beside --out)")
    assert snapshot(tmp_path) == before


def test_a_relative_path_or_a_symlink_to_an_input_is_the_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    (tmp_path / "link.csv").symlink_to(att)
    before = snapshot(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run(*flag_args(att, plans), "--out", "./attendances.csv")
    _refused(result.output, result.exit_code, "--out attendances.csv", "--attendances")
    result = run(*flag_args(att, plans), "--out", "link.csv")
    _refused(result.output, result.exit_code, "--out link.csv", "--attendances")
    assert snapshot(tmp_path) == before


def test_a_hard_link_to_an_input_is_the_input(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    os.link(att, tmp_path / "hard.csv")
    result = run(*flag_args(att, plans), "--out", tmp_path / "hard.csv")
    _refused(result.output, result.exit_code, "--out", "same file as --attendances")


def test_an_index_cache_on_the_data_folder_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    att, plans, man = night(data)
    before = snapshot(tmp_path)
    result = run(*flag_args(att, plans, man), "--out", tmp_path / "f.csv", "--index-cache", data)
    _refused(result.output, result.exit_code, "--index-cache", "holds --attendances")
    assert snapshot(tmp_path) == before


def test_an_index_cache_in_a_folder_of_other_files_is_refused(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    other = tmp_path / "documents"
    other.mkdir()
    write(other, "letter.txt", "keep me")
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--index-cache", other)
    _refused(result.output, result.exit_code, "--index-cache", "is not an index cache")
    assert (other / "letter.txt").read_text() == "keep me"


def test_an_output_inside_the_history_store_is_refused(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    store = tmp_path / "store"
    assert (
        run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--history", store).exit_code == 0
    )
    before = snapshot(store)
    result = run(*flag_args(att, plans), "--out", store / "manifest.json.csv", "--history", store)
    _refused(result.output, result.exit_code, "--history", "holds --out")
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("option", "name", "needle"),
    [
        ("--out", "flags.xlsx", "cannot tell the format from the suffix '.xlsx'"),
        ("--rejects", "rejects", "suffix '(none)'"),
        ("--summary", "summary.csv", "this output is JSON: use .json"),
    ],
)
def test_an_unsupported_suffix_is_refused_before_reading(
    tmp_path: Path, option: str, name: str, needle: str
) -> None:
    att, plans, _ = night(tmp_path)
    out = ["--out", tmp_path / "f.csv"] if option != "--out" else []
    result = run(*flag_args(att, plans), *out, option, tmp_path / name)
    _refused(result.output, result.exit_code, option, needle)
    assert not (tmp_path / name).exists()


def test_an_output_folder_that_is_a_file_is_refused_before_reading(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    write(tmp_path, "notafolder", "x")
    result = run(*flag_args(att, plans), "--out", tmp_path / "notafolder" / "f.csv")
    _refused(result.output, result.exit_code, "--out", "is a file")


def test_an_unwritable_output_folder_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    locked = tmp_path / "readonly"
    locked.mkdir()
    real_access = os.access
    # Tests run as root, for whom chmod does not bite: the check is told instead.
    monkeypatch.setattr(
        "cpflag.io._paths.os.access",
        lambda p, mode: not (mode & os.W_OK and Path(p) == locked) and real_access(p, mode),
    )
    result = run(
        *flag_args(att, plans), "--out", tmp_path / "f.csv", "--summary", locked / "s.json"
    )
    _refused(result.output, result.exit_code, "--summary", f"the folder {locked} is not writable")


def test_an_output_that_is_a_pipe_is_refused(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = run(*flag_args(att, plans), "--out", fifo)
    _refused(result.output, result.exit_code, "--out", "is not a regular file")
    assert fifo.is_fifo()


def test_a_missing_summary_folder_is_created_not_a_traceback(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    summary = tmp_path / "new" / "deeper" / "s.json"
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv", "--summary", summary)
    assert result.exit_code == 0, result.output
    assert json.loads(summary.read_text())["attendances"] == 2


def test_several_path_problems_are_reported_at_once(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    result = run(
        *flag_args(att, plans), "--out", att, "--rejects", tmp_path / "r.xlsx", "--summary", plans
    )
    _refused(
        result.output,
        result.exit_code,
        "problems with the output paths",
        "--out",
        "--rejects",
        "--summary",
    )


def test_validate_refuses_rejects_over_an_input(tmp_path: Path) -> None:
    att, plans, man = night(tmp_path)
    before = snapshot(tmp_path)
    result = run(
        "validate", "--attendances", att, "--plans", plans, "--manifest", man, "--rejects", man
    )
    _refused(result.output, result.exit_code, "--rejects", "--manifest")
    assert snapshot(tmp_path) == before


def test_train_refuses_to_write_its_model_over_an_input(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    before = snapshot(tmp_path)
    result = run("train", "--attendances", att, "--plans", plans, "--out", att)
    _refused(result.output, result.exit_code, "--out", "--attendances")
    assert snapshot(tmp_path) == before


def test_chronology_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    att, _, _ = night(tmp_path)
    before = snapshot(tmp_path)
    result = run("chronology", "--attendances", att, "--attendance-id", "A1", "--out", att)
    _refused(result.output, result.exit_code, "--out", "--attendances")
    assert snapshot(tmp_path) == before


def test_model_out_needs_a_json_suffix(tmp_path: Path) -> None:
    result = run("model", "--out", tmp_path / "model.txt")
    _refused(result.output, result.exit_code, "--out", "use .json")
    assert run("model", "--out", tmp_path / "model.json").exit_code == 0


def test_the_summary_is_written_to_a_temporary_file_and_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        replaced.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    result = run(*flag_args(att, plans), "--out", tmp_path / "f.csv")
    assert result.exit_code == 0, result.output
    targets = {dst for _, dst in replaced}
    assert {"f.csv", "f.rejects.csv", "f.summary.json"} <= targets
    assert all(src.endswith(".tmp") and src.startswith(f".{dst}.") for src, dst in replaced)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_a_failed_write_leaves_the_earlier_output_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    att, plans, _ = night(tmp_path)
    out = tmp_path / "f.csv"
    assert run(*flag_args(att, plans), "--out", out).exit_code == 0
    before = snapshot(tmp_path)

    real_write_csv = pl.DataFrame.write_csv

    def write_csv(df: pl.DataFrame, file: object = None, **kw: object) -> object:
        real_write_csv(df.head(0), file, **kw)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", write_csv)
    result = run(*flag_args(att, plans), "--out", out)
    assert result.exit_code == 2, result.output
    assert f"{out}: cannot write the table (OSError: No space left on device)" in result.output
    assert snapshot(tmp_path) == before
