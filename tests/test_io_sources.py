"""Every kind of table people have goes in through the one reader, and gives the same flags.

The same rows -- synthetic demo data written as CSV -- as a pandas DataFrame, a
pyarrow Table, a polars LazyFrame and a folder of Parquet files give exactly
the flags of the CSV files, both when the frames hold the CSV's text and when
they hold typed columns (dates as dates).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

import cpflag
from cpflag import synth
from cpflag.io import read_attendances, read_manifest, read_plans

TABLES = ("attendances", "plans", "manifest")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo3")
    data = synth.generate(scale="demo", seed=3)
    synth.write(data, folder)
    synth.write(data, folder / "parquet", fmt="parquet")
    return folder


@pytest.fixture(scope="module")
def csv_flags(demo: Path) -> pl.DataFrame:
    flags = cpflag.flag(*(demo / f"{t}.csv" for t in TABLES))
    assert flags.height > 20  # the demo day has flags of several kinds to compare
    return flags


def _arrow_text(path: Path) -> pa.Table:
    """The CSV as a pyarrow Table of text columns (pyarrow would infer numbers)."""
    names = pa_csv.read_csv(path).column_names
    options = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    return pa_csv.read_csv(path, convert_options=options)


def _parquet_folder(demo: Path, table: str, parts: int = 3) -> Path:
    """The table as ``parts`` Parquet files, the last in a sub-folder, beside a _SUCCESS marker."""
    folder = demo / f"{table}_folder"
    if folder.exists():
        return folder
    frame = pl.read_parquet(demo / "parquet" / f"{table}.parquet")
    (folder / "z_last").mkdir(parents=True)
    (folder / "_SUCCESS").write_text("", encoding="utf-8")
    size = -(-frame.height // parts)
    for i in range(parts):
        where = folder / "z_last" if i == parts - 1 else folder
        frame.slice(i * size, size).write_parquet(where / f"part-{i:03}.parquet")
    return folder


#: Each kind of input, made from the written demo data (folder, table name).
KINDS: dict[str, Callable[[Path, str], object]] = {
    "pandas_text": lambda d, t: pd.read_csv(d / f"{t}.csv", dtype=str),
    "pandas_typed": lambda d, t: pd.read_parquet(d / "parquet" / f"{t}.parquet"),
    "pyarrow_text": lambda d, t: _arrow_text(d / f"{t}.csv"),
    "pyarrow_typed": lambda d, t: pl.read_parquet(d / "parquet" / f"{t}.parquet").to_arrow(),
    "lazyframe_text": lambda d, t: pl.scan_csv(d / f"{t}.csv", infer_schema=False),
    "lazyframe_typed": lambda d, t: pl.scan_parquet(d / "parquet" / f"{t}.parquet"),
    "parquet_file": lambda d, t: d / "parquet" / f"{t}.parquet",
    "parquet_folder": _parquet_folder,
    "path_as_text": lambda d, t: str(d / f"{t}.csv"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_input_gives_the_flags_of_the_csv(
    demo: Path, csv_flags: pl.DataFrame, kind: str
) -> None:
    make = KINDS[kind]
    flags = cpflag.flag(*(make(demo, t) for t in TABLES))
    assert isinstance(flags, pl.DataFrame)
    assert flags.equals(csv_flags)


@pytest.mark.parametrize("kind", ["pandas_text", "pyarrow_typed", "parquet_folder"])
def test_build_index_and_run_flagging_take_them_too(
    demo: Path, csv_flags: pl.DataFrame, kind: str
) -> None:
    make = KINDS[kind]
    index = cpflag.build_index(make(demo, "plans"), make(demo, "manifest"))
    run = cpflag.run_flagging(make(demo, "attendances"), index)
    assert run.flags.equals(csv_flags)


@pytest.mark.parametrize("kind", ["pandas_text", "pyarrow_text", "lazyframe_text"])
def test_readers_give_the_csv_tables(demo: Path, kind: str) -> None:
    make = KINDS[kind]
    att = read_attendances(make(demo, "attendances"))
    assert att.table.equals(read_attendances(demo / "attendances.csv").table)
    assert att.encoding is None
    plans = read_plans(make(demo, "plans"), manifest=make(demo, "manifest"))
    csv_plans = read_plans(demo / "plans.csv", manifest=demo / "manifest.csv")
    assert plans.table.equals(csv_plans.table)
    assert read_manifest(make(demo, "manifest")).equals(read_manifest(demo / "manifest.csv"))


def test_a_frame_is_named_by_its_type_in_messages(demo: Path) -> None:
    assert read_manifest(pd.read_csv(demo / "manifest.csv", dtype=str)).height == 4
    assert read_attendances(_arrow_text(demo / "attendances.csv")).source == "<Table>"
    lazy = pl.scan_csv(demo / "attendances.csv", infer_schema=False)
    assert read_attendances(lazy).source == "<LazyFrame>"
    assert read_attendances(lazy, label="tonight").source == "tonight"


def test_the_index_cache_skips_a_folder_and_still_flags(
    demo: Path, csv_flags: pl.DataFrame, tmp_path: Path
) -> None:
    run = cpflag.run_flagging(
        demo / "attendances.csv",
        _parquet_folder(demo, "plans"),
        demo / "manifest.csv",
        index_cache=tmp_path / "cache",
    )
    assert run.flags.equals(csv_flags)


def test_outputs_are_polars_and_to_pandas_is_the_one_liner(csv_flags: pl.DataFrame) -> None:
    frame = csv_flags.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == csv_flags.columns
    assert len(frame) == csv_flags.height


@pytest.mark.parametrize(
    "thing",
    [[{"attendance_id": "A1"}], {"attendance_id": ["A1"]}, 42, pd.Series(["A1"])],
    ids=["list", "dict", "int", "pandas_series"],
)
def test_anything_else_is_refused_naming_what_is_accepted(thing: object) -> None:
    with pytest.raises(cpflag.InputError) as err:
        read_attendances(thing)  # type: ignore[arg-type]
    text = str(err.value)
    assert f"cannot read a table from a {type(thing).__name__}" in text
    for accepted in (
        "polars DataFrame or LazyFrame",
        "pandas DataFrame",
        "pyarrow Table",
        "CSV or Parquet file path",
        "folder of Parquet files",
    ):
        assert accepted in text


def test_a_folder_without_parquet_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "attendances.csv").write_text("attendance_id,arrival_time\n", encoding="utf-8")
    with pytest.raises(cpflag.InputError, match="folder with no Parquet files"):
        read_attendances(tmp_path)


def test_parquet_files_that_do_not_fit_together_are_refused(tmp_path: Path) -> None:
    pl.DataFrame({"la_code": ["E1"], "list_date": ["2026-01-01"]}).write_parquet(
        tmp_path / "a.parquet"
    )
    pl.DataFrame({"la_code": [1], "list_date": [2]}).write_parquet(tmp_path / "b.parquet")
    with pytest.raises(cpflag.InputError, match="Parquet files of the folder"):
        read_manifest(tmp_path)


def test_hive_partition_folders_become_a_column(tmp_path: Path) -> None:
    for la, day in (("E10000028", "2026-11-19"), ("E10000034", "2026-11-02")):
        (tmp_path / f"la_code={la}").mkdir()
        pl.DataFrame({"list_date": [day]}).write_parquet(tmp_path / f"la_code={la}" / "m.parquet")
    manifest = read_manifest(tmp_path)
    assert manifest["la_code"].to_list() == ["E10000028", "E10000034"]


def test_a_conversion_error_never_quotes_a_value() -> None:
    mixed = pd.DataFrame(
        {"attendance_id": ["A1", "A2"], "arrival_time": ["2026-01-01T10:00"] * 2,
         "family_name": ["Zebedee-Quartermain", 7]}
    )  # fmt: skip
    with pytest.raises(cpflag.InputError) as err:
        read_attendances(mixed)
    assert "Zebedee" not in str(err.value)
    assert "cannot be read as a table" in str(err.value)
    assert err.value.__cause__ is None
