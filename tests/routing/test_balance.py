"""Fixed departures (paid from the shift start) and workload balance in the routing core:
each rule's arithmetic, and the search keeping it (integer minutes, places on a line)."""

from __future__ import annotations

import numpy as np

from routing.problem import RoutingProblem, SearchSpec, Task, Vehicle
from routing.repair import _cost, schedule
from routing.solver import evaluate, solve_routing

# Five places on a line, 10 minutes apart: 0 is home.
LINE = np.array([[abs(i - j) * 10 for j in range(5)] for i in range(5)], dtype=np.int64)
SPEC = SearchSpec(time_limit_s=30, metaheuristic="GREEDY_DESCENT")


def vehicle(**kw: object) -> Vehicle:
    return Vehicle(start_location=0, end_location=0, earliest_start=0, latest_end=600, **kw)  # type: ignore[arg-type]


def problem(tasks: list[Task], vehicles: list[Vehicle], **kw: object) -> RoutingProblem:
    return RoutingProblem(
        travel=(LINE,), tasks=tuple(tasks), vehicles=tuple(vehicles), horizon=1440, **kw
    )  # type: ignore[arg-type]


def test_a_vehicle_paid_from_its_start_leaves_then_and_its_wait_is_in_the_span() -> None:
    call = Task(location=2, service=30, earliest=100, latest=120, penalty=10_000)
    free = problem([call], [vehicle()], span_cost=2)
    paid = problem([call], [vehicle(leaves_at_start=True)], span_cost=2)
    # free: leave at 80, there at 100, home at 150: span 70; paid: leave at 0, span 150
    assert (schedule(free, 0, [0]).depart, schedule(paid, 0, [0]).depart) == (80, 0)
    assert evaluate(free, [[0]]) == 40 * 1 + 70 * 2
    assert evaluate(paid, [[0]]) == 40 * 1 + 150 * 2
    answer = solve_routing(paid, SPEC)
    (route,) = answer.routes
    assert (route.depart, route.starts, route.arrive) == (0, (100,), 150)


def test_a_wait_before_the_first_call_goes_to_the_carer_who_starts_later() -> None:
    call = Task(location=1, service=30, earliest=300, latest=310, penalty=10_000)
    early = vehicle(leaves_at_start=True)
    late = Vehicle(0, 0, earliest_start=280, latest_end=600, leaves_at_start=True)
    answer = solve_routing(problem([call], [early, late], span_cost=2), SPEC)
    (route,) = answer.routes
    assert route.vehicle == 1 and route.depart == 280


def test_work_short_of_its_target_costs_an_unused_vehicle_too() -> None:
    calls = [
        Task(location=p, service=s, earliest=0, latest=500, penalty=10_000)
        for p, s in ((1, 20), (2, 40))
    ]
    day = problem(calls, [vehicle(work_target=60), vehicle(work_target=60)], balance_cost=3)
    # vehicle 0 does both: travel 10 + 10 + 20 and service 60 = 100, over its target (free);
    # vehicle 1 none: 60 short
    both = 40 + 3 * 60
    assert evaluate(day, [[0, 1], []]) == both
    routes: list[list[int]] = [[0, 1], []]
    timings = [schedule(day, v, r) for v, r in enumerate(routes)]
    costs = [_cost(day, v, r, t) for v, (r, t) in enumerate(zip(routes, timings, strict=True))]
    assert sum(costs) == both
    # one each: travel 20 + service 20 = 40 (20 short), travel 40 + service 40 = 80
    split = 20 + 40 + 3 * 20
    assert evaluate(day, [[0], [1]]) == split
    answer = solve_routing(day, SPEC)
    assert answer.objective == split and len(answer.routes) == 2


def test_without_a_price_on_balance_the_search_keeps_one_carer() -> None:
    calls = [Task(location=p, service=20, earliest=0, latest=500, penalty=10_000) for p in (1, 2)]
    day = problem(calls, [vehicle(work_target=20), vehicle(work_target=20)])
    assert not day.balanced
    answer = solve_routing(day, SPEC)
    assert answer.objective == 40 and len(answer.routes) == 1


def test_waiting_dearer_than_travel_is_priced_on_the_slack() -> None:
    # Leaving at 0 for a call 20 away that opens at 100: 80 waiting, 40 travel, 30 service.
    call = Task(location=2, service=30, earliest=100, latest=120, penalty=10_000)
    day = problem([call], [vehicle(leaves_at_start=True)], span_cost=1, idle_cost=3)
    timing = schedule(day, 0, [0])
    assert evaluate(day, [[0]]) == 40 + 150 * 1 + 80 * 3 == _cost(day, 0, [0], timing)
    # a detour that fills the wait with travel costs less: via place 4 (40 there, 20 back)
    on_the_way = Task(location=4, service=10, earliest=0, latest=500, penalty=10_000)
    both = problem([on_the_way, call], [vehicle(leaves_at_start=True)], span_cost=1, idle_cost=3)
    # travel 40 + 20 + 20 = 80, service 40, back at 150: waiting 150 - 120 = 30
    assert evaluate(both, [[0, 1]]) == 80 + 150 + 30 * 3


def test_work_over_its_target_costs_where_excess_is_priced() -> None:
    calls = [
        Task(location=p, service=s, earliest=0, latest=500, penalty=10_000)
        for p, s in ((1, 20), (2, 40))
    ]
    targets = [vehicle(work_target=60), vehicle(work_target=60)]
    day = problem(calls, targets, balance_cost=2, excess_cost=1)
    # vehicle 0 does both: travel 40 and service 60 = 100, 40 over its target; vehicle 1 none:
    # its trip home to home is 0, 60 short
    routes: list[list[int]] = [[0, 1], []]
    both = 40 + 1 * 40 + 2 * 60
    assert evaluate(day, routes) == both
    timings = [schedule(day, v, r) for v, r in enumerate(routes)]
    costs = [_cost(day, v, r, t) for v, (r, t) in enumerate(zip(routes, timings, strict=True))]
    assert sum(costs) == both
    # one each: 40 (20 short) and 80 (20 over)
    assert evaluate(day, [[0], [1]]) == 20 + 40 + 2 * 20 + 1 * 20
    assert problem(calls, targets, excess_cost=1).balanced
