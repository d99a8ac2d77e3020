"""Requests are checked at once: bad input is 422 with every issue located as the command line
locates it, a body too large 413, a full queue 429; a good one is queued (202)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.config import ServiceSettings
from api.db import make_engine
from api.inputs import settings_for
from api.keys import Role
from api.schemas import RotaOptions
from api.store import JobStore
from scheduler.io.scenario import read_scenario, scenario_to_json
from scheduler.model.errors import InputError
from tests.api.conftest import FAST, HeldExecutor, Service, running
from tests.conftest import VISITS, write_folder

BAD_VISITS = VISITS.replace("V2,K2,", "V2,K9,").replace(
    "V3,K3,2026-12-01,12:00,13:00", "V3,K3,2026-12-01,12:00,1x:00"
)


def _issues(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    return list(answer.json()["issues"])


def _as_cli(error: InputError) -> list[dict[str, Any]]:
    return [
        {"code": i.code, "file": i.file, "message": i.message, "row": i.row, "column": i.column}
        for i in error.issues
    ]


def test_bad_csv_is_422_with_the_command_lines_located_issues(
    held: Service, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "bad", visits=BAD_VISITS)
    with pytest.raises(InputError) as cli:
        read_scenario(folder)
    files = {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}
    answer = held.client.post(
        "/v1/rotas", files=files, data={"time_limit_s": "5"}, headers=held.as_(Role.COORDINATOR)
    )
    issues = _issues(answer)
    assert issues == _as_cli(cli.value)
    assert {(i["file"], i["row"], i["column"], i["code"]) for i in issues} == {
        ("visits.csv", 3, "client_id", "unknown_client"),
        ("visits.csv", 4, "latest_start", "malformed_time"),
    }
    assert answer.json()["detail"] == "2 problems in the input"
    assert held.executor is not None and held.executor.held == []  # nothing queued


def test_bad_json_document_is_located_by_list_index(held: Service, tiny_folder: Path) -> None:
    document = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    document["visits"][1]["latest_start"] = "25:00"
    answer = held.client.post(
        "/v1/rotas",
        json={"scenario": document, "options": FAST},
        headers=held.as_(Role.COORDINATOR),
    )
    [issue] = _issues(answer)
    assert issue["file"] == "scenario.json" and issue["column"] == "visits[1].latest_start"


def test_missing_files_say_so_without_naming_a_temporary_folder(
    held: Service, tiny_files: dict[str, Any]
) -> None:
    del tiny_files["visits"]
    answer = held.client.post("/v1/rotas", files=tiny_files, headers=held.as_(Role.COORDINATOR))
    [issue] = _issues(answer)
    assert issue == {
        "code": "missing_file",
        "file": "visits.csv",
        "message": "not found in the upload",
        "row": None,
        "column": None,
    }


def test_bad_options_and_bad_data_are_reported_together(held: Service, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "bad", visits=BAD_VISITS)
    files = {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}
    answer = held.client.post(
        "/v1/rotas",
        files=files,
        data={"time_limit_s": "5", "travel": "road"},
        headers=held.as_(Role.COORDINATOR),
    )
    issues = _issues(answer)
    assert issues[0]["file"] == "options" and issues[0]["code"] == "invalid_option"
    assert "no map of roads" in issues[0]["message"]
    assert [i["file"] for i in issues[1:]] == ["visits.csv", "visits.csv"]


@pytest.mark.parametrize(
    ("options", "column", "code"),
    [
        ({"time_limit_s": -1}, "options.time_limit_s", "invalid_request"),
        ({"time_limit_s": 700}, "time_limit_s", "time_limit_too_long"),
        ({"time_limit_s": 100_000}, "time_limit_s", "time_limit_too_long"),
        ({"continuity_weight": "lots"}, "options.continuity_weight", "invalid_request"),
        ({"colour": "blue"}, "options.colour", "invalid_request"),
        # JSON says what it is: true is no integer, "10" no number (schemathesis, ST201)
        (
            {"max_carers_per_client_week": True},
            "options.max_carers_per_client_week",
            "invalid_request",
        ),
        ({"time_limit_s": "10"}, "options.time_limit_s", "invalid_request"),
    ],
)
def test_a_bad_option_is_422_by_its_name(
    held: Service, options: dict[str, Any], column: str, code: str
) -> None:
    answer = held.client.post(
        "/v1/rotas",
        json={"shipped": "small", "options": options},
        headers=held.as_(Role.COORDINATOR),
    )
    [issue] = _issues(answer)
    assert (issue["column"], issue["code"]) == (column, code)


def test_late_calls_overtime_and_priced_lunches_can_be_asked_for() -> None:
    options = RotaOptions(
        time_limit_s=5,
        late_tolerance_minutes=15,
        late_weight=50,
        overtime_minutes=30,
        overtime_weight=80,
        missed_break_weight=500,
    )
    settings = settings_for(options, ServiceSettings())
    assert (settings.late_tolerance_minutes, settings.late_weight) == (15, 50)
    assert (settings.overtime_minutes, settings.overtime_weight) == (30, 80)
    assert settings.missed_break_weight == 500
    assert settings_for(RotaOptions(time_limit_s=5), ServiceSettings()).missed_break_weight is None


def test_unknown_shipped_scenario_is_422(held: Service) -> None:
    answer = held.client.post(
        "/v1/rotas", json={"shipped": "../small"}, headers=held.as_(Role.COORDINATOR)
    )
    [issue] = _issues(answer)
    assert (
        issue["code"] == "unknown_scenario"
        and "known: district, helsinki, small" in issue["message"]
    )


def test_neither_json_nor_a_form_is_415(held: Service) -> None:
    answer = held.client.post(
        "/v1/rotas",
        content=b"carers",
        headers=held.as_(Role.COORDINATOR) | {"content-type": "text/csv"},
    )
    assert answer.status_code == 415


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Service]:
    settings = ServiceSettings(
        database_url=f"sqlite:///{tmp_path / 'domcare.db'}",
        max_request_bytes=4096,
        max_visits=3,
        queue_size=1,
    )
    with running(settings, HeldExecutor()) as started:
        yield started


def test_too_many_visits_is_422_saying_the_limit(
    limited: Service, tiny_files: dict[str, Any]
) -> None:
    answer = limited.client.post(
        "/v1/rotas", files=tiny_files, headers=limited.as_(Role.COORDINATOR)
    )
    [issue] = _issues(answer)
    assert issue["code"] == "too_many_visits"
    assert issue["message"] == (
        "the scenario has 4 visits; this service plans at most 3 in one request"
    )


def test_a_body_too_large_is_413(limited: Service) -> None:
    big = {"shipped": "small", "options": FAST, "padding": "x" * 5000}
    answer = limited.client.post("/v1/rotas", json=big, headers=limited.as_(Role.COORDINATOR))
    assert answer.status_code == 413
    assert "4,096 bytes" in answer.json()["detail"]


def test_a_body_too_large_sent_in_chunks_is_413(limited: Service) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    answer = limited.client.post(
        "/v1/rotas",
        content=chunks(),
        headers=limited.as_(Role.COORDINATOR) | {"content-type": "application/json"},
    )
    assert answer.status_code == 413


def test_a_small_body_sent_in_chunks_is_read_whole(limited: Service) -> None:
    body = json.dumps({"shipped": "nowhere"}).encode()
    answer = limited.client.post(
        "/v1/rotas",
        content=iter([body[:5], body[5:]]),
        headers=limited.as_(Role.COORDINATOR) | {"content-type": "application/json"},
    )
    assert _issues(answer)[0]["code"] == "unknown_scenario"


def test_a_full_queue_is_429_and_stores_nothing(
    limited: Service, tiny_files: dict[str, Any]
) -> None:
    coordinator = limited.as_(Role.COORDINATOR)
    two_visits = VISITS.split("V3,")[0].encode()
    files = tiny_files | {"visits": ("visits.csv", two_visits, "text/csv")}
    assert limited.client.post("/v1/rotas", files=files, headers=coordinator).status_code == 202
    full = limited.client.post("/v1/rotas", files=files, headers=coordinator)
    assert full.status_code == 429
    assert full.headers["Retry-After"] == "30"
    assert "queue is full (1 jobs waiting or running)" in full.json()["detail"]
    assert limited.client.get("/healthz").json()["jobs_in_queue"] == 1
    engine = make_engine(limited.settings.database_url, create_schema=False)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM domcare_jobs").scalar() == 1
    finally:
        engine.dispose()


def test_a_queued_job_then_a_running_one(held: Service, service: ServiceSettings) -> None:
    accepted = held.client.post(
        "/v1/rotas", json={"shipped": "small", "options": FAST}, headers=held.as_(Role.COORDINATOR)
    )
    assert accepted.status_code == 202
    job_id = accepted.json()["id"]
    assert accepted.headers["Location"] == f"/v1/rotas/{job_id}"
    queued = held.client.get(f"/v1/rotas/{job_id}", headers=held.as_(Role.VIEWER)).json()
    assert queued["status"] == "queued" and queued["progress"] is None
    assert queued["scenario"] == {
        "name": "small",
        "dates": ["2026-12-01"],
        "visits": 60,
        "carers": 15,
        "clients": 22,
        "notes": [],
    }
    assert queued["options"]["time_limit_s"] == 10 and queued["options"]["solution_limit"] == 50
    not_yet = held.client.get(f"/v1/rotas/{job_id}/map", headers=held.as_(Role.VIEWER))
    assert not_yet.status_code == 409 and not_yet.json()["detail"] == "the job is queued"

    # What a worker writes as it plans, as the API shows it.
    engine = make_engine(service.database_url, create_schema=False)
    try:
        store = JobStore(engine)
        assert store.claim(job_id, "worker-1", held.client.app.state.services.runner.owner)
        store.report_progress(
            job_id, "worker-1", {"elapsed_s": 1.5, "visits_placed": 40, "best_cost": 9_000}
        )
    finally:
        engine.dispose()
    now = held.client.get(f"/v1/rotas/{job_id}", headers=held.as_(Role.VIEWER)).json()
    assert now["status"] == "running" and now["started_at"] is not None
    assert now["progress"] == {
        "elapsed_s": 1.5,
        "visits_placed": 40,
        "best_cost": 9000,
        "date": None,
        "step": None,
    }


def test_an_unknown_job_is_404_not_500(held: Service) -> None:
    viewer = held.as_(Role.VIEWER)
    for path in ("/v1/rotas/nope", "/v1/rotas/nope/rota.csv", "/v1/compare/nope/report"):
        answer = held.client.get(path, headers=viewer)
        assert answer.status_code == 404 and "no " in answer.json()["detail"]


def test_a_rota_is_not_a_comparison(held: Service) -> None:
    accepted = held.client.post(
        "/v1/rotas", json={"shipped": "small"}, headers=held.as_(Role.COORDINATOR)
    )
    job_id = accepted.json()["id"]
    answer = held.client.get(f"/v1/compare/{job_id}", headers=held.as_(Role.VIEWER))
    assert answer.status_code == 404


def test_the_shipped_scenarios_are_listed(held: Service) -> None:
    listed = held.client.get("/v1/scenarios", headers=held.as_(Role.VIEWER)).json()
    small = next(s for s in listed if s["name"] == "small")
    assert small == {
        "name": "small",
        "dates": ["2026-12-01"],
        "visits": 60,
        "carers": 15,
        "clients": 22,
        "notes": [],
        "waiting_list": False,
    }
    assert {s["name"] for s in listed} >= {"small", "town", "district", "town-week"}


def test_a_bad_parameter_is_422_in_the_same_shape(held: Service) -> None:
    answer = held.client.get("/v1/rotas/x/map?date=tomorrow", headers=held.as_(Role.VIEWER))
    [issue] = _issues(answer)
    assert (issue["code"], issue["file"], issue["column"]) == (
        "invalid_request",
        "request",
        "query.date",
    )
