"""Developer sessions: ``nox -s tests lint typecheck benchmarks``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.default_venv_backend = "venv"


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Run the test suite (the same command as the README and CI)."""
    session.install(".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


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
