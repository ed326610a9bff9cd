"""Issue 17, failure 11, the library side: ``cpflag.io.read_inputs``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpflag._errors import DuplicateIdError, InputError, MissingColumnError
from cpflag.io import CombinedInputError, read_inputs
from tests.reliability_inputs import ATTENDANCES, PLANS, write
from tests.test_all_input_problems import BAD_ATT, _bad_night


def test_read_inputs_raises_one_combined_input_error(tmp_path: Path) -> None:
    att, plans, man = _bad_night(tmp_path)
    with pytest.raises(CombinedInputError) as info:
        read_inputs(attendances=att, plans=plans, manifest=man)
    err = info.value
    assert isinstance(err, InputError)  # one `except InputError` still catches it
    assert err.sources == [str(att), str(plans), str(man)]
    kinds = [type(e) for e in err.errors]
    assert kinds == [MissingColumnError, DuplicateIdError, DuplicateIdError]


def test_read_inputs_with_one_problem_raises_it_unchanged(tmp_path: Path) -> None:
    att = write(tmp_path, "att.csv", BAD_ATT)
    plans = write(tmp_path, "plans.csv", PLANS)
    with pytest.raises(MissingColumnError):
        read_inputs(attendances=att, plans=plans)
    inputs = read_inputs(attendances=write(tmp_path, "a.csv", ATTENDANCES), plans=plans)
    assert inputs.attendances is not None
    assert inputs.plans is not None
    assert inputs.plans.table.height == 2
    assert inputs.manifest is None


def test_deferred_plans_are_read_only_when_another_input_fails(tmp_path: Path) -> None:
    plans = write(tmp_path, "plans.csv", "plan_id\nP1\n")  # unusable
    att = write(tmp_path, "a.csv", ATTENDANCES)
    inputs = read_inputs(attendances=att, plans=plans, defer_plans=True)
    assert inputs.plans is None  # left to the caller (the index cache)
    with pytest.raises(CombinedInputError) as info:
        read_inputs(attendances=write(tmp_path, "b.csv", BAD_ATT), plans=plans, defer_plans=True)
    assert info.value.sources == [str(tmp_path / "b.csv"), str(plans)]
