"""PyVRP's iterated local search as the first search of a routing problem: the only module in
domcare that imports ``pyvrp``.

PyVRP (0.14) searches a day with time windows and optional tasks faster and better than
OR-Tools' guided local search (``benchmarks/relaxed.py``: 357 of 400 visits against 340 on a
short-staffed town day at 10 s), but it has no per-task allowed vehicles, no per-vehicle task
costs and no shared working-time budgets. They are written here as PyVRP can read them:

- a task's allowed vehicles and a vehicle's cost of doing it become *routing profiles*: one
  pair of matrices per class of vehicles (travel mode, forbidden places, costs), where
  entering a place the class may not serve costs more than any prize and entering any
  place costs the class's cost of doing its task;
- tasks sharing a location but not their allowed vehicles or costs get a place each;
- a group's span budget (a person working two shifts) is split between its vehicles in
  proportion to their windows: tighter than the rule, never looser;
- synchronised pairs cannot be written at all: a problem with any is not translated.

The matrices are the price: classes x places^2 x 16 bytes. A translation over
``memory_mib`` is refused (``translate`` returns None) and the caller searches without PyVRP.
The answer is routes only: the caller times them (OR-Tools warm start, ``routing.repair``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pyvrp
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MaxRuntime

from routing.problem import RoutingProblem
from routing.repair import schedule

__all__ = ["Translation", "first_routes", "translate", "writable"]

_UNREACHABLE_DISTANCE = 10**12
"""Cost of entering a place a class may not serve: above any prize (a critical task's penalty
is 10^9), below int64 overflow over a route."""

_NEIGHBOURS = 200
"""Clients each client's moves look at when the vehicles fall into several classes (PyVRP's
default is 50). A care day's forbidden arcs (skills, exclusions, gender) leave many of the
nearest 50 unusable: on the untied town day PyVRP then placed 415 of 434 tasks in 6 s, and 432
with 200 (OR-Tools: all 434)."""
_NEIGHBOURS_ONE_CLASS = 50
"""With one class no arc is forbidden and PyVRP's default serves best: Gehring-Homberger
R1_10_1 at 30 s cost 569,388 with 50 neighbours and 576,744 with 200."""


@dataclass(frozen=True)
class Translation:
    data: pyvrp.ProblemData
    client_task: tuple[int, ...]
    """PyVRP client k is task ``client_task[k]``; tasks no vehicle can do alone are left out."""
    classes: int
    places: int
    mib: float


def _in_time(problem: RoutingProblem) -> npt.NDArray[np.bool_]:
    """vehicles x tasks: the vehicle could do the task alone in time, leaving at its start
    and home by its end within its own span limit (whoever may do it)."""
    locations = np.array([task.location for task in problem.tasks], dtype=np.int64)
    earliest = np.array([task.earliest for task in problem.tasks], dtype=np.int64)
    latest = np.array([task.latest for task in problem.tasks], dtype=np.int64)
    service = np.array([task.service for task in problem.tasks], dtype=np.int64)
    in_time = np.zeros((len(problem.vehicles), len(problem.tasks)), dtype=bool)
    for v, vehicle in enumerate(problem.vehicles):
        travel = problem.travel[vehicle.profile]
        there = travel[vehicle.start_location, locations]
        back = travel[locations, vehicle.end_location]
        leave_by = np.maximum(vehicle.earliest_start, earliest - there)
        start = np.maximum(leave_by + there, earliest)
        home = start + service + back
        span_ok = (
            np.ones(len(locations), dtype=bool)
            if vehicle.max_span is None
            else home - leave_by <= vehicle.max_span
        )
        in_time[v] = (start <= latest) & (home <= vehicle.latest_end) & span_ok
    return in_time


def _allowed(problem: RoutingProblem) -> npt.NDArray[np.bool_]:
    """vehicles x tasks: the task's allowed vehicles."""
    allowed = np.ones((len(problem.vehicles), len(problem.tasks)), dtype=bool)
    for t, task in enumerate(problem.tasks):
        if task.allowed_vehicles is not None:
            allowed[:, t] = False
            allowed[list(task.allowed_vehicles), t] = True
    return allowed


def _shift_durations(problem: RoutingProblem) -> list[int | None]:
    """Each vehicle's span limit, its group's budget shared in proportion to the windows."""
    limits: list[int | None] = [vehicle.max_span for vehicle in problem.vehicles]
    for group, budget in problem.group_span.items():
        members = [v for v, vehicle in enumerate(problem.vehicles) if vehicle.group == group]
        windows = {
            v: problem.vehicles[v].latest_end - problem.vehicles[v].earliest_start for v in members
        }
        total = sum(windows.values())
        if total <= budget:
            continue
        for v in members:
            share = budget * windows[v] // total
            limit = limits[v]
            limits[v] = share if limit is None else min(limit, share)
    return limits


def writable(problem: RoutingProblem) -> bool:
    """Whether ``problem``'s rules can be written for PyVRP at all: no synchronised pairs,
    lags, priced lateness, several windows, priced overtime, fixed departures or workload
    balance. Cheap: no matrix is built."""
    if problem.synced or problem.lags or not problem.vehicles or not problem.tasks:
        return False
    if problem.balanced or problem.idle_cost:
        return False
    if any(task.late_after is not None or task.closed for task in problem.tasks):
        return False  # PyVRP has one window per client and no price on lateness
    # nor a price on overtime, nor a departure fixed in the span
    return all(v.due_back is None and not v.leaves_at_start for v in problem.vehicles)


def translate(problem: RoutingProblem, memory_mib: float) -> Translation | None:
    """``problem`` as PyVRP's data, or None when it cannot be written (``writable``, or a
    task that must be done but no vehicle can do alone) or its matrices would take more than
    ``memory_mib``."""
    if not writable(problem):
        return None
    in_time, allowed = _in_time(problem), _allowed(problem)
    able = in_time & allowed
    # Only the bars PyVRP's time windows do not already make: a vehicle barred from a task
    # it could reach in time. Bars that follow from shift times alone would split vehicles
    # into classes by their hours (a relaxed town day: 37 classes instead of 3).
    barred_from = in_time & ~allowed
    tasks = [t for t in range(len(problem.tasks)) if able[:, t].any()]
    if any(
        problem.tasks[t].penalty is None and not able[:, t].any() for t in range(len(problem.tasks))
    ):
        return None
    cost = problem.task_cost
    # A place per (location, vehicles that may serve it, their costs of serving it).
    place_of: dict[tuple[int, bytes, bytes], int] = {}
    depot_locations = sorted(
        {v.start_location for v in problem.vehicles} | {v.end_location for v in problem.vehicles}
    )
    where = list(depot_locations)
    task_place: list[int] = []
    for t in tasks:
        key = (
            problem.tasks[t].location,
            barred_from[:, t].tobytes(),
            b"" if cost is None else cost[:, t].tobytes(),
        )
        if key not in place_of:
            place_of[key] = len(where)
            where.append(problem.tasks[t].location)
        task_place.append(place_of[key])
    places = len(where)
    column_task = np.full(places, -1, dtype=np.int64)  # a task of each client place
    for t, place in zip(tasks, task_place, strict=True):
        column_task[place] = t
    clients = column_task >= 0

    # A class per (profile, places it may enter, its costs of entering them).
    class_of: dict[tuple[int, bytes, bytes], int] = {}
    vehicle_class: list[int] = []
    members: list[int] = []
    for v, vehicle in enumerate(problem.vehicles):
        barred = clients.copy()
        barred[clients] = barred_from[v, column_task[clients]]
        entering = np.zeros(places, dtype=np.int64)
        if cost is not None:
            entering[clients] = cost[v, column_task[clients]]
        key = (vehicle.profile, barred.tobytes(), entering.tobytes())
        if key not in class_of:
            class_of[key] = len(class_of)
            members.append(v)
        vehicle_class.append(class_of[key])
    mib = (len(class_of) + 1) * places * places * 16 / 2**20
    if mib > memory_mib:
        return None

    where_array = np.array(where, dtype=np.int64)
    # Profile 0 is the plain travel of the first vehicle's mode, used by no vehicle: PyVRP
    # picks each client's neighbours for its moves from it, so a place the first class may
    # not serve would otherwise have no neighbours, and no move would bring it into a route.
    plain = np.ascontiguousarray(
        problem.travel[problem.vehicles[0].profile][np.ix_(where_array, where_array)],
        dtype=np.int64,
    )
    durations: list[Any] = [plain]
    distances: list[Any] = [plain * problem.travel_cost]
    for first in members:
        vehicle = problem.vehicles[first]
        travel = np.ascontiguousarray(
            problem.travel[vehicle.profile][np.ix_(where_array, where_array)], dtype=np.int64
        )
        barred = clients.copy()
        barred[clients] = barred_from[first, column_task[clients]]
        duration = travel.copy()
        distance = travel * problem.travel_cost
        if cost is not None:
            distance[:, clients] += cost[first, column_task[clients]][None, :]
        distance[:, barred] = _UNREACHABLE_DISTANCE
        np.fill_diagonal(duration, 0)
        np.fill_diagonal(distance, 0)
        durations.append(duration)
        distances.append(distance)

    demands = any(task.demand for task in problem.tasks)
    limits = _shift_durations(problem)
    depot_index = {location: k for k, location in enumerate(depot_locations)}
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=0.0, y=0.0) for _ in range(places)],
        clients=[
            pyvrp.Client(
                location=place,
                delivery=[problem.tasks[t].demand] if demands else [],
                service_duration=problem.tasks[t].service,
                tw_early=problem.tasks[t].earliest,
                tw_late=problem.tasks[t].due,  # on time: OR-Tools may then make it late
                prize=problem.tasks[t].penalty or 0,
                required=problem.tasks[t].penalty is None,
            )
            for t, place in zip(tasks, task_place, strict=True)
        ],
        depots=[pyvrp.Depot(location=k) for k in range(len(depot_locations))],
        vehicle_types=[
            pyvrp.VehicleType(
                num_available=1,
                capacity=[
                    vehicle.capacity
                    if vehicle.capacity is not None
                    else sum(task.demand for task in problem.tasks)
                ]
                if demands
                else [],
                start_depot=depot_index[vehicle.start_location],
                end_depot=depot_index[vehicle.end_location],
                tw_early=vehicle.earliest_start,
                tw_late=vehicle.latest_end,
                shift_duration=limit if limit is not None else np.iinfo(np.int64).max,
                unit_distance_cost=1,
                unit_duration_cost=problem.span_cost,
                profile=vehicle_class[v] + 1,
            )
            for v, (vehicle, limit) in enumerate(zip(problem.vehicles, limits, strict=True))
        ],
        distance_matrices=distances,
        duration_matrices=durations,
    )
    return Translation(data, tuple(tasks), len(class_of), places, round(mib, 1))


def _kept(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]]:
    """Each route with the tasks it cannot keep taken out, in order: a task stays when the
    route so far plus it can still be timed within every window, the shift and the span
    limit (``_shift_durations``'s share of a group budget). PyVRP's best plan may break
    windows when it found no plan that does not; what it can keep is still a warm start."""
    limits = _shift_durations(problem)
    bounded = replace(
        problem.unbroken(),
        vehicles=tuple(
            replace(vehicle, max_span=limit)
            for vehicle, limit in zip(problem.vehicles, limits, strict=True)
        ),
    )
    kept_routes = []
    for vehicle, route in enumerate(routes):
        kept: list[int] = []
        for task in route:
            if schedule(bounded, vehicle, [*kept, task]) is not None:
                kept.append(task)
        kept_routes.append(kept)
    return kept_routes


def first_routes(
    problem: RoutingProblem, translation: Translation, time_limit_s: float, seed: int = 0
) -> list[list[int]]:
    """PyVRP's best routes (task indices per vehicle) after ``time_limit_s``, less any task
    they cannot keep (``_kept``)."""
    with warnings.catch_warnings():
        # PenaltyBoundWarning: the time-warp penalty reached its cap, which is far below a
        # critical task's prize: the best plan may then break windows (see ``_kept``).
        warnings.simplefilter("ignore")
        result = pyvrp.solve(
            translation.data,
            stop=MaxRuntime(max(0.01, time_limit_s)),
            seed=seed,
            collect_stats=False,
            params=pyvrp.SolveParams(
                neighbourhood=NeighbourhoodParams(
                    num_neighbours=_NEIGHBOURS_ONE_CLASS
                    if translation.classes == 1
                    else _NEIGHBOURS
                )
            ),
        )
    routes: list[list[int]] = [[] for _ in problem.vehicles]
    for route in result.best.routes():
        vehicle = route.vehicle_type()
        routes[vehicle] = [
            task
            for task in (
                translation.client_task[activity.idx] for activity in route if activity.is_client()
            )
            # a vehicle is not barred from a task it cannot reach in time (see translate):
            # PyVRP may still put one there in a plan that breaks windows
            if vehicle in (problem.tasks[task].allowed_vehicles or (vehicle,))
        ]
    return routes if result.is_feasible() else _kept(problem, routes)
