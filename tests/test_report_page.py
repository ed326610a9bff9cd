"""The night's page (``cpflag.report.page``, ``cpflag report``) and ``cpflag explain --chart``.

The page must be well-formed HTML (parsed with :mod:`html.parser`: every
element closed in order), self-contained (no script, nothing fetched), lead
with what "no flag" means, list the LAs with no list, show the lists' ages and
the review worklist, and carry no identifying value.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

import cpflag
from cpflag.report import page
from tests.reliability_inputs import NAMES, flag_args, night, run

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _Checker(HTMLParser):
    """Fails on an element closed out of order or left open; collects text and images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.images: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(text: str) -> _Checker:
    assert text.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.errors == []
    assert checker.stack == [], f"left open: {checker.stack}"
    assert checker.tags.count("html") == checker.tags.count("body") == 1
    assert checker.tags.count("title") == 1
    return checker


@pytest.fixture(scope="module")
def night_run(tmp_path_factory: pytest.TempPathFactory) -> cpflag.FlagRun:
    att, plans, manifest = night(tmp_path_factory.mktemp("night"))
    config = cpflag.FlagConfig(expected_la_codes=("E08000035", "E09000001"))
    return cpflag.run_flagging(att, cpflag.build_index(plans, manifest=manifest, config=config))


def test_the_page_is_valid_self_contained_html(night_run: cpflag.FlagRun) -> None:
    text = page.night_page(night_run.flags, night_run.summary)
    checker = check_html(text)
    assert "script" not in checker.tags
    assert not re.search(r"""(src|href)=["']?https?:""", text)
    assert len(checker.images) == 3  # flags, scores, model
    for src in checker.images:
        head, _, data = src.partition(",")
        assert head == "data:image/svg+xml;base64"
        assert base64.b64decode(data).startswith(b"<svg")


def test_the_page_says_what_no_flag_means_and_which_lists_are_missing(
    night_run: cpflag.FlagRun,
) -> None:
    text = " ".join(check_html(page.night_page(night_run.flags, night_run.summary)).text)
    assert text.index(cpflag.NO_FLAG_MEANS) < text.index("Run summary")
    assert "NO LIST LOADED for E09000001" in text
    assert "E08000035" in text  # the list
    assert "2026-11-20" in text  # and its date
    for word in ("safe", "not on a plan"):  # only inside the note that denies it
        assert text.count(word) == cpflag.NO_FLAG_MEANS.count(word)


def test_the_worklist_holds_every_review_flag_and_no_identifying_value(
    night_run: cpflag.FlagRun,
) -> None:
    # One review flag made up from the run's own match, to have a worklist row.
    flags = night_run.flags.with_columns(
        pl.lit("review").alias("band"), pl.lit("compare <given> & names").alias("check")
    )
    text = page.night_page(flags, night_run.summary.to_dict())
    check_html(text)
    assert f"Review worklist ({flags.height})" in text
    assert "compare &lt;given&gt; &amp; names" in text  # values are escaped
    decoded = text + "".join(
        base64.b64decode(src.partition(",")[2]).decode() for src in check_html(text).images
    )
    for name in NAMES:
        assert name not in decoded


def test_cpflag_report_writes_the_page_from_the_nightly_outputs(tmp_path: Path) -> None:
    att, plans, manifest = night(tmp_path)
    out = tmp_path / "out" / "flags.csv"
    flagged = run(*flag_args(att, plans, manifest), "--out", out)
    assert flagged.exit_code == 0, flagged.output
    result = run("report", "--flags", out, "--out", tmp_path / "night.html")
    assert result.exit_code == 0, result.output
    check_html((tmp_path / "night.html").read_text(encoding="utf-8"))
    summary = json.loads(out.with_name("flags.summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] in (tmp_path / "night.html").read_text(encoding="utf-8")


def test_cpflag_report_refuses_a_missing_summary_and_a_bad_suffix(tmp_path: Path) -> None:
    flags = tmp_path / "flags.csv"
    flags.write_text("attendance_id,flag,plan_id,la_code,band\n", encoding="utf-8")
    result = run("report", "--flags", flags, "--out", tmp_path / "night.html")
    assert result.exit_code == 2
    assert "--summary" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "flags.summary.json").write_text("{}", encoding="utf-8")
    result = run("report", "--flags", flags, "--out", tmp_path / "night.txt")
    assert result.exit_code == 2
    assert ".html" in result.output
    assert not (tmp_path / "night.txt").exists()


@pytest.mark.parametrize("suffix", [".html", ".png", ".svg"])
def test_explain_chart_writes_the_waterfall(tmp_path: Path, suffix: str) -> None:
    att, plans, manifest = night(tmp_path)
    chart = tmp_path / f"waterfall{suffix}"
    args = ["explain", "--attendances", att, "--plans", plans, "--manifest", manifest]
    result = run(*args, "--attendance-id", "A1", "--plan-id", "P1", "--chart", chart)
    assert result.exit_code == 0, result.output
    assert "match weight" in result.output
    assert chart.stat().st_size > 1000
    if suffix != ".png":
        text = chart.read_text(encoding="utf-8")
        for name in NAMES:
            assert name not in text


def test_explain_refuses_an_unknown_chart_suffix_before_reading(tmp_path: Path) -> None:
    att, plans, _ = night(tmp_path)
    args = ["explain", "--attendances", att, "--plans", plans]
    result = run(*args, "--attendance-id", "A1", "--plan-id", "P1", "--chart", tmp_path / "w.pdf")
    assert result.exit_code == 2
    assert "--chart" in result.output
    assert "match weight" not in result.output


def test_without_the_charts_extra_report_is_one_clean_error(tmp_path: Path) -> None:
    flags = tmp_path / "flags.csv"
    flags.write_text("attendance_id,flag,plan_id,la_code,band\n", encoding="utf-8")
    (tmp_path / "flags.summary.json").write_text("{}", encoding="utf-8")
    code = (
        "import sys\n"
        "sys.modules['altair'] = None  # as if the extra were not installed\n"
        "from cpflag.cli import main\n"
        f"main(['report', '--flags', {str(flags)!r}, '--out', {str(tmp_path / 'n.html')!r}])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert 'pip install "cpflag[charts]"' in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "n.html").exists()
