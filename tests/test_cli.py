"""The command line: every command has help; library errors are clean; the jobs run."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import polars as pl
import pytest
from click.testing import CliRunner, Result

from cpflag import LinkageModel, Thresholds, default_model, default_relation_models
from cpflag.cli import main
from tests.test_golden_family import ATT, PLANS


def test_every_command_has_help() -> None:
    runner = CliRunner()
    assert main.commands, "no commands registered"
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output
        assert command.help, f"{name} has no help text"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    att, plans = tmp_path / "att.csv", tmp_path / "plans.parquet"
    ATT.write_csv(att)
    PLANS.write_parquet(plans)
    return att, plans


def test_flag_writes_contract_table_summary_and_rejects(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    att, plans = files
    out = tmp_path / "out" / "flags.csv"
    result = CliRunner().invoke(
        main,
        [
            "flag",
            "--attendances",
            str(att),
            "--plans",
            str(plans),
            "--out",
            str(out),
            "--expected-la",
            "E08000035",
            "--expected-la",
            "E09000001",
        ],
    )
    assert result.exit_code == 0, result.output
    flags = pl.read_csv(out)
    assert flags.columns == [
        "attendance_id",
        "flag",
        "plan_id",
        "la_code",
        "plan_type",
        "score",
        "band",
        "match_probability",
        "check",
        "found",
        "reasons",
        "list_age_days",
    ]
    assert "sibling_of_plan_subject" in flags["flag"].to_list()
    summary = json.loads((tmp_path / "out" / "flags.summary.json").read_text())
    assert summary["missing_las"] == ["E09000001"]
    assert summary["lists"][0]["la_code"] == "E08000035"
    assert "does not mean a child is safe" in summary["note"]
    assert (tmp_path / "out" / "flags.rejects.csv").exists()
    assert "NO LIST LOADED for: E09000001" in result.output


def test_flag_output_never_reassures(files: tuple[Path, Path], tmp_path: Path) -> None:
    att, plans = files
    result = CliRunner().invoke(
        main,
        [
            "flag",
            "--attendances",
            str(att),
            "--plans",
            str(plans),
            "--out",
            str(tmp_path / "f.parquet"),
        ],
    )
    text = result.output.lower()
    assert "not on a plan" not in text.replace("does not mean a child is safe or not on a plan", "")
    assert "no flag means only" in text


def test_bad_input_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "att.csv"
    bad.write_text("attendance_id,given_name\nA1,Zebedee\n", encoding="utf-8")
    plans = tmp_path / "plans.csv"
    PLANS.write_csv(plans)
    result = CliRunner().invoke(
        main,
        [
            "flag",
            "--attendances",
            str(bad),
            "--plans",
            str(plans),
            "--out",
            str(tmp_path / "f.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "Error:" in result.output
    assert "arrival_time" in result.output
    assert "Traceback" not in result.output
    assert "Zebedee" not in result.output


def _explain(files: tuple[Path, Path], plan_id: str) -> Result:
    att, plans = files
    args = ["explain", "--attendances", str(att), "--plans", str(plans)]
    return CliRunner().invoke(main, [*args, "--attendance-id", "H2", "--plan-id", plan_id])


def test_explain_prints_the_waterfall(files: tuple[Path, Path]) -> None:
    result = _explain(files, "F1")
    assert result.exit_code == 0, result.output
    assert "prior" in result.output
    assert "date_of_birth" in result.output
    assert "Walsh" not in result.output  # values only with --show-values


def test_explain_unknown_plan_is_a_clean_error(files: tuple[Path, Path]) -> None:
    result = _explain(files, "NOPE")
    assert result.exit_code == 2
    assert "NOPE is not in the index" in result.output


def test_model_prints_json_that_loads() -> None:
    result = CliRunner().invoke(main, ["model"])
    assert result.exit_code == 0
    assert LinkageModel.from_json(result.output) == default_model()


@pytest.mark.parametrize(
    "kind", ["sibling_of_plan_subject", "carer_of_plan_subject", "newborn_of_unborn_plan"]
)
def test_model_prints_each_relationship_model(kind: str) -> None:
    result = CliRunner().invoke(main, ["model", "--flag", kind])
    assert result.exit_code == 0
    assert LinkageModel.from_json(result.output) == default_relation_models()[kind]


def _flags_with(files: tuple[Path, Path], tmp_path: Path, *extra: str) -> Result:
    att, plans = files
    out = tmp_path / "flags.csv"
    args = ["flag", "--attendances", str(att), "--plans", str(plans), "--out", str(out), *extra]
    return CliRunner().invoke(main, args)


def test_flag_takes_a_relationship_model(files: tuple[Path, Path], tmp_path: Path) -> None:
    # A carer model that asks for more than any evidence gives: no carer flags.
    strict = attrs.evolve(
        default_relation_models()["carer_of_plan_subject"],
        thresholds=Thresholds(match=500.0, review=400.0),
    )
    path = tmp_path / "carer.json"
    strict.to_json(path)
    default = _flags_with(files, tmp_path)
    assert default.exit_code == 0, default.output
    kinds = pl.read_csv(tmp_path / "flags.csv")["flag"].to_list()
    assert "carer_of_plan_subject" in kinds
    result = _flags_with(files, tmp_path, "--relation-model", f"carer_of_plan_subject={path}")
    assert result.exit_code == 0, result.output
    kinds_strict = pl.read_csv(tmp_path / "flags.csv")["flag"].to_list()
    assert "carer_of_plan_subject" not in kinds_strict
    assert sorted(k for k in kinds if k != "carer_of_plan_subject") == sorted(kinds_strict)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("carer_of_plan_subject", "takes KIND=FILE"),
        ("plan_subject={model}", "have no relationship model"),
        ("carer_of_plan_subject={model}", "must have levels"),
    ],
)
def test_a_bad_relationship_model_is_a_clean_error(
    files: tuple[Path, Path], tmp_path: Path, spec: str, message: str
) -> None:
    # A carer model whose first comparison's levels were renamed.
    data = default_relation_models()["carer_of_plan_subject"].to_dict()
    data["comparisons"][0]["levels"][0]["label"] = "whole_name"
    model = tmp_path / "renamed.json"
    model.write_text(json.dumps(data))
    result = _flags_with(files, tmp_path, "--relation-model", spec.format(model=model))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
