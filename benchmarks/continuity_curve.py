"""How the continuity weight trades travel for familiar carers over a planned week.

    python -m benchmarks.continuity_curve SCENARIO --time-limit 2 --weights 0 100 300 1000

Plans the week once per weight (and cap on distinct carers per client, ``--cap``; 0 means
none) and prints one markdown row each: visits covered, travel hours, familiar share,
distinct carers per client.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scheduler.scenario_io import read_scenario
from scheduler.settings import Settings, SolveSettings
from scheduler.week import solve_week, week_figures

NO_CAP = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds a day")
    parser.add_argument("--weights", type=int, nargs="+", default=[0, 100, 300, 1000])
    parser.add_argument("--cap", type=int, default=0, help="distinct carers a week (0: none)")
    args = parser.parse_args()
    scenario = read_scenario(args.scenario)
    print("| continuity weight | covered | travel h | familiar | distinct carers per client |")
    print("|---|---|---|---|---|")
    for weight in args.weights:
        settings = Settings(
            continuity_weight=weight,
            max_carers_per_client_week=args.cap or NO_CAP,
            solve=SolveSettings(time_limit_s=args.time_limit),
        )
        figures = week_figures(scenario, solve_week(scenario, settings))
        print(
            f"| {weight} | {figures.allocated_share:.1%} | {figures.travel_minutes / 60:.1f} | "
            f"{figures.familiar_share:.0%} | {figures.distinct_carers_per_client:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
