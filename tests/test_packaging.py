"""Packaging: one version source, the py.typed marker in the wheel, valid classifiers.

The wheel is built from this source tree with hatchling's PEP 517 hook (the
project's build backend), into a temporary directory.
"""

from __future__ import annotations

import ast
import email.parser
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

import cpflag

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _version_file() -> Path:
    return ROOT / PYPROJECT["tool"]["hatch"]["version"]["path"]


def _declared_version() -> str:
    """``__version__`` as written in the version file (read, not imported)."""
    tree = ast.parse(_version_file().read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    raise AssertionError(f"no __version__ in {_version_file()}")


def test_version_is_single_sourced() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project, "the version is dynamic, not written in pyproject"
    assert "version" in project["dynamic"]
    assert _version_file().is_file()
    assert _version_file().is_relative_to(ROOT / "src" / "cpflag")


def test_installed_version_is_the_declared_one() -> None:
    try:
        installed = version("cpflag")
    except PackageNotFoundError:  # pragma: no cover - a bare source tree
        pytest.skip("cpflag is not installed")
    assert installed == _declared_version(), "reinstall: the metadata is older than the file"
    assert cpflag.__version__ == installed


def test_classifiers_are_known_and_state_the_tested_pythons() -> None:
    trove = pytest.importorskip("trove_classifiers")
    declared = PYPROJECT["project"]["classifiers"]
    assert set(declared) <= trove.classifiers
    assert "Typing :: Typed" in declared
    for minor in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {minor}" in declared
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    backend = pytest.importorskip("hatchling.build")
    out = tmp_path_factory.mktemp("wheel")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        name = backend.build_wheel(str(out))
    return out / name


def test_wheel_ships_the_typed_marker_and_the_declared_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        (meta_name,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    assert "cpflag/py.typed" in names
    assert "cpflag/_version.py" in names
    assert "cpflag/data/synth_las.csv" in names
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)
    assert meta["Version"] == _declared_version()
    assert "Typing :: Typed" in meta.get_all("Classifier", [])
