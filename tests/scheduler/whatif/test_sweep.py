"""Sweeps planned one at a time, in a process pool and on a Dask LocalCluster: the same rows
for the same spec and seed, every plan valid, a failed variation in its row."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from routing.haversine import HaversineTravel
from scheduler.cli import main
from scheduler.io.scenario import read_scenario
from scheduler.render.whatif_report import results_csv
from scheduler.rules.day import validate_plan
from scheduler.whatif.spec import apply, expand, parse_spec, prepare
from scheduler.whatif.sweep import (
    KEPT_HEAP,
    Solved,
    SweepResult,
    SweepRow,
    VariationJob,
    _pool,
    heap_kept,
    plan_variation,
    sweep,
)
from tests.conftest import ROOT

SHIPPED_FOLDER = ROOT / "scenarios"

SPEC = """
base: small
time_limit: 30
solution_limit: 15
variations:
  - name: recruit two
    carers: {change: 2}
  - name: wide windows
    windows: {half_width: 45}
  - name: lose four evening carers
    carers: {change: -4, pattern: evening}
grids:
  - name: continuity
    axes:
      settings.continuity_weight: [0, 300]
"""


def _sweep(**where: object) -> tuple[SweepResult, list[Solved]]:
    ready = prepare(parse_spec(SPEC), SHIPPED_FOLDER)
    return sweep(ready.scenario, ready.planned, ready.spec.seed, ready.packages, **where)  # type: ignore[arg-type]


def _figures(row: SweepRow) -> dict[str, object]:
    return row.model_dump(exclude={"seconds"})


@pytest.fixture(scope="module")
def serial() -> tuple[SweepResult, list[Solved]]:
    return _sweep(workers=1)


def test_each_variation_is_planned_and_valid(serial: tuple[SweepResult, list[Solved]]) -> None:
    result, solved = serial
    small = read_scenario(SHIPPED_FOLDER / "small")
    assert [r.name for r in result.rows][:2] == ["base", "recruit two"]
    done = {r.name: r for r in result.rows if r.status == "done"}
    assert set(done) == {r.name for r in result.rows} - {"lose four evening carers"}
    assert done["base"].visits == 60 and done["base"].carers == len(small.carers)
    assert done["recruit two"].carers == len(small.carers) + 2
    ready = prepare(parse_spec(SPEC), SHIPPED_FOLDER)
    for planned, item in zip(ready.planned, solved, strict=True):
        if item.summary is None:
            continue
        made = apply(ready.scenario, planned, ready.spec.seed)  # checked again, from outside
        [plan] = item.plans
        assert validate_plan(made.scenario, plan, HaversineTravel(planned.settings.travel)) == []
        assert plan.settings == planned.settings


def test_a_variation_that_cannot_be_made_fails_in_its_row(
    serial: tuple[SweepResult, list[Solved]],
) -> None:
    result, _ = serial
    [failed] = [r for r in result.rows if r.status == "failed"]
    assert failed.name == "lose four evening carers"
    assert (
        failed.error is not None and "cannot lose 4 carers: 2 live working evening" in failed.error
    )
    assert failed.visits_covered is None and failed.cost is None


def test_released_hours_are_against_the_base(serial: tuple[SweepResult, list[Solved]]) -> None:
    result, solved = serial
    base = solved[0].summary
    assert base is not None and result.rows[0].released_hours is None
    for row, item in zip(result.rows[1:], solved[1:], strict=True):
        if item.summary is None:
            continue
        ours = sum(d.non_contact_minutes for d in item.summary.days)
        gross = (sum(d.non_contact_minutes for d in base.days) - ours) / 60
        if row.released_note is None:
            assert row.released_hours == pytest.approx(gross, abs=0.01)
        else:
            assert row.released_hours is None and "not counted" in row.released_note


def test_the_pool_gives_the_same_rows(serial: tuple[SweepResult, list[Solved]]) -> None:
    result, _ = serial
    pooled, _ = _sweep(workers=2)
    assert pooled.ran_on == "process pool, 2 workers"
    assert [_figures(r) for r in pooled.rows] == [_figures(r) for r in result.rows]


def test_a_dask_local_cluster_gives_the_same_rows(
    serial: tuple[SweepResult, list[Solved]],
) -> None:
    pytest.importorskip("distributed")
    result, _ = serial
    clustered, _ = _sweep(workers=2, dask="local")
    assert clustered.ran_on == "Dask LocalCluster, 2 workers"
    assert [_figures(r) for r in clustered.rows] == [_figures(r) for r in result.rows]


def _dies_on_first(task: VariationJob) -> Solved:
    if task.index == 1:
        os._exit(3)  # as a solver crash or the out-of-memory killer would
    return plan_variation(task)


def test_a_worker_that_dies_fails_its_variation_and_the_sweep_goes_on() -> None:
    ready = prepare(parse_spec(SPEC), SHIPPED_FOLDER)
    tasks = [VariationJob(p.index, p.name, apply(ready.scenario, p, 0)) for p in ready.planned[:3]]
    results = {s.index: s for s in _pool(tasks, 2, work=_dies_on_first)}
    assert set(results) == {0, 1, 2}
    assert results[1].error is not None and "worker process died" in results[1].error
    assert results[0].summary is not None and results[2].summary is not None


def test_the_table_as_csv(serial: tuple[SweepResult, list[Solved]]) -> None:
    result, _ = serial
    lines = results_csv(result).splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["index", "name", "status"]
    assert header[-1] == "settings.continuity_weight"
    assert lines[1].startswith("0,base,done,15,60,60,")
    assert any(",failed," in line for line in lines)
    assert len(lines) == 1 + len(result.rows)


def test_domcare_whatif_writes_the_table_plots_and_plans(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "base: small\ntime_limit: 20\nsolution_limit: 10\n"
        "variations: [{name: recruit one, carers: {change: 1}}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["whatif", str(spec), "--workers", "1", "--out", str(out)]) == 0
    for name in ("whatif.csv", "whatif.json", "coverage.svg", "tradeoff.svg", "report.html"):
        assert (out / name).stat().st_size > 0
    assert sorted(p.name for p in (out / "plans").iterdir()) == ["000.json", "001.json"]
    assert "recruit one" in (out / "report.html").read_text(encoding="utf-8")


def test_domcare_whatif_refuses_a_bad_spec_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("base: small\nvariations:\n  - name: x\n    demand: {percent: 900}\n")
    assert main(["whatif", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "spec.yaml row 4 column variations.0.demand.percent" in err
    assert not (tmp_path / "out").exists()


def test_the_shipped_specs_read() -> None:
    for path in sorted((SHIPPED_FOLDER / "whatif").glob("*.yaml")):
        ready = prepare(parse_spec(path.read_text(encoding="utf-8")), path.parent)
        assert len(ready.planned) > 1
    town = expand(parse_spec((SHIPPED_FOLDER / "whatif" / "town.yaml").read_text(encoding="utf-8")))
    assert len(town) == 13  # twelve questions and the base


class _FakeLibc:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad, 0))
        return 1


def test_a_dask_worker_keeps_its_heap_while_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 (OR-Tools then ran 8x slower): the
    threshold is raised for the plan, then put back and the heap trimmed."""
    libc = _FakeLibc()
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    with heap_kept(libc):
        assert libc.calls == [("mallopt", -1, KEPT_HEAP)]
    assert libc.calls[1:] == [("mallopt", -1, 65536), ("malloc_trim", 0, 0)]
    untouched = _FakeLibc()
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    with heap_kept(untouched):
        pass
    assert untouched.calls == []


def test_a_week_sweeps_day_by_day_and_is_checked_as_a_week(tmp_path: Path) -> None:
    from scenarios.generator import generate_week
    from scheduler.io.scenario import write_scenario
    from scheduler.model.plan import WeekPlan
    from scheduler.rules.week import validate_week

    week = generate_week(30, days=2, seed=4, name="week")
    write_scenario(week, tmp_path / "week")
    spec = parse_spec(
        "base: week\ntime_limit: 20\nsolution_limit: 10\n"
        "variations: [{name: lose two, carers: {change: -2}}, {name: more, demand: {percent: 20}}]"
    )
    ready = prepare(spec, tmp_path)
    result, solved = sweep(ready.scenario, ready.planned, 0, workers=1)
    assert [r.status for r in result.rows] == ["done"] * 3
    assert result.dates == ("2026-12-01", "2026-12-02")
    more = result.rows[2]
    assert more.visits == 72  # 20 % more calls a day, 36 a day on two dates
    for planned, item in zip(ready.planned, solved, strict=True):
        made = apply(ready.scenario, planned, 0)
        assert [p.date for p in item.plans] == list(week.dates)
        plan = WeekPlan(scenario=made.scenario.name, settings=planned.settings, days=item.plans)
        assert validate_week(made.scenario, plan, HaversineTravel(planned.settings.travel)) == []


def test_domcare_whatif_plans_every_variation_on_the_roads_given(tmp_path: Path) -> None:
    from routing.road import RoadTravel
    from scheduler.io.plans import read_plan
    from scheduler.io.scenario import read_scenario
    from scheduler.rules.day import validate_plan
    from tests.conftest import ROOT

    extract = tmp_path / "Helsinki.osm.pbf"
    extract.write_bytes((ROOT / "scenarios" / "helsinki" / "Helsinki.osm.pbf").read_bytes())
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "base: helsinki\ntime_limit: 20\nsolution_limit: 10\n"
        "variations: [{name: all on foot, travel_mode: {mode: walk}}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    road = f"osm:{extract}"
    assert main(["whatif", str(spec), "--workers", "1", "--travel", road, "--out", str(out)]) == 0
    base, walking = (read_plan(out / "plans" / f"00{k}.json") for k in (0, 1))
    assert base.travel == walking.travel == "osm:Helsinki.osm.pbf"
    scenario = read_scenario(ROOT / "scenarios" / "helsinki")
    assert validate_plan(scenario, base, RoadTravel(extract)) == []
    notes = json.loads((out / "whatif.json").read_text(encoding="utf-8"))["notes"]
    assert "Travel timed on: roads of Helsinki.osm.pbf, for every variation." in notes


def test_domcare_whatif_plans_on_the_extract_its_spec_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``travel: osm:PATH`` is found beside the spec, wherever domcare runs from; a
    ``travel_mode`` change is timed on the same roads, in its own mode."""
    from scheduler.io.plans import read_plan

    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copyfile(
        ROOT / "scenarios" / "helsinki" / "Helsinki.osm.pbf", folder / "Helsinki.osm.pbf"
    )
    (folder / "spec.yaml").write_text(
        "base: helsinki\ntime_limit: 20\nsolution_limit: 10\ntravel: osm:Helsinki.osm.pbf\n"
        "variations: [{name: all on foot, travel_mode: {mode: walk}}]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # the extract is not here, but beside the spec
    out = tmp_path / "out"
    assert main(["whatif", "specs/spec.yaml", "--workers", "1", "--out", str(out)]) == 0
    base, walking = (read_plan(out / "plans" / f"00{k}.json") for k in (0, 1))
    assert base.travel == walking.travel == "osm:Helsinki.osm.pbf"
    assert "timed on roads of Helsinki.osm.pbf" in " ".join(capsys.readouterr().out.split())
    assert (folder / "Helsinki.osm.pbf.domcare").is_dir()  # cached beside it


def test_domcare_whatif_refuses_road_saying_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """road is the service's map of roads: the command line has none, unless --travel, which
    wins over the spec's travel, says which roads to take."""
    from scheduler.io.plans import read_plan

    spec = tmp_path / "spec.yaml"
    spec.write_text("base: small\nsolution_limit: 5\ntravel: road\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["whatif", str(spec), "--out", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "spec.yaml row 3 column travel" in err
    assert "give --travel osm:PATH or travel: osm:PATH" in err and "Traceback" not in err
    assert not out.exists()
    given = ["--travel", "straight-line", "--workers", "1", "--out", str(out)]
    assert main(["whatif", str(spec), *given]) == 0
    assert read_plan(out / "plans" / "000.json").travel == "straight-line"
