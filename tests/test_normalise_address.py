"""Address normalisation: tokens, house/flat numbers, street."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpflag.normalise import normalise_address
from tests import reference_normalise as ref
from tests import test_normalise_strategies as gen

FAST = settings(max_examples=150, deadline=None)
COLS = ["address", "address_numbers", "address_street"]


def _norm(values: list[str | None]) -> pl.DataFrame:
    out = normalise_address(pl.Series(values, dtype=pl.String))
    assert out.columns == COLS
    return out


@FAST
@given(st.lists(gen.ADDRESSES, max_size=15))
def test_matches_reference_and_is_idempotent(values: list[str | None]) -> None:
    once = _norm(values)
    assert once.rows() == [ref.address(v) for v in values]
    assert normalise_address(once["address"]).equals(once)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Flat 3, 12 High St", ("flat 3 12 high street", "3 12", "high street")),
        (
            "Flat 4, 12 High St, London SW1A 1AA",
            ("flat 4 12 high street london", "4 12", "high street"),
        ),
        ("12a High Street", ("12a high street", "12a", "high street")),
        ("12 A High St.", ("12a high street", "12a", "high street")),
        ("12 St Johns Rd, Leeds LS1 1AA", ("12 saint johns road leeds", "12", "saint johns road")),
        ("St. Mary's Close", ("saint marys close", None, "saint marys close")),
        # A lettered flat and a house number alone: the house "7b", as "7B" is written.
        ("Flat B, 7 Park Road", ("flat b 7 park road", "7b", "park road")),
        ("7B Park Road", ("7b park road", "7b", "park road")),
        # The flat number first wherever it is written.
        ("10 High Street, Flat 2", ("10 high street flat 2", "2 10", "high street")),
        ("Flat 2, 10 High St", ("flat 2 10 high street", "2 10", "high street")),
        ("Flat B, Block 4, 7 Park Rd", ("flat b block 4 7 park road", "b 4 7", "park road")),
        ("3/12 Rose Ct", ("3 12 rose court", "3 12", "rose court")),
        ("Apt 5, 1 Green Ln", ("flat 5 1 green lane", "5 1", "green lane")),
        ("1st Floor Flat, 12 High St", ("1st floor flat 12 high street", "12", "high street")),
        ("High Street 12", ("high street 12", "12", "high street")),
        (
            "Rose Cottage, Mill Lane, Harlow",
            ("rose cottage mill lane harlow", None, "rose cottage mill lane"),
        ),
        ("14 Acacia Ave ZZ99 3VZ", ("14 acacia avenue", "14", "acacia avenue")),
        ("SW1A 1AA", (None, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_examples(raw: str | None, expected: tuple[str | None, ...]) -> None:
    assert _norm([raw]).rows() == [expected]


def test_flats_in_one_block_differ_only_on_the_flat_number() -> None:
    out = _norm(
        [
            "Flat 3, 12 High St",
            "flat 4 12 high street",
            "FLAT 3 12 HIGH ST.",
            "Flt 3, 12, High Street, London",
        ]
    )
    assert out["address_street"].unique().to_list() == ["high street"]
    assert out["address_numbers"].to_list() == ["3 12", "4 12", "3 12", "3 12"]


@pytest.mark.parametrize(
    "value", ["gir 1st", "12 gir 1st", "5 High Street GIR 0AA", "5 High Street, gir0aa"]
)
def test_only_the_real_gir_postcode_is_stripped(value: str) -> None:
    # "GIR 0AA" is a postcode; "gir 1st" is not (found by hypothesis).
    assert _norm([value]).rows() == [ref.address(value)]
