"""In-memory tables of any dataframe library, as polars DataFrames.

One path for every library: `narwhals <https://narwhals-dev.github.io/narwhals/>`_
recognises the frame (polars DataFrame or LazyFrame, pandas, pyarrow Table,
and the other libraries it supports) and hands it over as polars; a lazy frame
is collected. pandas and pyarrow are never imported here: narwhals only looks
at libraries that are already imported, so they stay optional
(``pip install "cpflag[pandas]"``).

No message raised here quotes a value: a conversion error from pyarrow names
the value it could not convert (``Could not convert 'Smith' ...``), so it is
never passed on (``from None``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final, TypeAlias

import polars as pl

from cpflag._errors import InputError

__all__ = ["ACCEPTED", "TableSource", "native_to_polars"]

# narwhals is imported when a frame of another library is read, not with cpflag
# (it adds about 25 ms to every start, `cpflag --help` included).
if TYPE_CHECKING:
    from narwhals.typing import IntoFrame

    #: What a table argument may be (for :func:`cpflag.io.read_attendances` and the API).
    TableSource: TypeAlias = str | os.PathLike[str] | pl.DataFrame | pl.LazyFrame | IntoFrame
else:
    TableSource: TypeAlias = str | os.PathLike[str] | pl.DataFrame | pl.LazyFrame | object

#: The accepted kinds of table, in words, for error messages.
ACCEPTED: Final = (
    "a polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, "
    "a CSV or Parquet file path, or a folder of Parquet files"
)

_PYARROW_NEEDED: Final = (
    "converting this pandas DataFrame needs pyarrow (its text or nullable columns "
    "are not plain numpy columns): pip install 'cpflag[pandas]'"
)


def native_to_polars(obj: object, source: str) -> pl.DataFrame | None:
    """``obj`` as a polars DataFrame, or None when it is not a dataframe at all.

    Args:
        obj: A polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow
            Table, or another frame narwhals supports.
        source: What to call it in messages.

    Raises:
        InputError: the frame cannot be collected or converted (a pandas
            object column mixing numbers and text, pyarrow missing, ...).
    """
    if isinstance(obj, pl.DataFrame):
        return obj
    import narwhals as nw  # noqa: PLC0415 -- see the module's imports

    frame = nw.from_native(obj, pass_through=True)
    if not isinstance(frame, nw.DataFrame | nw.LazyFrame):
        return None
    try:
        if isinstance(frame, nw.LazyFrame):
            collected = frame.collect(backend="polars").to_native()
            assert isinstance(collected, pl.DataFrame)
            return collected
        return frame.to_polars()
    except ImportError:
        raise InputError(_PYARROW_NEEDED, source=source) from None
    except (pl.exceptions.PolarsError, ValueError, TypeError, OSError) as exc:
        # Never pass on the library's message: it can quote a value.
        raise InputError(
            f"the {type(obj).__name__} cannot be read as a table ({type(exc).__name__}): "
            "a column may mix numbers and text, or a lazy query may fail; "
            "give each column one type",
            source=source,
        ) from None
