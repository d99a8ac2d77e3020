"""The job and key store, on SQLite and (with ``DOMCARE_TEST_POSTGRES_URL``) PostgreSQL:
each change of state happens once, under the right claim, and survives a new engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
)
from sqlalchemy.engine import Engine

from api.db import make_engine, utcnow
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
    assert not store.claim(job.id, "a", "server")  # no server holds it yet
    assert store.hold([job.id], "server", 60) == [job.id]
    assert store.claim(job.id, "a", "server")
    assert not store.claim(job.id, "b", "server")  # running already
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
    assert store.hold([job.id], "server", 60) and store.claim(job.id, "a", "server")
    assert store.fail(job.id, "a", "no carers")
    failed = store.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error == "no carers"
    assert not store.fail_unfinished(job.id, "server", "again")  # finished: left alone


def test_a_job_held_by_a_live_server_is_no_other_servers(
    engine: Engine, database_url: str
) -> None:
    """Two servers on one database, each with its own engine: a job one holds the other
    cannot take, claim, fail or queue again until that lease lapses."""
    one = JobStore(engine)
    job = one.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert one.hold([job.id], "one", 60) == [job.id]
    other_engine = make_engine(database_url)
    try:
        other = JobStore(other_engine)
        assert other.orphans() == []
        assert other.hold([job.id], "two", 60) == []
        assert not other.adopt(job.id, "two", 60)
        assert not other.claim(job.id, "w2", "two")
        assert not other.fail_unfinished(job.id, "two", "no") and not other.requeue(job.id, "two")
        assert not other.fail_orphan(job.id, "no")
        assert one.claim(job.id, "w1", "one")
        held = other.get(job.id)
        assert held is not None and held.owner == "one" and held.status is JobStatus.RUNNING
    finally:
        other_engine.dispose()


def test_a_lapsed_lease_is_taken_over_once_and_counts_as_an_attempt(engine: Engine) -> None:
    store = JobStore(engine)
    queued = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    running = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    done = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    # A server that died: it held them all, one running, and renews nothing any more.
    assert store.hold([queued.id, running.id, done.id], "dead", 0) == [
        queued.id,
        running.id,
        done.id,
    ]
    assert store.claim(running.id, "old", "dead") and store.claim(done.id, "d", "dead")
    assert store.finish(done.id, "d", {}, [])
    orphans = store.orphans()
    assert [(o.id, o.status, o.attempts) for o in orphans] == [
        (queued.id, JobStatus.QUEUED, 0),
        (running.id, JobStatus.RUNNING, 1),
    ]
    assert store.adopt(running.id, "alive", 60)
    assert not store.adopt(running.id, "another", 60)  # one server takes it over, once
    again = store.get(running.id)
    assert again is not None and again.status is JobStatus.QUEUED and again.owner == "alive"
    assert again.lease_until is not None and again.lease_until > utcnow()
    assert not store.report_progress(running.id, "old", {})  # the old claim is void
    assert store.claim(running.id, "new", "alive")
    renewed = store.get(running.id)
    assert renewed is not None and renewed.attempts == 2
    assert [o.id for o in store.orphans()] == [queued.id]


def test_leases_are_renewed_and_released(engine: Engine) -> None:
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert store.hold([job.id], "server", 0) == [job.id]
    assert [o.id for o in store.orphans()] == [job.id]  # lapsed at once
    assert store.renew([job.id], "server", 60) == 1
    assert store.orphans() == []
    assert store.renew([job.id], "someone else", 60) == 0
    assert store.claim(job.id, "w", "server")
    assert store.release("server") == 1  # a server that stops lets its jobs go
    released = store.get(job.id)
    assert released is not None and released.status is JobStatus.QUEUED
    assert released.owner is None and [o.id for o in store.orphans()] == [job.id]
    assert not store.report_progress(job.id, "w", {})


def test_an_orphan_that_keeps_killing_its_servers_is_failed(engine: Engine) -> None:
    store = JobStore(engine)
    job = store.create(JobKind.ROTA, {}, DOCUMENT, {})
    assert store.hold([job.id], "dead", 0) and store.claim(job.id, "w", "dead")
    assert store.fail_orphan(job.id, "its servers kept stopping")
    failed = store.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED and failed.owner is None


def test_a_database_made_before_leases_is_brought_up_to_date(database_url: str) -> None:
    """A jobs table without ``owner`` and ``lease_until``, a job left running in it: the
    columns are added as the service starts, and the job is anyone's to take over."""
    old = MetaData()
    jobs = Table(
        "domcare_jobs",
        old,
        Column("id", String(32), primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("status", String(16), nullable=False),
        Column("options", JSON, nullable=False),
        Column("input", JSON, nullable=False),
        Column("summary", JSON, nullable=False),
        Column("result", JSON),
        Column("error", Text),
        Column("progress", JSON),
        Column("claim", String(32)),
        Column("attempts", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("started_at", DateTime(timezone=True)),
        Column("finished_at", DateTime(timezone=True)),
    )
    before = create_engine(database_url)
    try:
        old.create_all(before)
        with before.begin() as connection:
            connection.execute(
                jobs.insert().values(
                    id="old",
                    kind="rota",
                    status="running",
                    options={},
                    input=DOCUMENT,
                    summary={},
                    claim="gone",
                    attempts=1,
                    created_at=utcnow(),
                )
            )
    finally:
        before.dispose()
    for _ in range(2):  # a second start finds nothing to add
        engine = make_engine(database_url)
        try:
            store = JobStore(engine)
            job = store.get("old")
            assert job is not None and job.status is JobStatus.RUNNING and job.owner is None
            assert store.input("old") == DOCUMENT
            assert [o.id for o in store.orphans()] == ["old"]
        finally:
            engine.dispose()
    engine = make_engine(database_url)
    try:
        assert JobStore(engine).adopt("old", "new server", 60)
    finally:
        engine.dispose()


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
