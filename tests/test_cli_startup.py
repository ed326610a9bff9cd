"""``cpflag --help`` starts without the pipeline: no polars, no numpy.

Checked in a fresh interpreter (``sys.modules`` of a subprocess), not by
timing, so the test does not depend on the machine's load. The public names of
``cpflag`` are loaded on first use (PEP 562) and must all still resolve.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import cpflag

HEAVY = ("polars", "numpy", "rapidfuzz", "narwhals", "altair")


def _loaded_after(code: str) -> set[str]:
    probe = f"""
import sys
{code}
print("loaded:" + ",".join(m for m in {HEAVY!r} if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("loaded:"), out
    return {m for m in last.removeprefix("loaded:").split(",") if m}


HELP = """
from cpflag.cli import main
try:
    main({args!r})
except SystemExit as exc:
    assert exc.code == 0, exc.code
"""


@pytest.mark.parametrize(
    "args",
    [["--help"], ["flag", "--help"], ["explain", "--help"], ["report", "--help"], ["--version"]],
    ids=" ".join,
)
def test_help_does_not_import_the_pipeline(args: list[str]) -> None:
    assert _loaded_after(HELP.format(args=args)) == set()


def test_import_cpflag_is_light_and_names_load_on_use() -> None:
    assert _loaded_after("import cpflag") == set()
    assert "polars" in _loaded_after("import cpflag\ncpflag.flag")


def test_every_public_name_resolves() -> None:
    for name in cpflag.__all__:
        assert getattr(cpflag, name) is not None, name
    assert set(cpflag.__all__) <= set(dir(cpflag))
    assert cpflag.io.read_plans is cpflag.read_plans


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = cpflag.no_such_name  # type: ignore[attr-defined]
