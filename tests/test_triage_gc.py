"""The triage path's default freeze of the garbage collector is safe for the index."""

from __future__ import annotations

import gc
import weakref

import cpflag
from cpflag import synth


def test_index_is_freed_by_reference_counting_alone() -> None:
    # The premise of freezing by default: a frozen index that is replaced and
    # dropped is freed at once, without the collector (no reference cycles).
    data = synth.generate(scale="demo", seed=7)
    index = cpflag.build_index(data.plans, manifest=data.manifest)
    index.match_one(data.attendances.row(0, named=True))
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gone = weakref.ref(index)
        del index
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()


def test_warm_freezes_by_default_and_can_leave_the_collector_alone() -> None:
    data = synth.generate(scale="demo", seed=7)
    index = cpflag.build_index(data.plans, manifest=data.manifest, warm=False)
    gc.unfreeze()
    index.warm(freeze_gc=False)
    assert gc.get_freeze_count() == 0
    index.warm()
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
