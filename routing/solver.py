"""The OR-Tools model: the only module in domcare that imports ``ortools``.

Design facts measured with OR-Tools 9.15 (see the issue tracker):
- ``SetAllowedVehiclesForIndex`` misbehaves from Python in 9.15, so vehicle restrictions are
  made by removing values from ``VehicleVar(index)``.
- Travel is registered as integer matrices (``RegisterTransitMatrix``), not Python callbacks:
  the search then never calls back into Python to price an arc.
- The time limit is not honoured while the first solution is built; callers that need a
  bound on wall time split large problems (see ``scheduler.planning.day``).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.problem import (
    Progress,
    ProgressCallback,
    Route,
    RoutingProblem,
    RoutingSolution,
    SearchSpec,
)

__all__ = ["AUTO", "evaluate", "metaheuristic_for", "pyvrp_first", "solve_routing"]

_FOUND = {"ROUTING_SUCCESS", "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED", "ROUTING_OPTIMAL"}
_PROGRESS_EVERY_S = 0.5
_LEAST_POLISH_S = 0.2
"""OR-Tools' search after PyVRP's gets at least this long, however late PyVRP's ends."""
_FULL_SCAN_TASKS = 800
"""Beyond this many tasks OR-Tools' local search after PyVRP's overran its limit: a scan of
the neighbourhood that finds no improving move does not look at the clock (Gehring-Homberger
1000-customer instances at 60 s, half the time each: 75-76 s wall on R1_10_1, C1_10_1 and
RC1_10_1, and 75-76 s still on two of them with PyVRP given 90 %). Larger problems are searched
by PyVRP for the whole time; OR-Tools then only reads and times its routes. (domcare's own days
are split into zones of at most ``SolveSettings.zone_visits``, 800, before they get here.)"""
_TIMING_RESERVE_S = 0.5
"""Time kept back from PyVRP's whole search for OR-Tools to read and time its routes (0.2 s on
1000 tasks)."""


class _Model:
    """Nodes are the tasks (node i is task i) followed by one node per vehicle end point."""

    def __init__(self, problem: RoutingProblem):
        self.problem = problem
        task_count = len(problem.tasks)
        depot_locations = sorted(
            {v.start_location for v in problem.vehicles}
            | {v.end_location for v in problem.vehicles}
        )
        depot_node = {loc: task_count + k for k, loc in enumerate(depot_locations)}
        self.node_location = np.array(
            [t.location for t in problem.tasks] + depot_locations, dtype=np.int64
        )
        self.service = np.array(
            [t.service for t in problem.tasks] + [0] * len(depot_locations), dtype=np.int64
        )
        starts = [depot_node[v.start_location] for v in problem.vehicles]
        ends = [depot_node[v.end_location] for v in problem.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.node_location), len(problem.vehicles), starts, ends
        )
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._build()

    def _node_matrix(self, profile: int) -> np.ndarray:
        return self.problem.travel[profile][np.ix_(self.node_location, self.node_location)]

    def _build(self) -> None:
        problem, routing, manager = self.problem, self.routing, self.manager
        profiles = sorted({v.profile for v in problem.vehicles})
        transit_of: dict[int, int] = {}
        arc_cost_of: dict[int, int] = {}
        for profile in profiles:
            travel = self._node_matrix(profile)
            transit_of[profile] = routing.RegisterTransitMatrix(
                (travel + self.service[:, None]).tolist()
            )
            arc_cost_of[profile] = routing.RegisterTransitMatrix(
                (travel * problem.travel_cost).tolist()
            )
        for v, vehicle in enumerate(problem.vehicles):
            routing.SetArcCostEvaluatorOfVehicle(arc_cost_of[vehicle.profile], v)

        routing.AddDimensionWithVehicleTransits(
            [transit_of[v.profile] for v in problem.vehicles],
            problem.horizon,  # waiting allowed anywhere
            problem.horizon,
            False,
            "time",
        )
        time_dim = routing.GetDimensionOrDie("time")
        self.time = time_dim
        for v, vehicle in enumerate(problem.vehicles):
            for index in (routing.Start(v), routing.End(v)):
                time_dim.CumulVar(index).SetRange(vehicle.earliest_start, vehicle.latest_end)
            if vehicle.leaves_at_start:
                time_dim.CumulVar(routing.Start(v)).SetValue(vehicle.earliest_start)
            if vehicle.due_back is not None and vehicle.due_back < vehicle.latest_end:
                end = routing.End(v)
                time_dim.SetCumulVarSoftUpperBound(end, vehicle.due_back, problem.overtime_cost)
            if vehicle.max_span is not None:
                time_dim.SetSpanUpperBoundForVehicle(vehicle.max_span, v)
            if problem.span_cost:
                time_dim.SetSpanCostCoefficientForVehicle(problem.span_cost, v)
            if problem.idle_cost:  # the route's slack: span less transits
                time_dim.SetSlackCostCoefficientForVehicle(problem.idle_cost, v)
            # Leave as late and come back as early as the route allows.
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(v)))
            routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(v)))

        all_vehicles = set(range(len(problem.vehicles)))
        for t, task in enumerate(problem.tasks):
            index = manager.NodeToIndex(t)
            time_dim.CumulVar(index).SetRange(task.earliest, task.latest)
            for first, last in task.closed:  # between two windows
                time_dim.CumulVar(index).RemoveInterval(first, last)
            if task.late_after is not None and task.late_after < task.latest:
                price = task.late_price(problem.late_cost)
                time_dim.SetCumulVarSoftUpperBound(index, task.late_after, price)
            if task.penalty is not None:
                routing.AddDisjunction([index], task.penalty)
            if task.allowed_vehicles is not None:
                banned = sorted(all_vehicles - task.allowed_vehicles)
                if banned:
                    routing.VehicleVar(index).RemoveValues(banned)
            routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(index))

        solver = routing.solver()
        for group, budget in problem.group_span.items():
            members = [v for v, vehicle in enumerate(problem.vehicles) if vehicle.group == group]
            spans = [
                time_dim.CumulVar(routing.End(v)) - time_dim.CumulVar(routing.Start(v))
                for v in members
            ]
            if spans:
                solver.Add(solver.Sum(spans) <= budget)
        for pair in problem.synced:
            a, b = manager.NodeToIndex(pair.first), manager.NodeToIndex(pair.second)
            solver.Add(routing.ActiveVar(a) == routing.ActiveVar(b))
            solver.Add(time_dim.CumulVar(a) == time_dim.CumulVar(b))
            # Two different vehicles follow: with equal starts and positive service, one
            # vehicle cannot do both (RoutingProblem checks the service is positive).
        self._lags(solver)

        if problem.task_cost is not None and problem.task_cost.any():
            self._task_costs(problem.task_cost)
        if problem.balanced:
            self._work(transit_of)

        demands = [t.demand for t in problem.tasks]
        if any(demands):
            demand_index = routing.RegisterUnaryTransitVector(
                demands + [0] * (len(self.node_location) - len(demands))
            )
            routing.AddDimensionWithVehicleCapacity(
                demand_index,
                0,
                [v.capacity if v.capacity is not None else sum(demands) for v in problem.vehicles],
                True,
                "load",
            )

    def _lags(self, solver: pywrapcp.Solver) -> None:
        """Each ``Lag`` as two constraints on the two starts that hold only when both tasks
        are done, so either may still be done alone or dropped; ``apart`` compares the
        people (``RoutingProblem.person``) of the two vehicles, an inactive task's vehicle
        (-1) reading as nobody.

        Without tied pairs the starts' constraints are OR-Tools node precedences, which its
        local search filters itself; a linear constraint is only found broken by the CP
        solver after a move (Mankowska VNS 300_3, 49 lags, 30 s first search: 10 calls out
        with linear constraints, none with precedences). With tied pairs (``synced``: the
        halves' starts equal, a CP constraint) they are linear constraints switched off by
        a big-M on the active flags: with precedences beside the tie the search made no
        progress (Mankowska 25_3, the tied last search: 2652 -> 2652 in 11.8 s, against
        2645 -> 2264 with linear constraints)."""
        problem, routing, manager = self.problem, self.routing, self.manager
        if not problem.lags:
            return
        person = list(problem.person)
        for lag in problem.lags:
            a, b = manager.NodeToIndex(lag.first), manager.NodeToIndex(lag.second)
            if problem.synced:
                gap = self.time.CumulVar(b) - self.time.CumulVar(a)
                unless = problem.horizon * 2 + abs(lag.least) + abs(lag.most or 0)
                idle = (2 - routing.ActiveVar(a) - routing.ActiveVar(b)) * unless
                solver.Add(gap + idle >= lag.least)
                if lag.most is not None:
                    solver.Add(gap - idle <= lag.most)
            else:
                self.time.AddNodePrecedence(a, b, lag.least)  # start(b) >= start(a) + least
                if lag.most is not None:
                    self.time.AddNodePrecedence(b, a, -lag.most)  # start(a) >= start(b) - most
            if lag.apart:
                who_a = solver.Element([-1, *person], (routing.VehicleVar(a) + 1).Var())
                who_b = solver.Element([-2, *person], (routing.VehicleVar(b) + 1).Var())
                solver.Add(who_a != who_b)

    def _work(self, transit_of: dict[int, int]) -> None:
        """Each vehicle's work (travel and service: the time dimension's transits with no
        waiting) as a dimension whose end holds it, priced short of the vehicle's target by a
        soft lower bound (``balance_cost`` a unit) and over it by a soft upper bound
        (``excess_cost``), an unused vehicle too (its trip from start to end point is then
        costed as a route's, as ``repair._cost`` does)."""
        problem, routing = self.problem, self.routing
        routing.AddDimensionWithVehicleTransits(
            [transit_of[v.profile] for v in problem.vehicles], 0, problem.horizon, True, "work"
        )
        work = routing.GetDimensionOrDie("work")
        for v, vehicle in enumerate(problem.vehicles):
            if vehicle.work_target is None:
                continue
            end = routing.End(v)
            work.SetCumulVarSoftLowerBound(end, vehicle.work_target, problem.balance_cost)
            if problem.excess_cost:
                work.SetCumulVarSoftUpperBound(end, vehicle.work_target, problem.excess_cost)
            # An unused vehicle's costs are not counted unless asked (OR-Tools issue #2384).
            routing.SetVehicleUsedWhenEmpty(True, v)

    def _task_costs(self, cost: np.ndarray) -> None:
        """Per-vehicle costs of doing a task, as a dimension whose transit out of a node is the
        cost of that node for the vehicle; the dimension's span is charged once per unit.
        Vehicles with the same costs (a person's shifts) share one registered vector."""
        routing = self.routing
        depots = len(self.node_location) - len(self.problem.tasks)
        evaluator_of: dict[bytes, int] = {}
        evaluators = []
        for row in cost:
            key = row.tobytes()
            if key not in evaluator_of:
                vector = [int(x) for x in row] + [0] * depots
                evaluator_of[key] = routing.RegisterUnaryTransitVector(vector)
            evaluators.append(evaluator_of[key])
        ceiling = int(cost.sum(axis=1).max()) + 1
        routing.AddDimensionWithVehicleTransits(evaluators, 0, ceiling, True, "task_cost")
        dimension = routing.GetDimensionOrDie("task_cost")
        for v in range(len(self.problem.vehicles)):
            dimension.SetSpanCostCoefficientForVehicle(1, v)


RESTORE_SHARE = 0.1
"""The share of a warm-started search's time limit that reading its routes may take. With
pairs tied and lags (uhhc-mixed i-006), reading took the whole limit before the search took
it again: 14 s for a 7 s limit; on town it takes 28 ms. Routes not read in time are a warm
start refused (``INITIAL_ROUTES_INFEASIBLE``): the caller keeps them as they are."""

RESTORE_LEAST_S = 0.5
"""Reading routes may take at least this long (within the whole limit)."""


AUTO = "AUTO"
"""The metaheuristic chosen by the problem's costs (``metaheuristic_for``)."""


def metaheuristic_for(asked: str, travel_priced: bool) -> str:
    """The local search to run for ``asked``. ``AUTO``: guided local search, or tabu search
    where travel is priced neither per leg nor through the run's length. Guided local search
    escapes a local optimum by penalising the costly legs of the plan in hand; where travel
    costs nothing (a day priced by waiting and workload alone, where a long leg is better
    than a wait) it has nothing to penalise and stops at the first optimum. Measured on the
    38 Bazirha-CAIE days (waiting and workload balance, travel free), 60 s each: tabu search
    cheaper on 24, dearer on 4, two more complete; on uhhc-mixed days whose travel is priced
    only through the run's length (travel as dear as waiting) it was not better (1 of 3),
    so those keep guided local search (docs/search.md)."""
    if asked != AUTO:
        return asked
    return "GUIDED_LOCAL_SEARCH" if travel_priced else "TABU_SEARCH"


def _travel_priced(problem: RoutingProblem) -> bool:
    return problem.travel_cost > 0 or problem.span_cost > 0


def _parameters(spec: SearchSpec, travel_priced: bool = True) -> object:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy, spec.first_solution
    )
    params.local_search_metaheuristic = getattr(
        routing_enums_pb2.LocalSearchMetaheuristic,
        metaheuristic_for(spec.metaheuristic, travel_priced),
    )
    params.time_limit.FromMilliseconds(max(1, int(spec.time_limit_s * 1000)))
    if spec.solution_limit is not None:
        params.solution_limit = spec.solution_limit
    params.log_search = spec.log
    return params


def pyvrp_first(
    problem: RoutingProblem, spec: SearchSpec, initial_routes: list[list[int]] | None = None
) -> bool:
    """Whether ``solve_routing`` asks PyVRP for the first plan: then OR-Tools' own first plan,
    seconds on a large problem (cheapest insertion, 3.5 ms a task on an 800-visit care zone),
    is not needed. Cheap: it asks whether the rules can be written, not whether the matrices
    fit ``spec.pyvrp_memory_mib`` (rarely they do not; OR-Tools then searches alone)."""
    if spec.engine != "pyvrp" or initial_routes is not None or spec.solution_limit is not None:
        return False
    from routing.pyvrp_search import writable

    return writable(problem)


def solve_routing(
    problem: RoutingProblem,
    spec: SearchSpec,
    *,
    initial_routes: list[list[int]] | None = None,
    on_progress: ProgressCallback | None = None,
) -> RoutingSolution:
    """Solve ``problem``; ``initial_routes`` (task indices per vehicle) warm-start the search.
    With ``spec.engine`` ``pyvrp``, PyVRP's routes are the warm start where it can write the
    problem (``routing.pyvrp_search``); OR-Tools searches alone where it cannot, or when
    OR-Tools' model refuses PyVRP's routes.

    Never raises for an unsolvable problem: the answer then has ``found`` False (status
    INITIAL_ROUTES_INFEASIBLE when the warm start itself breaks a constraint).
    """
    began = time.monotonic()
    if pyvrp_first(problem, spec, initial_routes):
        from routing.pyvrp_search import first_routes, translate

        translation = translate(problem, spec.pyvrp_memory_mib)
        if translation is not None:
            whole = len(problem.tasks) > _FULL_SCAN_TASKS
            share = 1.0 if whole else spec.pyvrp_share
            reserve = _TIMING_RESERVE_S if whole else 0.0
            pyvrp_s = spec.time_limit_s * share - reserve - (time.monotonic() - began)
            routes = first_routes(problem, translation, pyvrp_s, spec.seed)
            first_s = time.monotonic() - began
            if any(routes):
                rest = replace(
                    spec,
                    time_limit_s=max(_LEAST_POLISH_S, spec.time_limit_s - first_s),
                    solution_limit=1 if whole else None,
                )
                answer = _solve_ortools(problem, rest, routes, on_progress, began)
                if answer.status != "INITIAL_ROUTES_INFEASIBLE":
                    return replace(answer, first_search="pyvrp", first_solution_s=first_s)
        spec = replace(
            spec, time_limit_s=max(_LEAST_POLISH_S, spec.time_limit_s - (time.monotonic() - began))
        )
    return _solve_ortools(problem, spec, initial_routes, on_progress, began)


def _solve_ortools(
    problem: RoutingProblem,
    spec: SearchSpec,
    initial_routes: list[list[int]] | None,
    on_progress: ProgressCallback | None,
    began: float,
) -> RoutingSolution:
    if not problem.vehicles:  # OR-Tools crashes (SIGSEGV) on a model with no vehicle
        mandatory = any(task.penalty is None for task in problem.tasks)
        return RoutingSolution(
            status="NO_VEHICLES",
            found=not mandatory,
            objective=None if mandatory else sum(t.penalty or 0 for t in problem.tasks),
            routes=(),
            dropped=tuple(range(len(problem.tasks))),
            wall_s=0.0,
            first_solution_s=0.0,
        )
    model = _Model(problem)
    routing, manager, time_dim = model.routing, model.manager, model.time
    params = _parameters(spec, _travel_priced(problem))
    first_seen: list[float] = []
    last_report = [0.0]

    def on_solution() -> None:
        now = time.monotonic() - began
        if not first_seen:
            first_seen.append(now)
        if on_progress is not None and now - last_report[0] >= _PROGRESS_EVERY_S:
            last_report[0] = now
            performed = sum(
                1
                for t in range(len(problem.tasks))
                if routing.NextVar(manager.NodeToIndex(t)).Value() != manager.NodeToIndex(t)
            )
            on_progress(Progress(now, routing.CostVar().Value(), performed))

    routing.AddAtSolutionCallback(on_solution)
    start = None
    if initial_routes is not None:
        # Reading the routes is itself a search (completing the assignment), bounded by the
        # limit the model is closed with: its own share, not the whole limit (see RESTORE_SHARE).
        reading = min(spec.time_limit_s, max(RESTORE_LEAST_S, spec.time_limit_s * RESTORE_SHARE))
        restore = _parameters(replace(spec, time_limit_s=reading), _travel_priced(problem))
        routing.CloseModelWithParameters(restore)
        start = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(t) for t in route] for route in initial_routes], True
        )
        if start is None:  # the routes break a rule of this model: say so, do not start over
            return RoutingSolution(
                "INITIAL_ROUTES_INFEASIBLE",
                False,
                None,
                (),
                tuple(range(len(problem.tasks))),
                time.monotonic() - began,
                None,
            )
        solution = routing.SolveFromAssignmentWithParameters(start, params)
    else:
        solution = routing.SolveWithParameters(params)
    status = routing_enums_pb2.RoutingSearchStatus.Value.Name(routing.status())
    wall = time.monotonic() - began
    if solution is None:
        every_task = tuple(range(len(problem.tasks)))
        return RoutingSolution(status, False, None, (), every_task, wall, None)

    routes = []
    performed: set[int] = set()
    for v in range(len(problem.vehicles)):
        index = routing.Start(v)
        depart = solution.Value(time_dim.CumulVar(index))
        tasks, starts = [], []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            task = manager.IndexToNode(index)
            tasks.append(task)
            starts.append(solution.Value(time_dim.CumulVar(index)))
            index = solution.Value(routing.NextVar(index))
        if tasks:
            arrive = solution.Value(time_dim.CumulVar(index))
            routes.append(Route(v, tuple(tasks), tuple(starts), depart, arrive))
            performed.update(tasks)
    dropped = tuple(t for t in range(len(problem.tasks)) if t not in performed)
    return RoutingSolution(
        status=status,
        found=status in _FOUND,
        objective=solution.ObjectiveValue(),
        routes=tuple(routes),
        dropped=dropped,
        wall_s=wall,
        first_solution_s=first_seen[0] if first_seen else None,
    )


def evaluate(problem: RoutingProblem, routes: list[list[int]]) -> int | None:
    """The model's objective for ``routes`` (task indices per vehicle), as the search would
    count it: None when the routes break one of the model's rules. For checking that a plan's
    cost, priced outside OR-Tools, is the one the search minimises."""
    model = _Model(problem)
    routing, manager = model.routing, model.manager
    routing.CloseModelWithParameters(_parameters(SearchSpec()))
    assignment = routing.ReadAssignmentFromRoutes(
        [[manager.NodeToIndex(t) for t in route] for route in routes], True
    )
    return None if assignment is None else int(assignment.ObjectiveValue())
