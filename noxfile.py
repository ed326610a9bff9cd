"""Developer sessions: ``nox`` (tests on every Python found, lint, typecheck), ``nox -l`` lists all.

The support matrix (see ``docs/support.md``):

- ``tests-3.11``, ``tests-3.12``, ``tests-3.13``: the test suite with the newest
  release of every dependency that installs on that Python;
- ``tests_oldest-3.11``: the test suite with the oldest supported release of
  every runtime dependency (the ``>=`` minimums of ``pyproject.toml``);
- ``build``: sdist and wheel, the wheel installed into a fresh venv, then
  ``cpflag --help`` and ``cpflag demo``;
- ``docs``: the documentation site, ``mkdocs build --strict``;
- ``fuzz``: the readers' hypothesis fuzz tests with 1,000 fresh examples each.

``.ci/run`` does not use nox: CI runs the README's test command on the machine's
Python. The matrix is run from here.
"""

from __future__ import annotations

import os
import shutil
import tomllib
import zipfile
from pathlib import Path

import nox
from packaging.requirements import Requirement

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"

# Local use: a session whose Python is not installed is skipped (nox prints
# "Missing interpreters will not be treated as errors"), so `nox` runs the
# part of the matrix this machine can. Where CI is set in the environment,
# nox's own default stays: a missing interpreter fails the run, so a matrix
# that quietly ran nothing cannot pass. `--error-on-missing-interpreters` on
# the command line forces the strict behaviour locally too.
if not os.environ.get("CI"):
    nox.options.error_on_missing_interpreters = False

ROOT = Path(__file__).resolve().parent
PYTHONS = ["3.11", "3.12", "3.13"]
#: The oldest Python of the matrix: the oldest dependencies are tested on it.
OLDEST_PYTHON = PYTHONS[0]


#: Extras whose packages sit under the data path (frames read through them):
#: their minimums are tested with the runtime's. (pyarrow's newest releases
#: need NumPy 2, so an unpinned pyarrow cannot run beside the oldest NumPy.)
OLDEST_EXTRAS = ("pandas",)


def oldest_constraints() -> list[str]:
    """``name==minimum`` for each runtime dependency of pyproject.toml (and ``OLDEST_EXTRAS``).

    Every dependency must state a ``>=`` minimum: that is the version the
    project claims to support, so it is the one tested.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    lines = [*project["dependencies"], *(d for e in OLDEST_EXTRAS for d in extras.get(e, ()))]
    pins = []
    for line in lines:
        req = Requirement(line)
        lows = [s.version for s in req.specifier if s.operator == ">="]
        if len(lows) != 1:
            raise ValueError(f"dependency {line!r} needs exactly one '>=' minimum")
        pins.append(f"{req.name}=={lows[0]}")
    return pins


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite with the newest dependencies (a fresh venv each run)."""
    session.install("--upgrade", "pip")
    session.install("--upgrade", "--upgrade-strategy", "eager", ".[test]")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=[OLDEST_PYTHON])
def tests_oldest(session: nox.Session) -> None:
    """The test suite with the oldest supported release of every runtime dependency."""
    pins = oldest_constraints()
    constraints = Path(session.create_tmp()) / "oldest-constraints.txt"
    constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
    session.log("constraints: " + ", ".join(pins))
    session.install("--upgrade", "pip")
    session.install("-c", str(constraints), ".[test]")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=OLDEST_PYTHON)
def fuzz(session: nox.Session) -> None:
    """The readers' fuzz tests at length: 1,000 fresh examples each (the suite runs a few)."""
    session.install(".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_reliability_catalogue.py",
        "-k",
        "fuzz",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "explore"},
    )


@nox.session(python=OLDEST_PYTHON)
def build(session: nox.Session) -> None:
    """Build sdist and wheel, install the wheel in a fresh venv, run the CLI from it."""
    tmp = Path(session.create_tmp())
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.install("build")
    # Without --sdist/--wheel, build makes the sdist and then the wheel from it.
    session.run("python", "-m", "build", "--outdir", str(dist))
    wheels = sorted(dist.glob("cpflag-*.whl"))
    sdists = sorted(dist.glob("cpflag-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        session.error(f"expected one wheel and one sdist in {dist}, got {wheels + sdists}")
    with zipfile.ZipFile(wheels[0]) as zf:
        if "cpflag/py.typed" not in zf.namelist():
            session.error("the wheel has no cpflag/py.typed")
    venv = tmp / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    session.run(str(bindir / "python"), "-m", "pip", "install", str(wheels[0]), external=True)
    demo = tmp / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    session.run(str(bindir / "cpflag"), "--help", external=True)
    session.run(str(bindir / "cpflag"), "demo", "--out", str(demo), external=True)
    session.log(f"built {wheels[0].name} and {sdists[0].name}; demo written to {demo}")


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and format check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package."""
    session.install(".[test]", "mypy>=1.11")
    session.run("mypy", "--strict", "src/cpflag")


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """The documentation site (MkDocs, Material, mkdocstrings), built with warnings as errors."""
    session.install(".[docs]")
    site = Path(session.create_tmp()) / "site"
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site), *session.posargs)
    session.log(f"site built in {site}")


@nox.session(python="3.11")
def benchmarks(session: nox.Session) -> None:
    """pytest-benchmark timings on fixed synthetic data (not part of the tests)."""
    session.install(".[bench]")
    session.run(
        "python",
        "-m",
        "pytest",
        "benchmarks",
        "--benchmark-only",
        "--benchmark-columns=min,mean,max,rounds",
        *session.posargs,
    )


@nox.session(python="3.11")
def splink(session: nox.Session) -> None:
    """Side-by-side accuracy and time against Splink (DuckDB); optional extra."""
    session.install(".[bench,splink]")
    session.run("python", "benchmarks/compare_splink.py", *session.posargs)
