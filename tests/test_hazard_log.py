"""The hazard log (docs/safety/hazard-log.md) names real tests, for every hazard.

Every ``tests/<file>.py::<test>`` it names must be a test function of that file
(read with ``ast``, so a renamed or deleted test fails here), and each hazard
must name at least one.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")
HEADING = re.compile(r"^## (H\d+) (.+)$", re.MULTILINE)

#: The hazards the log must cover (issue 15).
HAZARDS = (
    "Missed child",
    "Wrong child",
    "Twin merge",
    "Stale list",
    "Non-sharing LA",
    "False reassurance",
    "Alert fatigue from the review band",
    "Notification to the wrong LA",
)


def _sections() -> dict[str, str]:
    text = LOG.read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    return {
        m[2]: text[m.end() : heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        for i, m in enumerate(heads)
    }


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")
    }


REFS = sorted(set(TEST_REF.findall(LOG.read_text(encoding="utf-8"))))


def test_every_hazard_has_a_section_with_a_cause_a_control_and_a_test() -> None:
    sections = _sections()
    for hazard in HAZARDS:
        assert hazard in sections, hazard
        body = sections[hazard]
        assert "**Causes.**" in body, hazard
        assert "**Controls in cpflag.**" in body, hazard
        assert TEST_REF.search(body), f"{hazard}: no test named"


@pytest.mark.parametrize(("file", "name"), REFS, ids=[f"{f}::{n}" for f, n in REFS])
def test_every_test_named_in_the_hazard_log_exists(file: str, name: str) -> None:
    path = ROOT / file
    assert path.is_file(), f"{file} does not exist"
    assert name in _test_names(path), f"{file} has no test {name}"


def test_the_log_names_tests() -> None:
    assert len(REFS) >= len(HAZARDS)
