"""The VRPTW benchmark's reader and checker: the checker must accept every shipped best-known
solution at its stated cost and reject each broken rule on a tiny instance checked by hand.
Distances are compared in integer tenths, never as floats."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.results import Case
from benchmarks.vrptw import (
    Instance,
    customer_routes,
    data_dir,
    dimacs_matrix,
    evaluate,
    pyvrp_routes,
    read_solution,
    read_vrplib,
    run_pyvrp,
    to_routing_problem,
)
from routing.problem import SearchSpec
from routing.solver import solve_routing

# Depot at (0,0) open 0..100; two vehicles of capacity 10; service 2 at every customer.
# Customers (node: position, demand, window): 1 (3,4) 3 [0,10]; 2 (6,8) 3 [10,30];
# 3 (0,-5) 4 [0,50]; 4 (1,1) 2 [0,100]; 5 (-5,0) 5 [20,40].
TINY = """NAME : TINY5
TYPE : CVRPTW
DIMENSION : 6
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 2
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 0 -5
5 1 1
6 -5 0
DEMAND_SECTION
1 0
2 3
3 3
4 4
5 2
6 5
TIME_WINDOW_SECTION
1 0 100
2 0 10
3 10 30
4 0 50
5 0 100
6 20 40
DEPOT_SECTION
1
-1
EOF
"""
# Route [1, 2, 4]: depot->1 5.0 (start 5, done 7), 1->2 5.0 (start 12), 2->4 sqrt(74)=8.6
# (start 22.6), 4->depot sqrt(2)=1.4: 20.0, load 8. Route [3, 5]: depot->3 5.0, 3->5
# sqrt(50)=7.0 (arrive 14, wait to 20), 5->depot 5.0: 17.0, load 9. Total 37.0.
GOOD = [[1, 2, 4], [3, 5]]


@pytest.fixture
def tiny(tmp_path: Path) -> Instance:
    path = tmp_path / "TINY5.vrp"
    path.write_text(TINY, encoding="utf-8")
    return read_vrplib(path)


def tenths(distance: float) -> int:
    return round(distance * 10)


def test_dimacs_arcs_are_truncated_tenths(tiny: Instance) -> None:
    travel = dimacs_matrix(tiny.coords)
    assert travel[0, 1] == 50 and travel[1, 2] == 50  # 3-4-5 triangles, exact
    assert travel[0, 4] == 14  # sqrt(2) = 1.414.. -> 1.4
    assert travel[2, 4] == 86  # sqrt(74) = 8.602.. -> 8.6
    assert travel[3, 5] == 70  # sqrt(50) = 7.071.. -> 7.0


def test_good_tiny_solution_is_feasible(tiny: Instance) -> None:
    distance, feasible, message = evaluate(tiny, GOOD)
    assert feasible and message == ""
    assert tenths(distance) == 370


def test_checker_rejects_a_broken_window(tiny: Instance) -> None:
    # depot->2 10.0 (start 10, done 12), 2->1 5.0: starts 1 at 17, its window closed at 10
    distance, feasible, message = evaluate(tiny, [[2, 1, 4], [3, 5]])
    assert not feasible and "customer 1 at 17" in message


def test_checker_rejects_a_late_return(tiny: Instance, tmp_path: Path) -> None:
    # The depot closes at 25 instead of 100: route [1, 2, 4] is back at 26.0.
    path = tmp_path / "EARLY.vrp"
    path.write_text(TINY.replace("1 0 100\n2 0 10", "1 0 25\n2 0 10"), encoding="utf-8")
    distance, feasible, message = evaluate(read_vrplib(path), [[1, 2, 4], [3, 5]])
    assert not feasible and "back at the depot at 26" in message


def test_checker_rejects_over_capacity(tiny: Instance) -> None:
    # 3 + 3 + 2 + 4 = 12 on one vehicle of capacity 10 (times still fit: back at 37.6)
    distance, feasible, message = evaluate(tiny, [[1, 2, 4, 3], [5]])
    assert not feasible and "carries 12" in message


def test_checker_rejects_a_missing_customer(tiny: Instance) -> None:
    distance, feasible, message = evaluate(tiny, [[1, 2, 4], [3]])
    assert not feasible and "not visited: [5]" in message


def test_checker_rejects_a_customer_visited_twice(tiny: Instance) -> None:
    distance, feasible, message = evaluate(tiny, [[1, 2, 4], [3, 5, 4]])
    assert not feasible and "[4] are visited more than once" in message


def test_checker_rejects_too_many_vehicles(tiny: Instance) -> None:
    distance, feasible, message = evaluate(tiny, [[1, 2], [4], [3, 5]])
    assert not feasible and "uses 3 vehicles" in message


def test_routing_problem_solves_tiny_feasibly(tiny: Instance) -> None:
    problem = to_routing_problem(tiny)
    assert problem.horizon == 1000 and len(problem.vehicles) == 2
    # task t is customer t + 1: customer 2 closes at 30, i.e. 300 in tenths
    assert problem.tasks[1].location == 2 and problem.tasks[1].latest == 300
    assert problem.tasks[0].service == 20
    answer = solve_routing(problem, SearchSpec(metaheuristic="GREEDY_DESCENT", time_limit_s=30))
    assert answer.found and answer.dropped == ()
    distance, feasible, message = evaluate(tiny, customer_routes(problem, answer))
    assert feasible, message


def test_run_pyvrp_without_pyvrp_returns_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyvrp", None)  # makes `import pyvrp` fail
    row = run_pyvrp(Case("solomon", "TINY5", "unused.vrp"), 1.0)
    assert row.note == "pyvrp not installed" and row.objective is None


# --- the shipped data --------------------------------------------------------------------------


def shipped(suite: str) -> list[Path]:
    folder = data_dir() / suite
    if not folder.is_dir():
        pytest.skip(f"benchmark data not found at {folder} (set DOMCARE_DATA)")
    return sorted(folder.glob("*.vrp"))


def test_r101_is_read() -> None:
    (path,) = [p for p in shipped("solomon") if p.stem == "R101"]
    r101 = read_vrplib(path)
    assert len(r101.coords) == 101 and r101.customers == 100
    assert r101.vehicles == 25 and r101.capacity == 200 and r101.service == 10
    assert (r101.ready[0], r101.due[0]) == (0, 230)  # the depot's window is the horizon
    assert (r101.ready[1], r101.due[1], r101.demand[1]) == (161, 171, 10)


@pytest.mark.parametrize("suite", ["solomon", "homberger"])
def test_every_best_known_solution_checks_at_its_cost(suite: str) -> None:
    paths = shipped(suite)
    assert paths
    for path in paths:
        best = read_solution(path.with_suffix(".sol"))
        distance, feasible, message = evaluate(read_vrplib(path), best.routes)
        assert feasible, f"{path.stem}: {message}"
        assert tenths(distance) == tenths(best.cost), path.stem


def test_pyvrp_routes_are_read_as_our_customer_nodes() -> None:
    # PyVRP's own reading of the R101 best-known solution, turned into customer nodes as
    # run_pyvrp does, must check at the stated cost (PyVRP's client 0 is our node 1).
    pyvrp = pytest.importorskip("pyvrp")
    (path,) = [p for p in shipped("solomon") if p.stem == "R101"]
    data = pyvrp.read(path, round_func="dimacs")
    solution = pyvrp.read_solution(path.with_suffix(".sol"), data)
    distance, feasible, message = evaluate(read_vrplib(path), pyvrp_routes(data, solution))
    assert feasible, message
    assert tenths(distance) == solution.distance() == 16377
