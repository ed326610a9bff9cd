"""The performance shortcuts give the answers of the plain ways they replace."""

from __future__ import annotations

import polars as pl
import pytest

from cpflag.io._decode import _UTF8_CHUNK, _is_utf8
from cpflag.linkage import BlockingRule, block
from cpflag.linkage import _distinct as linkage_distinct
from cpflag.linkage._comparisons import compute_levels
from cpflag.linkage._distinct import distinct_rows


def _names_frame(n: int) -> pl.DataFrame:
    given = ["alfie", "alfred", "oliver", "ollie", None, "izzy", "isabella", "alf"]
    groups = {
        "alfie": ["alfie", "alfred"],
        "alfred": ["alfred"],
        "alf": ["alf", "alfred"],
        "oliver": ["oliver"],
        "ollie": ["oliver", "ollie"],
        "izzy": ["isabella", "izzy"],
        "isabella": ["isabella"],
    }
    rows = []
    for i in range(n):
        a, b = given[i % len(given)], given[(i * 5 + 3) % len(given)]
        rows.append(
            {
                "l_given_first": a,
                "r_given_first": b,
                "l_given_groups": groups.get(a) if a else None,
                "r_given_groups": groups.get(b) if b else None,
                "l_given_ph": a[:2] if a else None,
                "r_given_ph": b[:2] if b else None,
            }
        )
    return pl.DataFrame(rows)


def test_distinct_rows_refuses_colliding_hashes() -> None:
    keys = pl.DataFrame({"a": ["x", "y", "x"], "b": ["p", "p", "p"]})
    assert distinct_rows(keys, pl.Series([7, 7, 7], dtype=pl.UInt64)) is None
    reps, inverse = distinct_rows(keys, pl.Series([1, 2, 1], dtype=pl.UInt64)) or (None, None)
    assert reps is not None
    assert inverse is not None
    assert reps.to_list() == [0, 1]
    assert inverse.to_list() == [0, 1, 0]


@pytest.mark.parametrize("collide", [False, True])
def test_distinct_levels_equal_direct_levels(
    monkeypatch: pytest.MonkeyPatch, collide: bool
) -> None:
    frame = _names_frame(400)
    direct = compute_levels(frame, "given_name")
    monkeypatch.setattr(linkage_distinct, "DISTINCT_MIN_PAIRS", 0)
    if collide:  # the exact (string) path, taken when a hash collision is found
        monkeypatch.setattr(linkage_distinct, "distinct_rows", lambda *_: None)
    assert compute_levels(frame, "given_name").equals(direct)


def test_block_keeps_first_rule_and_counts_distinct_pairs() -> None:
    left = pl.DataFrame(
        {"rec": [0, 1], "k": ["a", "b"], "parts": [["x", "y"], ["z"]]},
        schema={"rec": pl.UInt32, "k": pl.String, "parts": pl.List(pl.String)},
    )
    right = pl.DataFrame(
        {"rec": [0, 1, 2], "k": ["a", "a", "b"], "parts": [["y", "x"], ["q"], ["z"]]},
        schema={"rec": pl.UInt32, "k": pl.String, "parts": pl.List(pl.String)},
    )
    rules = [BlockingRule("parts", ("parts",)), BlockingRule("k", ("k",))]
    cand = block(left, right, rules)
    # (0, 0) agrees on two parts: one pair, found first by "parts".
    assert cand.rule_counts == {"parts": 2, "k": 3}
    assert cand.pairs.rows() == [(0, 0, 0), (0, 1, 1), (1, 2, 0)]
    deduped = block(right, right, rules, dedupe=True)
    assert deduped.pairs.rows() == [(0, 1, 1)]


def test_utf8_check_across_chunks() -> None:
    e_acute = "é".encode()
    # A two-byte character split by a chunk boundary is fine ...
    assert _is_utf8(b"x" * (_UTF8_CHUNK - 1) + e_acute + b"y" * 10)
    # ... a lead byte followed by an all-ASCII chunk is not ...
    assert not _is_utf8(b"x" * (_UTF8_CHUNK - 1) + e_acute[:1] + b"y" * _UTF8_CHUNK)
    # ... nor a sequence left open at the end, nor a stray continuation byte.
    assert not _is_utf8(b"x" * (_UTF8_CHUNK * 2) + e_acute[:1])
    assert not _is_utf8(b"x" * (_UTF8_CHUNK + 5) + e_acute[1:] + b"x")
    assert _is_utf8(b"plain ascii")
    assert _is_utf8(b"")
