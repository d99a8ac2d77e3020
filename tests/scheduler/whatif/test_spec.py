"""What-if specs and the changes they make: pure and quick, no solving here
(tests/scheduler/whatif/test_sweep.py plans them)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from scheduler.io.scenario import read_scenario
from scheduler.model.care import Location, Priority, Scenario, TravelMode
from scheduler.model.errors import InputError
from scheduler.whatif.spec import (
    BASE,
    MAX_VARIATIONS,
    Planned,
    Reader,
    Variation,
    WhatIfError,
    apply,
    expand,
    parse_spec,
    patches,
    prepare,
)
from tests.conftest import ROOT

SHIPPED_FOLDER = ROOT / "scenarios"


@pytest.fixture(scope="module")
def town() -> Scenario:
    return read_scenario(SHIPPED_FOLDER / "town")


def _planned(**changes: object) -> Planned:
    spec = parse_spec("base: town\nvariations: []")
    base = expand(spec)[0]
    variation = Variation.model_validate({"name": "v", **changes})
    return Planned(1, variation, base.settings)


def _issues(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        expand(parse_spec(text, "spec.yaml"), "spec.yaml")
    return [(i.row, i.column, i.message) for i in caught.value.issues]


# ---- reading a spec ---------------------------------------------------------------------------


def test_a_bad_field_is_named_with_its_line() -> None:
    text = "base: town\nvariations:\n  - name: wide\n    windows: {half_width: -5}\n"
    [(row, column, message)] = _issues(text)
    assert row == 4
    assert column == "variations.0.windows.half_width"
    assert "greater than or equal to 0" in message


def test_broken_yaml_names_its_line() -> None:
    [(row, _, message)] = _issues("base: town\nvariations:\n  - name: [unclosed\n")
    assert row is not None and row >= 3
    assert "not YAML or JSON" in message


def test_json_with_tabs_reads_as_json() -> None:
    spec = parse_spec('{\n\t"base": "small",\n\t"time_limit": 5\n}')
    assert spec.base == "small" and spec.time_limit == 5


def test_a_bad_setting_is_named_in_its_variation() -> None:
    text = "base: town\nvariations:\n  - name: x\n    settings: {continuity_weight: -1}\n"
    [(_, column, message)] = _issues(text)
    assert column == "variations.0.settings.continuity_weight"
    assert message.startswith("x:")


def test_names_are_unique_and_base_is_taken() -> None:
    text = "base: town\nvariations:\n  - name: base\n    carers: {change: 1}\n"
    [(_, column, message)] = _issues(text)
    assert column == "variations.0.name" and "two variations" in message


def test_an_axis_must_be_a_change_field() -> None:
    [(_, column, message)] = _issues("base: town\ngrids:\n  - axes: {staff: [1, 2]}\n")
    assert column == "grids.0"
    assert "not a change's field" in message


def test_windows_take_one_of_half_width_or_widen() -> None:
    [(_, _, message)] = _issues(
        "base: town\nvariations:\n  - name: w\n    windows: {half_width: 5, widen: 5}\n"
    )
    assert "one of them" in message


def test_grids_expand_to_every_point_after_the_listed_variations() -> None:
    spec = parse_spec(
        """
base: town
variations:
  - name: wide
    windows: {half_width: 45}
grids:
  - name: staff x windows
    axes:
      carers.change: [-5, 5]
      windows.half_width: {start: 15, stop: 45, step: 15}
    changes:
      settings: {continuity_weight: 300}
"""
    )
    planned = expand(spec)
    assert [p.name for p in planned[:2]] == [BASE, "wide"]
    points = planned[2:]
    assert len(points) == 6
    assert points[0].name == "staff x windows: carers.change=-5, windows.half_width=15"
    assert points[0].point == (("carers.change", -5), ("windows.half_width", 15))
    assert points[-1].variation.carers is not None and points[-1].variation.carers.change == 5
    assert points[-1].variation.windows is not None
    assert points[-1].variation.windows.half_width == 45
    assert {p.settings.continuity_weight for p in points} == {300}
    assert [p.index for p in planned] == list(range(8))
    assert planned[1].where == "variations.0" and points[0].where == "grids.0"


def test_every_plan_searches_on_one_core_with_the_spec_limits() -> None:
    planned = expand(parse_spec("base: town\ntime_limit: 7\nsolution_limit: 9\nseed: 3"))
    solve = planned[0].settings.solve
    assert (solve.time_limit_s, solve.solution_limit, solve.seed, solve.workers) == (7, 9, 3, 1)


def test_too_many_variations_are_refused() -> None:
    values = list(range(MAX_VARIATIONS + 1))
    [(_, column, message)] = _issues(f"base: town\ngrids:\n  - axes: {{carers.change: {values}}}\n")
    assert column == "grids.0" and str(MAX_VARIATIONS) in message


def test_prepare_names_an_unknown_base_and_a_missing_waiting_list(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no scenario 'nowhere'.*shipped: .*town"):
        prepare(parse_spec("base: nowhere"), tmp_path, "s.yaml")
    with pytest.raises(InputError, match="no scenario '../town'"):
        prepare(parse_spec("base: ../town"), None)  # the service: names only
    spec = parse_spec("base: small\nvariations: [{name: w, waiting_list: {}}]")
    with pytest.raises(InputError, match="takes people on from the waiting list"):
        prepare(spec, tmp_path)
    town_spec = parse_spec("base: town\nvariations: [{name: w, waiting_list: {people: 3}}]")
    ready = prepare(town_spec, tmp_path)
    assert ready.packages is not None and len(ready.packages) == 30


def test_travel_is_straight_line_road_or_an_extract() -> None:
    assert parse_spec("base: town").travel == "straight-line"
    for travel in ("road", "osm:maps/area.osm.pbf"):
        assert parse_spec(f"base: town\ntravel: {travel}").travel == travel
    [(row, column, message)] = _issues("base: town\nseed: 1\ntravel: bus\n")
    assert (row, column) == (3, "travel")
    assert "give straight-line, road" in message
    [(row, column, _)] = _issues("base: town\ntravel: 'osm:'\n")  # an extract needs a path
    assert (row, column) == (2, "travel")


def _refused(text: str, reader: Reader) -> tuple[int | None, str | None, str]:
    with pytest.raises(InputError) as caught:
        parse_spec(text, "spec", reader)
    [issue] = caught.value.issues
    return issue.row, issue.column, issue.message


def test_road_is_the_services_and_an_extract_the_command_lines() -> None:
    """The command line has no service's map to call road; the service opens no file a
    request names. A spec read as stored (no reader) takes either."""
    road = "base: town\nseed: 2\ntravel: road\n"
    row, column, message = _refused(road, Reader.COMMAND_LINE)
    assert (row, column) == (3, "travel")
    assert "give --travel osm:PATH or travel: osm:PATH" in message
    extract = '{"base": "town",\n "travel": "osm:/etc/area.osm.pbf"}'
    row, column, message = _refused(extract, Reader.SERVICE)
    assert (row, column) == (2, "travel")
    assert "may not name a file on the server" in message
    assert parse_spec(road, reader=Reader.SERVICE).travel == "road"
    assert parse_spec(extract, reader=Reader.COMMAND_LINE).travel == "osm:/etc/area.osm.pbf"
    assert parse_spec(road).travel == "road"


def test_an_extract_is_found_beside_the_spec(tmp_path: Path) -> None:
    ready = prepare(parse_spec("base: small\ntravel: osm:maps/area.osm.pbf"), tmp_path)
    assert ready.travel == f"osm:{tmp_path / 'maps' / 'area.osm.pbf'}"
    assert prepare(parse_spec("base: small\ntravel: road"), None).travel == "road"
    assert prepare(parse_spec("base: small"), None).travel == "straight-line"


# ---- the changes -----------------------------------------------------------------------------


def test_recruits_look_like_the_staff_and_live_in_their_patch(town: Scenario) -> None:
    made = apply(town, _planned(carers={"change": 5, "patch": "BT28", "pattern": "split"}), 0)
    recruits = made.scenario.carers[len(town.carers) :]
    assert len(recruits) == 5
    assert len({c.id for c in made.scenario.carers}) == len(town.carers) + 5
    centre = patches(town)["BT28"]
    for carer in recruits:
        assert carer.skills <= town.skills
        assert [(s.start, s.end) for s in carer.shifts] == [(420, 660), (990, 1320)]
        assert abs(carer.home.lat - centre.lat) < 0.15 and abs(carer.home.lon - centre.lon) < 0.2
    assert made.scenario.visits == town.visits


def test_leavers_take_their_preferences_pins_and_history_with_them(tiny_folder: Path) -> None:
    tiny = read_scenario(tiny_folder)
    pinned = tiny.model_copy(
        update={
            "visits": tuple(
                v.model_copy(update={"pinned_carer": "C1"}) if v.id == "V3" else v
                for v in tiny.visits
            )
        }
    )
    made = apply(pinned, _planned(carers={"leavers": ["C1"]}), 0).scenario
    assert [c.id for c in made.carers] == ["C2", "C3"]
    assert made.visit_by_id["V3"].pinned_carer is None
    assert all("C1" not in c.preferred_carers for c in made.clients)
    assert all(h.carer_id != "C1" for h in made.history)


def test_losing_carers_by_pattern_and_asking_too_much(town: Scenario) -> None:
    evening = [c for c in town.carers if [(s.start, s.end) for s in c.shifts] == [(960, 1320)]]
    made = apply(town, _planned(carers={"change": -3, "pattern": "evening"}), 0).scenario
    gone = set(town.carer_by_id) - set(made.carer_by_id)
    assert len(gone) == 3 and gone <= {c.id for c in evening}
    with pytest.raises(WhatIfError, match=f"cannot lose {len(evening) + 1} carers"):
        apply(town, _planned(carers={"change": -(len(evening) + 1), "pattern": "evening"}), 0)
    with pytest.raises(WhatIfError, match="no client lives in patch 'ZZ1'"):
        apply(town, _planned(carers={"change": -1, "patch": "ZZ1"}), 0)
    with pytest.raises(WhatIfError, match="shift pattern 'nights'"):
        apply(town, _planned(carers={"change": 1, "pattern": "nights"}), 0)


def test_more_demand_adds_the_calls_asked_for_on_every_date() -> None:
    week = read_scenario(SHIPPED_FOLDER / "town-week")
    made = apply(week, _planned(demand={"percent": 10}), 0).scenario
    added = [v for v in made.visits if v.id not in week.visit_by_id]
    assert len(added) == 40 * len(week.dates)  # 10 % of 400 calls a day
    for date in week.dates:
        assert sum(v.date == date for v in added) == 40
    assert len({v.id for v in made.visits}) == len(made.visits)
    new_clients = {v.client_id for v in added}
    assert new_clients <= set(made.client_by_id) and not new_clients & set(week.client_by_id)


def test_less_demand_removes_whole_clients(town: Scenario) -> None:
    made = apply(town, _planned(demand={"percent": -25}), 0).scenario
    assert 100 <= len(town.visits) - len(made.visits) < 104  # a client has at most four calls
    kept = set(made.client_by_id)
    assert all(v.client_id in kept for v in made.visits)
    assert all(h.client_id in kept for h in made.history)


def test_windows_move_but_medication_times_do_not(town: Scenario) -> None:
    made = apply(town, _planned(windows={"half_width": 45}), 0).scenario
    for before, after in zip(town.visits, made.visits, strict=True):
        if before.priority is Priority.CRITICAL:
            assert after == before
        else:
            middle = (before.earliest_start + before.latest_start) // 2
            assert after.earliest_start == max(0, middle - 45)
            assert after.latest_start == min(24 * 60 - before.duration, middle + 45)
    narrowed = apply(town, _planned(windows={"widen": -60, "critical": True}), 0).scenario
    assert all(v.earliest_start == v.latest_start for v in narrowed.visits)


def test_a_call_of_several_windows_gets_the_one_window_of_the_change(town: Scenario) -> None:
    # Built checked (not copied unchecked): its windows would no longer span its bounds.
    first = town.visits[0]
    if first.priority is Priority.CRITICAL:
        first = next(v for v in town.visits if v.priority is not Priority.CRITICAL)
    two = first.model_validate(
        {
            **dict(first),
            "earliest_start": 480,
            "latest_start": 720,
            "windows": ((480, 500), (700, 720)),
        }
    )
    day = town.model_copy(
        update={"visits": tuple(two if v.id == two.id else v for v in town.visits)}
    )
    made = apply(day, _planned(windows={"half_width": 45}), 0).scenario.visit_by_id[two.id]
    assert made.windows == () and (made.earliest_start, made.latest_start) == (555, 645)


def test_a_patch_walks(town: Scenario) -> None:
    made = apply(town, _planned(travel_mode={"mode": "walk", "patch": "BT27"}), 0).scenario
    changed = {c.id for c, b in zip(made.carers, town.carers, strict=True) if c != b}
    assert changed and all(made.carer_by_id[c].travel_mode is TravelMode.WALK for c in changed)
    centres = patches(town)
    scale = math.cos(math.radians(54.5))

    def nearest(home: Location) -> str:
        return min(
            centres,
            key=lambda c: math.hypot(
                home.lat - centres[c].lat, (home.lon - centres[c].lon) * scale
            ),
        )

    patch = {c.id for c in town.carers if nearest(c.home) == "BT27"}
    assert changed <= patch and len(patch) < len(town.carers)
    assert all(made.carer_by_id[c].travel_mode is TravelMode.WALK for c in patch)


def test_a_variation_is_the_same_whatever_sits_beside_it(town: Scenario) -> None:
    first = _planned(carers={"change": 4}, demand={"percent": 5})
    moved = Planned(7, first.variation, first.settings)
    assert apply(town, first, 0) == apply(town, moved, 0)
    assert apply(town, first, 1) != apply(town, first, 0)


def test_the_base_is_unchanged(town: Scenario) -> None:
    base = expand(parse_spec("base: town"))[0]
    assert apply(town, base, 0).scenario == town


def test_the_waiting_list_change_takes_the_first_people(town: Scenario) -> None:
    from scheduler.analysis.waiting import read_waiting_list

    packages = read_waiting_list(SHIPPED_FOLDER / "town" / "waiting.csv", town.skills)
    made = apply(town, _planned(waiting_list={"people": 4}), 0, packages)
    assert made.packages == packages[:4]
    with pytest.raises(WhatIfError, match="has none"):
        apply(town, _planned(waiting_list={}), 0, None)


def test_dates_are_kept() -> None:
    week = read_scenario(SHIPPED_FOLDER / "town-week")
    made = apply(week, _planned(carers={"change": 2}), 0).scenario
    assert made.dates == week.dates and made.date == dt.date(2026, 12, 1)
    recruits = made.carers[len(week.carers) :]
    assert all(len(c.shifts_on) == 2 for c in recruits)  # days off, as the carer copied
