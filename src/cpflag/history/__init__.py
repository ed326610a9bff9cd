"""Attendance history: persons, families, repeat attendance and the chronology.

* :func:`attendance_model` -- the person-resolution model (data, JSON round-trip);
* :func:`resolve_history` -- a table of attendances resolved into persons and families;
* :class:`HistoryStore` -- the embedded Parquet history the nightly job appends to;
* :func:`resolve_and_flag_repeats` -- a batch resolved (against a store when
  given) and its ``repeat_attendance`` flags;
* :func:`repeat_flags` -- the rules on an already resolved history;
* :func:`chronology` -- a child's and the family's attendances in time order;
* :class:`LoopStore` -- the closing-the-loop tables kept beside the history
  (``store/loop/``; see ``cpflag.loop``);
* :class:`NightRun`, :class:`NightCommit`, :func:`recover_night` -- a night's
  store changes and outputs committed as a unit, the last night settled first.

See ``docs/repeat-attendance.md``.
"""

from cpflag.history._api import resolve_and_flag_repeats, resolve_history
from cpflag.history._chronology import CHRONOLOGY_COLUMNS, chronology
from cpflag.history._cluster import ClusterResult, cluster, components
from cpflag.history._conflicts import conflict_pairs
from cpflag.history._families import assign_families
from cpflag.history._journal import NightCommit, Recovery
from cpflag.history._loop_store import LoopStore
from cpflag.history._model import attendance_blocking_rules, attendance_model
from cpflag.history._night import NightRun, night_guard, recover_night, roll_forward
from cpflag.history._prepare import HISTORY_COLUMNS, prepare_attendances
from cpflag.history._resolve import Resolution, link_threshold, resolve
from cpflag.history._store import AppendResult, HistoryStore
from cpflag.rules.repeat import REPEAT_COLUMNS, repeat_counts, repeat_flags

__all__ = [
    "CHRONOLOGY_COLUMNS",
    "HISTORY_COLUMNS",
    "REPEAT_COLUMNS",
    "AppendResult",
    "ClusterResult",
    "HistoryStore",
    "LoopStore",
    "NightCommit",
    "NightRun",
    "Recovery",
    "Resolution",
    "assign_families",
    "attendance_blocking_rules",
    "attendance_model",
    "chronology",
    "cluster",
    "components",
    "conflict_pairs",
    "link_threshold",
    "night_guard",
    "prepare_attendances",
    "recover_night",
    "repeat_counts",
    "repeat_flags",
    "resolve",
    "resolve_and_flag_repeats",
    "resolve_history",
    "roll_forward",
]
