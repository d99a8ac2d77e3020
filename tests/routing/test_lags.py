"""Lags between two tasks' starts: kept by the search, then by windows (``routing.lags``),
and a task kept out by its lag alone is told so.

Four places on a line, 10 minutes apart; 0 is the depot (home)."""

from __future__ import annotations

import numpy as np
import pytest

from routing.diagnose import Blocker, rescue_and_explain
from routing.lags import bind
from routing.problem import Lag, Route, RoutingProblem, SearchSpec, Task, Vehicle
from routing.solver import solve_routing

LINE = np.array([[abs(i - j) * 10 for j in range(4)] for i in range(4)], dtype=np.int64)
SPEC = SearchSpec(time_limit_s=30, metaheuristic="GREEDY_DESCENT")


def problem(
    tasks: list[Task], vehicles: int, lags: tuple[Lag, ...], **kw: object
) -> RoutingProblem:
    fleet = tuple(
        Vehicle(start_location=0, end_location=0, earliest_start=0, latest_end=1440, **kw)  # type: ignore[arg-type]
        for _ in range(vehicles)
    )
    return RoutingProblem(
        travel=(LINE,), tasks=tuple(tasks), vehicles=fleet, horizon=1440, lags=lags
    )


# Two calls at place 1, 30 minutes each, both allowed all day 480-900 for the first, 480-960
# for the second: with no lag one carer does both back to back (starts 480 and 510).
CALLS = [
    Task(location=1, service=30, earliest=480, latest=900, penalty=10_000),
    Task(location=1, service=30, earliest=480, latest=960, penalty=10_000),
]


def starts_of(routes: tuple[Route, ...]) -> dict[int, tuple[int, int]]:
    """Task -> (vehicle, start)."""
    return {t: (r.vehicle, s) for r in routes for t, s in zip(r.tasks, r.starts, strict=True)}


def test_without_a_lag_the_two_calls_run_back_to_back() -> None:
    answer = solve_routing(problem(CALLS, 1, ()), SPEC)
    placed = starts_of(answer.routes)
    assert abs(placed[1][1] - placed[0][1]) == 30


@pytest.mark.parametrize("least, most", [(120, 150), (240, None), (0, 0)])
def test_the_second_starts_least_to_most_after_the_first(least: int, most: int | None) -> None:
    apart = least == 0  # the same start needs two carers
    lag = Lag(0, 1, least, most, apart=apart)
    answer = solve_routing(problem(CALLS, 2, (lag,)), SPEC)
    placed = starts_of(answer.routes)
    assert answer.dropped == ()
    gap = placed[1][1] - placed[0][1]
    assert least <= gap <= (most if most is not None else 1440)


def test_apart_lags_go_to_two_vehicles_even_when_one_is_cheaper() -> None:
    answer = solve_routing(problem(CALLS, 2, (Lag(0, 1, 120, None, apart=True),)), SPEC)
    placed = starts_of(answer.routes)
    assert placed[0][0] != placed[1][0]


def test_apart_means_another_person_not_another_shift_of_the_same_one() -> None:
    # Two vehicles, one person (a morning and an afternoon shift of one group): the pair apart
    # cannot both be done, so one is dropped.
    tasks = [CALLS[0], Task(location=1, service=30, earliest=480, latest=960, penalty=10)]
    fleet = (
        Vehicle(0, 0, 0, 700, group=7),
        Vehicle(0, 0, 700, 1440, group=7),
    )
    lone = RoutingProblem(
        travel=(LINE,),
        tasks=tuple(tasks),
        vehicles=fleet,
        horizon=1440,
        lags=(Lag(0, 1, 240, None, apart=True),),
    )
    answer = solve_routing(lone, SPEC)
    assert answer.dropped == (1,)


def test_a_lag_binds_only_the_two_together() -> None:
    # The second cannot start 600 after the first (its window closes at 960, the first
    # opens at 480 but the first is worth more): the first is done alone.
    tasks = [CALLS[0], Task(location=1, service=30, earliest=480, latest=960, penalty=10)]
    answer = solve_routing(problem(tasks, 1, (Lag(0, 1, 600, None),)), SPEC)
    assert answer.dropped == (1,)


def test_bind_pins_the_placed_and_narrows_the_partner() -> None:
    lag = Lag(0, 1, 120, 180, apart=True)
    base = problem(CALLS, 2, (lag,))
    bound = bind(base, [[0], []], {0: 500})
    assert (bound.tasks[0].earliest, bound.tasks[0].latest) == (500, 500)
    assert (bound.tasks[1].earliest, bound.tasks[1].latest) == (620, 680)
    assert bound.tasks[1].allowed_vehicles == frozenset({1})
    # Placed second, the first may start 180 to 120 before it.
    back = bind(base, [[], [1]], {1: 700})
    assert (back.tasks[0].earliest, back.tasks[0].latest) == (520, 580)
    assert back.tasks[0].allowed_vehicles == frozenset({0})


def test_bind_bars_a_partner_the_lag_leaves_no_start() -> None:
    bound = bind(problem(CALLS, 1, (Lag(0, 1, 120, None),)), [[0]], {0: 900})
    assert bound.tasks[1].allowed_vehicles == frozenset()  # 900 + 120 is past 960


def test_a_rescued_partner_keeps_the_lag_and_is_told_by_its_lag() -> None:
    # One carer does the first at 500; the second must start 120-130 later (620-630) but the
    # carer is busy at place 3 from 600 to 700, and its own window would fit after that.
    busy = Task(location=3, service=100, earliest=600, latest=600, penalty=10_000)
    tasks = [*CALLS, busy]
    base = problem(tasks, 1, (Lag(0, 1, 120, 130),))
    bound = bind(base, [[0, 2]], {0: 500})
    routes, blocked, timed = rescue_and_explain(bound, [[0, 2]], set(), base)
    assert routes == [[0, 2]]
    assert blocked == {1: {0: Blocker.LAG}}
    # With the busy call an hour later there is room: rescued inside the lag.
    moved = problem(
        [*CALLS, Task(location=3, service=100, earliest=700, latest=700, penalty=10_000)],
        1,
        (Lag(0, 1, 120, 130),),
    )
    routes, blocked, timed = rescue_and_explain(
        bind(moved, [[0, 2]], {0: 500}), [[0, 2]], set(), moved
    )
    assert 1 in routes[0] and blocked == {}
    assert 620 <= timed.tasks[1].earliest == timed.tasks[1].latest <= 630


def test_a_task_kept_out_by_its_pinned_partner_moves_the_partner() -> None:
    # As above: the first pinned at 500 leaves the second only 620-630, when the carer is busy
    # at place 3 (600-700). Told the tasks as asked, the rescue takes the first out and puts
    # both after the busy call: the first at 720, the second 120-130 later.
    busy = Task(location=3, service=100, earliest=600, latest=600, penalty=10_000)
    base = problem([*CALLS, busy], 1, (Lag(0, 1, 120, 130),))
    bound = bind(base, [[0, 2]], {0: 500})
    routes, blocked, timed = rescue_and_explain(bound, [[0, 2]], set(), base, base)
    assert routes == [[2, 0, 1]] and blocked == {}
    first, second = timed.tasks[0].earliest, timed.tasks[1].earliest
    assert first == 720 and 120 <= second - first <= 130
    assert timed.tasks[1].latest == second  # both pinned where they went
