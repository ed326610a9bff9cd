"""Reading a run's inputs together, so that every file's problems are reported at once.

A night with a bad attendances file and a bad plans file should need one fix
round, not two: :func:`read_inputs` reads every input it is given, keeps going
when one cannot be used, and raises one :class:`CombinedInputError` listing the
problems of each file, grouped by file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs
import polars as pl

from cpflag._errors import InputError
from cpflag.io._checks import UNREADABLE_LIMIT
from cpflag.io._errors import gather_input_errors
from cpflag.io._mapping import MappingLike
from cpflag.io._readers import ReadResult, read_attendances, read_manifest, read_plans
from cpflag.io._source import Source

__all__ = ["Inputs", "read_inputs"]

T = TypeVar("T")


def _attempt(errors: list[InputError], read: Callable[[], T]) -> T | None:
    try:
        return read()
    except InputError as exc:
        errors.append(exc)
        return None


@attrs.frozen(eq=False)
class Inputs:
    """The inputs of a run, each read and validated (None: not given or not read).

    Attributes:
        attendances: The attendances.
        plans: The plans, with the manifest's list dates applied.
        manifest: The per-LA list dates.
    """

    attendances: ReadResult | None
    plans: ReadResult | None
    manifest: pl.DataFrame | None


def read_inputs(
    *,
    attendances: Source | None = None,
    plans: Source | None = None,
    manifest: Source | None = None,
    mapping: MappingLike = None,
    defer_plans: bool = False,
    unreadable_limit: float | None = UNREADABLE_LIMIT,
) -> Inputs:
    """Read and validate every input given; report every file's problems together.

    Each input is read even when an earlier one cannot be used, so that one
    error names every problem of every file (:class:`CombinedInputError`). With a
    single problem the error is raised as it is (a ``MissingColumnError``,
    ``ParseError``, ...).

    Args:
        attendances: Attendances (a path or a DataFrame), or None.
        plans: Plans, or None.
        manifest: Per-LA list dates, or None. Applied to the plans.
        mapping: Column mapping for attendances and plans (see
            :func:`read_attendances`).
        defer_plans: Read the plans only when another input has failed (to
            report their problems too); otherwise leave ``Inputs.plans`` None
            for the caller to read -- a run with an index cache reads them
            only when the cache is out of date.
        unreadable_limit: The share of an optional date column that may be
            unreadable before the column is an error (see
            :func:`read_attendances`).

    Returns:
        What was read.

    Raises:
        CombinedInputError: Problems in more than one place, grouped by file.
        InputError: One problem (or its subclasses).
        ConfigError: The mapping is invalid.
    """
    att_errors: list[InputError] = []
    man_errors: list[InputError] = []
    plan_errors: list[InputError] = []
    att = None
    if attendances is not None:
        att = _attempt(
            att_errors,
            lambda: read_attendances(
                attendances, mapping=mapping, unreadable_limit=unreadable_limit
            ),
        )
    man = None
    if manifest is not None:
        man = _attempt(man_errors, lambda: read_manifest(manifest))
    pres = None
    if plans is not None and (not defer_plans or att_errors or man_errors):
        # Without a usable manifest the plans are still checked, on their own.
        pres = _attempt(
            plan_errors,
            lambda: read_plans(
                plans, mapping=mapping, manifest=man, unreadable_limit=unreadable_limit
            ),
        )
    # Reported in the order the options are documented: attendances, plans, manifest.
    gather_input_errors([*att_errors, *plan_errors, *man_errors])
    return Inputs(attendances=att, plans=pres, manifest=man)
