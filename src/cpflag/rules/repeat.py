"""The ``repeat_attendance`` rules: one child's count and the family's.

Only attendances *as a child* count and are flagged (younger than the adult
age at arrival; see ``_prepare``). The window is ``repeat_window_days`` long
and inclusive: an earlier attendance counts when its arrival date is at most
that many days before the current one's. Attendances are ordered by arrival
time, then attendance id; the current attendance is counted, later ones never
are, so the flag on an attendance does not change when later nights arrive.

* **child rule**: the child (a resolved person) has at least
  ``repeat_min_attendances`` attendances in the window ending at this one, so
  with the defaults the 3rd and later attendances in 365 days are flagged.
  Band ``match``: the attendances were joined by confident links only. Score:
  the count.
* **family rule**: the children of the child's family together have at least
  ``family_repeat_min_attendances`` attendances in the window, by at least two
  children (one child alone is the child rule). It is reported as evidence in
  ``reasons`` of the same ``repeat_attendance`` row, naming the children
  involved by person id. When only the family rule holds, no row is raised
  unless ``repeat_family_rows`` is set (then band ``review``, score the family
  count, and the check :data:`CHECKS` names): the flag is the child's, and
  family-only rows made a review queue that was almost all noise.

``match_probability`` is null: the score is a count, not a match weight, and
no model gives the chance that the links joining the attendances are all
right (the resolution's pairwise probabilities do not compose into one
without a model of the cluster). ``found`` is ``arrival``.

``reasons`` name counts, sites and person/family ids -- never names, dates of
birth or other identifiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.contract import FLAGS, Band, FlagKind, Found
from cpflag.rules._checks import ReviewChecks
from cpflag.rules._settings import RuleSettings

__all__ = ["CHECKS", "REPEAT_COLUMNS", "repeat_counts", "repeat_flags"]

#: What to verify at review (a row raised by the family rule alone).
CHECKS: Final = ReviewChecks(
    generic="family count only: confirm the children counted are one family",
)

#: History columns the rules read.
REPEAT_COLUMNS: Final = (
    "attendance_id",
    "arrival_time",
    "arrival_date",
    "site_code",
    "person_id",
    "family_id",
    "is_child",
)


def _window_counts(
    frame: pl.DataFrame, by: str, window_days: int
) -> tuple[pl.DataFrame, npt.NDArray[np.int64]]:
    """Sort ``frame`` by (``by``, arrival, id); count rows in each row's window.

    Returns:
        The sorted frame with ``n`` (rows of the same ``by`` in the window ending
        at the row, itself included), and the window's first row of each row.
    """
    f = frame.filter(pl.col(by).is_not_null()).sort(by, "arrival_time", "attendance_id")
    grp = f.select(pl.col(by).rank("dense").cast(pl.Int64)).to_series().to_numpy()
    day = f["arrival_date"].cast(pl.Int32).to_numpy().astype(np.int64)
    span = int(day.max() - day.min() + window_days + 2) if f.height else 1
    key = grp * span + (day - (day.min() if f.height else 0))
    start = np.searchsorted(key, key - window_days, side="left").astype(np.int64)
    n = np.arange(f.height, dtype=np.int64) - start + 1
    return f.with_columns(pl.Series("n", n)), start


def _window_rows(start: npt.NDArray[np.int64], pos: npt.NDArray[np.int64]) -> pl.DataFrame:
    """``(row, member)``: every row index of the window of each row in ``pos``."""
    lengths = pos - start[pos] + 1
    total = int(lengths.sum())
    row = np.repeat(pos, lengths)
    offs = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pl.DataFrame({"row": row, "member": np.repeat(start[pos], lengths) + offs})


def repeat_counts(history: pl.DataFrame, config: RuleSettings) -> pl.DataFrame:
    """Child and family counts for every child attendance of ``history``.

    Args:
        history: Rows with :data:`REPEAT_COLUMNS` (``family_id`` may be null).
        config: ``repeat_window_days``, ``repeat_min_attendances``,
            ``family_repeat_min_attendances``.

    Returns:
        One row per child attendance: ``attendance_id``, ``person_id``,
        ``family_id``, ``child_n``, ``child_sites`` (sorted distinct sites of the
        child's window, for rows where the child rule holds), ``family_n``,
        ``family_children`` (sorted person ids of the family window, where the
        family count reaches the threshold), ``child_rule``, ``family_rule``.
    """
    window = config.repeat_window_days
    kids = history.select(REPEAT_COLUMNS).filter(pl.col("is_child").fill_null(False))
    c, cstart = _window_counts(kids, "person_id", window)
    c = c.with_row_index("row").rename({"n": "child_n"})
    hit = np.flatnonzero(c["child_n"].to_numpy() >= config.repeat_min_attendances)
    sites = (
        _window_rows(cstart, hit)
        .join(c.select(pl.col("row").cast(pl.Int64).alias("member"), "site_code"), on="member")
        .group_by("row")
        .agg(pl.col("site_code").drop_nulls().unique().sort().alias("child_sites"))
    )
    c = c.with_columns(pl.col("row").cast(pl.Int64)).join(sites, on="row", how="left")

    f, fstart = _window_counts(kids, "family_id", window)
    f = f.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64)).rename({"n": "family_n"})
    fhit = np.flatnonzero(f["family_n"].to_numpy() >= config.family_repeat_min_attendances)
    members = (
        _window_rows(fstart, fhit)
        .join(f.select(pl.col("row").alias("member"), "person_id"), on="member")
        .group_by("row")
        .agg(pl.col("person_id").unique().sort().alias("family_children"))
    )
    f = f.join(members, on="row", how="left").select("attendance_id", "family_n", "family_children")
    out = c.select("attendance_id", "person_id", "family_id", "child_n", "child_sites").join(
        f, on="attendance_id", how="left"
    )
    return out.with_columns(
        (pl.col("child_n") >= config.repeat_min_attendances).alias("child_rule"),
        (
            (pl.col("family_n") >= config.family_repeat_min_attendances)
            & (pl.col("family_children").list.len() >= 2)
        )
        .fill_null(False)
        .alias("family_rule"),
    )


def _ordinal(n: pl.Expr) -> pl.Expr:
    s = n.cast(pl.String)
    teen = (n % 100).is_between(11, 13)
    last = n % 10
    suffix = (
        pl.when(teen)
        .then(pl.lit("th"))
        .when(last == 1)
        .then(pl.lit("st"))
        .when(last == 2)
        .then(pl.lit("nd"))
        .when(last == 3)
        .then(pl.lit("rd"))
        .otherwise(pl.lit("th"))
    )
    return pl.concat_str(s, suffix)


def repeat_flags(
    history: pl.DataFrame,
    config: RuleSettings,
    attendance_ids: Sequence[str] | pl.Series | None = None,
) -> pl.DataFrame:
    """``repeat_attendance`` rows of the contract's flags table.

    Args:
        history: Resolved rows with :data:`REPEAT_COLUMNS` -- the whole history
            the window needs (at least ``repeat_window_days`` before the
            attendances to flag).
        config: The rule settings.
        attendance_ids: Flag only these attendances (e.g. the night's batch), in
            this order; every attendance of ``history`` when None.

    Returns:
        Rows of :data:`cpflag.contract.FLAGS` (one per flagged attendance);
        ``plan_id``, ``la_code``, ``plan_type`` and ``list_age_days`` are null.
    """
    counts = repeat_counts(history, config)
    if attendance_ids is not None:
        wanted = pl.DataFrame(
            {"attendance_id": pl.Series(list(attendance_ids), dtype=pl.String)}
        ).with_row_index("_ord")
    else:
        wanted = history.select("attendance_id").with_row_index("_ord")
    raised = pl.col("child_rule")
    if config.repeat_family_rows:
        raised = raised | pl.col("family_rule")
    counts = counts.join(wanted, on="attendance_id", how="inner").filter(raised)
    w = config.repeat_window_days
    child = pl.format(
        "child {}: {} attendance in {} days ({} {})",
        pl.col("person_id"),
        _ordinal(pl.col("child_n")),
        pl.lit(w),
        pl.when(pl.col("child_sites").list.len() == 1)
        .then(pl.lit("site"))
        .otherwise(pl.lit("sites")),
        pl.col("child_sites").list.join(", "),
    )
    child_low = pl.format(
        "child {}: {} attendance in {} days",
        pl.col("person_id"),
        _ordinal(pl.col("child_n")),
        pl.lit(w),
    )
    family = pl.format(
        "family {}: {} attendances by {} children in {} days ({})",
        pl.col("family_id"),
        pl.col("family_n"),
        pl.col("family_children").list.len(),
        pl.lit(w),
        pl.col("family_children").list.join(", "),
    )
    reasons = pl.concat_str(
        [
            pl.when(pl.col("child_rule")).then(child).otherwise(child_low),
            pl.when(pl.col("family_rule")).then(family),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    out = counts.sort("_ord").select(
        "attendance_id",
        pl.lit(FlagKind.REPEAT).alias("flag"),
        pl.lit(None, pl.String).alias("plan_id"),
        pl.lit(None, pl.String).alias("la_code"),
        pl.lit(None, pl.String).alias("plan_type"),
        pl.when(pl.col("child_rule"))
        .then(pl.col("child_n"))
        .otherwise(pl.col("family_n"))
        .cast(pl.Float64)
        .alias("score"),
        pl.when(pl.col("child_rule"))
        .then(pl.lit(Band.MATCH))
        .otherwise(pl.lit(Band.REVIEW))
        .alias("band"),
        pl.lit(None, pl.Float64).alias("match_probability"),
        pl.when(pl.col("child_rule"))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit(CHECKS.generic))
        .alias("check"),
        pl.lit(Found.ARRIVAL.value).alias("found"),
        reasons.alias("reasons"),
        pl.lit(None, pl.Int64).alias("list_age_days"),
    )
    return out.select([pl.col(c.name).cast(c.dtype) for c in FLAGS.columns])
