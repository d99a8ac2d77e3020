"""Plan a rota: the one pipeline every front end calls.

A scenario of one date is a day, of several a week (``scheduler.planning.week``); either way
the plans are searched, then checked by the independent validator, and a plan that breaks a
hard rule never leaves here: ``BrokenRota`` is raised instead. The command line, the service's
worker, what-if sweeps and the comparison all plan through ``plan_rota``, so they cannot
disagree about what a rota is; the files made of it are ``scheduler.render.outputs``'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from routing.haversine import HaversineTravel
from routing.problem import Progress
from routing.travel import TravelTimes
from scheduler.io.travel import travel_spec
from scheduler.model.care import Scenario
from scheduler.model.plan import Plan, PlanStatus, WeekPlan
from scheduler.model.settings import Settings
from scheduler.planning.day import solve_day
from scheduler.planning.week import solve_week
from scheduler.rules.week import BrokenRota, day_scenario, validate_plans

__all__ = ["BrokenRota", "DayProgress", "Progress", "Rota", "plan_rota", "travel_times"]

DayProgress = Callable[[dt.date, Progress], None]
"""Hears the search's progress on each date (a day's search reports as it improves)."""


@dataclass(frozen=True)
class Rota:
    """A scenario's plans, one per date in date order, checked; and the settings they were
    made with."""

    scenario: Scenario
    settings: Settings
    plans: tuple[Plan, ...]

    @property
    def is_week(self) -> bool:
        return len(self.plans) > 1

    @property
    def week(self) -> WeekPlan:
        return WeekPlan(scenario=self.scenario.name, settings=self.settings, days=self.plans)

    @property
    def unplanned(self) -> tuple[dt.date, ...]:
        """Dates on which the search found no plan at all (every visit left out)."""
        return tuple(plan.date for plan in self.plans if plan.status is PlanStatus.NO_PLAN)

    def days(self) -> list[tuple[Scenario, Plan]]:
        """Each plan with the day it plans: for a week, the day's scenario after the week's
        rules (the carers' rest and minutes left, the clients' carers within the cap)."""
        if not self.is_week:
            return [(self.scenario, self.plans[0])]
        return [
            (day_scenario(self.scenario, plan.date, self.plans[:number], self.settings), plan)
            for number, plan in enumerate(self.plans)
        ]


def travel_times(settings: Settings) -> TravelTimes:
    """The travel times ``settings`` ask for: straight-line estimates (``settings.travel``)."""
    return HaversineTravel(settings.travel)


def plan_rota(
    scenario: Scenario,
    settings: Settings | None = None,
    travel: TravelTimes | None = None,
    *,
    on_progress: DayProgress | None = None,
    on_day: Callable[[Plan], None] | None = None,
) -> Rota:
    """Plan ``scenario``'s day, or each day of its week, and check the plans. ``on_day`` hears
    each date's final plan as soon as it is made. Raises ``BrokenRota`` if a plan breaks a
    hard rule; a day with no plan found is a plan (status ``no_plan``), never an error."""
    settings = settings or Settings()
    travel = travel or travel_times(settings)
    if len(scenario.dates) > 1:
        plans = solve_week(scenario, settings, travel, on_progress=on_progress, on_day=on_day).days
    else:
        date = scenario.dates[0]
        plan = solve_day(
            scenario,
            settings,
            travel,
            on_progress=None if on_progress is None else lambda p: on_progress(date, p),
        )
        if on_day is not None:
            on_day(plan)
        plans = (plan,)
    broken = validate_plans(scenario, plans, settings, travel)
    if broken:
        raise BrokenRota(broken)
    timed_on = travel_spec(travel)
    return Rota(scenario, settings, tuple(p.model_copy(update={"travel": timed_on}) for p in plans))
