"""Jobs planned for real, in worker processes, on the tiny scenario (4 visits, a solution
limit): queued, running, done, with every output served; a comparison; a week; and a job
left running by a service that died, finished when the service starts again."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from api.config import ServiceSettings
from api.db import make_engine
from api.inputs import JobInput
from api.keys import Role
from api.store import Document, JobKind, JobStore
from routing.haversine import HaversineTravel
from scheduler.cli import main
from scheduler.io.scenario import read_scenario, scenario_to_json
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.rules.day import validate_plan
from tests.api.conftest import FAST, Service, running
from tests.conftest import VISITS, write_folder

ORDER = ["queued", "running", "done"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service with the real worker pool, shared by this module's jobs."""
    folder = tmp_path_factory.mktemp("live")
    with running(ServiceSettings(database_url=f"sqlite:///{folder / 'domcare.db'}")) as started:
        yield started


def _files(folder: Path) -> dict[str, tuple[str, bytes, str]]:
    return {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}


def test_a_rota_goes_queued_running_done_with_every_output(
    live: Service, tiny_folder: Path
) -> None:
    accepted = live.client.post(
        "/v1/rotas",
        files=_files(tiny_folder),
        data={"name": "tiny", "time_limit_s": "10", "solution_limit": "50"},
        headers=live.as_(Role.COORDINATOR),
    )
    assert accepted.status_code == 202 and accepted.json()["status"] == "queued"
    path = accepted.headers["Location"]
    job = live.wait(path)
    assert job["status"] == "done", job["error"]
    seen = job["seen"]
    assert seen == [s for s in ORDER if s in seen]  # never backwards
    # A worker writes its first progress as it claims the job: it ran, in another process.
    assert job["progress"] is not None and job["started_at"] <= job["finished_at"]

    scenario = read_scenario(tiny_folder)
    plan = Plan.model_validate(job["plan"])
    assert plan.scenario == "tiny" and plan.settings.solve.solution_limit == 50
    assert validate_plan(scenario, plan, HaversineTravel(plan.settings.travel)) == []
    assert job["figures"]["visits_allocated"] == 4 and job["week"] is None
    carers = sorted({run.carer_id for run in plan.runs})
    assert set(job["links"]) == {"self", "map", "rota_csv", "plan_json", "replan"} | {
        f"runsheet_{carer}" for carer in carers
    }

    viewer = live.as_(Role.VIEWER)
    page = live.client.get(job["links"]["map"], headers=viewer)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "leaflet" in page.text.lower() and "Mrs Example" not in page.text
    rota = live.client.get(job["links"]["rota_csv"], headers=viewer)
    assert rota.headers["content-type"].startswith("text/csv")
    table = pd.read_csv(io.StringIO(rota.text))
    assert len(table) == 5 and "client_name" not in table.columns  # 4 visits, 1 double
    plan_json = live.client.get(job["links"]["plan_json"], headers=viewer)
    assert Plan.model_validate_json(plan_json.content) == plan


def test_names_only_on_request(live: Service, tiny_folder: Path) -> None:
    accepted = live.client.post(
        "/v1/rotas",
        files=_files(tiny_folder),
        data={**{k: str(v) for k, v in FAST.items()}, "show_names": "true"},
        headers=live.as_(Role.COORDINATOR),
    )
    job = live.wait(accepted.headers["Location"])
    rota = live.client.get(job["links"]["rota_csv"], headers=live.as_(Role.VIEWER))
    assert "Mrs Example" in set(pd.read_csv(io.StringIO(rota.text))["client_name"])


def test_a_week_is_planned_day_by_day(live: Service, tmp_path: Path) -> None:
    two_days = VISITS.replace("V3,K3,2026-12-01", "V3,K3,2026-12-02").replace(
        "V4,K3,2026-12-01", "V4,K3,2026-12-02"
    )
    document = json.loads(
        scenario_to_json(read_scenario(write_folder(tmp_path / "week", visits=two_days)))
    )
    accepted = live.client.post(
        "/v1/rotas",
        json={"scenario": document, "options": FAST},
        headers=live.as_(Role.COORDINATOR),
    )
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    assert job["plan"] is None and [d["date"] for d in job["week"]["days"]] == [
        "2026-12-01",
        "2026-12-02",
    ]
    assert job["week_figures"]["visits_allocated"] == 4
    viewer = live.as_(Role.VIEWER)
    assert live.client.get(job["links"]["map_2026-12-02"], headers=viewer).status_code == 200
    missing = live.client.get(f"{job['links']['map']}?date=2026-12-09", headers=viewer)
    assert missing.status_code == 404 and "2026-12-01, 2026-12-02" in missing.json()["detail"]
    rota = pd.read_csv(io.StringIO(live.client.get(job["links"]["rota_csv"], headers=viewer).text))
    assert set(rota["date"]) == {"2026-12-01", "2026-12-02"} and len(rota) == 5


def test_a_week_is_the_same_files_from_the_service_as_from_the_command_line(
    live: Service, tmp_path: Path
) -> None:
    # Both go through plan_rota and rota_files: the same names, and (with a solution limit,
    # so the search is the same) the same rota and figures.
    two_days = VISITS.replace("V3,K3,2026-12-01", "V3,K3,2026-12-02").replace(
        "V4,K3,2026-12-01", "V4,K3,2026-12-02"
    )
    folder = write_folder(tmp_path / "week", visits=two_days)
    out = tmp_path / "out"
    limits = ["--time-limit", "10", "--solution-limit", "50"]
    assert main(["solve", str(folder), "--out", str(out), *limits]) == 0
    accepted = live.client.post(
        "/v1/rotas",
        files=_files(folder),
        data={k: str(v) for k, v in FAST.items()},
        headers=live.as_(Role.COORDINATOR),
    )
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    engine = make_engine(live.settings.database_url, create_schema=False)
    try:
        store = JobStore(engine)
        names = store.document_names(job["id"])
        written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
        assert names == written
        for name in ("rota.csv", "week_figures.json", "2026-12-02/rota.csv"):
            stored = store.document(job["id"], name)
            assert stored is not None and stored.content == (out / name).read_text(), name
    finally:
        engine.dispose()


def test_a_comparison_is_a_job_too(live: Service, tiny_folder: Path) -> None:
    manual = "carer_id,date,visit_id,planned_start\nC1,2026-12-01,V1,08:00\n"
    accepted = live.client.post(
        "/v1/compare",
        files=_files(tiny_folder)
        | {"manual_rota": ("manual_rota.csv", manual.encode(), "text/csv")},
        data={k: str(v) for k, v in FAST.items()},
        headers=live.as_(Role.PLANNER),
    )
    assert accepted.status_code == 202, accepted.text
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    names = [rota["name"] for rota in job["comparison"]["rotas"]]
    assert names == ["optimised rota", "manual rota", "coordinator baseline", "greedy baseline"]
    assert job["progress"]["step"] is not None
    report = live.client.get(job["links"]["report"], headers=live.as_(Role.VIEWER))
    assert report.status_code == 200 and "<html" in report.text.lower()


def test_a_bad_manual_rota_is_422_at_once(live: Service, tiny_folder: Path) -> None:
    manual = "carer_id,date,visit_id,planned_start\nC9,2026-12-01,V1,08:00\n"
    answer = live.client.post(
        "/v1/compare",
        files=_files(tiny_folder) | {"manual_rota": ("m.csv", manual.encode(), "text/csv")},
        headers=live.as_(Role.PLANNER),
    )
    assert answer.status_code == 422
    [issue] = answer.json()["issues"]
    assert (issue["file"], issue["row"], issue["column"]) == ("manual_rota.csv", 2, "carer_id")


def _stored_job(database_url: str, folder: Path) -> str:
    """A job as a service killed mid-solve leaves it: running, under a worker now gone."""
    scenario = read_scenario(folder)
    settings = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))
    checked = JobInput(scenario, settings, show_names=False)
    engine = make_engine(database_url)
    try:
        store = JobStore(engine)
        job = store.create(
            JobKind.ROTA, FAST, checked.document(), checked.facts().model_dump(mode="json")
        )
        # Its server held it with a lease that has lapsed since, and stopped renewing it.
        assert store.hold([job.id], "dead-server", 0) == [job.id]
        assert store.claim(job.id, "lost-worker", "dead-server")
        return job.id
    finally:
        engine.dispose()


def test_a_job_left_running_is_finished_when_the_service_starts_again(
    database_url: str, tiny_folder: Path
) -> None:
    job_id = _stored_job(database_url, tiny_folder)
    with running(ServiceSettings(database_url=database_url)) as service:
        job = service.wait(f"/v1/rotas/{job_id}")
        assert job["status"] == "done", job["error"]
        assert job["figures"]["visits_allocated"] == 4
    engine = make_engine(database_url, create_schema=False)
    try:
        store = JobStore(engine)
        finished = store.get(job_id)
        assert finished is not None and finished.attempts == 2
        # The lost worker, were it still about, can change nothing any more.
        assert not store.report_progress(job_id, "lost-worker", {"elapsed_s": 99})
        assert not store.finish(job_id, "lost-worker", {}, [Document("x", "text/plain", "")])
        names = store.document_names(job_id)
        assert [n for n in names if not n.startswith("runsheets/")] == [
            "figures.json",
            "map.html",
            "plan.json",
            "plan.schema.json",
            "rota.csv",
        ]
        carers = {run["carer_id"] for run in job["plan"]["runs"]}
        assert {n for n in names if n.startswith("runsheets/")} == {
            f"runsheets/{carer}.{kind}" for carer in carers for kind in ("html", "ics")
        }
    finally:
        engine.dispose()
