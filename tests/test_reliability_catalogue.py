"""Issue 17: the catalogue of bad inputs (``docs/input.md``, "Catalogue of bad inputs").

Each case is a small attendances file and what cpflag must do with it: read
it (``ok``), read it with a reject whose reason says why (``reject``), or refuse
it with an error of a given class (``error``). Whatever the outcome, no
message, log line or reject reason may carry an identifying value, and there
is never a traceback (an exception outside ``CpflagError``). A bounded
hypothesis fuzz of the reader checks the same on random files.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Final

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpflag import io
from cpflag._errors import (
    CpflagError,
    DuplicateIdError,
    InputError,
    MissingColumnError,
    ParseError,
)

H = "attendance_id,arrival_time,given_name,family_name,date_of_birth,nhs_number,postcode\n"
GOOD = "A1,2026-11-25 10:00,Zebedee,Quuxworth,2018-03-04,9434765919,LS9 8AB\n"
GOOD2 = "A2,2026-11-25 11:00,Xanthippe,Vorpalsson,2016-07-08,,LS1 4AP\n"
#: Identifying values used in the cases: none may appear in any message.
SECRETS: Final = (
    "Zebedee",
    "Quuxworth",
    "Xanthippe",
    "Vorpalsson",
    "Wójcik",
    "2018-03-04",
    "2016-07-08",
    "9434765919",
    "LS9 8AB",
    "LS1 4AP",
)

OK, REJECT, ERROR = "ok", "reject", "error"


def _b(text: str) -> bytes:
    return text.encode("utf-8")


def _many_bad_dobs() -> bytes:
    rows = [f"A{i},2026-11-25 10:00,Zebedee,Quuxworth,31/02/2018,,\n" for i in range(30)]
    return _b(H + "".join(rows))


#: (case id, file bytes, outcome, error class or reject reason fragment)
CASES: Final[list[tuple[str, bytes, str, object]]] = [
    ("utf8", _b(H + GOOD + GOOD2), OK, None),
    ("utf8_bom", b"\xef\xbb\xbf" + _b(H + GOOD), OK, None),
    ("utf16_bom", (H + GOOD).encode("utf-16"), OK, None),
    ("cp1252_file", (H + GOOD.replace("Zebedee", "Zoë")).encode("cp1252"), OK, None),
    (
        "one_cp1252_row",
        _b(H + GOOD.replace("Zebedee", "Wójcik"))
        + GOOD2.replace("Xanthippe", "Zoë").encode("cp1252"),
        OK,
        None,
    ),
    ("crlf", _b((H + GOOD + GOOD2).replace("\n", "\r\n")), OK, None),
    ("semicolon", _b((H + GOOD).replace(",", ";")), OK, None),
    ("tab", _b((H + GOOD).replace(",", "\t")), OK, None),
    ("pipe", _b((H + GOOD).replace(",", "|")), OK, None),
    ("quoted_delimiter", _b(H + GOOD.replace("Zebedee", '"Zebedee, Jr"')), OK, None),
    ("quoted_newline", _b(H + GOOD.replace("Zebedee", '"Zeb\nedee"')), OK, None),
    ("blank_lines", _b(H + "\n" + GOOD + "\n\n"), OK, None),
    ("header_only", _b(H), OK, None),
    (
        "extra_unknown_column",
        _b(H.replace("\n", ",notes\n") + GOOD.replace("\n", ",x\n")),
        OK,
        None,
    ),
    ("upper_case_headers", _b(H.upper() + GOOD), OK, None),
    ("huge_field", _b(H + GOOD.replace("Zebedee", "Z" * 200_000)), OK, None),
    ("empty_file", b"", ERROR, InputError),
    ("whitespace_file", b"  \n \n", ERROR, InputError),
    ("blank_header", _b("\n" + GOOD), ERROR, InputError),
    ("binary", b"\x00\x01\x02\x03" * 100, ERROR, InputError),
    ("zip", b"PK\x03\x04" + b"\x00" * 50, ERROR, InputError),
    ("no_header", _b(GOOD + GOOD2), ERROR, InputError),
    (
        "wrong_delimiter_header",
        _b("attendance_id:arrival_time:given_name\n" + GOOD),
        ERROR,
        InputError,
    ),
    (
        "missing_required_column",
        _b("attendance_id,given_name\nA1,Zebedee\n"),
        ERROR,
        MissingColumnError,
    ),
    ("duplicate_id", _b(H + GOOD + GOOD), ERROR, DuplicateIdError),
    ("blank_id", _b(H + GOOD.replace("A1,", ",")), ERROR, ParseError),
    ("bad_arrival", _b(H + GOOD.replace("2026-11-25 10:00", "yesterday")), ERROR, ParseError),
    ("row_with_more_fields", _b(H + GOOD.replace("\n", ",x,y\n")), ERROR, ParseError),
    ("unclosed_quote", _b(H + GOOD.replace("Zebedee", '"Zebedee')), ERROR, ParseError),
    ("column_mostly_unreadable", _many_bad_dobs(), ERROR, ParseError),
    ("duplicate_headers", _b(H.replace("postcode", "given_name") + GOOD), ERROR, CpflagError),
    ("row_cut_short", _b(H + GOOD + "A2,2026-11-25 11:00,Xanthippe\n"), REJECT, "fewer fields"),
    ("bad_dob", _b(H + GOOD.replace("2018-03-04", "31/02/2018")), REJECT, "impossible date"),
    ("ambiguous_dob", _b(H + GOOD.replace("2018-03-04", "04/03/18")), REJECT, "two-digit year"),
    ("dob_1900", _b(H + GOOD.replace("2018-03-04", "1900-01-01")), REJECT, "1900 or earlier"),
    ("dob_future", _b(H + GOOD.replace("2018-03-04", "2030-01-01")), REJECT, "after the arrival"),
    ("bad_nhs_digits", _b(H + GOOD.replace("9434765919", "12345")), OK, None),
    (
        "unknown_setting",
        _b(H.replace("\n", ",setting\n") + GOOD.replace("\n", ",ward 9\n")),
        REJECT,
        "setting",
    ),
    ("no_identifiers", _b(H + "A1,2026-11-25 10:00,,,,,LS9 8AB\n"), REJECT, "no identifying data"),
]


def _assert_private(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


@pytest.mark.parametrize(("case", "data", "outcome", "expect"), CASES, ids=[c[0] for c in CASES])
def test_catalogue(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    case: str,
    data: bytes,
    outcome: str,
    expect: object,
) -> None:
    path = tmp_path / f"{case}.csv"
    path.write_bytes(data)
    caplog.set_level(logging.DEBUG, logger="cpflag")
    if outcome == ERROR:
        assert isinstance(expect, type)
        with pytest.raises(CpflagError) as caught:
            io.read_attendances(path)
        assert isinstance(caught.value, expect), repr(caught.value)
        message = str(caught.value)
        assert str(path) in message  # the file is named
        _assert_private(message)
    else:
        res = io.read_attendances(path)
        reasons = res.rejects["reason"].to_list()
        if outcome == REJECT:
            assert isinstance(expect, str)
            assert any(expect in r for r in reasons), reasons
            assert res.rejects["row_number"].null_count() == 0
            assert res.rejects["source"].to_list() == [str(path)] * res.rejects.height
        for reason in reasons:
            _assert_private(reason)
    _assert_private(caplog.text)


def test_catalogue_values_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes({c[0]: c[1] for c in CASES}["one_cp1252_row"])
    names = io.read_attendances(path).table["given_name"].to_list()
    assert names == ["Wójcik", "Zoë"]


def test_the_catalogue_is_documented() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "input.md").read_text(encoding="utf-8")
    table = doc.split("## Catalogue of bad inputs", 1)[1]
    missing = [c[0] for c in CASES if f"`{c[0]}`" not in table]
    assert not missing, missing


# -- fuzzing --------------------------------------------------------------------

_FIELDS = st.one_of(
    st.sampled_from(["Zebedee", "Quuxworth", "2018-03-04", "9434765919", "LS9 8AB", "", '"', "\r"]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["2026-11-25 10:00", "31/02/2018", "A1", "A2", ",", ";", "\n"]),
)


@st.composite
def _csv_files(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            [H, H.replace(",", ";"), "attendance_id,arrival_time\n", "", "x\n", H.upper()]
        )
    )
    rows = draw(st.lists(st.lists(_FIELDS, max_size=9), max_size=6))
    text = header + "".join(",".join(r) + "\n" for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:cut] + draw(st.binary(max_size=8))
    return data


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=_csv_files())
def test_fuzz_the_reader_never_tracebacks_nor_leaks(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    message = ""
    try:
        res = io.read_attendances(path)
    except CpflagError as exc:
        message = str(exc)
    for secret in ("Zebedee", "Quuxworth", "2018-03-04", "9434765919", "LS9 8AB"):
        assert secret not in message
    if message:
        return
    for reason in res.rejects["reason"].to_list():
        assert "Zebedee" not in reason
        assert "9434765919" not in reason
    assert res.table.schema["arrival_time"] == pl.Datetime("us")


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.integers(), st.text(max_size=10), st.dates()),
        min_size=1,
        max_size=8,
    )
)
def test_fuzz_frames_with_odd_types_never_traceback(values: list[object]) -> None:
    n = len(values)
    frame = pl.DataFrame(
        {
            "attendance_id": [f"A{i}" for i in range(n)],
            "arrival_time": [dt.datetime(2026, 11, 25)] * n,
            "date_of_birth": pl.Series([repr(v) if v is not None else None for v in values]),
            "family_name": ["Quuxworth"] * n,
        }
    )
    message = ""
    try:
        io.read_attendances(frame)
    except CpflagError as exc:
        message = str(exc)
    assert "Quuxworth" not in message
