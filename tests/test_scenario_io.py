"""Reading scenarios: the good path, and every kind of bad input reported together."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scheduler.errors import InputError
from scheduler.model import Gender, Priority, TravelMode
from scheduler.scenario_io import read_scenario, scenario_to_json, write_scenario
from tests.conftest import CARERS, CLIENTS, VISITS, write_folder


def issues_of(path: Path) -> list[tuple[str, str, int | None, str | None]]:
    with pytest.raises(InputError) as caught:
        read_scenario(path)
    return [(i.code, i.file, i.row, i.column) for i in caught.value.issues]


def test_reads_a_good_folder(tiny_folder: Path) -> None:
    scenario = read_scenario(tiny_folder)
    assert scenario.name == "tiny"
    assert scenario.date == dt.date(2026, 12, 1)
    ann = scenario.carer_by_id["C1"]
    assert [(s.start, s.end) for s in ann.shifts] == [(420, 780), (960, 1320)]
    assert ann.skills == {"medication", "hoist"}
    assert ann.gender is Gender.FEMALE and ann.max_working_minutes == 600
    assert scenario.carer_by_id["C2"].travel_mode is TravelMode.WALK
    client = scenario.client_by_id["K2"]
    assert client.excluded_carers == {"C2"} and client.address is None
    v2 = scenario.visit_by_id["V2"]
    assert (v2.earliest_start, v2.latest_start, v2.duration) == (540, 600, 45)
    assert v2.double_handed and v2.required_skills == {"hoist"}
    assert scenario.visit_by_id["V1"].priority is Priority.CRITICAL
    assert len(scenario.history) == 2


def test_written_folder_reads_back_the_same(tiny_folder: Path, tmp_path: Path) -> None:
    scenario = read_scenario(tiny_folder)
    write_scenario(scenario, tmp_path / "tiny")
    assert read_scenario(tmp_path / "tiny") == scenario


def test_json_document_reads_like_the_folder(tiny_folder: Path, tmp_path: Path) -> None:
    scenario = read_scenario(tiny_folder)
    path = tmp_path / "tiny.json"
    path.write_text(scenario_to_json(scenario))
    assert read_scenario(path) == scenario


def test_the_three_classic_mistakes_are_reported_together(tmp_path: Path) -> None:
    visits = VISITS.replace("V1,K1,", "V1,K9,").replace("09:00,10:00,45", "10:00,09:00,45")
    visits = visits.replace("12:00,13:00,15", "12:00,1x:00,15")
    found = issues_of(write_folder(tmp_path / "bad", visits=visits))
    assert found == [
        ("unknown_client", "visits.csv", 2, "client_id"),
        ("window_inverted", "visits.csv", 3, "latest_start"),
        ("malformed_time", "visits.csv", 4, "latest_start"),
    ]


@pytest.mark.parametrize(
    ("table", "old", "new", "expected"),
    [
        ("carers", "54.510,-6.050", "94.5,-6.050", ("out_of_range", 2, "home_lat")),
        ("carers", "54.510,-6.050", "north,-6.050", ("out_of_range", 2, "home_lat")),
        ("carers", "07:00-15:00", "15:00-07:00", ("malformed_shift", 3, "shifts")),
        (
            "carers",
            "07:00-13:00;16:00-22:00",
            "07:00-13:00;12:00-22:00",
            ("malformed_shift", 2, "shifts"),
        ),
        (
            "carers",
            "medication;hoist,female",
            "medication;hoisst,female",
            ("unknown_skill", 2, "skills"),
        ),
        ("carers", "male,walk", "male,scooter", ("invalid_value", 3, "travel_mode")),
        ("carers", ",car,600", ",car,-5", ("invalid_value", 2, "max_working_minutes")),
        ("carers", "C2,Bob", "C1,Bob", ("duplicate_id", 3, "id")),
        ("carers", "C3,Cat Carer", ",Cat Carer", ("missing_value", 4, "id")),
        ("clients", ",,,C2,", ",,,C7,", ("unknown_carer", 3, "excluded_carers")),
        (
            "clients",
            "BT28 1AA,C1,,female",
            "BT28 1AA,C1,C1,female",
            ("conflict", 2, "excluded_carers"),
        ),
        ("clients", ",female", ",woman", ("invalid_value", 2, "gender_preference")),
        ("visits", "V1,K1,2026-12-01", "V1,K1,01/12/2026", ("malformed_date", 2, "date")),
        ("visits", "30,1,medication", "0,1,medication", ("invalid_value", 2, "duration_minutes")),
        ("visits", "45,2,hoist", "45,3,hoist", ("invalid_value", 3, "carers_required")),
        ("visits", "critical,", "urgent,", ("invalid_value", 2, "priority")),
        (
            "visits",
            "17:00,18:00,30,1,,normal,",
            "17:00,18:00,30,1,,normal,C9",
            ("unknown_carer", 5, "pinned_carer"),
        ),
        (
            "visits",
            "09:00,10:00,45,2,hoist,normal,",
            "09:00,10:00,45,2,hoist,normal,C2",
            ("conflict", 3, "pinned_carer"),
        ),
        ("visits", "17:00,18:00,30", "23:30,23:50,30", ("past_midnight", 5, "duration_minutes")),
        ("visits", "V3,", "V2,", ("duplicate_id", 4, "id")),
    ],
)
def test_each_bad_cell_is_located(
    tmp_path: Path, table: str, old: str, new: str, expected: tuple[str, int, str]
) -> None:
    text = {"carers": CARERS, "clients": CLIENTS, "visits": VISITS}[table]
    assert old in text
    folder = write_folder(tmp_path / "bad", **{table: text.replace(old, new, 1)})
    code, row, column = expected
    assert (code, f"{table}.csv", row, column) in issues_of(folder)


def test_missing_file_and_column(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "bad", carers=None, clients=CLIENTS.replace(",lat,", ",latitude,")
    )
    found = issues_of(folder)
    assert ("missing_file", "carers.csv", None, None) in found
    assert ("missing_column", "clients.csv", None, None) in found
    assert ("unknown_column", "clients.csv", None, None) in found


def test_missing_path_and_wrong_kind_of_file(tmp_path: Path) -> None:
    assert issues_of(tmp_path / "nowhere")[0][0] == "missing_file"
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    assert issues_of(text_file)[0][0] == "unreadable_file"


def test_unknown_skill_accepted_when_the_scenario_lists_it(tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "own", carers=CARERS.replace("hoist,female", "hoist;ventilator,female")
    )
    (folder / "skills.csv").write_text("skill\nmedication\nhoist\ndementia\nventilator\n")
    assert "ventilator" in read_scenario(folder).carer_by_id["C1"].skills


def test_json_issues_name_the_list_and_item(tiny_folder: Path, tmp_path: Path) -> None:
    document = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    document["visits"][2]["earliest_start"] = "noon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    assert issues_of(path) == [("malformed_time", "bad.json", None, "visits[2].earliest_start")]


def test_broken_json_is_one_clear_issue(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"carers": [')
    ((code, file, _, _),) = issues_of(path)
    assert (code, file) == ("unreadable_file", "broken.json")


def test_message_names_file_row_and_column(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "bad", visits=VISITS.replace("V1,K1,", "V1,K9,"))
    with pytest.raises(InputError) as caught:
        read_scenario(folder)
    assert "visits.csv row 2 column client_id: no client has the id 'K9'" in str(caught.value)


def test_no_go_clients_must_exist(tmp_path: Path) -> None:
    carers = CARERS.replace("max_working_minutes\n", "max_working_minutes,no_go_clients\n")
    carers = carers.replace("female,car,600\n", "female,car,600,K3;K8\n")
    found = issues_of(write_folder(tmp_path / "bad", carers=carers))
    assert found == [("unknown_client", "carers.csv", 2, "no_go_clients")]
