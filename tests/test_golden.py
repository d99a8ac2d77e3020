"""The shipped small day, solved with a solution limit (never a time limit), keeps its figures.

Recorded on 2026-11-26 with OR-Tools 9.15: 60 of 60 visits, 660 travel minutes, 590 waiting,
3320 paid. The tolerances allow a solver upgrade to do a little better or worse; a larger
change is a change in behaviour to look at, and to re-record here if it is an improvement.
"""

from __future__ import annotations

import pytest

from routing.haversine import HaversineTravel
from scheduler.cli import SHIPPED
from scheduler.metrics import day_figures
from scheduler.scenario_io import read_scenario
from scheduler.settings import Settings, SolveSettings
from scheduler.solve import solve_day
from scheduler.validate import validate_plan


def test_small_day_golden_figures() -> None:
    scenario = read_scenario(SHIPPED / "small")
    settings = Settings(solve=SolveSettings(time_limit_s=300, solution_limit=100))
    plan = solve_day(scenario, settings)
    assert validate_plan(scenario, plan, HaversineTravel(settings.travel)) == []
    figures = day_figures(scenario, plan)
    assert figures.visits_allocated == 60
    assert figures.contact_minutes == 2070  # every call's minutes, double-handed ones twice
    assert figures.travel_minutes == pytest.approx(660, rel=0.10)
    assert figures.paid_minutes == pytest.approx(3320, rel=0.10)
    assert figures.utilisation == pytest.approx(0.62, abs=0.05)
