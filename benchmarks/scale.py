"""How domcare grows with the size of the day: generated County Down days of 100 to 3000
visits (fixed seeds), each solved with time limits of 10, 30 and 120 s.

Per row: time to the first complete plan, share of visits allocated, the plan's cost (the
settings' objective recomputed from the plan: travel, waiting and drop penalties), whether the
validator passed. Peak memory is measured by the runner. Each time limit is its own solve:
the search shares its time between phases by the limit, so a 120 s solve is not a 30 s
solve continued.
"""

from __future__ import annotations

import time

from benchmarks.results import Case, Row, Suite
from routing.haversine import HaversineTravel
from scenarios.generator import generate
from scheduler.analysis.metrics import day_figures
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from scheduler.rules.objective import plan_cost

__all__ = ["SCALE"]

SIZES = (100, 300, 1000, 3000)
LIMITS_S = (10.0, 30.0, 120.0)
SEED = 11  # not a shipped scenario's seed: the suite is not tuned to the shipped days


def _cases(quick: bool) -> list[Case]:
    if quick:
        return [Case("scale", "gen-300", size=300, params=(("limit", "0"),))]
    return [
        Case("scale", f"gen-{size}", size=size, params=(("limit", f"{limit:g}"),))
        for size in SIZES
        for limit in LIMITS_S
    ]


def _run(case: Case, time_limit_s: float) -> list[Row]:
    """``time_limit_s`` applies when the case does not fix its own limit (quick runs)."""
    fixed = float(dict(case.params).get("limit", "0"))
    limit = fixed or time_limit_s
    scenario = generate(case.size, seed=SEED, name=case.instance)
    settings = Settings(solve=SolveSettings(time_limit_s=limit))
    began = time.monotonic()
    plan = solve_day(scenario, settings)
    wall = time.monotonic() - began
    figures = day_figures(scenario, plan)
    valid = validate_plan(scenario, plan, HaversineTravel(settings.travel)) == []
    return [
        Row(
            suite="scale",
            instance=f"{case.instance}@{limit:g}s",
            solver="domcare",
            objective=float(plan_cost(scenario, plan, settings).total),
            vehicles=figures.carers_working,
            allocated=figures.allocated_share,
            wall_s=round(wall, 2),
            first_feasible_s=plan.solver.first_plan_seconds if plan.solver else None,
            time_limit_s=limit,
            valid=valid,
            note=(
                f"{len(scenario.carers)} carers; travel {figures.travel_minutes / 60:.1f} h; "
                f"utilisation {figures.utilisation:.0%}; "
                f"zones {plan.solver.zones if plan.solver else '-'}; "
                f"left out {figures.unallocated_by_reason or 'none'}"
            ),
        )
    ]


SCALE = Suite(
    name="scale",
    cases=_cases,
    run=_run,
    default_time_limit_s=30.0,
    quick_time_limit_s=10.0,
)
