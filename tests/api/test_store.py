"""The job and key store, on SQLite and (with ``DOMCARE_TEST_POSTGRES_URL``) PostgreSQL:
each change of state happens once, under the right claim, and survives a new engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from api.db import make_engine
from api.keys import KeyStore, Role
from api.store import Document, JobKind, JobStatus, JobStore

DOCUMENT = {"scenario": {"name": "x", "visits": [{"id": "V1", "note": "é ✓"}]}}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    yield made
    made.dispose()


def test_a_job_is_stored_as_given_and_read_back_by_another_engine(
    engine: Engine, database_url: str
) -> None:
    store = JobStore(engine)
    job = store.create(JobKind.COMPARE, {"time_limit_s": 5}, DOCUMENT, {"name": "x"})
    assert job.status is JobStatus.QUEUED and job.attempts == 0
    other = make_engine(database_url, create_schema=False)
    try:
        again = JobStore(other).get(job.id)
        assert again == job
        assert again is not None and again.created_at.tzinfo is not None
        assert JobStore(other).input(job.id) == DOCUMENT
    finally:
        other.dispose()
    assert store.get("nope") is None and store.input("nope") is None


def test_a_job_is_claimed_once_and_only_its_claim_writes(engine: Engine) -> None:
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert store.claim(job.id, "a")
    assert not store.claim(job.id, "b")  # running already
    assert store.report_progress(job.id, "a", {"elapsed_s": 1.0})
    assert not store.report_progress(job.id, "b", {"elapsed_s": 9.0})
    running = store.get(job.id)
    assert running is not None
    assert running.status is JobStatus.RUNNING and running.attempts == 1
    assert running.progress == {"elapsed_s": 1.0} and running.started_at is not None
    documents = [
        Document("plan.json", "application/json", "{}"),
        Document("rota.csv", "text/csv", "a\n"),
    ]
    assert not store.finish(job.id, "b", {"dates": []}, documents)
    assert store.document_names(job.id) == []  # nothing of a refused finish is kept
    assert store.finish(job.id, "a", {"dates": ["2026-12-01"]}, documents)
    done = store.get(job.id)
    assert done is not None and done.status is JobStatus.DONE
    assert done.result == {"dates": ["2026-12-01"]} and done.finished_at is not None
    assert store.document(job.id, "rota.csv") == Document("rota.csv", "text/csv", "a\n")
    assert store.document(job.id, "map.html") is None


def test_a_failed_job_keeps_its_sentence(engine: Engine) -> None:
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert store.claim(job.id, "a")
    assert store.fail(job.id, "a", "no carers")
    failed = store.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error == "no carers"
    assert not store.fail_unfinished(job.id, "again")  # finished: left alone


def test_at_start_unfinished_jobs_are_queued_again_oldest_first(engine: Engine) -> None:
    store = JobStore(engine)
    queued = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    running = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    done = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert store.claim(running.id, "old") and store.claim(done.id, "d")
    assert store.finish(done.id, "d", {}, [])
    assert store.requeue_unfinished() == [queued.id, running.id]
    again = store.get(running.id)
    assert again is not None and again.status is JobStatus.QUEUED
    assert not store.report_progress(running.id, "old", {})  # the old claim is void
    assert store.claim(running.id, "new")
    assert store.requeue_unfinished() == [queued.id, running.id]


def test_keys_find_by_token_until_revoked(engine: Engine) -> None:
    keys = KeyStore(engine)
    key, token = keys.create(Role.COORDINATOR, "Ards office")
    assert token.startswith("dck_") and len(token) > 40
    assert keys.find(token) == key
    assert keys.find(token + "x") is None
    assert key.created_at <= dt.datetime.now(dt.UTC)
    assert [k.id for k in keys.all()] == [key.id]
    assert keys.revoke(key.id) and not keys.revoke(key.id)
    assert keys.find(token) is None
    assert keys.all()[0].revoked


def test_roles_rise() -> None:
    assert Role.PLANNER.allows(Role.COORDINATOR) and Role.COORDINATOR.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.COORDINATOR)
    assert not Role.COORDINATOR.allows(Role.PLANNER)
