"""Jobs handed to worker processes: a bounded queue in front of a process pool.

The web process never plans: it stores a job, holds it (a lease in the database, renewed
while this runner lives), then gives its id to the pool, whose worker reads the job from the
database (``api.worker.run_job``). The database is the truth, so a restart loses nothing, and
several servers may share one database: a runner that stops releases its jobs, and the jobs
of one that died are taken over by whichever runner sees their lease lapse (at its start, or
in its rounds), each by one runner only; its worker claims a job only while its runner still
holds it. A job that was running when its server died counts that as an attempt.

A worker process that dies (killed, out of memory) breaks the whole pool: the pool is made
again, jobs that had not started go back in, and a job that was running is tried once more,
then failed, so that a job that kills its worker cannot keep the service busy.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from api.config import ServiceSettings, SweepPlace
from api.store import DISK_FULL, UNFINISHED, Job, JobStatus, JobStore, disk_full

__all__ = ["MAX_ATTEMPTS", "JobRunner", "QueueFull", "process_pool"]

log = logging.getLogger("domcare.api.runner")

MAX_ATTEMPTS = 2
"""Times a job may be running when its worker (or its server) dies before it is failed."""
MAX_LOSSES = 5
"""Times a job may be lost with a broken pool at all (running or waiting) before it is failed:
a pool whose workers cannot even start must not be started again for ever."""

ExecutorFactory = Callable[[ServiceSettings], Executor]


def _run_job(*arguments: Any) -> None:
    """``api.worker.run_job`` in a worker process: the web process that hands jobs out never
    imports the worker, and so never loads OR-Tools."""
    from api.worker import run_job

    run_job(*arguments)


def _start_worker(parent_pid: int, log_level: int) -> None:
    from api.worker import start_worker

    start_worker(parent_pid, log_level)


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
        initializer=_start_worker,
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


def runner_id() -> str:
    """Who holds a job, for a person reading the database: host, process and a random part."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        service: ServiceSettings,
        make_executor: ExecutorFactory = process_pool,
    ):
        self._store, self._service, self._make_executor = store, service, make_executor
        self.owner = runner_id()
        # Re-entrant: a future that is done already runs its callback in the submitting thread.
        self._lock = threading.RLock()
        self._pending: set[str] = set()
        self._losses: Counter[str] = Counter()
        self._executor: Executor | None = None
        self._closing = False
        self._stopped = threading.Event()
        self._rounds: threading.Thread | None = None

    @property
    def in_queue(self) -> int:
        """Jobs waiting or running."""
        with self._lock:
            return len(self._pending)

    def start(self) -> list[str]:
        """Start the pool, take over every job no server holds (left by a previous run, or
        by a server that died), and renew this runner's leases from now on."""
        with self._lock:
            self._executor = self._make_executor(self._service)
        try:
            again = self._adopt()
        except SQLAlchemyError as exc:
            log.error(
                "taking over unfinished jobs failed (%s): tried again every %g s",
                type(exc).__name__,
                self._service.lease_s / 4,
            )
            again = []
        if again:
            log.info("queued again %d job(s) left unfinished: %s", len(again), ", ".join(again))
        self._rounds = threading.Thread(target=self._keep, name="job-leases", daemon=True)
        self._rounds.start()
        return again

    def _keep(self) -> None:
        while not self._stopped.wait(self._service.lease_s / 4):
            self.tend()

    def tend(self) -> list[str]:
        """One round: renew the leases of this runner's jobs, take over those no server
        holds any more; the ids taken over. A store that cannot be written is logged and
        tried again next round (meanwhile the leases may lapse, and another server take
        the jobs over)."""
        try:
            with self._lock:
                pending = list(self._pending)
            self._store.renew(pending, self.owner, self._service.lease_s)
            return self._adopt()
        except SQLAlchemyError as exc:
            log.error("renewing the leases of jobs failed: %s", type(exc).__name__)
            return []

    def _adopt(self) -> list[str]:
        """Queue here every job no server holds; a job whose servers kept dying while it ran
        is failed instead."""
        adopted = []
        for orphan in self._store.orphans():
            if orphan.status is JobStatus.RUNNING and orphan.attempts >= MAX_ATTEMPTS:
                if self._store.fail_orphan(
                    orphan.id,
                    f"the service planning it stopped unexpectedly {orphan.attempts} time(s) "
                    "while it ran",
                ):
                    log.error("job %s failed: its server stopped while it ran", orphan.id)
                continue
            with self._lock:
                if self._closing:
                    break
                if self._store.adopt(orphan.id, self.owner, self._service.lease_s):
                    self._submit(orphan.id)
                    adopted.append(orphan.id)
        return adopted

    def admit(self, create: Callable[[], Job]) -> Job:
        """Store a job with ``create`` and queue it, unless the queue is full (then
        ``QueueFull``, and nothing is stored)."""
        with self._lock:
            if len(self._pending) >= self._service.queue_size:
                raise QueueFull(self._service.queue_size)
            job = create()
            # Another server could take a new job over before this one holds it: then it is
            # that server's to run.
            if self._store.hold([job.id], self.owner, self._service.lease_s):
                self._submit(job.id)
        return job

    def close(self) -> None:
        """Stop: workers end at once, their jobs released for any server to take over (this
        one at its next start)."""
        self._stopped.set()
        if self._rounds is not None:
            self._rounds.join()
        with self._lock:
            self._closing = True
            executor, self._executor = self._executor, None
        if executor is not None:
            _stop_workers(executor)
            executor.shutdown(wait=True, cancel_futures=True)
        try:
            self._store.release(self.owner)
        except SQLAlchemyError as exc:
            log.error(
                "releasing this server's jobs failed (%s): they are taken over when their "
                "leases lapse",
                type(exc).__name__,
            )

    def _submit(self, job_id: str) -> None:
        """Hand ``job_id`` to the pool (the lock is held)."""
        assert self._executor is not None, "start the runner first"
        service = self._service
        arguments = (
            service.database_url,
            job_id,
            self.owner,
            service.progress_interval_s,
            SweepPlace(service.whatif_workers, service.dask_address, service.scenarios_dir),
            service.osm_extract,
        )
        try:
            future = self._executor.submit(_run_job, *arguments)
        except BrokenProcessPool:
            self._executor = self._make_executor(self._service)
            future = self._executor.submit(_run_job, *arguments)
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
            try:
                self._lost(job_id, executor, error)
            except SQLAlchemyError as exc:
                # Its lease is no longer renewed: when it lapses, the job is taken over.
                log.error(
                    "job %s: its end could not be stored (%s); it is queued again when its "
                    "lease lapses",
                    job_id,
                    type(exc).__name__,
                )

    def _lost(self, job_id: str, executor: Executor, error: BaseException) -> None:
        """A worker raised, or died with its pool (the lock is held)."""
        if not isinstance(error, BrokenProcessPool):
            self._store.fail_unfinished(
                job_id,
                self.owner,
                DISK_FULL
                if disk_full(error)
                else f"domcare failed unexpectedly ({type(error).__name__}); the service's "
                f"log has the details under job {job_id}",
            )
            log.error("job %s: the worker raised %s", job_id, type(error).__name__)
            return
        job = self._store.get(job_id)
        if job is None or job.status.value not in UNFINISHED or job.owner != self.owner:
            return
        self._losses[job_id] += 1
        if job.attempts >= MAX_ATTEMPTS or self._losses[job_id] >= MAX_LOSSES:
            self._losses.pop(job_id)
            self._store.fail_unfinished(
                job_id,
                self.owner,
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
        if self._store.requeue(job_id, self.owner):
            self._submit(job_id)
