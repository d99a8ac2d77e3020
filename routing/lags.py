"""Lags kept by windows once tasks are placed.

The search keeps each ``Lag`` as a constraint between two start times (``routing.solver``);
everything after it (breaks fitted, pairs made whole, visits rescued) re-times routes one at a
time and knows nothing of other routes. So once a task of a lag is placed its start is pinned,
and its partner still out may start only where the lag allows from there, by another person
when the lag is ``apart``: each later step then keeps the lag by keeping windows.

Pure Python over ``RoutingProblem``: no OR-Tools here.
"""

from __future__ import annotations

from dataclasses import replace

from routing.problem import RoutingProblem, Task

__all__ = ["bind", "lagged"]


def lagged(problem: RoutingProblem) -> set[int]:
    """The tasks of any lag."""
    return {t for lag in problem.lags for t in (lag.first, lag.second)}


def bind(
    problem: RoutingProblem, routes: list[list[int]], starts: dict[int, int]
) -> RoutingProblem:
    """``problem`` with each task of a lag that ``routes`` place pinned at its start in
    ``starts`` (task -> start), and each partner still out narrowed to the starts and people
    the lag leaves it (no vehicle at all when none is left). Tasks of no lag are untouched."""
    if not problem.lags:
        return problem
    vehicle_of = {t: v for v, route in enumerate(routes) for t in route}
    tasks = list(problem.tasks)
    for t in lagged(problem) & vehicle_of.keys():
        tasks[t] = replace(tasks[t], earliest=starts[t], latest=starts[t])
    person = problem.person
    for lag in problem.lags:
        after = (lag.first, lag.second, lag.least, lag.most)
        before = (lag.second, lag.first, None if lag.most is None else -lag.most, -lag.least)
        for placed, out, low, high in (after, before):
            if placed not in vehicle_of or out in vehicle_of:
                continue
            who = person[vehicle_of[placed]] if lag.apart else None
            tasks[out] = _narrowed(problem, tasks[out], starts[placed], low, high, who)
    return replace(problem, tasks=tuple(tasks))


def _narrowed(
    problem: RoutingProblem,
    task: Task,
    start: int,
    low: int | None,
    high: int | None,
    barred: int | None,
) -> Task:
    """``task`` allowed only to start ``low``..``high`` (None: unbounded) after ``start``, by
    anyone but person ``barred``."""
    earliest = task.earliest if low is None else max(task.earliest, start + low)
    latest = task.latest if high is None else min(task.latest, start + high)
    allowed = task.allowed_vehicles
    if barred is not None:
        person = problem.person
        pool = range(len(problem.vehicles)) if allowed is None else allowed
        allowed = frozenset(v for v in pool if person[v] != barred)
    narrowed = replace(task, earliest=earliest, latest=latest, allowed_vehicles=allowed)
    if earliest > latest or narrowed.opening(earliest) is None:  # no start the windows allow
        return replace(task, allowed_vehicles=frozenset())
    return narrowed
