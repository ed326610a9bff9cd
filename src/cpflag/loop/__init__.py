"""Closing the loop: LA notifications, the review worklist, list versions with
look-back, the audit, and FHIR output.

* :func:`close_night` -- a night's lists versioned, rejected pairs dropped,
  the history re-checked against new plans, notifications due (called by
  ``cpflag.run_flagging(..., close_loop=True)``);
* :func:`read_outcomes`, :func:`record_outcomes` -- review decisions in
  (:func:`outcomes_in_force` -- those kept in the store);
* :func:`worklist` -- open review flags, most harmful first;
* :func:`notifications` -- what each LA was sent, and when;
* :func:`audit` -- flags against decisions, per month, LA and kind;
* :func:`calibration` -- ``match_probability`` checked against decisions, and
  a Platt recalibration (error before and out of fold after);
* :func:`train_model` -- ``cpflag train``: m and u re-estimated, and with a
  store a recalibration from its decisions written into the model;
* :func:`fhir_flags` -- flags as HL7 FHIR R4 ``Flag`` resources (extra ``fhir``);
* :func:`prune` -- retention: the store's rows about attendances past a date removed.

The state lives in the history store's ``loop`` folder
(``cpflag.history.LoopStore``). See ``docs/notifications.md``,
``docs/review-worklist.md``, ``docs/lookback.md``, ``docs/audit.md`` and
``docs/fhir.md``.
"""

from cpflag.loop._api import (
    audit,
    calibration,
    notifications,
    outcomes_in_force,
    raised_flags,
    record_outcomes,
    worklist,
)
from cpflag.loop._audit import AuditReport, audit_tables
from cpflag.loop._calibrate import Calibration, calibration_check, expected_calibration_error
from cpflag.loop._fhir import fhir_flags, write_fhir
from cpflag.loop._lookback import DEFAULT_LOOKBACK_DAYS, lookback_flags
from cpflag.loop._night import NightResult, close_night, loop_lines
from cpflag.loop._notify import (
    due_notifications,
    notification_id,
    notification_path,
    write_notifications,
)
from cpflag.loop._outcomes import read_outcomes
from cpflag.loop._retention import PruneResult, prune
from cpflag.loop._tables import NOTIFICATION_COLUMNS
from cpflag.loop._train import MIN_LABELS, TrainResult, train_model
from cpflag.loop._versions import ListChanges, compare_lists
from cpflag.loop._worklist import WORKLIST_COLUMNS

__all__ = [
    "DEFAULT_LOOKBACK_DAYS",
    "MIN_LABELS",
    "NOTIFICATION_COLUMNS",
    "WORKLIST_COLUMNS",
    "AuditReport",
    "Calibration",
    "ListChanges",
    "NightResult",
    "PruneResult",
    "TrainResult",
    "audit",
    "audit_tables",
    "calibration",
    "calibration_check",
    "close_night",
    "compare_lists",
    "due_notifications",
    "expected_calibration_error",
    "fhir_flags",
    "lookback_flags",
    "loop_lines",
    "notification_id",
    "notification_path",
    "notifications",
    "outcomes_in_force",
    "prune",
    "raised_flags",
    "read_outcomes",
    "record_outcomes",
    "train_model",
    "worklist",
    "write_fhir",
    "write_notifications",
]
