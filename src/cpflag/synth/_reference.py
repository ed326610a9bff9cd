"""Reference tables of the generator, read once from ``cpflag/data/synth_*.csv``.

The name lists carry weights (rough frequencies) so that common names are
common: Smith is far more frequent than Postlethwaite, Muhammad is the most
frequent boy's name among Pakistani and Bangladeshi families. Each table is
read with an explicit schema and cached.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "GROUPS",
    "ReferenceTable",
    "given_names",
    "las",
    "nicknames",
    "streets",
    "surnames",
]

#: Name groups (family naming conventions), in code order. The index of a group
#: in this tuple is its integer code throughout the generator.
GROUPS: Final = (
    "british",
    "caribbean",
    "south_asian_muslim",
    "sikh",
    "hindu",
    "polish",
    "romanian",
    "black_african",
    "somali",
    "chinese",
)
GROUP_CODE: Final = {g: i for i, g in enumerate(GROUPS)}


def _read(name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    source = resources.files("cpflag") / "data" / name
    with resources.as_file(source) as path:
        return pl.read_csv(path, schema=schema, encoding="utf8")


@functools.cache
def las() -> pl.DataFrame:
    """The 153 English LAs with region, child population, postcode area, diversity."""
    return _read(
        "synth_las.csv",
        {
            "la_code": pl.String(),
            "la_name": pl.String(),
            "region": pl.String(),
            "children_k": pl.Float64(),
            "postcode_area": pl.String(),
            "district_min": pl.Int64(),
            "district_max": pl.Int64(),
            "minority": pl.Float64(),
        },
    )


@functools.cache
def surnames() -> pl.DataFrame:
    """Surnames with group and weight (``muslim_mother`` holds Begum, Bibi ...)."""
    return _read(
        "synth_surnames.csv",
        {"surname": pl.String(), "group": pl.String(), "weight": pl.Float64()},
    )


@functools.cache
def given_names() -> pl.DataFrame:
    """Given names by group, sex (M/F), cohort (child/adult), with weights."""
    return _read(
        "synth_given_names.csv",
        {
            "given_name": pl.String(),
            "sex": pl.String(),
            "group": pl.String(),
            "cohort": pl.String(),
            "weight": pl.Float64(),
        },
    )


@functools.cache
def nicknames() -> pl.DataFrame:
    """Registered name -> alias (kind ``nickname`` or ``variant``), with weights."""
    return _read(
        "synth_nicknames.csv",
        {
            "formal": pl.String(),
            "alias": pl.String(),
            "kind": pl.String(),
            "weight": pl.Float64(),
        },
    )


@functools.cache
def streets() -> pl.DataFrame:
    """Street name parts (kind ``street``, ``type``, ``block``) with weights."""
    return _read(
        "synth_streets.csv",
        {"part": pl.String(), "kind": pl.String(), "weight": pl.Float64()},
    )


class ReferenceTable:
    """Weighted values split into cells, sampled vectorised across cells.

    The cumulative weights of the b-th cell are stored as ``b + (0, 1]`` in one
    increasing array, so a single ``searchsorted`` draws for every cell at once.

    Args:
        values: The values (e.g. names), one per row.
        cells: The cell code of each value (e.g. group * 4 + sex * 2 + cohort).
        weights: The weight of each value within its cell.
    """

    def __init__(
        self,
        values: pl.Series,
        cells: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float64],
    ) -> None:
        order = np.argsort(cells, kind="stable")
        self.values = values.gather(order)
        sorted_cells = cells[order]
        self._cells, block = np.unique(sorted_cells, return_inverse=True)
        w = pl.DataFrame({"b": block, "w": weights[order]})
        within = w.select(pl.col("w").cum_sum().over("b") / pl.col("w").sum().over("b"))
        self._cum = block.astype(np.float64) + within.to_series().to_numpy()

    def has(self, cell: int) -> bool:
        """Whether the table has values for ``cell``."""
        i = int(np.searchsorted(self._cells, cell))
        return i < self._cells.size and int(self._cells[i]) == cell

    def sample(
        self, rng: np.random.Generator, cells: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Row indices into :attr:`values`, one weighted draw per requested cell.

        Args:
            rng: The generator's random source.
            cells: The cell to draw from, per draw; every cell must exist.

        Returns:
            Indices into :attr:`values`.

        Raises:
            KeyError: A requested cell has no values.
        """
        block = np.searchsorted(self._cells, cells)
        bad = (block >= self._cells.size) | (
            self._cells[np.minimum(block, self._cells.size - 1)] != cells
        )
        if bad.any():
            raise KeyError(f"no values for cell {int(cells[np.argmax(bad)])}")
        # Strictly inside (block, block + 1]: never lands in the previous cell.
        target = block + 1e-9 + rng.random(cells.shape[0]) * (1 - 2e-9)
        out: npt.NDArray[np.int64] = np.minimum(
            np.searchsorted(self._cum, target, side="left"), self._cum.size - 1
        )
        return out
