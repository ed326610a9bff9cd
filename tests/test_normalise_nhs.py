"""NHS number normalisation: reference equality, Modulus 11 properties, traps."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import is_valid_nhs_number, nhs_check_digit, normalise_nhs_number
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=200, deadline=None)


@FAST
@given(st.lists(gen.NHS_NUMBERS, max_size=20))
def test_matches_reference(values: list[str | None]) -> None:
    out = normalise_nhs_number(pl.Series(values, dtype=pl.String))
    assert out.columns == ["nhs_number", "nhs_status"]
    assert out.rows() == [ref.nhs(v) for v in values]


@FAST
@given(gen.valid_nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_valid_numbers_pass_and_single_digit_corruptions_fail(
    number: str, position: int, shift: int
) -> None:
    assert is_valid_nhs_number(number)
    assert nhs_check_digit(number[:9]) == int(number[9])
    corrupt = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert not is_valid_nhs_number(corrupt)
    out = normalise_nhs_number(pl.Series([number, corrupt]))
    assert out["nhs_status"].to_list()[0] == "valid"
    assert out["nhs_status"].to_list()[1] in ("bad_check_digit", "malformed")
    assert out["nhs_number"].to_list() == [number, None]


def test_known_examples_and_formats() -> None:
    out = normalise_nhs_number(
        pl.Series(["943 476 5919", "943-476-5919", " 9434765919\t", "9434765918", None, ""])
    )
    assert out["nhs_number"].to_list() == ["9434765919"] * 3 + [None] * 3
    assert out["nhs_status"].to_list() == ["valid"] * 3 + ["bad_check_digit", "missing", "missing"]


def test_remainder_ten_has_no_check_digit() -> None:
    # 1,0,0,0,0,0,0,0,1 -> 10 + 2 = 12; 12 mod 11 = 1; check 10: no valid number.
    assert nhs_check_digit("100000001") is None
    assert all(not is_valid_nhs_number("100000001" + str(d)) for d in range(10))
    out = normalise_nhs_number(pl.Series([f"100000001{d}" for d in range(10)]))
    assert set(out["nhs_status"]) == {"bad_check_digit"}


def test_same_digit_fillers_are_malformed_even_when_they_pass_modulus_11() -> None:
    assert nhs_check_digit("000000000") == 0  # 0000000000 passes the arithmetic
    assert nhs_check_digit("111111111") == 1  # and so does 1111111111
    fillers = [str(d) * 10 for d in range(10)]
    assert all(nhs_check_digit(f[:9]) == int(f[9]) for f in fillers)  # all pass mod 11
    assert not any(is_valid_nhs_number(f) for f in fillers)
    assert set(normalise_nhs_number(pl.Series(fillers))["nhs_status"]) == {"malformed"}


@pytest.mark.parametrize(
    "value", ["943476591", "94347659190", "943476591X", "９４３４７６５９１９", "943.476.5919"]
)
def test_malformed(value: str) -> None:
    assert normalise_nhs_number(pl.Series([value]))["nhs_status"][0] == "malformed"


def test_non_string_input_and_empty_series() -> None:
    out = normalise_nhs_number(pl.Series([9434765919, None], dtype=pl.Int64))
    assert out["nhs_number"].to_list() == ["9434765919", None]
    empty = normalise_nhs_number(pl.Series([], dtype=pl.String))
    assert empty.shape == (0, 2)
    assert empty.schema == {"nhs_number": pl.String, "nhs_status": pl.String}


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="nine ASCII digits"):
        nhs_check_digit("12345678")
    assert not is_valid_nhs_number("94347659l9")
