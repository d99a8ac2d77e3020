"""The queue in front of the worker pool: a worker lost with its pool, a worker that raises,
and progress written no more often than asked. Run with a held executor: no processes."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlalchemy.engine import Engine

from api.config import ServiceSettings
from api.db import make_engine
from api.runner import MAX_ATTEMPTS, JobRunner, QueueFull
from api.store import Job, JobKind, JobStatus, JobStore
from api.worker import ProgressReporter
from routing.problem import Progress
from tests.api.conftest import HeldExecutor


@pytest.fixture
def engine(service: ServiceSettings) -> Iterator[Engine]:
    made = make_engine(service.database_url)
    yield made
    made.dispose()


class Pools:
    """Each pool the runner makes, so a test can break the current one."""

    def __init__(self) -> None:
        self.made: list[HeldExecutor] = []

    def __call__(self, _settings: ServiceSettings) -> HeldExecutor:
        self.made.append(HeldExecutor())
        return self.made[-1]


def _new(store: JobStore) -> Job:
    return store.create(JobKind.ROTA, {}, {}, {"name": "x"})


def test_a_running_job_whose_worker_died_is_tried_again_then_failed(
    engine: Engine, service: ServiceSettings
) -> None:
    store, pools = JobStore(engine), Pools()
    runner = JobRunner(store, service, pools)
    runner.start()
    job = runner.admit(lambda: _new(store))
    waiting = runner.admit(lambda: _new(store))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert store.claim(job.id, f"worker-{attempt}")
        for future, _, _ in pools.made[-1].held:
            future.set_exception(BrokenProcessPool("a worker died"))
        found = store.get(job.id)
        assert found is not None
        if attempt < MAX_ATTEMPTS:  # back in the queue, in a pool made afresh
            assert found.status is JobStatus.QUEUED and len(pools.made) == attempt + 1
    failed, other = store.get(job.id), store.get(waiting.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error == (
        "the worker process planning it stopped unexpectedly 2 time(s) (too large for the "
        "memory of this machine?)"
    )
    # The job that had not started yet is unharmed, waiting in the newest pool.
    assert other is not None and other.status is JobStatus.QUEUED
    assert [args[1] for _, _, args in pools.made[-1].held] == [waiting.id]
    assert runner.in_queue == 1
    runner.close()


def test_a_worker_that_raises_fails_its_job_with_a_sentence(
    engine: Engine, service: ServiceSettings
) -> None:
    store, pools = JobStore(engine), Pools()
    runner = JobRunner(store, service, pools)
    runner.start()
    job = runner.admit(lambda: _new(store))
    [(future, _, _)] = pools.made[0].held
    future.set_exception(MemoryError())
    failed = store.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error is not None and failed.error.startswith(
        "domcare failed unexpectedly (MemoryError)"
    )
    assert "Traceback" not in failed.error
    runner.close()


def test_jobs_cancelled_by_a_stop_stay_unfinished_for_the_next_start(
    engine: Engine, service: ServiceSettings
) -> None:
    store, pools = JobStore(engine), Pools()
    runner = JobRunner(store, service, pools)
    runner.start()
    job = runner.admit(lambda: _new(store))
    runner.close()
    again = JobRunner(store, service, pools)
    assert again.start() == [job.id]
    again.close()


def test_a_full_queue_stores_nothing(engine: Engine, service: ServiceSettings) -> None:
    store = JobStore(engine)
    runner = JobRunner(store, service.model_copy(update={"queue_size": 1}), Pools())
    runner.start()
    runner.admit(lambda: _new(store))
    asked: list[str] = []

    def create() -> Job:
        asked.append("create")
        return _new(store)

    with pytest.raises(QueueFull):
        runner.admit(create)
    assert asked == []
    runner.close()


class FakeStore:
    def __init__(self) -> None:
        self.written: list[dict[str, object]] = []

    def report_progress(self, _job_id: str, _token: str, progress: dict[str, object]) -> bool:
        self.written.append(progress)
        return True


def test_progress_is_written_at_most_once_a_second() -> None:
    now = [100.0]
    store = FakeStore()
    reporter = ProgressReporter(store, "job", "token", 1.0, clock=lambda: now[0])
    for step, (at, placed) in enumerate(
        [(100.0, 1), (100.4, 2), (100.9, 3), (101.0, 4), (103.5, 5)]
    ):
        now[0] = at
        reporter.solving(Progress(elapsed_s=at - 100, objective=1000 - step, performed=placed))
    # 100.0 written; 100.4 and 100.9 within the second; 101.0 one second on; 103.5 too.
    assert [p["visits_placed"] for p in store.written] == [1, 4, 5]
    assert [p["elapsed_s"] for p in store.written] == [0.0, 1.0, 3.5]
