"""Column mappings: header matching, dict and TOML mappings, the built-in ECDS mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cpflag._errors import ConfigError, InputError, MissingColumnError, ParseError
from cpflag.io import load_mapping, read_attendances, read_plans


def _csv(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- header matching without a mapping ------------------------------------------------


def test_headers_match_ignoring_case_space_hyphen_and_bom(tmp_path: Path) -> None:
    text = (
        "\ufeff Attendance ID ,ARRIVAL-TIME,Given Name,NHS Number\nA1,2024-01-05,Amy,0123456789\n"
    )
    t = read_attendances(_csv(tmp_path, text)).table
    assert t.select("attendance_id", "given_name", "nhs_number").row(0) == (
        "A1",
        "Amy",
        "0123456789",
    )


def test_two_headers_for_one_column_without_a_mapping(tmp_path: Path) -> None:
    text = "attendance_id,arrival_time,NHS Number,nhs_number\nA1,2024-01-05,1,2\n"
    with pytest.raises(InputError, match="would all become 'nhs_number'") as err:
        read_attendances(_csv(tmp_path, text))
    assert not isinstance(err.value, ConfigError)
    assert "positions 3, 4" in str(err.value)


def test_missing_column_suggests_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(MissingColumnError, match="mapping='ecds'"):
        read_attendances(_csv(tmp_path, "EC_Ident,Der_EC_Arrival_Date_Time\nA1,2024-01-05\n"))


# -- dict and TOML mappings ------------------------------------------------------------


def test_dict_mapping(tmp_path: Path) -> None:
    text = "Visit,Arrived,Forename,DOB,Notes\nV1,05/01/2024 10:00,Amy,01/02/2015,n\n"
    res = read_attendances(
        _csv(tmp_path, text),
        mapping={
            "visit": "attendance_id",
            "ARRIVED": "arrival_time",
            "Forename": "given_name",
            "DOB": "date_of_birth",
            "Absent Header": "postcode",  # not in the file: ignored
        },
    )
    t = res.table
    assert t.select("attendance_id", "arrival_time", "given_name", "date_of_birth").row(0) == (
        "V1",
        dt.datetime(2024, 1, 5, 10),
        "Amy",
        dt.date(2015, 2, 1),
    )
    assert t.columns[-2:] == ["Notes", "_row"]


def test_mapping_can_swap_canonical_columns(tmp_path: Path) -> None:
    text = "attendance_id,arrival_time,given_name,family_name\nA1,2024-01-05,Smith,Amy\n"
    t = read_attendances(
        _csv(tmp_path, text),
        mapping={"given_name": "family_name", "family_name": "given_name"},
    ).table
    assert t.select("given_name", "family_name").row(0) == ("Amy", "Smith")


def test_toml_mapping_file_with_table_sections(tmp_path: Path) -> None:
    toml = _csv(
        tmp_path,
        '[columns]\nForename = "given_name"\n\n'
        '[attendances.columns]\nVisit = "attendance_id"\nArrived = "arrival_time"\n\n'
        '[plans.columns]\nCase = "plan_id"\nLA = "la_code"\n'
        'Type = "plan_type"\nFrom = "start_date"\n',
        "map.toml",
    )
    att = _csv(tmp_path, "Visit,Arrived,Forename\nV1,2024-01-05,Amy\n", "a.csv")
    plans = _csv(tmp_path, "Case,LA,Type,From,Forename\nC1,E1,cpp,2024-01-01,Bob\n", "p.csv")
    assert read_attendances(att, mapping=toml).table["given_name"].to_list() == ["Amy"]
    assert read_attendances(att, mapping=str(toml)).table["attendance_id"].to_list() == ["V1"]
    assert read_plans(plans, mapping=toml).table.select("plan_id", "given_name").row(0) == (
        "C1",
        "Bob",
    )


@pytest.mark.parametrize(
    ("mapping", "match"),
    [
        ({"Visit": "visit_id"}, "not a canonical column name"),
        ({"Visit": "_row"}, "not a canonical column name"),
        ({"Visit": 3}, "text = text"),
        ({" ": "given_name"}, "blank"),
        ({"Visit": "attendance_id", "VISIT": "given_name"}, "mapped to two names"),
    ],
)
def test_invalid_dict_mappings(mapping: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_mapping(mapping, "attendances")  # type: ignore[arg-type]


def test_invalid_toml_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_mapping(tmp_path / "missing.toml", "attendances")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mapping(_csv(tmp_path, "[columns\nx=", "bad.toml"), "attendances")
    with pytest.raises(ConfigError, match=r"no \[columns\] table"):
        load_mapping(_csv(tmp_path, '[other]\nx = "y"\n', "empty.toml"), "attendances")
    with pytest.raises(ConfigError, match="not a canonical"):
        load_mapping(_csv(tmp_path, '[columns]\nx = "nope"\n', "nope.toml"), "attendances")


def test_mapping_of_wrong_type() -> None:
    with pytest.raises(ConfigError, match="must be None"):
        load_mapping(42, "attendances")  # type: ignore[arg-type]


def test_two_source_columns_onto_one_name_is_a_config_error(tmp_path: Path) -> None:
    text = "Visit,Arrived,First,Forename\nV1,2024-01-05,Amy,Amy\n"
    mapping = {
        "Visit": "attendance_id",
        "Arrived": "arrival_time",
        "First": "given_name",
        "Forename": "given_name",
    }
    with pytest.raises(ConfigError, match="would all become 'given_name'"):
        read_attendances(_csv(tmp_path, text), mapping=mapping)
    # Either alone is fine: one mapping can serve two layouts.
    one = _csv(tmp_path, "Visit,Arrived,Forename\nV1,2024-01-05,Amy\n", "one.csv")
    assert read_attendances(one, mapping=mapping).table["given_name"].to_list() == ["Amy"]


def test_mapped_column_clashing_with_a_canonical_header(tmp_path: Path) -> None:
    text = "attendance_id,arrival_time,DOB,date_of_birth\nA1,2024-01-05,2015-01-01,2015-01-01\n"
    with pytest.raises(ConfigError):
        read_attendances(_csv(tmp_path, text), mapping={"DOB": "date_of_birth"})


def test_mapping_targets_of_another_table_are_skipped(tmp_path: Path) -> None:
    # The CLI passes one --mapping to both readers.
    mapping = {"Arrived": "arrival_time", "Case": "plan_id"}
    plans = _csv(
        tmp_path, "Case,la_code,plan_type,start_date,Arrived,nhs_number\nC1,E1,cpp,2024-01-01,x,1\n"
    )
    t = read_plans(plans, mapping=mapping).table
    assert t["plan_id"].to_list() == ["C1"]
    assert t["Arrived"].to_list() == ["x"]


# -- the built-in ECDS mapping ------------------------------------------------------------

ECDS_HEADER = (
    "EC_Ident,Der_Provider_Site_Code,Der_EC_Arrival_Date_Time,Der_Pseudo_NHS_Number,"
    "Person_Stated_Gender_Code,Postcode_of_Usual_Address,Person_Birth_Date,"
    "Local_Patient_Identifier,General_Medical_Practice_Code_Patient_Registration,"
    "Der_Postcode_LSOA_2011_Code,EC_Department_Type"
)


def test_ecds_extract(tmp_path: Path) -> None:
    row = (
        "123456,RXX01,2024-01-05 10:05:00.000,0123456789,2,LS1 4AP,2015-03-02 00:00:00.000,"
        "M0001,B86001,E01011111,01"
    )
    res = read_attendances(_csv(tmp_path, f"{ECDS_HEADER}\n{row}\n"), mapping="ecds")
    r = res.table.row(0, named=True)
    assert r["attendance_id"] == "123456"
    assert r["site_code"] == "RXX01"
    assert r["arrival_time"] == dt.datetime(2024, 1, 5, 10, 5)
    assert r["nhs_number"] == "0123456789"
    assert r["sex"] == "2"
    assert r["postcode"] == "LS1 4AP"
    assert r["date_of_birth"] == dt.date(2015, 3, 2)
    assert r["local_patient_id"] == "M0001"
    assert r["gp_practice_code"] == "B86001"
    # An LSOA is an area, not a postcode; department type is not a setting.
    assert r["Der_Postcode_LSOA_2011_Code"] == "E01011111"
    assert r["EC_Department_Type"] == "01"
    assert r["setting"] == "ed_mixed"


def test_ecds_name_is_case_insensitive(tmp_path: Path) -> None:
    path = _csv(tmp_path, "ec_ident,der_ec_arrival_date_time,nhs_number\n1,2024-01-05,1\n")
    assert read_attendances(path, mapping=" ECDS ").table.height == 1


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "EC_Ident,Arrival_Date,Arrival_Time",
            "1,05/01/2024,10:05",
            dt.datetime(2024, 1, 5, 10, 5),
        ),
        (
            "EC_Ident,EC_Arrival_Date,EC_Arrival_Time",
            "1,2024-01-05,7:05:30",
            dt.datetime(2024, 1, 5, 7, 5, 30),
        ),
        ("EC_Ident,Arrival_Date", "1,2024-01-05", dt.datetime(2024, 1, 5)),
        (
            "EC_Ident,Arrival_Date,Arrival_Time",
            "1,2024-01-05,2024-01-05 23:59",
            dt.datetime(2024, 1, 5, 23, 59),
        ),
    ],
)
def test_ecds_split_arrival_date_and_time(
    tmp_path: Path, header: str, row: str, expected: dt.datetime
) -> None:
    path = _csv(tmp_path, f"{header},NHS_Number\n{row},0123456789\n")
    t = read_attendances(path, mapping="ecds").table
    assert t["arrival_time"].to_list() == [expected]
    assert "Arrival_Date" not in t.columns
    assert "arrival_date" not in t.columns


def test_ecds_split_arrival_with_a_bad_date(tmp_path: Path) -> None:
    path = _csv(tmp_path, "EC_Ident,Arrival_Date,Arrival_Time,NHS_Number\n1,31/02/2024,10:00,1\n")
    with pytest.raises(ParseError, match="impossible date") as err:
        read_attendances(path, mapping="ecds")
    assert err.value.column == "arrival_time"


def test_ecds_aliases_resolve_by_priority(tmp_path: Path) -> None:
    text = (
        "Generated_Record_ID,Der_EC_Ident,EC_Ident,Der_EC_Arrival_Date_Time,Sex,"
        "Person_Stated_Gender_Code,NHS_Number\nG1,D1,E1,2024-01-05,9,1,1\n"
    )
    t = read_attendances(_csv(tmp_path, text), mapping="ecds").table
    assert t["attendance_id"].to_list() == ["E1"]
    assert t["sex"].to_list() == ["1"]
    # The losers are carried through, not dropped.
    assert t["Der_EC_Ident"].to_list() == ["D1"]
    assert t["Generated_Record_ID"].to_list() == ["G1"]
    assert t["Sex"].to_list() == ["9"]


def test_ecds_canonical_header_outranks_aliases(tmp_path: Path) -> None:
    text = "attendance_id,EC_Ident,arrival_time,nhs_number\nA1,E1,2024-01-05,1\n"
    t = read_attendances(_csv(tmp_path, text), mapping="ecds").table
    assert t["attendance_id"].to_list() == ["A1"]
    assert t["EC_Ident"].to_list() == ["E1"]


def test_ecds_mapping_on_a_canonical_plans_file(tmp_path: Path) -> None:
    # The CLI passes --mapping ecds to the plans reader too; canonical files still work.
    text = (
        "plan_id,la_code,plan_type,start_date,NHS_Number,Person_Birth_Date\n"
        "P1,E1,cpp,2024-01-01,1,2015-01-01\n"
    )
    t = read_plans(_csv(tmp_path, text), mapping="ecds").table
    assert t.select("nhs_number", "date_of_birth").row(0) == ("1", dt.date(2015, 1, 1))


def test_builtin_mapping_targets_are_all_canonical() -> None:
    mapping = load_mapping("ecds", "attendances")
    assert mapping is not None
    assert mapping.builtin
    assert len(mapping.entries) > 30
    targets = {target for _, target in mapping.entries}
    assert {"attendance_id", "arrival_time", "nhs_number", "date_of_birth", "postcode"} <= targets
