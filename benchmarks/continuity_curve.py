"""How the continuity weight trades travel for familiar carers over a planned week.

    python -m benchmarks.continuity_curve SCENARIO --time-limit 2 --weights 0 100 300 1000
    python -m benchmarks.continuity_curve SCENARIO --weights 100 --cap 4 --team-weights 0 1000

Plans the week once per continuity weight and team weight (``Settings.team_weight``; 0 keeps
the cap on distinct carers per client greedily, day by day, without teams), under a cap of
``--cap`` distinct carers per client (0 means none), and prints one markdown row each: visits
covered, travel hours, familiar share, distinct carers per client (mean and most).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scheduler.analysis.metrics import week_figures
from scheduler.io.scenario import read_scenario
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.week import solve_week

NO_CAP = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds a day")
    parser.add_argument("--weights", type=int, nargs="+", default=[0, 100, 300, 1000])
    parser.add_argument("--cap", type=int, default=0, help="distinct carers a week (0: none)")
    parser.add_argument(
        "--team-weights",
        type=int,
        nargs="+",
        default=[Settings().team_weight],
        help="cost of a carer outside the client's team (0: no teams)",
    )
    args = parser.parse_args()
    scenario = read_scenario(args.scenario)
    print(
        "| continuity weight | team weight | covered | travel h | familiar "
        "| distinct carers per client | most |"
    )
    print("|---|---|---|---|---|---|---|")
    for weight in args.weights:
        for team_weight in args.team_weights:
            settings = Settings(
                continuity_weight=weight,
                team_weight=team_weight,
                max_carers_per_client_week=args.cap or NO_CAP,
                solve=SolveSettings(time_limit_s=args.time_limit),
            )
            figures = week_figures(scenario, solve_week(scenario, settings))
            print(
                f"| {weight} | {team_weight} | {figures.allocated_share:.1%} | "
                f"{figures.travel_minutes / 60:.1f} | {figures.familiar_share:.0%} | "
                f"{figures.distinct_carers_per_client:.2f} | "
                f"{figures.max_distinct_carers_per_client} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
