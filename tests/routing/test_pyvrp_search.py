"""PyVRP as the first search: what it is told (allowed vehicles, task costs, shared working
time) it keeps, what it cannot be told it refuses, and what it breaks is taken out."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from routing.problem import RoutingProblem, SearchSpec, SyncedPair, Task, Vehicle
from routing.pyvrp_search import _kept, _shift_durations, first_routes, translate
from routing.repair import schedule
from routing.solver import pyvrp_first, solve_routing

# Four places on a line, 10 minutes apart: 0 is home.
LINE = np.array([[abs(i - j) * 10 for j in range(4)] for i in range(4)], dtype=np.int64)
PYVRP = SearchSpec(time_limit_s=1.0, engine="pyvrp", pyvrp_share=0.8)


def vehicle(start: int = 0, end: int = 600, **kw: object) -> Vehicle:
    return Vehicle(start_location=0, end_location=0, earliest_start=start, latest_end=end, **kw)  # type: ignore[arg-type]


def problem(tasks: list[Task], vehicles: list[Vehicle], **kw: object) -> RoutingProblem:
    return RoutingProblem(
        travel=(LINE,),
        tasks=tuple(tasks),
        vehicles=tuple(vehicles),
        horizon=1440,
        travel_cost=8,
        span_cost=2,
        **kw,  # type: ignore[arg-type]
    )


def task(location: int, **kw: object) -> Task:
    fields: dict[str, object] = {"service": 30, "earliest": 0, "latest": 500, "penalty": 10**6}
    fields.update(kw)
    return Task(location=location, **fields)  # type: ignore[arg-type]


def on_vehicle(routes: list[list[int]]) -> dict[int, int]:
    return {t: v for v, route in enumerate(routes) for t in route}


def test_a_task_only_some_vehicles_may_do_goes_to_one_of_them() -> None:
    tasks = [task(1), task(2, allowed_vehicles=frozenset({1})), task(3)]
    day = problem(tasks, [vehicle(), vehicle()])
    translation = translate(day, memory_mib=64)
    assert translation is not None and translation.classes == 2
    routes = first_routes(day, translation, 0.3)
    assert on_vehicle(routes)[1] == 1
    assert sorted(t for route in routes for t in route) == [0, 1, 2]


def test_two_tasks_at_one_place_with_different_carers_get_a_place_each() -> None:
    tasks = [task(2), task(2, earliest=200, allowed_vehicles=frozenset({0}))]
    translation = translate(problem(tasks, [vehicle(), vehicle()]), memory_mib=64)
    assert translation is not None
    assert translation.places == 1 + 2  # home, and place 2 twice


def test_a_vehicle_s_cost_of_a_task_steers_it_to_another() -> None:
    cost = np.array([[0, 5000], [0, 0]], dtype=np.int64)
    day = problem([task(1), task(3, earliest=300)], [vehicle(), vehicle()], task_cost=cost)
    translation = translate(day, memory_mib=64)
    assert translation is not None
    assert on_vehicle(first_routes(day, translation, 0.3))[1] == 1


def test_what_pyvrp_cannot_be_told_is_refused() -> None:
    tasks = [task(1), task(2)]
    paired = problem(tasks, [vehicle(), vehicle()], synced=(SyncedPair(0, 1),))
    assert translate(paired, memory_mib=64) is None
    # a task that must be done and no vehicle can do alone: PyVRP would chase it into time warp
    unreachable = problem([task(3, penalty=None, latest=5)], [vehicle()])
    assert translate(unreachable, memory_mib=64) is None
    # the matrices over the memory budget
    assert translate(problem(tasks, [vehicle()]), memory_mib=1e-6) is None


def test_a_task_no_vehicle_can_do_alone_is_left_to_the_caller() -> None:
    day = problem([task(1), task(3, latest=5)], [vehicle()])
    translation = translate(day, memory_mib=64)
    assert translation is not None and translation.client_task == (0,)


def test_a_shared_working_time_budget_is_split_never_exceeded() -> None:
    vehicles = [vehicle(0, 300, group=7), vehicle(300, 600, group=7)]
    day = problem([task(1), task(2)], vehicles, group_span={7: 200})
    assert _shift_durations(day) == [100, 100]
    roomy = replace(day, group_span={7: 1000})
    assert _shift_durations(roomy) == [None, None]


def test_what_a_route_cannot_keep_is_taken_out_in_order() -> None:
    # task 1 can only start by minute 15: after task 0 (10 away, 30 long) it is too late
    day = problem([task(1), task(2, latest=15), task(3)], [vehicle()])
    kept = _kept(day, [[0, 1, 2]])
    assert kept == [[0, 2]]
    assert schedule(day, 0, kept[0]) is not None


def test_solve_routing_starts_from_pyvrp_where_it_can_and_from_ortools_where_not() -> None:
    tasks = [task(1), task(2, allowed_vehicles=frozenset({1})), task(3, earliest=200)]
    day = problem(tasks, [vehicle(), vehicle()])
    answer = solve_routing(day, PYVRP)
    assert answer.found and answer.first_search == "pyvrp"
    assert answer.dropped == ()
    for route in answer.routes:
        assert schedule(day, route.vehicle, list(route.tasks)) is not None
    assert {r.vehicle for r in answer.routes if 1 in r.tasks} == {1}

    paired = replace(day, synced=(SyncedPair(0, 2),))
    assert solve_routing(paired, PYVRP).first_search == "ortools"
    assert solve_routing(day, replace(PYVRP, engine="ortools")).first_search == "ortools"


def test_pyvrp_first_says_ahead_which_search_makes_the_first_plan() -> None:
    """``pyvrp_first`` is what ``solve_routing`` does: the caller plans time by it."""
    day = problem([task(1), task(2), task(3, earliest=200)], [vehicle(), vehicle()])
    overtime = replace(day, vehicles=(vehicle(due_back=500), vehicle()))
    cases = [
        (day, PYVRP, None, True),
        (day, replace(PYVRP, engine="ortools"), None, False),
        (day, replace(PYVRP, solution_limit=1), None, False),
        (day, PYVRP, [[0], [1, 2]], False),
        (replace(day, synced=(SyncedPair(0, 2),)), PYVRP, None, False),
        (overtime, PYVRP, None, False),
    ]
    for case, spec, routes, expected in cases:
        assert pyvrp_first(case, spec, routes) is expected
        answer = solve_routing(case, spec, initial_routes=routes)
        assert (answer.first_search == "pyvrp") is expected


def test_a_problem_too_large_for_ortools_to_polish_in_time_is_pyvrp_s_alone(
    monkeypatch: object,
) -> None:
    """Over ``_FULL_SCAN_TASKS`` tasks PyVRP searches the whole time and OR-Tools' phase stops at
    its first solution: the routes as PyVRP left them, timed."""
    import routing.solver as solver

    rng = np.random.default_rng(3)
    size = solver._FULL_SCAN_TASKS + 2
    points = rng.uniform(0, 60, size=(size + 1, 2))
    travel = np.ceil(np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1)))
    large = RoutingProblem(
        travel=(travel.astype(np.int64),),
        tasks=tuple(Task(location=i, service=5, earliest=0, latest=1000) for i in range(1, size)),
        vehicles=tuple(vehicle(end=1400) for _ in range(12)),
        horizon=1440,
    )
    seen: list[SearchSpec] = []
    polish = solver._solve_ortools

    def spy(problem: RoutingProblem, spec: SearchSpec, *rest: object) -> object:
        seen.append(spec)
        return polish(problem, spec, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(solver, "_solve_ortools", spy)  # type: ignore[attr-defined]
    answer = solve_routing(large, replace(PYVRP, time_limit_s=2.0, pyvrp_share=0.5))
    assert answer.first_search == "pyvrp" and answer.dropped == ()
    assert [spec.solution_limit for spec in seen] == [1]
    for route in answer.routes:
        assert schedule(large, route.vehicle, list(route.tasks)) is not None


def test_a_late_task_costs_per_unit_and_is_searched_on_time_unless_already_late() -> None:
    from routing.repair import punctual
    from routing.solver import evaluate

    # Place 3 is 30 from home: reachable at 30, due at 20, allowed up to 45.
    late = task(3, earliest=0, latest=45, late_after=20)
    assert (late.due, late.lateness(30), late.lateness(15)) == (20, 10, 0)
    day = problem([late], [vehicle()], late_cost=7)
    # travel 60 x 8 + span (0..90 leaving at 0) x 2 + 10 late x 7
    assert evaluate(day, [[0]]) == 60 * 8 + 90 * 2 + 10 * 7
    assert punctual(day).tasks[0].latest == 20  # the search plans it on time...
    assert punctual(day, [[0]]).tasks[0].latest == 30  # ...or no later than it already is
    assert punctual(day).tasks[0].late_after is None
