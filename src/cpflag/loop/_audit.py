"""The audit: the alerts raised against what people decided about them.

Over the store's ``raised`` ledger, the outcomes and the ``notified`` ledger:

* per month (of arrival), LA and flag kind: flags raised, how many reviewed,
  confirmed and rejected;
* the confirmed share of decided flags by band, and by ``match_probability``
  decile (a calibration table from real decisions: in a well calibrated
  decile the confirmed share is near the mean probability);
* per LA: rows notified and the days from attendance to notification;
* per LA: the age of its list on the last run against its usual refresh (the
  median gap between the list dates it has sent), so a list that is late by
  the LA's own rhythm stands out.

Shares are of the flags a person decided; undecided flags are counted, never
read as wrong or right.
"""

from __future__ import annotations

import attrs
import polars as pl

from cpflag.loop._outcomes import CONFIRMED, REJECTED
from cpflag.loop._tables import KEY

__all__ = ["AuditReport", "audit_tables", "list_refresh"]


@attrs.frozen
class AuditReport:
    """The audit tables and their text.

    Attributes:
        by_month: ``month, la_code, flag, flags, reviewed, confirmed, rejected``.
        by_band: ``band, decided, confirmed, confirmed_share``.
        by_decile: ``decile`` (1 = probability under 0.1), ``decided``,
            ``mean_probability``, ``confirmed_share``.
        notification_days: ``la_code, notified, median_days, max_days``.
        list_refresh: ``la_code, list_dates, usual_refresh_days, last_list_date,
            age_days, overdue``: the age of each LA's list on the last run
            against its usual refresh (the median gap between its list dates).
    """

    by_month: pl.DataFrame
    by_band: pl.DataFrame
    by_decile: pl.DataFrame
    notification_days: pl.DataFrame
    list_refresh: pl.DataFrame = attrs.field(factory=pl.DataFrame)

    def to_text(self) -> str:
        """A readable report for the safeguarding lead and the LA's data lead.

        Returns:
            The report, one section per table.
        """
        lines = ["cpflag audit: flags raised and what people decided", ""]
        lines.append("Per month, LA and flag kind (flags / reviewed / confirmed / rejected):")
        for r in self.by_month.iter_rows(named=True):
            lines.append(
                f"  {r['month']}  {r['la_code'] or '-':<10} {r['flag']:<26} "
                f"{r['flags']:6d} {r['reviewed']:6d} {r['confirmed']:6d} {r['rejected']:6d}"
            )
        lines.append("")
        lines.append("Confirmed share of decided flags, by band:")
        for r in self.by_band.iter_rows(named=True):
            lines.append(
                f"  {r['band']:<7} decided {r['decided']:5d}  confirmed {r['confirmed']:5d}"
                f"  share {_pct(r['confirmed_share'])}"
            )
        lines.append("")
        lines.append("Calibration from decisions, by match_probability decile:")
        for r in self.by_decile.iter_rows(named=True):
            lo = (r["decile"] - 1) / 10
            lines.append(
                f"  p {lo:.1f}-{lo + 0.1:.1f}  decided {r['decided']:5d}  "
                f"mean p {r['mean_probability']:.3f}  confirmed {_pct(r['confirmed_share'])}"
            )
        lines.append("")
        lines.append("Notifications per LA (days from attendance to notification):")
        for r in self.notification_days.iter_rows(named=True):
            lines.append(
                f"  {r['la_code']:<10} sent {r['notified']:6d}  median {r['median_days']:.1f} d"
                f"  max {r['max_days']} d"
            )
        if self.list_refresh.height:
            lines.append("")
            lines.append("Lists on the last run (age against the LA's usual refresh):")
            for r in self.list_refresh.iter_rows(named=True):
                usual = r["usual_refresh_days"]
                usual_text = "unknown" if usual is None else f"{usual:.0f} d"
                late = "  << OLDER THAN USUAL" if r["overdue"] else ""
                lines.append(
                    f"  {r['la_code']:<10} listed {r['last_list_date'] or '?'}  age "
                    f"{'?' if r['age_days'] is None else r['age_days']} d  usual refresh "
                    f"{usual_text}{late}"
                )
        lines.append("")
        lines.append(
            "Flags only step concern up: an attendance without a flag is not known to be safe."
        )
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def list_refresh(versions: pl.DataFrame) -> pl.DataFrame:
    """Each LA's list age on the last run against its usual refresh.

    Args:
        versions: The ``list_versions`` table.

    Returns:
        One row per LA (see :class:`AuditReport`).
    """
    last_run = versions.group_by("la_code").agg(pl.col("run_date").max().alias("last_run"))
    gaps = (
        versions.filter(pl.col("list_date").is_not_null())
        .select("la_code", "list_date")
        .unique()
        .sort("la_code", "list_date")
        .with_columns(pl.col("list_date").diff().over("la_code").dt.total_days().alias("gap"))
        .group_by("la_code")
        .agg(
            pl.col("list_date").n_unique().cast(pl.Int64).alias("list_dates"),
            pl.col("gap").median().cast(pl.Float64).alias("usual_refresh_days"),
            pl.col("list_date").max().alias("last_list_date"),
        )
    )
    return (
        last_run.join(gaps, on="la_code", how="left")
        .with_columns(
            (pl.col("last_run") - pl.col("last_list_date")).dt.total_days().alias("age_days")
        )
        .with_columns(
            (pl.col("age_days") > pl.col("usual_refresh_days"))
            .fill_null(value=False)
            .alias("overdue")
        )
        .select(
            "la_code", "list_dates", "usual_refresh_days", "last_list_date", "age_days", "overdue"
        )
        .sort("la_code")
    )


def audit_tables(
    raised: pl.DataFrame,
    outcomes: pl.DataFrame,
    notified: pl.DataFrame,
    versions: pl.DataFrame | None = None,
) -> AuditReport:
    """Build the audit from the store's tables.

    Args:
        raised: The ``raised`` ledger.
        outcomes: The outcomes in force.
        notified: The ``notified`` ledger.
        versions: The ``list_versions`` table (for the lists' refresh).

    Returns:
        The audit.
    """
    df = raised.join(
        outcomes.select(*KEY, "outcome"), on=list(KEY), how="left", nulls_equal=True
    ).with_columns(
        pl.col("arrival_time").dt.strftime("%Y-%m").alias("month"),
        (pl.col("outcome") == CONFIRMED).fill_null(value=False).alias("is_confirmed"),
        (pl.col("outcome") == REJECTED).fill_null(value=False).alias("is_rejected"),
    )
    by_month = (
        df.group_by("month", "la_code", "flag")
        .agg(
            pl.len().cast(pl.Int64).alias("flags"),
            pl.col("outcome").is_not_null().sum().cast(pl.Int64).alias("reviewed"),
            pl.col("is_confirmed").sum().cast(pl.Int64).alias("confirmed"),
            pl.col("is_rejected").sum().cast(pl.Int64).alias("rejected"),
        )
        .sort("month", "la_code", "flag", nulls_last=True)
    )
    decided = df.filter(pl.col("outcome").is_not_null())
    by_band = (
        decided.group_by("band")
        .agg(
            pl.len().cast(pl.Int64).alias("decided"),
            pl.col("is_confirmed").sum().cast(pl.Int64).alias("confirmed"),
            pl.col("is_confirmed").mean().alias("confirmed_share"),
        )
        .sort("band")
    )
    by_decile = (
        decided.filter(pl.col("match_probability").is_not_null())
        .with_columns(
            (pl.col("match_probability") * 10)
            .floor()
            .clip(0, 9)
            .cast(pl.Int64)
            .add(1)
            .alias("decile")
        )
        .group_by("decile")
        .agg(
            pl.len().cast(pl.Int64).alias("decided"),
            pl.col("match_probability").mean().alias("mean_probability"),
            pl.col("is_confirmed").mean().alias("confirmed_share"),
        )
        .sort("decile")
    )
    days = (
        notified.with_columns(
            (pl.col("first_notified_on") - pl.col("arrival_time").dt.date())
            .dt.total_days()
            .alias("days")
        )
        .group_by("la_code")
        .agg(
            pl.len().cast(pl.Int64).alias("notified"),
            pl.col("days").median().cast(pl.Float64).alias("median_days"),
            pl.col("days").max().cast(pl.Int64).alias("max_days"),
        )
        .sort("la_code")
    )
    refresh = list_refresh(versions) if versions is not None else pl.DataFrame()
    return AuditReport(by_month, by_band, by_decile, days, refresh)
