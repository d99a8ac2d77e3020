"""Every endpoint but /healthz needs a key; each role does what it may and no more."""

from __future__ import annotations

import pytest

from api.db import make_engine
from api.keys import KeyStore, Role, token_sha256
from tests.api.conftest import FAST, Service, bearer

READS = [
    "/v1/scenarios",
    "/v1/rotas/x",
    "/v1/rotas/x/map",
    "/v1/rotas/x/rota.csv",
    "/v1/rotas/x/plan.json",
    "/v1/compare/x",
    "/v1/compare/x/report",
]
ROTA = {"shipped": "small", "options": FAST}


def test_health_needs_no_key(held: Service) -> None:
    answer = held.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "database": "ok",
        "jobs_in_queue": 0,
        "queue_size": 16,
        "max_time_limit_s": 600,
        "detail": None,
    }


@pytest.mark.parametrize("path", READS)
def test_no_key_is_401_and_asks_for_a_bearer(held: Service, path: str) -> None:
    answer = held.client.get(path)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization: Bearer" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/v1/rotas", "/v1/compare"])
def test_no_key_is_401_before_the_body_is_read(held: Service, path: str) -> None:
    assert held.client.post(path, json=ROTA).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer dck_not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
)
def test_wrong_key_is_401(held: Service, header: dict[str, str]) -> None:
    assert held.client.get("/v1/scenarios", headers=header).status_code == 401


def test_a_viewer_reads_but_requests_nothing(held: Service) -> None:
    viewer = held.as_(Role.VIEWER)
    assert held.client.get("/v1/scenarios", headers=viewer).status_code == 200
    for path in ("/v1/rotas", "/v1/compare"):
        answer = held.client.post(path, json=ROTA, headers=viewer)
        assert answer.status_code == 403
        assert "this key is a viewer" in answer.json()["detail"]


def test_a_coordinator_requests_rotas_but_not_comparisons(held: Service) -> None:
    coordinator = held.as_(Role.COORDINATOR)
    assert held.client.post("/v1/rotas", json=ROTA, headers=coordinator).status_code == 202
    answer = held.client.post("/v1/compare", json=ROTA, headers=coordinator)
    assert answer.status_code == 403
    assert "needs a planner key" in answer.json()["detail"]


def test_a_planner_requests_both(held: Service) -> None:
    planner = held.as_(Role.PLANNER)
    assert held.client.post("/v1/rotas", json=ROTA, headers=planner).status_code == 202
    assert held.client.post("/v1/compare", json=ROTA, headers=planner).status_code == 202


def test_a_revoked_key_is_401(held: Service, service_url: str) -> None:
    engine = make_engine(service_url)
    try:
        keys = KeyStore(engine)
        key, token = keys.create(Role.PLANNER, "leaver")
        assert held.client.get("/v1/scenarios", headers=bearer(token)).status_code == 200
        assert keys.revoke(key.id)
    finally:
        engine.dispose()
    assert held.client.get("/v1/scenarios", headers=bearer(token)).status_code == 401


def test_keys_are_stored_hashed(held: Service, service_url: str) -> None:
    engine = make_engine(service_url)
    try:
        with engine.connect() as connection:
            stored = {
                row[0]
                for row in connection.exec_driver_sql("SELECT token_sha256 FROM domcare_api_keys")
            }
    finally:
        engine.dispose()
    assert stored == {token_sha256(token) for token in held.keys.values()}
    assert not stored & set(held.keys.values())
