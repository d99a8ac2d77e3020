"""Reading events.csv as coordinators save it, and refusing what the rota cannot follow, every
problem located by file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scheduler.io.events import read_events
from scheduler.io.scenario import read_scenario
from scheduler.model.care import Scenario
from scheduler.model.errors import InputError
from scheduler.model.events import (
    CarerLate,
    CarerOff,
    ClientAdded,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
    VisitDone,
)
from scheduler.model.plan import Plan, Run, Stop
from scheduler.model.settings import Settings

HEADER = (
    "event,carer_id,visit_id,client_id,from,until,start,end,earliest_start,latest_start,"
    "duration_minutes\n"
)
GOOD = HEADER + (
    "carer_off,C2,,,11:00,,,,,,\n"
    "carer_off,C3,,,12:00,14:00,,,,,\n"
    "visit_cancelled,,V4,,,,,,,,\n"
    "visit_added,,N1,K1,,,,,13:00,14:00,30\n"
    "visit_changed,,V3,,,,,,12:30,13:00,\n"
    "visit_done,,V1,,,,07:40,08:15,,,\n"
)
EXPECTED = (
    CarerOff(carer_id="C2", start=660, row=2),
    CarerOff(carer_id="C3", start=720, end=840, row=3),
    VisitCancelled(visit_id="V4", row=4),
)


@pytest.fixture
def scenario(tiny_folder: Path) -> Scenario:
    return read_scenario(tiny_folder)


@pytest.fixture
def plan(scenario: Scenario) -> Plan:
    """C1 made V1 at 07:35 (before 11:00); the rest is planned later."""

    def stop(visit: str, client: str, start: int, length: int) -> Stop:
        return Stop(
            visit_id=visit, client_id=client, arrival=start, start=start, end=start + length,
            travel_minutes=0, travel_m=0, wait_minutes=0,
        )  # fmt: skip

    run = Run(
        carer_id="C1", shift_start=420, shift_end=780, depart=425, return_home=800,
        stops=(stop("V1", "K1", 455, 30), stop("V3", "K3", 720, 15)),
        home_travel_minutes=5, home_travel_m=1000,
    )  # fmt: skip
    later = Run(
        carer_id="C1", shift_start=960, shift_end=1320, depart=1015, return_home=1060,
        stops=(stop("V4", "K3", 1020, 30),), home_travel_minutes=5, home_travel_m=1000,
    )  # fmt: skip
    return Plan(
        scenario="tiny", date=scenario.date, status="solved", runs=(run, later),
        unallocated=(), settings=Settings(),
    )  # fmt: skip


def _refused(text: str, scenario: Scenario, plan: Plan) -> set[tuple[int | None, str | None, str]]:
    """Every problem ``read_events`` finds in ``text`` at 11:00, as (row, column, code)."""
    with pytest.raises(InputError) as raised:
        read_events(text.encode(), scenario, plan, 660)
    return {(i.row, i.column, i.code) for i in raised.value.issues}


def test_every_kind_of_event_is_read(scenario: Scenario, plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(GOOD, encoding="utf-8")
    events = read_events(path, scenario, plan, 11 * 60)
    assert events[:3] == EXPECTED
    added = events[3]
    assert isinstance(added, VisitAdded) and added.row == 5
    assert (added.visit.id, added.visit.client_id, added.visit.date) == ("N1", "K1", scenario.date)
    assert (added.visit.earliest_start, added.visit.latest_start, added.visit.duration) == (
        780, 840, 30,
    )  # fmt: skip
    assert events[4] == VisitChanged(visit_id="V3", earliest_start=750, latest_start=780, row=6)
    assert events[5] == VisitDone(visit_id="V1", start=460, end=495, row=7)


def test_events_as_excel_saves_them_are_read_the_same(
    scenario: Scenario, plan: Plan, tmp_path: Path
) -> None:
    # Excel on a UK PC: Windows-1252, or semicolons with a byte-order mark, times with seconds.
    (tmp_path / "plain").mkdir()
    (tmp_path / "excel").mkdir()
    plain = tmp_path / "plain" / "events.csv"
    plain.write_text(GOOD, encoding="utf-8")
    excel = tmp_path / "excel" / "events.csv"
    text = GOOD.replace(",", ";").replace(":00;", ":00:00;").replace(":15;", ":15:00;")
    excel.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))
    assert read_events(excel, scenario, plan, 660) == read_events(plain, scenario, plan, 660)


def test_events_as_json_are_read_like_the_csv(
    scenario: Scenario, plan: Plan, tmp_path: Path
) -> None:
    lines = GOOD.splitlines()
    columns = lines[0].split(",")
    records = [
        {k: v for k, v in zip(columns, line.split(","), strict=True) if v} for line in lines[1:]
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(records))
    events = read_events(path, scenario, plan, 660)
    assert [type(e) for e in events] == [
        type(e) for e in read_events(GOOD.encode(), scenario, plan, 660)
    ]
    assert events[0] == CarerOff(carer_id="C2", start=660, file="events.json", row=None)


@pytest.mark.parametrize("text", ["", HEADER])
def test_no_event_is_an_empty_list(scenario: Scenario, plan: Plan, text: str) -> None:
    assert read_events(text.encode(), scenario, plan, 660) == ()


def test_a_bad_file_lists_every_problem_with_its_row(scenario: Scenario, plan: Plan) -> None:
    text = HEADER + (
        "carer_off,C9,,,11:00,,,,,,\n"  # unknown carer
        "visit_done,,V1,,,,07:40,08:15,,,\n"
        "visit_done,,V1,,,,07:40,08:15,,,\n"  # done twice
        "carer_off,C2,,,25:00,,,,,,\n"  # no such time
        "visit_cancelled,,V1,,,,,,,,\n"  # begun (and done)
        "visit_done,,V3,,,,11:30,11:45,,,\n"  # after --at
        "vanished,,,,,,,,,,\n"
    )
    with pytest.raises(InputError) as raised:
        read_events(text.encode(), scenario, plan, 660)
    found = {(i.row, i.column, i.code) for i in raised.value.issues}
    assert found == {
        (2, "carer_id", "unknown_carer"),
        (4, "visit_id", "duplicate_row"),
        (5, "from", "malformed_time"),
        (6, "visit_id", "duplicate_row"),
        (7, "start", "conflict"),
        (8, "event", "invalid_value"),
    }
    assert all(i.file == "events.csv" for i in raised.value.issues)


def test_a_call_begun_cannot_be_changed_or_cancelled(scenario: Scenario, plan: Plan) -> None:
    text = HEADER + "visit_changed,,V1,,,,,,09:00,10:00,\nvisit_cancelled,,V1,,,,,,,,\n"
    with pytest.raises(InputError) as raised:
        read_events(text.encode(), scenario, plan, 660)
    assert [(i.row, i.code) for i in raised.value.issues] == [(2, "conflict"), (3, "conflict")]
    assert "started at 07:35" in raised.value.issues[0].message


def test_a_visit_added_needs_its_cells_and_a_new_id(scenario: Scenario, plan: Plan) -> None:
    text = HEADER + "visit_added,,V1,K7,,,,,13:00,,\nvisit_added,,N2,K1,,,,,14:00,13:00,30\n"
    found = _refused(text, scenario, plan)
    assert found == {
        (2, "latest_start", "missing_value"),
        (2, "duration_minutes", "missing_value"),
        (3, None, "invalid_value"),  # window inverted, said by the visit's own check
    }


def test_off_time_ending_before_it_starts_is_located(scenario: Scenario, plan: Plan) -> None:
    with pytest.raises(InputError) as raised:
        read_events((HEADER + "carer_off,C2,,,12:00,11:00,,,,,\n").encode(), scenario, plan, 660)
    (issue,) = raised.value.issues
    assert (issue.row, issue.code) == (2, "invalid_value") and "end after" in issue.message


def test_a_late_carer_and_a_new_client_with_their_call_are_read(
    scenario: Scenario, plan: Plan
) -> None:
    text = (
        "event,carer_id,visit_id,client_id,from,minutes,name,lat,lon,postcode,"
        "earliest_start,latest_start,duration_minutes\n"
        "carer_late,C2,,,10:30,25,,,,,,,\n"
        "client_added,,,K9,,,New Client,54.515,-6.045,BT28 2AB,,,\n"
        "visit_added,,N9,K9,,,,,,,15:00,16:00,45\n"
    )
    late, client, visit = read_events(text.encode(), scenario, plan, 660)
    assert late == CarerLate(carer_id="C2", start=630, minutes=25, row=2)
    assert isinstance(client, ClientAdded) and client.row == 3
    assert (client.client.id, client.client.name, client.client.postcode) == (
        "K9",
        "New Client",
        "BT28 2AB",
    )
    assert (client.client.location.lat, client.client.location.lon) == (54.515, -6.045)
    assert isinstance(visit, VisitAdded) and visit.visit.client_id == "K9"


def test_a_new_client_needs_a_new_id_and_a_place_on_earth(scenario: Scenario, plan: Plan) -> None:
    text = (
        "event,client_id,name,lat,lon\n"
        "client_added,K1,Again,54.5,-6.0\n"
        "client_added,K8,Far,95,-6.0\n"
        "carer_late,,,,\n"
    )
    found = _refused(text, scenario, plan)
    assert found == {
        (2, "client_id", "duplicate_id"),
        (3, "lat", "out_of_range"),
        (4, "carer_id", "missing_value"),
        (4, "from", "missing_value"),
        (4, "minutes", "missing_value"),
    }
