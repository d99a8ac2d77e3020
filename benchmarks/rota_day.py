"""Plan one scenario day as `domcare solve` does and report what a planner would ask of it.

    python -m benchmarks.rota_day scenarios/district --time-limit 120

Prints one markdown row: visits, carers, wall seconds, share allocated, unallocated by reason,
travel and utilisation, runs worked longer than the break limit (less their break) and runs
holding a break, whether the validator passed, and peak memory (the largest resident
set of this process and of the zone workers, in MiB, from ``getrusage``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

from routing.haversine import HaversineTravel
from scheduler.analysis.metrics import day_figures
from scheduler.io.scenario import read_scenario
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan

HEADER = (
    "| scenario | visits | carers | limit s | wall s | allocated | unallocated by reason | "
    "travel h | utilisation | runs over the break limit / with a break | valid | zones | "
    "peak MiB (main / worker) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--zone-visits", type=int, default=None, help="split days above this (default: settings)"
    )
    args = parser.parse_args()

    scenario = read_scenario(args.scenario)
    solve = SolveSettings(time_limit_s=args.time_limit, workers=args.workers)
    if args.zone_visits is not None:
        solve = solve.model_copy(update={"zone_visits": args.zone_visits})
    settings = Settings(solve=solve)
    began = time.monotonic()
    plan = solve_day(scenario, settings)
    wall = time.monotonic() - began
    violations = validate_plan(scenario, plan, HaversineTravel(settings.travel))
    figures = day_figures(scenario, plan)
    after = settings.break_after_minutes
    long_runs = sum(1 for r in plan.runs if after is not None and r.paid_minutes > after)
    with_break = sum(1 for r in plan.runs if r.break_start is not None)
    reasons = ", ".join(f"{k} {v}" for k, v in figures.unallocated_by_reason.items()) or "none"
    print(f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(HEADER)
    print(
        f"| {scenario.name} | {len(scenario.visits)} | {len(scenario.carers)} | "
        f"{args.time_limit:g} | {wall:.1f} | {figures.allocated_share:.1%} | {reasons} | "
        f"{figures.travel_minutes / 60:.1f} | {figures.utilisation:.0%} | "
        f"{long_runs} / {with_break} | "
        f"{'yes' if not violations else f'NO ({len(violations)})'} | "
        f"{plan.solver.zones if plan.solver else '-'} | "
        f"{_peak_mib(resource.RUSAGE_SELF):.0f} / {_peak_mib(resource.RUSAGE_CHILDREN):.0f} |"
    )


if __name__ == "__main__":
    main()
