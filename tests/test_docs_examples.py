"""Every ```python block of README.md and docs/**/*.md runs as written.

Each block runs on its own, in a fresh temporary working directory holding the
demo data (``cpflag.synth.write(cpflag.synth.generate(scale="demo", seed=0),
tmp)``: ``attendances.csv``, ``plans.csv``, ``manifest.csv``), so a block may
name those files and nothing else it has not defined itself. A failure names
the file and the block number (1-based, counting the file's python blocks).

A block that cannot run here (it needs Splink, a database, a trust's files)
is fenced ```python no-run, and must be listed in :data:`NO_RUN` with the
reason: the marker is meant to stay rare. Bash blocks are not executed.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import attrs
import pytest

from cpflag import synth

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

#: A fenced block: the info string (``python``, ``python no-run``, ``bash``) and the body.
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
PYTHON = ("python", "py")

#: ``(file, block number): why it cannot run`` for every ```python no-run block.
NO_RUN: dict[tuple[str, int], str] = {}
#: At most this share of the python blocks may be no-run.
MAX_NO_RUN_SHARE = 0.2


@attrs.frozen
class Block:
    file: str
    number: int
    line: int
    code: str
    run: bool

    @property
    def id(self) -> str:
        return f"{self.file}#{self.number}"


def python_blocks(text: str, file: str) -> list[Block]:
    """The python blocks of a Markdown text, numbered from 1 in the order they come."""
    blocks = []
    for match in FENCE.finditer(text):
        words = match["info"].split()
        if not words or words[0] not in PYTHON:
            continue
        line = text.count("\n", 0, match.start()) + 1
        run = "no-run" not in words[1:]
        blocks.append(Block(file, len(blocks) + 1, line, match["body"], run))
    return blocks


def _label(path: Path) -> str:
    """``README.md``, ``input.md``, ``safety/hazard-log.md``: the file as the docs name it."""
    return path.name if path.parent == ROOT else path.relative_to(ROOT / "docs").as_posix()


BLOCKS = [b for path in DOCS for b in python_blocks(path.read_text("utf-8"), _label(path))]


@pytest.fixture(scope="module")
def demo_data() -> synth.SynthData:
    return synth.generate(scale="demo", seed=0)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.run], ids=lambda b: b.id)
def test_example_runs(
    block: Block,
    demo_data: synth.SynthData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    synth.write(demo_data, tmp_path)
    monkeypatch.chdir(tmp_path)
    code = compile(block.code, f"{block.file} (python block {block.number})", "exec")
    try:
        exec(code, {"__name__": "__docs_example__"})
    except Exception:
        pytest.fail(
            f"{block.file}, python block {block.number} (line {block.line}) failed:\n"
            + traceback.format_exc(),
            pytrace=False,
        )
    capsys.readouterr()  # the examples print; their output is not checked


def test_there_are_examples_to_run() -> None:
    files = {b.file for b in BLOCKS if b.run}
    assert {"README.md", "input.md", "linkage.md", "repeat-attendance.md"} <= files
    assert len([b for b in BLOCKS if b.run]) >= 5


def test_no_run_blocks_are_listed_and_rare() -> None:
    skipped = {(b.file, b.number) for b in BLOCKS if not b.run}
    assert skipped == set(NO_RUN), "every ```python no-run block is listed in NO_RUN, with why"
    assert len(skipped) <= MAX_NO_RUN_SHARE * len(BLOCKS)


def test_the_extractor_reads_markers_and_ignores_other_languages() -> None:
    text = (
        "Intro\n\n```python\nx = 1\n```\n\n```bash\ncpflag demo\n```\n\n"
        "```python no-run\nimport splink\n```\n\n```\nplain\n```\n\n```py\ny = 2\n```\n"
    )
    blocks = python_blocks(text, "t.md")
    assert [(b.number, b.line, b.code, b.run) for b in blocks] == [
        (1, 3, "x = 1\n", True),
        (2, 11, "import splink\n", False),
        (3, 19, "y = 2\n", True),
    ]
