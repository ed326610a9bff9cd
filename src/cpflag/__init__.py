"""cpflag: find children at risk in emergency-department data.

Fuzzy-matches ED attendances against local-authority child protection lists
(child protection plans, looked-after children, pre-birth plans) and explains
every flag. A flag only ever steps concern up: no flag means "no match found on
the lists loaded", never that a child is safe.

The public surface is what ``__all__`` lists; everything else is private.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from cpflag._api import FlagRun, build_index, flag, run_flagging
from cpflag._config import FlagConfig
from cpflag._errors import (
    ConfigError,
    CpflagError,
    DuplicateIdError,
    InputError,
    MissingColumnError,
    ModelError,
    ParseError,
    StoreError,
)
from cpflag.engine._index import PlanIndex
from cpflag.history import HistoryStore, chronology, resolve_history
from cpflag.io import ReadResult, read_attendances, read_manifest, read_plans, write_table
from cpflag.linkage import (
    BlockingRule,
    Comparison,
    Guard,
    Level,
    LinkageModel,
    Linker,
    LinkResult,
    Thresholds,
    default_model,
)
from cpflag.loop import (
    AuditReport,
    audit,
    fhir_flags,
    notifications,
    read_outcomes,
    record_outcomes,
    worklist,
)
from cpflag.report._explain import Waterfall, explain
from cpflag.report._summary import NO_FLAG_MEANS, RunSummary
from cpflag.rules import default_relation_models

try:
    __version__ = version("cpflag")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "NO_FLAG_MEANS",
    "AuditReport",
    "BlockingRule",
    "Comparison",
    "ConfigError",
    "CpflagError",
    "DuplicateIdError",
    "FlagConfig",
    "FlagRun",
    "Guard",
    "HistoryStore",
    "InputError",
    "Level",
    "LinkResult",
    "LinkageModel",
    "Linker",
    "MissingColumnError",
    "ModelError",
    "ParseError",
    "PlanIndex",
    "ReadResult",
    "RunSummary",
    "StoreError",
    "Thresholds",
    "Waterfall",
    "__version__",
    "audit",
    "build_index",
    "chronology",
    "default_model",
    "default_relation_models",
    "explain",
    "fhir_flags",
    "flag",
    "notifications",
    "read_attendances",
    "read_manifest",
    "read_outcomes",
    "read_plans",
    "record_outcomes",
    "resolve_history",
    "run_flagging",
    "worklist",
    "write_table",
]
