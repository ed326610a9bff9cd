"""Newborn placeholder names ("Baby", "Baby of Smith", "Twin 1", ...)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import parse_newborn_placeholder
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)
COLS = ["given_name", "family_name", "is_newborn_placeholder", "placeholder_family", "twin_marker"]


def _parse(given: list[str | None], family: list[str | None]) -> list[tuple[object, ...]]:
    out = parse_newborn_placeholder(
        pl.Series(given, dtype=pl.String), pl.Series(family, dtype=pl.String)
    )
    assert out.columns == COLS
    return out.rows()


@FAST
@given(st.lists(st.tuples(gen.PLACEHOLDER_FIELDS, gen.PLACEHOLDER_FIELDS), max_size=12))
def test_matches_reference(pairs: list[tuple[str | None, str | None]]) -> None:
    given_names = [g for g, _ in pairs]
    family_names = [f for _, f in pairs]
    assert _parse(given_names, family_names) == [ref.newborn(g, f) for g, f in pairs]


@pytest.mark.parametrize(
    ("given_raw", "marker"),
    [
        ("Baby", None),
        ("BABY", None),
        ("Babyboy", None),
        ("Baby Boy", None),
        ("Baby Girl", None),
        ("BabyGirl", None),
        ("Infant", None),
        ("Newborn", None),
        ("New Born", None),
        ("Unborn", None),
        ("Unborn Baby", None),
        ("BB", None),
        ("BG", None),
        ("Baby A", "a"),
        ("Baby B", "b"),
        ("Baby-C", "c"),
        ("Twin 1", "1"),
        ("Twin 2", "2"),
        ("Twin1", "1"),
        ("TWIN TWO", "2"),
        ("Baby Boy 1", "1"),
        ("Baby (A)", "a"),
        ("Triplet 3", "3"),
    ],
)
def test_placeholder_given_with_family(given_raw: str, marker: str | None) -> None:
    assert _parse([given_raw], ["Smith"]) == [(None, "smith", True, "smith", marker)]


@pytest.mark.parametrize(
    ("given_raw", "family_raw", "expected"),
    [
        (None, "Baby of Smith", (None, "smith", True, "smith", None)),
        ("", "BABY OF SMITH", (None, "smith", True, "smith", None)),
        ("Baby", "Baby Of Smith-Jones", (None, "smith jones", True, "smith jones", None)),
        (None, "Smith (baby of)", (None, "smith", True, "smith", None)),
        ("Olivia", "Baby of Smith", ("olivia", "smith", True, "smith", None)),
        ("Baby of Smith", None, (None, "smith", True, "smith", None)),
        ("Baby of Smith", "", (None, "smith", True, "smith", None)),
        ("Twin 1 of Smith", None, (None, "smith", True, "smith", "1")),
        ("Baby A Smith", None, (None, "smith", True, "smith", "a")),
        (None, "Baby A Smith", (None, "smith", True, "smith", "a")),
        ("B/O Smith", None, (None, "smith", True, "smith", None)),
        (None, "B/O SMITH", (None, "smith", True, "smith", None)),
        ("Baby of Smith Twin 2", None, (None, "smith", True, "smith", "2")),
        ("Baby Boy Smith", "Smith", (None, "smith", True, "smith", None)),
        # The words after the head are a given name when the family is given apart.
        ("Baby Olivia", "Smith", ("olivia", "smith", True, "smith", None)),
        # The surname the placeholder text carries wins for placeholder_family.
        ("Baby of Smith", "Jones", (None, "jones", True, "smith", None)),
        ("Baby", None, (None, None, True, None, None)),
        (None, "Baby", (None, None, True, None, None)),
        ("Baby", "Baby", (None, None, True, None, None)),
    ],
)
def test_placeholder_forms(
    given_raw: str | None, family_raw: str | None, expected: tuple[object, ...]
) -> None:
    assert _parse([given_raw], [family_raw]) == [expected]


@pytest.mark.parametrize(
    ("given_raw", "family_raw", "expected"),
    [
        ("Babylon", "Jones", ("babylon", "jones")),
        ("Babyface", "Smith", ("babyface", "smith")),
        ("Abbey", "Babington", ("abbey", "babington")),
        ("Bobby", "Newbornson", ("bobby", "newbornson")),
        # "Baby" is a real given name and surname in Kerala naming.
        ("Jincy", "Baby", ("jincy", "baby")),
        ("Twinkle", "Smith", ("twinkle", "smith")),
        ("Mary", "Smith-Jones", ("mary", "smith jones")),
        ("Mr O'Brien", None, ("obrien", None)),
        (None, None, (None, None)),
    ],
)
def test_real_names_are_not_placeholders(
    given_raw: str | None, family_raw: str | None, expected: tuple[str | None, str | None]
) -> None:
    assert _parse([given_raw], [family_raw]) == [(*expected, False, None, None)]


def test_twins_keep_distinct_markers_and_order() -> None:
    rows = _parse(
        ["Baby A", "Baby B", "Amy", "Twin 2"], ["Smith", "Smith", "Smith", "Baby of Smith"]
    )
    assert [r[4] for r in rows] == ["a", "b", None, "2"]
    assert [r[2] for r in rows] == [True, True, False, True]


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="differ"):
        parse_newborn_placeholder(pl.Series(["a"]), pl.Series(["b", "c"]))


def test_empty() -> None:
    out = parse_newborn_placeholder(pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.String))
    assert out.shape == (0, 5)
    assert out.schema["is_newborn_placeholder"] == pl.Boolean
