"""The run summary: what a flagging run used, what it rejected, what it found.

Every run states which LAs' lists were loaded and how old each was, and which
expected LAs had none: the absence of a flag means only "no match found on the
lists loaded", never that a child is safe.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import attrs
import polars as pl

__all__ = ["NO_FLAG_MEANS", "ListInfo", "RunSummary", "recovery_line"]

NO_FLAG_MEANS: Final = (
    "No flag means only that no match was found on the lists loaded. "
    "It does not mean a child is safe or not on a plan."
)


@attrs.frozen
class ListInfo:
    """One LA's list as loaded: its date, age and size."""

    la_code: str
    list_date: dt.date | None
    age_days: int | None
    stale: bool
    plan_rows: int
    by_type: dict[str, int]


@attrs.frozen
class RunSummary:
    """What a run used and found.

    Attributes:
        as_of: The date ages are measured at (the run date, or the one given).
        lists: One entry per LA list loaded.
        missing_las: Expected LAs with no list loaded.
        attendances: Attendance rows read.
        rejects: ``{reason: count}`` over every rejected row or ignored value.
        flags: ``{flag kind: {band: count}}``.
        candidate_pairs: Pairs compared.
        model: The model's name.
        seconds: Wall time of the run.
        stale_after_days: The age past which a list is stale.
        loop: Closing the loop (``cpflag.loop``), when it ran: notifications
            per LA, LAs sent nothing, look-back and list changes (counts only).
        loop_lines: The same as lines of text, warnings first.
        recovery: With a history store: what this run found of the previous
            night -- ``previous_night`` (``none``: it completed;
            ``rolled_forward``: killed after its commit, completed now;
            ``rolled_back``: killed before it, nothing kept),
            ``previous_kind`` (``night`` or ``prune``), ``previous_as_of``
            and ``rerun_needed`` (a night rolled back that
            is not this one must be run again).
    """

    as_of: dt.date | None
    lists: tuple[ListInfo, ...]
    missing_las: tuple[str, ...]
    attendances: int
    rejects: dict[str, int]
    flags: dict[str, dict[str, int]]
    candidate_pairs: int
    model: str
    seconds: float
    stale_after_days: int
    loop: dict[str, Any] | None = None
    loop_lines: tuple[str, ...] = ()
    recovery: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings)."""
        d = attrs.asdict(self)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        for li in d["lists"]:
            li["list_date"] = li["list_date"].isoformat() if li["list_date"] else None
        d["note"] = NO_FLAG_MEANS
        return d

    def to_text(self) -> str:
        """A short human-readable summary for the console or an email."""
        lines = [f"cpflag run, as of {self.as_of or 'unknown'} ({self.seconds:.2f} s)"]
        lines.append(f"Lists loaded ({len(self.lists)}):")
        for li in self.lists:
            age = "date unknown" if li.list_date is None else "dated after the as-of date"
            if li.age_days is not None:
                age = f"{li.age_days} days old"
            warn = "  << STALE" if li.stale else ""
            types = ", ".join(f"{k} {v}" for k, v in sorted(li.by_type.items()))
            lines.append(f"  {li.la_code}: listed {li.list_date or '?'} ({age}); {types}{warn}")
        if self.missing_las:
            lines.append(
                "NO LIST LOADED for: "
                + ", ".join(self.missing_las)
                + " -- their children cannot be flagged"
            )
        lines.append(f"Attendances read: {self.attendances}")
        if self.rejects:
            lines.append("Rejected rows / ignored values:")
            for reason, n in sorted(self.rejects.items()):
                lines.append(f"  {n:6d}  {reason}")
        lines.append(f"Candidate pairs compared: {self.candidate_pairs}")
        if self.flags:
            lines.append("Flags:")
            for kind, bands in self.flags.items():
                parts = ", ".join(f"{b} {n}" for b, n in sorted(bands.items()))
                lines.append(f"  {kind}: {parts}")
        else:
            lines.append("Flags: none raised")
        lines.extend(self.loop_lines)
        recovered = recovery_line(self.recovery)
        if recovered:
            lines.append(recovered)
        lines.append(NO_FLAG_MEANS)
        return "\n".join(lines)


def recovery_line(recovery: dict[str, Any] | None) -> str | None:
    """The summary's line about the previous night; None when it completed.

    Args:
        recovery: :attr:`RunSummary.recovery`.

    Returns:
        The line, or None.
    """
    action = (recovery or {}).get("previous_night")
    if recovery is None or action not in ("rolled_forward", "rolled_back"):
        return None
    when = f" (as of {recovery['previous_as_of']})" if recovery.get("previous_as_of") else ""
    if recovery.get("previous_kind") == "prune":
        if action == "rolled_forward":
            return "Previous prune (retention): interrupted after its commit; completed now"
        return (
            "Previous prune (retention): interrupted before its commit, nothing removed "
            "-- RUN IT AGAIN"
        )
    if action == "rolled_forward":
        return (
            f"Previous night{when}: interrupted after its commit; completed now "
            "(rolled forward), nothing to re-run"
        )
    text = f"Previous night{when}: interrupted before its commit; rolled back, nothing kept"
    if recovery.get("rerun_needed"):
        return f"{text} -- RE-RUN NEEDED: run that night again"
    return f"{text}; this run is that night again"


def list_infos(
    plans: pl.DataFrame, as_of: dt.date | None, stale_after_days: int
) -> tuple[ListInfo, ...]:
    """One :class:`ListInfo` per LA in the plans table."""
    out = []
    if plans.height == 0:
        return ()
    per_la = (
        plans.group_by("la_code")
        .agg(pl.col("list_date").max(), pl.len().alias("n"), pl.col("plan_type"))
        .sort("la_code")
    )
    for row in per_la.iter_rows(named=True):
        ld = row["list_date"]
        age = (as_of - ld).days if (ld is not None and as_of is not None) else None
        if age is not None and age < 0:
            age = None  # a list dated after the as-of date: its age is unknown
        types: dict[str, int] = {}
        for t in row["plan_type"]:
            types[t] = types.get(t, 0) + 1
        out.append(
            ListInfo(
                la_code=row["la_code"],
                list_date=ld,
                age_days=age,
                stale=age is None or age > stale_after_days,
                plan_rows=row["n"],
                by_type=types,
            )
        )
    return tuple(out)


def flag_counts(flags: pl.DataFrame) -> dict[str, dict[str, int]]:
    """``{flag kind: {band: count}}``."""
    out: dict[str, dict[str, int]] = {}
    for kind, band, n in flags.group_by("flag", "band").len().sort("flag", "band").iter_rows():
        out.setdefault(kind, {})[band] = n
    return out
