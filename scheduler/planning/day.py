"""Plan a day: the care domain becomes a routing problem, and its answer becomes a rota.

Each carer shift is a vehicle leaving the carer's home and returning to it. A visit becomes a
task whose allowed vehicles are the shifts of the carers suitable for it (skills, exclusions,
gender preference, pinned carer); visits no carer can do never reach the solver and carry
their reason instead.

Double-handed visits are two tasks, one per carer, to start together and be done both or
neither. Tying them inside OR-Tools wrecks its search (see ``routing.repair``), so the day is
searched with the halves untied, each near the middle of its window; then the halves of each
pair are brought to one start (or given up and inserted again whole at the best shared
start); the search goes on from there with those starts fixed; on a small day it then goes
on with every pair tied, from a plan where OR-Tools' tie no longer wrecks it (``_TIED_TASKS``);
and the pairs are mended once more.

Where workload balance is priced (``Settings.balance_weight``) each shift is aimed at its fair
share of the work expected before any plan, then of the work of the routes each later search
starts from (``_aimed``), the last search in rounds aimed again (``_rounds``); the plan is
priced on its own shares (``plan_cost``).

A run longer than ``Settings.break_after_minutes`` gets its unpaid break in a wait between
two calls; the search does not see breaks, so a run without room for one gives a call up to
another carer when the answer is timed (``routing.repair.fit_breaks``). A carer's break
window (a lunch) is kept the same way, by the one shift that can keep it (``_kept_break``);
priced instead (``Settings.missed_break_weight``), it is kept where that is cheaper and a
call moves to another run where that frees it for less (``routing.repair.relieve``).

Large days are split into geographic zones solved side by side in worker processes, then
joined and improved as a whole: OR-Tools does not honour its time limit while it builds a
first solution, and that construction grows faster than linearly with the day's size.
"""

from __future__ import annotations

import math
import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import permutations

import numpy as np

from routing.diagnose import DIAGNOSIS_BUDGET, Blocker, rescue_above_pairs, rescue_and_explain
from routing.haversine import HaversineTravel
from routing.lags import bind, lagged
from routing.problem import (
    BreakRule,
    BreakWindow,
    Lag,
    ProgressCallback,
    RoutingProblem,
    RoutingSolution,
    SearchSpec,
    SyncedPair,
    Task,
    Vehicle,
)
from routing.repair import (
    REPAIR_CONSTANTS,
    as_routes,
    improving,
    make_room,
    missed_cost,
    pin,
    punctual,
    relieve,
    repair_pairs,
    schedule,
    untie,
)
from routing.solver import evaluate, metaheuristic_for, pyvrp_first, solve_routing
from routing.travel import UNREACHABLE_MINUTES, TravelTimes
from scheduler.model.care import Carer, Scenario, Shift, Visit
from scheduler.model.clock import MINUTES_PER_DAY, format_clock
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, PlanStatus, Run, SolverInfo, Unallocated
from scheduler.model.settings import Engine, Settings
from scheduler.planning.history import Warm
from scheduler.planning.zones import split_into_zones
from scheduler.rules.eligibility import Eligibility, Reason, capacity_reason, no_plan_reason
from scheduler.rules.journeys import Journeys, build_journeys, walk_run
from scheduler.rules.objective import (
    CarerCosts,
    fair_shares,
    idle_cost,
    imbalance_cost,
    late_cost,
    left_out_cost,
    missed_break_cost,
    overtime_cost,
    plan_cost,
    run_length_cost,
    travel_cost,
)

__all__ = ["search_objective", "solve_day", "solve_warm"]


_MIN_IMPROVE_S = 1.0
"""The improving search with pairs tied runs only when this long is left (building its model
alone takes about a second on an 800-visit zone); otherwise the repaired first plan stands
(status ``NOT_IMPROVED``)."""
_MIN_SEARCH_S = 0.5
"""However late a zone's turn comes, its search gets this long (and then says which visits it
had no time for: ``not_searched``)."""
_SETTLE_S_PER_VISIT = 0.002
"""Time kept back from the search for what follows it: building the joined day, making pairs
whole, rescue and diagnosis, the plan. Measured on a 3000-visit day in zones: 6.0 s (build
3.4, pairs 1.9, rescue and diagnosis 0.7, plan 0.1); 0.6 s on a 400-visit day. Since
2026-12-06 building takes 1.0-1.4 s (eligibility as arrays) and the repairs stop at the
limit; at 1 ms a visit the district at 30 s left 5 visits unsearched, so 2 ms stays."""
_BUILT_BY_INSERTION = "BUILT_BY_INSERTION"
_FIRST_PLAN_S_PER_TASK = 0.0035
"""OR-Tools' first plan (cheapest insertion) of an untied 800-visit zone (870 tasks) took
2.9 s, and a search stopped before its first plan is built answers with every task dropped
(measured 2026-12-06; PATH_CHEAPEST_ARC, parallel insertion and savings were no quicker). A
search given less than this per task is not started: the repairs build the plan by insertion
(``repair_pairs``, ``rescue_and_explain``) in the whole time, status ``BUILT_BY_INSERTION``.
Not where PyVRP makes the first plan (``pyvrp_first``): it placed all 821 visits of a relaxed
3000-visit day's zone whatever its limit (0.9 s at 0.01 s asked)."""


_WRAP_UP_S = 0.3
"""Time kept back at the end for the plan itself (0.1 s on 3000 visits): the repairs and the
rescue stop this long before the limit."""
_PAIRS_SHARE = 0.6
"""The share of the time left after the search that making pairs whole may take; the rescue
and diagnosis of the visits still out get the rest."""
_TIED_SHARE = 0.5
"""The share of the improving search's time (after the pairs are mended) given to the whole
model with every pair tied, warm-started from the routes the search with pinned pairs found:
there a pair may move as one. From scratch OR-Tools places few tied pairs (see the module
note); from a plan it improves it: at 20 s Bazirha-CAIE J1 584 -> 485, M9 538 -> 427, L8
553 -> 461, Bazirha F1 to its best known value, Mankowska 25_6 below its (docs/search.md,
"A last search with every pair tied")."""
_PINNED_IN_SHARE = 0.3
"""On a day with a pair out before the tied search, the share of that search's time kept
back: for searching the pair in pinned (``_pairs_pinned_in``) if the repairs after the tied
search cannot place it, else for another tied round. Searched in before the tied search
instead, four Bazirha-CAIE days were dearer (L2 275 -> 396 at 60 s): their pairs were placed
by the repairs anyway, and the time was the tied search's."""
_TIED_TASKS = 300
"""Days of more tasks do without it: on town (450 tasks) and the district (1650) it changed
neither coverage nor cost beyond noise, and the district's peak memory rose from 603 to 905
MB (``python -m benchmarks.rota_day``, side by side)."""


_ROUND_SHARE = 0.34
"""On a day pricing balance, the share of the time left that each round of ``_rounds`` may
search: its aim (shares of its first routes' work) drifts as the search grows the work, so
rounds aimed again often beat one long one. Bazirha-CAIE at 60 s, 38 days, against rounds
given all the time left: cheaper on 19, dearer on 1 (N1001 107 -> 122), mean gap 43.8 ->
25.4 % (N2001 1038 -> 257: one round of 31 s had been all its time)."""


def _share_of(end: float | None, share: float) -> float | None:
    """The ``time.monotonic()`` value ``share`` of the way from now to ``end``."""
    if end is None:
        return None
    now = time.monotonic()
    return now + max(0.0, end - now) * share


_SETTLE_LEAST_S = 0.5
"""However small the day, this long is kept back for what follows the search: the repairs
stop at the limit, and a day of one call must still have time to place it. A search that ran
past its limit still leaves the repairs this long: OR-Tools' improving search on a home-care
instance (uhhc-mixed i-002, 200 patients, 30 s) returned a second late, and the repairs and
rescue, 0.03 s of work, had no time left: 17 calls `not_searched`."""


_JOINED_SETTLE_S_PER_VISIT = 0.001
"""What a day whose joined zones are the answer (see ``_searched_whole``) keeps back: no
whole-day search follows, only the join and the repairs, which stop at the limit. Measured
2026-12-06 on 3000 visits in zones of 300: 2 ms a visit ended the 10 s solve at 5.4-5.8 s;
1 ms ends it at 8.4 s (30 s: 29.2 s, 60 s: 58.6 s), as many visits covered."""


def _settle_s(scenario: Scenario, per_visit: float = _SETTLE_S_PER_VISIT) -> float:
    return max(_SETTLE_LEAST_S, per_visit * len(scenario.visits))


@dataclass(frozen=True)
class _Day:
    """A scenario prepared for the solver, with what is needed to read the answer back."""

    scenario: Scenario
    journeys: Journeys
    problem: RoutingProblem
    task_visit: tuple[str, ...]
    vehicle_shift: tuple[tuple[Carer, Shift], ...]
    suitable: dict[str, int]
    refused: dict[str, Reason]
    beyond_cap: dict[int, frozenset[int]]
    """Task -> the vehicles of carers beyond its client's weekly cap that may still take it,
    priced at ``over_cap_weight`` (see ``Settings.cap_yields``)."""
    late_in_search: bool = False
    """Lateness is priced in the search (``SolveSettings.late_in_search``, where some call
    may be late): after a first search on time, a search with soft latest starts goes on
    from its routes, and the repairs after it do not put time-keeping first either."""

    def tasks_of(self) -> dict[str, list[int]]:
        """Visit id -> its tasks in order (a double-handed visit's halves, first role first);
        a fresh dict each call, for callers that use its lists up."""
        tasks: dict[str, list[int]] = {}
        for task, visit_id in enumerate(self.task_visit):
            tasks.setdefault(visit_id, []).append(task)
        return tasks


def _expected_work(scenario: Scenario, journeys: Journeys) -> int:
    """The working time (care and travel) a plan of the day should hold, before there is one:
    every visit's minutes for each carer it needs, and as many legs into its client as the
    shortest from another client or a carer's home (a floor: routes wander more). Only where
    the search aims at first (``Settings.balance_weight``); it aims again at its routes'."""
    places = sorted(set(journeys.client_place.values()) | set(journeys.home_place.values()))
    care = travel = 0
    nearest: dict[int, int] = {}
    for minutes in journeys.minutes.values():
        block = minutes[np.ix_(places, places)].astype(float)
        np.fill_diagonal(block, np.inf)
        for place, shortest in zip(places, block.min(axis=0), strict=True):
            if shortest < UNREACHABLE_MINUTES:
                nearest[place] = min(nearest.get(place, UNREACHABLE_MINUTES), int(shortest))
    for visit in scenario.visits:
        care += visit.care_minutes
        travel += nearest.get(journeys.client_place[visit.client_id], 0) * visit.carers_required
    return care + travel


def _aimed(day: _Day, routes: list[list[int]]) -> _Day:
    """``day`` with every shift aimed at its fair share of the work of ``routes``
    (``fair_shares``), where the day prices balance; as it is otherwise."""
    if not day.problem.balanced:
        return day
    total = sum(day.problem.work_of(v, route) for v, route in enumerate(routes))
    shares = fair_shares(day.scenario, total)
    targets: list[int | None] = [shares[c.id, shift.start] for c, shift in day.vehicle_shift]
    return replace(day, problem=day.problem.aimed(targets))


def _kept_break(carer: Carer, settings: Settings) -> tuple[int, BreakWindow] | None:
    """Which of the carer's shifts keeps their break window, and the part of the window it
    keeps: the part no other shift can reach (overtime included), so that the run's time off
    there is the carer's. None when no break is owed or the time between shifts holds it."""
    window = carer.break_window
    if window is None:
        return None
    minutes = window.least(settings.break_minutes)
    reach = [
        (s.start, min(MINUTES_PER_DAY, s.end + carer.overtime(settings.overtime_minutes)))
        for s in carer.shifts
    ]
    if window.longest_free(reach) >= minutes:
        return None
    parts = []
    for k in range(len(reach)):
        start = max(window.start, reach[k - 1][1]) if k else window.start
        end = min(window.end, reach[k + 1][0]) if k + 1 < len(reach) else window.end
        parts.append((end - start, k, start, end))
    room, k, start, end = max(parts)
    if room < minutes:
        raise DomcareError(
            f"carer {carer.id}'s shifts leave no room for a {minutes} min break between "
            f"{format_clock(window.start)} and {format_clock(window.end)}"
        )
    missed = None if settings.missed_break_weight is None else missed_break_cost(settings, 1)
    return k, BreakWindow(start, end, minutes, missed)


def _prepare(scenario: Scenario, settings: Settings, journeys: Journeys) -> _Day:
    modes = list(journeys.minutes)
    eligibility = Eligibility(
        scenario, journeys, settings.late_tolerance_minutes, settings.overtime_minutes
    )
    vehicles: list[Vehicle] = []
    vehicle_shift: list[tuple[Carer, Shift]] = []
    shifts_of: dict[str, list[int]] = {}
    group_span: dict[int, int] = {}
    break_windows: dict[int, BreakWindow] = {}
    shares = (
        fair_shares(scenario, _expected_work(scenario, journeys)) if settings.balance_weight else {}
    )
    for number, carer in enumerate(scenario.carers):
        kept = _kept_break(carer, settings)
        if kept is not None:
            break_windows[len(vehicles) + kept[0]] = kept[1]
        limit = carer.max_working_minutes
        overtime = carer.overtime(settings.overtime_minutes)
        shared = limit is not None and len(carer.shifts) > 1 and carer.shift_minutes > limit
        if shared and limit is not None:
            group_span[number] = limit
        for shift in carer.shifts:
            shifts_of.setdefault(carer.id, []).append(len(vehicles))
            vehicle_shift.append((carer, shift))
            home = journeys.home_place[carer.id]
            vehicles.append(
                Vehicle(
                    start_location=home,
                    end_location=home,
                    earliest_start=shift.start,
                    latest_end=min(MINUTES_PER_DAY, shift.end + overtime),
                    profile=modes.index(carer.travel_mode),
                    max_span=min(shift.minutes + overtime, limit) if limit else None,
                    group=number,
                    due_back=shift.end if overtime else None,
                    leaves_at_start=settings.leave_at_shift_start,
                    work_target=shares.get((carer.id, shift.start)),
                )
            )

    tasks: list[Task] = []
    task_visit: list[str] = []
    synced: list[SyncedPair] = []
    suitable: dict[str, int] = {}
    refused: dict[str, Reason] = {}
    beyond_cap: dict[int, frozenset[int]] = {}
    for visit in scenario.visits:
        carers, reason = eligibility.suitable(visit, settings.cap_yields(visit.priority))
        suitable[visit.id] = len(carers)
        if reason is not None:
            refused[visit.id] = reason
            continue
        allowed = frozenset(v for carer in carers for v in shifts_of.get(carer.id, []))
        cap = scenario.client_by_id[visit.client_id].week_carers
        beyond = frozenset(
            v
            for carer in carers
            if cap is not None and carer.id not in cap
            for v in shifts_of.get(carer.id, [])
        )
        halves = (
            _halves(visit, carers, shifts_of)
            if visit.double_handed
            else [(allowed, visit.duration)]
        )
        penalty = left_out_cost(settings, visit.priority, 1)  # a task per carer
        for half, minutes in halves:
            tasks.append(
                Task(
                    location=journeys.client_place[visit.client_id],
                    service=minutes,
                    earliest=visit.earliest_start,
                    latest=visit.latest_allowed(settings.late_tolerance_minutes),
                    penalty=penalty,
                    allowed_vehicles=half,
                    late_after=visit.latest_start
                    if visit.tolerance(settings.late_tolerance_minutes)
                    else None,
                    closed=visit.closed,
                    late_cost=None
                    if visit.late_weight is None
                    else late_cost(settings, 1, visit.late_weight),
                )
            )
            task_visit.append(visit.id)
            if beyond & half:
                beyond_cap[len(tasks) - 1] = beyond & half
        if visit.double_handed:
            synced.append(SyncedPair(len(tasks) - 2, len(tasks) - 1))
    task_of = {visit_id: t for t, visit_id in enumerate(task_visit)}  # one task: single-handed
    lags = tuple(
        Lag(task_of[v.follows], task_of[v.id], v.min_gap, v.max_gap, v.other_carer)
        for v in scenario.visits
        if v.follows is not None and v.follows in task_of and v.id in task_of
    )

    # The objective's per-carer terms (continuity, soft gender, beyond the weekly cap), costs
    # every carer pays alike taken out (see scheduler.rules.objective).
    task_cost = CarerCosts(scenario, settings).matrix(
        [carer.id for carer, _ in vehicle_shift],
        [scenario.visit_by_id[visit_id].client_id for visit_id in task_visit],
    )
    problem = RoutingProblem(
        travel=tuple(journeys.minutes[mode] for mode in modes),
        tasks=tuple(tasks),
        vehicles=tuple(vehicles),
        horizon=MINUTES_PER_DAY,
        travel_cost=travel_cost(settings, 1),
        span_cost=run_length_cost(settings, 1),
        idle_cost=idle_cost(settings, 1),
        late_cost=late_cost(settings, 1),
        overtime_cost=overtime_cost(settings, 1),
        balance_cost=imbalance_cost(settings, 2),  # on the shortfall (see fair_shares)
        group_span=group_span,
        synced=tuple(synced),
        lags=lags,
        task_cost=task_cost if task_cost.any() else None,
        breaks=None
        if settings.break_after_minutes is None
        else BreakRule(after=settings.break_after_minutes, duration=settings.break_minutes),
        break_windows=break_windows,
    )
    return _Day(
        scenario,
        journeys,
        problem,
        tuple(task_visit),
        tuple(vehicle_shift),
        suitable,
        refused,
        beyond_cap,
        settings.solve.late_in_search and problem.tolerates_lateness,
    )


def _halves(
    visit: Visit, carers: tuple[Carer, ...], shifts_of: dict[str, list[int]]
) -> list[tuple[frozenset[int], int]]:
    """The shifts that may take each half of a double-handed visit, and the minutes the half
    lasts: the half of each role (``Visit.roles``, ``Visit.lengths``). A pinned carer takes a
    half of a role they hold, another the other; where the roles last alike, a pinned carer
    holding both may take either."""

    def holding(role: frozenset[str]) -> frozenset[int]:
        return frozenset(
            v for carer in carers if role <= carer.skills for v in shifts_of.get(carer.id, [])
        )

    first, second = (holding(role) for role in visit.roles)
    whole, part = visit.lengths
    pinned = frozenset(shifts_of.get(visit.pinned_carer or "", []))
    if not pinned:
        return [(first, whole), (second, part)]
    if whole != part:
        if pinned <= first:
            return [(pinned, whole), (second - pinned, part)]
        return [(pinned, part), ((first if pinned <= second else frozenset()) - pinned, whole)]
    partners = (second if pinned <= first else frozenset()) | (
        first if pinned <= second else frozenset()
    )
    return [(pinned, whole), (partners - pinned, whole)]


def _without_costs(day: _Day) -> _Day:
    """``day`` searched without per-carer costs (see ``_solve_whole``): carers beyond a weekly
    cap, which only those costs kept to calls no one else could take, are then allowed for
    critical calls alone."""
    tasks = list(day.problem.tasks)
    for t, beyond in day.beyond_cap.items():
        task = tasks[t]
        if task.allowed_vehicles is None:
            continue
        visit = day.scenario.visit_by_id[day.task_visit[t]]
        if visit.priority != "critical":
            tasks[t] = replace(task, allowed_vehicles=task.allowed_vehicles - beyond)
    return replace(day, problem=replace(day.problem, tasks=tuple(tasks), task_cost=None))


def _engine(settings: Settings, paired: bool) -> Engine:
    """The first search's engine; ``paired``: the day has double-handed visits
    (``Engine.AUTO`` then searches with OR-Tools alone)."""
    engine = settings.solve.engine
    if engine is Engine.AUTO:
        return Engine.ORTOOLS if paired else Engine.PYVRP
    return engine


def _search(settings: Settings, time_limit_s: float, paired: bool = False) -> SearchSpec:
    """The search of ``settings`` for ``time_limit_s``; ``paired``: see ``_engine``."""
    return SearchSpec(
        time_limit_s=time_limit_s,
        solution_limit=settings.solve.solution_limit,
        first_solution=settings.solve.first_solution.value,
        metaheuristic=settings.solve.metaheuristic.value,
        engine=_engine(settings, paired).value,
        pyvrp_share=settings.solve.pyvrp_share,
        pyvrp_memory_mib=settings.solve.pyvrp_memory_mib,
        seed=settings.solve.seed,
    )


@dataclass(frozen=True)
class _Answer:
    """The search's answer, and for each task left out, per vehicle that may take it, what
    keeps it off that vehicle's route (``routing.diagnose``)."""

    solution: RoutingSolution
    blocked: dict[int, dict[int, Blocker]]


def _blocked_carers(day: _Day, tasks: list[int], answer: _Answer) -> dict[str, Blocker]:
    """Carer id -> what keeps ``tasks`` (one visit's) off that carer's runs: the most hopeful
    over the carer's shifts and the visit's halves."""
    hope = [Blocker.FITS, Blocker.UNSEARCHED, Blocker.SPAN, Blocker.BREAK, Blocker.LAG]
    hope.append(Blocker.BUSY)
    found: dict[str, Blocker] = {}
    for task in tasks:
        for vehicle, blocker in answer.blocked.get(task, {}).items():
            carer = day.vehicle_shift[vehicle][0].id
            if carer not in found or hope.index(blocker) < hope.index(found[carer]):
                found[carer] = blocker
    return found


def _to_plan(day: _Day, answer: _Answer, settings: Settings, info: SolverInfo) -> Plan:
    scenario, journeys = day.scenario, day.journeys
    tasks_of = day.tasks_of()
    found = answer.solution.found
    runs = []
    placed: set[str] = set()
    for route in answer.solution.routes:
        carer, shift = day.vehicle_shift[route.vehicle]
        visits = [scenario.visit_by_id[day.task_visit[task]] for task in route.tasks]
        calls = [
            (visit, start, day.problem.tasks[task].service)
            for visit, start, task in zip(visits, route.starts, route.tasks, strict=True)
        ]
        legs = walk_run(journeys, carer, route.depart, calls)
        placed.update(visit.id for visit in visits)
        runs.append(
            Run(
                carer_id=carer.id,
                shift_start=shift.start,
                shift_end=shift.end,
                depart=route.depart,
                return_home=legs.return_home,
                stops=legs.stops,
                home_travel_minutes=legs.home_minutes,
                home_travel_m=legs.home_metres,
                break_start=route.break_start,
                break_end=route.break_end,
            )
        )
    unallocated = []
    for visit in scenario.visits:
        if visit.id in placed:
            continue
        if visit.id in day.refused:
            reason = day.refused[visit.id]
        elif not found:
            reason = no_plan_reason()
        else:
            blocked = _blocked_carers(day, tasks_of[visit.id], answer)
            reason = capacity_reason(scenario, visit, blocked)
        unallocated.append(
            Unallocated(
                visit_id=visit.id,
                client_id=visit.client_id,
                reason_code=reason.code,
                reason=reason.text,
            )
        )
    runs.sort(key=lambda run: (run.carer_id, run.shift_start))
    plan = Plan(
        scenario=scenario.name,
        date=scenario.date,
        status=PlanStatus.SOLVED if found else PlanStatus.NO_PLAN,
        runs=tuple(runs),
        unallocated=tuple(unallocated),
        settings=settings,
        solver=info,
    )
    return plan.model_copy(update={"cost": plan_cost(scenario, plan, settings)})


def _info(
    answer: RoutingSolution,
    settings: Settings,
    began: float,
    zones: int,
    first_plan_s: float | None = None,
    first_search: str = "ortools",
) -> SolverInfo:
    return SolverInfo(
        status=answer.status,
        objective=answer.objective,
        wall_seconds=round(time.monotonic() - began, 3),
        first_plan_seconds=first_plan_s,
        first_solution=settings.solve.first_solution.value,
        metaheuristic=metaheuristic_for(
            settings.solve.metaheuristic.value, settings.travel_weight > 0
        ),
        first_search=first_search,
        zones=zones,
        repair=REPAIR_CONSTANTS | {"diagnosis_budget": DIAGNOSIS_BUDGET},
    )


def _bound(
    problem: RoutingProblem, routes: list[list[int]], answer: RoutingSolution
) -> RoutingProblem:
    """``problem`` with the lags between visits kept by windows from the starts the search
    chose (``routing.lags``): what follows the search re-times runs one at a time."""
    tied = lagged(problem)
    starts = {t: s for r in answer.routes for t, s in zip(r.tasks, r.starts, strict=True)}
    return bind(problem, routes, {t: s for t, s in starts.items() if t in tied})


def _unbound(fixed: RoutingProblem, problem: RoutingProblem) -> RoutingProblem:
    """``fixed`` with the tasks of lags as ``problem`` asks for them: a search keeps the lags
    itself (``routing.solver``), so the calls may slide again; the pins are for the repairs."""
    if not problem.lags:
        return fixed
    tied = lagged(problem)
    tasks = tuple(problem.tasks[t] if t in tied else task for t, task in enumerate(fixed.tasks))
    return replace(fixed, tasks=tasks)


def _task_lists(day: _Day, answer: RoutingSolution) -> list[list[int]]:
    routes: list[list[int]] = [[] for _ in day.vehicle_shift]
    for route in answer.routes:
        routes[route.vehicle] = list(route.tasks)
    return routes


def _settled(
    day: _Day,
    routes: list[list[int]],
    fixed: RoutingProblem | None,
    status: str,
    objective: int | None = None,
    end: float | None = None,
) -> _Answer:
    """``routes`` with room for every break and every double-handed pair made whole, the
    visits the search missed placed (``routing.diagnose``), timed, as the day's answer, with
    what keeps each visit still out off each carer's runs; by ``end`` (a ``time.monotonic()``
    value), the pairs not mended by then left out and the visits not tried ``not_searched``."""
    problem = day.problem
    if end is not None:
        end = max(end, time.monotonic() + _SETTLE_LEAST_S)
    halves = {t for pair in problem.synced for t in (pair.first, pair.second)}
    routes, fixed = _on_time_first(day, routes, fixed, halves, end)
    routes, fixed = repair_pairs(problem, routes, fixed, _share_of(end, _PAIRS_SHARE))
    routes = relieve(fixed, routes)
    placed = {t for route in routes for t in route}
    # A pair left out is explained half by half over its whole window (``fixed`` holds its
    # halves untied near the window's middle).
    whole = replace(
        fixed,
        tasks=tuple(
            task if t in placed else problem.tasks[t] for t, task in enumerate(fixed.tasks)
        ),
    )
    routes, blocked, fixed = rescue_and_explain(fixed, routes, halves, whole, problem, end)
    built = as_routes(fixed, routes)
    solution = RoutingSolution(
        status=status,
        found=True,
        objective=objective,
        routes=built,
        dropped=tuple(sorted(blocked)),
        wall_s=0.0,
        first_solution_s=None,
    )
    return _Answer(solution, blocked)


def _searched(
    day: _Day, problem: RoutingProblem, routes: list[list[int]] | None = None
) -> RoutingProblem:
    """The problem the improving search is given: on time (``punctual``) unless the day
    prices lateness inside the search."""
    return problem if day.late_in_search else punctual(problem, routes)


def _on_time_first(
    day: _Day,
    routes: list[list[int]],
    fixed: RoutingProblem | None,
    halves: set[int] | None,
    end: float | None = None,
) -> tuple[list[list[int]], RoutingProblem | None]:
    """Pairs made whole, and with ``halves`` visits rescued, with every window on time
    (``punctual``), so that a visit starts late only when it could not be placed on time:
    the routes, and the problem they keep with the tolerances given back to every task whose
    start is not pinned. A day where no visit may be late, or whose search priced lateness,
    is returned as it is. Within half the time left to ``end``."""
    problem = day.problem
    if not problem.tolerates_lateness or day.late_in_search:
        return routes, fixed
    base = fixed or problem
    on_time = punctual(base, routes)
    plain = on_time if fixed is None else punctual(problem, routes)
    until = _share_of(end, 0.5)
    routes, pinned = repair_pairs(plain, routes, on_time, _share_of(until, _PAIRS_SHARE))
    if halves is not None:
        routes, _, pinned = rescue_and_explain(pinned, routes, halves, pinned, plain, until)
    tasks = tuple(
        base.tasks[t] if task == on_time.tasks[t] else task for t, task in enumerate(pinned.tasks)
    )
    return routes, replace(pinned, tasks=tasks)


def _lone_halves(problem: RoutingProblem, routes: list[list[int]]) -> bool:
    """Whether ``routes`` hold one half of a pair without the other."""
    placed = {t for route in routes for t in route}
    return any((p.first in placed) != (p.second in placed) for p in problem.synced)


_PINNED_AT = (0.5, 0.0, 1.0, 0.25, 0.75)
"""Where in its window a pair left out is pinned, in the order tried (0: its earliest start,
1: its latest): Mankowska 25_2's pair p18 pinned at the middle placed one half."""


def _pairs_pinned_in(
    day: _Day,
    routes: list[list[int]],
    fixed: RoutingProblem,
    settings: Settings,
    until: float,
    on_progress: ProgressCallback | None,
) -> tuple[list[list[int]], RoutingProblem]:
    """``routes`` searched again (untied, ``fixed``'s pairs pinned) with each pair left out
    (or half out) let in, its halves pinned at one start, and the pairs then made whole
    (``repair_pairs``), by ``until``: the middle of each window first, then other starts
    (``_PINNED_AT``, each try half the time left) while a pair stays out; the routes leaving
    fewest pairs out, as they were when no pair is out. No search inserts a tied pair (its
    halves must go in together at one start, and OR-Tools inserts one call at a time), and
    the repairs move few calls to make room (Bazirha-CAIE K8: a pair far from every run
    stayed out where the published plan has it). Two pinned halves are two single calls,
    which the search places as any other."""
    out = _pairs_out(day.problem, routes)
    halves = {t for pair in out for t in (pair.first, pair.second)}
    routes = [[t for t in route if t not in halves] for route in routes]  # a lone half too
    best: tuple[int, list[list[int]], RoutingProblem] | None = None
    window = {pair: fixed.tasks[pair.first] for pair in out}
    for i, at in enumerate(_PINNED_AT):
        if not out or until - time.monotonic() < _MIN_IMPROVE_S:
            break
        share = 1.0 if i == len(_PINNED_AT) - 1 else 0.5
        trial = pin(
            fixed,
            {
                t: window[pair].earliest + round((window[pair].latest - window[pair].earliest) * at)
                for pair in out
                for t in (pair.first, pair.second)
            },
        )
        answer = solve_routing(
            _searched(day, trial, routes),
            _search(settings, (until - time.monotonic()) * share),
            initial_routes=routes,
            on_progress=on_progress,
        )
        if not answer.found:
            continue
        tried = repair_pairs(day.problem, _task_lists(day, answer), trial, _share_of(until, share))
        left = len(_pairs_out(day.problem, tried[0]))
        if best is None or left < best[0]:
            best = (left, *tried)
        if not left:
            break
    return (routes, fixed) if best is None else (best[1], best[2])


def _pairs_out(problem: RoutingProblem, routes: list[list[int]]) -> list[SyncedPair]:
    """The pairs not wholly in ``routes`` (out, or a half out)."""
    placed = {t for route in routes for t in route}
    return [p for p in problem.synced if not {p.first, p.second} <= placed]


def _tied(
    day: _Day,
    routes: list[list[int]],
    fixed: RoutingProblem,
    answer: RoutingSolution,
    settings: Settings,
    until: float,
    deadline: float,
    on_progress: ProgressCallback | None,
) -> tuple[_Day, list[list[int]], RoutingProblem, RoutingSolution]:
    """The tied rounds from ``routes`` until ``until``, each pair then pinned where the search
    put it and the pairs made whole by ``deadline``: the day as aimed, the routes, the problem
    pinning their pairs, and the answer (``answer`` where the search found nothing)."""
    day, tied = _rounds(day, routes, settings, until, on_progress)
    if not tied.found:
        return day, routes, fixed, answer
    # each pair where the search put it (untied, a half's window is narrowed)
    polished = _task_lists(day, tied)
    starts = {t: s for r in tied.routes for t, s in zip(r.tasks, r.starts, strict=True)}
    halves = {t for p in day.problem.synced for t in (p.first, p.second)}
    bound = pin(day.problem, {t: s for t, s in starts.items() if t in halves})
    bound = _bound(bound, polished, tied) if day.problem.lags else bound
    routes, fixed = repair_pairs(day.problem, polished, bound, deadline)
    return day, routes, fixed, tied


def _both_sides(problem: RoutingProblem) -> RoutingProblem:
    """``problem`` pricing each vehicle's work away from its target on both sides, at half
    the shortfall's price each: at targets that are shares of the routes' own work, the same
    cost, but work grown past a target is priced too."""
    half = problem.balance_cost // 2
    return replace(problem, balance_cost=half, excess_cost=problem.balance_cost - half)


def _rounds(
    day: _Day,
    routes: list[list[int]],
    settings: Settings,
    deadline: float,
    on_progress: ProgressCallback | None,
) -> tuple[_Day, RoutingSolution]:
    """``day``'s model searched from ``routes``; where the day prices balance and the search
    ends before ``deadline``, searched again from the cheapest routes so far aimed at their
    own work: the day, aimed as the answer's search was, and the cheapest answer. A search
    aims at shares of the work its first routes hold; pricing the shortfall alone (twice)
    is the distance on both sides only while the routes hold that much work, and
    Bazirha-CAIE's free travel grows the work, so imbalance was priced low (J9 at 60 s: 348
    -> 330, its best known value). Pricing both sides instead leads elsewhere, better on some
    days and worse on others: when a round is no cheaper, the next prices the other way;
    after two rounds in a row no cheaper, each round starts from the cheapest routes with
    some calls taken out (``_ruined``), until ``deadline``. Each round searches for
    ``_ROUND_SHARE`` of the time left."""
    share = _ROUND_SHARE if day.problem.balanced else 1.0
    answer = solve_routing(
        _searched(day, day.problem, routes),
        _search(settings, (deadline - time.monotonic()) * share),
        initial_routes=routes,
        on_progress=on_progress,
    )
    # the cheapest round: its cost, the day as its search was aimed, its answer, its routes,
    # and the day aimed at their work
    best: tuple[int, _Day, RoutingSolution, list[list[int]], _Day] | None = None
    both = False
    stalled = 0
    rng = random.Random(settings.solve.seed)
    while answer.found and day.problem.balanced:
        found = _task_lists(day, answer)
        aimed = _aimed(day, found)
        cost = evaluate(_searched(aimed, aimed.problem, found), found)
        if cost is not None and (best is None or cost < best[0]):
            best, stalled = (cost, day, answer, found, aimed), 0
        else:
            stalled, both = stalled + 1, not both
        if best is None or deadline - time.monotonic() < _MIN_IMPROVE_S:
            break
        day = best[4]
        # after two rounds in a row no cheaper, each starts from the cheapest routes ruined
        start = _ruined(day.problem, best[3], rng) if stalled >= 2 else best[3]
        searched = _searched(day, day.problem, start)
        answer = solve_routing(
            _both_sides(searched) if both else searched,
            _search(settings, (deadline - time.monotonic()) * share),
            initial_routes=start,
            on_progress=on_progress,
        )
    return (best[1], best[2]) if best is not None else (day, answer)


_RUIN_SHARE = 0.2
"""The share of a plan's single calls a ruined round takes out and searches back in
(``_ruined``)."""


def _ruined(
    problem: RoutingProblem, routes: list[list[int]], rng: random.Random
) -> list[list[int]]:
    """``routes`` without a random ``_RUIN_SHARE`` of their single calls, for the search to
    put back: once the rounds stall, the search from the cheapest routes ends where it began
    (Bazirha-CAIE M3 at 60 s: the whole day in 8 s), and the time left went unused. A pair
    stays where it is: no search puts a tied pair back (K1: every round that took one out
    came back without it)."""
    halves = {t for p in problem.synced for t in (p.first, p.second)}
    single = sorted(t for route in routes for t in route if t not in halves)
    count = min(len(single), max(1, round(len(single) * _RUIN_SHARE)))
    out = set(rng.sample(single, count))
    return [[t for t in route if t not in out] for route in routes]


def _finish(
    day: _Day,
    routes: list[list[int]],
    settings: Settings,
    deadline: float,
    on_progress: ProgressCallback | None,
    fixed: RoutingProblem | None = None,
    end: float | None = None,
    unimproved: str = "NOT_IMPROVED",
    tie: bool = True,
) -> _Answer:
    """Make every double-handed pair whole, improve the day until ``deadline`` (a
    ``time.monotonic()`` value) with the pairs at their chosen starts, then, on a small day
    (``_TIED_TASKS``) and with ``tie``, with every pair tied but free to move, and mend it
    again by ``end``. ``fixed`` pins the starts of pairs already placed in ``routes`` (see
    ``repair_pairs``); ``unimproved``: the status when there is no time to improve. A
    re-plan goes without the tied search: it moved pairs a plan kept where nothing had
    happened (``tests/property/test_replan_properties.py``)."""
    routes, fixed = _on_time_first(day, routes, fixed, None, deadline)
    routes, fixed = repair_pairs(day.problem, routes, fixed, deadline)
    day = _aimed(day, routes)
    fixed = replace(fixed, vehicles=day.problem.vehicles)  # pinned tasks, the same shifts
    remaining = deadline - time.monotonic()
    if remaining < max(_MIN_IMPROVE_S, len(day.problem.tasks) * _FIRST_PLAN_S_PER_TASK):
        # no time to build the tied model and improve on it
        return _settled(day, routes, fixed, unimproved, end=end)
    free = _unbound(fixed, day.problem)
    polish = tie and len(day.problem.tasks) <= _TIED_TASKS
    answer = solve_routing(
        _searched(day, improving(free, routes, day.problem.synced), routes),
        _search(settings, remaining * (1 - _TIED_SHARE) if polish else remaining),
        initial_routes=routes,
        on_progress=on_progress,
    )
    if answer.found:
        routes = _task_lists(day, answer)
        fixed = _bound(free, routes, answer)
    if polish and deadline - time.monotonic() >= _MIN_IMPROVE_S:
        # the whole model, pairs tied, from these routes: each pair may move as one
        if _lone_halves(day.problem, routes):
            # the search dropped a half of a pinned pair for a single call (Bazirha-CAIE L6):
            # the tied model refuses such routes, so the pair is mended or put back first
            routes, fixed = repair_pairs(day.problem, routes, fixed, deadline)
        # with a pair out, time kept for searching it in pinned if the repairs cannot place it
        out = _pairs_out(day.problem, routes)
        share = (1 - _PINNED_IN_SHARE) if out else 1.0
        until = time.monotonic() + (deadline - time.monotonic()) * share
        before = routes, fixed
        day, routes, fixed, answer = _tied(
            day, routes, fixed, answer, settings, until, deadline, on_progress
        )
        still = _pairs_out(day.problem, routes)
        placed = bool(out) and not still  # by the repairs after the tied search
        if out and still:
            # from the routes before the tied search: from its own, denser, L6's stayed out;
            # kept where it places more pairs, else the tied search's routes stand
            pinned_in = _pairs_pinned_in(day, *before, settings, deadline, on_progress)
            placed = len(_pairs_out(day.problem, pinned_in[0])) < len(still)
            if placed:
                routes, fixed = pinned_in
        if placed and deadline - time.monotonic() >= _MIN_IMPROVE_S:  # the time kept back
            day, routes, fixed, answer = _tied(
                day, routes, fixed, answer, settings, deadline, deadline, on_progress
            )
    return _settled(day, routes, fixed, answer.status, answer.objective, end)


def _on_time_day(day: _Day, settings: Settings) -> _Day:
    """The day as it would be with no call allowed late, for the first search: with a
    tolerance, calls get carers who could only be late, and the first search, on time,
    took another course (town at 10 s with 15 minutes' tolerance: two evening pairs
    fewer); lateness is for fitting what the on-time plan leaves out. ``day`` itself when
    no call may be late, or where lateness is priced in the search (``late_in_search``)."""
    if not day.problem.tolerates_lateness or day.late_in_search:
        return day
    scenario = day.scenario
    punctual_visits = tuple(
        visit.model_copy(update={"late_tolerance": 0}) for visit in scenario.visits
    )
    return _prepare(
        scenario.model_copy(update={"visits": punctual_visits}),
        settings.model_copy(update={"late_tolerance_minutes": 0}),
        day.journeys,
    )


def _carried(first: _Day, day: _Day, answer: RoutingSolution) -> RoutingSolution:
    """``answer`` to ``first`` as an answer to ``day``: each task is its visit's (the halves
    of a pair in order); a task whose carer ``day`` does not allow is left out."""
    if first is day:
        return answer
    tasks_of = day.tasks_of()
    own = {
        t: tasks_of[visit_id][half]
        for visit_id, tasks in first.tasks_of().items()
        for half, t in enumerate(tasks)
    }
    routes = []
    for route in answer.routes:
        kept = [
            (own[t], start)
            for t, start in zip(route.tasks, route.starts, strict=True)
            if route.vehicle in _allowed(day.problem, own[t])
        ]
        routes.append(
            replace(route, tasks=tuple(t for t, _ in kept), starts=tuple(s for _, s in kept))
        )
    placed = {t for route in routes for t in route.tasks}
    dropped = tuple(t for t in range(len(day.problem.tasks)) if t not in placed)
    return replace(answer, routes=tuple(routes), dropped=dropped)


def _solve_whole(
    scenario: Scenario,
    settings: Settings,
    travel: TravelTimes,
    time_limit_s: float,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Search with double-handed halves untied (see the module note), then repair and improve
    with them tied. Without double-handed visits the first search is all there is."""
    began = time.monotonic()
    deadline = began + max(_MIN_SEARCH_S, time_limit_s - _settle_s(scenario))
    end = max(deadline, began + time_limit_s - _WRAP_UP_S)
    day = _prepare(scenario, settings, build_journeys(scenario, travel))
    first_day = _on_time_day(day, settings)
    tied = bool(day.problem.synced)
    untied = punctual(untie(first_day.problem))
    again = day.late_in_search or day.problem.balanced  # a second search from the first's
    first_share = settings.solve.untied_share if tied or again else 1.0

    def first_search_s() -> float:
        return max(_MIN_SEARCH_S, (deadline - time.monotonic()) * first_share)

    searching = time.monotonic()
    first = _search(settings, first_search_s(), tied)
    if (
        not pyvrp_first(untied, first)
        and first_search_s() < len(untied.tasks) * _FIRST_PLAN_S_PER_TASK
    ):
        # No time for OR-Tools' first plan: the repairs build one by insertion.
        answer = RoutingSolution(
            _BUILT_BY_INSERTION, True, None, (), tuple(range(len(untied.tasks))), 0.0, None
        )
    else:
        answer = solve_routing(untied, first, on_progress=on_progress)
    if answer.status == "ROUTING_FAIL" and untied.task_cost is not None:
        # OR-Tools 9.15 sometimes builds no first plan with the per-carer cost dimension
        # (found by the week property tests and by a day with 30 waiting-list packages):
        # a day planned without continuity costs beats a day with no plan.
        same = first_day is day
        day = _without_costs(day)
        first_day = day if same else _without_costs(first_day)
        untied = punctual(untie(first_day.problem))
        answer = solve_routing(
            untied, _search(settings, first_search_s(), tied), on_progress=on_progress
        )
    answer = _carried(first_day, day, answer)
    first_plan_s = (
        None
        if answer.first_solution_s is None
        else round(searching - began + answer.first_solution_s, 3)
    )
    routes = _task_lists(day, answer)
    if (
        answer.found
        and not tied  # with pairs, the tied search of ``_finish`` prices lateness
        and answer.status != _BUILT_BY_INSERTION
        and again
        and deadline - time.monotonic() >= _MIN_IMPROVE_S
    ):
        # lateness priced from the on-time routes: priced from the start, the search found
        # poorer plans (Mankowska 10_7 at 20 s: 461 minutes late against 40); each shift
        # aimed at its share of the work those routes hold
        day, priced = _rounds(_aimed(day, routes), routes, settings, deadline, on_progress)
        if priced.found:
            answer, routes = priced, _task_lists(day, priced)
    if answer.status == _BUILT_BY_INSERTION and tied:  # critical calls before normal pairs
        routes = rescue_above_pairs(punctual(day.problem), routes, deadline)
    fixed = _bound(day.problem, routes, answer) if day.problem.lags else None
    if answer.found and tied:
        unimproved = answer.status if answer.status == _BUILT_BY_INSERTION else "NOT_IMPROVED"
        final = _finish(day, routes, settings, deadline, on_progress, fixed, end, unimproved)
    elif answer.found:
        final = _settled(day, routes, fixed, answer.status, answer.objective, end)
    else:
        final = _Answer(answer, {})
    info = _info(final.solution, settings, began, 1, first_plan_s, answer.first_search)
    return _to_plan(day, final, settings, info)


# ---- zones: large days ----------------------------------------------------------------------


def _lanes(parts: list[Scenario], workers: int) -> list[list[Scenario]]:
    """The zones shared between ``workers`` side-by-side processes, largest first to the
    least loaded (by visits), so that the processes finish together."""
    lanes: list[list[Scenario]] = [[] for _ in range(min(workers, len(parts)))]
    load = [0] * len(lanes)
    for part in sorted(parts, key=lambda p: -len(p.visits)):
        lane = load.index(min(load))
        lanes[lane].append(part)
        load[lane] += len(part.visits)
    return lanes


def _lane_job(args: tuple[list[Scenario], Settings, TravelTimes, float]) -> list[Plan]:
    """A process's zones, one after another, each given its share by visits of the time left
    to ``deadline`` (a ``time.monotonic()`` value: one clock for every process of the machine),
    so a zone that overruns takes its time from the zones after it, never from the day."""
    parts, settings, travel, deadline = args
    plans = []
    for k, part in enumerate(parts):
        left = sum(len(p.visits) for p in parts[k:])
        budget = (deadline - time.monotonic()) * len(part.visits) / left
        plans.append(_solve_whole(part, settings, travel, max(_MIN_SEARCH_S, budget)))
    return plans


def _halves_taken(
    problem: RoutingProblem,
    tasks_of: dict[str, list[int]],
    holders: dict[str, list[tuple[int, int]]],
) -> dict[tuple[str, int], int]:
    """Each visit and vehicle holding it in a plan (``holders``: visit -> (vehicle, minutes
    its stop lasts)) -> the visit's task that vehicle takes: an order of the visit's tasks
    each holder's shift may do, of the holder's own length where one is (a second carer
    leaving early keeps the second half). Taking the halves in run order gave a carer
    holding both roles the half only the other carer may do (a route no carer could work:
    Bazirha-CAIE K1's plan, read back, was refused by its own model)."""

    def fits(held: list[tuple[int, int]], order: tuple[int, ...], lengths: bool) -> bool:
        return all(
            v in _allowed(problem, t) and (not lengths or problem.tasks[t].service == minutes)
            for (v, minutes), t in zip(held, order, strict=True)
        )

    taken: dict[tuple[str, int], int] = {}
    for visit_id, held in holders.items():
        orders = list(permutations(tasks_of.get(visit_id, []), len(held)))
        order = next((o for o in orders if fits(held, o, True)), None) or next(
            (o for o in orders if fits(held, o, False)), None
        )
        if order is not None:
            taken.update({(visit_id, v): t for (v, _), t in zip(held, order, strict=True)})
    return taken


def _initial_routes(day: _Day, plans: list[Plan]) -> tuple[list[list[int]], dict[int, int]]:
    """Zone plans as routes of the whole day's problem (task indices per vehicle), and the
    starts the zones chose for double-handed halves and the calls of lags. Each carer of a
    double-handed visit takes a half their shift may do (``_halves_taken``): halves differ
    when the visit has two roles or a pinned carer."""
    vehicle_of = {(carer.id, shift.start): v for v, (carer, shift) in enumerate(day.vehicle_shift)}
    tasks_of = day.tasks_of()
    paired = {t for pair in day.problem.synced for t in (pair.first, pair.second)}
    paired |= lagged(day.problem)
    runs = [
        (vehicle_of[(run.carer_id, run.shift_start)], run) for plan in plans for run in plan.runs
    ]
    holders: dict[str, list[tuple[int, int]]] = {}
    for v, run in runs:
        for stop in run.stops:
            holders.setdefault(stop.visit_id, []).append((v, stop.end - stop.start))
    taken = _halves_taken(day.problem, tasks_of, holders)
    routes: list[list[int]] = [[] for _ in day.vehicle_shift]
    starts: dict[int, int] = {}
    for v, run in runs:
        for stop in run.stops:
            free = tasks_of[stop.visit_id]
            task = taken.get((stop.visit_id, v), free[0])
            free.remove(task)
            routes[v].append(task)
            if task in paired:
                starts[task] = stop.start
    return routes, starts


def _ortools_first(scenario: Scenario, settings: Settings) -> bool:
    """Whether OR-Tools makes the first search of ``scenario``'s zones: their size is then
    ``joined_zone_visits`` when they are the answer. PyVRP searches large zones better: the
    relaxed 3000-visit day (no pairs) in zones of 300 cost 1.041x PyVRP's at 10 s and 1.006x
    at 30 s, against 0.956x and 0.962x in zones of 800."""
    paired = any(visit.carers_required > 1 for visit in scenario.visits)
    return _engine(settings, paired) is Engine.ORTOOLS


def _searched_whole(scenario: Scenario, settings: Settings) -> bool:
    """Whether zones joined are worth searching as one day: not beyond ``whole_day_visits``,
    nor when the time after the zones would not build the whole day's first model. Then the
    zones take all the time instead of ``zone_share``: the district at 10 s had its 800-visit
    zones built by insertion in 5 s and no whole-day search (98.9 % covered, 5 critical calls
    out, 359 h' travel, 2.7 s wall); with the time to themselves its zones are searched
    (99.5 %, 2 out, 317 h, as at 30 s)."""
    if len(scenario.visits) > settings.solve.whole_day_visits:
        return False
    tasks = sum(visit.carers_required for visit in scenario.visits)
    after = settings.solve.time_limit_s * (1 - settings.solve.zone_share) - _settle_s(scenario)
    return after >= max(_MIN_IMPROVE_S, tasks * _FIRST_PLAN_S_PER_TASK)


def _solve_in_zones(
    scenario: Scenario,
    settings: Settings,
    travel: TravelTimes,
    zones: int,
    on_progress: ProgressCallback | None,
) -> Plan:
    began = time.monotonic()
    limit = settings.solve.time_limit_s
    parts = [p for p in split_into_zones(scenario, zones, settings.solve.seed) if p.visits]
    # Beyond whole_day_visits the joined day is too large to search as one model in time
    # (measured: building it alone took minutes at 3000 visits); then, or when the limit is
    # too short for it, the zones get all the time but what joining them takes.
    whole = _searched_whole(scenario, settings)
    zones_until = (
        began + limit * settings.solve.zone_share
        if whole
        else began + limit - _settle_s(scenario, _JOINED_SETTLE_S_PER_VISIT)
    )
    jobs = [(lane, settings, travel, zones_until) for lane in _lanes(parts, settings.solve.workers)]
    if len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
            plans = [plan for lane in pool.map(_lane_job, jobs) for plan in lane]
    else:
        plans = [plan for job in jobs for plan in _lane_job(job)]

    joined_s = round(time.monotonic() - began, 3)  # the first whole-day plan: zones joined
    end = began + limit - _WRAP_UP_S
    day = _prepare(scenario, settings, build_journeys(scenario, travel))
    routes, pair_starts = _initial_routes(day, plans)
    fixed = bind(pin(day.problem, pair_starts), routes, pair_starts)
    if whole:
        deadline = began + limit - _settle_s(scenario)
        answer = _finish(day, routes, settings, deadline, on_progress, fixed, end)
    else:
        answer = _settled(day, routes, fixed, "ZONES_JOINED", end=end)
    searches = {plan.solver.first_search for plan in plans if plan.solver is not None}
    first_search = "pyvrp" if "pyvrp" in searches else "ortools"
    info = _info(answer.solution, settings, began, len(parts), joined_s, first_search)
    return _to_plan(day, answer, settings, info)


def solve_day(
    scenario: Scenario,
    settings: Settings | None = None,
    travel: TravelTimes | None = None,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Plan ``scenario``'s day. Never raises for an unplannable day: every visit left out of
    the rota carries its reason, and ``plan.status`` says whether the solver found a plan."""
    if len(scenario.dates) > 1:
        raise DomcareError(
            f"{scenario.name} spans {len(scenario.dates)} dates: plan it with "
            "scheduler.planning.week.solve_week"
        )
    settings = settings or Settings()
    travel = travel or HaversineTravel(settings.travel)
    size = settings.solve.zone_visits
    if len(scenario.visits) > settings.solve.whole_day_visits and _ortools_first(
        scenario, settings
    ):
        size = min(size, settings.solve.joined_zone_visits)
    zones = math.ceil(len(scenario.visits) / size)
    if zones > 1:  # a whole number of rounds of side-by-side solves
        workers = settings.solve.workers
        zones = math.ceil(zones / workers) * workers
    if zones > 1:
        return _solve_in_zones(scenario, settings, travel, zones, on_progress)
    return _solve_whole(scenario, settings, travel, settings.solve.time_limit_s, on_progress)


def search_objective(
    scenario: Scenario, plan: Plan, settings: Settings, travel: TravelTimes | None = None
) -> int | None:
    """The objective of ``plan``'s runs as the routing model counts it (OR-Tools' own
    evaluation of the model ``solve_day`` builds), plus ``waiting_weight`` for each minute a
    break adds to its run, the price of each break window a run goes without, and the
    penalties of the visits no carer could do, which the search does not see; None if the
    model refuses the runs.
    The contract with ``scheduler.rules.objective.plan_cost``: for a plan of ``solve_day`` the
    two are equal."""
    day = _prepare(scenario, settings, build_journeys(scenario, travel or HaversineTravel()))
    routes, starts = _initial_routes(day, [plan])
    day = _aimed(day, routes)  # the plan's own shares, as plan_cost prices them
    fixed = bind(pin(day.problem, starts), routes, starts)
    counted = evaluate(fixed, routes)
    if counted is None:
        return None
    unbroken = fixed.unbroken()
    added = missed = 0
    for vehicle, route in enumerate(routes):
        with_break, without = schedule(fixed, vehicle, route), schedule(unbroken, vehicle, route)
        if with_break is None or without is None:
            return None
        added += (with_break.arrive - with_break.depart) - (without.arrive - without.depart)
        missed += missed_cost(fixed, vehicle, with_break)
    refused = sum(
        left_out_cost(settings, scenario.visit_by_id[visit_id].priority, 1)
        * scenario.visit_by_id[visit_id].carers_required
        for visit_id in day.refused
    )
    added_cost = run_length_cost(settings, added) + idle_cost(settings, added)
    return counted + added_cost + missed + refused


# ---- re-planning: a day searched from a plan already made -----------------------------------


@dataclass(frozen=True)
class _Warmed:
    day: _Day
    routes: list[list[int]]
    starts: dict[int, int]
    """Task -> its start in the plan, for the halves of pairs and the calls of lags."""
    passed: frozenset[str]
    """Visits whose every start was before ``at`` and which had not begun."""


def _allowed(problem: RoutingProblem, task: int) -> frozenset[int]:
    allowed = problem.tasks[task].allowed_vehicles
    return frozenset(range(len(problem.vehicles))) if allowed is None else allowed


def _shift_vehicle(day: _Day, carer_id: str, time: int) -> int | None:
    """The vehicle of ``carer_id``'s shift under way at ``time`` (or starting then)."""
    for v, (carer, shift) in enumerate(day.vehicle_shift):
        if carer.id == carer_id and shift.start <= time <= shift.end:
            return v
    return None


def _warmed(day: _Day, warm: Warm, settings: Settings) -> _Warmed:
    """``day``'s problem as a re-plan searches it, and the plan's runs as its routes.

    Begun calls are pinned to their vehicle and start and may not be left out; every other
    task starts at ``at`` or later, so the begun calls are each route's fixed beginning
    without a constraint of their own (starts rise along a route). A planned call whose
    carer still works then keeps it at ``carer_change_weight`` for any other carer, may start
    at most ``band_minutes`` earlier and costs ``moved_weight`` a minute past
    ``band_minutes`` later, and costs twice its priority's penalty to leave out: never
    dropped for an orphan or a new call of its priority (``drop_critical`` is far above twice
    ``drop_normal``)."""
    problem, replan = day.problem, settings.replan
    tasks_of = day.tasks_of()
    closed = {
        v for v, (carer, shift) in enumerate(day.vehicle_shift)
        if (carer.id, shift.start) in warm.closed
    }  # fmt: skip
    routes: list[list[int]] = [[] for _ in day.vehicle_shift]
    planned_start: dict[int, int] = {}
    planned_carers: dict[str, set[str]] = {}
    departed: dict[int, int] = {}
    held: list[tuple[str, str, int, int, int]] = []  # carer, visit, vehicle, start, minutes
    for run in warm.plan.runs:
        for stop in run.stops:
            planned_carers.setdefault(stop.visit_id, set()).add(run.carer_id)
            start = warm.begun.get(stop.visit_id, stop.start)
            v = _shift_vehicle(day, run.carer_id, start)
            if v is None or (v in closed and stop.visit_id not in warm.begun):
                continue  # an orphan: its carer is off
            if run.depart < warm.at:
                departed[v] = run.depart
            held.append((run.carer_id, stop.visit_id, v, start, stop.end - stop.start))
    holders: dict[str, list[tuple[int, int]]] = {}
    for _, visit_id, v, _, minutes in held:
        holders.setdefault(visit_id, []).append((v, minutes))
    taken = _halves_taken(problem, tasks_of, holders)
    for carer_id, visit_id, v, start, _ in held:
        matched = taken.get((visit_id, v))
        free = [
            t
            for t in ([matched] if matched is not None else tasks_of.get(visit_id, []))
            if t not in planned_start and v in _allowed(problem, t)
        ]
        if not free:
            if visit_id in warm.begun:
                raise DomcareError(
                    f"visit {visit_id} began before {format_clock(warm.at)} but "
                    f"{carer_id} may no longer do it: it cannot be kept as it happened"
                )
            continue
        routes[v].append(free[0])
        planned_start[free[0]] = start
    for route in routes:
        route.sort(key=lambda t: planned_start[t])

    tasks = list(problem.tasks)
    vehicles = list(problem.vehicles)
    costs = (
        np.zeros((len(vehicles), len(tasks)), dtype=np.int64)
        if problem.task_cost is None
        else problem.task_cost.copy()
    )
    vehicle_of = {t: v for v, route in enumerate(routes) for t in route}
    carer_of = [carer.id for carer, _ in day.vehicle_shift]
    passed: set[str] = set()
    for t, task in enumerate(tasks):
        visit_id = day.task_visit[t]
        if visit_id in warm.begun:
            if t not in vehicle_of:
                raise DomcareError(f"visit {visit_id} began but is in no carer's run")
            start = planned_start[t]
            tasks[t] = replace(
                task,
                earliest=start,
                latest=start,
                allowed_vehicles=frozenset({vehicle_of[t]}),
                penalty=None,
                late_after=None,
                closed=(),
            )
            continue
        earliest = task.opening(max(task.earliest, warm.at))
        allowed = _allowed(problem, t)
        if earliest is None:
            passed.add(visit_id)
            tasks[t] = replace(task, earliest=task.latest, allowed_vehicles=frozenset())
            continue
        task = replace(task, earliest=earliest, allowed_vehicles=allowed - closed)
        if t in vehicle_of:  # planned, and its carer still works then
            planned = planned_start[t]
            lowest = task.opening(max(earliest, planned - replan.band_minutes))
            due = planned + replan.band_minutes
            penalty = None if task.penalty is None else 2 * task.penalty
            task = replace(task, earliest=lowest or earliest, penalty=penalty)
            if due < task.due:
                task = replace(task, late_after=due, late_cost=replan.moved_weight)
            kept = planned_carers[visit_id]
            costs[[v for v, carer in enumerate(carer_of) if carer not in kept], t] += (
                replan.carer_change_weight
            )
        tasks[t] = task
    for v, vehicle in enumerate(vehicles):
        if any(day.task_visit[t] in warm.begun for t in routes[v]):
            continue  # the run is under way: its first calls are fixed
        leave = departed.get(v, warm.at)  # on the road already, or at home until ``at``
        earliest_start = min(vehicle.latest_end, max(vehicle.earliest_start, leave))
        vehicles[v] = replace(vehicle, earliest_start=earliest_start)
    warmed = replace(
        problem,
        tasks=tuple(tasks),
        vehicles=tuple(vehicles),
        task_cost=costs if costs.any() else None,
    )
    tied = lagged(warmed) | {t for p in warmed.synced for t in (p.first, p.second)}
    starts = {t: planned_start[t] for t in vehicle_of if t in tied}
    return _Warmed(replace(day, problem=warmed), routes, starts, frozenset(passed))


def _feasible(problem: RoutingProblem, routes: list[list[int]], kept: set[int]) -> list[list[int]]:
    """``routes`` with calls taken off the end (never a ``kept`` one) until each can be timed:
    a call whose window or length changed may no longer fit where it was."""
    fitted = []
    for v, route in enumerate(routes):
        route = list(route)
        while route and schedule(problem, v, route) is None:
            movable = [k for k, t in enumerate(route) if t not in kept]
            if not movable:
                raise DomcareError("the calls already made cannot be kept as they happened")
            route.pop(movable[-1])
        fitted.append(route)
    return fitted


_ROOM_SHARE = 0.2
"""The share of a re-plan's time for placing the calls out of the plan before its search
(``make_room``)."""


def solve_warm(
    scenario: Scenario,
    warm: Warm,
    settings: Settings | None = None,
    travel: TravelTimes | None = None,
    on_progress: ProgressCallback | None = None,
) -> Plan:
    """Plan ``scenario``'s day again from ``warm.plan`` (see ``Warm``): its runs are the first
    plan, the pairs and breaks mended, then the search goes on from there and the calls still
    out are placed where they fit. A visit whose window closed before ``warm.at`` and which
    had not begun is left out as ``window_passed``."""
    began = time.monotonic()
    settings = settings or Settings()
    travel = travel or HaversineTravel(settings.travel)
    limit = settings.solve.time_limit_s
    deadline = began + max(_MIN_SEARCH_S, limit - _settle_s(scenario))
    end = max(deadline, began + limit - _WRAP_UP_S)
    warmed = _warmed(_prepare(scenario, settings, build_journeys(scenario, travel)), warm, settings)
    day = warmed.day
    fixed = bind(pin(day.problem, warmed.starts), warmed.routes, warmed.starts)
    begun = {t for t, visit_id in enumerate(day.task_visit) if visit_id in warm.begun}
    routes = _feasible(untie(fixed), warmed.routes, begun)
    # The calls the events put out of the plan (orphans, new ones) make room for themselves;
    # calls out of the plan before move nothing (the search still places them where they fit).
    before = {u.visit_id for u in warm.plan.unallocated}
    waiting = [t for t, visit_id in enumerate(day.task_visit) if visit_id not in before]
    routes = make_room(untie(fixed), routes, waiting, begun, _share_of(deadline, _ROOM_SHARE))
    answer = _finish(day, routes, settings, deadline, on_progress, fixed, end, tie=False)
    info = _info(answer.solution, settings, began, 1, None, "warm")
    return _passed(_to_plan(day, answer, settings, info), warmed.passed, warm.at)


def _passed(plan: Plan, passed: frozenset[str], at: int) -> Plan:
    """``plan`` with the visits in ``passed`` left out as ``window_passed``."""
    if not passed:
        return plan
    closed_at = format_clock(at)
    unallocated = tuple(
        u.model_copy(
            update={
                "reason_code": "window_passed",
                "reason": f"its latest start was before {closed_at}, and it had not begun",
            }
        )
        if u.visit_id in passed
        else u
        for u in plan.unallocated
    )
    return plan.model_copy(update={"unallocated": unallocated})
