"""The re-plan benchmark: its events are drawn as it says (two carers off with calls after
``at``, one later call cancelled, one added), the same for a seed, and its travel figure is
the legs after ``at``."""

from __future__ import annotations

import pytest

from benchmarks.replan import draw_events, travel_after
from scheduler.io.scenario import read_scenario
from scheduler.model.care import Scenario
from scheduler.model.events import CarerOff, VisitAdded, VisitCancelled
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, Plan]:
    scenario = read_scenario(ROOT / "scenarios" / "small")
    return scenario, solve_day(scenario, Settings(solve=SolveSettings(solution_limit=20)))


def test_the_events_drawn_are_the_ones_described_and_the_same_for_a_seed(
    small: tuple[Scenario, Plan],
) -> None:
    scenario, plan = small
    events = draw_events(scenario, plan, 660, 3)
    assert events == draw_events(scenario, plan, 660, 3)
    off = [e for e in events if isinstance(e, CarerOff)]
    assert len(off) == 2 and all(e.start == 660 and e.end is None for e in off)
    for e in off:
        assert any(s.start >= 690 for r in plan.runs if r.carer_id == e.carer_id for s in r.stops)
    (cancelled,) = [e for e in events if isinstance(e, VisitCancelled)]
    starts = {s.visit_id: (r.carer_id, s.start) for r in plan.runs for s in r.stops}
    carer, start = starts[cancelled.visit_id]
    assert start >= 720 and carer not in {e.carer_id for e in off}
    (added,) = [e for e in events if isinstance(e, VisitAdded)]
    assert (
        added.visit.duration == 30 and added.visit.latest_start - added.visit.earliest_start == 60
    )
    assert added.visit.earliest_start >= 720 and added.visit.id not in scenario.visit_by_id


def test_travel_after_counts_the_legs_arriving_from_then_and_the_ways_home(
    small: tuple[Scenario, Plan],
) -> None:
    _, plan = small
    at = 12 * 60
    legs = sum(s.travel_minutes for r in plan.runs for s in r.stops if s.arrival >= at)
    home = sum(r.home_travel_minutes for r in plan.runs if r.return_home >= at)
    assert travel_after(plan, at) == legs + home
    assert travel_after(plan, 0) == sum(
        sum(s.travel_minutes for s in r.stops) + r.home_travel_minutes for r in plan.runs
    )
