"""Jobs in the database: created queued, held by a server (its lease), claimed by one of its
workers, finished or failed. A job whose server stopped (its lease lapsed) is taken over by
another, or by the next to start. Every change of state is one conditional UPDATE, so
servers, web processes and workers never overwrite each other and a job runs under one
claim at a time."""

from __future__ import annotations

import datetime as dt
import errno
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, or_, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, defer, sessionmaker

from api.db import DocumentRow, HealthRow, JobRow, utc, utcnow

__all__ = [
    "DISK_FULL",
    "Document",
    "Job",
    "JobKind",
    "JobStatus",
    "JobStore",
    "Orphan",
    "disk_full",
]

DISK_FULL = (
    "the service's disk was full, so the job could not be stored: nothing of it was kept. "
    "Request it again once the service's administrator has freed some space"
)
_PROBE = "write-probe"


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk is full: SQLite's "database or disk is full",
    PostgreSQL's disk_full (SQLSTATE 53100), or ENOSPC writing a file."""
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    if not isinstance(exc, OperationalError):
        return False
    reason = exc.orig
    return (
        getattr(reason, "sqlstate", None) == "53100"
        or "database or disk is full" in str(reason)
        or "No space left on device" in str(reason)
    )


class JobKind(StrEnum):
    ROTA = "rota"
    COMPARE = "compare"
    WHATIF = "whatif"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


@dataclass(frozen=True)
class Job:
    """A job as read, detached from the database (its input and documents are read apart:
    they can be large)."""

    id: str
    kind: JobKind
    status: JobStatus
    options: dict[str, Any]
    summary: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    progress: dict[str, Any] | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    owner: str | None = None
    lease_until: dt.datetime | None = None

    @classmethod
    def of(cls, row: JobRow) -> Job:
        created = utc(row.created_at)
        assert created is not None  # the column is NOT NULL
        return cls(
            id=row.id,
            kind=JobKind(row.kind),
            status=JobStatus(row.status),
            options=row.options,
            summary=row.summary,
            result=row.result,
            error=row.error,
            progress=row.progress,
            attempts=row.attempts,
            created_at=created,
            started_at=utc(row.started_at),
            finished_at=utc(row.finished_at),
            owner=row.owner,
            lease_until=utc(row.lease_until),
        )


@dataclass(frozen=True)
class Orphan:
    """An unfinished job no live server holds: its lease lapsed, or it never had one."""

    id: str
    status: JobStatus
    attempts: int


def _lease(lease_s: float) -> dt.datetime:
    return utcnow() + dt.timedelta(seconds=lease_s)


def _unheld() -> ColumnElement[bool]:
    """No server holds the job now: none ever did, or its lease has lapsed."""
    return or_(JobRow.owner.is_(None), JobRow.lease_until.is_(None), JobRow.lease_until < utcnow())


@dataclass(frozen=True)
class Document:
    name: str
    media_type: str
    content: str


class JobStore:
    def __init__(self, engine: Engine):
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def _session(self) -> Session:
        return self._sessions()

    def ping(self) -> None:
        with self._session() as session:
            session.execute(text("SELECT 1"))

    def probe_write(self) -> None:
        """Write (and commit) one small row: raises if the database cannot be written."""
        with self._session() as session, session.begin():
            found = session.execute(
                update(HealthRow)
                .where(HealthRow.name == _PROBE)
                .values(checked_at=utcnow())
                .returning(HealthRow.name)
            ).first()
            if found is not None:
                return
        try:
            with self._session() as session, session.begin():
                session.add(HealthRow(name=_PROBE, checked_at=utcnow()))
        except IntegrityError:
            pass  # another server wrote the first probe at the same moment

    def create(
        self,
        kind: JobKind,
        options: Mapping[str, Any],
        input: Mapping[str, Any],
        summary: Mapping[str, Any],
    ) -> Job:
        row = JobRow(
            id=uuid.uuid4().hex,
            kind=kind.value,
            status=JobStatus.QUEUED.value,
            options=dict(options),
            input=dict(input),
            summary=dict(summary),
            attempts=0,
            created_at=utcnow(),
        )
        with self._session() as session, session.begin():
            session.add(row)
        return Job.of(row)

    def get(self, job_id: str) -> Job | None:
        with self._session() as session:
            row = session.get(JobRow, job_id)
            return Job.of(row) if row is not None else None

    def input(self, job_id: str) -> dict[str, Any] | None:
        with self._session() as session:
            return session.scalar(select(JobRow.input).where(JobRow.id == job_id))

    def document(self, job_id: str, name: str) -> Document | None:
        with self._session() as session:
            row = session.get(DocumentRow, (job_id, name))
            return Document(row.name, row.media_type, row.content) if row is not None else None

    def latest(self, kind: JobKind, limit: int) -> list[Job]:
        """The newest ``limit`` jobs of ``kind``, newest first; their inputs (which can be
        large) are not read."""
        with self._session() as session:
            rows = session.scalars(
                select(JobRow)
                .options(defer(JobRow.input))
                .where(JobRow.kind == kind.value)
                .order_by(JobRow.created_at.desc(), JobRow.id.desc())
                .limit(limit)
            ).all()
            return [Job.of(row) for row in rows]

    def documents_named(self, job_ids: Collection[str], name: str) -> dict[str, str]:
        """The document ``name`` of each of ``job_ids`` that has one: job id -> content."""
        if not job_ids:
            return {}
        with self._session() as session:
            rows = session.execute(
                select(DocumentRow.job_id, DocumentRow.content).where(
                    DocumentRow.job_id.in_(job_ids), DocumentRow.name == name
                )
            ).all()
            return {job_id: content for job_id, content in rows}

    def document_names(self, job_id: str) -> list[str]:
        with self._session() as session:
            names = session.scalars(
                select(DocumentRow.name).where(DocumentRow.job_id == job_id)
            ).all()
            return sorted(names)

    def _change(self, job_id: str, when: Any, **values: Any) -> bool:
        """Apply ``values`` if the row matches ``when``; whether it did."""
        with self._session() as session, session.begin():
            changed = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, when)
                .values(**values)
                .returning(JobRow.id)
            ).first()
            return changed is not None

    def hold(self, job_ids: Iterable[str], owner: str, lease_s: float) -> list[str]:
        """Server ``owner`` takes unfinished jobs no other server holds (new ones, released
        ones, or its own) for ``lease_s`` seconds; the ids it now holds."""
        return [
            job_id
            for job_id in job_ids
            if self._change(
                job_id,
                JobRow.status.in_(UNFINISHED) & (_unheld() | (JobRow.owner == owner)),
                owner=owner,
                lease_until=_lease(lease_s),
            )
        ]

    def renew(self, job_ids: Iterable[str], owner: str, lease_s: float) -> int:
        """Server ``owner`` is alive and still has ``job_ids``: their leases run on."""
        ids = list(job_ids)
        if not ids:
            return 0
        with self._session() as session, session.begin():
            renewed = session.execute(
                update(JobRow)
                .where(
                    JobRow.id.in_(ids),
                    JobRow.owner == owner,
                    JobRow.status.in_(UNFINISHED),
                )
                .values(lease_until=_lease(lease_s))
                .returning(JobRow.id)
            ).all()
            return len(renewed)

    def orphans(self) -> list[Orphan]:
        """Unfinished jobs no server holds, oldest first."""
        with self._session() as session:
            rows = session.execute(
                select(JobRow.id, JobRow.status, JobRow.attempts)
                .where(JobRow.status.in_(UNFINISHED), _unheld())
                .order_by(JobRow.created_at, JobRow.id)
            ).all()
            return [Orphan(row.id, JobStatus(row.status), row.attempts) for row in rows]

    def adopt(self, job_id: str, owner: str, lease_s: float) -> bool:
        """Server ``owner`` takes over a job no server holds, queued again (a new claim
        makes the old worker's void); False if another server was first."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED) & _unheld(),
            status=JobStatus.QUEUED.value,
            claim=None,
            progress=None,
            owner=owner,
            lease_until=_lease(lease_s),
        )

    def fail_orphan(self, job_id: str, error: str) -> bool:
        """Failed, a job no server holds any more (its servers kept stopping while it ran)."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED) & _unheld(),
            status=JobStatus.FAILED.value,
            claim=None,
            owner=None,
            lease_until=None,
            error=error,
            finished_at=utcnow(),
        )

    def release(self, owner: str) -> int:
        """Server ``owner`` stops: its unfinished jobs are queued for any server to take."""
        with self._session() as session, session.begin():
            released = session.execute(
                update(JobRow)
                .where(JobRow.owner == owner, JobRow.status.in_(UNFINISHED))
                .values(
                    status=JobStatus.QUEUED.value,
                    claim=None,
                    progress=None,
                    owner=None,
                    lease_until=None,
                )
                .returning(JobRow.id)
            ).all()
            return len(released)

    def claim(self, job_id: str, token: str, owner: str) -> bool:
        """A worker of server ``owner`` takes a queued job that server holds: it is running,
        under ``token``, from now. A job another server has taken over is left to it."""
        return self._change(
            job_id,
            (JobRow.status == JobStatus.QUEUED.value) & (JobRow.owner == owner),
            status=JobStatus.RUNNING.value,
            claim=token,
            started_at=utcnow(),
            progress=None,
            attempts=JobRow.attempts + 1,
        )

    def report_progress(self, job_id: str, token: str, progress: Mapping[str, Any]) -> bool:
        return self._change(job_id, JobRow.claim == token, progress=dict(progress))

    def finish(
        self,
        job_id: str,
        token: str,
        result: Mapping[str, Any],
        documents: Iterable[Document],
    ) -> bool:
        """Done, with the documents stored in the same transaction: all of them or none."""
        with self._session() as session, session.begin():
            changed = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.claim == token)
                .values(status=JobStatus.DONE.value, result=dict(result), finished_at=utcnow())
                .returning(JobRow.id)
            ).first()
            if changed is None:
                return False
            session.add_all(
                DocumentRow(job_id=job_id, name=d.name, media_type=d.media_type, content=d.content)
                for d in documents
            )
            return True

    def fail(self, job_id: str, token: str, error: str) -> bool:
        return self._change(
            job_id,
            JobRow.claim == token,
            status=JobStatus.FAILED.value,
            error=error,
            finished_at=utcnow(),
        )

    def fail_unfinished(self, job_id: str, owner: str, error: str) -> bool:
        """Failed, a job of server ``owner`` whatever its worker is doing: the worker died,
        or the job cannot be run."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED) & (JobRow.owner == owner),
            status=JobStatus.FAILED.value,
            claim=None,
            error=error,
            finished_at=utcnow(),
        )

    def requeue(self, job_id: str, owner: str) -> bool:
        """Back in the queue of server ``owner`` (its worker was lost): a new claim makes the
        old one void."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED) & (JobRow.owner == owner),
            status=JobStatus.QUEUED.value,
            claim=None,
            progress=None,
        )
