"""The progress display (``cpflag.cli._progress``): on stderr, only when stderr is a
terminal, never with ``-q``; stdout (the summary) and pipes never see it.

The end-to-end cases run ``cpflag flag`` in a subprocess whose stderr is a
pseudo-terminal (``pty``), as a person at a terminal would see it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cpflag.cli import _progress, main
from tests.reliability_inputs import NAMES, flag_args, night, run

pty = pytest.importorskip("pty")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_step_draws_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Terminal()
    monkeypatch.setattr(sys, "stderr", fake)
    with _progress.step("flagging 2 attendances"):
        pass
    assert "flagging 2 attendances" in fake.getvalue()


def test_a_step_draws_nothing_on_a_pipe_or_with_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    with _progress.step("flagging"):
        pass
    assert pipe.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    ctx = click.Context(main, info_name="cpflag")
    ctx.params["quiet"] = True
    with ctx:
        assert not _progress.shows_progress(terminal)
        with _progress.step("flagging"):
            pass
    assert terminal.getvalue() == ""


def test_the_command_line_under_the_test_runner_shows_no_display(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    result = run(*flag_args(att, plans, manifest), "--out", tmp_path / "f.csv")
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output  # no terminal control sequences


def _flag_on_a_terminal(tmp_path: Path, *options: str) -> str:
    att, plans, manifest = night(tmp_path)
    args = [str(a) for a in flag_args(att, plans, manifest)]
    primary, secondary = pty.openpty()
    try:
        code = "from cpflag.cli import main; main()"
        proc = subprocess.run(
            [sys.executable, "-c", code, *options, *args, "--out", str(tmp_path / "f.csv")],
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=300,
            check=False,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(secondary)
        secondary = -1
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the pty is closed once the child is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if secondary >= 0:
            os.close(secondary)
        os.close(primary)
    assert proc.returncode == 0, proc.stdout
    assert b"\x1b[" not in proc.stdout, "the display is on stderr only"
    return b"".join(chunks).decode("utf-8", "replace")


def test_flag_at_a_terminal_shows_the_steps_on_stderr(tmp_path: Path) -> None:
    shown = _flag_on_a_terminal(tmp_path)
    assert "flagging 2 attendances" in shown
    for name in NAMES:
        assert name not in shown


def test_flag_at_a_terminal_with_quiet_shows_nothing(tmp_path: Path) -> None:
    assert _flag_on_a_terminal(tmp_path, "-q").strip() == ""
