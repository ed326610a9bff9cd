"""Reading and validating the contract tables (``shared/spec/data-contract.md``).

CSV and Parquet files, folders of Parquet files, or in-memory frames (polars,
pandas, pyarrow: :data:`TableSource`) become contract tables
with canonical columns and dtypes, plus a table of rejects saying which values
or rows could not be used and why. See ``docs/input.md``.
"""

from cpflag.io._dates import parse_dates, parse_datetimes
from cpflag.io._errors import CombinedInputError
from cpflag.io._inputs import Inputs, read_inputs
from cpflag.io._mapping import load_mapping
from cpflag.io._native import TableSource
from cpflag.io._paths import OutputKind, OutputPathError, PathProblem, check_output_paths
from cpflag.io._readers import (
    ReadResult,
    default_as_of,
    read_attendances,
    read_manifest,
    read_plans,
    reject_arrivals_after,
)
from cpflag.io._work import REJECTS_SCHEMA, ROW_REJECTED, VALUE_DOUBTFUL, VALUE_IGNORED
from cpflag.io._write import write_table, write_text

__all__ = [
    "REJECTS_SCHEMA",
    "ROW_REJECTED",
    "VALUE_DOUBTFUL",
    "VALUE_IGNORED",
    "CombinedInputError",
    "Inputs",
    "OutputKind",
    "OutputPathError",
    "PathProblem",
    "ReadResult",
    "TableSource",
    "check_output_paths",
    "default_as_of",
    "load_mapping",
    "parse_dates",
    "parse_datetimes",
    "read_attendances",
    "read_inputs",
    "read_manifest",
    "read_plans",
    "reject_arrivals_after",
    "write_table",
    "write_text",
]
