"""A progress display on stderr for the long steps of a command.

:func:`step` wraps one step (reading, flagging, generating a national day,
training): while it runs, stderr shows a spinner, the step and the time
elapsed. Only when stderr is a terminal, ``-q`` was not given and rich (the
``progress`` extra) is installed; otherwise it does nothing, so logs, pipes,
cron mail and the tests see only the plain stage lines. The display names the
step, never a value of the data.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO

from cpflag.cli._common import quiet

__all__ = ["shows_progress", "step"]


def shows_progress(stream: TextIO | None = None) -> bool:
    """True when a progress display would be drawn on ``stream`` (default: stderr).

    Args:
        stream: The stream to draw on.

    Returns:
        Whether the stream is a terminal, ``-q`` was not given and rich is installed.
    """
    target = sys.stderr if stream is None else stream
    if quiet() or not target.isatty():
        return False
    try:
        import rich  # noqa: F401 -- optional, and slow to import
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def step(message: str) -> Iterator[None]:
    """Show ``message`` with a spinner and the elapsed time on stderr while the block runs.

    Args:
        message: What the step does (``"flagging 41,000 attendances"``); no data values.

    Yields:
        Nothing; the display is removed when the block ends (or raises).
    """
    if not shows_progress():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        bar.add_task(message, total=None)
        yield
