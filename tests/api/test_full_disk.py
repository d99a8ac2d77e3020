"""A full disk: a request answers 503 with a sentence and Retry-After, storing nothing; a job
whose results cannot be stored ends failed, saying why, or, when nothing at all can be
written, is queued again once its lease lapses and the disk has room: never left running.
/healthz says the database cannot be written. The full disk is SQLite's own error, raised
for every write (or some) by every engine of this process while a test holds it."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from api.config import ServiceSettings
from api.db import make_engine
from api.keys import Role
from api.runner import JobRunner
from api.store import DISK_FULL, JobKind, JobStatus, JobStore, disk_full
from tests.api.conftest import FAST, HeldExecutor, Service, running

WRITES = ("INSERT", "UPDATE", "DELETE")
ROTA = {"shipped": "small", "options": FAST}


@contextmanager
def full_disk(fails: Callable[[str], bool] = lambda statement: True) -> Iterator[None]:
    """While held, every write (or each write ``fails`` picks) raises SQLite's full-disk
    error, as the DBAPI raises it; reads work, as they do on a full disk."""

    def refuse(_cursor: Any, statement: str, _parameters: Any, _context: Any) -> None:
        if statement.lstrip().upper().startswith(WRITES) and fails(statement):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(Engine, "do_execute", refuse)
    event.listen(Engine, "do_executemany", refuse)
    try:
        yield
    finally:
        event.remove(Engine, "do_execute", refuse)
        event.remove(Engine, "do_executemany", refuse)


def _jobs(service: Service) -> list[Any]:
    engine = make_engine(service.settings.database_url, create_schema=False)
    try:
        with engine.connect() as connection:
            return list(connection.exec_driver_sql("SELECT id, status FROM domcare_jobs"))
    finally:
        engine.dispose()


def test_what_counts_as_a_full_disk() -> None:
    full = sqlite3.OperationalError("database or disk is full")
    assert disk_full(OperationalError("INSERT", {}, full))
    assert disk_full(OSError(errno.ENOSPC, "No space left on device"))
    missing = sqlite3.OperationalError("no such table")
    assert not disk_full(OperationalError("SELECT", {}, missing))
    assert not disk_full(OSError(errno.EACCES, "Permission denied"))
    assert not disk_full(ValueError("database or disk is full"))


def test_a_request_on_a_full_disk_is_503_and_stores_nothing(held: Service) -> None:
    with full_disk():
        answer = held.client.post("/v1/rotas", json=ROTA, headers=held.as_(Role.COORDINATOR))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "300"
    assert answer.json() == {
        "detail": "the service's disk is full: nothing was stored. Try again later; the "
        "service's administrator must free some space"
    }
    assert _jobs(held) == [] and held.client.get("/healthz").json()["jobs_in_queue"] == 0
    assert held.executor is not None and held.executor.held == []


def test_an_upload_is_read_in_memory_so_a_full_temporary_folder_does_not_stop_it(
    held: Service, tiny_files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Uploaded tables go straight to the readers: no file is written before the job is stored.
    def no_room(*_args: Any, **_kwargs: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pathlib.Path.write_bytes", no_room)
    monkeypatch.setattr("pathlib.Path.write_text", no_room)
    answer = held.client.post("/v1/rotas", files=tiny_files, headers=held.as_(Role.COORDINATOR))
    assert answer.status_code == 202, answer.text
    assert len(_jobs(held)) == 1


def test_healthz_says_the_database_cannot_be_written(held: Service) -> None:
    assert held.client.get("/healthz").status_code == 200
    with full_disk():
        answer = held.client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "failing" and answer.json()["database"] == "cannot write"
    assert "disk" in answer.json()["detail"]
    assert held.client.get("/healthz").json()["database"] == "ok"


def _tiny(held: Service, files: dict[str, Any]) -> Any:
    return held.client.post(
        "/v1/rotas",
        files=files,
        data={k: str(v) for k, v in FAST.items()},
        headers=held.as_(Role.COORDINATOR),
    )


def test_results_that_cannot_be_stored_fail_the_job_saying_why(
    held: Service, tiny_files: dict[str, Any]
) -> None:
    accepted = _tiny(held, tiny_files)
    assert held.executor is not None
    with full_disk(lambda statement: "domcare_documents" in statement):
        held.executor.run_all()  # the worker, here: plans, then cannot store the plan
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "failed" and job["error"] == DISK_FULL
    assert held.client.get("/healthz").json()["jobs_in_queue"] == 0


@pytest.fixture
def short_leases(service: ServiceSettings) -> Iterator[Service]:
    with running(service.model_copy(update={"lease_s": 0.4}), HeldExecutor()) as started:
        yield started


def test_a_job_nothing_can_be_written_for_is_queued_again_when_there_is_room(
    short_leases: Service, tiny_files: dict[str, Any]
) -> None:
    """Every write but the claim fails: the job cannot be finished, failed or even have its
    lease renewed. Once the disk has room it is queued again (its lease lapsed) and done."""
    held = short_leases
    accepted = _tiny(held, tiny_files)
    job_id = accepted.json()["id"]
    assert held.executor is not None
    with full_disk(lambda statement: "started_at" not in statement):  # the claim sets it
        held.executor.run_all()
        stuck = held.client.get(f"/v1/rotas/{job_id}", headers=held.as_(Role.VIEWER)).json()
        assert stuck["status"] == "running"
        time.sleep(0.5)  # its lease lapses: nobody could renew it
    deadline = time.monotonic() + 30  # the runner's own rounds take it over
    while not held.executor.held and time.monotonic() < deadline:
        time.sleep(0.05)
    queued = held.client.get(f"/v1/rotas/{job_id}", headers=held.as_(Role.VIEWER)).json()
    assert queued["status"] == "queued"
    held.executor.run_all()
    done = held.wait(accepted.headers["Location"])
    assert done["status"] == "done", done["error"]
    engine = make_engine(held.settings.database_url, create_schema=False)
    try:
        again = JobStore(engine).get(job_id)
        assert again is not None and again.status is JobStatus.DONE and again.attempts == 2
    finally:
        engine.dispose()


def test_a_server_starting_on_a_full_disk_starts_and_takes_over_jobs_later(
    service: ServiceSettings,
) -> None:
    engine = make_engine(service.database_url)
    try:
        store = JobStore(engine)
        left = store.create(JobKind.ROTA, {}, {}, {})  # a job no server holds
        pool = HeldExecutor()
        runner = JobRunner(store, service, lambda _settings: pool)
        with full_disk():
            assert runner.start() == []
        assert runner.tend() == [left.id] and [args[1] for _, _, args in pool.held] == [left.id]
        runner.close()
    finally:
        engine.dispose()
