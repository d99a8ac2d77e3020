"""After the search: what it missed is placed, and what keeps a task out is the rule that does.

Four places on a line, 10 minutes apart; 0 is the depot (home)."""

from __future__ import annotations

import numpy as np

from routing.diagnose import Blocker, blockers, rescue, rescue_above_pairs, rescue_and_explain
from routing.problem import BreakRule, RoutingProblem, SyncedPair, Task, Vehicle

LINE = np.array([[abs(i - j) * 10 for j in range(4)] for i in range(4)], dtype=np.int64)


def problem(tasks: list[Task], vehicles: list[Vehicle], **kw: object) -> RoutingProblem:
    return RoutingProblem(
        travel=(LINE,), tasks=tuple(tasks), vehicles=tuple(vehicles), horizon=1440, **kw
    )  # type: ignore[arg-type]


def home(start: int = 0, end: int = 1440, **kw: object) -> Vehicle:
    return Vehicle(start_location=0, end_location=0, earliest_start=start, latest_end=end, **kw)  # type: ignore[arg-type]


def test_a_task_that_fits_is_placed_highest_penalty_first() -> None:
    # Task 0 is on the route; tasks 1 and 2 fit only one at a time (same 10-minute slot at
    # place 2) and task 2 is worth more.
    tasks = [
        Task(location=1, service=10, earliest=0, latest=100, penalty=100),
        Task(location=2, service=30, earliest=200, latest=200, penalty=100),
        Task(location=2, service=30, earliest=200, latest=200, penalty=1000),
    ]
    assert rescue(problem(tasks, [home()]), [[0]], halves=set()) == [[0, 2]]


def test_a_critical_task_takes_the_place_of_a_normal_one() -> None:
    # One vehicle, two tasks at the same fixed time: the one on the route is worth less.
    tasks = [
        Task(location=1, service=30, earliest=100, latest=100, penalty=100),
        Task(location=2, service=30, earliest=100, latest=100, penalty=1_000_000),
    ]
    assert rescue(problem(tasks, [home()]), [[0]], halves=set()) == [[1]]
    # ... and never the reverse, nor a pair's half:
    assert rescue(problem(tasks, [home()]), [[1]], halves=set()) == [[1]]
    assert rescue(problem(tasks, [home()]), [[0]], halves={0}) == [[0]]


def test_the_binding_rule_is_named_per_vehicle() -> None:
    # Task 0 (08:00, 60 min at place 1) is on every route. Task 1 (place 1, start 10:00-11:00,
    # 30 min) would make a route 07:50-10:40, 170 min, with a wait 09:00-10:00 at place 1:
    # - vehicle 0 may work 120 min: its working-time budget binds (SPAN);
    # - vehicle 1 ends its shift at 10:30: busy (its own window), not its budget;
    # - vehicle 2 is free all day; the break due after 150 min fits in the wait: FITS.
    tasks = [
        Task(location=1, service=60, earliest=480, latest=480, penalty=100),
        Task(location=1, service=30, earliest=600, latest=660, penalty=100),
    ]
    vehicles = [home(max_span=120), home(end=630), home()]
    found = blockers(
        problem(tasks, vehicles, breaks=BreakRule(after=150, duration=20)),
        [[0], [0], [0]],
        [1],
    )
    assert found == {1: {0: Blocker.SPAN, 1: Blocker.BUSY, 2: Blocker.FITS}}


def test_a_route_with_no_room_for_its_break_is_break() -> None:
    # Tasks back to back from 08:00 to 10:30 at place 1 (07:50-10:40, 170 min: no break due),
    # then task 2 at 10:30 would make the route 07:50-11:40, 230 min with no wait anywhere:
    # the break (due after 180 min) has no room.
    tasks = [
        Task(location=1, service=90, earliest=480, latest=480, penalty=100),
        Task(location=1, service=60, earliest=570, latest=570, penalty=100),
        Task(location=1, service=60, earliest=630, latest=630, penalty=100),
    ]
    found = blockers(
        problem(tasks, [home()], breaks=BreakRule(after=180, duration=20)), [[0, 1]], [2]
    )
    assert found == {2: {0: Blocker.BREAK}}


def test_past_its_deadline_the_diagnosis_says_unsearched_and_places_nothing() -> None:
    """A rescue given no time places nothing and names no rule it did not try: every carer
    of a task left out is `unsearched` (told to the coordinator as not_searched)."""
    tasks = [
        Task(location=1, service=10, earliest=0, latest=100, penalty=100),
        Task(location=2, service=10, earliest=200, latest=300, penalty=100),
    ]
    day = problem(tasks, [home(), home()])
    routes, found, _ = rescue_and_explain(day, [[0], []], set(), day, deadline=0.0)
    assert routes == [[0], []]
    assert found == {1: {0: Blocker.UNSEARCHED, 1: Blocker.UNSEARCHED}}
    # with time, the same task is placed
    routes, found, _ = rescue_and_explain(day, [[0], []], set(), day)
    assert found == {} and sorted(t for r in routes for t in r) == [0, 1]


def test_a_critical_task_goes_in_before_the_pairs_are_inserted() -> None:
    """When a plan is built by insertion, tasks worth more than any half of a pair are placed
    first; the pair's halves and tasks worth no more are left to the pair repair and rescue."""
    tasks = [
        Task(location=1, service=30, earliest=100, latest=100, penalty=10),  # pair half
        Task(location=1, service=30, earliest=100, latest=100, penalty=10),  # pair half
        Task(location=2, service=30, earliest=100, latest=100, penalty=1_000),  # critical
        Task(location=3, service=30, earliest=300, latest=300, penalty=10),  # normal
    ]
    day = problem(tasks, [home(), home()], synced=(SyncedPair(0, 1),))
    routes = rescue_above_pairs(day, [[], []])
    assert sorted(t for r in routes for t in r) == [2]
