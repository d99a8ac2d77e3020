"""No client or carer names, addresses or postcodes in the service's logs: ids, counts and
durations only, even when a request asks for names in its outputs or something fails."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from api.config import ServiceSettings
from api.keys import Role
from api.main import create_app
from tests.api.conftest import FAST, HeldExecutor, Service, TestClient

PERSONAL = ("Mrs Example", "Mr Example", "Ann Carer", "Bob Carer", "1 Main Street", "BT28")


def test_a_job_logs_its_id_and_counts_never_a_name(
    held: Service, tiny_files: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    accepted = held.client.post(
        "/v1/rotas",
        files=tiny_files,
        data={**{k: str(v) for k, v in FAST.items()}, "show_names": "true"},
        headers=held.as_(Role.COORDINATOR),
    )
    assert held.executor is not None
    held.executor.run_all()  # the worker's part, here in this process
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "done"
    assert f"job {job['id']} (rota) queued: 4 visits, 3 carers, 1 date(s)" in caplog.text
    assert f"job {job['id']} done in" in caplog.text
    assert not [word for word in PERSONAL if word in caplog.text]


def test_an_unexpected_error_is_500_and_logged_without_its_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        ServiceSettings(database_url=f"sqlite:///{tmp_path / 'domcare.db'}"),
        make_executor=lambda _settings: HeldExecutor(),
    )

    @app.get("/boom")
    def boom() -> None:
        raise ValueError(", ".join(PERSONAL))  # as data would: not in the source line

    with TestClient(app) as client:
        answer = client.get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "domcare failed unexpectedly (ValueError)"}
    assert "GET /boom failed: ValueError" in caplog.text
    assert not [word for word in PERSONAL if word in caplog.text]
