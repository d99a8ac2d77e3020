"""Properties of every solved day: the validator finds nothing, every visit is accounted for
exactly once, every left-out visit says why, and the day's figures add up."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings

from routing.haversine import HaversineTravel
from scheduler.analysis.metrics import day_figures
from scheduler.model.care import Carer, Client, Location, Scenario, Shift, Visit
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from tests.strategies import DATE, scenarios

SOLVE = Settings(solve=SolveSettings(time_limit_s=2, solution_limit=50))


def _solve(scenario: Scenario) -> Plan:
    return solve_day(scenario, SOLVE)


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_solved_plan_has_no_violation(scenario: Scenario) -> None:
    plan = _solve(scenario)
    assert validate_plan(scenario, plan, HaversineTravel(SOLVE.travel)) == []


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_every_visit_is_in_the_runs_or_unallocated_never_both(scenario: Scenario) -> None:
    plan = _solve(scenario)
    placed = Counter(stop.visit_id for run in plan.runs for stop in run.stops)
    left = Counter(u.visit_id for u in plan.unallocated)
    for visit in scenario.visits:
        if visit.id in left:
            assert (placed[visit.id], left[visit.id]) == (0, 1), visit.id
        else:
            assert placed[visit.id] == visit.carers_required, visit.id
    assert set(placed) | set(left) <= set(scenario.visit_by_id)


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_every_unallocated_visit_gives_a_reason(scenario: Scenario) -> None:
    plan = _solve(scenario)
    for left in plan.unallocated:
        assert left.reason_code.strip(), left
        assert left.reason.strip(), left
        assert left.client_id == scenario.visit_by_id[left.visit_id].client_id


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_day_figures_are_the_sum_of_the_carers_figures(scenario: Scenario) -> None:
    plan = _solve(scenario)
    day = day_figures(scenario, plan)
    for name in ("contact_minutes", "travel_minutes", "waiting_minutes", "paid_minutes"):
        assert getattr(day, name) == sum(getattr(c, name) for c in day.carers), name
    assert day.travel_km == pytest.approx(sum(c.travel_km for c in day.carers), abs=0.051)
    assert day.carers_working == len(day.carers) == len({run.carer_id for run in plan.runs})
    assert day.visits_allocated + day.visits_unallocated == day.visits == len(scenario.visits)
    assert sum(day.unallocated_by_reason.values()) == len(plan.unallocated)


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_paid_time_is_contact_plus_travel_plus_waiting(scenario: Scenario) -> None:
    plan = _solve(scenario)
    for carer in day_figures(scenario, plan).carers:
        runs = [run for run in plan.runs if run.carer_id == carer.carer_id]
        assert carer.waiting_minutes >= 0, carer
        assert carer.paid_minutes == (
            carer.contact_minutes + carer.travel_minutes + carer.waiting_minutes
        )
        # Paid time is each run's span less its unpaid break, and the waiting the stops
        # record is all of its slack, the break included.
        breaks = sum(run.break_minutes for run in runs)
        assert carer.paid_minutes == sum(run.return_home - run.depart for run in runs) - breaks
        assert carer.waiting_minutes == (
            sum(s.wait_minutes for run in runs for s in run.stops) - breaks
        )


def test_a_working_time_limit_met_by_starting_the_first_visit_late_is_solved() -> None:
    home, client = Location(lat=54.5, lon=-6.0), Location(lat=54.5, lon=-5.9375)
    # home -> client is 14 min by car. C1 works 09:00-13:00, at most 120 min.
    # A (10:00-10:30) then B (11:40), 15 min each, both pinned to C1:
    #   A at 10:00: leave 09:46 ... B ends 11:55 + 14 = home 12:09, 143 min > 120;
    #   A at 10:30: leave 10:16 ... home 12:09, 113 min: feasible, and OR-Tools finds it.
    # The double-handed visit (C2 and C3, 07:00) sends the day through the pair repair.
    carers = (
        Carer(
            id="C1",
            name="a",
            home=home,
            shifts=(Shift(start=540, end=780),),
            max_working_minutes=120,
        ),
        Carer(id="C2", name="b", home=home, shifts=(Shift(start=360, end=540),)),
        Carer(id="C3", name="c", home=home, shifts=(Shift(start=360, end=540),)),
    )
    visits = (
        Visit(
            id="PAIR",
            client_id="K1",
            date=DATE,
            earliest_start=420,
            latest_start=420,
            duration=15,
            carers_required=2,
        ),
        Visit(
            id="A",
            client_id="K1",
            date=DATE,
            earliest_start=600,
            latest_start=630,
            duration=15,
            pinned_carer="C1",
        ),
        Visit(
            id="B",
            client_id="K1",
            date=DATE,
            earliest_start=700,
            latest_start=700,
            duration=15,
            pinned_carer="C1",
        ),
    )
    scenario = Scenario(
        name="late-first-start",
        date=DATE,
        carers=carers,
        clients=(Client(id="K1", name="k", location=client),),
        visits=visits,
    )
    plan = _solve(scenario)
    assert validate_plan(scenario, plan, HaversineTravel(SOLVE.travel)) == []
    assert plan.unallocated == ()
