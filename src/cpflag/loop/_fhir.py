"""Flags as HL7 FHIR R4 ``Flag`` resources, built and validated by ``fhir.resources``.

One resource per flag row: ``status`` active, ``category`` *safety*
(``http://terminology.hl7.org/CodeSystem/flag-category``), ``code`` naming the
flag kind (cpflag's code system), ``subject`` the patient by NHS number when
the attendance carries a valid one (else by the attendance id), ``period``
from the plan's start and end dates, and an extension carrying the evidence:
band, probability, the check, the reasons, the plan, the LA, how it was found.

The resource classes are those of ``fhir.resources`` (its ``R4B`` package:
R4B's ``Flag`` is R4's, element for element), so each resource is validated
when it is built. Install with ``pip install cpflag[fhir]``.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, Final

import polars as pl

from cpflag._errors import ConfigError
from cpflag.io import write_text
from cpflag.io._write import Stager
from cpflag.normalise import normalise_nhs_number

__all__ = ["CODE_SYSTEM", "EVIDENCE_URL", "fhir_flags", "write_fhir"]

CODE_SYSTEM: Final = "https://cpflag.dev/fhir/CodeSystem/flag-kind"
EVIDENCE_URL: Final = "https://cpflag.dev/fhir/StructureDefinition/flag-evidence"
NHS_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
ATTENDANCE_SYSTEM: Final = "https://cpflag.dev/fhir/Id/attendance-id"
_CATEGORY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/flag-category",
            "code": "safety",
            "display": "Safety",
        }
    ]
}
_EVIDENCE: Final = (
    ("band", "valueString"),
    ("match_probability", "valueDecimal"),
    ("check", "valueString"),
    ("reasons", "valueString"),
    ("plan_id", "valueString"),
    ("la_code", "valueString"),
    ("plan_type", "valueString"),
    ("found", "valueString"),
)


def _flag_class() -> Any:
    try:
        module = importlib.import_module("fhir.resources.R4B.flag")
    except ImportError as exc:
        raise ConfigError(
            "FHIR output needs the fhir.resources library: pip install 'cpflag[fhir]'"
        ) from exc
    return module.Flag


def _resource(row: dict[str, Any]) -> dict[str, Any]:
    nhs = row.get("nhs_valid")
    subject: dict[str, Any] = {
        "type": "Patient",
        "identifier": (
            {"system": NHS_SYSTEM, "value": nhs}
            if nhs
            else {"system": ATTENDANCE_SYSTEM, "value": row["attendance_id"]}
        ),
    }
    period = {
        k: v.isoformat()
        for k, v in (("start", row.get("start_date")), ("end", row.get("end_date")))
        if v is not None
    }
    evidence = [
        {"url": name, kind: row[name]} for name, kind in _EVIDENCE if row.get(name) is not None
    ]
    kind = str(row["flag"])
    out: dict[str, Any] = {
        "resourceType": "Flag",
        "identifier": [
            {
                "system": "https://cpflag.dev/fhir/Id/flag",
                "value": f"{row['attendance_id']}|{row.get('plan_id') or ''}|{kind}",
            }
        ],
        "status": "active",
        "category": [_CATEGORY],
        "code": {
            "coding": [{"system": CODE_SYSTEM, "code": kind, "display": kind.replace("_", " ")}],
            "text": f"cpflag: {kind.replace('_', ' ')} ({row.get('band')})",
        },
        "subject": subject,
        "extension": [{"url": EVIDENCE_URL, "extension": evidence}],
    }
    if period:
        out["period"] = period
    return out


def fhir_flags(
    flags: pl.DataFrame,
    attendances: pl.DataFrame | None = None,
    plans: pl.DataFrame | None = None,
) -> list[Any]:
    """Each flag row as a validated FHIR R4 ``Flag`` resource.

    Args:
        flags: A contract ``flags`` table.
        attendances: The attendances (for the subject's NHS number; valid ones only).
        plans: The plans (for the period: the plan's start and end dates).

    Returns:
        ``fhir.resources`` ``Flag`` objects, in flag order
        (``.model_dump_json()`` gives the JSON).

    Raises:
        ConfigError: ``fhir.resources`` is not installed.
    """
    flag_cls = _flag_class()
    df = flags
    if attendances is not None and "nhs_number" in attendances.columns:
        nhs = normalise_nhs_number(attendances["nhs_number"])
        valid = attendances.select("attendance_id").with_columns(
            pl.when(nhs["nhs_status"] == "valid").then(nhs["nhs_number"]).alias("nhs_valid")
        )
        df = df.join(valid.unique("attendance_id"), on="attendance_id", how="left")
    if plans is not None:
        df = df.join(
            plans.select("plan_id", "start_date", "end_date").unique("plan_id"),
            on="plan_id",
            how="left",
        )
    # One resource object per flag: the library builds and validates each.
    return [flag_cls.model_validate(_resource(row)) for row in df.iter_rows(named=True)]


def write_fhir(resources: list[Any], path: str | Path, *, stage: Stager | None = None) -> None:
    """Write resources as NDJSON (one JSON resource a line), owner-only and atomically.

    Args:
        resources: ``Flag`` objects from :func:`fhir_flags`.
        path: The file.
        stage: Stage the file into a night instead (``cpflag.io.write_text``).

    Raises:
        CpflagError: The file cannot be written.
    """
    lines = [json.dumps(json.loads(r.model_dump_json(exclude_none=True))) for r in resources]
    write_text(path, "".join(line + "\n" for line in lines), stage=stage)
