"""The generic linker: text dates of birth (polars 2), no guards, parameters estimated."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cpflag import synth
from cpflag.linkage import Linker, default_model


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
