"""Road travel from an OpenStreetMap extract (issue 19): what it costs to build and ask, how far
roads are from straight lines, and what a plan timed on straight lines does on real roads.

    python -m benchmarks.travel --csv-dir benchmarks/results/DATE

1. **Network** (a synthetic grid town of about 200,000 nodes written as a PBF by
   ``scenarios.roads.write_grid_town``: one-way streets, a river with two bridges): per mode,
   the time and peak memory to read the extract into a graph (what the first use of an extract
   pays; later runs read the cache), each in a fresh process; then a 1500x1500 car table from
   the cached graph, in one process and in two.
2. **Ratios** on ``scenarios/helsinki`` (its own extract): per mode, over every pair of its
   homes and clients more than 200 m apart, road metres / great-circle metres and road
   minutes / straight-line minutes (``HaversineTravel``, circuity 1.3), median and p90.
3. **Driven on roads**: the Helsinki day planned on straight lines, then each carer's calls
   driven in the planned order on road times, starting each call as planned or on arrival
   (``scheduler.analysis.manual.rota_plans``) and checked by the validator on the road matrix
   (``rota_breaches``): calls starting later than planned and by how much, calls outside their
   window, carers home after their shift; beside the day planned on road times (valid on
   them by construction, checked all the same). Same time limit, same run.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from routing.haversine import HaversineTravel
from routing.road import RoadTravel, read_road_graph
from routing.travel import MODES, Place, TravelSettings
from scenarios.roads import relocate, write_grid_town
from scheduler.analysis.manual import Assignment, rota_breaches, rota_plans
from scheduler.io.scenario import read_scenario
from scheduler.io.shipped import shipped
from scheduler.model.care import Scenario
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from scheduler.rules.journeys import places_of

__all__ = ["main"]

T = TypeVar("T")


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _timed(task: Callable[..., T], *args: Any) -> tuple[float, float, T]:
    began = time.perf_counter()
    result = task(*args)
    return time.perf_counter() - began, _peak_mb(), result


def _alone(task: Callable[..., T], *args: Any) -> tuple[float, float, T]:
    """``task`` in a fresh process: its own time and peak memory, not this one's history."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_timed, task, *args).result()


def _idle() -> None:
    return None


def _read(extract: Path, mode: str) -> tuple[int, int]:
    graph = read_road_graph(extract, mode, TravelSettings())
    graph.largest_network()
    return graph.nodes, len(graph.tail)


def _table(extract: Path, cache: Path, places: list[Place], workers: int) -> float:
    travel = RoadTravel(extract, cache=cache, workers=workers)
    travel.graph("car")  # from the cache: the table alone is timed below
    began = time.perf_counter()
    legs = travel.matrix(places, "car")
    assert legs.minutes.shape == (len(places), len(places))
    return time.perf_counter() - began


def network_rows(streets: int, size: int, seed: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        town = write_grid_town(Path(folder) / "grid.osm.pbf", streets=streets, seed=seed)
        base_s, base_mb, _ = _alone(_idle)
        print(
            f"\n## Network: grid town {streets}x{streets} streets, {town.nodes:,} nodes, "
            f"{town.path.stat().st_size / 1e6:.1f} MB PBF (an idle process: {base_mb:.0f} MB)\n"
        )
        print("| step | mode | graph nodes | edges | seconds | peak MB |")
        print("|---|---|---:|---:|---:|---:|")
        for mode in MODES:
            seconds, peak, (nodes, edges) = _alone(_read, town.path, mode)
            rows.append(
                dict(step="read extract", mode=mode, nodes=nodes, edges=edges,
                     seconds=round(seconds, 2), peak_mb=round(peak))
            )  # fmt: skip
            print(f"| read extract | {mode} | {nodes:,} | {edges:,} | {seconds:.1f} | {peak:.0f} |")
        cache = Path(folder) / "cache"
        RoadTravel(town.path, cache=cache).graph("car")
        rng = np.random.default_rng(seed)
        places = [
            Place(f"p{k}", *town.junction(*rng.uniform(0, streets - 1, size=2)))
            for k in range(size)
        ]
        for workers in (1, 2):
            wall, peak, seconds = _alone(_table, town.path, cache, places, workers)
            step = f"{size}x{size} table, {workers} process{'es' if workers > 1 else ''}"
            rows.append(
                dict(step=step, mode="car", nodes=town.nodes, edges="", seconds=round(seconds, 2),
                     peak_mb=round(peak))
            )  # fmt: skip
            print(f"| {step} | car | {town.nodes:,} | | {seconds:.1f} | {peak:.0f} |")
    return rows


def ratio_rows(scenario: Scenario, road: RoadTravel) -> list[dict[str, object]]:
    places = places_of(scenario)
    straight = HaversineTravel()
    crow = straight.matrix(places, "car").metres / straight.settings.circuity
    apart = crow > 200
    print(f"\n## Road against straight line: {scenario.name}, {len(places)} places\n")
    print("| mode | pairs | metres median | metres p90 | minutes median | minutes p90 |")
    print("|---|---:|---:|---:|---:|---:|")
    rows: list[dict[str, object]] = []
    for mode in MODES:
        legs = road.matrix(places, mode)
        line = straight.matrix(places, mode)
        metres = legs.metres[apart] / crow[apart]
        minutes = legs.minutes[apart] / line.minutes[apart]
        row = dict(
            mode=mode,
            pairs=int(apart.sum()),
            metres_median=round(float(np.median(metres)), 3),
            metres_p90=round(float(np.percentile(metres, 90)), 3),
            minutes_median=round(float(np.median(minutes)), 3),
            minutes_p90=round(float(np.percentile(minutes, 90)), 3),
        )
        rows.append(row)
        print("| " + " | ".join(str(v) for v in row.values()) + " |")
    return rows


def _assignments(plan: Plan) -> list[Assignment]:
    return [
        Assignment(carer_id=run.carer_id, date=plan.date, visit_id=stop.visit_id, start=stop.start)
        for run in plan.runs
        for stop in run.stops
    ]


def driven_rows(
    scenario: Scenario, road: RoadTravel, limits: Sequence[float]
) -> list[dict[str, object]]:
    print(f"\n## Driven on roads: {scenario.name}\n")
    print(
        "| planned on | limit s | covered | calls later than planned | minutes later (sum, max) "
        "| outside window | home after shift | road travel h | violations on roads |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    straight = HaversineTravel()
    rows: list[dict[str, object]] = []
    for limit in limits:
        settings = Settings(solve=SolveSettings(time_limit_s=limit))
        for name, travel in (("straight lines", straight), ("roads", road)):
            plan = solve_day(scenario, settings, travel)
            assignments = _assignments(plan)
            driven = rota_plans(scenario, assignments, road, settings)[0]
            breaches = rota_breaches(scenario, assignments, (driven,), road)
            later = [b for b in breaches if b.code == "late_start"]
            minutes = [b.minutes or 0 for b in later]
            row = dict(
                day=scenario.name,
                planned_on=name,
                limit_s=limit,
                covered=len({s.visit_id for r in plan.runs for s in r.stops}),
                later_than_planned=len(later),
                minutes_later_sum=sum(minutes),
                minutes_later_max=max(minutes, default=0),
                outside_window=sum(b.code == "outside_window" for b in breaches),
                after_shift=sum(b.code == "after_shift" for b in breaches),
                road_travel_h=round(
                    sum(s.travel_minutes for r in driven.runs for s in r.stops) / 60
                    + sum(r.home_travel_minutes for r in driven.runs) / 60,
                    1,
                ),
                violations_on_roads=len(validate_plan(scenario, plan, road))
                if name == "roads"
                else "",
            )
            rows.append(row)
            print(
                f"| {name} | {limit:g} | {row['covered']} | {row['later_than_planned']} | "
                f"{row['minutes_later_sum']}, {row['minutes_later_max']} | "
                f"{row['outside_window']} | {row['after_shift']} | {row['road_travel_h']} | "
                f"{row['violations_on_roads']} |"
            )
    return rows


def _on_a_grid(name: str, folder: Path) -> tuple[Scenario, RoadTravel]:
    """``name``'s day moved onto a 60x60-street grid town (7 km across: one-way streets, a
    river with two bridges), each home and client within 60 m of a street, modes as they were."""
    source = shipped(name) or Path(name)
    town = write_grid_town(folder / "grid.osm.pbf", streets=60, seed=1)
    modes = {carer.id: carer.travel_mode.value for carer in read_scenario(source).carers}
    relocate(source, town.path, folder / name, modes, seed=1)
    day = read_scenario(folder / name)
    return day.model_copy(update={"name": f"{name} on a grid town"}), RoadTravel(
        town.path, cache=folder / "grid-cache"
    )


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--streets", type=int, default=200, help="grid town size (200: ~200k nodes)"
    )
    parser.add_argument("--table", type=int, default=1500, help="places in the car table")
    parser.add_argument("--scenario", default="helsinki")
    parser.add_argument("--time-limits", type=float, nargs="+", default=[10.0, 30.0])
    parser.add_argument(
        "--grid-day", default="town", help="also this day moved onto a grid town ('' for none)"
    )
    parser.add_argument("--skip-network", action="store_true")
    parser.add_argument("--csv-dir", type=Path, help="write travel-*.csv here")
    args = parser.parse_args(argv)
    print(
        f"# {platform.node()}, Python {platform.python_version()}, osmium "
        f"{metadata.version('osmium')}, scipy {metadata.version('scipy')}, OR-Tools "
        f"{metadata.version('ortools')}"
    )
    network = [] if args.skip_network else network_rows(args.streets, args.table, seed=0)
    folder = shipped(args.scenario) or Path(args.scenario)
    scenario = read_scenario(folder)
    extract = next(folder.glob("*.osm.pbf"))
    with tempfile.TemporaryDirectory() as cache:
        road = RoadTravel(extract, cache=Path(cache))
        ratios = ratio_rows(scenario, road)
        driven = driven_rows(scenario, road, args.time_limits)
        if args.grid_day:
            day, grid = _on_a_grid(args.grid_day, Path(cache))
            ratios += ratio_rows(day, grid)
            driven += driven_rows(day, grid, args.time_limits)
    if args.csv_dir is not None:
        _write(args.csv_dir / "travel-network.csv", network)
        _write(args.csv_dir / "travel-ratios.csv", ratios)
        _write(args.csv_dir / "travel-driven.csv", driven)
    bad = [row for row in driven if row["violations_on_roads"] not in ("", 0)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
