"""Rules for one table each: settings, plan types, categories, backwards plans,
rows with nothing to match on, and the manifest's LA codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import polars as pl

from cpflag.contract import SETTINGS
from cpflag.io._checks import check_unique
from cpflag.io._plausible import birth_and_list_dates
from cpflag.io._work import DROP, ROW_REJECTED, VALUE_IGNORED, Work, code

__all__ = ["CATEGORIES", "DEFAULT_SETTING", "TABLE_RULES", "normalise_plan_types"]

DEFAULT_SETTING: Final = "ed_mixed"
CATEGORIES: Final = ("neglect", "physical", "emotional", "sexual", "multiple")

#: Attendance columns of which at least one must be present for a row to be usable.
_ATTENDANCE_IDENTIFIERS: Final = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "local_patient_id",
)

#: Common spellings of plan types in LA exports (after lower-casing and
#: turning spaces and hyphens into underscores).
_PLAN_TYPE_SYNONYMS: Final = {
    "cp": "cpp",
    "child_protection": "cpp",
    "child_protection_plan": "cpp",
    "cla": "lac",
    "looked_after": "lac",
    "looked_after_child": "lac",
    "child_looked_after": "lac",
    "child_in_need": "cin",
    "unborn": "unborn_cpp",
    "pre_birth": "unborn_cpp",
    "prebirth": "unborn_cpp",
    "unborn_cp": "unborn_cpp",
}


def _no_identifiers(w: Work, columns: tuple[str, ...], reason: str) -> None:
    mask = pl.all_horizontal([pl.col(c).is_null() for c in columns])
    if w.reject(mask, None, reason, ROW_REJECTED):
        w.df = w.df.with_columns(pl.when(mask).then(True).otherwise(pl.col(DROP)).alias(DROP))


def _attendances(w: Work) -> None:
    setting = code(pl.col("setting"))
    unknown = setting.is_not_null() & ~setting.is_in(list(SETTINGS))
    w.reject(
        unknown, "setting", f"setting: unknown value; treated as {DEFAULT_SETTING}", VALUE_IGNORED
    )
    w.df = w.df.with_columns(
        pl.when(setting.is_in(list(SETTINGS)))
        .then(setting)
        .otherwise(pl.lit(DEFAULT_SETTING))
        .alias("setting")
    )
    birth_and_list_dates(w)
    _no_identifiers(
        w,
        _ATTENDANCE_IDENTIFIERS,
        "no identifying data (no NHS number, name, date of birth or local patient id)",
    )


def normalise_plan_types(w: Work) -> None:
    """Lower-case ``plan_type`` and translate common spellings (before it is checked)."""
    plan_type = code(pl.col("plan_type"))
    w.df = w.df.with_columns(plan_type.replace(_PLAN_TYPE_SYNONYMS).alias("plan_type"))


def _plans(w: Work) -> None:
    category = code(pl.col("category")).str.replace(r"_abuse$", "")
    unknown = category.is_not_null() & ~category.is_in(list(CATEGORIES))
    w.reject(unknown, "category", "category: unknown value", VALUE_IGNORED)
    w.df = w.df.with_columns(pl.when(~unknown).then(category).alias("category"))
    # A plan "ending" before it starts is a typo; treating the end as unknown
    # keeps the plan open -- a flag may step concern up, a dropped plan would
    # silently step it down.
    backwards = pl.col("end_date") < pl.col("start_date")
    w.reject(
        backwards, "end_date", "end_date: before start_date; plan treated as open", VALUE_IGNORED
    )
    w.df = w.df.with_columns(
        pl.when(~backwards.fill_null(False)).then(pl.col("end_date")).alias("end_date")
    )
    birth_and_list_dates(w)
    identifying = tuple(c.name for c in w.spec.columns if c.identifying)
    _no_identifiers(
        w,
        identifying,
        "no identifying data (no NHS number, name, date of birth, address, "
        "or mother's or carer's details)",
    )


def _manifest(w: Work) -> None:
    check_unique(w, pl.col("la_code").str.to_uppercase())


TABLE_RULES: Final[dict[str, Callable[[Work], None]]] = {
    "attendances": _attendances,
    "plans": _plans,
    "manifest": _manifest,
}
