"""Road travel in the service: the OpenStreetMap extract is the service's setting (a file that
is not there stops it at once, said in a sentence), a request chooses ``travel: road`` (422 by
that name where the service has none), the worker plans, validates and re-plans on it, and the
answer says what the legs were timed on; a what-if spec's ``travel: road`` sweeps every
variation on it (a spec naming an extract is refused). Helsinki's extract is copied into a
temporary folder first, so its graphs are cached there, never in the repository; jobs run in
this process with a solution limit."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from api.config import ServiceSettings
from api.db import make_engine
from api.inputs import JobInput
from api.keys import Role
from api.schemas import STRAIGHT_LINE
from api.store import JobKind, JobStatus, JobStore
from api.worker import run_job
from scheduler.cli import main as domcare
from scheduler.io import travel as domain_travel
from scheduler.io.scenario import read_scenario, scenario_to_json
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.rules.day import validate_plan
from scheduler.whatif.spec import Reader, parse_spec
from tests.api.conftest import FAST, HeldExecutor, Service, running
from tests.conftest import ROOT

HELSINKI = ROOT / "scenarios" / "helsinki"
ROADS_OF = "roads of Helsinki.osm.pbf"
STRAIGHT_WORDS = "straight lines x circuity"


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Helsinki's extract in a folder of the test's own: its graph cache is made beside it."""
    copy = tmp_path_factory.mktemp("map") / "Helsinki.osm.pbf"
    shutil.copyfile(HELSINKI / "Helsinki.osm.pbf", copy)
    return copy


@pytest.fixture(scope="module")
def roads(tmp_path_factory: pytest.TempPathFactory, extract: Path) -> Iterator[Service]:
    """A service with the extract; its held executor runs jobs here, when a test says so."""
    folder = tmp_path_factory.mktemp("roads")
    settings = ServiceSettings(
        database_url=f"sqlite:///{folder / 'domcare.db'}", osm_extract=extract
    )
    with running(settings, HeldExecutor()) as started:
        yield started


def _run_without_roads(
    service: ServiceSettings, kind: JobKind, options: Any, document: Any, name: str
) -> str:
    """A job stored as if queued while the service had roads, run by one without them: the
    error it failed with."""
    engine = make_engine(service.database_url)
    try:
        store = JobStore(engine)
        job = store.create(kind, options, document, {"name": name})
        store.hold([job.id], "here", 60)
        run_job(service.database_url, job.id, "here", 1.0, osm_extract=None)
        failed = store.get(job.id)
    finally:
        engine.dispose()
    assert failed is not None and failed.status is JobStatus.FAILED and failed.error is not None
    return failed.error


def _refused_for_no_roads(answer: Any, code: str, file: str) -> None:
    """A 422 naming the request's ``travel`` and the setting that would give it roads."""
    assert answer.status_code == 422, answer.text
    [issue] = answer.json()["issues"]
    assert (issue["code"], issue["file"], issue["column"]) == (code, file, "travel")
    assert "DOMCARE_OSM_EXTRACT" in issue["message"]


@pytest.fixture(scope="module")
def road_rota(roads: Service) -> dict[str, Any]:
    """scenarios/helsinki's day (60 visits) planned on its roads."""
    return roads.done("/v1/rotas", shipped="helsinki", options=FAST | {"travel": "road"})


def test_a_rota_on_roads_is_timed_on_the_services_extract_and_valid(
    road_rota: dict[str, Any], extract: Path
) -> None:
    plan = Plan.model_validate(road_rota["plan"])
    assert road_rota["options"]["travel"] == "road" and road_rota["travel"] == ROADS_OF
    assert plan.travel == "osm:Helsinki.osm.pbf"  # the file's name, never its folder
    assert str(extract.parent) not in json.dumps(road_rota)
    scenario = read_scenario(HELSINKI)
    roads = domain_travel.travel_from(f"osm:{extract}", plan.settings.travel)
    assert validate_plan(scenario, plan, roads) == []
    assert road_rota["figures"]["visits"] == 60 and road_rota["figures"]["visits_allocated"] > 0
    # Homes and clients were put within 60 m of a way: nothing is far from the roads.
    assert road_rota["travel_notes"] == []
    assert (extract.parent / "Helsinki.osm.pbf.domcare").is_dir()  # cached in the tmp folder


def test_a_replan_of_a_road_rota_is_timed_on_the_roads_too(
    roads: Service, road_rota: dict[str, Any]
) -> None:
    plan = Plan.model_validate(road_rota["plan"])
    off = next(run.carer_id for run in plan.runs if any(s.start >= 11 * 60 for s in run.stops))
    replanned = roads.done(
        road_rota["links"]["replan"],
        at="11:00",
        events=[{"event": "carer_off", "carer_id": off, "from": "11:00"}],
    )
    assert replanned["changes"]["replan_of"] == road_rota["id"]
    assert replanned["plan"]["travel"] == "osm:Helsinki.osm.pbf"
    assert (replanned["travel"], replanned["options"]["travel"]) == (ROADS_OF, "road")


def test_a_road_rota_is_not_replanned_by_a_service_without_roads(
    roads: Service, road_rota: dict[str, Any]
) -> None:
    """The same database served without the extract: a re-plan on straight lines would not
    fit the rota's road times, so it is refused before anything is queued."""
    with running(ServiceSettings(database_url=roads.settings.database_url)) as plain:
        answer = plain.client.post(
            road_rota["links"]["replan"],
            json={"at": "11:00", "events": [{"event": "visit_cancelled", "visit_id": "V001"}]},
            headers=plain.as_(Role.COORDINATOR),
        )
    assert answer.status_code == 409
    assert "timed on roads (osm:Helsinki.osm.pbf)" in answer.json()["detail"]
    assert "DOMCARE_OSM_EXTRACT" in answer.json()["detail"]


def test_straight_lines_stay_the_default_where_there_are_roads(
    roads: Service, tiny_folder: Path
) -> None:
    tiny = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    job = roads.done("/v1/rotas", scenario=tiny, options=FAST)
    assert job["options"]["travel"] == STRAIGHT_LINE == domain_travel.STRAIGHT_LINE
    assert (job["plan"]["travel"], job["travel"]) == (STRAIGHT_LINE, STRAIGHT_WORDS)


def test_places_far_from_the_roads_are_noted_by_id_only(
    roads: Service, tiny_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The tiny scenario is in Northern Ireland: on Helsinki's roads, every place is far
    from any way. The notes name ids, never a client or carer, in the answer and the log."""
    caplog.set_level(logging.INFO, logger="domcare")
    tiny = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    job = roads.done("/v1/rotas", scenario=tiny, options=FAST | {"travel": "road"})
    notes = job["travel_notes"]
    assert any(note.startswith("client K1 is ") for note in notes), notes
    assert all(note.endswith("[far_from_road]") for note in notes)
    said = " ".join(notes) + caplog.text
    assert "client K1 is " in caplog.text
    assert "Mrs Example" not in said and "Ann Carer" not in said


def test_a_comparison_is_timed_on_the_roads_asked_for(roads: Service, tiny_folder: Path) -> None:
    tiny = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    options = FAST | {"travel": "road"}
    job = roads.done("/v1/compare", Role.PLANNER, scenario=tiny, options=options)
    assert (job["travel"], job["options"]["travel"]) == (ROADS_OF, "road")
    assert job["comparison"]["rotas"]


def test_road_without_an_extract_is_422_by_its_name(
    held: Service, tiny_files: dict[str, tuple[str, bytes, str]]
) -> None:
    coordinator = held.as_(Role.COORDINATOR)
    as_json = held.client.post(
        "/v1/rotas", json={"shipped": "small", "options": {"travel": "road"}}, headers=coordinator
    )
    as_form = held.client.post(
        "/v1/rotas", files=tiny_files, data={"travel": "road"}, headers=coordinator
    )
    as_compare = held.client.post(
        "/v1/compare",
        json={"shipped": "small", "options": {"travel": "road"}},
        headers=held.as_(Role.PLANNER),
    )
    for answer in (as_json, as_form, as_compare):
        _refused_for_no_roads(answer, "invalid_option", "options")
    assert held.executor is not None and held.executor.held == []  # nothing was queued


def test_an_unknown_travel_model_is_422_by_its_name(held: Service) -> None:
    answer = held.client.post(
        "/v1/rotas",
        json={"shipped": "small", "options": {"travel": "osm:/etc/passwd"}},
        headers=held.as_(Role.COORDINATOR),
    )
    [issue] = answer.json()["issues"]
    assert answer.status_code == 422 and issue["column"] == "options.travel"


def test_the_travel_models_are_listed_behind_a_key(
    roads: Service, held: Service, extract: Path
) -> None:
    assert roads.client.get("/v1/travel").status_code == 401
    listed = roads.client.get("/v1/travel", headers=roads.as_(Role.VIEWER))
    assert listed.json() == {
        "models": ["straight-line", "road"],
        "default": "straight-line",
        "road": ROADS_OF,
    }
    assert str(extract.parent) not in listed.text
    plain = held.client.get("/v1/travel", headers=held.as_(Role.VIEWER)).json()
    assert plain == {"models": ["straight-line"], "default": "straight-line", "road": None}


def test_a_queued_road_job_fails_in_a_sentence_once_the_extract_is_gone(
    service: ServiceSettings, tiny_folder: Path
) -> None:
    """Queued while the service had roads, run by one started without them."""
    settings = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))
    document = JobInput(read_scenario(tiny_folder), settings, False, travel="road").document()
    error = _run_without_roads(service, JobKind.ROTA, FAST, document, "tiny")
    assert "no map of roads any more" in error


def test_an_extract_that_is_not_there_stops_the_service_in_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: pytest.fail("the service started"))
    database = ["--database", f"sqlite:///{tmp_path / 'domcare.db'}"]
    missing = tmp_path / "nowhere.osm.pbf"
    assert domcare(["serve", *database, "--osm-extract", str(missing)]) == 2
    monkeypatch.setenv("DOMCARE_OSM_EXTRACT", str(missing))
    assert domcare(["serve", *database]) == 2
    said = capsys.readouterr()
    err = "".join(said.err.split())  # the console wraps long paths
    assert err.count("".join(f"DOMCARE_OSM_EXTRACT(or--osm-extract):nofile{missing}".split())) == 2
    assert "Traceback" not in said.err + said.out


def test_an_extract_that_cannot_be_read_is_refused(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a file without read permission answers a user who is not root."""
    monkeypatch.setattr("api.config.os.access", lambda *_args: False)
    with pytest.raises(ValueError, match="cannot be read by this user"):
        ServiceSettings(osm_extract=extract)


def test_the_extract_setting_is_made_absolute_and_blank_is_none(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(extract.parent)
    given = ServiceSettings.from_env({"DOMCARE_OSM_EXTRACT": extract.name})
    assert given.osm_extract == extract.resolve()
    assert ServiceSettings.from_env({"DOMCARE_OSM_EXTRACT": " "}).osm_extract is None


def test_serve_says_which_roads_it_offers(
    extract: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[FastAPI] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_kwargs: served.append(app))
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    assert domcare(["serve", "--database", database, "--osm-extract", str(extract)]) == 0
    assert len(served) == 1
    assert "road travel: on request, on the roads of" in capsys.readouterr().out


def test_the_page_offers_roads_only_where_the_service_has_them(held: Service) -> None:
    """The choice is hidden until GET /v1/travel offers road; a rota says what it was timed
    on (the browser tests show both)."""
    page = held.client.get("/").text
    assert '<label for="travel" id="travel-label" hidden>' in page
    assert '<select id="travel" hidden>' in page and '"/v1/travel"' in page
    assert '"Travel timed on: "' in page


def test_the_document_offers_road_only_where_the_service_has_roads(
    roads: Service, held: Service
) -> None:
    for service, models in ((roads, ["straight-line", "road"]), (held, ["straight-line"])):
        document = service.client.get("/openapi.json").json()
        options = document["components"]["schemas"]["RotaOptions"]["properties"]
        body = document["paths"]["/v1/rotas"]["post"]["requestBody"]["content"]
        form = body["multipart/form-data"]["schema"]["properties"]
        assert options["travel"]["enum"] == form["travel"]["enum"] == models
        spec = document["components"]["schemas"]["WhatIfCreate"]["properties"]["travel"]
        assert spec["enum"] == models


ROAD_SWEEP: dict[str, Any] = {
    "base": "helsinki",
    "time_limit": 10,
    "solution_limit": 10,
    "travel": "road",
    "variations": [{"name": "all on foot", "travel_mode": {"mode": "walk"}}],
}
"""Two plans of Helsinki's 60 visits on its roads, the second on foot: a solution limit ends
each search."""


def test_a_sweep_on_roads_is_timed_on_the_services_extract(roads: Service, extract: Path) -> None:
    job = roads.done("/v1/whatif", Role.PLANNER, **ROAD_SWEEP)
    assert [row["status"] for row in job["sweep"]["rows"]] == ["done", "done"]
    assert job["spec"]["travel"] == "road"
    assert f"Travel timed on: {ROADS_OF}, for every variation." in job["sweep"]["notes"]
    assert job["travel"] == ROADS_OF
    report = roads.client.get(job["links"]["report"], headers=roads.as_(Role.VIEWER))
    assert f"Travel timed on: {ROADS_OF}" in report.text
    engine = make_engine(roads.settings.database_url, create_schema=False)
    try:
        store = JobStore(engine)
        stored, document = store.get(job["id"]), store.input(job["id"])
    finally:
        engine.dispose()
    assert stored is not None and stored.result is not None
    assert stored.result["travel"] == ROADS_OF
    assert document is not None and document["spec"]["travel"] == "road"
    kept = json.dumps([document, stored.options, stored.result, job])
    assert str(extract.parent) not in kept  # road, never the path


def test_a_sweep_on_roads_without_an_extract_is_422_by_its_name(held: Service) -> None:
    answer = held.client.post("/v1/whatif", json=ROAD_SWEEP, headers=held.as_(Role.PLANNER))
    _refused_for_no_roads(answer, "invalid_request", "request")
    assert held.executor is not None and held.executor.held == []  # nothing was queued


@pytest.mark.parametrize("service_name", ["roads", "held"])
def test_a_sweep_may_not_name_an_extract_on_the_server(
    service_name: str, extract: Path, request: pytest.FixtureRequest
) -> None:
    """Whether or not the service has roads of its own: a spec's osm:PATH is the command
    line's, as a spec's waiting_list is."""
    service: Service = request.getfixturevalue(service_name)
    spec = ROAD_SWEEP | {"travel": f"osm:{extract}"}
    answer = service.client.post("/v1/whatif", json=spec, headers=service.as_(Role.PLANNER))
    assert answer.status_code == 422, answer.text
    [issue] = answer.json()["issues"]
    assert (issue["code"], issue["column"]) == ("invalid_spec", "travel")
    assert "may not name a file on the server" in issue["message"]
    assert service.executor is not None and service.executor.held == []


def test_a_queued_road_sweep_fails_in_a_sentence_once_the_extract_is_gone(
    service: ServiceSettings,
) -> None:
    """Queued while the service had roads, run by one started without them."""
    spec = parse_spec(json.dumps(ROAD_SWEEP), "request", Reader.SERVICE).model_dump(mode="json")
    error = _run_without_roads(service, JobKind.WHATIF, spec, {"spec": spec}, "helsinki")
    assert "no map of roads any more" in error and "travel: straight-line" in error
