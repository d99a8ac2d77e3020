"""After the search: place what it missed, and say what keeps each task still out.

A search stopped by its time limit can leave out a task that fits straight into a route, and
a task of high penalty (a critical call) can be worth the place of one of lower penalty. So
the answer is first *rescued*: every task left out that can be inserted as it stands is, the
highest penalty first, at its cheapest place; a task that cannot, but is worth more than one
task of a route, takes that task's place, which goes elsewhere if it can.

For each task still out, ``blockers`` says per allowed vehicle which rule keeps it off that
vehicle's route, by trying every insertion with one rule relaxed at a time: only the vehicle's
working-time budget (``max_span``, its group's span), only the break rule, or the other tasks'
windows and travel (busy). That is the binding rule a person is told, not a guess.

Synchronised pairs are left to ``routing.repair``: their halves are neither rescued nor
diagnosed here. A task of a lag (``routing.lags``) rescued is pinned where it goes, and its
partner narrowed; one kept out by the lag alone says so (``Blocker.LAG``).
Pure Python over ``RoutingProblem``: no OR-Tools here.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

from routing.lags import bind, lagged
from routing.problem import RoutingProblem
from routing.repair import (
    _Budget,
    _cost,
    _feasible_places,
    _group_ok,
    _Timing,
    _timings,
    _with_route,
    pair_aside,
    schedule,
)

__all__ = [
    "DIAGNOSIS_BUDGET",
    "Blocker",
    "blockers",
    "rescue",
    "rescue_above_pairs",
    "rescue_and_explain",
]

DIAGNOSIS_BUDGET = 200_000
"""Route timings a rescue and its diagnosis may spend in all (about a second or two): a day
whose search left hundreds of tasks out must not spend minutes here; tasks not reached then
say they were not searched (``Blocker.UNSEARCHED``)."""


EXPLAIN_GRACE_S = 1.0
"""The diagnosis may run this long past the rescue's deadline: part of the limit's allowance
(+2 s) spent on reasons that name the rule that binds rather than ``not_searched`` (the
short-staffed town at 10 s: 39 visits unsearched with none, 0 with it)."""
EXPLAIN_LEAST = 20_000
"""Route timings the diagnosis may spend even when the rescue spent the whole budget."""


class Blocker(StrEnum):
    """What keeps a task off one vehicle's route."""

    FITS = "fits"
    """Nothing: it could be inserted (only if the rescue's budget ran out first)."""
    SPAN = "span"
    """The vehicle's working-time budget alone: with it lifted, the task would fit."""
    BREAK = "break"
    """The break rule alone: the route would have no room for its break."""
    BUSY = "busy"
    """The other tasks' windows and the travel between them: no place in the route works."""
    LAG = "lag"
    """A lag with another task: the vehicle is that task's person, or the starts the lag
    leaves are taken, where the task's own window would fit."""
    UNSEARCHED = "unsearched"
    """Not looked at: the budget ran out."""


def _candidates(problem: RoutingProblem, task: int) -> list[int]:
    spec = problem.tasks[task]
    return [
        v
        for v, vehicle in enumerate(problem.vehicles)
        if (spec.allowed_vehicles is None or v in spec.allowed_vehicles)
        and spec.latest >= vehicle.earliest_start
        and spec.earliest <= vehicle.latest_end
    ]


def _insertions(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    budget: _Budget,
) -> list[tuple[int, int, list[int], _Timing]]:
    """(extra cost, vehicle, new route, timing) of every insertion of ``task`` that keeps
    every rule, group spans included, cheapest first (those found before the budget ran out)."""
    found: list[tuple[int, int, list[int], _Timing]] = []
    for v in _candidates(problem, task):
        before: int | None = None  # the route's cost before, only where the task fits
        for position in _feasible_places(problem, v, routes[v], task):
            if not budget.spend():
                return sorted(found, key=lambda f: (f[0], f[1]))
            trial = routes[v][:position] + [task] + routes[v][position:]
            timing = schedule(problem, v, trial)
            if timing is None:
                continue
            trial_routes, trial_timings = _with_route(routes, timings, v, trial, timing)
            if _group_ok(problem, trial_routes, trial_timings):
                if before is None:
                    before = _cost(problem, v, routes[v], timings[v])
                found.append((_cost(problem, v, trial, timing) - before, v, trial, timing))
    return sorted(found, key=lambda f: (f[0], f[1]))


def _cheapest(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    budget: _Budget,
) -> tuple[int, int, list[int], _Timing] | None:
    """The cheapest of ``_insertions``; None if there is none (or no budget left)."""
    found = _insertions(problem, routes, timings, task, budget)
    return found[0] if found else None


def _penalty(problem: RoutingProblem, task: int) -> float:
    penalty = problem.tasks[task].penalty
    return float("inf") if penalty is None else penalty


def _in_place_of(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    paired: set[int],
    budget: _Budget,
) -> tuple[list[list[int]], list[_Timing]] | None:
    """Routes with ``task`` in the place of one task (not a pair's half), which is then put
    elsewhere if it fits: one worth less, the swap worth most (the least worth given up)
    first; else one worth as much that does fit elsewhere, so one more task is done (a call
    whose only room a break needs, say, while another carer could take the call there)."""
    worth = _penalty(problem, task)
    options = []
    for v in _candidates(problem, task):
        for out in routes[v]:
            if out in paired or _penalty(problem, out) > worth:
                continue
            rest = [t for t in routes[v] if t != out]
            for position in _feasible_places(problem, v, rest, task):
                if not budget.spend():
                    break
                trial = rest[:position] + [task] + rest[position:]
                timing = schedule(problem, v, trial)
                if timing is None:
                    continue
                trial_routes, trial_timings = _with_route(routes, timings, v, trial, timing)
                if _group_ok(problem, trial_routes, trial_timings):
                    options.append((_penalty(problem, out), v, out, trial_routes, trial_timings))
                    break
    for given_up, _, out, trial_routes, trial_timings in sorted(
        options, key=lambda o: (o[0], o[1], o[2])
    ):
        placed = _cheapest(problem, trial_routes, trial_timings, out, budget)
        if placed is not None:
            _, v, route, timing = placed
            return _with_route(trial_routes, trial_timings, v, route, timing)
        if given_up < worth:
            return trial_routes, trial_timings
    return None


def rescue(
    problem: RoutingProblem,
    routes: list[list[int]],
    halves: set[int],
    budget: _Budget | None = None,
) -> list[list[int]]:
    """``routes`` (feasible for ``problem``) with every left-out task that fits inserted,
    highest penalty first, and a task that does not fit put in the place of one worth less.
    ``halves`` (of synchronised pairs, which ``problem`` may hold untied) are not touched."""
    return _rescued(problem, routes, halves, budget or _Budget(DIAGNOSIS_BUDGET))[0]


def rescue_above_pairs(
    problem: RoutingProblem, routes: list[list[int]], deadline: float | None = None
) -> list[list[int]]:
    """``routes`` with the tasks worth more than any half of a synchronised pair rescued
    (``rescue``), by ``deadline``: done before the pairs are inserted (``repair_pairs``) when
    a plan is built by insertion alone, so that a task of the highest penalty (a critical
    call) does not wait behind pairs of lower. Tasks of lags wait for the rescue proper."""
    paired = {t for pair in problem.synced for t in (pair.first, pair.second)}
    top = max((_penalty(problem, t) for t in paired), default=0.0)
    below = {t for t in range(len(problem.tasks)) if _penalty(problem, t) <= top}
    budget = _Budget(DIAGNOSIS_BUDGET, deadline=deadline)
    return _rescued(problem, routes, paired | below | lagged(problem), budget)[0]


def _lag_starts(
    problem: RoutingProblem, routes: list[list[int]], timings: list[_Timing]
) -> dict[int, int]:
    tied = lagged(problem)
    return {
        t: timing.starts[k]
        for route, timing in zip(routes, timings, strict=True)
        for k, t in enumerate(route)
        if t in tied
    }


def _with_partner_moved(
    problem: RoutingProblem,
    asked: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    task: int,
    budget: _Budget,
) -> tuple[list[list[int]], list[_Timing], RoutingProblem] | None:
    """Routes with ``task`` (of a lag, left out) placed by taking its placed partner out,
    putting ``task`` at its cheapest place as ``asked`` (before any binding), and the partner
    back at its cheapest place the lag then leaves, or the other way round (trying places
    cheapest first until the other fits); None unless both go in. Binding pins a
    partner where the search left it, which can leave ``task`` no start its own carers have
    free: moving the partner is the only way in."""
    partners = [
        lag.second if lag.first == task else lag.first
        for lag in problem.lags
        if task in (lag.first, lag.second)
    ]
    vehicle_of = {t: v for v, route in enumerate(routes) for t in route}
    for partner in partners:
        if partner not in vehicle_of:
            continue
        v = vehicle_of[partner]
        rest = [t for t in routes[v] if t != partner]
        freed = replace(
            problem,
            tasks=tuple(
                asked.tasks[t] if t in (task, partner) else x for t, x in enumerate(problem.tasks)
            ),
        )
        timing = schedule(freed, v, rest)
        if timing is None:
            continue
        without, without_timings = _with_route(routes, timings, v, rest, timing)
        freed = bind(freed, without, _lag_starts(freed, without, without_timings))
        # Routes are timed as early as they can be, so a lag that wants the later task late
        # is met only by placing that task second: both orders are tried.
        for first, second in ((task, partner), (partner, task)):
            for _, w, route, timing in _insertions(freed, without, without_timings, first, budget):
                if budget.left <= 0:
                    return None
                trial_routes, trial_timings = _with_route(
                    without, without_timings, w, route, timing
                )
                bound = bind(freed, trial_routes, _lag_starts(freed, trial_routes, trial_timings))
                back = _cheapest(bound, trial_routes, trial_timings, second, budget)
                if back is not None:
                    _, u, route, timing = back
                    trial_routes, trial_timings = _with_route(
                        trial_routes, trial_timings, u, route, timing
                    )
                    starts = _lag_starts(bound, trial_routes, trial_timings)
                    return trial_routes, trial_timings, bind(bound, trial_routes, starts)
    return None


def _rescued(
    problem: RoutingProblem,
    routes: list[list[int]],
    halves: set[int],
    budget: _Budget,
    asked: RoutingProblem | None = None,
) -> tuple[list[list[int]], RoutingProblem]:
    """``rescue``'s routes, and the problem that times them: each task of a lag placed pinned
    (``routing.lags.bind``). ``asked``: the tasks of lags as asked for, before binding, so that
    a task kept out by its placed partner's pinned start may move the partner."""
    routes = [list(r) for r in routes]
    timings = _timings(problem, routes)
    paired = halves | {t for pair in problem.synced for t in (pair.first, pair.second)}
    tied = lagged(problem)
    placed = {t for route in routes for t in route}
    waiting = sorted(
        (t for t in range(len(problem.tasks)) if t not in placed and t not in paired),
        key=lambda t: (-_penalty(problem, t), t),
    )
    for task in waiting:
        if budget.left <= 0:
            break
        found = _cheapest(problem, routes, timings, task, budget)
        if found is not None:
            _, v, route, timing = found
            routes, timings = _with_route(routes, timings, v, route, timing)
        else:
            swapped = _in_place_of(problem, routes, timings, task, paired | tied, budget)
            moved = None
            if swapped is None and asked is not None and task in tied:
                moved = _with_partner_moved(problem, asked, routes, timings, task, budget)
            if moved is not None:
                routes, timings, problem = moved
                continue
            if swapped is None and asked is not None and task not in tied and asked.synced:
                aside = pair_aside(asked, problem, routes, timings, task, budget)
                if aside is not None:
                    problem, routes, timings = aside
                    continue
            if swapped is None:
                continue
            routes, timings = swapped
        if task in tied:
            problem = bind(problem, routes, _lag_starts(problem, routes, timings))
    return routes, problem


def _relaxed(problem: RoutingProblem, span: bool, breaks: bool) -> RoutingProblem:
    vehicles = problem.vehicles
    if span:
        vehicles = tuple(replace(v, max_span=None) for v in vehicles)
    return replace(
        problem.unbroken() if breaks else problem,
        vehicles=vehicles,
        group_span={} if span else problem.group_span,
    )


def _fits(
    problem: RoutingProblem,
    routes: list[list[int]],
    timings: list[_Timing],
    vehicle: int,
    task: int,
    budget: _Budget,
    groups: bool,
) -> bool | None:
    """Whether ``task`` fits somewhere in ``vehicle``'s route under ``problem`` (with group
    spans if ``groups``); None when the budget ran out first."""
    if budget.expired:  # past its deadline: not even the windows are looked at
        return None
    for position in _feasible_places(problem, vehicle, routes[vehicle], task):
        if not budget.spend():
            return None
        trial = routes[vehicle][:position] + [task] + routes[vehicle][position:]
        timing = schedule(problem, vehicle, trial)
        if timing is None:
            continue
        if not groups:
            return True
        trial_routes, trial_timings = _with_route(routes, timings, vehicle, trial, timing)
        if _group_ok(problem, trial_routes, trial_timings):
            return True
    return False


def blockers(
    problem: RoutingProblem,
    routes: list[list[int]],
    tasks: list[int],
    budget: _Budget | None = None,
    unbound: RoutingProblem | None = None,
) -> dict[int, dict[int, Blocker]]:
    """For each of ``tasks`` (left out of ``routes``), per vehicle allowed to take it and on
    duty in its window, the rule that keeps it off that vehicle's route (see ``Blocker``).
    ``unbound``: ``problem`` with the tasks of lags as asked for, before ``routing.lags.bind``
    narrowed them; a task that fits only there is kept out by its lag."""
    budget = budget or _Budget(DIAGNOSIS_BUDGET)
    ladder = [
        (problem, True, Blocker.FITS),
        (_relaxed(problem, span=True, breaks=False), False, Blocker.SPAN),
        (_relaxed(problem, span=False, breaks=True), True, Blocker.BREAK),
        (_relaxed(problem, span=True, breaks=True), False, Blocker.SPAN),
    ]
    timings: dict[int, list[_Timing]] = {}
    for rung, _, _ in ladder:
        timed = [schedule(rung, v, route) for v, route in enumerate(routes)]
        if any(t is None for t in timed):
            raise ValueError("the routes are not feasible")
        timings[id(rung)] = [t for t in timed if t is not None]
    tied = set() if unbound is None else lagged(problem)
    found: dict[int, dict[int, Blocker]] = {}
    for task in tasks:
        found[task] = {}
        for v in _candidates(problem, task):
            found[task][v] = Blocker.BUSY
            for rung, groups, blocker in ladder:
                fits = _fits(rung, routes, timings[id(rung)], v, task, budget, groups)
                if fits is None:
                    found[task][v] = Blocker.UNSEARCHED
                    break
                if fits:
                    found[task][v] = blocker
                    break
        if unbound is None or task not in tied:
            continue
        asked = replace(
            problem,
            tasks=tuple(unbound.tasks[t] if t == task else x for t, x in enumerate(problem.tasks)),
        )
        for v in _candidates(asked, task):
            if found[task].get(v, Blocker.BUSY) is not Blocker.BUSY:
                continue
            fits = _fits(asked, routes, timings[id(problem)], v, task, budget, True)
            found[task][v] = (
                Blocker.UNSEARCHED if fits is None else Blocker.LAG if fits else Blocker.BUSY
            )
    return found


def rescue_and_explain(
    problem: RoutingProblem,
    routes: list[list[int]],
    halves: set[int],
    whole: RoutingProblem,
    asked: RoutingProblem | None = None,
    deadline: float | None = None,
) -> tuple[list[list[int]], dict[int, dict[int, Blocker]], RoutingProblem]:
    """``rescue`` then ``blockers`` of every task still out, on one budget, and the problem
    that times the routes (tasks of lags pinned, ``routing.lags``). ``whole`` is ``problem``
    with the tasks left out as they were asked for (a pair's halves over the whole window,
    where ``problem`` may hold them near its middle; a lag's tasks before it was bound);
    ``asked``: every task of a lag as asked for, placed ones too (see ``_rescued``). Past
    ``deadline`` (a ``time.monotonic()`` value) the rest is ``Blocker.UNSEARCHED``."""
    budget = _Budget(DIAGNOSIS_BUDGET, deadline=deadline)
    routes, problem = _rescued(problem, routes, halves, budget, asked)
    if deadline is not None:  # the reasons get their own time past the rescue's deadline
        budget = _Budget(max(budget.left, EXPLAIN_LEAST), deadline=deadline + EXPLAIN_GRACE_S)
    placed = {t for route in routes for t in route}
    out = [t for t in range(len(problem.tasks)) if t not in placed]
    tied = lagged(problem)
    # placed tasks as the rescue timed them (a lag bound, a pair moved to make room)
    asked = replace(
        whole,
        tasks=tuple(
            problem.tasks[t] if t in tied or t in placed else x for t, x in enumerate(whole.tasks)
        ),
    )
    return routes, blockers(asked, routes, out, budget, whole), problem
