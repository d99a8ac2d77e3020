"""What-if sweeps as a service: only a planner runs one; a spec is checked before it is queued
(422 naming the field, a shipped base only, the service's limits, never the request's choice
of where it runs); a sweep of small run through the job machinery has the very rows of
``scheduler.whatif.sweep.sweep`` called here, whether it ran in one process or in a pool nested in
the service's worker."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from api.config import ServiceSettings
from api.db import make_engine
from api.keys import Role
from api.schemas import WHATIF_EXAMPLES
from api.store import JobStore
from scheduler.io.scenario import read_scenario
from scheduler.whatif.spec import parse_spec, prepare
from scheduler.whatif.sweep import SweepResult, sweep
from tests.api.conftest import HeldExecutor, Service, running

SPEC: dict[str, Any] = {
    "base": "small",
    "time_limit": 5,
    "solution_limit": 20,
    "variations": [
        {"name": "recruit two", "carers": {"change": 2}},
        {"name": "wide", "windows": {"half_width": 45}},
    ],
}
"""Three plans of 60 visits (the base first): a solution limit ends each search, not the clock."""


def _issues(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    return list(answer.json()["issues"])


def _direct(spec: dict[str, Any]) -> SweepResult:
    """The sweep as ``domcare whatif --workers 1`` runs it, here in the test."""
    parsed = parse_spec(json.dumps(spec))
    ready = prepare(parsed, None)
    result, _ = sweep(ready.scenario, ready.planned, parsed.seed, ready.packages, workers=1)
    return result


def _rows(result: SweepResult | dict[str, Any]) -> list[dict[str, Any]]:
    """The rows without their durations, the one part that differs between runs."""
    swept = result if isinstance(result, SweepResult) else SweepResult.model_validate(result)
    return [row.model_dump(exclude={"seconds"}) for row in swept.rows]


def test_only_a_planner_runs_a_sweep(held: Service) -> None:
    assert held.client.post("/v1/whatif", json=SPEC).status_code == 401
    for role in (Role.VIEWER, Role.COORDINATOR):
        answer = held.client.post("/v1/whatif", json=SPEC, headers=held.as_(role))
        assert answer.status_code == 403
        assert "needs a planner key" in answer.json()["detail"]
    accepted = held.client.post("/v1/whatif", json=SPEC, headers=held.as_(Role.PLANNER))
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["kind"] == "whatif" and accepted.json()["status"] == "queued"
    path = accepted.headers["Location"]
    assert held.client.get(path).status_code == 401
    job = held.client.get(path, headers=held.as_(Role.VIEWER)).json()
    assert (job["status"], job["variations"], job["sweep"]) == ("queued", 3, None)
    assert job["scenario"]["visits"] == 60 and job["spec"]["solution_limit"] == 20


def test_a_running_sweep_shows_how_far_it_is(held: Service) -> None:
    accepted = held.client.post("/v1/whatif", json=SPEC, headers=held.as_(Role.PLANNER))
    job_id, path = accepted.json()["id"], accepted.headers["Location"]
    engine = make_engine(held.settings.database_url, create_schema=False)
    try:
        store = JobStore(engine)
        assert store.claim(job_id, "worker-1", held.client.app.state.services.runner.owner)
        # As a worker writes it: first only that it started, then the counts.
        store.report_progress(job_id, "worker-1", {"elapsed_s": 0.1, "step": "started"})
        started = held.client.get(path, headers=held.as_(Role.VIEWER)).json()
        assert started["progress"]["step"] == "started"
        assert started["progress"]["variations_done"] is None
        store.report_progress(
            job_id,
            "worker-1",
            {
                "elapsed_s": 2.0,
                "step": "1 of 3 variations",
                "variations_done": 1,
                "variations_failed": 0,
                "variations_total": 3,
            },
        )
    finally:
        engine.dispose()
    running = held.client.get(path, headers=held.as_(Role.VIEWER)).json()
    assert running["status"] == "running"
    assert (running["progress"]["variations_done"], running["progress"]["variations_total"]) == (
        1,
        3,
    )


@pytest.mark.parametrize("path", ["/results.csv", "/report", "/coverage.svg", "/tradeoff.svg"])
def test_an_output_is_404_for_no_such_job_and_409_before_it_is_done(
    held: Service, path: str
) -> None:
    viewer = held.as_(Role.VIEWER)
    assert held.client.get(f"/v1/whatif/nope{path}", headers=viewer).status_code == 404
    accepted = held.client.post("/v1/whatif", json=SPEC, headers=held.as_(Role.PLANNER))
    answer = held.client.get(f"{accepted.headers['Location']}{path}", headers=viewer)
    assert answer.status_code == 409 and "queued" in answer.json()["detail"]


def test_a_rota_is_not_a_sweep(held: Service) -> None:
    rota = held.client.post("/v1/rotas", json={"shipped": "small"}, headers=held.as_(Role.PLANNER))
    answer = held.client.get(f"/v1/whatif/{rota.json()['id']}", headers=held.as_(Role.VIEWER))
    assert answer.status_code == 404


def test_a_bad_spec_is_422_naming_the_field(held: Service) -> None:
    spec = SPEC | {"variations": [{"name": "more", "carers": {"change": "lots"}}]}
    [issue] = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert (issue["code"], issue["file"], issue["column"]) == (
        "invalid_spec",
        "request",
        "variations.0.carers.change",
    )
    assert "integer" in issue["message"]


def test_a_spec_in_json_is_read_as_json_says(held: Service) -> None:
    spec = SPEC | {"variations": [{"name": "more", "carers": {"change": True}}]}
    [issue] = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert (issue["code"], issue["column"]) == ("invalid_spec", "variations.0.carers.change")


def test_json_indented_with_tabs_is_read_too(held: Service) -> None:
    answer = held.client.post(
        "/v1/whatif",
        content=json.dumps(SPEC, indent="\t"),
        headers=held.as_(Role.PLANNER) | {"content-type": "application/json"},
    )
    assert answer.status_code == 202, answer.text


def test_a_spec_is_sent_as_json(held: Service) -> None:
    answer = held.client.post("/v1/whatif", content="base: small\n", headers=held.as_(Role.PLANNER))
    assert answer.status_code == 415


@pytest.mark.parametrize("base", ["../scenarios/small", "/etc", "nowhere"])
def test_only_a_shipped_scenario_is_a_base(held: Service, base: str) -> None:
    issues = _issues(
        held.client.post("/v1/whatif", json=SPEC | {"base": base}, headers=held.as_(Role.PLANNER))
    )
    assert [(i["code"], i["column"]) for i in issues] == [("unknown_base", "base")]


def test_a_waiting_list_file_is_refused(held: Service) -> None:
    spec = SPEC | {"waiting_list": "/etc/passwd"}
    [issue] = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert issue["column"] == "waiting_list"


def test_where_a_sweep_runs_is_the_services_choice(held: Service) -> None:
    spec = SPEC | {"workers": 8, "dask": "tcp://elsewhere:8786"}
    issues = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert [i["column"] for i in issues] == ["workers", "dask"]
    assert all("the service decides where sweeps run" in i["message"] for i in issues)


def test_too_many_variations_are_refused(held: Service) -> None:
    # 61 grid points and the base: over the default most, 50.
    grid = {"axes": {"carers.change": {"start": -30, "stop": 30}}}
    spec = {"base": "small", "grids": [grid]}
    [issue] = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert (issue["code"], issue["column"]) == ("too_many_variations", "grids")
    assert "62 variations" in issue["message"] and "at most 50" in issue["message"]


def test_the_time_limit_is_capped_as_for_a_rota(held: Service) -> None:
    spec = SPEC | {"time_limit": held.settings.max_time_limit_s + 1}
    [issue] = _issues(held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER)))
    assert (issue["code"], issue["column"]) == ("time_limit_too_long", "time_limit")


def test_a_sweep_may_not_hold_a_worker_for_hours(tmp_path: Path) -> None:
    # 3 variations x 30 s, the waiting list's 3 rounds: 150 s of search, over 120.
    settings = ServiceSettings(
        database_url=f"sqlite:///{tmp_path / 'domcare.db'}", max_whatif_search_s=120
    )
    spec = {
        "base": "town",
        "time_limit": 30,
        "variations": [{"name": "taken on", "waiting_list": {"people": 2}}, SPEC["variations"][0]],
    }
    with running(settings, HeldExecutor()) as service:
        answer = service.client.post("/v1/whatif", json=spec, headers=service.as_(Role.PLANNER))
        [issue] = _issues(answer)
        assert (issue["code"], issue["column"]) == ("too_much_search", "time_limit")
        assert "150 s in all" in issue["message"] and "allows 120 s" in issue["message"]
        fewer = spec | {"time_limit": 20}  # 100 s
        answer = service.client.post("/v1/whatif", json=fewer, headers=service.as_(Role.PLANNER))
        assert answer.status_code == 202


def test_each_variation_is_within_the_visit_limit(tmp_path: Path) -> None:
    # small has 60 visits a day: the base fits, 50 % more demand does not.
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path / 'domcare.db'}", max_visits=60)
    spec = SPEC | {"variations": [*SPEC["variations"], {"name": "busy", "demand": {"percent": 50}}]}
    with running(settings, HeldExecutor()) as service:
        answer = service.client.post("/v1/whatif", json=spec, headers=service.as_(Role.PLANNER))
    [issue] = _issues(answer)
    assert (issue["code"], issue["column"]) == ("too_many_visits", "variations.2")
    assert issue["message"].startswith("'busy' has 90 visits")


@pytest.mark.parametrize("example", WHATIF_EXAMPLES)
def test_the_documented_examples_are_taken(held: Service, example: dict[str, Any]) -> None:
    answer = held.client.post("/v1/whatif", json=example, headers=held.as_(Role.PLANNER))
    assert answer.status_code == 202, answer.text


def test_a_sweep_logs_ids_and_counts_never_a_name(
    held: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    accepted = held.client.post("/v1/whatif", json=SPEC, headers=held.as_(Role.PLANNER))
    assert held.executor is not None
    held.executor.run_all()  # the worker's part, here in this process
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    assert f"job {job['id']} (whatif) queued: 3 variations of 60 visits" in caplog.text
    assert f"job {job['id']} done in" in caplog.text
    small = read_scenario(held.settings.scenarios_dir / "small")
    personal = {c.name for c in small.carers} | {
        part for c in small.clients for part in (c.name, c.address, c.postcode) if part
    }
    assert not [word for word in personal if word in caplog.text]


@pytest.fixture(scope="module")
def direct() -> SweepResult:
    return _direct(SPEC)


@pytest.fixture(scope="module", params=[1, 2], ids=["one process", "nested pool"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    """A service with the real worker pool, planning a sweep's variations one after another,
    or in a pool of two inside its worker process; every progress report written."""
    folder = tmp_path_factory.mktemp("whatif")
    settings = ServiceSettings(
        database_url=f"sqlite:///{folder / 'domcare.db'}",
        whatif_workers=request.param,
        progress_interval_s=0.01,
    )
    with running(settings) as started:
        yield started


def test_a_sweep_has_the_rows_of_the_command_line(live: Service, direct: SweepResult) -> None:
    accepted = live.client.post("/v1/whatif", json=SPEC, headers=live.as_(Role.PLANNER))
    assert accepted.status_code == 202, accepted.text
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    assert _rows(job["sweep"]) == _rows(direct)
    assert [row["status"] for row in job["sweep"]["rows"]] == ["done"] * 3
    pooled = live.settings.whatif_workers > 1
    assert job["sweep"]["ran_on"] == ("process pool, 2 workers" if pooled else "one process")
    assert job["progress"]["step"] == "3 of 3 variations"
    assert (job["progress"]["variations_done"], job["progress"]["variations_failed"]) == (3, 0)

    viewer = live.as_(Role.VIEWER)
    table = live.client.get(job["links"]["results_csv"], headers=viewer)
    assert table.headers["content-type"].startswith("text/csv")
    assert list(pd.read_csv(io.StringIO(table.text))["name"]) == ["base", "recruit two", "wide"]
    report = live.client.get(job["links"]["report"], headers=viewer)
    assert report.status_code == 200 and "<html" in report.text.lower()
    for link in ("coverage_svg", "tradeoff_svg"):
        plot = live.client.get(job["links"][link], headers=viewer)
        assert plot.headers["content-type"] == "image/svg+xml" and "<svg" in plot.text
