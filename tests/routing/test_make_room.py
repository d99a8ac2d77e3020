"""Making room for a call the plan cannot hold as it stands (a re-plan's orphans): moved
aside, or a route cleared, never a call to keep; on the shared place, travel 0."""

from __future__ import annotations

import numpy as np

from routing.problem import RoutingProblem, Task, Vehicle
from routing.repair import make_room, schedule

HERE = np.zeros((1, 1), dtype=np.int64)  # one place: every journey takes no time


def problem(tasks: list[Task]) -> RoutingProblem:
    vehicles = (
        Vehicle(start_location=0, end_location=0, earliest_start=0, latest_end=200),
        Vehicle(start_location=0, end_location=0, earliest_start=0, latest_end=200),
    )
    return RoutingProblem(travel=(HERE,), tasks=tuple(tasks), vehicles=vehicles, horizon=1440)


def task(earliest: int, latest: int, service: int, only: int | None = None) -> Task:
    allowed = None if only is None else frozenset({only})
    return Task(0, service, earliest, latest, penalty=1000, allowed_vehicles=allowed)


def feasible(p: RoutingProblem, routes: list[list[int]]) -> bool:
    return all(schedule(p, v, route) is not None for v, route in enumerate(routes))


def test_a_call_moves_aside_for_one_only_its_carer_can_make() -> None:
    # Task 1 (at 10 sharp, 30 min) is vehicle 0's alone; task 0 (start 0-20, 30 min) on
    # vehicle 0 is in its way either side (over by 30 at the earliest, or from 40 at the
    # latest) and goes to vehicle 1.
    p = problem([task(0, 20, 30), task(10, 10, 30, only=0)])
    routes = make_room(p, [[0], []], [1], keep=set())
    assert routes == [[1], [0]] and feasible(p, routes)


def test_a_call_to_keep_is_never_moved() -> None:
    p = problem([task(0, 20, 30), task(10, 10, 30, only=0)])
    assert make_room(p, [[0], []], [1], keep={0}) == [[0], []]


def test_a_route_is_cleared_when_one_call_aside_is_not_enough() -> None:
    # Task 2 (15 sharp, 40 min) is vehicle 0's alone. Moving task 0 (10-20) alone leaves task
    # 1 (35-45) starting before 15 + 40 = 55; moving task 1 alone leaves task 0 running into
    # 15: both go to vehicle 1.
    p = problem([task(10, 20, 20), task(35, 45, 20), task(15, 15, 40, only=0)])
    routes = make_room(p, [[0, 1], []], [2], keep=set())
    assert routes == [[2], [0, 1]] and feasible(p, routes)


def test_a_pair_moves_to_another_start_for_a_call_only_one_of_its_carers_can_make() -> None:
    # The pair (tasks 0 and 1, 30 min, any start 0-100) sits at 10 on vehicles 0 and 1. Task 2
    # (start 0-20, 30 min) is vehicle 0's alone and overlaps it whatever its start: the
    # rescue puts task 2 on vehicle 0 and the pair back whole elsewhere, at one shared start.
    from dataclasses import replace

    from routing.diagnose import rescue_and_explain
    from routing.problem import SyncedPair
    from routing.repair import as_routes, pin

    three = replace(
        problem([task(0, 100, 30), task(0, 100, 30), task(0, 20, 30, only=0)]),
        vehicles=problem([]).vehicles * 2,
    )
    asked = replace(three, vehicles=three.vehicles[:3], synced=(SyncedPair(0, 1),))
    fixed = replace(pin(asked, {0: 10, 1: 10}), synced=())
    routes, blocked, timed = rescue_and_explain(fixed, [[0], [1], []], {0, 1}, fixed, asked)
    assert blocked == {}
    assert 2 in routes[0]
    by_task = {
        t: (r.vehicle, start)
        for r in as_routes(timed, routes)
        for t, start in zip(r.tasks, r.starts, strict=True)
    }
    (v0, s0), (v1, s1) = by_task[0], by_task[1]
    assert v0 != v1 and s0 == s1 and feasible(timed, routes)
