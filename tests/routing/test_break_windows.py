"""A break inside a window (a lunch): off before leaving, off after returning, or in a wait
between two tasks, wholly inside the window; the timing, the fitting after the search and the
search together.

Places on a line, 10 minutes apart; 0 is the depot (home). The window is 12:00-14:00 (720 to
840), 30 minutes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from routing.problem import BreakRule, BreakWindow, RoutingProblem, SearchSpec, Task, Vehicle
from routing.repair import fit_breaks, missed_cost, relieve, schedule
from routing.solver import solve_routing

LINE = np.array([[abs(i - j) * 10 for j in range(4)] for i in range(4)], dtype=np.int64)
SPEC = SearchSpec(time_limit_s=30, metaheuristic="GREEDY_DESCENT")
LUNCH = BreakWindow(earliest=720, latest=840, minutes=30)


def problem(tasks: list[Task], vehicles: int = 1, **kw: object) -> RoutingProblem:
    fleet = tuple(Vehicle(0, 0, 0, 1440) for _ in range(vehicles))
    windows = {v: LUNCH for v in range(vehicles)}
    return RoutingProblem(
        travel=(LINE,),
        tasks=tuple(tasks),
        vehicles=fleet,
        horizon=1440,
        break_windows=windows,
        **kw,  # type: ignore[arg-type]
    )


def at(place: int, start: int, service: int = 60) -> Task:
    return Task(location=place, service=service, earliest=start, latest=start)


def test_a_run_over_before_the_window_needs_no_break() -> None:
    # Out 530-540, a call 540-600, home 610: off for the whole window.
    timing = schedule(problem([at(1, 540)]), 0, [0])
    assert timing is not None and timing.break_start is None and timing.arrive == 610


def test_a_break_in_a_wait_is_placed_inside_the_window() -> None:
    # A 660-720 at place 1, B at 800 at place 2: arrives 730, waits 70 min. The break begins on
    # arrival (730), inside the window, and ends by 840.
    timing = schedule(problem([at(1, 660), at(2, 800)]), 0, [0, 1])
    assert timing is not None and timing.break_start == 730
    assert LUNCH.earliest <= timing.break_start <= LUNCH.latest - LUNCH.minutes


def test_a_wait_before_the_window_is_not_a_lunch() -> None:
    # A 540-600, then B at 720 at place 2: the wait (610-720) ends as the window opens, and B
    # runs to 840, so there is no room inside 12:00-14:00 however the run is timed.
    tasks = [at(1, 540), at(2, 720, service=120)]
    assert schedule(problem(tasks), 0, [0, 1]) is None
    assert schedule(problem(tasks).unbroken(), 0, [0, 1]) is not None


def test_a_wait_that_begins_before_the_window_breaks_from_its_opening() -> None:
    # A 600-660, B at 800 at place 2: arrives 670, waits; the break begins at 720, not 670.
    timing = schedule(problem([at(1, 600), at(2, 800)]), 0, [0, 1])
    assert timing is not None and timing.break_start == 720


def test_a_run_without_a_wait_is_lengthened_for_its_break_inside_the_window() -> None:
    # A 700-760 at place 1, then B (flexible, 60 min) at place 2: straight on, B would run
    # 770-830 with no room. The break goes before B inside the window: 770-800, B at 800.
    flexible = Task(location=2, service=60, earliest=700, latest=900)
    timing = schedule(problem([at(1, 700), flexible]), 0, [0, 1])
    assert timing is not None and timing.break_start == 770 and timing.starts == (700, 800)


def test_a_late_start_leaves_the_lunch_at_home() -> None:
    # One flexible call that may start 720..900: leaving at 750 or later keeps 720-750 off; the
    # shortest span is the call alone, so no break is placed in the run.
    flexible = Task(location=1, service=60, earliest=720, latest=900)
    timing = schedule(problem([flexible]), 0, [0])
    assert timing is not None and timing.break_start is None
    assert timing.depart >= LUNCH.earliest + LUNCH.minutes or timing.arrive <= 810


def test_the_in_run_break_is_as_long_as_the_break_rule_asks() -> None:
    # With a rule of 45 minutes after 300, a long run's one break serves both: 45 in the window.
    tasks = [at(1, 480, service=240), at(2, 830, service=120)]
    timing = schedule(problem(tasks, breaks=BreakRule(after=300, duration=45)), 0, [0, 1])
    assert timing is not None and timing.break_start is not None
    assert LUNCH.earliest <= timing.break_start <= LUNCH.latest - 45


def test_fit_breaks_gives_up_a_call_that_fills_the_window() -> None:
    # Two calls back to back through the window: one must go (to the second vehicle).
    tasks = [
        Task(location=1, service=60, earliest=720, latest=720, penalty=100),
        Task(location=2, service=60, earliest=790, latest=790, penalty=50),
    ]
    routes = fit_breaks(problem(tasks, vehicles=2), [[0, 1], []])
    assert sorted(map(sorted, routes)) == [[0], [1]]


def test_the_search_then_fitting_keeps_every_lunch() -> None:
    # Four calls of an hour through the middle of the day, two carers. The search does not see
    # lunches; fitting them after it keeps every call, each run with room for its lunch.
    tasks = [
        Task(location=1 + k % 3, service=60, earliest=660, latest=900, penalty=10_000)
        for k in range(4)
    ]
    lunches = problem(tasks, vehicles=2)
    answer = solve_routing(lunches.unbroken(), SPEC)
    searched: list[list[int]] = [[], []]
    for route in answer.routes:
        searched[route.vehicle] = list(route.tasks)
    routes = fit_breaks(lunches, searched)
    assert sorted(t for route in routes for t in route) == [0, 1, 2, 3]
    assert all(schedule(lunches, v, route) is not None for v, route in enumerate(routes))


def test_a_priced_window_that_cannot_be_kept_is_missed_at_its_price() -> None:
    # The calls fill 12:00-14:00 (as in test_a_wait_before_the_window_is_not_a_lunch): a hard
    # window leaves the route untimed; a priced one times it without the break, flagged.
    tasks = [at(1, 540), at(2, 720, service=120)]
    priced = replace(problem(tasks), break_windows={0: replace(LUNCH, miss_cost=500)})
    timing = schedule(priced, 0, [0, 1])
    assert timing is not None and timing.missed and timing.break_start is None
    assert missed_cost(priced, 0, timing) == 500
    assert fit_breaks(priced, [[0, 1]]) == [[0, 1]]  # nothing given up for a priced lunch
    # Where it can be kept it is, at no price.
    kept = schedule(priced, 0, [0])
    assert kept is not None and not kept.missed and missed_cost(priced, 0, kept) == 0


def test_a_call_that_leaves_no_room_for_a_hard_lunch_is_given_up_not_a_priced_one() -> None:
    # Two hour-long calls back to back at 12:00 and 13:00 for one carer: the search (which
    # does not see lunches) keeps both; fitting the lunch gives one up if the lunch is hard,
    # and none if it is priced.
    tasks = [
        Task(location=1, service=60, earliest=720, latest=720, penalty=10_000),
        Task(location=1, service=60, earliest=780, latest=780, penalty=10_000),
    ]
    answer = solve_routing(problem(tasks).unbroken(), SPEC)
    assert answer.dropped == () and [r.tasks for r in answer.routes] == [(0, 1)]
    assert len(fit_breaks(problem(tasks), [[0, 1]])[0]) == 1
    priced = replace(problem(tasks), break_windows={0: replace(LUNCH, miss_cost=1)})
    assert fit_breaks(priced, [[0, 1]]) == [[0, 1]]


def test_a_run_missing_its_priced_lunch_gives_a_call_to_a_free_run_when_cheaper() -> None:
    # Carer 0 does A 12:00-13:00 and B 13:00-14:00 at place 1: no lunch. Carer 1 is free. One
    # call on each (20 more minutes of travel) keeps both lunches, at home before leaving or
    # after getting back: a call is moved at a price of 1000, not at a price of 10.
    tasks = [at(1, 720), at(1, 780)]
    for price, one_each in ((1000, True), (10, False)):
        priced = replace(
            problem(tasks, vehicles=2),
            break_windows={v: replace(LUNCH, latest=840, miss_cost=price) for v in (0, 1)},
        )
        routes = relieve(priced, fit_breaks(priced, [[0, 1], []]))
        assert sorted(map(len, routes)) == ([1, 1] if one_each else [0, 2])
        missed = [schedule(priced, v, route) for v, route in enumerate(routes) if route]
        assert [t is not None and t.missed for t in missed] == (
            [False, False] if one_each else [True]
        )
