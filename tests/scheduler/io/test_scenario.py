"""Reading scenarios: the good path, and every kind of bad input reported together."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from scheduler.io.scenario import (
    LoadedScenario,
    load_scenario,
    read_scenario,
    scenario_from_document,
    scenario_from_files,
    scenario_to_json,
    write_scenario,
)
from scheduler.model.care import BreakWindow, DayShifts, Gender, Priority, Scenario, TravelMode
from scheduler.model.errors import InputError
from tests.conftest import CARERS, CLIENTS, HISTORY, VISITS, write_folder


def issues_of(path: Path) -> list[tuple[str, str, int | None, str | None]]:
    with pytest.raises(InputError) as caught:
        read_scenario(path)
    return [(i.code, i.file, i.row, i.column) for i in caught.value.issues]


def notes_of(loaded: LoadedScenario) -> list[tuple[str, str, int | None, str | None]]:
    return [(i.code, i.file, i.row, i.column) for i in loaded.notes]


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
        (
            "clients",
            "BT28 1AA,C1,,female",
            "BT28 1AA,C1,C1,female",
            ("conflict", 2, "excluded_carers"),
        ),
        ("clients", ",female", ",woman", ("invalid_value", 2, "gender_preference")),
        ("visits", "V1,K1,2026-12-01", "V1,K1,31/11/2026", ("malformed_date", 2, "date")),
        ("visits", "V1,K1,2026-12-01", "V1,K1,1st Dec", ("malformed_date", 2, "date")),
        ("visits", "07:30,08:30", "07:30,08:30:15", ("malformed_time", 2, "latest_start")),
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


def test_a_no_go_client_no_longer_in_care_is_ignored_with_a_note(tmp_path: Path) -> None:
    carers = CARERS.replace("max_working_minutes\n", "max_working_minutes,no_go_clients\n")
    carers = carers.replace("female,car,600\n", "female,car,600,K3;K8\n")
    loaded = load_scenario(write_folder(tmp_path / "stale", carers=carers))
    assert loaded.scenario.carer_by_id["C1"].no_go_clients == {"K3"}
    assert notes_of(loaded) == [("unknown_client", "carers.csv", 2, "no_go_clients")]


# ---- optional and empty tables --------------------------------------------------------------


def test_history_is_optional_absent_empty_or_header_only(tmp_path: Path) -> None:
    without = read_scenario(write_folder(tmp_path / "none", history=None))
    assert without.history == ()
    for name, text in (("header", "client_id,carer_id,date\n"), ("empty", "")):
        assert read_scenario(write_folder(tmp_path / name, history=text)).history == ()


def test_json_without_history_or_with_empty_tables_reads(tiny_folder: Path) -> None:
    document = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    del document["history"]
    assert scenario_from_document(document, "x.json", "x").scenario.history == ()
    document.update(history=[], skills=[], shifts=[])
    scenario = scenario_from_document(document, "x.json", "x").scenario
    assert scenario.history == () and len(scenario.visits) == 4


def test_a_header_only_visits_table_is_a_day_with_nothing_to_plan(tmp_path: Path) -> None:
    header = VISITS.splitlines()[0] + "\n"
    assert read_scenario(write_folder(tmp_path / "quiet", visits=header)).visits == ()
    document = json.loads(scenario_to_json(read_scenario(tmp_path / "quiet")))
    assert document["visits"] == []
    assert scenario_from_document(document, "q.json", "q").scenario.visits == ()


def test_an_empty_required_file_is_one_clear_problem(tmp_path: Path) -> None:
    assert issues_of(write_folder(tmp_path / "e", carers="")) == [
        ("empty_file", "carers.csv", None, None)
    ]


@pytest.mark.parametrize("change", ["none", "no history", "own skills", "day off", "no visits"])
def test_every_table_round_trips_empty_ones_included(
    tiny_folder: Path, tmp_path: Path, change: str
) -> None:
    scenario = read_scenario(tiny_folder)
    if change == "no history":
        scenario = scenario.model_copy(update={"history": ()})
    if change == "own skills":
        scenario = scenario.model_copy(
            update={"skills": frozenset({"medication", "hoist", "dementia"})}
        )
    if change == "day off":  # shifts.csv, with an empty shifts cell
        off = DayShifts(date=dt.date(2026, 12, 1), shifts=())
        carers = (scenario.carers[0].model_copy(update={"shifts_on": (off,)}), *scenario.carers[1:])
        scenario = scenario.model_copy(update={"carers": carers})
    if change == "no visits":  # a day with no visits is dated when it is read
        scenario = scenario.model_copy(update={"visits": (), "date": dt.date.today()})
    write_scenario(scenario, tmp_path / "tiny")
    assert read_scenario(tmp_path / "tiny") == scenario
    document = json.loads(scenario_to_json(scenario))
    assert scenario_from_document(document, "tiny.json", "tiny").scenario == scenario


def test_uploaded_files_read_like_a_folder(tiny_folder: Path) -> None:
    files = {path.stem: path.read_bytes() for path in tiny_folder.glob("*.csv")}
    loaded = scenario_from_files(files, "tiny")
    assert loaded.scenario == read_scenario(tiny_folder) and loaded.notes == ()
    del files["history"]
    assert scenario_from_files(files, "tiny").scenario.history == ()


# ---- spreadsheets as Excel saves them ------------------------------------------------------


def test_uk_dates_and_times_with_seconds_are_read_and_said(tmp_path: Path) -> None:
    visits = VISITS.replace("2026-12-01", "01/12/2026").replace(":00,", ":00:00,")
    history = HISTORY.replace("2026-11-30", "30/11/2026")
    loaded = load_scenario(write_folder(tmp_path / "uk", visits=visits, history=history))
    assert {v.date for v in loaded.scenario.visits} == {dt.date(2026, 12, 1)}
    assert loaded.scenario.visit_by_id["V2"].earliest_start == 9 * 60
    assert {h.date for h in loaded.scenario.history} == {dt.date(2026, 11, 30)}
    messages = {(i.file, i.code): i.message for i in loaded.notes}
    assert (
        "day/month/year (UK): 01/12/2026 is 1 December 2026" in messages["visits.csv", "date_form"]
    )
    assert ("visits.csv", "time_form") in messages and ("history.csv", "date_form") in messages


def test_dates_proved_month_first_by_the_column_are_read_so(tmp_path: Path) -> None:
    visits = VISITS.replace("V1,K1,2026-12-01", "V1,K1,12/01/2026")
    visits = visits.replace("2026-12-01", "12/13/2026")
    loaded = load_scenario(write_folder(tmp_path / "us", visits=visits, history=None))
    assert loaded.scenario.visit_by_id["V1"].date == dt.date(2026, 12, 1)
    assert loaded.scenario.visit_by_id["V2"].date == dt.date(2026, 12, 13)
    assert any("month/day/year (US)" in note.message for note in loaded.notes)


@pytest.mark.parametrize("cell", ["2026-12-01 00:00:00", "1/12/26", "01.12.2026", "46357"])
def test_other_forms_of_one_date_excel_writes(tmp_path: Path, cell: str) -> None:
    visits = VISITS.replace("2026-12-01", cell)
    scenario = read_scenario(write_folder(tmp_path / "d", visits=visits))
    assert {v.date for v in scenario.visits} == {dt.date(2026, 12, 1)}


def test_a_column_of_unreadable_dates_is_one_problem_with_its_rows(tmp_path: Path) -> None:
    visits = VISITS.replace("2026-12-01", "Tue 1 Dec")
    with pytest.raises(InputError) as caught:
        read_scenario(write_folder(tmp_path / "words", visits=visits))
    (issue,) = caught.value.issues
    assert (issue.code, issue.row, issue.column) == ("malformed_date", 2, "date")
    assert "the same in 3 more rows (3-5)" in issue.message


def test_semicolons_and_decimal_commas_from_excel(tiny_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "semi"
    folder.mkdir()
    for path in tiny_folder.glob("*.csv"):
        rows = [line.split(",") for line in path.read_text().splitlines()]
        lines = []
        for row in rows:
            cells = [f'"{c}"' if ";" in c else c.replace(".", ",") for c in row]
            lines.append(";".join(cells))
        (folder / path.name).write_text("\n".join(lines) + "\n")
    loaded = load_scenario(folder)
    assert loaded.scenario.model_copy(update={"name": "tiny"}) == read_scenario(tiny_folder)
    assert ("delimiter", "carers.csv", None, None) in notes_of(loaded)
    assert read_scenario(folder).carer_by_id["C1"].home.lat == 54.51


def test_a_windows_1252_file_is_read_and_said(tmp_path: Path) -> None:
    clients = CLIENTS.replace("Mrs Example", "Mrs Ren\u00e9e \u00a3").encode("cp1252")
    folder = write_folder(tmp_path / "cp", clients=None)
    (folder / "clients.csv").write_bytes(clients)
    loaded = load_scenario(folder)
    assert loaded.scenario.client_by_id["K1"].name == "Mrs Ren\u00e9e \u00a3"
    assert len(loaded.scenario.visits) == 4
    assert ("encoding", "clients.csv", None, None) in notes_of(loaded)


def test_excel_bom_tabs_and_utf16_are_read(tiny_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bom"
    folder.mkdir()
    for path in tiny_folder.glob("*.csv"):
        text = path.read_text()
        data = (
            text.replace(",", "\t").encode("utf-16")
            if path.stem == "visits"
            else b"\xef\xbb\xbf" + text.encode()
        )
        (folder / path.name).write_bytes(data)
    assert read_scenario(folder).model_copy(update={"name": "tiny"}) == read_scenario(tiny_folder)


def test_trailing_empty_rows_and_columns_are_left_out(tiny_folder: Path, tmp_path: Path) -> None:
    visits = "\n".join(line + ",," for line in VISITS.splitlines()) + "\n,,,,,,,,,,,\n,,,,,,,,,,,\n"
    folder = write_folder(tmp_path / "trail", visits=visits.replace("V3,", "\n\nV3,"))
    scenario = read_scenario(folder)
    assert scenario.visits == read_scenario(tiny_folder).visits
    broken = write_folder(tmp_path / "broken", visits=visits.replace("30,1,medication", "x,1,m"))
    ((code, _, row, _), *_) = issues_of(broken)
    assert (code, row) == ("invalid_value", 2)


def test_headers_as_people_type_them(tmp_path: Path) -> None:
    visits = VISITS.replace("earliest_start,latest_start", "Earliest Start, Latest-Start")
    assert len(read_scenario(write_folder(tmp_path / "h", visits=visits)).visits) == 4


def test_a_cell_holding_the_separator_unquoted_is_located(tmp_path: Path) -> None:
    clients = CLIENTS.replace("1 Main Street", "1, Main Street")
    assert issues_of(write_folder(tmp_path / "q", clients=clients)) == [
        ("extra_cells", "clients.csv", 2, None)
    ]


def test_an_unreadable_clients_file_is_one_problem_not_one_per_visit(tmp_path: Path) -> None:
    found = issues_of(write_folder(tmp_path / "c", clients=CLIENTS.replace(",lat,", ",latt,")))
    assert {code for code, *_ in found} == {"missing_column", "unknown_column"}


# ---- places and stale ids ---------------------------------------------------------------------


def test_swapped_coordinates_are_a_located_error(tmp_path: Path) -> None:
    clients = CLIENTS.replace("K2,Mr Example,54.518,-6.045", "K2,Mr Example,-6.045,54.518")
    found = issues_of(write_folder(tmp_path / "swap", clients=clients))
    assert found == [("coordinates_swapped", "clients.csv", 3, "lat")]


def test_a_place_far_from_all_others_is_noted(tmp_path: Path) -> None:
    carers = CARERS.replace("54.520,-6.060", "51.500,-0.120")  # Bob lives in London
    loaded = load_scenario(write_folder(tmp_path / "far", carers=carers))
    ((code, file, row, column),) = notes_of(loaded)
    assert (code, file, row, column) == ("far_away", "carers.csv", 3, "home_lat")
    assert "km from the middle of the other places" in loaded.notes[0].message


def test_ids_a_leaving_carer_leaves_behind_are_ignored_with_notes(tmp_path: Path) -> None:
    carers = "\n".join(line for line in CARERS.splitlines() if not line.startswith("C3,")) + "\n"
    clients = CLIENTS.replace(
        "K3,Ms Example,54.522,-6.058,,,,,", "K3,Ms Example,54.522,-6.058,,,C3,,"
    )
    clients = clients.replace(",,,C2,", ",,,C2;C3,")
    shifts = "carer_id,date,shifts\nC3,2026-12-01,\nC1,2026-12-01,07:00-12:00\n"
    folder = write_folder(tmp_path / "left", carers=carers, clients=clients, shifts=shifts)
    loaded = load_scenario(folder)
    assert loaded.scenario.client_by_id["K3"].preferred_carers == frozenset()
    assert loaded.scenario.client_by_id["K2"].excluded_carers == {"C2"}
    assert [(s.start, s.end) for s in loaded.scenario.carer_by_id["C1"].shifts_on[0].shifts] == [
        (420, 720)
    ]
    assert sorted(notes_of(loaded)) == [
        ("unknown_carer", "clients.csv", 3, "excluded_carers"),
        ("unknown_carer", "clients.csv", 4, "preferred_carers"),
        ("unknown_carer", "shifts.csv", 2, "carer_id"),
    ]
    # the history row naming C3 stays: a carer who has left is still part of the client's past
    assert ("K2", "C3") in {(h.client_id, h.carer_id) for h in loaded.scenario.history}


def test_a_json_scenario_without_a_required_list_says_which() -> None:
    with pytest.raises(InputError) as caught:
        scenario_from_document({"carers": [], "clients": []}, "s.json", "s")
    assert [(i.code, i.file) for i in caught.value.issues] == [("missing_table", "s.json")]


def test_a_column_with_data_but_no_name_and_a_column_named_twice(tmp_path: Path) -> None:
    unnamed = VISITS.replace("pinned_carer\n", "pinned_carer,\n").replace(
        "critical,\n", "critical,,x\n"
    )
    # the header ends with an empty cell; V1's row has an "x" under it
    assert issues_of(write_folder(tmp_path / "a", visits=unnamed)) == [
        ("missing_column_name", "visits.csv", 1, None)
    ]
    twice = VISITS.replace("priority,pinned_carer", "priority,priority")
    assert issues_of(write_folder(tmp_path / "b", visits=twice)) == [
        ("duplicate_column", "visits.csv", 1, None)
    ]


ROLE_VISITS = (
    "id,client_id,date,earliest_start,latest_start,duration_minutes,carers_required,"
    "required_skills,second_carer_skills,second_carer_minutes\n"
    "V1,K1,2026-12-01,07:30,08:30,30,1,medication,,\n"
    "V2,K2,2026-12-01,09:00,10:00,45,2,hoist,none,15\n"
    "V3,K3,2026-12-01,12:00,13:00,15,2,hoist;medication,Medication,\n"
    "V4,K3,2026-12-01,17:00,18:00,30,2,hoist,,\n"
)


def test_second_carer_skills_and_minutes_read_and_round_trip(tmp_path: Path) -> None:
    scenario = read_scenario(write_folder(tmp_path / "roles", visits=ROLE_VISITS))
    roles = {v.id: v.roles for v in scenario.visits}
    assert roles == {
        "V1": (frozenset({"medication"}),),
        "V2": (frozenset({"hoist"}), frozenset()),  # "none": a helper
        "V3": (frozenset({"hoist", "medication"}), frozenset({"medication"})),
        "V4": (frozenset({"hoist"}), frozenset({"hoist"})),  # empty: the same as the first
    }
    lengths = {v.id: v.lengths for v in scenario.visits}  # empty minutes: the whole call
    assert lengths == {"V1": (30,), "V2": (45, 15), "V3": (15, 15), "V4": (30, 30)}
    assert scenario.visit_by_id["V2"].care_minutes == 60
    write_scenario(scenario, tmp_path / "written" / "roles")
    assert read_scenario(tmp_path / "written" / "roles") == scenario


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("30,1,medication,,", "30,1,medication,,10", "invalid_value"),  # one carer, no second
        ("45,2,hoist,none,15", "45,2,hoist,none,50", "conflict"),  # longer than the visit
        ("45,2,hoist,none,15", "45,2,hoist,none,0", "invalid_value"),
        ("45,2,hoist,none,15", "45,2,hoist,none,a quarter", "invalid_value"),
    ],
)
def test_bad_second_carer_minutes_are_located(
    tmp_path: Path, old: str, new: str, code: str
) -> None:
    folder = write_folder(tmp_path / "bad", visits=ROLE_VISITS.replace(old, new))
    row = 2 if old.startswith("30,1") else 3
    assert issues_of(folder) == [(code, "visits.csv", row, "second_carer_minutes")]


def test_several_windows_read_and_round_trip_and_are_located_when_wrong(tmp_path: Path) -> None:
    visits = VISITS.replace("priority,pinned_carer\n", "priority,pinned_carer,windows\n")
    visits = visits.replace(
        "V3,K3,2026-12-01,12:00,13:00,15,1,,normal,", "V3,K3,2026-12-01,12:00,13:00,15,1,,normal,,"
    )
    rows = visits.splitlines()
    rows[3] += "12:00-12:15;12:45-13:00"
    scenario = read_scenario(write_folder(tmp_path / "two", visits="\n".join(rows) + "\n"))
    visit = scenario.visit_by_id["V3"]
    assert visit.windows == ((720, 735), (765, 780)) and visit.closed == ((736, 764),)
    write_scenario(scenario, tmp_path / "written" / "two")
    assert read_scenario(tmp_path / "written" / "two") == scenario
    for cell, code in (
        ("12:00-12:15;12:10-13:00", "malformed_time"),  # overlapping
        ("12:00-12:15;12:45-12:50", "conflict"),  # the last closes before latest_start
        ("noon", "malformed_time"),
    ):
        bad = [*rows[:3], rows[3].rsplit(",", 1)[0] + "," + cell, *rows[4:]]
        folder = write_folder(tmp_path / code / cell[:5], visits="\n".join(bad) + "\n")
        assert issues_of(folder) == [(code, "visits.csv", 4, "windows")]


def test_a_break_window_reads_and_round_trips_and_is_located_when_wrong(tmp_path: Path) -> None:
    carers = CARERS.replace(
        "max_working_minutes\n", "max_working_minutes,break_window,break_window_minutes\n"
    )
    rows = carers.splitlines()
    good = [rows[0], rows[1] + ",12:00-14:00,30", rows[2] + ",11:30-13:00,", rows[3] + ",,"]
    scenario = read_scenario(write_folder(tmp_path / "lunch", carers="\n".join(good) + "\n"))
    ann, bob = scenario.carer_by_id["C1"].break_window, scenario.carer_by_id["C2"].break_window
    assert ann is not None and (ann.start, ann.end, ann.minutes) == (720, 840, 30)
    assert bob is not None and (bob.start, bob.end, bob.minutes) == (690, 780, None)
    assert scenario.carer_by_id["C3"].break_window is None
    write_scenario(scenario, tmp_path / "written" / "lunch")
    assert read_scenario(tmp_path / "written" / "lunch") == scenario
    for window, minutes, code, column in (
        ("14:00-12:00", "30", "malformed_time", "break_window"),
        ("12:00-13:00;15:00-16:00", "", "malformed_time", "break_window"),
        ("12:00-12:20", "30", "conflict", "break_window_minutes"),
        ("", "30", "conflict", "break_window_minutes"),
        ("12:00-14:00", "0", "invalid_value", "break_window_minutes"),
    ):
        bad = [rows[0], f"{rows[1]},{window},{minutes}", *good[2:]]
        folder = write_folder(tmp_path / "bad" / f"{len(window)}{minutes}", carers="\n".join(bad))
        assert issues_of(folder) == [(code, "carers.csv", 2, column)]


def test_a_carers_own_overtime_limit_reads_and_round_trips(tmp_path: Path) -> None:
    carers = CARERS.replace("max_working_minutes\n", "max_working_minutes,max_overtime_minutes\n")
    rows = carers.splitlines()
    good = [rows[0], rows[1] + ",0", rows[2] + ",45", rows[3] + ","]
    scenario = read_scenario(write_folder(tmp_path / "ot", carers="\n".join(good) + "\n"))
    assert [c.max_overtime_minutes for c in scenario.carers] == [0, 45, None]
    assert [c.overtime(30) for c in scenario.carers] == [0, 45, 30]
    write_scenario(scenario, tmp_path / "written" / "ot")
    assert read_scenario(tmp_path / "written" / "ot") == scenario
    bad = [rows[0], rows[1] + ",-5", *good[2:]]
    folder = write_folder(tmp_path / "bad", carers="\n".join(bad) + "\n")
    assert issues_of(folder) == [("invalid_value", "carers.csv", 2, "max_overtime_minutes")]


def test_an_optional_call_reads_and_round_trips(tmp_path: Path) -> None:
    visits = VISITS.replace("15,1,,normal,", "15,1,,optional,")
    scenario = read_scenario(write_folder(tmp_path / "opt", visits=visits))
    assert scenario.visit_by_id["V3"].priority is Priority.OPTIONAL
    write_scenario(scenario, tmp_path / "written" / "opt")
    assert read_scenario(tmp_path / "written" / "opt") == scenario


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("30,1,medication,", "30,1,medication,hoist", "invalid_value"),  # one carer, no second
        ("45,2,hoist,none", "45,2,hoist,hoisting", "unknown_skill"),
    ],
)
def test_bad_second_carer_skills_are_located(tmp_path: Path, old: str, new: str, code: str) -> None:
    folder = write_folder(tmp_path / "bad", visits=ROLE_VISITS.replace(old, new))
    row = 2 if code == "invalid_value" else 3
    assert issues_of(folder) == [(code, "visits.csv", row, "second_carer_skills")]


def test_late_tolerance_read_and_round_trip_and_never_on_a_critical_visit(tmp_path: Path) -> None:
    visits = VISITS.replace(
        "priority,pinned_carer\n", "priority,pinned_carer,late_tolerance_minutes\n"
    )
    lines = visits.splitlines()
    # V1 is critical; V2 gives 10 minutes; V3 and V4 take the settings' default.
    lines[2] += ",10"
    text = "\n".join(lines) + "\n"
    scenario = read_scenario(write_folder(tmp_path / "late", visits=text))
    assert {v.id: v.late_tolerance for v in scenario.visits} == {
        "V1": None,
        "V2": 10,
        "V3": None,
        "V4": None,
    }
    write_scenario(scenario, tmp_path / "written" / "late")
    assert read_scenario(tmp_path / "written" / "late") == scenario
    lines[1] += ",5"
    folder = write_folder(tmp_path / "bad", visits="\n".join(lines) + "\n")
    assert issues_of(folder) == [("conflict", "visits.csv", 2, "late_tolerance_minutes")]


def test_a_visits_own_late_weight_reads_round_trips_and_never_on_a_critical_visit(
    tmp_path: Path,
) -> None:
    visits = VISITS.replace("priority,pinned_carer\n", "priority,pinned_carer,late_weight\n")
    lines = visits.splitlines()
    lines[2] += ",500"  # V2: dearer late than the settings' 100 a minute
    scenario = read_scenario(write_folder(tmp_path / "price", visits="\n".join(lines) + "\n"))
    assert {v.id: v.late_weight for v in scenario.visits} == {
        "V1": None,
        "V2": 500,
        "V3": None,
        "V4": None,
    }
    write_scenario(scenario, tmp_path / "written" / "price")
    assert read_scenario(tmp_path / "written" / "price") == scenario
    for row, cell, code in ((1, "5", "conflict"), (2, "-1", "invalid_value")):
        bad = list(lines)
        bad[row] = bad[row].rsplit(",", 1)[0] + "," + cell if row == 2 else bad[row] + "," + cell
        folder = write_folder(tmp_path / code, visits="\n".join(bad) + "\n")
        assert issues_of(folder) == [(code, "visits.csv", row + 1, "late_weight")]


GAP_HEADER = ",follows,min_gap_minutes,max_gap_minutes,other_carer"


def _gap_visits(v4: str, v3: str = ",,,") -> str:
    """VISITS with the gap columns: V4 (K3, 17:00-18:00) given ``v4``, V3 (K3, 12:00-13:00)
    ``v3``, the others nothing."""
    header, *rows = VISITS.splitlines()
    cells = {"V3": v3, "V4": v4}
    return (
        "\n".join(
            [
                header + GAP_HEADER,
                *(row + "," + cells.get(row.split(",")[0], ",,,") for row in rows),
            ]
        )
        + "\n"
    )


def test_gaps_are_read_and_written_back(tmp_path: Path) -> None:
    scenario = read_scenario(write_folder(tmp_path / "gap", visits=_gap_visits("V3,240,330,yes")))
    v4 = scenario.visit_by_id["V4"]
    assert (v4.follows, v4.min_gap, v4.max_gap, v4.other_carer) == ("V3", 240, 330, True)
    assert scenario.visit_by_id["V3"].follows is None
    # Without a most, the gap has no upper bound; other_carer empty means no.
    open_ended = read_scenario(write_folder(tmp_path / "open", visits=_gap_visits("V3,60,,")))
    assert open_ended.visit_by_id["V4"].max_gap is None
    assert not open_ended.visit_by_id["V4"].other_carer
    for original in (scenario, open_ended):
        write_scenario(original, tmp_path / "written" / original.name)
        assert read_scenario(tmp_path / "written" / original.name) == original


@pytest.mark.parametrize(
    "v4, v3, code, row, column",
    [
        ("V9,60,,", ",,,", "unknown_visit", 5, "follows"),
        ("V1,60,,", ",,,", "conflict", 5, "follows"),  # another client's call
        ("V4,0,,", ",,,", "conflict", 5, "follows"),  # itself
        ("V3,400,,", ",,,", "conflict", 5, "min_gap_minutes"),  # 18:00 is 360 after 12:00
        ("V3,0,200,", ",,,", "conflict", 5, "max_gap_minutes"),  # 17:00 is 240 after 13:00
        ("V3,90,60,", ",,,", "conflict", 5, "max_gap_minutes"),  # most below least
        ("V3,60,,perhaps", ",,,", "invalid_value", 5, "other_carer"),
        ("V3,-5,,", ",,,", "invalid_value", 5, "min_gap_minutes"),
        (",60,,", ",,,", "conflict", 5, "min_gap_minutes"),  # a gap from nothing
        ("V2,0,,", ",,,", "conflict", 5, "follows"),  # V2 is K2's and double-handed
    ],
)
def test_bad_gaps_are_located(
    tmp_path: Path, v4: str, v3: str, code: str, row: int, column: str
) -> None:
    folder = write_folder(tmp_path / "bad", visits=_gap_visits(v4, v3))
    assert issues_of(folder) == [(code, "visits.csv", row, column)]


def test_a_double_handed_call_neither_follows_nor_is_followed(tmp_path: Path) -> None:
    # V2 (K2, double-handed) follows a new single call of K2 (row 3); or a K2 call follows V2.
    header, *rows = _gap_visits(",,,").splitlines()
    early = "V5,K2,2026-12-01,08:00,09:00,15,1,,normal,,,,,"
    follows = [*rows, early]
    follows[1] = "V2,K2,2026-12-01,09:00,10:00,45,2,hoist,normal,,V5,0,,"
    folder = write_folder(tmp_path / "pair", visits="\n".join([header, *follows]) + "\n")
    assert issues_of(folder) == [("conflict", "visits.csv", 3, "follows")]
    followed = [*rows, "V6,K2,2026-12-01,11:00,12:00,15,1,,normal,,V2,0,,"]
    folder = write_folder(tmp_path / "followed", visits="\n".join([header, *followed]) + "\n")
    assert issues_of(folder) == [("conflict", "visits.csv", 6, "follows")]


def test_break_windows_overtime_and_late_weights_round_trip_through_json(
    tiny_folder: Path, tmp_path: Path
) -> None:
    scenario = read_scenario(tiny_folder)
    lunch = BreakWindow(start=12 * 60, end=14 * 60, minutes=30)
    carers = (
        scenario.carers[0].model_copy(update={"break_window": lunch, "max_overtime_minutes": 0}),
        *scenario.carers[1:],
    )
    visits = tuple(
        v.model_copy(update={"late_weight": 250}) if v.id == "V3" else v for v in scenario.visits
    )
    fields = {name: getattr(scenario, name) for name in Scenario.model_fields}
    changed = Scenario(**(fields | {"carers": carers, "visits": visits}))  # no stale lookups
    path = tmp_path / "changed.json"
    path.write_text(scenario_to_json(changed))
    assert read_scenario(path) == changed
    write_scenario(changed, tmp_path / "written" / "tiny")
    assert read_scenario(tmp_path / "written" / "tiny") == changed
