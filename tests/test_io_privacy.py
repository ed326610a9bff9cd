"""No identifying value from an input ever reaches a message, a log line, a
warning or a reject reason -- whatever is wrong with the file.

Every file below is full of distinctive identifying values and has a fault;
each read is made with logging at DEBUG and warnings recorded, and every piece
of text cpflag produced is searched for those values.
"""

from __future__ import annotations

import logging
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import pytest

from cpflag._errors import CpflagError
from cpflag.io import read_attendances, read_manifest, read_plans, write_table

GIVEN = ("Zebedee", "Xanthippe", "Perpetua")
FAMILY = ("Quuxworth", "Vorpalsson", "Snodgrass")
NHS = ("9434765919", "4010232137", "943 476 5919")
POSTCODES = ("ZX9 9QQ", "QW1 2ER")
ADDRESS = "17 Flibbertigibbet Lane"
DOBS = ("2013-07-19", "19/07/2013", "31/02/2013", "07/19/2013", "19/07/13")
LOCAL_ID = "MRN8675309"

#: Strings that must never appear (case-insensitive) in anything cpflag says.
SECRETS = (
    *GIVEN,
    *FAMILY,
    *NHS,
    "9434765919".replace("94", "94"),
    *POSTCODES,
    *(p.replace(" ", "") for p in POSTCODES),
    "Flibbertigibbet",
    *DOBS,
    LOCAL_ID,
)

ATT_HEADER = (
    "attendance_id,arrival_time,given_name,family_name,date_of_birth,nhs_number,"
    "postcode,address,local_patient_id,setting"
)


def _person(i: int, dob: str = DOBS[0]) -> str:
    return (
        f"{GIVEN[i % 3]},{FAMILY[i % 3]},{dob},{NHS[i % 2]},{POSTCODES[i % 2]},"
        f'"{ADDRESS}",{LOCAL_ID}'
    )


def _att_rows(n: int = 3) -> list[str]:
    return [f"A{i},2024-01-0{i + 1} 10:00,{_person(i)},ed_child" for i in range(n)]


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _lines(*lines: str) -> str:
    return "\n".join(lines) + "\n"


PLAN_HEADER = (
    "plan_id,la_code,plan_type,start_date,end_date,given_name,family_name,date_of_birth,"
    "nhs_number,postcode,address,mother_given_name,mother_family_name,mother_date_of_birth,"
    "list_date"
)


def _plan_row(i: int, plan_type: str = "cpp", start: str = "2023-01-01", end: str = "") -> str:
    return (
        f"P{i},E1,{plan_type},{start},{end},{GIVEN[i % 3]},{FAMILY[i % 3]},{DOBS[1]},"
        f'{NHS[i % 2]},{POSTCODES[0]},"{ADDRESS}",{GIVEN[2]},{FAMILY[2]},{DOBS[0]},2024-01-01'
    )


Scenario = Callable[[Path], object]


def _scenarios() -> Iterator[tuple[str, Scenario]]:
    def att(text: str, encoding: str = "utf-8", **kw: object) -> Scenario:
        return lambda tmp: read_attendances(_write(tmp, "att.csv", text, encoding), **kw)  # type: ignore[arg-type]

    def plans(text: str, **kw: object) -> Scenario:
        return lambda tmp: read_plans(_write(tmp, "plans.csv", text), **kw)  # type: ignore[arg-type]

    yield "clean file", att(_lines(ATT_HEADER, *_att_rows()))
    yield "no header line", att(_lines(*_att_rows()))
    yield "no header line, plans", plans(_lines(*(_plan_row(i) for i in range(3))))
    yield (
        "garbled delimiter",
        att(_lines(ATT_HEADER.replace(",", ":"), *(r.replace(",", ":") for r in _att_rows()))),
    )
    yield (
        "header ; body ,",
        att(_lines(ATT_HEADER.replace(",", ";"), *_att_rows())),
    )
    yield (
        "names in arrival_time",
        att(_lines(ATT_HEADER, *(f"A{i},{GIVEN[i]} {FAMILY[i]},{_person(i)},x" for i in range(3)))),
    )
    yield (
        "dates of birth in arrival_time",
        att(_lines(ATT_HEADER, *(f"A{i},{DOBS[i + 2]} 10:00,{_person(i)},x" for i in range(3)))),
    )
    yield (
        "identifying values in the id column, blank arrival",
        att(
            _lines(
                ATT_HEADER,
                f"{GIVEN[0]} {FAMILY[0]},,{_person(0)},x",
                f"{NHS[0]},,{_person(1)},x",
                f"{POSTCODES[0]},,{_person(1)},x",
                f"{DOBS[1]},,{_person(1)},x",
                f"{FAMILY[1]},,{_person(1)},x",
            )
        ),
    )
    yield (
        "duplicate ids that are NHS numbers and dates",
        att(
            _lines(
                ATT_HEADER,
                f"{NHS[0]},2024-01-01,{_person(0)},x",
                f"{NHS[0]},2024-01-01,{_person(1)},x",
                f"{DOBS[0]},2024-01-01,{_person(1)},x",
                f"{DOBS[0]},2024-01-01,{_person(2)},x",
            )
        ),
    )
    yield (
        "duplicate plain ids",
        att(_lines(ATT_HEADER, *_att_rows(), _att_rows()[0])),
    )
    yield (
        "bad optional dates and settings",
        att(
            _lines(
                ATT_HEADER,
                *(f"A{i},2024-01-01,{_person(i, DOBS[i + 2])},{FAMILY[i]}" for i in range(3)),
            )
        ),
    )
    yield (
        "ragged row",
        att(_lines(ATT_HEADER, *_att_rows(), f"A9,2024-01-01,{_person(0)},x,{GIVEN[1]},{NHS[1]}")),
    )
    yield (
        "unbalanced quote",
        att(_lines(ATT_HEADER, f'A1,2024-01-01,"{GIVEN[0]},{FAMILY[0]},x', *_att_rows())),
    )
    yield (
        "cp1252 file",
        att(_lines(ATT_HEADER, *_att_rows(), "A9,2024-01-01,Zoë,O’Brien,,,,,,"), "cp1252"),
    )
    yield (
        "mapping conflict",
        att(
            _lines(ATT_HEADER + ",Forename", *(r + f",{GIVEN[1]}" for r in _att_rows())),
            mapping={"Forename": "given_name"},
        ),
    )
    yield (
        "plan type holds a surname",
        plans(_lines(PLAN_HEADER, *(_plan_row(i, plan_type=FAMILY[i]) for i in range(3)))),
    )
    yield (
        "start date holds a date of birth typo",
        plans(_lines(PLAN_HEADER, *(_plan_row(i, start=DOBS[4]) for i in range(3)))),
    )
    yield (
        "plan ends before it starts, bad optional dates",
        plans(
            _lines(
                PLAN_HEADER,
                _plan_row(1, end="2020-01-01"),
                _plan_row(2, end=DOBS[2]).replace(DOBS[0], DOBS[3]),
            )
        ),
    )

    def with_manifest(tmp: Path) -> object:
        man = _write(tmp, "m.csv", "la_code,list_date\nE1,2024-02-02\n")
        return read_plans(_write(tmp, "p.csv", _lines(PLAN_HEADER, _plan_row(1))), manifest=man)

    yield "manifest disagreement", with_manifest

    def bad_manifest(tmp: Path) -> object:
        return read_manifest(_write(tmp, "m.csv", _lines("la_code,list_date", f"E1,{DOBS[2]}")))

    yield "manifest with a bad date", bad_manifest

    def parquet_nested(tmp: Path) -> object:
        path = tmp / "att.parquet"
        pl.DataFrame(
            {
                "attendance_id": ["A1"],
                "arrival_time": ["2024-01-01"],
                "given_name": [[GIVEN[0], FAMILY[0]]],
            }
        ).write_parquet(path)
        return read_attendances(path)

    yield "parquet with a nested name column", parquet_nested

    def corrupt_parquet(tmp: Path) -> object:
        data = b"PAR1" + f"{GIVEN[0]} {FAMILY[0]} {NHS[0]}".encode() + b"PAR1"
        return read_attendances(_write(tmp, "att.parquet", data.decode("latin-1"), "latin-1"))

    yield "corrupt parquet", corrupt_parquet

    def frame_input(tmp: Path) -> object:
        return read_attendances(
            pl.DataFrame(
                {
                    "attendance_id": ["A1", "A2"],
                    "arrival_time": [f"{GIVEN[0]}", "2024-01-01"],
                    "given_name": [GIVEN[1], GIVEN[2]],
                }
            )
        )

    yield "dataframe with a name as arrival time", frame_input

    def write_nested(tmp: Path) -> object:
        write_table(pl.DataFrame({"given_name": [[GIVEN[0], NHS[0]]]}), tmp / "out.csv")
        return None

    yield "write failure", write_nested


SCENARIOS = list(_scenarios())


def _exception_texts(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), *map(str, exc.args)]
    texts += traceback.format_exception_only(type(exc), exc)
    if isinstance(exc, CpflagError):
        texts += [str(v) for v in getattr(exc, "record_ids", [])]
    # A chained exception would be printed with the traceback.
    assert exc.__cause__ is None
    if exc.__context__ is not None:
        assert exc.__suppress_context__
    return texts


@pytest.mark.parametrize(("name", "scenario"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_no_identifying_value_is_ever_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, scenario: Scenario
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = scenario(tmp_path)
        except CpflagError as exc:
            texts += _exception_texts(exc)
            result = None
    texts += [str(w.message) for w in caught]
    for record in caplog.records:
        texts.append(record.getMessage())
        if record.exc_info:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
    rejects = getattr(result, "rejects", None)
    if rejects is not None:
        texts += [r for r in rejects["reason"].to_list() if r is not None]
        texts += [c for c in rejects["column"].to_list() if c is not None]
    assert texts, f"{name}: nothing was said at all, so nothing was checked"
    blob = "\n".join(texts).lower()
    leaked = [s for s in SECRETS if s.lower() in blob]
    assert not leaked, f"{name}: leaked {leaked} in:\n" + "\n".join(texts)


def test_the_checker_would_catch_a_leak() -> None:
    # Guard against a vacuous test: a message with a secret must be caught.
    blob = f"row 3: bad value {FAMILY[0]}".lower()
    assert [s for s in SECRETS if s.lower() in blob] == [FAMILY[0]]


def test_scenarios_do_exercise_errors_and_rejects(tmp_path: Path) -> None:
    raised = rejected = 0
    for i, (_, scenario) in enumerate(SCENARIOS):
        sub = tmp_path / str(i)
        sub.mkdir()
        try:
            result = scenario(sub)
        except CpflagError:
            raised += 1
            continue
        rejects = getattr(result, "rejects", None)
        if rejects is not None and rejects.height:
            rejected += 1
    assert raised >= 12
    assert rejected >= 3
