"""The relaxed care day: domcare beside PyVRP on what both can express (issue 16).

    python -m benchmarks.relaxed --days town town-short district gen3000 --limits 10 30 60 \\
        --csv benchmarks/results/2026-12-04/relaxed.csv

A day is relaxed (``relax``) to a plain VRP with time windows and optional visits: every
visit single-handed, no skills, exclusions, preferred or no-go carers, gender preferences,
pins, history, working-time caps (a split shift's shared budget is not expressible in PyVRP)
or breaks; priorities kept, as the prize of each visit. A ``-short`` day keeps only each
carer's first shift, so not everything can be covered.

Both solvers get the same day, travel matrices (``build_journeys``, as ``solve_day`` builds
them) and objective: ``travel_weight - waiting_weight`` (8) per travel minute plus
``waiting_weight`` (2) per minute of each run, leaving home to getting back (see
``scheduler.rules.objective``), plus the drop penalty of every visit left out. domcare plans
the relaxed scenario by its product path (``solve_day``), its plan checked by
``validate_plan``. PyVRP gets a depot per carer home, a vehicle type per carer shift (one
vehicle, the shift as its window, a profile per travel mode, 8 per unit of distance with
distance = travel minutes, 2 per unit of duration) and an optional client per visit (its
window, duration, prize = its drop penalty), and runs for the same time with a fixed seed.

Neither solver's own figures are taken. Each answer becomes routes of visits, one per carer
shift, and ``price`` times every route the same way (``routing.repair.schedule``: the
shortest span that keeps the windows, in the route's order), records it as a domcare
``Plan``, checks it with ``validate_plan`` (a route that cannot be worked is a failed row,
never a silent number) and prices it: 8 x travel + 2 x run minutes + the prizes of the
visits left out. Where a solver's own objective for its answer differs, the row says so.

Each solve runs in a fresh process, one at a time (domcare solves a day of over 800 visits
in zones on both cores; PyVRP uses one), so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import multiprocessing
import os
import platform
import re
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from importlib import metadata
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.results import Case, Row, Suite, gap_pct
from benchmarks.runner import _peak_mib
from routing.haversine import HaversineTravel
from routing.problem import RoutingProblem, Task, Vehicle
from routing.repair import schedule
from routing.travel import TravelTimes
from scenarios.generator import generate
from scheduler.io.scenario import read_scenario
from scheduler.io.shipped import shipped
from scheduler.model.care import Carer, Scenario, Shift
from scheduler.model.clock import MINUTES_PER_DAY
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, PlanStatus, Run, Unallocated
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from scheduler.rules.journeys import Journeys, build_journeys, walk_run
from scheduler.rules.objective import left_out_cost, run_length_cost, travel_cost

if TYPE_CHECKING:
    import pyvrp
    from pyvrp.stop import StoppingCriterion

__all__ = [
    "DAYS",
    "DOMCARE",
    "LIMITS_S",
    "PYVRP",
    "RELAXED",
    "Answer",
    "BenchmarkError",
    "Priced",
    "RelaxedDay",
    "RelaxedRow",
    "Routes",
    "judge",
    "load_day",
    "main",
    "markdown",
    "measure",
    "measure_isolated",
    "plan_routes",
    "prepare",
    "price",
    "pyvrp_data",
    "relax",
    "relaxed_settings",
    "run",
    "servable_tasks",
    "solve_domcare",
    "solve_pyvrp",
    "with_ratios",
    "write_csv",
]

DOMCARE = "domcare"
PYVRP = "pyvrp"
DAYS = ("town", "town-short", "district", "gen3000")
LIMITS_S = (10.0, 30.0, 60.0)
SHORT = "-short"
GENERATED = re.compile(r"gen(\d+)")
GENERATED_SEED = 11
"""The scale suite's seed: not a shipped day's, so the suite is not tuned to the shipped days."""
PYVRP_SEED = 0
QUICK_DAY = "gen150"


class BenchmarkError(DomcareError):
    """A day that cannot be built, or a solve that crashed: the figures would mean nothing."""


# ---- the relaxed day ------------------------------------------------------------------------


def relax(scenario: Scenario, short_staffed: bool = False, name: str | None = None) -> Scenario:
    """``scenario`` with every care rule PyVRP cannot express taken out (see the module note):
    the same carers, homes, travel modes, shifts, clients, visits, windows, durations and
    priorities. ``short_staffed`` keeps only each carer's first shift."""
    if len(scenario.dates) > 1:
        raise BenchmarkError(f"{scenario.name} spans {len(scenario.dates)} dates: relax a day")
    carers = []
    for carer in scenario.carers:
        shifts = carer.shifts_for(scenario.date)
        carers.append(
            carer.model_copy(
                update={
                    "shifts": shifts[:1] if short_staffed else shifts,
                    "shifts_on": (),
                    "skills": frozenset(),
                    "max_working_minutes": None,
                    "max_weekly_minutes": None,
                    "week_minutes_left": None,
                    "no_go_clients": frozenset(),
                }
            )
        )
    clients = tuple(
        client.model_copy(
            update={
                "preferred_carers": frozenset(),
                "excluded_carers": frozenset(),
                "gender_preference": None,
                "week_carers": None,
            }
        )
        for client in scenario.clients
    )
    visits = tuple(
        visit.model_copy(
            update={
                "carers_required": 1,
                "required_skills": frozenset(),
                "second_carer_skills": None,
                "pinned_carer": None,
            }
        )
        for visit in scenario.visits
    )
    return scenario.model_copy(
        update={
            "name": name or f"{scenario.name}-relaxed",
            "carers": tuple(carers),
            "clients": clients,
            "visits": visits,
            "history": (),
        }
    )


def relaxed_settings(time_limit_s: float, solution_limit: int | None = None) -> Settings:
    """domcare's settings for a relaxed day: no breaks, no continuity or soft gender costs;
    the default travel and waiting weights (8 per travel minute, 2 per run minute) and drop
    penalties."""
    return Settings(
        break_after_minutes=None,
        continuity_weight=0,
        soft_gender_weight=0,
        solve=SolveSettings(time_limit_s=time_limit_s, solution_limit=solution_limit),
    )


def _source(name: str) -> tuple[int | Path, bool]:
    """(visits to generate, or the shipped scenario's folder; short-staffed) for a day name.
    Raises ``BenchmarkError`` for a name that is neither."""
    base = name.removesuffix(SHORT)
    generated = GENERATED.fullmatch(base)
    source = int(generated[1]) if generated else shipped(base)
    if source is None or source == 0:
        raise BenchmarkError(
            f"no day '{name}': a shipped scenario (town, district) or gen<visits> (gen3000), "
            f"optionally ending {SHORT}"
        )
    return source, name.endswith(SHORT)


def load_day(name: str) -> Scenario:
    """The relaxed day called ``name``: a shipped scenario (``town``, ``district``) or
    ``gen<visits>`` (``scenarios.generator.generate``, seed ``GENERATED_SEED``), with
    ``-short`` for its short-staffed variant. Raises ``BenchmarkError`` for any other name."""
    source, short = _source(name)
    if isinstance(source, int):
        scenario = generate(source, seed=GENERATED_SEED, name=name.removesuffix(SHORT))
    else:
        scenario = read_scenario(source)
    return relax(scenario, short, name)


@dataclass(frozen=True, eq=False)
class RelaxedDay:
    """A relaxed scenario as both solvers see it. Task ``t`` is visit ``t`` of the scenario;
    vehicle ``v`` is carer shift ``shifts[v]``; locations are the places of ``journeys``."""

    scenario: Scenario
    travel: TravelTimes
    journeys: Journeys
    shifts: tuple[tuple[Carer, Shift], ...]
    problem: RoutingProblem


def prepare(
    scenario: Scenario, settings: Settings, travel: TravelTimes | None = None
) -> RelaxedDay:
    """The routing problem of a relaxed ``scenario``: every carer shift a vehicle from the
    carer's home and back inside the shift, every visit an optional task at its client's place
    with its drop penalty, the objective's travel and run-length costs per minute."""
    travel = travel or HaversineTravel(settings.travel)
    journeys = build_journeys(scenario, travel)
    modes = list(journeys.minutes)
    shifts = tuple((carer, shift) for carer in scenario.carers for shift in carer.shifts)
    vehicles = tuple(
        Vehicle(
            start_location=journeys.home_place[carer.id],
            end_location=journeys.home_place[carer.id],
            earliest_start=shift.start,
            latest_end=shift.end,
            profile=modes.index(carer.travel_mode),
        )
        for carer, shift in shifts
    )
    tasks = tuple(
        Task(
            location=journeys.client_place[visit.client_id],
            service=visit.duration,
            earliest=visit.earliest_start,
            latest=visit.latest_start,
            penalty=left_out_cost(settings, visit.priority, 1),
        )
        for visit in scenario.visits
    )
    problem = RoutingProblem(
        travel=tuple(journeys.minutes[mode] for mode in modes),
        tasks=tasks,
        vehicles=vehicles,
        horizon=MINUTES_PER_DAY,
        travel_cost=travel_cost(settings, 1),
        span_cost=run_length_cost(settings, 1),
    )
    return RelaxedDay(scenario, travel, journeys, shifts, problem)


# ---- pricing any answer ---------------------------------------------------------------------

Routes = tuple[tuple[int, ...], ...]
"""Per vehicle of a ``RelaxedDay``, its tasks (visits) in the order travelled."""


@dataclass(frozen=True)
class Priced:
    """A route set timed, checked and priced the same way whichever solver made it."""

    plan: Plan
    violations: tuple[str, ...]
    covered: int
    travel_minutes: int
    run_minutes: int
    """Leaving home to getting back, summed over the runs: travel, care and idle time."""
    idle_minutes: int
    left_out: int
    """The prizes (drop penalties) of the visits left out."""
    cost: int


def _run(day: RelaxedDay, vehicle: int, tasks: list[int]) -> Run:
    """The route timed by ``schedule``; a route it cannot time (a window or the shift
    broken) is walked from the shift's start, each call at its earliest, for the validator
    to say what it breaks."""
    carer, shift = day.shifts[vehicle]
    visits = [day.scenario.visits[t] for t in tasks]
    timing = schedule(day.problem, vehicle, tasks)
    if timing is None:
        depart, starts = shift.start, [visit.earliest_start for visit in visits]
    else:
        depart, starts = timing.depart, list(timing.starts)
    calls = [(visit, start, visit.duration) for visit, start in zip(visits, starts, strict=True)]
    legs = walk_run(day.journeys, carer, depart, calls)
    return Run(
        carer_id=carer.id,
        shift_start=shift.start,
        shift_end=shift.end,
        depart=depart,
        return_home=legs.return_home,
        stops=legs.stops,
        home_travel_minutes=legs.home_minutes,
        home_travel_m=legs.home_metres,
    )


def price(day: RelaxedDay, routes: Routes, settings: Settings) -> Priced:
    """Time each route, check the plan they make and price it (see the module note)."""
    if len(routes) != len(day.shifts):
        raise ValueError(f"{len(routes)} routes for {len(day.shifts)} carer shifts")
    runs = [_run(day, v, list(tasks)) for v, tasks in enumerate(routes) if tasks]
    routed = {t for tasks in routes for t in tasks}
    unallocated = tuple(
        Unallocated(
            visit_id=visit.id,
            client_id=visit.client_id,
            reason_code="not_in_rota",
            reason="the solver's answer leaves this visit out",
        )
        for t, visit in enumerate(day.scenario.visits)
        if t not in routed
    )
    plan = Plan(
        scenario=day.scenario.name,
        date=day.scenario.date,
        status=PlanStatus.SOLVED,
        runs=tuple(sorted(runs, key=lambda run: (run.carer_id, run.shift_start))),
        unallocated=unallocated,
        settings=settings,
    )
    violations = tuple(str(v) for v in validate_plan(day.scenario, plan, day.travel))
    travel = sum(sum(s.travel_minutes for s in run.stops) + run.home_travel_minutes for run in runs)
    length = sum(run.return_home - run.depart for run in runs)
    care = sum(stop.end - stop.start for run in runs for stop in run.stops)
    left_out = sum(
        left_out_cost(settings, day.scenario.visit_by_id[item.visit_id].priority, 1)
        for item in unallocated
    )
    return Priced(
        plan=plan,
        violations=violations,
        covered=len(routed),
        travel_minutes=travel,
        run_minutes=length,
        idle_minutes=length - travel - care,
        left_out=left_out,
        cost=travel_cost(settings, travel) + run_length_cost(settings, length) + left_out,
    )


# ---- the two solvers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A solver's answer as routes, with what the solver itself said of it."""

    solver: str
    routes: Routes
    wall_s: float
    claimed_cost: int | None
    """The solver's own objective for its answer (None: it has none, or no feasible one)."""
    problems: tuple[str, ...] = ()
    """Found before pricing: the violations of domcare's own plan, PyVRP's infeasibility."""
    note: str = ""


def plan_routes(day: RelaxedDay, plan: Plan) -> Routes:
    """A domcare plan's runs as routes of ``day``."""
    vehicle_of = {(carer.id, shift.start): v for v, (carer, shift) in enumerate(day.shifts)}
    task_of = {visit.id: t for t, visit in enumerate(day.scenario.visits)}
    routes: list[tuple[int, ...]] = [() for _ in day.shifts]
    for run in plan.runs:
        routes[vehicle_of[(run.carer_id, run.shift_start)]] = tuple(
            task_of[stop.visit_id] for stop in run.stops
        )
    return tuple(routes)


def solve_domcare(day: RelaxedDay, settings: Settings) -> Answer:
    """The product path: ``solve_day`` on the relaxed scenario, its plan validated."""
    began = time.monotonic()
    plan = solve_day(day.scenario, settings, day.travel)
    wall = time.monotonic() - began
    violations = tuple(str(v) for v in validate_plan(day.scenario, plan, day.travel))
    return Answer(
        solver=DOMCARE,
        routes=plan_routes(day, plan),
        wall_s=wall,
        claimed_cost=plan.cost.total if plan.cost else None,
        problems=violations,
        note=f"{plan.solver.zones} zones" if plan.solver and plan.solver.zones > 1 else "",
    )


def servable_tasks(problem: RoutingProblem) -> tuple[int, ...]:
    """The tasks some vehicle could do alone: leaving at its start, the task started inside
    its window and the vehicle home by its end (what ``routing.repair.schedule`` allows for a
    route of one task, with no span limit). The others can be in no plan."""
    if not problem.vehicles:
        return ()
    locations = np.array([task.location for task in problem.tasks], dtype=np.int64)
    earliest = np.array([task.earliest for task in problem.tasks], dtype=np.int64)
    latest = np.array([task.latest for task in problem.tasks], dtype=np.int64)
    service = np.array([task.service for task in problem.tasks], dtype=np.int64)
    opens = np.array([v.earliest_start for v in problem.vehicles], dtype=np.int64)[:, None]
    closes = np.array([v.latest_end for v in problem.vehicles], dtype=np.int64)[:, None]
    there = np.stack(
        [problem.travel[v.profile][v.start_location, locations] for v in problem.vehicles]
    )
    back = np.stack(
        [problem.travel[v.profile][locations, v.end_location] for v in problem.vehicles]
    )
    start = np.maximum(opens + there, earliest[None, :])
    able = (start <= latest[None, :]) & (start + service[None, :] + back <= closes)
    return tuple(int(t) for t in np.flatnonzero(able.any(axis=0)))


def pyvrp_data(day: RelaxedDay) -> tuple[pyvrp.ProblemData, tuple[int, ...]]:
    """``day.problem`` as PyVRP's data, and the task of each PyVRP client. Locations are the
    day's places (its matrices' rows); a depot per carer home; a vehicle type per vehicle (one
    available, the shift as its window); distance and duration both the travel minutes of the
    vehicle's profile; a client per task some vehicle could do alone (``servable_tasks``; as
    domcare refuses the others before its search), its prize the task's drop penalty, not
    required. PyVRP's time-warp penalty is capped far below a critical visit's prize, so an
    impossible critical visit kept in its data lures every solution into time warp and it
    finds no feasible one (seen on a 30-visit day)."""
    import pyvrp

    problem, scenario = day.problem, day.scenario
    where = [client.location for client in scenario.clients]
    where += [carer.home for carer in scenario.carers]
    locations = [pyvrp.Location(x=place.lon, y=place.lat) for place in where]
    homes = sorted({vehicle.start_location for vehicle in problem.vehicles})
    depot_of = {home: k for k, home in enumerate(homes)}
    tasks = servable_tasks(problem)
    clients = [
        pyvrp.Client(
            location=problem.tasks[t].location,
            service_duration=problem.tasks[t].service,
            tw_early=problem.tasks[t].earliest,
            tw_late=problem.tasks[t].latest,
            prize=problem.tasks[t].penalty or 0,
            required=False,
            name=scenario.visits[t].id,
        )
        for t in tasks
    ]
    vehicle_types = []
    for vehicle, (carer, shift) in zip(problem.vehicles, day.shifts, strict=True):
        if vehicle.end_location != vehicle.start_location:
            raise BenchmarkError(f"carer {carer.id}'s runs do not end where they start")
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=1,
                start_depot=depot_of[vehicle.start_location],
                end_depot=depot_of[vehicle.end_location],
                tw_early=vehicle.earliest_start,
                tw_late=vehicle.latest_end,
                unit_distance_cost=problem.travel_cost,
                unit_duration_cost=problem.span_cost,
                profile=vehicle.profile,
                name=f"{carer.id}@{shift.start}",
            )
        )
    # PyVRP's stubs type a matrix as ``np.ndarray[int]``, which no numpy array type matches.
    matrices: list[Any] = list(problem.travel)
    data = pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=[pyvrp.Depot(location=home) for home in homes],
        vehicle_types=vehicle_types,
        distance_matrices=matrices,
        duration_matrices=matrices,
    )
    return data, tasks


def solve_pyvrp(day: RelaxedDay, stop: StoppingCriterion) -> Answer:
    """PyVRP's iterated local search on ``pyvrp_data(day)``, seed ``PYVRP_SEED``, default
    parameters. A vehicle type has one vehicle, so a route's vehicle type is its vehicle. Its
    own cost counts the prizes of the tasks kept out of its data. Wall time runs from building
    PyVRP's data to the answer."""
    import pyvrp

    began = time.monotonic()
    data, tasks = pyvrp_data(day)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = pyvrp.solve(data, stop=stop, seed=PYVRP_SEED, collect_stats=False)
    wall = time.monotonic() - began
    routes: list[tuple[int, ...]] = [() for _ in day.shifts]
    for route in result.best.routes():
        routes[route.vehicle_type()] = tuple(tasks[a.idx] for a in route if a.is_client())
    kept_out = set(range(len(day.problem.tasks))) - set(tasks)
    prizes = sum(day.problem.tasks[t].penalty or 0 for t in kept_out)
    feasible = result.is_feasible()
    return Answer(
        solver=PYVRP,
        routes=tuple(routes),
        wall_s=wall,
        claimed_cost=round(result.cost()) + prizes if feasible else None,
        problems=() if feasible else ("PyVRP's best solution is infeasible",),
        note=", ".join(
            [f"pyvrp {metadata.version('pyvrp')}", f"{result.num_iterations} iterations"]
            + sorted({f"warned: {w.category.__name__}" for w in warned})
        ),
    )


# ---- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelaxedRow:
    """One solver on one day at one time limit, every figure from ``price``. ``cost`` is in
    the objective's units; ``ratio`` is this cost over PyVRP's (same day and limit, both
    valid)."""

    day: str
    limit_s: float
    solver: str
    visits: int
    covered: int
    cost: int
    ratio: float | None
    travel_minutes: int
    run_minutes: int
    idle_minutes: int
    runs: int
    wall_s: float
    peak_mib: float | None
    valid: bool
    note: str


def judge(
    name: str, limit_s: float, day: RelaxedDay, answer: Answer, settings: Settings
) -> RelaxedRow:
    """``answer``'s row: priced, valid only when neither the solver nor the validator found a
    problem; the note says what was found and where a solver's own cost differs."""
    priced = price(day, answer.routes, settings)
    problems = list(answer.problems) + list(priced.violations)
    notes = [answer.note] if answer.note else []
    if problems:
        shown = "; ".join(problems[:3])
        notes.append(f"{len(problems)} problems: {shown}")
    if answer.claimed_cost is not None and answer.claimed_cost != priced.cost:
        notes.append(f"the solver's own cost is {answer.claimed_cost}")
    return RelaxedRow(
        day=name,
        limit_s=limit_s,
        solver=answer.solver,
        visits=len(day.scenario.visits),
        covered=priced.covered,
        cost=priced.cost,
        ratio=None,
        travel_minutes=priced.travel_minutes,
        run_minutes=priced.run_minutes,
        idle_minutes=priced.idle_minutes,
        runs=len(priced.plan.runs),
        wall_s=round(answer.wall_s, 1),
        peak_mib=None,
        valid=not problems,
        note="; ".join(notes),
    )


def with_ratios(rows: Sequence[RelaxedRow]) -> list[RelaxedRow]:
    """``rows`` with each valid row's cost over the valid PyVRP row's of its day and limit."""
    peers = {(r.day, r.limit_s): r.cost for r in rows if r.solver == PYVRP and r.valid}
    return [
        replace(row, ratio=round(row.cost / peers[(row.day, row.limit_s)], 4))
        if row.valid and peers.get((row.day, row.limit_s))
        else row
        for row in rows
    ]


def measure(name: str, limit_s: float, solver: str) -> RelaxedRow:
    """Build the relaxed day ``name``, solve it with ``solver`` for ``limit_s`` seconds and
    judge the answer."""
    if solver not in (DOMCARE, PYVRP):
        raise BenchmarkError(f"no solver '{solver}': {DOMCARE} or {PYVRP}")
    settings = relaxed_settings(limit_s)
    day = prepare(load_day(name), settings)
    if solver == DOMCARE:
        answer = solve_domcare(day, settings)
    else:
        from pyvrp.stop import MaxRuntime

        answer = solve_pyvrp(day, MaxRuntime(limit_s))
    return judge(name, limit_s, day, answer, settings)


def _measure_in_child(connection: Connection, name: str, limit_s: float, solver: str) -> None:
    """In the child: measure, then send back (row, peak MiB, None) or the failure as text."""
    try:
        row = measure(name, limit_s, solver)
        connection.send((row, _peak_mib(), None))
    except Exception as exc:  # sent to the parent, which stops the benchmark
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        connection.send((None, _peak_mib(), detail))
    finally:
        connection.close()


def measure_isolated(name: str, limit_s: float, solver: str) -> RelaxedRow:
    """``measure`` in a fresh process, so that its peak memory is this solve's own."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_measure_in_child, args=(sender, name, limit_s, solver))
    child.start()
    sender.close()
    try:
        row, peak, failure = receiver.recv()
    except EOFError:  # the child died without a word (killed, out of memory)
        row, peak, failure = None, 0.0, f"the solving process ended with code {child.exitcode}"
    child.join()
    if row is None:
        raise BenchmarkError(f"{name} at {limit_s:g} s, {solver}: {failure}")
    return replace(row, peak_mib=round(peak, 1))


Measure = Callable[[str, float, str], RelaxedRow]


def run(
    names: Sequence[str],
    limits_s: Sequence[float],
    solve: Measure = measure_isolated,
    csv_path: Path | None = None,
) -> list[RelaxedRow]:
    """Every day at every limit, domcare then PyVRP, one after the other; the rows with their
    ratios, written to ``csv_path`` (if given) after each pair, so a long run keeps what it
    has measured. Tests pass ``solve=measure`` to solve in their own process."""
    rows: list[RelaxedRow] = []
    for name in names:
        for limit in limits_s:
            for solver in (DOMCARE, PYVRP):
                print(f"{name} at {limit:g} s: {solver}", file=sys.stderr, flush=True)
                rows.append(solve(name, limit, solver))
            rows = with_ratios(rows)
            if csv_path is not None:
                write_csv(rows, csv_path)
    return rows


def _optional(value: float | None, form: str) -> str:
    return "-" if value is None else format(value, form)


def markdown(rows: Sequence[RelaxedRow]) -> str:
    lines = [
        "| day | limit s | solver | covered | cost | cost / PyVRP | travel min | run min "
        "| idle min | runs | wall s | peak MiB | valid | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.day} | {row.limit_s:g} | {row.solver} | {row.covered} of {row.visits} "
            f"| {row.cost:,} | {_optional(row.ratio, '.3f')} | {row.travel_minutes:,} "
            f"| {row.run_minutes:,} | {row.idle_minutes:,} | {row.runs} | {row.wall_s:.1f} "
            f"| {_optional(row.peak_mib, '.0f')} | {'yes' if row.valid else 'NO'} | {row.note} |"
        )
    return "\n".join(lines)


def write_csv(rows: Sequence[RelaxedRow], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=[f.name for f in fields(RelaxedRow)])
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


# ---- the runner's suite ---------------------------------------------------------------------


def _cases(quick: bool) -> list[Case]:
    if quick:
        return [Case("relaxed", QUICK_DAY, params=(("limit", "0"),))]
    return [
        Case("relaxed", name, params=(("limit", f"{limit:g}"),))
        for name in DAYS
        for limit in LIMITS_S
    ]


def _suite_row(row: RelaxedRow, peer: RelaxedRow | None) -> Row:
    """A relaxed row as the runner's: the objective is the priced cost; the gap, given the
    PyVRP row ``peer`` of the same day and limit, is the cost above PyVRP's (there is no
    best-known value), when both are valid."""
    gap = None if peer is None or row.ratio is None else gap_pct(row.cost, peer.cost)
    return Row(
        suite="relaxed",
        instance=f"{row.day}@{row.limit_s:g}s",
        solver=row.solver,
        objective=float(row.cost),
        gap_pct=gap,
        vehicles=row.runs,
        allocated=row.covered / row.visits if row.visits else None,
        wall_s=row.wall_s,
        time_limit_s=row.limit_s,
        valid=row.valid,
        note="; ".join(filter(None, ["gap to PyVRP's cost" if gap is not None else "", row.note])),
    )


def _run_case(case: Case, time_limit_s: float) -> list[Row]:
    """``time_limit_s`` applies when the case does not fix its own limit (quick runs). Both
    solvers in this process, one after the other."""
    limit = float(dict(case.params).get("limit", "0")) or time_limit_s
    ours = measure(case.instance, limit, DOMCARE)
    if importlib.util.find_spec("pyvrp") is None:
        missing = Row("relaxed", ours.day, PYVRP, time_limit_s=limit, note="pyvrp not installed")
        return [_suite_row(ours, None), missing]
    ours, peer = with_ratios([ours, measure(case.instance, limit, PYVRP)])
    return [_suite_row(ours, peer), _suite_row(peer, None)]


RELAXED = Suite(
    name="relaxed",
    cases=_cases,
    run=_run_case,
    default_time_limit_s=30.0,
    quick_time_limit_s=5.0,
    quick_gap_ceiling_pct=10.0,  # measured 2.73 % at 5 s and 2.79 % at 1 s on gen150 (2026-12-04)
)


def _day_name(text: str) -> str:
    """argparse's check of a day name, before any solve starts."""
    try:
        _source(text)
    except BenchmarkError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.relaxed", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--days", type=_day_name, nargs="+", default=list(DAYS))
    parser.add_argument("--limits", type=float, nargs="+", default=list(LIMITS_S))
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV")
    args = parser.parse_args(argv)
    if any(limit <= 0 for limit in args.limits):
        parser.error("time limits are seconds above 0")
    if importlib.util.find_spec("pyvrp") is None:
        parser.error('PyVRP is not installed: pip install -e ".[bench]"')
    rows = run(args.days, args.limits, csv_path=args.csv)
    print(
        f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OR-Tools {metadata.version('ortools')}, PyVRP {metadata.version('pyvrp')}"
    )
    print(markdown(rows))
    if args.csv is not None:
        print(f"\nrows written to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
