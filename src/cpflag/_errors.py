"""The cpflag exception hierarchy.

Every error cpflag raises on purpose derives from :class:`CpflagError`, so an
embedding system can catch one class. Messages name files, columns, row numbers
and record ids -- never the values of identifying columns (names, dates of
birth, NHS numbers, postcodes, addresses).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ConfigError",
    "CpflagError",
    "DuplicateIdError",
    "InputError",
    "MissingColumnError",
    "ModelError",
    "ParseError",
    "StoreError",
]

#: How many offending rows an error message lists before saying "and N more".
MAX_ROWS_IN_MESSAGE = 5


def _rows_phrase(row_numbers: Sequence[int], record_ids: Sequence[str | None] = ()) -> str:
    """Describe the first few offending rows as ``row 3 (id A1), row 9 (id A7)``."""
    parts = []
    for i, row in enumerate(row_numbers[:MAX_ROWS_IN_MESSAGE]):
        rid = record_ids[i] if i < len(record_ids) else None
        parts.append(f"row {row}" + (f" (id {rid})" if rid not in (None, "") else ""))
    more = len(row_numbers) - MAX_ROWS_IN_MESSAGE
    if more > 0:
        parts.append(f"and {more} more")
    return ", ".join(parts)


class CpflagError(Exception):
    """Base class of every error cpflag raises on purpose."""


class ConfigError(CpflagError):
    """A configuration value, column mapping or option is invalid."""


class ModelError(CpflagError):
    """A linkage model spec is invalid or cannot be loaded."""


class StoreError(CpflagError):
    """The attendance history store is missing, locked or inconsistent."""


class InputError(CpflagError):
    """An input table cannot be used as a whole.

    Args:
        message: What is wrong, in words a data manager can act on.
        source: The file (or table label) the problem is in.
        column: The column concerned, when there is one.
        row_numbers: 1-based data row numbers (the header is row 0).
        record_ids: The ids of those rows, aligned with ``row_numbers``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str | None = None,
        row_numbers: Sequence[int] = (),
        record_ids: Sequence[str | None] = (),
    ) -> None:
        self.source = source
        self.column = column
        self.row_numbers = list(row_numbers)
        self.record_ids = list(record_ids)
        where = []
        if source:
            where.append(source)
        if column:
            where.append(f"column {column!r}")
        if self.row_numbers:
            where.append(_rows_phrase(self.row_numbers, self.record_ids))
        full = f"{': '.join(where)}: {message}" if where else message
        super().__init__(full)


class MissingColumnError(InputError):
    """A required column is absent (after any column mapping)."""


class ParseError(InputError):
    """A required value cannot be parsed (a date, a time, a number), or the file itself."""


class DuplicateIdError(InputError):
    """An id that must be unique appears more than once."""
