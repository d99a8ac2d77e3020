"""Re-planning a day under way: history kept, orphans placed, as little else changed as can be,
and every new plan valid on the day as it now stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.haversine import HaversineTravel
from scheduler.analysis.changes import change_list
from scheduler.io.scenario import read_scenario
from scheduler.model.care import Client, Scenario, Visit
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
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.planning.replan import Replanned, replan_day
from scheduler.rules.day import validate_plan
from tests.conftest import write_folder

SETTINGS = Settings(solve=SolveSettings(time_limit_s=5, solution_limit=100))
TRAVEL = HaversineTravel(SETTINGS.travel)

CARERS = """id,name,home_lat,home_lon,shifts,skills
A,Ann,54.510,-6.050,07:00-15:00,medication
B,Bob,54.512,-6.052,07:00-15:00,medication
C,Cat,54.600,-6.200,07:00-15:00,medication
"""
CLIENTS = """id,name,lat,lon
K1,One,54.511,-6.051
K2,Two,54.513,-6.053
K3,Three,54.514,-6.049
K4,Four,54.599,-6.199
"""
VISITS = """id,client_id,date,earliest_start,latest_start,duration_minutes,carers_required,priority
V1,K1,2026-12-01,08:00,08:30,30,1,normal
V2,K2,2026-12-01,10:00,11:00,30,1,normal
V3,K3,2026-12-01,12:00,13:00,30,1,normal
V4,K4,2026-12-01,09:00,10:00,30,1,normal
V5,K2,2026-12-01,08:00,09:00,30,1,normal
"""


def day(folder: Path, carers: str = CARERS, visits: str = VISITS) -> Scenario:
    return read_scenario(
        write_folder(folder, carers=carers, clients=CLIENTS, visits=visits, history=None)
    )


def checked(replanned: Replanned) -> Replanned:
    assert validate_plan(replanned.scenario, replanned.plan, TRAVEL) == []
    return replanned


def calls(plan: Plan) -> dict[str, tuple[tuple[str, ...], int]]:
    found: dict[str, tuple[list[str], int]] = {}
    for run in plan.runs:
        for stop in run.stops:
            found.setdefault(stop.visit_id, ([], stop.start))[0].append(run.carer_id)
    return {v: (tuple(sorted(c)), s) for v, (c, s) in found.items()}


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return day(tmp_path / "day")


@pytest.fixture
def plan(scenario: Scenario) -> Plan:
    planned = solve_day(scenario, SETTINGS, TRAVEL)
    assert planned.unallocated == ()
    return planned


def carer_of(plan: Plan, visit_id: str) -> str:
    (carer,), _ = calls(plan)[visit_id]
    return carer


def test_a_call_of_a_carer_gone_off_goes_to_another_and_the_rest_stays(
    scenario: Scenario, plan: Plan
) -> None:
    sick = carer_of(plan, "V3")
    again = checked(replan_day(scenario, plan, (CarerOff(carer_id=sick, start=11 * 60 + 30),), 660))
    assert carer_of(again.plan, "V3") != sick
    assert "V3" in again.orphans
    before, after = calls(plan), calls(again.plan)
    for visit_id in ("V1", "V2", "V4", "V5"):  # nobody asked to change these
        assert after[visit_id] == before[visit_id]
    changes = change_list(again)
    assert (changes.other_carer, changes.moved, changes.placed("orphan")) == (0, 0, (1, 1))


def test_calls_begun_before_at_are_kept_as_they_were(scenario: Scenario, plan: Plan) -> None:
    # The day's first call has begun at ``at``; its carer goes off 5 minutes later: the call
    # in hand stays as it was, and the carer takes nothing from then.
    first, (carers, start) = min(calls(plan).items(), key=lambda item: item[1][1])
    at = start + 5
    again = checked(replan_day(scenario, plan, (CarerOff(carer_id=carers[0], start=at + 5),), at))
    assert calls(again.plan)[first] == (carers, start)
    assert first in again.begun
    later = [
        s for r in again.plan.runs if r.carer_id == carers[0] for s in r.stops if s.start >= at
    ]
    assert later == []


def test_a_cancelled_call_is_gone_and_an_added_one_placed(scenario: Scenario, plan: Plan) -> None:
    added = Visit.model_validate(
        {
            "id": "N1",
            "client_id": "K3",
            "date": scenario.date,
            "earliest_start": 13 * 60,
            "latest_start": 14 * 60,
            "duration": 20,
        }
    )
    events = (VisitCancelled(visit_id="V3"), VisitAdded(visit=added))
    again = checked(replan_day(scenario, plan, events, 9 * 60 + 30))
    assert "V3" not in calls(again.plan) and "V3" not in again.scenario.visit_by_id
    assert 13 * 60 <= calls(again.plan)["N1"][1] <= 14 * 60
    kinds = {c.visit_id: (c.kind, c.outcome) for c in change_list(again).visits if c.calls}
    assert kinds == {"V3": ("cancelled", "cancelled"), "N1": ("added", "placed")}


def test_a_call_done_late_is_kept_as_it_happened(scenario: Scenario, plan: Plan) -> None:
    # The day's first call really started 10 minutes late and took 50 minutes: the plan
    # follows, and the carer's next calls come after it.
    first, (carers, start) = min(calls(plan).items(), key=lambda item: item[1][1])
    events = (VisitDone(visit_id=first, start=start + 10, end=start + 60),)
    again = checked(replan_day(scenario, plan, events, start + 15))
    stop = next(s for r in again.plan.runs for s in r.stops if s.visit_id == first)
    assert (stop.start, stop.end) == (start + 10, start + 60)
    assert calls(again.plan)[first][0] == carers


def test_a_call_done_too_late_for_the_next_call_begun_is_located(
    scenario: Scenario, plan: Plan
) -> None:
    # The first call of a carer with two begun calls ran until after the second's planned
    # start: the rota cannot follow that without the second's real times.
    runs = [r for r in plan.runs if len(r.stops) >= 2]
    first, second = runs[0].stops[:2]
    late = VisitDone(visit_id=first.visit_id, start=first.start, end=second.start + 5, row=7)
    with pytest.raises(InputError) as raised:
        replan_day(scenario, plan, (late,), second.start + 1)
    (issue,) = raised.value.issues
    assert (issue.code, issue.file, issue.row) == ("conflict", "events.csv", 7)
    assert second.visit_id in issue.message


def test_a_call_whose_window_closed_before_at_says_so(scenario: Scenario, plan: Plan) -> None:
    # V4's carer (the only one near K4) is off from 07:00, reported at 10:30: V4 (09:00-10:00)
    # had not begun and cannot be made any more.
    sick = carer_of(plan, "V4")
    again = checked(replan_day(scenario, plan, (CarerOff(carer_id=sick, start=420),), 630))
    (left,) = [u for u in again.plan.unallocated if u.visit_id == "V4"]
    assert left.reason_code == "window_passed"


def test_a_planned_call_is_never_dropped_for_an_orphan_of_its_priority(tmp_path: Path) -> None:
    # One carer on until 15:00 with room for one 12:00 call: its own planned V3 (K3) stays,
    # the orphan V6 (K1, 12:00-12:30) of the carer gone off is left out.
    carers = CARERS.replace("C,Cat,54.600,-6.200,07:00-15:00", "C,Cat,54.600,-6.200,07:00-08:00")
    visits = (
        VISITS.replace("V3,K3,2026-12-01,12:00,13:00,30", "V3,K3,2026-12-01,12:00,12:30,120")
        + "V6,K1,2026-12-01,12:00,12:30,120,1,normal\n"
    )
    scenario = day(tmp_path / "tight", carers, visits)
    plan = solve_day(scenario, SETTINGS, TRAVEL)
    assert {"V3", "V6"} <= set(calls(plan))
    sick = carer_of(plan, "V6")
    again = checked(replan_day(scenario, plan, (CarerOff(carer_id=sick, start=660),), 600))
    assert calls(again.plan)["V3"] == calls(plan)["V3"]
    assert [u.visit_id for u in again.plan.unallocated] == ["V6"]


def test_a_planned_call_starts_no_earlier_than_its_band(scenario: Scenario, plan: Plan) -> None:
    # V3's window opens at 12:00; planned later than 12:15 it may not come forward past
    # 15 minutes before its planned start, even when its run frees up before it.
    moved = VisitChanged(visit_id="V3", earliest_start=11 * 60, latest_start=13 * 60)
    again = checked(replan_day(scenario, plan, (moved,), 9 * 60))
    start = calls(again.plan)["V3"][1]
    assert start >= calls(plan)["V3"][1] - SETTINGS.replan.band_minutes


def test_a_late_carer_makes_no_call_before_they_can_start(scenario: Scenario, plan: Plan) -> None:
    # At 07:00 (no call begun) the carer of the day's first call rings: an hour late. They
    # start nothing before 08:00; their earlier calls go where they can.
    first, (carers, start) = min(calls(plan).items(), key=lambda item: item[1][1])
    late = CarerLate(carer_id=carers[0], start=420, minutes=60)
    again = checked(replan_day(scenario, plan, (late,), 420))
    starts = [s.start for r in again.plan.runs if r.carer_id == carers[0] for s in r.stops]
    assert all(s >= 480 for s in starts)
    assert (first in again.orphans) == (start < 480)


def test_a_carer_on_their_calls_is_not_late_but_their_call_in_hand_is(
    scenario: Scenario, plan: Plan
) -> None:
    first, (carers, start) = min(calls(plan).items(), key=lambda item: item[1][1])
    late = CarerLate(carer_id=carers[0], start=start + 5, minutes=20, row=3)
    with pytest.raises(InputError) as raised:
        replan_day(scenario, plan, (late,), start + 10)
    (issue,) = raised.value.issues
    assert (issue.row, issue.column, issue.code) == (3, "minutes", "conflict")
    assert "visit_done" in issue.message


def test_a_call_for_a_new_client_is_placed(scenario: Scenario, plan: Plan) -> None:
    client = Client.model_validate(
        {"id": "K9", "name": "New", "location": {"lat": 54.512, "lon": -6.051}}
    )
    visit = Visit.model_validate(
        {
            "id": "N9",
            "client_id": "K9",
            "date": scenario.date,
            "earliest_start": 14 * 60,
            "latest_start": 14 * 60 + 30,
            "duration": 20,
        }
    )
    again = checked(
        replan_day(scenario, plan, (ClientAdded(client=client), VisitAdded(visit=visit)), 600)
    )
    assert "K9" in again.scenario.client_by_id and "N9" in calls(again.plan)
