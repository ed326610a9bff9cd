"""Name normalisation, surname parts and phonetic keys."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import _names as names_module
from cpflag.normalise import name_parts, normalise_name, phonetic_key
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)


def _norm(values: list[str | None]) -> list[str | None]:
    return normalise_name(pl.Series(values, dtype=pl.String)).to_list()


_LETTERS = set("abcdefghijklmnopqrstuvwxyz ")


@FAST
@given(st.lists(gen.NAMES, max_size=20))
def test_matches_reference_and_is_idempotent(values: list[str | None]) -> None:
    normalised = normalise_name(pl.Series(values, dtype=pl.String))
    once = normalised.to_list()
    assert once == [ref.name(v) for v in values]
    assert _norm(once) == once
    for v in once:
        assert v is None or (v == v.strip() and "  " not in v and set(v) <= _LETTERS)
    assert name_parts(normalised).to_list() == [ref.parts(v) for v in once]
    assert phonetic_key(normalised).to_list() == [ref.phonetic(v) for v in once]


@pytest.mark.parametrize(
    "raw",
    [
        "O'Brien",
        "O`Brien",
        "O’Brien",
        "OBrien",
        "O Brien",
        "o'brien",
        "O´Brien",
        "O-Brien",
        "  O'BRIEN ",
    ],
)
def test_obrien_forms_agree(raw: str) -> None:
    assert _norm([raw]) == ["obrien"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("JosÃ©", "jose"),  # UTF-8 read as Windows-1252
        ("MÃ¼ller", "muller"),
        ("Ã“Brien", "obrien"),  # "Ó" mojibake then joined "o"
        ("WÅ‚odzimierz", "wlodzimierz"),  # Polish ł through mojibake
        ("O\u00e2\u20ac\u2122Brien", "obrien"),  # "’" mojibake
        ("ZoÃƒÂ«", "zoe"),  # double mojibake
        ("Ødegård", "odegard"),
        ("Straße", "strasse"),
        ("Ærø", "aero"),
        ("Łukasz", "lukasz"),
        ("Đorđe", "dorde"),
        ("Nguyễn", "nguyen"),
        ("Ştefan", "stefan"),
        ("Smith-Jones", "smith jones"),
        ("Smith  -  Jones", "smith jones"),
        ("Mr John Smith", "john smith"),
        ("Dr. Mrs. Smith", "smith"),
        ("Master Alfie", "alfie"),
        ("Mr", "mr"),  # a title alone is kept: there is nothing else
        ("Smith2", "smith"),
        ("J0hn", "jhn"),
        ("Mc Donald", "mcdonald"),
        ("Mac Donald", "macdonald"),
        ("Mac", "mac"),
        ("BEGUM", "begum"),
        ("Kaur", "kaur"),
        ("123", None),
        ("  ", None),
        ("-", None),
        (None, None),
    ],
)
def test_examples(raw: str | None, expected: str | None) -> None:
    assert _norm([raw]) == [expected]


def test_keeps_length_order_and_series_name() -> None:
    s = pl.Series("given_name", ["Amy", None, "  ", "Bo"])
    out = normalise_name(s)
    assert out.name == "given_name"
    assert out.to_list() == ["amy", None, None, "bo"]
    assert normalise_name(pl.Series([], dtype=pl.String)).len() == 0


@pytest.mark.parametrize(
    ("normalised", "expected"),
    [
        ("smith jones", ["smith", "jones"]),
        ("de la cruz", ["cruz"]),
        ("van der berg", ["berg"]),
        ("ahmed bin ali", ["ahmed", "ali"]),
        ("al hassan", ["hassan"]),
        ("st john", ["john"]),
        ("van der", ["van", "der"]),
        ("begum", ["begum"]),
        (None, None),
    ],
)
def test_name_parts(normalised: str | None, expected: list[str] | None) -> None:
    assert name_parts(pl.Series([normalised], dtype=pl.String)).to_list() == [expected]


def test_hyphenated_surname_shares_a_part_with_each_half() -> None:
    fam = name_parts(normalise_name(pl.Series(["Smith-Jones", "Smith", "Jones", "Begum"])))
    sets = [set(p) for p in fam.to_list()]
    assert sets[0] & sets[1]
    assert sets[0] & sets[2]
    assert not sets[3] & sets[0]


def test_phonetic_key_examples() -> None:
    out = phonetic_key(
        pl.Series(["mohammed", "muhammad", "smith jones", "kaur", "khan", None, "w"])
    )
    assert out.to_list() == ["MHMT", "MHMT", "SM0 JNS", "KR", "KHN", None, None]


def test_phonetic_key_runs_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = names_module.jellyfish.metaphone

    def counting(word: str) -> str:
        calls.append(word)
        return str(real(word))

    monkeypatch.setattr(names_module.jellyfish, "metaphone", counting)
    out = phonetic_key(pl.Series(["smith"] * 1000 + ["jones"] * 1000 + [None]))
    assert out.n_unique() == 3
    assert sorted(calls) == ["jones", "smith"]
