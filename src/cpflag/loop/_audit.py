"""The audit: the alerts raised against what people decided about them.

Over the store's ``raised`` ledger, the outcomes and the ``notified`` ledger:

* per month (of arrival), LA and flag kind: flags raised, how many reviewed,
  confirmed and rejected;
* the confirmed share of decided flags by band, and by ``match_probability``
  decile (a calibration table from real decisions: in a well calibrated
  decile the confirmed share is near the mean probability);
* per LA: rows notified and the days from attendance to notification.

Shares are of the flags a person decided; undecided flags are counted, never
read as wrong or right.
"""

from __future__ import annotations

import attrs
import polars as pl

from cpflag.loop._outcomes import CONFIRMED, REJECTED
from cpflag.loop._tables import KEY

__all__ = ["AuditReport", "audit_tables"]


@attrs.frozen
class AuditReport:
    """The audit tables and their text.

    Attributes:
        by_month: ``month, la_code, flag, flags, reviewed, confirmed, rejected``.
        by_band: ``band, decided, confirmed, confirmed_share``.
        by_decile: ``decile`` (1 = probability under 0.1), ``decided``,
            ``mean_probability``, ``confirmed_share``.
        notification_days: ``la_code, notified, median_days, max_days``.
    """

    by_month: pl.DataFrame
    by_band: pl.DataFrame
    by_decile: pl.DataFrame
    notification_days: pl.DataFrame

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
        lines.append("")
        lines.append(
            "Flags only step concern up: an attendance without a flag is not known to be safe."
        )
        return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def audit_tables(
    raised: pl.DataFrame, outcomes: pl.DataFrame, notified: pl.DataFrame
) -> AuditReport:
    """Build the audit from the store's tables.

    Args:
        raised: The ``raised`` ledger.
        outcomes: The outcomes in force.
        notified: The ``notified`` ledger.

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
    return AuditReport(by_month, by_band, by_decile, days)
