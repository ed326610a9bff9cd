"""The table being validated, and the rejects recorded against it.

Also the one place that decides which record ids may be quoted in a message.
"""

from __future__ import annotations

import re
from typing import Final

import attrs
import polars as pl

from cpflag.contract import TableSpec
from cpflag.io._source import ROW

__all__ = [
    "DROP",
    "REJECTS_SCHEMA",
    "ROW_REJECTED",
    "VALUE_DOUBTFUL",
    "VALUE_IGNORED",
    "Work",
    "code",
    "empty_rejects",
    "printable_id",
    "reason_col",
]

VALUE_IGNORED: Final = "value_ignored"
#: The value is kept but looks wrong (a date of birth after the arrival).
VALUE_DOUBTFUL: Final = "value_doubtful"
ROW_REJECTED: Final = "row_rejected"

#: Name of the working column that marks rows rejected as a whole.
DROP: Final = "__drop"

REJECTS_SCHEMA: Final = {
    "source": pl.String(),
    "row_number": pl.UInt32(),
    "record_id": pl.String(),
    "column": pl.String(),
    "reason": pl.String(),
    "action": pl.String(),
}


#: What a record id must look like to be quoted in an error message: a short
#: token with a digit in it. A garbled file (wrong delimiter, shifted or
#: mislabelled columns) can put names, dates of birth, NHS numbers or
#: postcodes -- or a whole line -- into the id column; values that look like
#: those are left out of messages (the row number is still given).
_PRINTABLE_ID = re.compile(r"(?=.*\d)[\w\-/.:#]{1,40}")
_LOOKS_IDENTIFYING = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"  # a date
    r"|\d{3}[- ]?\d{3}[- ]?\d{4}"  # an NHS number
    r"|[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}",  # a postcode
)


def printable_id(value: str | None) -> str | None:
    """``value`` if it is safe to quote as a record id in a message, else None."""
    if value is None or not _PRINTABLE_ID.fullmatch(value):
        return None
    if _LOOKS_IDENTIFYING.fullmatch(value):
        return None
    return value


def empty_rejects() -> pl.DataFrame:
    """A rejects table with no rows."""
    return pl.DataFrame(schema=REJECTS_SCHEMA)


def reason_col(name: str) -> str:
    """The working column holding why a date in ``name`` could not be read."""
    return f"__reason_{name}"


def code(expr: pl.Expr) -> pl.Expr:
    """Lower case, spaces and hyphens as underscores: how coded values are compared."""
    return expr.str.to_lowercase().str.strip_chars().str.replace_all(r"[\s\-]+", "_")


@attrs.define
class Work:
    """The table being built, its rejects, and what is needed to describe them."""

    df: pl.DataFrame
    spec: TableSpec
    source: str
    rejects: list[pl.DataFrame] = attrs.field(factory=list)

    @property
    def id_col(self) -> str:
        assert self.spec.id_column is not None
        return self.spec.id_column

    def reject(self, mask: pl.Expr, column: str | None, reason: pl.Expr | str, action: str) -> int:
        """Record a reject for every row where ``mask`` holds; return how many."""
        reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
        # Lazy, so only the columns the mask and the reject need are filtered.
        part = (
            self.df.lazy()
            .filter(mask.fill_null(False))
            .select(
                pl.col(ROW).alias("row_number"),
                pl.col(self.id_col).alias("record_id"),
                pl.lit(column, pl.String).alias("column"),
                reason_expr.cast(pl.String).alias("reason"),
                pl.lit(action).alias("action"),
            )
            .collect()
        )
        if part.height:
            self.rejects.append(part)
        return part.height

    def rows_and_ids(
        self, mask: pl.Expr, *, ids: bool = True
    ) -> tuple[list[int], list[str | None]]:
        """Row numbers where ``mask`` holds, and their quotable ids (see printable_id)."""
        sel = self.df.filter(mask.fill_null(False)).sort(ROW)
        rows = sel.get_column(ROW).to_list()
        found = sel.get_column(self.id_col).to_list() if ids else []
        return rows, [self.quotable(v) for v in found]

    def quotable(self, value: str | None) -> str | None:
        """An id as it may appear in a message (la_codes identify no one)."""
        return value if self.spec.name == "manifest" else printable_id(value)
