"""The expected flags: the contract's definitions applied to the true identities.

Each rule is a join between attendances (with the attendee's true person,
household and age) and the plan rows that were actually shared. Readings of
the contract made here (documented in ``docs/synthetic-data.md``):

- *current*: ``start_date <= arrival date <= end_date``, null end open;
- *sibling*: another child (role child, under 18 at arrival) of the subject's
  birth family (same family_id), for cpp/lac/cin; siblings who are plan
  subjects themselves get sibling rows too;
- *carer*: an adult (18+ at arrival) who is the plan's named carer, the birth
  mother named on a looked-after child's row (a parent named on the plan), or an
  adult of the household the subject lives in (for a looked-after child: the
  placement), for cpp/lac/cin;
- *unborn mother*: the mother of a current unborn_cpp, arrival on or before
  expected delivery + 42 days;
- *newborn*: a child of that mother aged 0-89 days at arrival (day of birth =
  day 0) while the unborn_cpp is current.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _dates
from cpflag.synth._households import CHILD

__all__ = ["NEWBORN_DAYS", "UNBORN_WINDOW_DAYS", "expected_flags"]

I64 = npt.NDArray[np.int64]

#: Newborn flag while the baby is younger than this many days at arrival.
NEWBORN_DAYS: Final = 90
#: Mother flag until this many days after the expected delivery date.
UNBORN_WINDOW_DAYS: Final = 42


def expected_flags(
    attendances: pl.DataFrame, persons: pl.DataFrame, plan_rows: pl.DataFrame
) -> pl.DataFrame:
    """Expected plan-based flags, one row per (attendance, flag, plan).

    Args:
        attendances: ``attendance_id``, ``person`` (global index), ``day``.
        persons: The population (``hh``, ``residence``, ``role``, ``mother``, ``dob``).
        plan_rows: Shared plan rows: ``plan_id``, ``plan_type``, ``subject``,
            ``mother``, ``carer``, ``family_hh``, ``start``, ``end`` (-1 open), ``edd``.

    Returns:
        ``attendance_id``, ``flag``, ``plan_id``, sorted.
    """
    pers = persons.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("person"),
        pl.col("hh"),
        pl.col("residence"),
        pl.col("role"),
        pl.col("mother"),
        pl.col("dob").cast(pl.Int32).cast(pl.Int64).alias("dob"),
    )
    att = attendances.join(pers, on="person", how="left", maintain_order="left").with_columns(
        (pl.col("day") - pl.col("dob")).alias("age")
    )
    att = att.with_columns(
        pl.Series("adult", _dates.is_adult(att["dob"].to_numpy(), att["day"].to_numpy()))
    )
    subj_home = pers.select(
        pl.col("person").alias("subject"), pl.col("residence").alias("subject_home")
    )
    plans = plan_rows.join(subj_home, on="subject", how="left")
    current = (pl.col("start") <= pl.col("day")) & (
        (pl.col("end") < 0) | (pl.col("day") <= pl.col("end"))
    )
    child_plan = pl.col("plan_type").is_in(["cpp", "lac", "cin"])
    adult = pl.col("adult")
    out = []
    # plan_subject
    out.append(
        att.join(plans, left_on="person", right_on="subject", how="inner")
        .filter(current & (child_plan | (pl.col("plan_type") == "marac")))
        .select("attendance_id", pl.lit("plan_subject").alias("flag"), "plan_id")
    )
    # sibling_of_plan_subject
    out.append(
        att.filter((pl.col("role") == CHILD) & ~pl.col("adult"))
        .join(plans.filter(child_plan), left_on="hh", right_on="family_hh", how="inner")
        .filter(current & (pl.col("person") != pl.col("subject")))
        .select("attendance_id", pl.lit("sibling_of_plan_subject").alias("flag"), "plan_id")
    )
    # carer_of_plan_subject: named carer, or adult of the subject's household
    adults = att.filter(adult & (pl.col("role") != CHILD))
    named = adults.join(plans.filter(child_plan), left_on="person", right_on="carer", how="inner")
    if "named_mother" in plans.columns:
        named = pl.concat(
            [
                named.select("attendance_id", "plan_id", "start", "end", "day"),
                adults.join(
                    plans.filter(child_plan & (pl.col("named_mother") >= 0)),
                    left_on="person",
                    right_on="named_mother",
                    how="inner",
                ).select("attendance_id", "plan_id", "start", "end", "day"),
            ]
        )
    housed = adults.join(
        plans.filter(child_plan), left_on="residence", right_on="subject_home", how="inner"
    )
    cols = ["attendance_id", "plan_id", "start", "end", "day"]
    out.append(
        pl.concat([named.select(cols), housed.select(cols)])
        .unique(["attendance_id", "plan_id"], keep="first", maintain_order=True)
        .filter(current)
        .select("attendance_id", pl.lit("carer_of_plan_subject").alias("flag"), "plan_id")
    )
    unborn = plans.filter(pl.col("plan_type") == "unborn_cpp")
    out.append(
        att.join(unborn, left_on="person", right_on="mother", how="inner")
        .filter(current & (pl.col("day") <= pl.col("edd") + UNBORN_WINDOW_DAYS))
        .select("attendance_id", pl.lit("unborn_plan_mother").alias("flag"), "plan_id")
    )
    out.append(
        att.filter(
            (pl.col("role") == CHILD) & (pl.col("age") >= 0) & (pl.col("age") < NEWBORN_DAYS)
        )
        .join(unborn, left_on="mother", right_on="mother", how="inner")
        .filter(current)
        .select("attendance_id", pl.lit("newborn_of_unborn_plan").alias("flag"), "plan_id")
    )
    return pl.concat(out).unique().sort("attendance_id", "flag", "plan_id")
