"""cpflag: find children at risk in emergency-department data.

Fuzzy-matches ED attendances against local-authority child protection lists
(child protection plans, looked-after children, pre-birth plans) and explains
every flag. A flag only ever steps concern up: no flag means "no match found on
the lists loaded", never that a child is safe.

The public surface is what ``__all__`` lists; everything else is private.

The names are loaded on first use (PEP 562): ``import cpflag`` costs little,
so ``cpflag --help`` starts without importing polars; ``cpflag.flag`` (or
``from cpflag import flag``) imports the pipeline then. Type checkers see the
ordinary imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
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

    __version__: str

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

#: Where each public name is defined (the same imports as the block above).
_WHERE: Final[dict[str, str]] = {
    **dict.fromkeys(("FlagRun", "build_index", "flag", "run_flagging"), "cpflag._api"),
    "FlagConfig": "cpflag._config",
    **dict.fromkeys(
        (
            "ConfigError",
            "CpflagError",
            "DuplicateIdError",
            "InputError",
            "MissingColumnError",
            "ModelError",
            "ParseError",
            "StoreError",
        ),
        "cpflag._errors",
    ),
    "PlanIndex": "cpflag.engine._index",
    **dict.fromkeys(("HistoryStore", "chronology", "resolve_history"), "cpflag.history"),
    **dict.fromkeys(
        ("ReadResult", "read_attendances", "read_manifest", "read_plans", "write_table"),
        "cpflag.io",
    ),
    **dict.fromkeys(
        (
            "BlockingRule",
            "Comparison",
            "Guard",
            "Level",
            "LinkageModel",
            "Linker",
            "LinkResult",
            "Thresholds",
            "default_model",
        ),
        "cpflag.linkage",
    ),
    **dict.fromkeys(
        (
            "AuditReport",
            "audit",
            "fhir_flags",
            "notifications",
            "read_outcomes",
            "record_outcomes",
            "worklist",
        ),
        "cpflag.loop",
    ),
    **dict.fromkeys(("Waterfall", "explain"), "cpflag.report._explain"),
    **dict.fromkeys(("NO_FLAG_MEANS", "RunSummary"), "cpflag.report._summary"),
    "default_relation_models": "cpflag.rules",
}

#: The stage packages, reachable as ``cpflag.io`` etc. after a bare ``import cpflag``
#: (as they were when this module imported them all).
_SUBPACKAGES: Final = frozenset(
    {
        "contract",
        "decide",
        "engine",
        "history",
        "io",
        "linkage",
        "loop",
        "normalise",
        "report",
        "rules",
        "synth",
    }
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 -- lazy

    try:
        return version("cpflag")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Load a public name (or a stage package) on first use, then keep it here.

    Args:
        name: The attribute asked for.

    Returns:
        The public object, the version string or the stage package.

    Raises:
        AttributeError: ``name`` is not part of the public surface.
    """
    if name == "__version__":
        value: Any = _version()
    elif name in _WHERE:
        value = vars(importlib.import_module(_WHERE[name]))[name]
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"cpflag.{name}")
    else:
        raise AttributeError(f"module 'cpflag' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBPACKAGES})
