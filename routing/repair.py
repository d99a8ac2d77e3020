"""Route timing with breaks, and the repair that keeps synchronised pairs whole.

OR-Tools' first-solution heuristics fail outright when two tasks are tied by a CP constraint
(both-or-neither, same start): measured on a 400-visit day, nothing was placed at all; and a
search warm-started with the tie in place ran 12 s past a 12 s limit, every move going
through the CP solver. So the search runs with the halves untied (``untie``: each within
``UNTIED_SLACK`` of its window's middle), and this module brings the two halves' starts
together, gives a half left alone its partner, and inserts the pairs still out two halves at
a time, at the best shared start. Measured on generated 300-visit days with 25 % of visits
double-handed (3 seeds, 15 s): against halves fixed at the middle, as many or more pairs
kept in 5 of 6 runs and 1-12 % less travel in all.
Breaks are likewise kept here rather than in the search (``fit_breaks``): OR-Tools' own break
intervals are a known source of failures to find any plan (OR-Tools issues #1243, #3897),
and a wait long enough for a break is common in a care run anyway. For break windows (a
lunch) they were measured: five uhhc-mixed days with hard lunches at 20 s, every plan valid
either way, but the plan's own cost lower with the intervals on 2 of 5 and up to 14 % higher
on the others, and the 200-patient day took 27.4 s against 20.5 s.

Pure Python over ``RoutingProblem``: no OR-Tools here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from routing.lags import lagged
from routing.problem import BreakWindow, Route, RoutingProblem, SyncedPair

__all__ = [
    "REPAIR_CONSTANTS",
    "as_routes",
    "fit_breaks",
    "improving",
    "make_room",
    "missed_cost",
    "pair_aside",
    "pin",
    "punctual",
    "relieve",
    "repair_pairs",
    "schedule",
    "untie",
]

PAIR_START_STEP = 5
"""Candidate shared starts for a pair being inserted are tried this many time units apart."""


@dataclass(frozen=True)
class _Timing:
    starts: tuple[int, ...]
    depart: int
    arrive: int
    break_start: int | None = None
    break_end: int | None = None
    missed: bool = False
    """The route goes without its (priced) break window."""


@dataclass(frozen=True)
class _Rest:
    """At least ``minutes`` idle before the task at ``position``, on arriving there: starting
    no earlier than ``after`` and over by ``by``."""

    position: int
    minutes: int
    after: int = 0
    by: int | None = None


_ANY_TIME = 10**9
"""Beyond any bound: for a shift or rest without one."""


def _forward(
    problem: RoutingProblem, vehicle: int, tasks: list[int], leave: int, rest: _Rest | None
) -> tuple[list[int], int, int | None] | None:
    """Service starts, each as early as it can be, leaving home at ``leave``; the return; and
    when the ``rest`` begins."""
    spec = problem.vehicles[vehicle]
    travel = problem.travel[spec.profile]
    starts = []
    here, clock, rest_start = spec.start_location, leave, None
    for k, t in enumerate(tasks):
        task = problem.tasks[t]
        ready = clock + int(travel[here, task.location])
        if rest is not None and rest.position == k:
            rest_start = max(ready, rest.after)
            ready = rest_start + rest.minutes
            if rest.by is not None and ready > rest.by:
                return None
        start = task.opening(ready)
        if start is None:
            return None
        starts.append(start)
        here, clock = task.location, start + task.service
    return starts, clock + int(travel[here, spec.end_location]), rest_start


def _timed(
    problem: RoutingProblem,
    vehicle: int,
    tasks: list[int],
    rest: _Rest | None = None,
    shift: tuple[int, int] | None = None,
) -> _Timing | None:
    """The shortest working span for ``tasks`` in this order, with the ``rest`` if given,
    leaving and back within ``shift`` if given, else the vehicle's own.

    Forward, every task as early as it can be gives the earliest return; backward from that
    return, the latest the first task can start gives the latest departure that still makes
    it. Leaving then and going as early as possible is the shortest span (Savelsbergh 1992).
    A task is never made later than it must be to shorten the span: the backward pass keeps
    each start by its ``due`` time, or by its earliest start when that is already late.
    """
    spec = problem.vehicles[vehicle]
    leave_from, back_by = shift or (spec.earliest_start, spec.latest_end)
    travel = problem.travel[spec.profile]
    earliest = _forward(problem, vehicle, tasks, leave_from, rest)
    if earliest is None or earliest[1] > back_by:
        return None
    latest, there = earliest[1], spec.end_location
    for k in range(len(tasks) - 1, -1, -1):
        task = problem.tasks[tasks[k]]
        due = max(task.due, earliest[0][k])
        wanted = min(due, latest - int(travel[task.location, there]) - task.service)
        allowed = task.closing(wanted)  # at least the forward start, itself allowed
        latest = earliest[0][k] if allowed is None else allowed
        there = task.location
        if rest is not None and rest.position == k:
            # the latest arrival: the rest is taken before starting, and over by its ``by``
            latest = min(latest, _ANY_TIME if rest.by is None else rest.by) - rest.minutes
    depart = max(leave_from, latest - int(travel[spec.start_location, there]))
    if spec.leaves_at_start:  # paid from the start: waits where the first task is
        if leave_from > spec.earliest_start:
            return None
        depart = leave_from
    late = _forward(problem, vehicle, tasks, depart, rest)
    if late is None:  # cannot happen with consistent windows; keep the early schedule
        late, depart = earliest, leave_from
    starts, arrive, rest_start = late
    if spec.max_span is not None and arrive - depart > spec.max_span:
        return None
    rest_end = None if rest is None or rest_start is None else rest_start + rest.minutes
    return _Timing(tuple(starts), depart, arrive, rest_start, rest_end)


def schedule(problem: RoutingProblem, vehicle: int, tasks: list[int]) -> _Timing | None:
    """The shortest working span for ``tasks`` in this order on ``vehicle``, with its break
    if the problem's ``BreakRule`` or the vehicle's ``BreakWindow`` asks for one; None if a
    window, an allowed-vehicle rule, the shift, the vehicle's span or the break cannot be
    kept."""
    spec = problem.vehicles[vehicle]
    if not tasks:
        return _Timing((), spec.earliest_start, spec.earliest_start)
    for t in tasks:
        allowed = problem.tasks[t].allowed_vehicles
        if allowed is not None and vehicle not in allowed:
            return None
    timing = _timed(problem, vehicle, tasks)
    if timing is None:
        return None
    window = problem.break_windows.get(vehicle)
    if window is None or _off_for(timing, window):
        return _ruled_break(problem, vehicle, tasks, timing)
    # Off before leaving, off after returning, or the break in a wait inside the window.
    minutes = window.minutes
    if problem.breaks is not None:
        minutes = max(minutes, problem.breaks.duration)
    options = [_with_break(problem, vehicle, tasks, timing, minutes, window)]
    for shift in (
        (max(spec.earliest_start, window.earliest + window.minutes), spec.latest_end),
        (spec.earliest_start, min(spec.latest_end, window.latest - window.minutes)),
    ):
        off = _timed(problem, vehicle, tasks, shift=shift) if shift[0] <= shift[1] else None
        options.append(None if off is None else _ruled_break(problem, vehicle, tasks, off))
    if window.miss_cost is not None:
        missed = _ruled_break(problem, vehicle, tasks, timing)
        if missed is not None and not _in_window(missed, window):  # the rule's may serve
            missed = replace(missed, missed=True)
        options.append(missed)
    # The cheapest: a break that makes calls late or the run longer may cost more than the
    # price of going without it.
    return min(
        (o for o in options if o is not None),
        key=lambda o: (_cost(problem, vehicle, tasks, o), _span(o)),
        default=None,
    )


def _off_for(timing: _Timing, window: BreakWindow) -> bool:
    """Whether the vehicle is at home (not yet left, or back) for the window's minutes."""
    before = min(window.latest, timing.depart) - window.earliest
    after = window.latest - max(window.earliest, timing.arrive)
    return max(before, after) >= window.minutes


def _in_window(timing: _Timing, window: BreakWindow) -> bool:
    """Whether the run's break holds the window's minutes inside it."""
    if timing.break_start is None or timing.break_end is None:
        return False
    inside = min(timing.break_end, window.latest) - max(timing.break_start, window.earliest)
    return inside >= window.minutes


def _ruled_break(
    problem: RoutingProblem, vehicle: int, tasks: list[int], timing: _Timing
) -> _Timing | None:
    """``timing`` with the break the ``BreakRule`` asks of a run this long, if any."""
    rule = problem.breaks
    if rule is None or _span(timing) <= rule.after:
        return timing
    return _with_break(problem, vehicle, tasks, timing, rule.duration)


def _with_break(
    problem: RoutingProblem,
    vehicle: int,
    tasks: list[int],
    plain: _Timing,
    minutes: int,
    window: BreakWindow | None = None,
) -> _Timing | None:
    """``plain`` with a break of ``minutes`` between two tasks, inside ``window`` if given: in
    a wait already long enough if there is one, else where it lengthens the span least; of
    equals, the break nearest the middle of the run."""
    travel = problem.travel[problem.vehicles[vehicle].profile]
    middle = (plain.depart + plain.arrive) / 2
    after, by = (0, _ANY_TIME) if window is None else (window.earliest, window.latest)
    best: tuple[int, float, _Timing] | None = None
    for k in range(1, len(tasks)):
        before, task = problem.tasks[tasks[k - 1]], problem.tasks[tasks[k]]
        arrival = plain.starts[k - 1] + before.service + int(travel[before.location, task.location])
        begin = max(arrival, after)
        if min(plain.starts[k], by) - begin >= minutes:
            key = (_span(plain), abs(begin + minutes / 2 - middle))
            if best is None or key < best[:2]:
                best = (*key, replace(plain, break_start=begin, break_end=begin + minutes))
    if best is not None:
        return best[2]
    for k in range(1, len(tasks)):
        rest = _Rest(k, minutes, after, None if window is None else by)
        timing = _timed(problem, vehicle, tasks, rest)
        if timing is None or timing.break_start is None:
            continue
        key = (_span(timing), abs(timing.break_start + minutes / 2 - middle))
        if best is None or key < best[:2]:
            best = (*key, timing)
    return None if best is None else best[2]


def _span(timing: _Timing) -> int:
    return timing.arrive - timing.depart


def _timings(problem: RoutingProblem, routes: list[list[int]]) -> list[_Timing]:
    """Each route's timing; ``routes`` must all be feasible."""
    timings = []
    for v, route in enumerate(routes):
        timing = schedule(problem, v, route)
        if timing is None:
            raise ValueError(f"route of vehicle {v} is not feasible")
        timings.append(timing)
    return timings


def _cost(problem: RoutingProblem, vehicle: int, tasks: list[int], timing: _Timing) -> int:
    """What the route costs as the search counts it. Called for every trial insertion of a
    repair (hundreds of thousands on an 800-visit zone), so plain ints, not numpy scalars."""
    spec = problem.vehicles[vehicle]
    travel = problem.travel[spec.profile]
    if not tasks:  # costs nothing, unless it has a work target (then as OR-Tools counts it)
        if spec.work_target is None or not problem.balanced:
            return 0
        home = travel.item(spec.start_location, spec.end_location)
        costs = problem.travel_cost + problem.span_cost
        return costs * home + problem.imbalance(vehicle, home)
    here, moved, late, served = spec.start_location, 0, 0, 0
    for t, start in zip(tasks, timing.starts, strict=True):
        task = problem.tasks[t]
        moved += travel.item(here, task.location)
        here = task.location
        served += task.service
        if task.late_after is not None and start > task.late_after:
            late += task.lateness(start) * task.late_price(problem.late_cost)
    moved += travel.item(here, spec.end_location)
    extra = 0
    if problem.task_cost is not None:
        row = problem.task_cost[vehicle]
        extra = sum(row.item(t) for t in tasks)
    return (
        problem.travel_cost * moved
        + problem.span_cost * _span(timing)
        + problem.idle_cost * (_span(timing) - moved - served)
        + extra
        + late
        + problem.overtime_cost * spec.overtime(timing.arrive)
        + missed_cost(problem, vehicle, timing)
        + problem.imbalance(vehicle, moved + served)
    )


def missed_cost(problem: RoutingProblem, vehicle: int, timing: _Timing) -> int:
    """What ``timing`` pays for going without the vehicle's break window."""
    window = problem.break_windows.get(vehicle)
    if not timing.missed or window is None or window.miss_cost is None:
        return 0
    return window.miss_cost


def _group_ok(problem: RoutingProblem, routes: list[list[int]], timings: list[_Timing]) -> bool:
    return all(
        sum(_span(timings[v]) for v in members if routes[v]) <= budget
        for budget, members in problem.budgeted_groups
    )


def _feasible_places(
    problem: RoutingProblem, vehicle: int, route: list[int], task: int
) -> list[int]:
    """Positions in ``route`` where ``task`` could go as far as the windows of its neighbours
    allow (a necessary condition, checked without timing the route)."""
    travel = problem.travel[problem.vehicles[vehicle].profile]
    spec = problem.tasks[task]
    places = []
    for position in range(len(route) + 1):
        if position > 0:
            before = problem.tasks[route[position - 1]]
            reach = before.earliest + before.service + int(travel[before.location, spec.location])
            if reach > spec.latest:
                continue
        if position < len(route):
            after = problem.tasks[route[position]]
            reach = spec.earliest + spec.service + int(travel[spec.location, after.location])
            if reach > after.latest:
                continue
        places.append(position)
    return places


def _best_insertion(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    avoid: int | None,
    budget: _Budget | None = None,
) -> tuple[int, int, int, _Timing] | None:
    """(extra cost, vehicle, position, new timing) of the cheapest feasible insertion (of
    those found before the ``budget`` ran out)."""
    best = None
    allowed = problem.tasks[task].allowed_vehicles
    task_spec = problem.tasks[task]
    for v, spec in enumerate(problem.vehicles):
        if v == avoid or (allowed is not None and v not in allowed):
            continue
        if task_spec.latest < spec.earliest_start or task_spec.earliest > spec.latest_end:
            continue  # off shift: no position can work
        before: int | None = None  # the route's cost before, only where the task fits
        for position in _feasible_places(problem, v, routes[v], task):
            if budget is not None and not budget.spend():
                return best
            trial = routes[v][:position] + [task] + routes[v][position:]
            timing = schedule(problem, v, trial)
            if timing is None:
                continue
            if before is None:
                before = _cost(problem, v, routes[v], timings[v])
            extra = _cost(problem, v, trial, timing) - before
            if best is None or extra < best[0]:
                best = (extra, v, position, timing)
    return best


def punctual(problem: RoutingProblem, routes: list[list[int]] | None = None) -> RoutingProblem:
    """The problem searched on time: each task due by its ``due`` time, or by its start in
    ``routes`` when that is already later, with no price on lateness. Soft bounds on starts
    slowed OR-Tools' search (town at 30 s with 15 minutes' tolerance: 35 s wall, a critical
    visit lost), so lateness is left to the insertions after the search (``_cost`` prices
    it there): a task is late only to be done at all."""
    if not problem.tolerates_lateness:
        return problem
    latest = [task.due for task in problem.tasks]
    unbroken = problem.unbroken()  # a route still to get room for its break
    for v, route in enumerate(routes or []):
        timing = schedule(unbroken, v, route) if route else None
        if timing is not None:
            for t, start in zip(route, timing.starts, strict=True):
                latest[t] = max(latest[t], start)
    tasks = tuple(
        replace(task, latest=latest[t], late_after=None) for t, task in enumerate(problem.tasks)
    )
    return replace(problem, tasks=tasks)


def untie(problem: RoutingProblem) -> RoutingProblem:
    """The problem with its pairs untied: each half searched on its own, near the middle of
    its window (``UNTIED_SLACK``), at ``HALF_PENALTY`` times its visit's penalty. The answer
    may leave a half alone, or the two halves at different starts: ``repair_pairs`` mends
    that."""
    tasks = list(problem.tasks)
    for pair in problem.synced:
        for t in (pair.first, pair.second):
            task = tasks[t]
            penalty = None if task.penalty is None else HALF_PENALTY * task.penalty
            middle = task.earliest + (task.due - task.earliest) // 2
            if task.closed:  # the nearest start a window allows
                after, before = task.opening(middle), task.closing(middle)
                options = [m for m in (after, before) if m is not None and m <= task.due]
                middle = min(options, key=lambda m: abs(m - middle), default=middle)
            tasks[t] = replace(
                task,
                earliest=max(task.earliest, middle - UNTIED_SLACK),
                latest=min(task.latest, middle + UNTIED_SLACK),
                penalty=penalty,
            )
    return replace(problem, tasks=tuple(tasks), synced=())


HALF_PENALTY = 1
"""Each untied half's penalty, in multiples of its visit's. At 1 a pair is worth two single
visits (two carers' calls) and a lone half no more than one; at 2 the search dropped single
visits for halves the repair then had to take out (measured on a 400-visit day with 10 %
double-handed: 18 singles lost at 2, none at 1, pairs 39 of 40 either way)."""

UNTIED_SLACK = 20
"""Untied halves may start this far either side of their window's middle: close enough for
their starts to be brought together afterwards, loose enough to fit busier routes."""


def pin(problem: RoutingProblem, starts: dict[int, int]) -> RoutingProblem:
    """The problem with the given tasks' starts fixed (task index -> start)."""
    tasks = list(problem.tasks)
    for t, start in starts.items():
        tasks[t] = replace(tasks[t], earliest=start, latest=start)
    return replace(problem, tasks=tuple(tasks))


def _at(problem: RoutingProblem, pair: SyncedPair, start: int) -> RoutingProblem:
    return pin(problem, {pair.first: start, pair.second: start})


_FIRST_HALF_OPTIONS = 3
"""For the first half of a pair, this many cheapest vehicles are tried, not just the best."""
EJECTION_BUDGET = 20_000
"""Route timings a pair may spend looking for room by moving one other visit aside."""
REPAIR_BUDGET = 400_000
"""Route timings one repair may spend in all (a few seconds): a day whose search left
hundreds of pairs out must not spend minutes here. Pairs still waiting then stay out."""


_CLOCK_EVERY = 64
"""Route timings between two looks at the clock (one timing takes 10-50 microseconds)."""


class _Budget:
    """A count of route timings left, and with a ``deadline`` (a ``time.monotonic()`` value)
    none left once it has passed; spending also spends the ``parent``'s."""

    def __init__(
        self, evaluations: int, parent: _Budget | None = None, deadline: float | None = None
    ):
        self.left = evaluations
        self.parent = parent
        self.deadline = deadline
        self.expired = False
        """The deadline has passed (not only the count spent)."""
        self._clock_in = 0  # spends until the next look at the clock: the first looks

    def spend(self) -> bool:
        self.left -= 1
        if self.deadline is not None and not self.expired:
            self._clock_in -= 1
            if self._clock_in <= 0:
                self._clock_in = _CLOCK_EVERY
                if time.monotonic() > self.deadline:
                    self.left, self.expired = -1, True
        parent_ok = self.parent.spend() if self.parent is not None else True
        return self.left >= 0 and parent_ok


def _direct(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    avoid: int | None,
    budget: _Budget | None = None,
) -> list[tuple[int, int, list[int], _Timing]]:
    """Per vehicle, the cheapest feasible insertion of ``task``: (extra cost, vehicle, new
    route, timing), cheapest first. With a ``budget``, stops when it runs out."""
    options = []
    spec = problem.tasks[task]
    for v, vehicle in enumerate(problem.vehicles):
        if v == avoid or (spec.allowed_vehicles is not None and v not in spec.allowed_vehicles):
            continue
        if spec.latest < vehicle.earliest_start or spec.earliest > vehicle.latest_end:
            continue
        best = None
        for position in _feasible_places(problem, v, routes[v], task):
            if budget is not None and not budget.spend():
                break
            trial = routes[v][:position] + [task] + routes[v][position:]
            timing = schedule(problem, v, trial)
            if timing is not None:
                cost = _cost(problem, v, trial, timing)
                if best is None or cost < best[0]:
                    best = (cost, v, trial, timing)
        if best is not None:  # the route's cost before, only where the task fits
            cost, _, trial, timing = best
            options.append((cost - _cost(problem, v, routes[v], timings[v]), v, trial, timing))
    return sorted(options, key=lambda option: (option[0], option[1]))


_Way = tuple[int, list[int], "_Timing", int | None]
"""A way to take a task: (vehicle, new route, its timing, the task moved aside or None)."""


def _with_one_aside(
    problem: RoutingProblem,
    routes: list[list[int]],
    task: int,
    avoid: int | None,
    keep: set[int],
    budget: _Budget,
) -> Iterator[_Way]:
    """Ways to fit ``task`` into a vehicle by taking one other task (not in ``keep``) out of
    its route: (vehicle, new route, timing, the task taken out)."""
    spec = problem.tasks[task]
    for v, vehicle in enumerate(problem.vehicles):
        if v == avoid or (spec.allowed_vehicles is not None and v not in spec.allowed_vehicles):
            continue
        if spec.latest < vehicle.earliest_start or spec.earliest > vehicle.latest_end:
            continue
        for out in routes[v]:
            if out in keep:
                continue
            rest = [t for t in routes[v] if t != out]
            for position in _feasible_places(problem, v, rest, task):
                if not budget.spend():
                    return
                trial = rest[:position] + [task] + rest[position:]
                timing = schedule(problem, v, trial)
                if timing is not None:
                    yield v, trial, timing, out
                    break


def _with_route(
    routes: list[list[int]], timings: list[_Timing], vehicle: int, route: list[int], timing: _Timing
) -> tuple[list[list[int]], list[_Timing]]:
    """Copies of ``routes`` and ``timings`` with ``vehicle``'s replaced (the other routes
    shared: no route list is changed in place once built)."""
    routes = list(routes)
    routes[vehicle] = route
    timings = list(timings)
    timings[vehicle] = timing
    return routes, timings


def _place_aside(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    aside: list[int],
) -> tuple[list[list[int]], list[_Timing]] | None:
    """Insert every task of ``aside`` back somewhere, or None."""
    for task in aside:
        found = _best_insertion(problem, routes, timings, task, None)
        if found is None:
            return None
        _, v, position, timing = found
        route = routes[v][:position] + [task] + routes[v][position:]
        routes, timings = _with_route(routes, timings, v, route, timing)
    return routes, timings


ROOM_WAYS = 8
"""Ways of making room a task left out compares (``make_room``) before taking the cheapest."""
ROOM_DEPTH = 2
"""How many tasks in a chain ``make_room`` may move to fit one: each into the place of the
next, the last where it fits."""


def _delta(
    problem: RoutingProblem,
    before: tuple[list[list[int]], list[_Timing]],
    after: tuple[list[list[int]], list[_Timing]],
) -> int:
    """What changing ``before``'s routes to ``after``'s costs (routes not changed are shared)."""
    return sum(
        _cost(problem, w, after[0][w], after[1][w]) - _cost(problem, w, before[0][w], before[1][w])
        for w in range(len(before[0]))
        if after[0][w] is not before[0][w]
    )


def _fit(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    keep: set[int],
    depth: int,
    budget: _Budget,
) -> tuple[list[list[int]], list[_Timing]] | None:
    """``task`` at its cheapest place; failing that, in the place of another task (not in
    ``keep``) fitted the same way with ``depth`` - 1, the cheapest of ``ROOM_WAYS`` chains."""
    found = _best_insertion(problem, routes, timings, task, None, budget)
    if found is not None:
        _, v, position, timing = found
        route = routes[v][:position] + [task] + routes[v][position:]
        direct = _with_route(routes, timings, v, route, timing)
        if _group_ok(problem, *direct):
            return direct
    if depth <= 1:
        return None
    best: tuple[int, tuple[list[list[int]], list[_Timing]]] | None = None
    tried = 0
    for v, trial, timing, out in _with_one_aside(problem, routes, task, None, keep, budget):
        if out is None:
            continue
        moved = _with_route(routes, timings, v, trial, timing)
        chained = _fit(problem, *moved, out, keep | {task}, depth - 1, budget)
        if chained is None or not _group_ok(problem, *chained):
            continue
        cost = _delta(problem, (routes, timings), chained)
        if best is None or cost < best[0]:
            best = (cost, chained)
        tried += 1
        if tried >= ROOM_WAYS or budget.left <= 0:
            break
    if best is None and depth == ROOM_DEPTH:
        return _cleared(problem, routes, timings, task, keep, budget)
    return None if best is None else best[1]


CLEAR_MARGIN = 60
"""``make_room``'s last resort clears a route this far either side of a task's window."""


def _cleared(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    keep: set[int],
    budget: _Budget,
) -> tuple[list[list[int]], list[_Timing]] | None:
    """``task`` in a route cleared of the tasks starting in its window (give or take
    ``CLEAR_MARGIN``), each of those fitted elsewhere (``_fit``): a carer taking over part of
    another's run, the cheapest such. None when no route can be cleared so."""
    spec = problem.tasks[task]
    low, high = spec.earliest - CLEAR_MARGIN, spec.latest + spec.service + CLEAR_MARGIN
    best: tuple[int, tuple[list[list[int]], list[_Timing]]] | None = None
    for v, vehicle in enumerate(problem.vehicles):
        if spec.allowed_vehicles is not None and v not in spec.allowed_vehicles:
            continue
        if spec.latest < vehicle.earliest_start or spec.earliest > vehicle.latest_end:
            continue
        moved = [
            t
            for t, start in zip(routes[v], timings[v].starts, strict=True)
            if low <= start <= high and t not in keep
        ]
        if not moved:
            continue
        rest = [t for t in routes[v] if t not in moved]
        rest_timing = schedule(problem, v, rest)
        if rest_timing is None or not budget.spend():
            continue
        work = _with_route(routes, timings, v, rest, rest_timing)
        found = _best_insertion(problem, *work, task, None, budget)
        if found is None:
            continue
        _, _, position, timing = found
        work = _with_route(*work, v, rest[:position] + [task] + rest[position:], timing)
        for out in moved:
            fitted = _fit(problem, *work, out, keep | {task}, ROOM_DEPTH - 1, budget)
            if fitted is None:
                break
            work = fitted
        else:
            if _group_ok(problem, *work):
                cost = _delta(problem, (routes, timings), work)
                if best is None or cost < best[0]:
                    best = (cost, work)
        if budget.left <= 0:
            break
    return None if best is None else best[1]


def make_room(
    problem: RoutingProblem,
    routes: list[list[int]],
    tasks: list[int],
    keep: set[int],
    deadline: float | None = None,
) -> list[list[int]]:
    """``routes`` (feasible) with each of ``tasks`` that is not in them placed, highest
    penalty first: where it fits, at its cheapest place; else in the place of a task of a
    route (never one of ``keep``) that then goes to its cheapest place in another
    (``ROOM_DEPTH``); else in a route cleared around its window, the tasks cleared fitted
    elsewhere (``_cleared``). What a re-plan does first with the calls of a carer gone off:
    a search from the plan left two of eight out on the district where a fresh solve placed
    them (every carer busy in their windows as the plan stood); moving one call aside placed
    one, clearing a route (a carer taking over the sick carer's evening) the other."""
    timings = _timings(problem, routes)
    placed = {t for route in routes for t in route}
    waiting = sorted(
        (t for t in tasks if t not in placed), key=lambda t: -(problem.tasks[t].penalty or 0)
    )
    total = _Budget(REPAIR_BUDGET, deadline=deadline)
    for task in waiting:
        if total.left <= 0:
            break
        budget = _Budget(EJECTION_BUDGET, parent=total)
        fitted = _fit(problem, routes, timings, task, keep, ROOM_DEPTH, budget)
        if fitted is not None:
            routes, timings = fitted
    return routes


def _insert_pair(
    original: RoutingProblem,
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    pair: SyncedPair,
    total: _Budget,
) -> tuple[RoutingProblem, list[list[int]], list[_Timing]] | None:
    """Place both halves on two vehicles at one shared start: the cheapest direct insertion
    on time, else at the earliest late start that takes it, or else the first found that moves
    one other visit (per half) to another place in the day. No visit already placed is ever
    left out. Every route timing is charged to ``total``: a late start is tried only when no
    start on time takes the pair, as every late start scanned had spent the repairs' budget on
    a day late to its end (Mankowska 300_6: 9 of 11 pairs placed at 45,000 timings each, two
    left out untried)."""
    window = original.tasks[pair.first]
    starts = range(window.earliest, window.latest + 1, PAIR_START_STEP)
    best = None
    for start in (t for t in starts if window.opening(t) == t):  # not between two windows
        if best is not None and start > window.due:
            break
        fixed = _at(problem, pair, start)
        firsts = _direct(fixed, routes, timings, pair.first, None, total)
        for extra1, v1, route1, timing1 in firsts[:_FIRST_HALF_OPTIONS]:
            routes1, timings1 = _with_route(routes, timings, v1, route1, timing1)
            second = _direct(fixed, routes1, timings1, pair.second, v1, total)
            if not second:
                continue
            extra2, v2, route2, timing2 = second[0]
            routes2, timings2 = _with_route(routes1, timings1, v2, route2, timing2)
            if _group_ok(problem, routes2, timings2) and (
                best is None or extra1 + extra2 < best[0]
            ):
                best = (extra1 + extra2, fixed, routes2, timings2)
    if best is not None:
        return best[1], best[2], best[3]

    keep = {t for p in original.synced for t in (p.first, p.second)}
    budget = _Budget(EJECTION_BUDGET, parent=total)
    for start in starts:
        fixed = _at(problem, pair, start)
        first_ways: list[_Way] = [
            (v, r, t, None)
            for _, v, r, t in _direct(fixed, routes, timings, pair.first, None, budget)
        ]
        for v1, route1, timing1, out1 in itertools.chain(
            first_ways, _with_one_aside(fixed, routes, pair.first, None, keep, budget)
        ):
            routes1, timings1 = _with_route(routes, timings, v1, route1, timing1)
            second_ways: list[_Way] = [
                (v, r, t, None)
                for _, v, r, t in _direct(fixed, routes1, timings1, pair.second, v1, budget)
            ]
            for v2, route2, timing2, out2 in itertools.chain(
                second_ways, _with_one_aside(fixed, routes1, pair.second, v1, keep, budget)
            ):
                routes2, timings2 = _with_route(routes1, timings1, v2, route2, timing2)
                aside = [t for t in (out1, out2) if t is not None]
                placed = _place_aside(fixed, routes2, timings2, aside)
                if placed is not None and _group_ok(problem, *placed):
                    return fixed, placed[0], placed[1]
            if budget.left <= 0 or total.left <= 0:
                return None
    return None


def pair_aside(
    original: RoutingProblem,
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    budget: _Budget,
) -> tuple[RoutingProblem, list[list[int]], list[_Timing]] | None:
    """``task`` (a single call left out) in the runs of a placed pair, the pair then put back
    whole at another shared start of its window (``_insert_pair``): what a call needs when the
    only carer who can do it is held at the wrong time by a two-carer call. Measured: on
    Bazirha-CAIE J9 a call only one carer could do stayed out at 60 s because the pair that
    carer shared sat in the one window the call could use; the reference plan moved the pair.
    ``original`` holds the pairs' windows as asked, ``problem`` each placed pair at its start.
    No call placed is left out; None when no pair can make room."""
    spec = problem.tasks[task]
    vehicle_of = {t: v for v, route in enumerate(routes) for t in route}
    for pair in original.synced:
        if pair.first not in vehicle_of or pair.second not in vehicle_of:
            continue
        freed = {vehicle_of[pair.first], vehicle_of[pair.second]}
        if spec.allowed_vehicles is not None and not freed & set(spec.allowed_vehicles):
            continue
        without = _without(problem, routes, timings, vehicle_of[pair.first], pair.first)
        if without is not None:
            without = _without(problem, *without, vehicle_of[pair.second], pair.second)
        if without is None or not budget.spend():
            continue
        found = _best_insertion(problem, *without, task, None, budget)
        if found is None or found[1] not in freed:
            continue  # a call that fits elsewhere needed no pair moved: the rescue has it
        _, v, position, timing = found
        route = without[0][v][:position] + [task] + without[0][v][position:]
        trial = _with_route(*without, v, route, timing)
        inserted = _insert_pair(original, problem, *trial, pair, budget)
        if inserted is not None and _group_ok(problem, inserted[1], inserted[2]):
            return inserted
        if budget.left <= 0:
            return None
    return None


def fit_breaks(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]]:
    """``routes`` (feasible but for breaks: the search does not know them) with room for
    every break the ``BreakRule`` asks for. A route that cannot take its break gives up the
    task of lowest penalty whose removal makes room (of equals, the one leaving the cheapest
    route); tasks given up go to the cheapest place elsewhere, or are left out. A half of a
    synced pair given up is not placed again here: ``repair_pairs`` mends its pair.
    """
    routes = [list(r) for r in routes]
    if not problem.has_breaks:
        return routes
    unbroken = problem.unbroken()
    aside: list[int] = []
    for v, route in enumerate(routes):
        if schedule(problem, v, route) is not None:
            continue
        if schedule(unbroken, v, route) is None:
            raise ValueError(f"route of vehicle {v} is not feasible")
        while schedule(problem, v, route) is None:
            options = []
            for t in route:
                rest = [u for u in route if u != t]
                timing = schedule(problem, v, rest)
                if timing is not None:
                    options.append((_worth(problem, t), _cost(problem, v, rest, timing), t))
            # No single task makes room: give up the least worth and look again.
            out = min(options)[2] if options else min(route, key=lambda t: _worth(problem, t))
            route.remove(out)
            aside.append(out)
    paired = {t for pair in problem.synced for t in (pair.first, pair.second)}
    settled = _timings(problem, routes)  # every route was just made to fit
    for task in sorted(aside, key=lambda t: -_worth(problem, t)):
        if task in paired:
            continue
        found = _best_insertion(problem, routes, settled, task, None)
        if found is None:
            continue
        _, v, position, timing = found
        route = routes[v][:position] + [task] + routes[v][position:]
        trial_routes, trial_timings = _with_route(routes, settled, v, route, timing)
        if _group_ok(problem, trial_routes, trial_timings):
            routes, settled = trial_routes, trial_timings
    return routes


RELIEF_BUDGET = 2_500
"""Route timings ``relieve`` may spend: with break windows a timing tries each place of the
break. On a 500-visit day with 46 lunches missed (uhhc-mixed i-122, 30 s) 50,000 took 7.8 s
and freed 6; 10,000 4.1 s and 4; 2,500 1.0 s and 1."""


def relieve(problem: RoutingProblem, routes: list[list[int]]) -> list[list[int]]:
    """``routes`` (feasible) with a task moved off each run that goes without its priced
    break window where that costs less than the window's price: to the cheapest place on
    another run, so that the run keeps its break. Tasks of pairs and lags stay: their
    partners' starts hold them. The search does not see a priced window; without this, a
    lunch is only kept where the search happened to leave room. Meant for the final routes:
    a search after it would not keep what it frees."""
    routes = [list(r) for r in routes]
    if not any(w.miss_cost is not None for w in problem.break_windows.values()):
        return routes
    timings = _timings(problem, routes)
    tied = {t for pair in problem.synced for t in (pair.first, pair.second)} | lagged(problem)
    budget = _Budget(RELIEF_BUDGET)
    for v in sorted(problem.break_windows):
        if not timings[v].missed or budget.left <= 0:
            continue
        before = _cost(problem, v, routes[v], timings[v])
        best: tuple[int, list[list[int]], list[_Timing]] | None = None
        for task in routes[v]:
            if task in tied or not budget.spend():
                continue
            rest = [t for t in routes[v] if t != task]
            kept = schedule(problem, v, rest)
            if kept is None or kept.missed:
                continue
            trial_routes, trial_timings = _with_route(routes, timings, v, rest, kept)
            found = _best_insertion(problem, trial_routes, trial_timings, task, v, budget)
            if found is None:
                continue
            extra, w, position, timing = found
            change = _cost(problem, v, rest, kept) - before + extra
            route = trial_routes[w][:position] + [task] + trial_routes[w][position:]
            trial_routes, trial_timings = _with_route(trial_routes, trial_timings, w, route, timing)
            better = change < 0 and (best is None or change < best[0])
            if better and _group_ok(problem, trial_routes, trial_timings):
                best = (change, trial_routes, trial_timings)
        if best is not None:
            _, routes, timings = best
    return routes


def _worth(problem: RoutingProblem, task: int) -> float:
    penalty = problem.tasks[task].penalty
    return float("inf") if penalty is None else penalty


def _without(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    vehicle: int,
    task: int,
) -> tuple[list[list[int]], list[_Timing]] | None:
    """Copies of ``routes`` and ``timings`` with ``task`` taken off ``vehicle``, or None when
    the run left cannot be timed: with a break rule a call may hold the only wait the break
    fits in (a run longer than the rule allows without it, found by the property tests)."""
    route = [t for t in routes[vehicle] if t != task]
    shorter = schedule(problem, vehicle, route)
    if shorter is None:
        return None
    return _with_route(routes, timings, vehicle, route, shorter)


def _take_off(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    vehicle: int,
    task: int,
) -> tuple[list[list[int]], list[_Timing]]:
    """``task`` taken off ``vehicle`` and, if the run left cannot be timed (see ``_without``),
    further calls of least worth until it can (an empty run always can), unpaired ones first;
    a half taken off takes its partner with it, so no half is left alone."""
    partner = {p.first: p.second for p in problem.synced}
    partner |= {second: first for first, second in partner.items()}
    routes, timings = [list(r) for r in routes], list(timings)
    pending = [(vehicle, task)]
    while pending:
        v, t = pending.pop()
        if t not in routes[v]:
            continue
        route = [x for x in routes[v] if x != t]
        while (timing := schedule(problem, v, route)) is None:
            out = min(route, key=lambda x: (x in partner, _worth(problem, x)))
            route.remove(out)
            if out in partner:
                pending += [(w, partner[out]) for w, r in enumerate(routes) if partner[out] in r]
        routes[v], timings[v] = route, timing
    return routes, timings


def _complete(
    problem: RoutingProblem,
    work: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    pair: SyncedPair,
    alone: int,
    vehicle: int,
) -> tuple[RoutingProblem, list[list[int]], list[_Timing]] | None:
    """The half ``alone`` on ``vehicle`` kept at its start and its partner inserted at that
    start on another vehicle: the problem with the start fixed, routes and timings; or None."""
    partner = pair.second if alone == pair.first else pair.first
    at = _at(work, pair, timings[vehicle].starts[routes[vehicle].index(alone)])
    kept = schedule(at, vehicle, routes[vehicle])
    if kept is None:
        return None
    found = _best_insertion(at, routes, timings, partner, vehicle)
    if found is None:
        return None
    _, other, position, timing = found
    route = routes[other][:position] + [partner] + routes[other][position:]
    trial_routes, trial_timings = _with_route(routes, timings, other, route, timing)
    trial_timings[vehicle] = kept
    if not _group_ok(problem, trial_routes, trial_timings):
        return None
    return at, trial_routes, trial_timings


def _align(
    work: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    pair: SyncedPair,
    vehicle_of: dict[int, int],
) -> tuple[RoutingProblem, list[_Timing]] | None:
    """Both halves of ``pair``, placed on two vehicles, moved to one shared start inside
    both windows where their routes allow it (the start adding least span), without moving
    any task between vehicles: the problem with that start fixed, and the new timings."""
    v1, v2 = vehicle_of[pair.first], vehicle_of[pair.second]
    if v1 == v2:
        return None
    first, second = work.tasks[pair.first], work.tasks[pair.second]
    low, high = max(first.earliest, second.earliest), min(first.latest, second.latest)
    now = {
        timings[v1].starts[routes[v1].index(pair.first)],
        timings[v2].starts[routes[v2].index(pair.second)],
    }
    starts = set(range(low, high + 1, PAIR_START_STEP)) | {high} | now
    best = None
    opened = (t for t in starts if low <= t <= high and first.opening(t) == second.opening(t) == t)
    for start in sorted(opened):
        at = _at(work, pair, start)
        timing1, timing2 = schedule(at, v1, routes[v1]), schedule(at, v2, routes[v2])
        if timing1 is None or timing2 is None:
            continue
        trial = list(timings)
        trial[v1], trial[v2] = timing1, timing2
        span = _span(timing1) + _span(timing2)
        if _group_ok(work, routes, trial) and (best is None or span < best[0]):
            best = (span, at, trial)
    return None if best is None else (best[1], best[2])


def repair_pairs(
    problem: RoutingProblem,
    routes: list[list[int]],
    fixed: RoutingProblem | None = None,
    deadline: float | None = None,
) -> tuple[list[list[int]], RoutingProblem]:
    """Make every synced pair whole: halves placed at different starts are moved to a
    shared one; a half alone gets its partner at its start; otherwise both come out and
    pairs are inserted whole, highest penalty first, each half on a different vehicle at a
    shared start inside the window.

    ``routes`` (task indices per vehicle) must be feasible for ``untie(fixed or problem)``:
    ``fixed`` is an earlier answer of this function, whose pairs keep the starts chosen then.
    Returns the new routes and the problem with every pair's start fixed where it was placed,
    for which ``as_routes`` gives their timings. Past ``deadline`` (a ``time.monotonic()``
    value) a pair not already whole is taken out rather than mended or inserted.
    """
    work = untie(fixed or problem)
    routes = fit_breaks(work, routes)
    timings = _timings(work, routes)
    vehicle_of = {t: v for v, r in enumerate(routes) for t in r}
    for pair in problem.synced:
        halves = [t for t in (pair.first, pair.second) if t in vehicle_of]
        if len(halves) == 2:
            aligned = _align(work, routes, timings, pair, vehicle_of)
            if aligned is not None:
                work, timings = aligned
                continue
        mended = None
        late = deadline is not None and time.monotonic() > deadline
        for alone in [] if late else halves:  # keep this half; bring the other to its start
            partner = pair.second if alone == pair.first else pair.first
            trial_routes, trial_timings = routes, timings
            if partner in vehicle_of:
                trial = _without(work, routes, timings, vehicle_of[partner], partner)
                if trial is None:
                    continue
                trial_routes, trial_timings = trial
            mended = _complete(
                problem, work, trial_routes, trial_timings, pair, alone, vehicle_of[alone]
            )
            if mended is not None:
                break
        if mended is not None:
            work, routes, timings = mended
            vehicle_of = {t: v for v, r in enumerate(routes) for t in r}
            continue
        for half in halves:  # the pair goes back in whole below, or stays out
            routes, timings = _take_off(work, routes, timings, vehicle_of[half], half)
        vehicle_of = {t: v for v, r in enumerate(routes) for t in r}
    placed = {t for r in routes for t in r}
    waiting = [p for p in problem.synced if p.first not in placed]
    waiting.sort(key=lambda p: -(problem.tasks[p.first].penalty or 0))
    total = _Budget(REPAIR_BUDGET, deadline=deadline)
    for pair in waiting:
        if total.left <= 0:
            break
        inserted = _insert_pair(problem, work, routes, timings, pair, total)
        if inserted is not None:
            work, routes, timings = inserted
    return routes, work


def improving(
    problem: RoutingProblem, routes: list[list[int]], pairs: tuple[SyncedPair, ...]
) -> RoutingProblem:
    """The untied problem in which to improve ``routes`` (an answer of ``repair_pairs``, whose
    ``problem`` fixes the placed pairs' starts and, untied, no longer holds ``pairs``): halves
    of pairs left out may not be placed. A lone half is worth a single visit or more, so a
    search free to place them drops single visits for halves that the next repair can only
    take out again (measured: 10 visits of a 400-visit day lost so); the repair tries those
    pairs again afterwards. Until 2026-12-07 the pairs were read from ``problem``, which
    ``repair_pairs`` returns untied, so no half was held back: on Bazirha-CAIE L4 the search
    then placed a lone half of a pair left out and dropped the partner of a whole one."""
    placed = {t for r in routes for t in r}
    out = {t for p in pairs for t in (p.first, p.second) if p.first not in placed}
    untied = untie(problem)
    tasks = tuple(
        replace(task, allowed_vehicles=frozenset()) if t in out else task
        for t, task in enumerate(untied.tasks)
    )
    return replace(untied, tasks=tasks)


def as_routes(problem: RoutingProblem, routes: list[list[int]]) -> tuple[Route, ...]:
    """Routes with their timings (the answer when no search could improve on them)."""
    built = []
    for v, tasks in enumerate(routes):
        if tasks:
            timing = schedule(problem, v, tasks)
            if timing is None:
                raise ValueError(f"route of vehicle {v} is not feasible")
            built.append(
                Route(
                    v,
                    tuple(tasks),
                    timing.starts,
                    timing.depart,
                    timing.arrive,
                    timing.break_start,
                    timing.break_end,
                )
            )
    return tuple(built)


REPAIR_CONSTANTS = {
    "pair_start_step": PAIR_START_STEP,
    "untied_slack": UNTIED_SLACK,
    "half_penalty": HALF_PENALTY,
    "first_half_options": _FIRST_HALF_OPTIONS,
    "ejection_budget": EJECTION_BUDGET,
    "repair_budget": REPAIR_BUDGET,
    "relief_budget": RELIEF_BUDGET,
    "room_ways": ROOM_WAYS,
    "room_depth": ROOM_DEPTH,
    "clear_margin": CLEAR_MARGIN,
}
"""The constants of the repair that shape a plan, echoed into every plan (``SolverInfo``)."""
