"""The data contract (``shared/spec/data-contract.md``, v2) as code.

This module is the single place that names the canonical columns, their types,
which are required, and which carry identifying values that must never appear
in an error, a log line or a warning.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final, Literal

import attrs

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ATTENDANCES",
    "BANDS",
    "FLAGS",
    "FLAG_KEY",
    "FLAG_KINDS",
    "IDENTIFYING_COLUMNS",
    "MANIFEST",
    "PLANS",
    "PLAN_TYPES",
    "SETTINGS",
    "Band",
    "Column",
    "FlagKind",
    "Found",
    "Outcome",
    "TableSpec",
]

ColumnKind = Literal["str", "date", "datetime", "int", "float"]


@attrs.frozen
class Column:
    """One canonical column of a contract table."""

    name: str
    kind: ColumnKind
    required: bool = False
    #: True when the values identify a person (never printed anywhere).
    identifying: bool = False

    @property
    def dtype(self) -> pl.DataType:
        """The polars dtype the column has once read."""
        # Imported here so that importing the contract (the CLI does, for its
        # choices) does not import polars: `cpflag --help` stays fast.
        import polars as pl  # noqa: PLC0415

        return {
            "str": pl.String(),
            "date": pl.Date(),
            "datetime": pl.Datetime("us"),
            "int": pl.Int64(),
            "float": pl.Float64(),
        }[self.kind]


@attrs.frozen
class TableSpec:
    """A contract table: its name, id column and columns in canonical order."""

    name: str
    id_column: str | None
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: c.dtype for c in self.columns}


def _c(name: str, kind: ColumnKind, *, req: bool = False, pii: bool = False) -> Column:
    return Column(name=name, kind=kind, required=req, identifying=pii)


ATTENDANCES: Final = TableSpec(
    name="attendances",
    id_column="attendance_id",
    columns=(
        _c("attendance_id", "str", req=True),
        _c("arrival_time", "datetime", req=True),
        _c("site_code", "str"),
        _c("setting", "str"),
        _c("local_patient_id", "str", pii=True),
        _c("nhs_number", "str", pii=True),
        _c("given_name", "str", pii=True),
        _c("family_name", "str", pii=True),
        _c("date_of_birth", "date", pii=True),
        _c("sex", "str"),
        _c("postcode", "str", pii=True),
        _c("address", "str", pii=True),
        _c("carer_given_name", "str", pii=True),
        _c("carer_family_name", "str", pii=True),
        _c("mother_nhs_number", "str", pii=True),
        _c("gp_practice_code", "str"),
    ),
)

PLANS: Final = TableSpec(
    name="plans",
    id_column="plan_id",
    columns=(
        _c("plan_id", "str", req=True),
        _c("la_code", "str", req=True),
        _c("plan_type", "str", req=True),
        _c("start_date", "date", req=True),
        _c("end_date", "date"),
        _c("category", "str"),
        _c("nhs_number", "str", pii=True),
        _c("given_name", "str", pii=True),
        _c("family_name", "str", pii=True),
        _c("date_of_birth", "date", pii=True),
        _c("sex", "str"),
        _c("postcode", "str", pii=True),
        _c("address", "str", pii=True),
        _c("family_ref", "str"),
        _c("carer_given_name", "str", pii=True),
        _c("carer_family_name", "str", pii=True),
        _c("mother_nhs_number", "str", pii=True),
        _c("mother_given_name", "str", pii=True),
        _c("mother_family_name", "str", pii=True),
        _c("mother_date_of_birth", "date", pii=True),
        _c("expected_delivery_date", "date"),
        _c("la_contact", "str"),
        _c("list_date", "date"),
    ),
)

MANIFEST: Final = TableSpec(
    name="manifest",
    id_column="la_code",
    columns=(
        _c("la_code", "str", req=True),
        _c("list_date", "date", req=True),
    ),
)

FLAGS: Final = TableSpec(
    name="flags",
    id_column=None,
    columns=(
        _c("attendance_id", "str"),
        _c("flag", "str"),
        _c("plan_id", "str"),
        _c("la_code", "str"),
        _c("plan_type", "str"),
        _c("score", "float"),
        _c("band", "str"),
        # v2: the flag's probability (0-1), the one thing to verify at review
        # (null at match), and when it was raised (``Found``).
        _c("match_probability", "float"),
        _c("check", "str"),
        _c("found", "str"),
        _c("reasons", "str"),
        _c("list_age_days", "int"),
    ),
)

PLAN_TYPES: Final = ("cpp", "lac", "unborn_cpp", "cin", "marac")
SETTINGS: Final = ("ed_child", "ed_adult", "ed_mixed", "miu", "utc", "maternity", "neonatal")


class FlagKind(enum.StrEnum):
    """The kinds of flag, in the order flags are listed for one attendance.

    This is the one place the kinds are named; every other module refers to
    them through this enum (a member is its ``str`` value, so it compares equal
    to the name written in a flags table). Each kind's rule lives in its own
    module of :mod:`cpflag.rules`.
    """

    PLAN_SUBJECT = "plan_subject"
    SIBLING = "sibling_of_plan_subject"
    UNBORN_MOTHER = "unborn_plan_mother"
    NEWBORN = "newborn_of_unborn_plan"
    CARER = "carer_of_plan_subject"
    REPEAT = "repeat_attendance"


class Band(enum.StrEnum):
    """How sure a flag is: ``match`` (act on it) or ``review`` (a person checks it)."""

    MATCH = "match"
    REVIEW = "review"


class Found(enum.StrEnum):
    """When a flag was raised: on the night of the attendance, or later."""

    #: Raised on the night of the attendance (every flag cpflag raises today).
    ARRIVAL = "arrival"
    #: Raised later, when a list first carried the plan or the link.
    LOOKBACK = "lookback"


class Outcome(enum.StrEnum):
    """What a person decided on a flag (``review_outcomes``, section 5)."""

    CONFIRMED = "confirmed"
    REJECTED = "rejected"


#: A flag's identity, and a decided pair's: the two records (the attendance's
#: id and the plan's own id, never a row number, so it survives every list
#: refresh) and the kind; ``plan_id`` is null for ``repeat_attendance``. The
#: batch, the look-back, the notifications and triage key on it alike.
FLAG_KEY: Final = ("attendance_id", "plan_id", "flag")

#: The flag kinds' names, in flag order (plain strings, for tables and options).
FLAG_KINDS: Final[tuple[str, ...]] = tuple(k.value for k in FlagKind)
#: The bands' names, strongest first.
BANDS: Final[tuple[str, ...]] = tuple(b.value for b in Band)

#: Every column whose values identify a person, in any contract table.
IDENTIFYING_COLUMNS: Final = frozenset(
    c.name for t in (ATTENDANCES, PLANS) for c in t.columns if c.identifying
)
