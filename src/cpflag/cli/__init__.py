"""The ``cpflag`` command line: a thin shell over the library.

Each command calls one library function. Library errors (:class:`CpflagError`)
and operating-system errors (``OSError``: a full disk, a read-only folder, a
denied permission) become an ``Error: ...`` message naming the path, and exit
status 2 -- never a traceback. Status 2 is also click's for a bad option; 0 is
success (warnings, such as lists with no plan rows, go to stderr).

Before reading anything, every command that writes checks its output paths
(:func:`cpflag.io.check_output_paths`): an output that is an input, two outputs
that are one file, an unknown suffix or an unwritable folder is refused.

The commands live in ``_nightly`` (validate, flag), ``_loop`` (worklist,
outcomes, audit, calibrate), ``_report`` (report) and ``_tools`` (the rest);
importing them registers them on :func:`main`.
"""

from cpflag.cli import _loop, _nightly, _report, _tools  # noqa: F401 -- importing registers the commands
from cpflag.cli._common import EXIT_ERROR, main

__all__ = ["EXIT_ERROR", "main"]
