"""Re-planning during the day against a fresh solve of the rest of it (issue 18).

    python -m benchmarks.replan town --at 11:00 --seeds 1 2 3 4 --time-limit 10 \\
        --csv benchmarks/results/DATE/replan-town.csv

The day is planned once (``solve_day``, the same time limit). Then, per seed, events are
drawn: two carers with calls after ``--at`` go off for the rest of the day from ``--at``, one
planned call after it is cancelled, and one call of 30 minutes is added for a random client
with an hour's window later in the day. Both ways then plan the rest of the day, in the same
run, one after the other, with the same time limit:

- ``afresh``: the rest of the day planned from nothing by ``solve_day`` (zones and all), the
  begun calls pinned, with no price on change (``replan_day(..., afresh=True)``,
  ``scheduler.planning.history.afresh_day``), as a plain re-solve would;
- ``replan``: domcare's re-plan from the plan (``replan_day``).

Each plan is checked by ``validate_plan`` on the day as it then stands. Columns: the calls
nobody asked to change (``unaffected``), the share of them with another carer or left out
(``other_carer_pct``) and moved by more than the band (``moved_pct``), the orphans and the
added call placed, the travel minutes of legs arriving at or after ``--at`` (and the way
home), the wall time, the violations found (0 for a valid plan) and the begun calls whose
carer or start changed (0: history kept; the fresh solve pins one carer of a pair).
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from importlib import metadata
from pathlib import Path

from routing.haversine import HaversineTravel
from scheduler.analysis.changes import change_list, visits_of
from scheduler.io.scenario import read_scenario
from scheduler.io.shipped import shipped
from scheduler.model.care import Scenario, Visit
from scheduler.model.clock import parse_clock
from scheduler.model.events import CarerOff, Event, VisitAdded, VisitCancelled
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.planning.replan import Replanned, replan_day
from scheduler.rules.day import validate_plan

__all__ = ["ReplanRow", "draw_events", "main", "travel_after"]


@dataclass(frozen=True)
class ReplanRow:
    day: str
    seed: int
    way: str
    limit_s: float
    unaffected: int
    other_carer: int
    other_carer_pct: float
    moved: int
    moved_pct: float
    dropped: int
    orphans: int
    orphans_placed: int
    added_placed: int
    travel_after_min: int
    wall_s: float
    violations: int
    history_changed: int
    """Calls begun before ``--at`` now with other carers or another start: must be 0."""
    status: str
    """The search's status (``SolverInfo.status``)."""


def draw_events(scenario: Scenario, plan: Plan, at: int, seed: int) -> tuple[Event, ...]:
    """Two carers off from ``at`` for the rest of the day (carers with calls after it), one
    planned call after ``at`` cancelled, one 30-minute call added later in the day."""
    rng = random.Random(seed)
    busy = sorted(
        {run.carer_id for run in plan.runs for stop in run.stops if stop.start >= at + 30}
    )
    off = rng.sample(busy, 2)
    later = sorted(
        stop.visit_id
        for run in plan.runs
        if run.carer_id not in off
        for stop in run.stops
        if stop.start >= at + 60
    )
    cancelled = rng.choice(later)
    client = rng.choice(scenario.clients)
    earliest = rng.randrange(at + 60, max(at + 61, 19 * 60), 5)
    added = Visit(
        id=f"ADDED-{seed}",
        client_id=client.id,
        date=scenario.date,
        earliest_start=earliest,
        latest_start=earliest + 60,
        duration=30,
    )
    return (
        *(CarerOff(carer_id=carer, start=at) for carer in off),
        VisitCancelled(visit_id=cancelled),
        VisitAdded(visit=added),
    )


def travel_after(plan: Plan, at: int) -> int:
    """Minutes of the legs arriving at or after ``at``, and of the ways home after it."""
    legs = sum(stop.travel_minutes for run in plan.runs for stop in run.stops if stop.arrival >= at)
    home = sum(run.home_travel_minutes for run in plan.runs if run.return_home >= at)
    return legs + home


def _row(
    name: str, seed: int, way: str, limit: float, replanned: Replanned, wall: float, found: int
) -> ReplanRow:
    changes = change_list(replanned)
    share = lambda n: round(100 * n / changes.unaffected, 2) if changes.unaffected else 0.0  # noqa: E731
    placed, orphans = changes.placed("orphan")
    added, _ = changes.placed("added")
    return ReplanRow(
        day=name,
        seed=seed,
        way=way,
        limit_s=limit,
        unaffected=changes.unaffected,
        other_carer=changes.other_carer,
        other_carer_pct=share(changes.other_carer),
        moved=changes.moved,
        moved_pct=share(changes.moved),
        dropped=changes.dropped,
        orphans=orphans,
        orphans_placed=placed,
        added_placed=added,
        travel_after_min=travel_after(replanned.plan, replanned.at),
        wall_s=round(wall, 2),
        violations=found,
        history_changed=_history_changed(replanned),
        status=replanned.plan.solver.status if replanned.plan.solver else "",
    )


def _history_changed(replanned: Replanned) -> int:
    before, after = visits_of(replanned.before), visits_of(replanned.plan)
    return sum(after.get(v) != before.get(v) for v in replanned.begun if v in before)


def run(name: str, at: int, seeds: Sequence[int], limit: float) -> list[ReplanRow]:
    folder = shipped(name) or Path(name)
    scenario = read_scenario(folder)
    settings = Settings(solve=SolveSettings(time_limit_s=limit))
    travel = HaversineTravel(settings.travel)
    plan = solve_day(scenario, settings, travel)
    rows = []
    for seed in seeds:
        events = draw_events(scenario, plan, at, seed)
        for way in ("afresh", "replan"):
            began = time.monotonic()
            replanned = replan_day(
                scenario, plan, events, at, settings, travel, afresh=way == "afresh"
            )
            wall = time.monotonic() - began
            found = len(validate_plan(replanned.scenario, replanned.plan, travel))
            row = _row(scenario.name, seed, way, limit, replanned, wall, found)
            print(_line(row), flush=True)
            rows.append(row)
    return rows


COLUMNS = [f.name for f in fields(ReplanRow)]


def _line(row: ReplanRow) -> str:
    return "| " + " | ".join(str(v) for v in asdict(row).values()) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("days", nargs="+", help="scenario folders or shipped names (town)")
    parser.add_argument("--at", default="11:00")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--csv", type=Path, help="also write the rows to this CSV")
    args = parser.parse_args(argv)
    at = parse_clock(args.at)
    print(
        f"# {platform.node()}, Python {platform.python_version()}, OR-Tools "
        f"{metadata.version('ortools')}, at {args.at}, {args.time_limit:g} s"
    )
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    rows = [row for day in args.days for row in run(day, at, args.seeds, args.time_limit)]
    if args.csv is not None:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        with args.csv.open("w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(asdict(row) for row in rows)
    return 0 if all(row.violations == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
