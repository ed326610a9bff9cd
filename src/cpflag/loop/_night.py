"""One night's closing of the loop, committed to the store in one step.

After a night's flags are found, :func:`close_night`:

1. records the night's lists as a version and counts new, changed, ended and
   removed plan rows (warning when a list shrank by half or lost every NHS
   number);
2. takes in review outcomes, when given;
3. drops flags a person rejected (the same two records and kind are never
   raised again);
4. re-checks the stored history against new and changed plans (look-back);
5. adds the night's flags to the ``raised`` ledger and works out the
   notifications first due tonight;
6. commits every loop table at once (a killed run leaves them as they were),
   or stages them into the night, to be committed with the store and the
   outputs (``cpflag.history.NightCommit``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from cpflag.contract import FLAGS, Found
from cpflag.engine._index import PlanIndex
from cpflag.engine._known import KnownPairs
from cpflag.history import HistoryStore, NightCommit
from cpflag.history._loop_store import LoopStore
from cpflag.loop._lookback import ATTENDANCE_INFO, DEFAULT_LOOKBACK_DAYS, lookback_flags
from cpflag.loop._notify import due_notifications
from cpflag.loop._outcomes import merge_outcomes
from cpflag.loop._tables import (
    KEY,
    LIST_VERSIONS_SCHEMA,
    NOTIFIED_SCHEMA,
    OUTCOMES_SCHEMA,
    PLAN_VERSIONS_SCHEMA,
    PLANS_SEEN_SCHEMA,
    RAISED_SCHEMA,
)
from cpflag.loop._versions import ListChanges, compare_lists

__all__ = ["NightResult", "close_night", "loop_lines"]


@attrs.frozen
class NightResult:
    """What closing the loop did on one night.

    Attributes:
        flags: The night's flags: those found on arrival (less rejected
            pairs) and those raised tonight by look-back.
        notifications: Rows first notified tonight (contract section 4).
        changes: The list version comparison.
        loaded_las: LAs whose list was loaded (each is sent a file).
        unloaded_las: Expected LAs with no list: nothing is sent to them.
        suppressed: Flags not raised again because a person rejected the pair.
        lookback: Flags raised tonight by look-back.
    """

    flags: pl.DataFrame
    notifications: pl.DataFrame
    changes: ListChanges
    loaded_las: tuple[str, ...]
    unloaded_las: tuple[str, ...]
    suppressed: int
    lookback: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (counts only, no identifying values)."""
        per_la = self.notifications.group_by("la_code").len()
        counts = dict(per_la.iter_rows())
        return {
            "notifications": {la: int(counts.get(la, 0)) for la in self.loaded_las},
            "not_notified_no_list": list(self.unloaded_las),
            "lookback_flags": self.lookback,
            "rechecked_plans": len(self.changes.recheck_plan_ids),
            "rejected_not_raised": self.suppressed,
            "first_list_version": self.changes.first_version,
            "list_changes": [
                {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in r.items()}
                for r in self.changes.per_la.to_dicts()
            ],
            "warnings": list(self.changes.warnings),
        }


def loop_lines(result: NightResult) -> tuple[str, ...]:
    """The run summary's lines for the loop (counts and warnings).

    Args:
        result: The night's result.

    Returns:
        Lines of text, warnings first.
    """
    d = result.to_dict()
    lines = [f"WARNING: {w}" for w in d["warnings"]]
    if result.changes.first_version:
        lines.append("List versions: first version recorded (look-back starts next night)")
    else:
        lines.append("List changes since the last version:")
        for r in d["list_changes"]:
            lines.append(
                f"  {r['la_code']}: {r['rows']} rows; new {r['new']}, changed {r['changed']}, "
                f"ended {r['ended']}, removed {r['removed']}"
            )
    lines.append(
        f"Look-back: {d['rechecked_plans']} new/changed plans re-checked, "
        f"{d['lookback_flags']} flags raised"
    )
    if d["rejected_not_raised"]:
        lines.append(f"Rejected by review, not raised again: {d['rejected_not_raised']}")
    sent = ", ".join(f"{la} {n}" for la, n in d["notifications"].items()) or "none"
    lines.append(f"Notifications first sent tonight: {sent}")
    if result.unloaded_las:
        lines.append(
            "NOTHING SENT to "
            + ", ".join(result.unloaded_las)
            + ": no list loaded, so their children cannot be found"
        )
    return tuple(lines)


def _with_info(
    flags: pl.DataFrame, attendances: pl.DataFrame, plans: pl.DataFrame, run_date: dt.date
) -> pl.DataFrame:
    info = attendances.select("attendance_id", *ATTENDANCE_INFO).unique("attendance_id")
    with_att = (
        flags
        if all(c in flags.columns for c in ATTENDANCE_INFO)
        else flags.join(info, on="attendance_id", how="left")
    )
    contact = plans.select("plan_id", "la_contact").unique("plan_id")
    return (
        with_att.join(contact, on="plan_id", how="left")
        .with_columns(pl.lit(run_date).alias("raised_on"))
        .select(list(RAISED_SCHEMA))
        .cast(RAISED_SCHEMA)  # type: ignore[arg-type]
    )


def close_night(
    store: HistoryStore,
    flags: pl.DataFrame,
    attendances: pl.DataFrame,
    index: PlanIndex,
    run_date: dt.date,
    *,
    outcomes: pl.DataFrame | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    expected_las: Sequence[str] = (),
    night: NightCommit | None = None,
) -> NightResult:
    """Close the loop for one night and commit the loop tables.

    Args:
        store: The history store (its ``loop`` folder holds the tables).
        flags: The night's flags found on arrival (contract ``flags``).
        attendances: The night's validated attendances.
        index: The night's plan index (its lists).
        run_date: The night (``first_notified_on`` and ``raised_on``).
        outcomes: Review outcomes to take in (see ``read_outcomes``).
        lookback_days: Days of history re-checked against new plans.
        expected_las: LAs that should have sent a list.
        night: Stage the loop tables into this night (committed with the
            history store and the outputs) instead of committing them now.

    Returns:
        What the night did.

    Raises:
        StoreError: The store cannot be read or written, or another run holds it.
    """
    loop = LoopStore(store.path)
    plans = index.plans
    loaded = tuple(sorted(set(plans["la_code"].to_list())))
    with loop.locked():
        raised = loop.read("raised", RAISED_SCHEMA)
        decided = loop.read("outcomes", OUTCOMES_SCHEMA)
        if outcomes is not None and outcomes.height:
            decided = merge_outcomes(decided, outcomes)
        changes = compare_lists(
            plans,
            loop.read("plan_versions", PLAN_VERSIONS_SCHEMA),
            loop.read("plans_seen", PLANS_SEEN_SCHEMA),
            run_date,
        )
        known = KnownPairs.of(decided)  # the negative links, as triage reads them
        kept = known.drop_rejected(flags)
        earlier = raised.filter(pl.col("raised_on") != run_date)
        found_late = pl.DataFrame(schema=RAISED_SCHEMA)
        if not changes.first_version and changes.recheck_plan_ids:
            late = lookback_flags(
                index,
                store,
                changes.recheck_plan_ids,
                run_date,
                days=lookback_days,
                exclude=attendances["attendance_id"],
            )
            late = known.drop_rejected(late).join(
                kept.select(KEY), on=list(KEY), how="anti", nulls_equal=True
            )
            found_late = _with_info(late, attendances, plans, run_date)
        tonight = pl.concat([_with_info(kept, attendances, plans, run_date), found_late])
        added = tonight.join(earlier.select(KEY), on=list(KEY), how="anti", nulls_equal=True)
        raised = pl.concat([earlier, added])
        sent, ledger = due_notifications(
            raised,
            decided,
            loop.read("notified", NOTIFIED_SCHEMA),
            run_date,
            loaded,
        )
        versions = pl.concat(
            [
                loop.read("list_versions", LIST_VERSIONS_SCHEMA).filter(
                    pl.col("run_date") != run_date
                ),
                changes.per_la,
            ]
        ).sort("run_date", "la_code")
        loop.commit(
            {
                "raised": raised,
                "outcomes": decided,
                "notified": ledger,
                "plan_versions": changes.plan_versions,
                "plans_seen": changes.plans_seen,
                "list_versions": versions,
            },
            night=night,
        )
    lookback = added.filter(pl.col("found") == Found.LOOKBACK.value)
    tonight_flags = pl.concat([kept, lookback.select(FLAGS.names).cast(kept.schema)])
    return NightResult(
        flags=tonight_flags,
        notifications=sent,
        changes=changes,
        loaded_las=loaded,
        unloaded_las=tuple(sorted(set(expected_las) - set(loaded))),
        suppressed=flags.height - kept.height,
        lookback=lookback.height,
    )
