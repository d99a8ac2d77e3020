"""Properties of every re-plan: with nothing happened, nothing changes; a carer who goes off
keeps no call from then on; the new plan passes the validator on the day as it now stands."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.haversine import HaversineTravel
from scheduler.model.care import Scenario, Visit
from scheduler.model.errors import InputError
from scheduler.model.events import (
    CarerLate,
    CarerOff,
    Event,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
    VisitDone,
)
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.planning.replan import replan_day
from scheduler.rules.day import validate_plan
from tests.strategies import scenarios

SOLVE = Settings(solve=SolveSettings(time_limit_s=2, solution_limit=50))
TRAVEL = HaversineTravel(SOLVE.travel)


def _calls(plan: Plan) -> set[tuple[str, str, int]]:
    return {(run.carer_id, stop.visit_id, stop.start) for run in plan.runs for stop in run.stops}


@settings(max_examples=15, deadline=None)
@given(scenarios(), st.integers(6 * 60, 20 * 60))
def test_with_no_event_the_plan_is_kept_call_for_call(scenario: Scenario, at: int) -> None:
    plan = solve_day(scenario, SOLVE)
    again = replan_day(scenario, plan, (), at, SOLVE, TRAVEL)
    assert validate_plan(again.scenario, again.plan, TRAVEL) == []
    assert _calls(again.plan) == _calls(plan)
    assert {u.visit_id for u in again.plan.unallocated} == {u.visit_id for u in plan.unallocated}


@settings(max_examples=15, deadline=None)
@given(scenarios(), st.integers(6 * 60, 20 * 60), st.data())
def test_a_carer_gone_off_keeps_no_call_from_then(
    scenario: Scenario, at: int, data: st.DataObject
) -> None:
    plan = solve_day(scenario, SOLVE)
    carer = data.draw(st.sampled_from(scenario.carers))
    off = data.draw(st.integers(at - 120, at + 240))
    back = data.draw(st.one_of(st.none(), st.integers(off + 30, off + 300)))
    event = CarerOff(
        carer_id=carer.id, start=max(0, off), end=None if back is None else min(back, 1440)
    )
    again = replan_day(scenario, plan, (event,), at, SOLVE, TRAVEL)
    assert validate_plan(again.scenario, again.plan, TRAVEL) == []
    for run in again.plan.runs:
        if run.carer_id != carer.id:
            continue
        for stop in run.stops:
            if stop.visit_id in again.begun:
                continue  # history: made before it happened
            assert not event.start <= stop.start < (event.end or 1441), stop


@st.composite
def _events(draw: st.DrawFn, scenario: Scenario, plan: Plan, at: int) -> tuple[Event, ...]:
    """Up to four events a coordinator might give: carers off or late, planned calls after
    ``at`` cancelled or lengthened, calls begun before it done (sometimes overrunning), a
    new call for a client."""
    stops = [stop for run in plan.runs for stop in run.stops]
    events: list[Event] = []
    touched: set[str] = set()
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["off", "late", "cancel", "change", "done", "add"]))
        carer = draw(st.sampled_from(scenario.carers)).id
        stop = draw(st.sampled_from(stops)) if stops else None
        if kind == "off":
            events.append(CarerOff(carer_id=carer, start=draw(st.integers(at - 60, at + 120))))
        elif kind == "late":
            events.append(CarerLate(carer_id=carer, start=at, minutes=draw(st.integers(5, 90))))
        elif stop is None or stop.visit_id in touched:
            continue
        elif kind == "cancel" and stop.start >= at:
            events.append(VisitCancelled(visit_id=stop.visit_id))
        elif kind == "change" and stop.start >= at:
            events.append(VisitChanged(visit_id=stop.visit_id, duration=draw(st.integers(10, 90))))
        elif kind == "done" and stop.start < at:
            end = max(stop.start + 1, stop.end + draw(st.integers(-5, 20)))
            events.append(VisitDone(visit_id=stop.visit_id, start=stop.start, end=end))
        elif kind == "add":
            client = draw(st.sampled_from(scenario.clients)).id
            earliest = draw(st.integers(at, 22 * 60))
            visit = Visit(
                id=f"N{number}",
                client_id=client,
                date=scenario.date,
                earliest_start=earliest,
                latest_start=earliest + 60,
                duration=30,
            )
            events.append(VisitAdded(visit=visit))
        if stop is not None and kind in ("cancel", "change", "done"):
            touched.add(stop.visit_id)
    return tuple(events)


@settings(max_examples=15, deadline=None)
@given(scenarios(), st.integers(6 * 60, 20 * 60), st.data())
def test_any_events_give_a_valid_plan_or_say_what_cannot_have_happened(
    scenario: Scenario, at: int, data: st.DataObject
) -> None:
    plan = solve_day(scenario, SOLVE)
    events = data.draw(_events(scenario, plan, at))
    try:
        again = replan_day(scenario, plan, events, at, SOLVE, TRAVEL)
    except InputError as error:  # a call done running into the next one begun, a late
        assert {issue.code for issue in error.issues} == {"conflict"}  # carer on calls
        return
    assert validate_plan(again.scenario, again.plan, TRAVEL) == []
