"""The routing core on problems small enough to check by hand (integer minutes)."""

from __future__ import annotations

import numpy as np
from ortools.constraint_solver import routing_enums_pb2

from routing.problem import BreakRule, RoutingProblem, SearchSpec, SyncedPair, Task, Vehicle
from routing.repair import fit_breaks, improving, repair_pairs, schedule, untie
from routing.solver import AUTO, _parameters, _travel_priced, metaheuristic_for, solve_routing

# Four places on a line, 10 minutes apart: 0 is the depot (home).
LINE = np.array([[abs(i - j) * 10 for j in range(4)] for i in range(4)], dtype=np.int64)
# Greedy descent stops at a local optimum, so these small answers do not depend on the clock.
SPEC = SearchSpec(time_limit_s=30, metaheuristic="GREEDY_DESCENT")


def vehicle(start: int = 0, end: int = 600, **kw: object) -> Vehicle:
    return Vehicle(start_location=0, end_location=0, earliest_start=start, latest_end=end, **kw)  # type: ignore[arg-type]


def problem(tasks: list[Task], vehicles: list[Vehicle], **kw: object) -> RoutingProblem:
    return RoutingProblem(
        travel=(LINE,), tasks=tuple(tasks), vehicles=tuple(vehicles), horizon=1440, **kw
    )  # type: ignore[arg-type]


def test_one_vehicle_visits_in_window_order() -> None:
    tasks = [
        Task(location=3, service=10, earliest=100, latest=120, penalty=1000),
        Task(location=1, service=10, earliest=0, latest=60, penalty=1000),
    ]
    answer = solve_routing(problem(tasks, [vehicle()]), SPEC)
    assert answer.found and answer.dropped == ()
    (route,) = answer.routes
    assert route.tasks == (1, 0)
    # task 1 at place 1 from t=10 (10 min from home); task 0 at 100, its window's start
    assert route.starts[1] == 100 and 0 <= route.starts[0] <= 60
    # leave home as late as possible, back as early as possible: 100+10 service+30 home
    assert route.arrive == 140


def test_impossible_task_is_dropped_not_fatal() -> None:
    tasks = [Task(location=3, service=10, earliest=0, latest=5, penalty=1000)]  # 30 min away
    answer = solve_routing(problem(tasks, [vehicle()]), SPEC)
    assert answer.found and answer.dropped == (0,) and answer.routes == ()


def test_allowed_vehicles_are_enforced() -> None:
    # Vehicle 1 is far cheaper (starts where the task is) but not allowed.
    far, near = (
        vehicle(),
        Vehicle(start_location=2, end_location=2, earliest_start=0, latest_end=600),
    )
    tasks = [
        Task(
            location=2,
            service=10,
            earliest=0,
            latest=600,
            penalty=10_000,
            allowed_vehicles=frozenset({0}),
        )
    ]
    answer = solve_routing(problem(tasks, [far, near]), SPEC)
    assert [r.vehicle for r in answer.routes] == [0]


def test_no_allowed_vehicle_means_dropped() -> None:
    tasks = [
        Task(
            location=1, service=10, earliest=0, latest=600, penalty=10, allowed_vehicles=frozenset()
        )
    ]
    answer = solve_routing(problem(tasks, [vehicle()]), SPEC)
    assert answer.dropped == (0,)


def test_higher_penalty_wins_when_only_one_fits() -> None:
    # Both want the same 10-minute slot at place 1; one vehicle can do only one of them.
    tasks = [
        Task(location=1, service=30, earliest=100, latest=100, penalty=1_000),
        Task(location=1, service=30, earliest=100, latest=100, penalty=1_000_000),
    ]
    answer = solve_routing(problem(tasks, [vehicle()]), SPEC)
    assert answer.dropped == (0,)


def test_span_upper_bound_limits_working_time() -> None:
    # Two tasks at place 3 (30 min away), far apart in time: span 30+10+...+10+30 > 100
    tasks = [
        Task(location=3, service=10, earliest=30, latest=30, penalty=1000),
        Task(location=3, service=10, earliest=200, latest=200, penalty=1000),
    ]
    answer = solve_routing(problem(tasks, [vehicle(max_span=100)]), SPEC)
    assert len(answer.dropped) == 1


def test_group_budget_spans_two_vehicles() -> None:
    # One person, two shifts; each run is 30 there + 10 + 30 back = 70; budget 100 fits one.
    tasks = [
        Task(location=3, service=10, earliest=60, latest=60, penalty=1000),
        Task(location=3, service=10, earliest=400, latest=400, penalty=1000),
    ]
    vehicles = [vehicle(0, 300, group=7), vehicle(300, 600, group=7)]
    answer = solve_routing(problem(tasks, vehicles, group_span={7: 100}), SPEC)
    assert len(answer.dropped) == 1
    unlimited = solve_routing(problem(tasks, vehicles), SPEC)
    assert unlimited.dropped == ()


def test_synced_pair_uses_two_vehicles_at_one_time() -> None:
    tasks = [
        Task(location=2, service=20, earliest=50, latest=50, penalty=1000),
        Task(location=2, service=20, earliest=50, latest=50, penalty=1000),
    ]
    answer = solve_routing(problem(tasks, [vehicle(), vehicle()], synced=(SyncedPair(0, 1),)), SPEC)
    assert answer.dropped == ()
    assert sorted(r.vehicle for r in answer.routes) == [0, 1]
    assert {r.starts[0] for r in answer.routes} == {50}


def test_synced_pair_is_both_or_neither() -> None:
    # Only one vehicle: it cannot do both halves at once, so neither is done.
    tasks = [
        Task(location=2, service=20, earliest=50, latest=50, penalty=1000),
        Task(location=2, service=20, earliest=50, latest=50, penalty=1000),
    ]
    answer = solve_routing(problem(tasks, [vehicle()], synced=(SyncedPair(0, 1),)), SPEC)
    assert answer.dropped == (0, 1)


def test_capacity_splits_the_load() -> None:
    tasks = [Task(location=k, service=0, earliest=0, latest=600, demand=6) for k in (1, 2, 3)]
    vehicles = [vehicle(capacity=12), vehicle(capacity=12)]
    answer = solve_routing(problem(tasks, vehicles), SPEC)
    assert answer.dropped == () and len(answer.routes) == 2


def test_warm_start_that_breaks_a_window_is_reported() -> None:
    tasks = [Task(location=3, service=10, earliest=0, latest=5, penalty=1000)]
    answer = solve_routing(problem(tasks, [vehicle()]), SPEC, initial_routes=[[0]])
    assert not answer.found and answer.status == "INITIAL_ROUTES_INFEASIBLE"


def test_same_problem_same_answer() -> None:
    rng = np.random.default_rng(3)
    tasks = [
        Task(
            location=int(rng.integers(1, 4)),
            service=10,
            earliest=int(e),
            latest=int(e) + 60,
            penalty=1000,
        )
        for e in rng.integers(0, 400, 12)
    ]
    guided = SearchSpec(time_limit_s=60, solution_limit=30)  # the solution limit stops it
    runs = [solve_routing(problem(tasks, [vehicle(), vehicle()]), guided) for _ in range(2)]
    assert runs[0].routes == runs[1].routes and runs[0].objective == runs[1].objective


def test_pair_repair_moves_a_visit_aside_to_make_room() -> None:
    # Task 0 sits on vehicle 0 at 95-105 (30 min) where the pair (tasks 1, 2, fixed at 100,
    # 20 min) needs vehicles 0 and 1. Vehicle 0 can only take its half if task 0 moves to
    # vehicle 2, which can still reach it (10 min away, window 95-105).
    tasks = [
        Task(
            location=1,
            service=30,
            earliest=95,
            latest=105,
            penalty=1000,
            allowed_vehicles=frozenset({0, 2}),
        ),
        Task(
            location=2,
            service=20,
            earliest=100,
            latest=100,
            penalty=1000,
            allowed_vehicles=frozenset({0, 1}),
        ),
        Task(
            location=2,
            service=20,
            earliest=100,
            latest=100,
            penalty=1000,
            allowed_vehicles=frozenset({0, 1}),
        ),
    ]
    paired = problem(tasks, [vehicle(), vehicle(), vehicle()], synced=(SyncedPair(1, 2),))
    routes, fixed = repair_pairs(paired, [[0], [], []])
    assert sorted(map(sorted, routes)) == [[0], [1], [2]]
    assert routes[2] == [0] and {routes[0][0], routes[1][0]} == {1, 2}
    assert all(schedule(fixed, v, r) is not None for v, r in enumerate(routes))


def test_pair_repair_brings_two_halves_placed_apart_to_one_start() -> None:
    # The pair's window is 60-120, at place 2. Vehicle 0 also has task 0 fixed at 120 at place
    # 3, 10 min on, so its half (20 min) must start by 90. Placed at 60 on vehicle 0 and at 110
    # (say) on vehicle 1, the halves meet at one start in 60-90.
    tasks = [
        Task(location=3, service=10, earliest=120, latest=120, penalty=1000),
        Task(location=2, service=20, earliest=60, latest=120, penalty=1000),
        Task(location=2, service=20, earliest=60, latest=120, penalty=1000),
    ]
    paired = problem(tasks, [vehicle(), vehicle()], synced=(SyncedPair(1, 2),))
    routes, fixed = repair_pairs(paired, [[1, 0], [2]])
    assert routes == [[1, 0], [2]]  # nothing moved between vehicles
    timing0, timing1 = schedule(fixed, 0, routes[0]), schedule(fixed, 1, routes[1])
    assert timing0 is not None and timing1 is not None
    assert timing0.starts[0] == timing1.starts[0] and 60 <= timing0.starts[0] <= 90
    assert fixed.tasks[1].earliest == fixed.tasks[1].latest == timing0.starts[0]


def test_the_improving_search_holds_back_the_halves_of_a_pair_left_out() -> None:
    # The pair needs two carers at 100; vehicle 1 is held then by task 0, so the pair stays
    # out. Untied, vehicle 0 would take one half alone (worth its penalty); in the problem
    # the improving search is given (built from repair_pairs' answer, which is untied and so
    # holds no pairs itself) neither half may be placed.
    tasks = [
        Task(location=1, service=30, earliest=90, latest=90),
        Task(location=2, service=20, earliest=100, latest=100, penalty=1000),
        Task(location=2, service=20, earliest=100, latest=100, penalty=1000),
    ]
    paired = problem(tasks, [vehicle(), vehicle()], synced=(SyncedPair(1, 2),))
    routes, fixed = repair_pairs(paired, [[], [0]])
    assert routes == [[], [0]] and fixed.synced == ()
    free = solve_routing(untie(paired), SPEC, initial_routes=routes)
    assert set(free.dropped) & {1, 2} != {1, 2}  # a lone half is placed when nothing forbids it
    held = solve_routing(improving(fixed, routes, paired.synced), SPEC, initial_routes=routes)
    assert held.found and set(held.dropped) == {1, 2}
    assert improving(fixed, routes, paired.synced).tasks[1].allowed_vehicles == frozenset()


# ---- breaks -------------------------------------------------------------------------------------

BREAK = BreakRule(after=300, duration=20)


def test_a_long_run_takes_its_break_in_a_wait_long_enough() -> None:
    # Out 0-10, A 10-110, 10 min on, arrives 120 and waits for B at 250: the break fits there.
    tasks = [
        Task(location=1, service=100, earliest=10, latest=10),
        Task(location=2, service=100, earliest=250, latest=250),
    ]
    timing = schedule(problem(tasks, [vehicle()], breaks=BREAK), 0, [0, 1])
    assert timing is not None
    assert (timing.depart, timing.arrive, timing.break_start) == (0, 370, 120)


def test_a_long_run_without_a_wait_is_lengthened_for_its_break() -> None:
    # A 10-210 then B straight after: no wait, so the break goes before B and B starts later.
    tasks = [
        Task(location=1, service=200, earliest=10, latest=10),
        Task(location=2, service=200, earliest=0, latest=600),
    ]
    timing = schedule(problem(tasks, [vehicle()], breaks=BREAK), 0, [0, 1])
    assert timing is not None
    assert timing.break_start == 220 and timing.starts == (10, 240)
    assert timing.arrive - timing.depart == 440 + 20


def test_a_short_run_needs_no_break() -> None:
    tasks = [Task(location=1, service=100, earliest=10, latest=10)]
    timing = schedule(problem(tasks, [vehicle()], breaks=BREAK), 0, [0])
    assert timing is not None and timing.break_start is None


def test_a_run_with_no_room_for_its_break_gives_a_task_to_another_vehicle() -> None:
    # A 10-210 and B fixed at 220: a 340-minute run with no 20-minute wait anywhere.
    tasks = [
        Task(location=1, service=200, earliest=10, latest=10, penalty=1000),
        Task(location=2, service=100, earliest=220, latest=220, penalty=500),
    ]
    two = problem(tasks, [vehicle(), vehicle()], breaks=BREAK)
    assert schedule(two, 0, [0, 1]) is None
    assert fit_breaks(two, [[0, 1], []]) == [[0], [1]]
    # With nowhere else to go, the task of lower penalty is left out.
    assert fit_breaks(problem(tasks, [vehicle()], breaks=BREAK), [[0, 1]]) == [[0]]


def test_auto_searches_by_tabu_only_where_travel_costs_nothing() -> None:
    """Guided local search penalises costly legs: with every leg and the run's length free it
    has nothing to penalise, so ``AUTO`` runs tabu search there; a search asked for by name is
    the one run."""
    assert metaheuristic_for(AUTO, travel_priced=True) == "GUIDED_LOCAL_SEARCH"
    assert metaheuristic_for(AUTO, travel_priced=False) == "TABU_SEARCH"
    assert metaheuristic_for("GREEDY_DESCENT", travel_priced=False) == "GREEDY_DESCENT"
    tasks = [Task(location=1, service=10, earliest=0, latest=100, penalty=1000)]
    chosen = routing_enums_pb2.LocalSearchMetaheuristic
    for kw, expected in (
        ({"travel_cost": 0, "idle_cost": 1}, chosen.TABU_SEARCH),  # waiting alone is priced
        ({"travel_cost": 0, "span_cost": 2}, chosen.GUIDED_LOCAL_SEARCH),  # travel in the span
        ({}, chosen.GUIDED_LOCAL_SEARCH),
    ):
        day = problem(tasks, [vehicle()], **kw)
        params = _parameters(SearchSpec(), _travel_priced(day))
        assert params.local_search_metaheuristic == expected  # type: ignore[attr-defined]
        assert solve_routing(day, SearchSpec(time_limit_s=0.2)).dropped == ()
