"""Re-planning a done rota over HTTP: events as JSON or an uploaded CSV, checked at once (422
with the command line's locations), then a rota job of its own with its changes and run
sheets."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd
import pytest

from api.config import ServiceSettings
from api.db import make_engine
from api.keys import Role
from api.store import JobStore
from routing.haversine import HaversineTravel
from scheduler.io.scenario import read_scenario, scenario_from_document
from scheduler.model.plan import Plan
from scheduler.rules.day import validate_plan
from tests.api.conftest import FAST, Service, running

BAD_EVENTS = (
    "event,carer_id,visit_id,from,start,end\n"
    "carer_off,C9,,11:00,,\n"
    "visit_done,,V1,,07:40,08:10\n"
    "visit_done,,V1,,07:40,08:10\n"
    "carer_off,C2,,25:00,,\n"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("replan")
    with running(ServiceSettings(database_url=f"sqlite:///{folder / 'domcare.db'}")) as started:
        yield started


@pytest.fixture(scope="module")
def rota(live: Service, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.conftest import write_folder

    folder = write_folder(tmp_path_factory.mktemp("tiny") / "tiny")
    files = {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}
    accepted = live.client.post(
        "/v1/rotas",
        files=files,
        data={"name": "tiny", **{k: str(v) for k, v in FAST.items()}},
        headers=live.as_(Role.COORDINATOR),
    )
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    return job


def test_a_replan_from_json_events_is_a_rota_job_with_its_changes(
    live: Service, rota: dict[str, Any], tiny_folder: Path
) -> None:
    body = {
        "at": "11:00",
        "events": [
            {"event": "carer_off", "carer_id": "C2", "from": "11:00"},
            {
                "event": "visit_added",
                "visit_id": "N1",
                "client_id": "K3",
                "earliest_start": "19:00",
                "latest_start": "20:00",
                "duration_minutes": 30,
            },
        ],
        "time_limit_s": 10,
    }
    accepted = live.client.post(
        rota["links"]["replan"], json=body, headers=live.as_(Role.COORDINATOR)
    )
    assert accepted.status_code == 202, accepted.text
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    assert job["links"]["replan_of"] == rota["links"]["self"]
    plan = Plan.model_validate(job["plan"])
    stored = JobStore(make_engine(live.settings.database_url, create_schema=False)).input(job["id"])
    assert stored is not None
    day = scenario_from_document(stored["scenario"], "scenario.json", "scenario").scenario
    assert "N1" in day.visit_by_id and "N1" not in read_scenario(tiny_folder).visit_by_id
    assert validate_plan(day, plan, HaversineTravel(plan.settings.travel)) == []
    viewer = live.as_(Role.VIEWER)
    changes = pd.read_csv(
        io.StringIO(live.client.get(job["links"]["changes_csv"], headers=viewer).text)
    )
    assert ("N1", "added") in set(zip(changes["visit_id"], changes["kind"], strict=True))
    carer = plan.runs[0].carer_id
    sheet = live.client.get(f"{job['links']['self']}/runsheets/{carer}.html", headers=viewer)
    assert sheet.status_code == 200 and "Mrs Example" not in sheet.text
    ics = live.client.get(f"{job['links']['self']}/runsheets/{carer}.ics", headers=viewer)
    assert ics.headers["content-type"].startswith("text/calendar")
    stops = [s for run in plan.runs if run.carer_id == carer for s in run.stops]
    events = icalendar.Calendar.from_ical(ics.text).walk("VEVENT")
    assert len([e for e in events if str(e.get("status", "")) != "CANCELLED"]) == len(stops)


def test_a_replan_from_an_uploaded_csv_works_the_same(live: Service, rota: dict[str, Any]) -> None:
    csv = "event,visit_id\nvisit_cancelled,V4\n"
    accepted = live.client.post(
        rota["links"]["replan"],
        files={"events": ("events.csv", csv.encode("cp1252"), "text/csv")},
        data={"at": "10:00", "time_limit_s": "10"},
        headers=live.as_(Role.COORDINATOR),
    )
    assert accepted.status_code == 202, accepted.text
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    assert "V4" not in {s.visit_id for r in Plan.model_validate(job["plan"]).runs for s in r.stops}


def test_bad_events_are_422_with_every_problem_located(live: Service, rota: dict[str, Any]) -> None:
    answer = live.client.post(
        rota["links"]["replan"],
        files={"events": ("events.csv", BAD_EVENTS.encode(), "text/csv")},
        data={"at": "11:00"},
        headers=live.as_(Role.COORDINATOR),
    )
    assert answer.status_code == 422, answer.text
    found = {(i["file"], i["row"], i["column"], i["code"]) for i in answer.json()["issues"]}
    assert found == {
        ("events.csv", 2, "carer_id", "unknown_carer"),
        ("events.csv", 4, "visit_id", "duplicate_row"),
        ("events.csv", 5, "from", "malformed_time"),
    }


def test_only_a_coordinator_replans_and_only_a_rota_that_exists(
    live: Service, rota: dict[str, Any]
) -> None:
    body = {"at": "11:00", "events": []}
    viewer = live.client.post(rota["links"]["replan"], json=body, headers=live.as_(Role.VIEWER))
    assert viewer.status_code == 403
    missing = live.client.post(
        "/v1/rotas/nope/replan", json=body, headers=live.as_(Role.COORDINATOR)
    )
    assert missing.status_code == 404
    nobody = live.client.post(rota["links"]["replan"], json=body)
    assert nobody.status_code == 401


def test_a_day_of_a_weeks_rota_is_replanned_within_the_week(live: Service, tmp_path: Path) -> None:
    from tests.conftest import write_folder
    from tests.scheduler.planning.test_week import THREE_DAYS

    folder = write_folder(tmp_path / "week", visits=THREE_DAYS)
    files = {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}
    accepted = live.client.post(
        "/v1/rotas",
        files=files,
        data={"name": "week", **{k: str(v) for k, v in FAST.items()}},
        headers=live.as_(Role.COORDINATOR),
    )
    week = live.wait(accepted.headers["Location"])
    assert week["status"] == "done", week["error"]
    body: dict[str, Any] = {
        "at": "09:30",
        "events": [{"event": "carer_off", "carer_id": "C2", "from": "10:00"}],
    }
    coordinator = live.as_(Role.COORDINATOR)
    which = live.client.post(week["links"]["replan"], json=body, headers=coordinator)
    assert which.status_code == 422 and which.json()["issues"][0]["column"] == "date"
    body |= {"date": "2026-12-02", "time_limit_s": 10}
    again = live.client.post(week["links"]["replan"], json=body, headers=coordinator)
    assert again.status_code == 202, again.text
    job = live.wait(again.headers["Location"])
    assert job["status"] == "done", job["error"]
    plan = Plan.model_validate(job["plan"])
    assert str(plan.date) == "2026-12-02"
    assert all(s.start < 600 for r in plan.runs if r.carer_id == "C2" for s in r.stops)
