"""The queue in front of the worker pool: a worker lost with its pool, a worker that raises,
and progress written no more often than asked. Run with a held executor: no processes."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlalchemy.engine import Engine

from api.config import ServiceSettings
from api.db import make_engine, utcnow
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
        assert store.claim(job.id, f"worker-{attempt}", runner.owner)
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


def _submitted(pools: Pools) -> list[tuple[str, str]]:
    """(job id, owner) of each job handed to the pools, as ``run_job`` receives them."""
    return [(args[1], args[2]) for pool in pools.made for _, _, args in pool.held]


def test_two_servers_on_one_database_never_take_each_others_jobs(
    engine: Engine, service: ServiceSettings
) -> None:
    """A second server starting on the database leaves the first one's jobs, queued or
    running, alone: only the server holding a job hands it to a worker."""
    store = JobStore(engine)
    one_pools, two_pools = Pools(), Pools()
    one = JobRunner(store, service, one_pools)
    one.start()
    running = one.admit(lambda: _new(store))
    waiting = one.admit(lambda: _new(store))
    assert store.claim(running.id, "worker-of-one", one.owner)
    other_engine = make_engine(service.database_url)
    try:
        two = JobRunner(JobStore(other_engine), service, two_pools)
        assert two.start() == [] and two.tend() == []
        assert _submitted(two_pools) == []
        assert _submitted(one_pools) == [(running.id, one.owner), (waiting.id, one.owner)]
        # A worker of the second server, given the job anyway, would find it not its own.
        assert not store.claim(waiting.id, "worker-of-two", two.owner)
        two.close()
    finally:
        other_engine.dispose()
    one.close()


def test_the_jobs_of_a_server_that_died_are_taken_over_once(
    engine: Engine, service: ServiceSettings
) -> None:
    """What a killed server leaves: its jobs held under a lease it no longer renews. Two
    live servers look for such jobs at the same moment; each is taken over by one."""
    store = JobStore(engine)
    jobs = [_new(store) for _ in range(12)]
    assert len(store.hold([job.id for job in jobs], "killed", 0)) == 12
    assert store.claim(jobs[0].id, "lost-worker", "killed")
    pools = [Pools(), Pools()]
    runners = [JobRunner(store, service, pool) for pool in pools]
    barrier = threading.Barrier(2)
    taken: list[list[str]] = [[], []]

    def start(number: int) -> None:
        barrier.wait()
        taken[number] = runners[number].start()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(taken[0]) & set(taken[1])
    assert sorted(taken[0] + taken[1]) == sorted(job.id for job in jobs)
    for number, runner in enumerate(runners):
        assert {job_id for job_id, _ in _submitted(pools[number])} == set(taken[number])
        assert {owner for _, owner in _submitted(pools[number])} <= {runner.owner}
    lost = store.get(jobs[0].id)
    assert lost is not None and lost.status is JobStatus.QUEUED and lost.attempts == 1
    assert not store.finish(jobs[0].id, "lost-worker", {}, [])  # its old worker is void
    for runner in runners:
        runner.close()


def test_a_live_server_renews_its_leases_and_a_stopped_one_lets_go(
    engine: Engine, service: ServiceSettings
) -> None:
    store = JobStore(engine)
    one = JobRunner(store, service, Pools())
    one.start()
    job = one.admit(lambda: _new(store))
    first = store.get(job.id)
    assert first is not None and first.owner == one.owner and first.lease_until is not None
    assert first.lease_until > utcnow() + dt.timedelta(seconds=service.lease_s - 5)
    one.tend()
    renewed = store.get(job.id)
    assert renewed is not None and renewed.lease_until is not None
    assert renewed.lease_until >= first.lease_until
    one.close()
    pools = Pools()
    two = JobRunner(store, service, pools)
    assert two.start() == [job.id]  # released at once, not after the lease
    assert _submitted(pools) == [(job.id, two.owner)]
    two.close()


def test_a_job_whose_servers_kept_dying_while_it_ran_is_failed(
    engine: Engine, service: ServiceSettings
) -> None:
    store = JobStore(engine)
    job = _new(store)
    for attempt in range(MAX_ATTEMPTS):
        assert store.adopt(job.id, f"server-{attempt}", 0)
        assert store.claim(job.id, "worker", f"server-{attempt}")
    runner = JobRunner(store, service, Pools())
    assert runner.start() == []
    failed = store.get(job.id)
    assert failed is not None and failed.status is JobStatus.FAILED
    assert failed.error == "the service planning it stopped unexpectedly 2 time(s) while it ran"
    runner.close()
