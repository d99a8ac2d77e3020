"""The worker's side of a job, run here in the test's own process: a failed job says why in
a sentence, never a traceback; another worker's job is left alone."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from api.config import ServiceSettings
from api.db import make_engine
from api.inputs import JobInput
from api.store import JobKind, JobStatus, JobStore
from api.worker import run_job
from scheduler.io.scenario import read_scenario
from scheduler.model.settings import Settings, SolveSettings
from tests.api.conftest import FAST

SERVER = "this-server"
"""The runner whose worker runs the job here."""


def _run(service: ServiceSettings, document: dict[str, Any]) -> tuple[str, JobStore, Any]:
    engine = make_engine(service.database_url)
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, FAST, document, {"name": "tiny"})
    assert store.hold([job.id], SERVER, 60) == [job.id]
    run_job(service.database_url, job.id, SERVER, 1.0)
    return job.id, store, engine


@pytest.fixture
def good(tiny_folder: Path) -> dict[str, Any]:
    settings = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))
    return JobInput(read_scenario(tiny_folder), settings, show_names=False).document()


def test_a_job_is_planned_and_stored(service: ServiceSettings, good: dict[str, Any]) -> None:
    job_id, store, engine = _run(service, good)
    done = store.get(job_id)
    engine.dispose()
    assert done is not None and done.status is JobStatus.DONE and done.attempts == 1
    assert done.result == {
        "dates": ["2026-12-01"],
        "plan_status": "solved",
        "note": None,
        "carers": ["C1", "C2", "C3"],  # each with a run sheet
        "travel": "straight lines x circuity",
        "travel_notes": [],
    }


def test_input_that_no_longer_reads_fails_with_the_readers_sentence(
    service: ServiceSettings, good: dict[str, Any]
) -> None:
    good["scenario"]["visits"][0]["client_id"] = "K9"
    job_id, store, engine = _run(service, good)
    failed = store.get(job_id)
    engine.dispose()
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error is not None
    assert "scenario.json column visits[0].client_id: no client has the id 'K9'" in failed.error


def test_an_unexpected_error_is_a_sentence_and_a_log_without_its_text(
    service: ServiceSettings, good: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    del good["settings"]  # a KeyError whose text would be 'settings'
    caplog.set_level(logging.INFO, logger="domcare")
    job_id, store, engine = _run(service, good)
    failed = store.get(job_id)
    engine.dispose()
    assert failed is not None and failed.error == (
        "domcare failed unexpectedly (KeyError); the service's log has the details under "
        f"job {job_id}"
    )
    assert f"job {job_id} failed: KeyError" in caplog.text
    assert "'settings'" not in caplog.text


def test_a_job_not_queued_is_left_alone(service: ServiceSettings, good: dict[str, Any]) -> None:
    engine = make_engine(service.database_url)
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, FAST, good, {"name": "tiny"})
    assert store.hold([job.id], SERVER, 60) == [job.id]
    assert store.claim(job.id, "another worker", SERVER)
    run_job(service.database_url, job.id, SERVER, 1.0)
    still = store.get(job.id)
    engine.dispose()
    assert still is not None and still.status is JobStatus.RUNNING and still.attempts == 1
