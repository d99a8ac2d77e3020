"""GET /v1/rotas: the newest rota jobs for the page's list of past rotas: a viewer may read
it, newest first, rota jobs only, summaries without plans or names, ``limit`` 1 to 100; and
/healthz tells the page the longest time limit the service takes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.keys import Role
from api.routes.rotas import LIST_DEFAULT, LIST_MOST
from scheduler.io.scenario import read_scenario, scenario_to_json
from tests.api.conftest import FAST, Service
from tests.conftest import VISITS, write_folder

SUMMARY_FIELDS = {
    "id",
    "status",
    "created_at",
    "finished_at",
    "scenario",
    "visits_covered",
    "links",
}


def _tiny(tiny_folder: Path, name: str) -> dict[str, Any]:
    scenario = json.loads(scenario_to_json(read_scenario(tiny_folder)))
    return {"scenario": scenario | {"name": name}, "options": FAST}


def _request(held: Service, body: dict[str, Any], path: str = "/v1/rotas") -> str:
    role = Role.PLANNER if path == "/v1/compare" else Role.COORDINATOR
    accepted = held.client.post(path, json=body, headers=held.as_(role))
    assert accepted.status_code == 202, accepted.text
    job_id: str = accepted.json()["id"]
    return job_id


def _listed(held: Service, query: str = "") -> list[dict[str, Any]]:
    answer = held.client.get(f"/v1/rotas{query}", headers=held.as_(Role.VIEWER))
    assert answer.status_code == 200, answer.text
    listed: list[dict[str, Any]] = answer.json()
    return listed


def test_the_list_needs_a_key(held: Service) -> None:
    assert held.client.get("/v1/rotas").status_code == 401
    bad = held.client.get("/v1/rotas", headers={"Authorization": "Bearer dck_nope"})
    assert bad.status_code == 401
    assert _listed(held) == []  # a viewer may read it; nothing requested yet


def test_rota_jobs_are_listed_newest_first_with_summaries_only(
    held: Service, tiny_folder: Path
) -> None:
    first = _request(held, _tiny(tiny_folder, "monday"))
    _request(held, _tiny(tiny_folder, "a comparison"), "/v1/compare")
    assert held.executor is not None
    held.executor.run_all()  # the rota and the comparison are done
    second = _request(held, _tiny(tiny_folder, "tuesday"))  # queued

    answer = held.client.get("/v1/rotas", headers=held.as_(Role.VIEWER))
    listed = answer.json()

    assert [job["id"] for job in listed] == [second, first]  # no comparison
    queued, done = listed
    assert set(done) == SUMMARY_FIELDS
    assert (queued["status"], done["status"]) == ("queued", "done")
    assert (queued["scenario"]["name"], done["scenario"]["name"]) == ("tuesday", "monday")
    assert done["scenario"]["visits"] == 4 and done["scenario"]["dates"] == ["2026-12-01"]
    figures = held.client.get(f"/v1/rotas/{first}", headers=held.as_(Role.VIEWER)).json()
    assert done["visits_covered"] == figures["figures"]["visits_allocated"] > 0
    assert queued["visits_covered"] is None and queued["finished_at"] is None
    assert done["links"] == {"self": f"/v1/rotas/{first}"}
    for private in ("Mrs Example", "Ann Carer", "runs", "unallocated"):
        assert private not in answer.text


def test_a_week_is_listed_with_the_visits_covered_over_its_days(
    held: Service, tmp_path: Path
) -> None:
    two_days = VISITS.replace("V3,K3,2026-12-01", "V3,K3,2026-12-02")
    week = json.loads(scenario_to_json(read_scenario(write_folder(tmp_path, visits=two_days))))
    job_id = _request(held, {"scenario": week, "options": FAST})
    assert held.executor is not None
    held.executor.run_all()

    (listed,) = _listed(held)

    answer = held.client.get(f"/v1/rotas/{job_id}", headers=held.as_(Role.VIEWER)).json()
    assert listed["scenario"]["dates"] == ["2026-12-01", "2026-12-02"]
    assert listed["visits_covered"] == answer["week_figures"]["visits_allocated"] > 0


def test_limit_takes_the_newest(held: Service, tiny_folder: Path) -> None:
    made = [_request(held, _tiny(tiny_folder, f"day {n}")) for n in range(3)]

    assert [job["id"] for job in _listed(held, "?limit=2")] == made[:0:-1]
    assert [job["id"] for job in _listed(held, "?limit=1")] == made[-1:]
    assert len(_listed(held)) == 3 <= LIST_DEFAULT


@pytest.mark.parametrize("limit", ["0", str(LIST_MOST + 1), "many"])
def test_a_limit_out_of_range_is_refused_saying_where(held: Service, limit: str) -> None:
    answer = held.client.get(f"/v1/rotas?limit={limit}", headers=held.as_(Role.VIEWER))

    assert answer.status_code == 422
    (issue,) = answer.json()["issues"]
    assert issue["column"] == "query.limit"


def test_the_list_is_documented_with_its_model(held: Service) -> None:
    document = held.client.get("/openapi.json").json()
    operation = document["paths"]["/v1/rotas"]["get"]
    assert operation["operationId"] == "list_rotas"
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"] == {"$ref": "#/components/schemas/RotaListItem"}
    (limit,) = operation["parameters"]
    assert (limit["name"], limit["schema"]["maximum"], limit["schema"]["default"]) == (
        "limit",
        LIST_MOST,
        LIST_DEFAULT,
    )


def test_health_says_the_longest_time_limit(held: Service) -> None:
    answer = held.client.get("/healthz")
    assert answer.json()["max_time_limit_s"] == held.settings.max_time_limit_s == 600
