"""Issue 17, failure 2: batches are matched in chunks with the same flags."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import cpflag
from cpflag import synth
from cpflag.engine._batch import run_batch


@pytest.fixture(scope="module")
def demo() -> synth.SynthData:
    return synth.generate(scale="demo", seed=7)


@pytest.mark.parametrize("chunk_size", [1_000_000, 97])
def test_chunked_flags_are_the_unchunked_flags(demo: synth.SynthData, chunk_size: int) -> None:
    index = cpflag.build_index(demo.plans)
    att = demo.attendances
    whole = index.run(att, chunk_size=1_000_000)
    chunked = index.run(att, chunk_size=chunk_size)
    assert whole.flags.height > 20
    assert_frame_equal(chunked.flags, whole.flags)
    assert chunked.candidate_pairs == whole.candidate_pairs


def test_run_flagging_chunks_and_repeats_see_the_whole_batch(demo: synth.SynthData) -> None:
    as_of = demo.attendances["arrival_time"].max().date()
    whole = cpflag.run_flagging(demo.attendances, demo.plans, as_of=as_of)
    chunked = cpflag.run_flagging(demo.attendances, demo.plans, as_of=as_of, chunk_size=150)
    assert_frame_equal(chunked.flags, whole.flags)
    assert chunked.rejects.equals(whole.rejects)


def test_a_bad_chunk_size_is_refused(demo: synth.SynthData) -> None:
    index = cpflag.build_index(demo.plans)
    with pytest.raises(ValueError, match="chunk_size"):
        run_batch(index, demo.attendances.head(0).pipe(pl.DataFrame), chunk_size=0)
