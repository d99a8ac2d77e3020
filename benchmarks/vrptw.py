"""VRPTW benchmarks: Solomon (100 customers) and Gehring-Homberger (200-1000), our solver
beside PyVRP, both judged by one checker against the best-known solutions.

Units and objective (the DIMACS 2021 / CVRPLIB convention of the shipped best-known values):
each arc is the Euclidean distance truncated to one decimal, travel time equals distance, the
objective is total distance only and the fleet is a limit (``VEHICLES``), not minimised. All
arithmetic is done in integer tenths of a distance unit ("x10"); ``evaluate`` and the rows
report distance in plain units (x10 / 10), as the literature does.

Node numbering follows the ``.sol`` files: node 0 is the depot (line 1 of the ``.vrp``
sections), customers are 1..n.

The data folder is ``shared/data`` beside the repository, or ``$DOMCARE_DATA``.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from benchmarks.results import Case, Row, Suite, gap_pct
from routing.problem import RoutingProblem, RoutingSolution, SearchSpec, Task, Vehicle
from routing.solver import solve_routing
from scheduler.model.settings import SolveSettings

if TYPE_CHECKING:
    import pyvrp

__all__ = [
    "HOMBERGER",
    "MISSED_CUSTOMER_ARCS",
    "SOLOMON",
    "Evaluation",
    "Instance",
    "Solution",
    "best_known",
    "customer_routes",
    "data_dir",
    "dimacs_matrix",
    "evaluate",
    "pyvrp_routes",
    "read_solution",
    "read_vrplib",
    "run_domcare",
    "run_ortools",
    "run_pyvrp",
    "to_routing_problem",
]

SCALE = 10
"""Integer units per distance unit: the DIMACS convention truncates arcs to one decimal."""

MISSED_CUSTOMER_ARCS = 100
"""Leaving a customer out costs this many of the instance's longest arc. Serving a customer
adds at most two arcs, so a drop never pays while any insertion exists; yet the customer may
be left out (and shows as unallocated) rather than the search failing to find any answer."""

PYVRP_SEED = 0


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Instance:
    """A VRPTW instance in the units of its file. Node 0 is the depot; its window is the
    planning horizon. Windows bound the start of service."""

    name: str
    coords: npt.NDArray[np.float64]
    demand: npt.NDArray[np.int64]
    ready: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]
    service: int
    """The same service time for every customer (none at the depot)."""
    vehicles: int
    capacity: int

    @property
    def customers(self) -> int:
        return len(self.coords) - 1


@dataclass(frozen=True)
class Solution:
    """A ``.sol`` file: routes of customer nodes (1..n, depot left out) and its stated cost."""

    routes: tuple[tuple[int, ...], ...]
    cost: float


_HEADER_KEYS = {"NAME", "TYPE", "COMMENT", "DIMENSION", "VEHICLES", "CAPACITY", "SERVICE_TIME"}
_SECTIONS = {"NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION", "DEPOT_SECTION"}


def read_vrplib(path: str | Path) -> Instance:
    """Read a VRPTW ``.vrp`` file (the subset of VRPLIB that the shipped files use).

    Raises ``ValueError`` naming the file and line for anything it does not understand.
    """
    path = Path(path)
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        where = f"{path.name} line {number}"
        if ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            if key == "EDGE_WEIGHT_TYPE":
                if value != "EUC_2D":
                    raise ValueError(f"{where}: only EUC_2D distances are supported, not {value}")
            elif key not in _HEADER_KEYS:
                raise ValueError(f"{where}: unknown key {key}")
            header[key] = value
            current = None
        elif line in _SECTIONS:
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append(line.split())
        else:
            raise ValueError(f"{where}: not understood: {line!r}")

    missing = sorted(
        ({"DIMENSION", "VEHICLES", "CAPACITY"} - header.keys()) | (_SECTIONS - sections.keys())
    )
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    size = int(header["DIMENSION"])

    def table(name: str, columns: int) -> list[list[str]]:
        rows = sections[name]
        ids = [row[0] for row in rows]
        if ids != [str(i) for i in range(1, size + 1)] or any(len(r) != columns + 1 for r in rows):
            raise ValueError(
                f"{path.name}: {name} must list nodes 1..{size} in order, {columns} values each"
            )
        return [row[1:] for row in rows]

    depots = [int(row[0]) for row in sections["DEPOT_SECTION"] if row[0] != "-1"]
    if depots != [1]:
        # The .sol files number customers 1..n after a depot 0: only node 1 can be the depot.
        raise ValueError(f"{path.name}: DEPOT_SECTION must name node 1 alone, not {depots}")
    windows = table("TIME_WINDOW_SECTION", 2)
    return Instance(
        name=header.get("NAME", path.stem),
        coords=np.array(table("NODE_COORD_SECTION", 2), dtype=np.float64),
        demand=np.array([int(v) for (v,) in table("DEMAND_SECTION", 1)], dtype=np.int64),
        ready=np.array([int(w[0]) for w in windows], dtype=np.int64),
        due=np.array([int(w[1]) for w in windows], dtype=np.int64),
        service=int(header.get("SERVICE_TIME", "0")),
        vehicles=int(header["VEHICLES"]),
        capacity=int(header["CAPACITY"]),
    )


def read_solution(path: str | Path) -> Solution:
    """Read a ``.sol`` file: ``Route #k: c1 c2 ...`` lines and a final ``Cost X``."""
    path = Path(path)
    routes: list[tuple[int, ...]] = []
    cost: float | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("Route"):
            routes.append(tuple(int(c) for c in line.split(":", 1)[1].split()))
        elif line.startswith("Cost"):
            cost = float(line.split()[1])
        elif line:
            raise ValueError(f"{path.name} line {number}: not understood: {line!r}")
    if cost is None:
        raise ValueError(f"{path.name}: no Cost line")
    return Solution(tuple(routes), cost)


def dimacs_matrix(coords: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Arc lengths in tenths, truncated: floor(10 * Euclidean distance).

    Computed as floor(sqrt(100 * (dx^2 + dy^2))): for integer coordinates (all the shipped
    files) the radicand is an exact integer and the correctly rounded square root cannot
    cross an integer, so the result is exact for coordinates up to about 10^7.
    """
    points = np.asarray(coords, dtype=np.float64)
    delta = points[:, None, :] - points[None, :, :]
    squared = (delta**2).sum(axis=2)
    return np.floor(np.sqrt(SCALE * SCALE * squared)).astype(np.int64)


def data_dir() -> Path:
    """``$DOMCARE_DATA`` if set, else ``shared/data`` beside the repository."""
    override = os.environ.get("DOMCARE_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def best_known(suite: str, instance: str) -> float | None:
    """The best-known DIMACS distance from ``best_known.csv``, or None if it has no row."""
    path = data_dir() / "best_known.csv"
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["set"] == suite and row["instance"] == instance:
                return float(row["value"])
    return None


# --- checking ----------------------------------------------------------------------------------


class Evaluation(NamedTuple):
    distance: float
    """Total distance in plain units (the x10 integer total / 10), even when infeasible."""
    feasible: bool
    message: str
    """Empty when feasible; otherwise the first problems found, in words."""


_MAX_ISSUES_SHOWN = 3


def evaluate(instance: Instance, routes: Sequence[Sequence[int]]) -> Evaluation:
    """Check ``routes`` (customer nodes 1..n per vehicle, depot left out) independently of any
    solver: fleet size, every customer exactly once, capacity, and time windows on the start
    of service (arriving early means waiting; each vehicle leaves the depot at its opening and
    must be back by its closing). All times and distances in x10 integers."""
    travel = dimacs_matrix(instance.coords)
    n = instance.customers
    issues: list[str] = []
    used = [list(route) for route in routes if len(route)]
    if len(used) > instance.vehicles:
        issues.append(f"uses {len(used)} vehicles, the fleet has {instance.vehicles}")
    seen = Counter(c for route in used for c in route)
    unknown = sorted(c for c in seen if not 1 <= c <= n)
    if unknown:
        issues.append(f"nodes {unknown} are not customers (1..{n})")
    twice = sorted(c for c, k in seen.items() if k > 1)
    if twice:
        issues.append(f"customers {twice} are visited more than once")
    missing = [c for c in range(1, n + 1) if c not in seen]
    if missing:
        issues.append(f"{len(missing)} customers are not visited: {missing[:10]}")

    total = 0
    service = instance.service * SCALE
    for k, route in enumerate(used, start=1):
        stops = [c for c in route if 1 <= c <= n]
        load = int(instance.demand[stops].sum())
        if load > instance.capacity:
            issues.append(f"route {k} carries {load}, capacity is {instance.capacity}")
        clock = int(instance.ready[0]) * SCALE
        here = 0
        for customer in stops:
            arc = int(travel[here, customer])
            total += arc
            start = max(clock + arc, int(instance.ready[customer]) * SCALE)
            if start > instance.due[customer] * SCALE:
                issues.append(
                    f"route {k} starts customer {customer} at {start / SCALE:g}, "
                    f"after its window closes at {instance.due[customer]}"
                )
            clock = start + service
            here = customer
        total += int(travel[here, 0])
        back = clock + int(travel[here, 0])
        if back > instance.due[0] * SCALE:
            issues.append(
                f"route {k} is back at the depot at {back / SCALE:g}, "
                f"after it closes at {instance.due[0]}"
            )
    message = "; ".join(issues[:_MAX_ISSUES_SHOWN])
    if len(issues) > _MAX_ISSUES_SHOWN:
        message += f"; and {len(issues) - _MAX_ISSUES_SHOWN} more"
    return Evaluation(total / SCALE, not issues, message)


# --- our solver --------------------------------------------------------------------------------


def to_routing_problem(instance: Instance) -> RoutingProblem:
    """Task t is customer t + 1 (its location is its node); every vehicle leaves and returns to
    the depot inside the depot's window. Times and travel in x10 integers."""
    travel = dimacs_matrix(instance.coords)
    penalty = MISSED_CUSTOMER_ARCS * max(1, int(travel.max()))
    tasks = tuple(
        Task(
            location=c,
            service=instance.service * SCALE,
            earliest=int(instance.ready[c]) * SCALE,
            latest=int(instance.due[c]) * SCALE,
            penalty=penalty,
            demand=int(instance.demand[c]),
        )
        for c in range(1, instance.customers + 1)
    )
    opens, closes = int(instance.ready[0]) * SCALE, int(instance.due[0]) * SCALE
    vehicle = Vehicle(
        start_location=0,
        end_location=0,
        earliest_start=opens,
        latest_end=closes,
        capacity=instance.capacity,
    )
    return RoutingProblem(
        travel=(travel,),
        tasks=tasks,
        vehicles=(vehicle,) * instance.vehicles,
        horizon=closes,
        travel_cost=1,
        span_cost=0,
    )


def customer_routes(problem: RoutingProblem, solution: RoutingSolution) -> list[list[int]]:
    """The solution's routes as customer nodes, the form ``evaluate`` takes."""
    return [[problem.tasks[t].location for t in route.tasks] for route in solution.routes]


def pyvrp_routes(data: pyvrp.ProblemData, solution: pyvrp.Solution) -> list[list[int]]:
    """A PyVRP solution's routes as customer nodes. PyVRP numbers clients from 0 after the
    depot; a client's ``location`` is its node in the file, the numbering ``evaluate`` uses."""
    clients = data.clients()
    return [
        [clients[a.idx].location for a in route if a.is_client()] for route in solution.routes()
    ]


def _judged(
    case: Case,
    solver: str,
    time_limit_s: float,
    routes: list[list[int]],
    *,
    wall_s: float,
    first_feasible_s: float | None,
    claimed_x10: int | None = None,
) -> Row:
    """The row both solvers are judged by: every figure from the one checker. No gap for an
    answer that breaks a rule: its distance is not comparable with the best-known one.
    ``claimed_x10``, the solver's own distance, is noted if the checker disagrees."""
    instance = read_vrplib(case.path)
    distance, feasible, message = evaluate(instance, routes)
    best = best_known(case.suite, case.instance)
    notes = [message] if message else []
    if claimed_x10 is not None and claimed_x10 != round(distance * SCALE):
        notes.append(f"the solver's own distance is {claimed_x10 / SCALE:g}")
    served = {c for route in routes for c in route if 1 <= c <= instance.customers}
    return Row(
        suite=case.suite,
        instance=case.instance,
        solver=solver,
        objective=distance,
        best_known=best,
        gap_pct=gap_pct(distance, best) if feasible else None,
        vehicles=sum(1 for route in routes if route),
        allocated=len(served) / instance.customers,
        wall_s=wall_s,
        first_feasible_s=first_feasible_s,
        time_limit_s=time_limit_s,
        valid=feasible,
        note="; ".join(notes),
    )


def run_ortools(case: Case, time_limit_s: float, engine: str = "ortools") -> Row:
    """Our OR-Tools model: local cheapest insertion, then guided local search. Wall time runs
    from reading the file to the answer; the first solution time is OR-Tools' first (which,
    as customers may be left out at a penalty, need not serve everyone). With ``engine``
    ``pyvrp``, domcare's routing core as a day without double-handed visits is searched
    (``Engine.AUTO``): PyVRP for ``pyvrp_share`` of the time, then OR-Tools from its routes;
    the row's solver is then ``domcare``."""
    began = time.monotonic()
    solver = "ortools" if engine == "ortools" else "domcare"
    problem = to_routing_problem(read_vrplib(case.path))
    defaults = SolveSettings()
    spec = SearchSpec(
        time_limit_s=time_limit_s,
        first_solution="LOCAL_CHEAPEST_INSERTION",
        metaheuristic="GUIDED_LOCAL_SEARCH",
        engine=engine,
        pyvrp_share=defaults.pyvrp_share,
        pyvrp_memory_mib=defaults.pyvrp_memory_mib,
    )
    building = time.monotonic() - began
    solution = solve_routing(problem, spec)
    wall = time.monotonic() - began
    if not solution.found:
        return Row(
            case.suite,
            case.instance,
            solver,
            best_known=best_known(case.suite, case.instance),
            wall_s=wall,
            time_limit_s=time_limit_s,
            valid=False,
            note=f"no solution: {solution.status}",
        )
    first = None if solution.first_solution_s is None else building + solution.first_solution_s
    routes = customer_routes(problem, solution)
    return _judged(case, solver, time_limit_s, routes, wall_s=wall, first_feasible_s=first)


def run_domcare(case: Case, time_limit_s: float) -> Row:
    """domcare's default search for a problem without pairs (``run_ortools``, engine pyvrp)."""
    return run_ortools(case, time_limit_s, engine="pyvrp")


def run_pyvrp(case: Case, time_limit_s: float) -> Row:
    """PyVRP's iterated local search at the same time limit, seed ``PYVRP_SEED``, on the file
    read by PyVRP itself with DIMACS rounding (x10 truncated integers, as ours). Wall time runs
    from reading the file to the answer, as for ours."""
    try:
        import pyvrp
        from pyvrp.stop import MaxRuntime
    except ImportError:
        return Row(
            case.suite,
            case.instance,
            "pyvrp",
            time_limit_s=time_limit_s,
            note="pyvrp not installed",
        )
    began = time.monotonic()
    data = pyvrp.read(case.path, round_func="dimacs")
    before_search = time.monotonic() - began
    result = pyvrp.solve(data, stop=MaxRuntime(time_limit_s), seed=PYVRP_SEED)
    wall = time.monotonic() - began

    # The statistics hold each iteration's duration and whether the best so far was feasible.
    elapsed, first = before_search, None
    for runtime, datum in zip(result.stats.runtimes, result.stats.data, strict=True):
        elapsed += runtime
        if datum.best_feas:
            first = elapsed
            break
    row = _judged(
        case,
        "pyvrp",
        time_limit_s,
        pyvrp_routes(data, result.best),
        wall_s=wall,
        first_feasible_s=first,
        claimed_x10=result.best.distance(),
    )
    row.note = "; ".join(filter(None, [f"pyvrp {metadata.version('pyvrp')}", row.note]))
    return row


# --- suites ------------------------------------------------------------------------------------


def _cases(suite: str, quick_names: Sequence[str], quick: bool) -> list[Case]:
    folder = data_dir() / suite
    if not folder.is_dir():
        raise FileNotFoundError(
            f"no {suite} instances at {folder}; set DOMCARE_DATA to the shared data folder"
        )
    paths = sorted(folder.glob("*.vrp"))
    if quick:
        paths = [p for p in paths if p.stem in quick_names]
    return [Case(suite, p.stem, str(p), size=read_vrplib(p).customers) for p in paths]


def _run(case: Case, time_limit_s: float) -> list[Row]:
    """OR-Tools alone, domcare's default (PyVRP then OR-Tools), then PyVRP alone: one after
    the other, never side by side, so each has the machine."""
    return [
        run_ortools(case, time_limit_s),
        run_domcare(case, time_limit_s),
        run_pyvrp(case, time_limit_s),
    ]


SOLOMON = Suite(
    name="solomon",
    cases=partial(_cases, "solomon", ("R101", "C101", "RC101")),
    run=_run,
    default_time_limit_s=30.0,
    quick_time_limit_s=5.0,
    quick_gap_ceiling_pct=8.0,  # measured 0.0-2.7 % at 5 s on the quick three (2026-11-26)
)

HOMBERGER = Suite(
    name="homberger",
    cases=partial(_cases, "homberger", ("R1_2_1",)),
    run=_run,
    default_time_limit_s=60.0,
    quick_time_limit_s=10.0,
    quick_gap_ceiling_pct=10.0,  # measured 4.4 % at 10 s on R1_2_1 (2026-11-26)
)
