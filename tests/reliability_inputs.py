"""Small synthetic night files for the reliability tests (issue 17); no test logic here."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from cpflag.cli import main

#: Made-up identifying values: a test checks none of them appears in a message.
NAMES = ("Zebedee", "Quuxworth", "Xanthippe", "Vorpalsson", "Ottoline", "Brackenbury")

ATTENDANCES = (
    "attendance_id,arrival_time,given_name,family_name,date_of_birth,sex,postcode\n"
    "A1,2026-11-25 10:00,Zebedee,Quuxworth,2018-03-04,M,LS9 8AB\n"
    "A2,2026-11-25 11:00,Xanthippe,Vorpalsson,2016-07-08,F,LS9 8AB\n"
)
PLANS = (
    "plan_id,la_code,plan_type,start_date,given_name,family_name,date_of_birth,sex,postcode\n"
    "P1,E08000035,cpp,2025-01-01,Zebedee,Quuxworth,2018-03-04,M,LS9 8AB\n"
    "P2,E08000035,lac,2025-01-01,Ottoline,Brackenbury,2012-01-02,F,LS1 4AP\n"
)
MANIFEST = "la_code,list_date\nE08000035,2026-11-20\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def night(folder: Path) -> tuple[Path, Path, Path]:
    """A good night: attendances, plans and manifest CSVs in ``folder``."""
    return (
        write(folder, "attendances.csv", ATTENDANCES),
        write(folder, "plans.csv", PLANS),
        write(folder, "manifest.csv", MANIFEST),
    )


def run(*args: str | Path) -> Result:
    """``cpflag ARGS`` in-process; stdout and stderr both in ``result.output``."""
    return CliRunner().invoke(main, [str(a) for a in args])


def flag_args(att: Path, plans: Path, manifest: Path | None = None) -> list[str | Path]:
    args: list[str | Path] = ["flag", "--attendances", att, "--plans", plans]
    return [*args, "--manifest", manifest] if manifest is not None else args


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


#: What an injected full disk says.
ENOSPC = "No space left on device"


def assert_clean_error(result: Result, *needles: str) -> None:
    """One ``Error:`` line holding every needle, exit 2, no traceback, no test name."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], (needle, result.output)
    for name in NAMES:
        assert name not in result.output
