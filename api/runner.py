"""Jobs handed to worker processes: a bounded queue in front of a process pool.

The web process never plans: it stores a job, then gives its id to the pool, whose worker
reads the job from the database (``api.worker.run_job``). The database is the truth, so a
restart loses nothing: ``start`` queues again every job left queued or running.

A worker process that dies (killed, out of memory) breaks the whole pool: the pool is made
again, jobs that had not started go back in, and a job that was running is tried once more,
then failed, so that a job that kills its worker cannot keep the service busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from api.config import ServiceSettings
from api.store import UNFINISHED, Job, JobStore
from api.worker import SweepPlace, run_job, start_worker

__all__ = ["MAX_ATTEMPTS", "JobRunner", "QueueFull", "process_pool"]

log = logging.getLogger("domcare.api.runner")

MAX_ATTEMPTS = 2
"""Times a job may be running when its worker dies before it is failed."""
MAX_LOSSES = 5
"""Times a job may be lost with a broken pool at all (running or waiting) before it is failed:
a pool whose workers cannot even start must not be started again for ever."""

ExecutorFactory = Callable[[ServiceSettings], Executor]


class QueueFull(Exception):
    def __init__(self, size: int):
        super().__init__(
            f"the queue is full ({size} jobs waiting or running): try again in a minute"
        )


def process_pool(service: ServiceSettings) -> Executor:
    """Worker processes started afresh (spawn: nothing of the web process's threads or
    connections is inherited), each ending when the service ends."""
    return ProcessPoolExecutor(
        max_workers=service.workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(), logging.getLogger("domcare").getEffectiveLevel()),
    )


def _stop_workers(executor: Executor) -> None:
    """End the worker processes now: their jobs stay running in the database and are queued
    again at the next start. (``ProcessPoolExecutor`` has no public way before 3.14.)"""
    terminate = getattr(executor, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        service: ServiceSettings,
        make_executor: ExecutorFactory = process_pool,
    ):
        self._store, self._service, self._make_executor = store, service, make_executor
        # Re-entrant: a future that is done already runs its callback in the submitting thread.
        self._lock = threading.RLock()
        self._pending: set[str] = set()
        self._losses: Counter[str] = Counter()
        self._executor: Executor | None = None
        self._closing = False

    @property
    def in_queue(self) -> int:
        """Jobs waiting or running."""
        with self._lock:
            return len(self._pending)

    def start(self) -> list[str]:
        """Start the pool and queue again every job a previous run left unfinished."""
        with self._lock:
            self._executor = self._make_executor(self._service)
            again = self._store.requeue_unfinished()
            for job_id in again:
                self._submit(job_id)
        if again:
            log.info("queued again %d job(s) left unfinished: %s", len(again), ", ".join(again))
        return again

    def admit(self, create: Callable[[], Job]) -> Job:
        """Store a job with ``create`` and queue it, unless the queue is full (then
        ``QueueFull``, and nothing is stored)."""
        with self._lock:
            if len(self._pending) >= self._service.queue_size:
                raise QueueFull(self._service.queue_size)
            job = create()
            self._submit(job.id)
        return job

    def close(self) -> None:
        """Stop: workers end at once, their jobs to be queued again at the next start."""
        with self._lock:
            self._closing = True
            executor, self._executor = self._executor, None
        if executor is not None:
            _stop_workers(executor)
            executor.shutdown(wait=True, cancel_futures=True)

    def _submit(self, job_id: str) -> None:
        """Hand ``job_id`` to the pool (the lock is held)."""
        assert self._executor is not None, "start the runner first"
        service = self._service
        arguments = (
            service.database_url,
            job_id,
            service.progress_interval_s,
            SweepPlace(service.whatif_workers, service.dask_address, service.scenarios_dir),
        )
        try:
            future = self._executor.submit(run_job, *arguments)
        except BrokenProcessPool:
            self._executor = self._make_executor(self._service)
            future = self._executor.submit(run_job, *arguments)
        self._pending.add(job_id)
        future.add_done_callback(partial(self._finished, job_id, self._executor))

    def _finished(self, job_id: str, executor: Executor, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(job_id)
            if self._closing or future.cancelled():
                return
            error = future.exception()
            if error is None:
                self._losses.pop(job_id, None)
                return
            if not isinstance(error, BrokenProcessPool):
                self._store.fail_unfinished(
                    job_id,
                    f"domcare failed unexpectedly ({type(error).__name__}); the service's log "
                    f"has the details under job {job_id}",
                )
                log.error("job %s: the worker raised %s", job_id, type(error).__name__)
                return
            job = self._store.get(job_id)
            if job is None or job.status.value not in UNFINISHED:
                return
            self._losses[job_id] += 1
            if job.attempts >= MAX_ATTEMPTS or self._losses[job_id] >= MAX_LOSSES:
                self._losses.pop(job_id)
                self._store.fail_unfinished(
                    job_id,
                    f"the worker process planning it stopped unexpectedly "
                    f"{max(job.attempts, 1)} time(s) (too large for the memory of this "
                    "machine?)"
                    if job.attempts >= MAX_ATTEMPTS
                    else "no worker process could be started to plan it",
                )
                log.error("job %s failed: its worker died (%d attempts)", job_id, job.attempts)
                return
            if executor is self._executor:
                self._executor = self._make_executor(self._service)
                log.warning("a worker process died: the pool was started again")
            self._store.requeue(job_id)
            self._submit(job_id)
