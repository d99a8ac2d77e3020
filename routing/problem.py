"""A vehicle-routing problem with time windows, in plain integers, and its answer.

Knows nothing of care: tasks are places to be at for a while inside a window, vehicles leave
one place and return to another inside their own window. Time and travel are in one integer
unit chosen by the caller (domcare uses minutes; benchmarks use tenths of a distance unit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

__all__ = [
    "BreakRule",
    "BreakWindow",
    "Lag",
    "Progress",
    "Route",
    "RoutingProblem",
    "RoutingSolution",
    "SearchSpec",
    "SyncedPair",
    "Task",
    "Vehicle",
]


@dataclass(frozen=True)
class Task:
    """``earliest``..``latest`` bounds the start of service; ``penalty`` is the cost of leaving
    the task out (``None``: it must be done). ``allowed_vehicles`` None means any vehicle.
    A start after ``late_after`` (at most ``latest``) costs ``late_cost`` per unit, else the
    problem's; ``late_after`` None: never late. ``closed``: spans (first, last minute,
    sorted, disjoint) inside the bounds when service may not start: a task of several
    windows."""

    location: int
    service: int
    earliest: int
    latest: int
    penalty: int | None = None
    allowed_vehicles: frozenset[int] | None = None
    demand: int = 0
    late_after: int | None = None
    closed: tuple[tuple[int, int], ...] = ()
    late_cost: int | None = None

    def opening(self, time: int) -> int | None:
        """The first start at or after ``time`` the windows allow; None past them."""
        start = max(time, self.earliest)
        for first, last in self.closed:
            if first <= start <= last:
                start = last + 1
        return start if start <= self.latest else None

    def closing(self, time: int) -> int | None:
        """The last start at or before ``time`` the windows allow; None before them."""
        start = min(time, self.latest)
        for first, last in reversed(self.closed):
            if first <= start <= last:
                start = first - 1
        return start if start >= self.earliest else None

    @property
    def due(self) -> int:
        """The latest start in the window that is not late (the earliest, when every start
        in it is late: a start pinned past ``late_after``)."""
        if self.late_after is None:
            return self.latest
        return max(self.earliest, min(self.late_after, self.latest))

    def lateness(self, start: int) -> int:
        return 0 if self.late_after is None else max(0, start - self.late_after)

    def late_price(self, default: int) -> int:
        """The cost of a unit late: the task's own, else the problem's ``default``."""
        return default if self.late_cost is None else self.late_cost


@dataclass(frozen=True)
class Vehicle:
    """Leaves ``start_location`` no earlier than ``earliest_start`` and is back at
    ``end_location`` by ``latest_end``; travels with matrix ``profile``. Vehicles sharing a
    ``group`` are one person's (two shifts): they share the group's budget in ``group_span``
    if it has one, and never do both tasks of a ``Lag`` kept ``apart``."""

    start_location: int
    end_location: int
    earliest_start: int
    latest_end: int
    profile: int = 0
    max_span: int | None = None
    group: int | None = None
    capacity: int | None = None
    due_back: int | None = None
    """Back after this (by ``latest_end`` at the latest) costs the problem's
    ``overtime_cost`` per unit: overtime past a shift's end. None: no overtime."""
    leaves_at_start: bool = False
    """Leaves at ``earliest_start`` exactly (paid from then): a wait before the first task is
    in the span, where ``span_cost`` prices it, instead of being spent at home."""
    work_target: int | None = None
    """The work (travel and service, no waiting) the route should hold: each unit short of it
    costs the problem's ``balance_cost``, an unused vehicle's too. None: no target. When the
    targets share out the routes' own work, the shortfalls are half the distance from the
    targets on both sides (what is over one target is short of others): priced from below
    only, a search aimed at too little work is not pushed to cut travel it may need."""

    def overtime(self, arrive: int) -> int:
        return 0 if self.due_back is None else max(0, arrive - self.due_back)

    def shortfall(self, work: int) -> int:
        """How far ``work`` is short of the target, in units."""
        return 0 if self.work_target is None else max(0, self.work_target - work)

    def excess(self, work: int) -> int:
        """How far ``work`` is over the target, in units."""
        return 0 if self.work_target is None else max(0, work - self.work_target)


@dataclass(frozen=True)
class SyncedPair:
    """Two tasks done together or not at all, by two different vehicles starting at the same
    time (a two-person job)."""

    first: int
    second: int


@dataclass(frozen=True)
class Lag:
    """When both tasks are done, ``second`` starts ``least`` to ``most`` (None: any time)
    after ``first`` starts; ``apart``: by two people (vehicles of different groups). Either
    task may be done alone: the lag binds only the two together."""

    first: int
    second: int
    least: int = 0
    most: int | None = None
    apart: bool = False


@dataclass(frozen=True)
class BreakRule:
    """A vehicle out for longer than ``after`` (leaving to returning, less the break) stops
    for at least ``duration`` between two of its tasks: after arriving at the next task's
    place, before starting it, so neither during a task nor while travelling."""

    after: int
    duration: int


@dataclass(frozen=True)
class BreakWindow:
    """A vehicle with a route takes at least ``minutes`` off wholly between ``earliest`` and
    ``latest`` (a lunch): before leaving, after returning, or as its break (see
    ``BreakRule``) in a wait between two tasks, which then lasts at least this long.
    ``miss_cost``: a route may go without it at this cost, kept wherever that is cheaper;
    None: it is kept. The search sees neither: like ``BreakRule``, it is kept when routes are
    timed (OR-Tools' break intervals in the search were measured worse, see
    ``routing.repair``)."""

    earliest: int
    latest: int
    minutes: int
    miss_cost: int | None = None


@dataclass(frozen=True)
class RoutingProblem:
    travel: tuple[npt.NDArray[np.int64], ...]
    """Per profile, a square matrix of travel time between locations."""
    tasks: tuple[Task, ...]
    vehicles: tuple[Vehicle, ...]
    horizon: int
    travel_cost: int = 1
    """Cost per unit of travel time on top of ``span_cost``."""
    span_cost: int = 0
    """Cost per unit of a vehicle's span (from leaving to returning), so idle time costs too."""
    idle_cost: int = 0
    """Cost per unit of a vehicle's waiting (its span less travel and service) on top of
    ``span_cost``: where waiting costs more than travel."""
    group_span: dict[int, int] = field(default_factory=dict)
    synced: tuple[SyncedPair, ...] = ()
    task_cost: npt.NDArray[np.int64] | None = None
    """Optional extra cost when vehicle ``v`` does task ``t``: ``task_cost[v, t]`` (vehicles x
    tasks), e.g. a person unfamiliar with the place."""
    breaks: BreakRule | None = None
    """Enforced by ``routing.repair.schedule`` when routes are timed, not by the search."""
    break_windows: dict[int, BreakWindow] = field(default_factory=dict)
    """Per vehicle, the window its break must fit (enforced like ``breaks``)."""
    late_cost: int = 0
    """Cost per unit a task starts after its ``late_after``."""
    overtime_cost: int = 0
    """Cost per unit a vehicle is back after its ``due_back``."""
    lags: tuple[Lag, ...] = ()
    balance_cost: int = 0
    """Cost per unit a vehicle's work is short of its ``work_target`` (workload balance)."""
    excess_cost: int = 0
    """Cost per unit a vehicle's work is over its ``work_target`` (none by default: see
    ``Vehicle.work_target``)."""

    @property
    def balanced(self) -> bool:
        """Whether the search prices work away from a target (``Vehicle.work_target``)."""
        priced = self.balance_cost or self.excess_cost
        return bool(priced) and any(v.work_target is not None for v in self.vehicles)

    def imbalance(self, vehicle: int, work: int) -> int:
        """What ``work`` on ``vehicle`` costs away from its target."""
        spec = self.vehicles[vehicle]
        return self.balance_cost * spec.shortfall(work) + self.excess_cost * spec.excess(work)

    def work_of(self, vehicle: int, tasks: list[int]) -> int:
        """Travel and service of ``tasks`` in this order on ``vehicle``, there and back (an
        empty route: the trip from start to end point), as ``Vehicle.work_target`` counts."""
        spec = self.vehicles[vehicle]
        travel = self.travel[spec.profile]
        places = [spec.start_location, *(self.tasks[t].location for t in tasks)]
        legs = sum(
            travel.item(a, b) for a, b in zip(places, [*places[1:], spec.end_location], strict=True)
        )
        return legs + sum(self.tasks[t].service for t in tasks)

    def aimed(self, targets: list[int | None]) -> RoutingProblem:
        """This problem with each vehicle's ``work_target`` set anew."""
        vehicles = tuple(
            replace(v, work_target=t) for v, t in zip(self.vehicles, targets, strict=True)
        )
        return replace(self, vehicles=vehicles)

    @property
    def tolerates_lateness(self) -> bool:
        """Whether some task may start late (has a ``late_after``)."""
        return any(task.late_after is not None for task in self.tasks)

    @property
    def has_breaks(self) -> bool:
        return self.breaks is not None or bool(self.break_windows)

    def unbroken(self) -> RoutingProblem:
        """This problem without its breaks: what the search sees."""
        return replace(self, breaks=None, break_windows={})

    @cached_property
    def budgeted_groups(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """Each group with a span budget: (budget, its vehicles). Checked after every trial
        insertion of a repair, so worked out once."""
        return tuple(
            (budget, tuple(v for v, vehicle in enumerate(self.vehicles) if vehicle.group == g))
            for g, budget in self.group_span.items()
        )

    @property
    def person(self) -> tuple[int, ...]:
        """Per vehicle, a number for who drives it: one per ``group``, else one of its own."""
        keys = [
            ("vehicle", v) if vehicle.group is None else ("group", vehicle.group)
            for v, vehicle in enumerate(self.vehicles)
        ]
        number: dict[tuple[str, int], int] = {}
        return tuple(number.setdefault(key, len(number)) for key in keys)

    def __post_init__(self) -> None:
        locations = {m.shape for m in self.travel}
        if len(locations) != 1 or any(m.ndim != 2 or m.shape[0] != m.shape[1] for m in self.travel):
            raise ValueError("travel matrices must be square and of one size")
        size = self.travel[0].shape[0]
        for task in self.tasks:
            if not 0 <= task.location < size:
                raise ValueError(f"task location {task.location} outside the matrix")
            if task.latest < task.earliest:
                raise ValueError("task window is inverted")
        if self.task_cost is not None and self.task_cost.shape != (
            len(self.vehicles),
            len(self.tasks),
        ):
            raise ValueError("task_cost must be vehicles x tasks")
        for pair in self.synced:
            if min(self.tasks[pair.first].service, self.tasks[pair.second].service) <= 0:
                raise ValueError("synced tasks need a positive service time")
        for lag in self.lags:
            if not (0 <= lag.first < len(self.tasks) and 0 <= lag.second < len(self.tasks)):
                raise ValueError("lag names a task that does not exist")
            if lag.first == lag.second or (lag.most is not None and lag.most < lag.least):
                raise ValueError("lag is empty")
        for v, window in self.break_windows.items():
            if not 0 <= v < len(self.vehicles):
                raise ValueError(f"break window for vehicle {v}, which does not exist")
            if window.minutes <= 0 or window.latest - window.earliest < window.minutes:
                raise ValueError("break window is shorter than its break")
        for vehicle in self.vehicles:
            if not 0 <= vehicle.profile < len(self.travel):
                raise ValueError(f"vehicle profile {vehicle.profile} has no matrix")


@dataclass(frozen=True)
class SearchSpec:
    """How to search. A ``solution_limit`` makes a run reproducible; a time limit does not.
    Note that OR-Tools does not stop during the first-solution construction."""

    time_limit_s: float = 10.0
    solution_limit: int | None = None
    first_solution: str = "LOCAL_CHEAPEST_INSERTION"
    metaheuristic: str = "AUTO"
    """An OR-Tools local search metaheuristic, or ``AUTO`` (``solver.metaheuristic_for``)."""
    log: bool = False
    engine: str = "ortools"
    """``ortools``; or ``pyvrp``: PyVRP's search for ``pyvrp_share`` of the time, then
    OR-Tools' from its routes, where PyVRP can express the problem in ``pyvrp_memory_mib``
    (``routing.pyvrp_search``); else OR-Tools alone. Ignored with a ``solution_limit`` (PyVRP
    stops by time only) or a warm start. A problem of over 800 tasks is PyVRP's for the whole
    time (``routing.solver._FULL_SCAN_TASKS``)."""
    pyvrp_share: float = 0.5
    pyvrp_memory_mib: float = 512.0
    seed: int = 0


@dataclass(frozen=True)
class Progress:
    elapsed_s: float
    objective: int
    performed: int


@dataclass(frozen=True)
class Route:
    """A vehicle's tasks in order with their service start times, and when it leaves and
    returns."""

    vehicle: int
    tasks: tuple[int, ...]
    starts: tuple[int, ...]
    depart: int
    arrive: int
    break_start: int | None = None
    """The break (see ``BreakRule``, ``BreakWindow``) starts here, before the task it
    precedes; None: none."""
    break_end: int | None = None


@dataclass(frozen=True)
class RoutingSolution:
    status: str
    """OR-Tools' search status name, e.g. ROUTING_SUCCESS or ROUTING_FAIL_TIMEOUT."""
    found: bool
    objective: int | None
    routes: tuple[Route, ...]
    dropped: tuple[int, ...]
    wall_s: float
    first_solution_s: float | None
    first_search: str = "ortools"
    """Which search found the first plan: ``ortools``, or ``pyvrp`` (``SearchSpec.engine``)."""


ProgressCallback = Callable[[Progress], None]
