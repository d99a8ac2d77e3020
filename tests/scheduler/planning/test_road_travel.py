"""A day planned on road times: valid on the same roads, a client no road reaches left out
with the reason ``unreachable``, a leg with no route named by the validator, and the command
line's ``--travel osm:`` from solve to validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.road import RoadTravel
from routing.travel import UNREACHABLE_MINUTES
from scenarios.roads import GridTown, write_grid_town
from scheduler.cli import main
from scheduler.io.plans import read_plan
from scheduler.io.scenario import load_scenario
from scheduler.io.travel import road_notes
from scheduler.model.plan import Unallocated
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from tests.conftest import ROOT, write_folder

FAST = Settings(solve=SolveSettings(time_limit_s=5, solution_limit=50))


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> GridTown:
    return write_grid_town(
        tmp_path_factory.mktemp("roads") / "town.osm.pbf", streets=12, island=True
    )


def _day(town: GridTown, folder: Path) -> Path:
    """Two carers (a driver, a walker) and three clients, one of them on the island."""
    assert town.island is not None
    (a_lat, a_lon), (b_lat, b_lon) = town.junction(1, 1), town.junction(9, 8)
    (k1_lat, k1_lon), (k2_lat, k2_lon) = town.junction(4, 4), town.junction(8, 2)
    carers = (
        "id,name,home_lat,home_lon,shifts,travel_mode\n"
        f"D1,Dee Driver,{a_lat:.6f},{a_lon:.6f},07:00-15:00,car\n"
        f"W1,Wil Walker,{b_lat:.6f},{b_lon:.6f},07:00-15:00,walk\n"
    )
    clients = (
        "id,name,lat,lon\n"
        f"K1,One,{k1_lat:.6f},{k1_lon:.6f}\n"
        f"K2,Two,{k2_lat:.6f},{k2_lon:.6f}\n"
        f"K3,Island,{town.island[0]:.6f},{town.island[1]:.6f}\n"
    )
    visits = (
        "id,client_id,date,earliest_start,latest_start,duration_minutes\n"
        "V1,K1,2026-12-01,08:00,09:00,30\n"
        "V2,K2,2026-12-01,08:00,10:00,30\n"
        "V3,K3,2026-12-01,09:00,11:00,30\n"
        "V4,K1,2026-12-01,12:00,13:00,30\n"
    )
    return write_folder(folder, carers=carers, clients=clients, visits=visits, history=None)


def test_a_client_no_road_reaches_is_left_out_as_unreachable(
    town: GridTown, tmp_path: Path
) -> None:
    scenario = load_scenario(_day(town, tmp_path / "day")).scenario
    travel = RoadTravel(town.path, cache=tmp_path / "cache")
    plan = solve_day(scenario, FAST, travel)
    assert validate_plan(scenario, plan, travel) == []
    (left,) = plan.unallocated
    assert (left.visit_id, left.reason_code) == ("V3", "unreachable")
    assert sum(len(run.stops) for run in plan.runs) == 3
    assert road_notes(travel, scenario) == []  # on a road, if not one that joins the others


def test_a_leg_with_no_route_is_named_by_the_validator(town: GridTown, tmp_path: Path) -> None:
    scenario = load_scenario(_day(town, tmp_path / "day")).scenario
    travel = RoadTravel(town.path, cache=tmp_path / "cache")
    plan = solve_day(scenario, FAST, travel)
    run = next(run for run in plan.runs if run.stops)
    stop = run.stops[0]
    island = stop.model_copy(update={"visit_id": "V3", "client_id": "K3"})
    runs = tuple(
        r.model_copy(update={"stops": (island, *r.stops[1:])}) if r is run else r for r in plan.runs
    )
    displaced = Unallocated(
        visit_id=stop.visit_id, client_id=stop.client_id, reason_code="no_capacity", reason="-"
    )
    forced = plan.model_copy(update={"runs": runs, "unallocated": (displaced,)})
    codes = {v.code for v in validate_plan(scenario, forced, travel)}
    assert "unreachable" in codes
    assert not any(
        stop.travel_minutes >= UNREACHABLE_MINUTES for r in plan.runs for stop in r.stops
    )


def test_a_client_far_from_any_road_is_a_note_naming_only_the_client(
    town: GridTown, tmp_path: Path
) -> None:
    folder = _day(town, tmp_path / "day")
    lat, lon = town.junction(0, 3)
    with (folder / "clients.csv").open("a") as clients:
        clients.write(f"K4,Far Away,{lat - 0.01:.6f},{lon:.6f}\n")  # 1.1 km south of town
    with (folder / "visits.csv").open("a") as visits:
        visits.write("V5,K4,2026-12-01,09:00,12:00,30\n")
    scenario = load_scenario(folder).scenario
    travel = RoadTravel(town.path, cache=tmp_path / "cache")
    plan = solve_day(scenario, FAST, travel)
    assert validate_plan(scenario, plan, travel) == []
    notes = road_notes(travel, scenario)
    assert len(notes) == 2  # the driver's map and the walker's
    assert all(note.startswith("client K4 is 1,1") for note in notes)
    assert not any("Far Away" in note for note in notes)
    assert "a car may use" in notes[0] and "a walker may use" in notes[1]


def test_helsinki_on_its_roads_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extract = ROOT / "scenarios" / "helsinki" / "Helsinki.osm.pbf"
    cached = tmp_path / "Helsinki.osm.pbf"
    cached.write_bytes(extract.read_bytes())  # its cache beside it, not in the repository
    out = tmp_path / "out"
    road = f"osm:{cached}"
    assert (
        main(["solve", "helsinki", "--travel", road, "--solution-limit", "20", "--out", str(out)])
        == 0
    )
    plan = read_plan(out / "plan.json")
    assert plan.travel == "osm:Helsinki.osm.pbf"
    assert list((tmp_path / "Helsinki.osm.pbf.domcare").glob("*.npz"))
    first = capsys.readouterr()
    heard = " ".join(first.out.split())
    assert (
        "Travel timed on the roads of Helsinki.osm.pbf (bike, car, walk); reading the map" in heard
    )
    said = " ".join(first.err.split())
    assert "Roads of Helsinki.osm.pbf: places joined the network" in said
    assert "walk median" in said and "car median" in said
    assert main(["validate", "helsinki", str(out / "plan.json"), "--travel", road]) == 0
    again = ["solve", "helsinki", "--travel", road, "--solution-limit", "5", "--out", str(out)]
    capsys.readouterr()
    assert main(again) == 0
    heard = " ".join(capsys.readouterr().out.split())
    assert "roads of Helsinki.osm.pbf" in heard and "reading the map" not in heard  # cached
    # checked on straight lines it would break on every leg: refused, saying what to give
    assert main(["validate", "helsinki", str(out / "plan.json")]) == 2


def test_a_day_planned_on_roads_is_replanned_on_them(tmp_path: Path) -> None:
    extract = tmp_path / "Helsinki.osm.pbf"
    extract.write_bytes((ROOT / "scenarios" / "helsinki" / "Helsinki.osm.pbf").read_bytes())
    road = f"osm:{extract}"
    out, again = tmp_path / "out", tmp_path / "again"
    solve = ["solve", "helsinki", "--travel", road, "--solution-limit", "20", "--out", str(out)]
    assert main(solve) == 0
    events = tmp_path / "events.csv"
    events.write_text("")  # nothing happened: the rest of the day planned again
    replan = ["replan", "helsinki", str(out / "plan.json"), str(events), "--at", "11:00"]
    limits = ["--solution-limit", "20", "--out", str(again)]
    assert main([*replan, *limits]) == 2  # the plan is on roads: straight lines refused
    assert main([*replan, "--travel", road, *limits]) == 0
    assert read_plan(again / "plan.json").travel == "osm:Helsinki.osm.pbf"
