"""Plan one scenario day as `domcare solve` does and report what a planner would ask of it.

    python -m benchmarks.rota_day scenarios/district --time-limit 120
    python -m benchmarks.rota_day scenarios/town --time-limit 10 --short --engine pyvrp
    python -m benchmarks.rota_day gen3000 --time-limit 30
    python -m benchmarks.rota_day scenarios/town --time-limit 10 --short --late-tolerance 15

``--short`` keeps only each carer's first shift (the short-staffed day of docs/search.md);
``--engine`` chooses the first search (``Settings.solve.engine``); ``--late-tolerance`` lets
normal calls start that many minutes late (``Settings.late_tolerance_minutes``).

Prints one markdown row: visits, carers, wall seconds, share allocated, critical visits left
out, late calls and their minutes, the plan's objective, the first search that ran,
unallocated by reason, travel and utilisation, runs worked longer than the break limit (less
their break) and runs holding a break, whether the validator passed, and peak memory (the
largest resident set of this process and of the zone workers, in MiB, from ``getrusage``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from pathlib import Path

from benchmarks.relaxed import GENERATED, GENERATED_SEED
from routing.haversine import HaversineTravel
from scenarios.generator import generate
from scheduler.analysis.metrics import day_figures
from scheduler.io.scenario import read_scenario
from scheduler.model.care import Priority, Scenario
from scheduler.model.settings import Engine, Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan

HEADER = (
    "| scenario | visits | carers | limit s | wall s | allocated | critical out | late (min) | "
    "objective | "
    "first search | unallocated by reason | "
    "travel h | utilisation | runs over the break limit / with a break | valid | zones | "
    "peak MiB (main / worker) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def first_shifts_only(scenario: Scenario) -> Scenario:
    """``scenario`` short-staffed: each carer works only the first shift of the day."""
    carers = tuple(
        carer.model_copy(update={"shifts": carer.shifts_for(scenario.date)[:1], "shifts_on": ()})
        for carer in scenario.carers
    )
    return scenario.model_copy(update={"name": f"{scenario.name}-short", "carers": carers})


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "scenario", help="a scenario folder, or gen<visits> for a generated day (gen3000)"
    )
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--zone-visits",
        type=int,
        default=None,
        help="zones of at most this many visits, whether or not the day is searched whole "
        "afterwards (default: settings)",
    )
    parser.add_argument("--engine", choices=[e.value for e in Engine], default=None)
    parser.add_argument("--pyvrp-share", type=float, default=None)
    parser.add_argument("--short", action="store_true", help="each carer's first shift only")
    parser.add_argument("--late-tolerance", type=int, default=0, help="minutes a call may be late")
    args = parser.parse_args()

    generated = GENERATED.fullmatch(args.scenario)
    scenario = (
        generate(int(generated[1]), seed=GENERATED_SEED, name=args.scenario)
        if generated
        else read_scenario(Path(args.scenario))
    )
    if args.short:
        scenario = first_shifts_only(scenario)
    solve = SolveSettings(time_limit_s=args.time_limit, workers=args.workers)
    if args.engine is not None:
        solve = solve.model_copy(update={"engine": Engine(args.engine)})
    if args.pyvrp_share is not None:
        solve = solve.model_copy(update={"pyvrp_share": args.pyvrp_share})
    if args.zone_visits is not None:
        sizes = {"zone_visits": args.zone_visits, "joined_zone_visits": args.zone_visits}
        solve = solve.model_copy(update=sizes)
    settings = Settings(solve=solve, late_tolerance_minutes=args.late_tolerance)
    began = time.monotonic()
    plan = solve_day(scenario, settings)
    wall = time.monotonic() - began
    violations = validate_plan(scenario, plan, HaversineTravel(settings.travel))
    figures = day_figures(scenario, plan)
    after = settings.break_after_minutes
    long_runs = sum(1 for r in plan.runs if after is not None and r.paid_minutes > after)
    with_break = sum(1 for r in plan.runs if r.break_start is not None)
    priority = {visit.id: visit.priority for visit in scenario.visits}
    critical_out = sum(1 for u in plan.unallocated if priority[u.visit_id] is Priority.CRITICAL)
    reasons = ", ".join(f"{k} {v}" for k, v in figures.unallocated_by_reason.items()) or "none"
    print(f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(HEADER)
    print(
        f"| {scenario.name} | {len(scenario.visits)} | {len(scenario.carers)} | "
        f"{args.time_limit:g} | {wall:.1f} | {figures.allocated_share:.1%} | {critical_out} | "
        f"{figures.late_calls} ({figures.late_minutes}) | "
        f"{plan.cost.total if plan.cost else '-'} | "
        f"{plan.solver.first_search if plan.solver else '-'} | {reasons} | "
        f"{figures.travel_minutes / 60:.1f} | {figures.utilisation:.0%} | "
        f"{long_runs} / {with_break} | "
        f"{'yes' if not violations else f'NO ({len(violations)})'} | "
        f"{plan.solver.zones if plan.solver else '-'} | "
        f"{_peak_mib(resource.RUSAGE_SELF):.0f} / {_peak_mib(resource.RUSAGE_CHILDREN):.0f} |"
    )


if __name__ == "__main__":
    main()
