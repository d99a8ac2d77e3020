"""The rota: each carer's runs (one per shift worked), the visits left out and why.

A plan is data, checkable without the solver: ``scheduler.rules.day`` recomputes every time
in it from the scenario and travel times. Times are minutes after midnight; distances metres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from pydantic import Field, model_validator

from scheduler.model.base import Frozen
from scheduler.model.care import BreakWindow
from scheduler.model.codes import ReasonCode
from scheduler.model.settings import Settings

__all__ = [
    "PLAN_SCHEMA_VERSION",
    "Cost",
    "Plan",
    "PlanStatus",
    "Run",
    "SolverInfo",
    "Stop",
    "Unallocated",
    "WeekPlan",
    "longest_off",
]

PLAN_SCHEMA_VERSION = "1.4"


class Stop(Frozen):
    """One visit in a run. ``travel_minutes`` and ``travel_m`` are for the leg that arrives
    here; ``wait_minutes`` is the idle time between arriving and starting the care;
    ``minutes_late`` how long after the visit's latest start the care starts (within the
    visit's tolerance), so a coordinator sees a late call in the rota itself."""

    visit_id: str
    client_id: str
    arrival: int
    start: int
    end: int
    travel_minutes: int = Field(ge=0)
    travel_m: int = Field(ge=0)
    wait_minutes: int = Field(ge=0)
    minutes_late: int = Field(default=0, ge=0)


class Run(Frozen):
    """A carer's journey for one shift: leave home, visit in order, return home."""

    carer_id: str
    shift_start: int
    shift_end: int
    depart: int
    return_home: int
    stops: tuple[Stop, ...]
    home_travel_minutes: int = Field(ge=0, description="the last leg, back home")
    home_travel_m: int = Field(ge=0)
    break_start: int | None = Field(
        default=None, description="an unpaid break, taken in the wait before one of the calls"
    )
    break_end: int | None = None

    @model_validator(mode="after")
    def _whole_break(self) -> Run:
        if (self.break_start is None) != (self.break_end is None):
            raise ValueError("a break needs both its start and its end")
        return self

    @property
    def break_minutes(self) -> int:
        if self.break_start is None or self.break_end is None:
            return 0
        return self.break_end - self.break_start

    @property
    def paid_minutes(self) -> int:
        """Leaving home to getting back, less the unpaid break."""
        return self.return_home - self.depart - self.break_minutes


def longest_off(runs: Sequence[Run], window: BreakWindow) -> int:
    """The longest time one carer is off inside ``window`` (none off: 0): at home between
    ``runs`` (all theirs, that day), or in a run's unpaid break."""
    breaks = [
        window.overlap(run.break_start, run.break_end)
        for run in runs
        if run.break_start is not None and run.break_end is not None
    ]
    return max(0, window.longest_free((run.depart, run.return_home) for run in runs), *breaks)


class Unallocated(Frozen):
    visit_id: str
    client_id: str
    reason_code: ReasonCode
    reason: str


class PlanStatus(StrEnum):
    SOLVED = "solved"
    """The solver found a plan (some visits may still be unallocated, each with a reason)."""
    NO_PLAN = "no_plan"
    """The solver found no plan in the time allowed; every visit is unallocated."""


class SolverInfo(Frozen):
    status: str
    objective: int | None
    wall_seconds: float
    first_plan_seconds: float | None = None
    """When the first complete plan existed (a day in zones: when the zones were joined)."""
    first_solution: str
    metaheuristic: str
    first_search: str = "ortools"
    """Which search found the first plan (``Settings.solve.engine``): ``pyvrp`` or
    ``ortools`` (also when PyVRP was asked for but could not express the day)."""
    zones: int = 1
    repair: dict[str, int] = Field(
        default_factory=dict,
        description="the constants of the repair and rescue after the search that shape the "
        "plan (routing.repair, routing.diagnose), so a plan can be reproduced",
    )


class Cost(Frozen):
    """What a plan costs under the objective it was planned to, term by term
    (``scheduler.rules.objective``): ``total`` is the sum of ``terms``."""

    terms: dict[str, int]
    total: int


class Plan(Frozen):
    schema_version: str = PLAN_SCHEMA_VERSION
    scenario: str
    date: dt.date
    status: PlanStatus
    runs: tuple[Run, ...]
    unallocated: tuple[Unallocated, ...]
    settings: Settings
    solver: SolverInfo | None = None
    cost: Cost | None = None
    """The objective the search minimised, term by term (None for a plan made by hand)."""
    travel: str = Field(
        default="straight-line",
        description="the travel times the legs were timed on: straight-line, "
        "osm:EXTRACT (roads of an OpenStreetMap extract) or matrix:FILE",
    )


class WeekPlan(Frozen):
    """One plan per date of the scenario, in date order, and the settings they were made with."""

    scenario: str
    settings: Settings
    days: tuple[Plan, ...]
