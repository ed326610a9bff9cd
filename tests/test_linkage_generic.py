"""The generic linker: text dates of birth (polars 2), no guards, parameters estimated."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

import cpflag.normalise._names as names
from cpflag import synth
from cpflag.linkage import Linker, default_model, generic_model
from cpflag.linkage._linker import HOUSEHOLD_KEYS


def _people(dobs: list[str | None]) -> pl.DataFrame:
    n = len(dobs)
    return pl.DataFrame(
        {
            "rec_id": [f"p{i}" for i in range(n)],
            "given_name": ["Amy", "Bob", "Cat"][:n],
            "family_name": ["Smith", "Jones", "Khan"][:n],
            "date_of_birth": dobs,
            "sex": ["F", "M", "F"][:n],
            "postcode": ["LS1 1AA", "LS1 1AB", "LS2 9JT"][:n],
            "nhs_number": [None] * n,
        },
        schema_overrides={"date_of_birth": pl.String, "nhs_number": pl.String},
    )


def test_link_reads_text_dates_as_the_typed_ones() -> None:
    text = _people(["2015-03-02", "02/03/2015", "not a date"])
    typed = text.with_columns(
        pl.Series("date_of_birth", [dt.date(2015, 3, 2), dt.date(2015, 3, 2), None])
    )
    linker = Linker(model=default_model())
    from_text = linker.link(text, text).pairs
    from_typed = linker.link(typed, typed).pairs
    assert from_text.height > 0
    assert from_text.equals(from_typed)


def test_the_generic_linker_has_no_guards_and_estimates_by_default() -> None:
    generic = Linker()
    assert generic.estimate
    assert generic.model.guards == ()
    assert not Linker(model=default_model()).estimate
    assert not generic.train(_people(["2015-03-02", "2016-01-01"])).estimate


def test_the_generic_linker_links_demo_people_without_guards() -> None:
    data = synth.generate(scale="demo", seed=3)
    res = Linker().link(data.attendances, data.plans)
    assert res.pairs.height > 0
    assert res.pairs["guard"].null_count() == res.pairs.height


def _pair(dob_right: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One child on both sides: same names, postcode and NHS number absent, dob differing."""
    left = _people(["2015-03-02"])
    right = _people([dob_right])
    return left, right


def test_link_with_the_generic_model_is_not_capped_by_the_cp_guards() -> None:
    # Names, sex and postcode agree; the date of birth is missing on one side
    # and there is no NHS number: the flag model's no_identity_anchor and
    # name_and_dob_only guards cap this at review, the generic model does not.
    left, right = _pair(None)
    fixed = Linker(model=default_model()).link(left, right, min_weight=-100).pairs
    assert fixed["capped"].to_list() == [True]
    generic = generic_model().evolve_levels({})
    res = Linker(model=generic, estimate=False).link(left, right, min_weight=-100)
    assert res.pairs["capped"].to_list() == [False]
    assert res.pairs["guard"].to_list() == [None]
    assert res.pairs["band"].to_list() == ["match"]


def test_estimating_by_default_changes_the_shipped_parameters() -> None:
    data = synth.generate(scale="demo", seed=5)
    res = Linker().link(data.attendances, data.plans)
    assert res.model is not None
    assert "re-estimated" in res.model.name
    shipped = generic_model()
    moved = [
        c.name
        for c, s in zip(res.model.comparisons, shipped.comparisons, strict=True)
        if any(abs(a.m - b.m) > 1e-3 for a, b in zip(c.levels, s.levels, strict=True))
    ]
    assert len(moved) >= 3
    assert res.model.prior != shipped.prior
    # The keyword that keeps a given model as it is.
    kept = Linker(model=shipped, estimate=False).link(data.attendances, data.plans)
    assert kept.model == shipped


def test_link_pairs_carry_levels_and_weights_not_values() -> None:
    left, right = _pair("2015-03-02")
    cols = Linker().link(left, right, min_weight=-100).pairs.columns
    assert not [c for c in cols if c.startswith(("l_", "r_"))]
    assert {"l", "r", "rule", "match_weight", "match_probability", "band"} <= set(cols)


def test_generic_rules_pair_two_keys_and_no_household_rule() -> None:
    for rule in generic_model().blocking_rules:
        keys = set(rule.left_keys)
        assert len(keys) >= 2 or keys == {"nhs"}
        assert not keys <= HOUSEHOLD_KEYS


def _febrl_like() -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[int, int]]]:
    """40 people and their corrupted copies (a typo, a missing or swapped date), shuffled."""
    rng = np.random.default_rng(3)
    given = ["Amy", "Ben", "Cara", "Dev", "Ella", "Finn", "Gita", "Hugo", "Isla", "Jack"]
    family = ["Smith", "Okafor", "Nowak", "Patel", "Jones", "Kaur", "Brown", "Ahmed"]
    n = 40
    base = pl.DataFrame(
        {
            "given_name": [given[i % 10] for i in range(n)],
            "family_name": [family[(i * 7 // 10) % 8] + ("" if i < 20 else "e") for i in range(n)],
            "date_of_birth": [dt.date(1950 + i, 1 + i % 12, 1 + (i * 3) % 28) for i in range(n)],
            "sex": ["F" if i % 2 else "M" for i in range(n)],
            "postcode": [f"LS{1 + i % 9} {i % 10}A{'BCDEFGHJ'[i % 8]}" for i in range(n)],
        }
    )
    typo = pl.col("family_name").str.slice(0, 3) + "x" + pl.col("family_name").str.slice(4)
    copy = base.with_columns(
        pl.when(pl.int_range(pl.len()) % 4 == 0)
        .then(typo)
        .otherwise("family_name")
        .alias("family_name"),
        pl.when(pl.int_range(pl.len()) % 5 == 1)
        .then(None)
        .otherwise(pl.col("date_of_birth"))
        .alias("date_of_birth"),
    )
    order = rng.permutation(n)
    right = copy[order.tolist()]
    truth = [(int(order[j]), j) for j in range(n)]
    return base, right, truth


def test_a_febrl_like_link_is_found_unsupervised() -> None:
    left, right, truth = _febrl_like()
    res = Linker().link(left, right, min_weight=0.0)
    found = set(
        zip(
            *res.pairs.filter(pl.col("match_probability") >= 0.5)
            .select("l", "r")
            .to_dict(as_series=False)
            .values(),
            strict=True,
        )
    )
    tp = len(found & set(truth))
    assert tp >= 36
    assert len(found) - tp <= 2


def test_phonetic_keys_are_computed_once_per_distinct_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = names.jellyfish.metaphone

    def counting(word: str) -> str:
        calls.append(word)
        return str(real(word))

    monkeypatch.setattr(names.jellyfish, "metaphone", counting)
    people = _people(["2015-03-02", "2016-01-01", "2017-05-05"]).vstack(
        _people(["2015-03-02", "2016-01-01", "2017-05-05"])
    )
    Linker().prepare(people)
    # Three distinct given names and three surnames, each keyed once, for six rows.
    assert sorted(calls) == sorted(set(calls))
    assert len(calls) == 6
