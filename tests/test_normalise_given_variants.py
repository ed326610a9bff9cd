"""Given-name variant groups (nicknames and transliterations)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import given_name_groups, given_name_variant_map, normalise_name
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)

_KNOWN = sorted(given_name_variant_map())
_GIVEN = st.one_of(
    st.sampled_from(_KNOWN),
    st.sampled_from(_KNOWN).map(lambda n: n + " marie"),
    st.sampled_from(_KNOWN).map(str.title),
    gen.NAMES,
)


def _groups(values: list[str | None]) -> list[list[str] | None]:
    return given_name_groups(pl.Series(values, dtype=pl.String)).to_list()


def _agree(a: str, b: str) -> bool:
    ga, gb = _groups([a, b])
    assert ga is not None
    assert gb is not None
    return bool(set(ga) & set(gb))


@FAST
@given(st.lists(_GIVEN, max_size=20))
def test_matches_reference(values: list[str | None]) -> None:
    normalised = normalise_name(pl.Series(values, dtype=pl.String))
    assert _groups(normalised.to_list()) == [ref.groups(v) for v in normalised]


@FAST
@given(st.sampled_from(_KNOWN), st.sampled_from(_KNOWN))
def test_agreement_is_symmetric_and_reflexive(a: str, b: str) -> None:
    assert _agree(a, a)
    assert _agree(a, b) == _agree(b, a)


def test_variant_map_covers_package_and_curated_file() -> None:
    m = given_name_variant_map()
    assert "alfred" in m["alfie"]  # curated
    assert "oliver" in m["ollie"]  # package and curated
    assert "muhammad" in m["mohammed"]
    assert all(k not in v for k, v in m.items())
    assert all(v == tuple(sorted(v)) for v in m.values())
    assert given_name_variant_map() is m  # cached


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("alfie", "alfred"),
        ("ollie", "oliver"),
        ("izzy", "isabella"),
        ("issy", "isobel"),
        ("archie", "archibald"),
        ("charlie", "charlotte"),
        ("charlie", "charles"),
        ("freddie", "alfred"),
        ("harry", "henry"),
        ("millie", "amelia"),
        ("ellie", "eleanor"),
        ("lottie", "charlotte"),
        ("evie", "evelyn"),
        ("teddy", "theodore"),
        ("theo", "theodore"),
        ("jack", "john"),
        ("mo", "mohammed"),
        ("mohammed", "muhammad"),
        ("mohamed", "mohammad"),
        ("muhammed", "mohammod"),
        ("md", "mohammed"),
        ("aleksander", "alexander"),
        ("oleksandr", "aleksandr"),
        ("yusuf", "yousef"),
        ("fatima", "fatimah"),
        ("aisha", "ayesha"),
        ("ibrahim", "ebrahim"),
        ("sofia", "sophia"),
        ("zofia", "sophie"),
        ("kasia", "katarzyna"),
        ("katarzyna", "catherine"),
        ("mikolaj", "nicholas"),
        ("maciej", "matthew"),
        # Diminutives the nicknames package lacks (English, Polish, Russian,
        # Yoruba, Punjabi short forms common in England).
        ("liv", "olivia"),
        ("livvy", "olivia"),
        ("abi", "abigail"),
        ("frankie", "francesca"),
        ("georgie", "georgia"),
        ("ola", "aleksandra"),
        ("tomek", "tomasz"),
        ("magda", "magdalena"),
        ("misha", "mikhail"),
        ("tobi", "oluwatobi"),
        ("femi", "olufemi"),
        ("seun", "oluwaseun"),
        ("ravi", "ravinder"),
    ],
)
def test_known_variants_agree(a: str, b: str) -> None:
    assert _agree(a, b)
    assert _agree(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("alfred", "albert"),
        ("oliver", "olivia"),
        ("liv", "oliver"),
        ("muhammad", "ahmad"),
        ("jack", "james"),
    ],
)
def test_membership_is_not_transitive(a: str, b: str) -> None:
    assert not _agree(a, b)


def test_first_word_only_nulls_and_unknown_names() -> None:
    assert _groups(["alfie james", None, "zzyzx", "sw"]) == [
        ["alfie", "alfred"],
        None,
        ["zzyzx"],
        ["sw"],
    ]
    out = given_name_groups(pl.Series("g", [], dtype=pl.String))
    assert out.name == "g"
    assert out.dtype == pl.List(pl.String)
