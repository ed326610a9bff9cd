"""FHIR R4 Flag output, validated by fhir.resources."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import cpflag
from cpflag import loop
from cpflag.loop._fhir import CODE_SYSTEM
from tests.helpers import attendances
from tests.loop_cases import AMELIA, OLIVER, OLIVER_NHS, P_AMELIA, P_OLIVER, plan_rows, visit

flag_module = pytest.importorskip("fhir.resources.R4B.flag")

D = dt.date


def _resources() -> list[object]:
    att = attendances([visit("A1", OLIVER, D(2026, 11, 24)), visit("A2", AMELIA, D(2026, 11, 24))])
    plans = plan_rows(P_OLIVER, {**P_AMELIA, "end_date": D(2027, 1, 31)})
    flags = cpflag.flag(att, plans)
    assert flags.height == 2
    return loop.fhir_flags(flags, att, plans)


def test_flags_become_valid_fhir_r4_flags() -> None:
    res = _resources()
    assert all(isinstance(r, flag_module.Flag) for r in res)
    oliver, amelia = (json.loads(r.model_dump_json(exclude_none=True)) for r in res)
    assert oliver["resourceType"] == "Flag"
    assert oliver["status"] == "active"
    assert oliver["category"][0]["coding"][0]["code"] == "safety"
    assert oliver["code"]["coding"][0] == {
        "system": CODE_SYSTEM,
        "code": "plan_subject",
        "display": "plan subject",
    }
    assert oliver["subject"]["identifier"] == {
        "system": "https://fhir.nhs.uk/Id/nhs-number",
        "value": OLIVER_NHS,
    }
    assert oliver["period"] == {"start": "2025-01-01"}
    evidence = {e["url"]: e for e in oliver["extension"][0]["extension"]}
    assert evidence["band"]["valueString"] == "match"
    assert evidence["plan_id"]["valueString"] == "P1"
    assert "nhs_number exact" in evidence["reasons"]["valueString"]
    # No NHS number: the subject is named by the attendance id.
    assert amelia["subject"]["identifier"]["value"] == "A2"
    assert amelia["period"] == {"start": "2025-01-01", "end": "2027-01-31"}
    # Round trip through the library's parser.
    for r in res:
        again = flag_module.Flag.model_validate_json(r.model_dump_json())
        assert again == r


def test_the_library_rejects_a_broken_resource() -> None:
    with pytest.raises(ValueError, match="subject"):
        flag_module.Flag.model_validate(
            {"resourceType": "Flag", "status": "active", "code": {"text": "x"}}
        )


def test_ndjson_file(tmp_path: Path) -> None:
    path = tmp_path / "flags.ndjson"
    loop.write_fhir(_resources(), path)
    lines = path.read_text().splitlines()
    assert len(lines) == 2
    assert [json.loads(x)["resourceType"] for x in lines] == ["Flag", "Flag"]
    assert path.stat().st_mode & 0o077 == 0


def test_empty_flags_give_no_resources() -> None:
    assert loop.fhir_flags(cpflag.flag(attendances([]), plan_rows(P_OLIVER))) == []
