"""Jobs in the database: created queued, claimed by a worker, finished or failed; re-queued
when the service starts again. Every change of state is one conditional UPDATE, so the web
process and the workers never overwrite each other."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, defer, sessionmaker

from api.db import DocumentRow, JobRow, utc, utcnow

__all__ = ["Document", "Job", "JobKind", "JobStatus", "JobStore"]


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
        )


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

    def claim(self, job_id: str, token: str) -> bool:
        """A worker takes a queued job: it is running, under ``token``, from now."""
        return self._change(
            job_id,
            JobRow.status == JobStatus.QUEUED.value,
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

    def fail_unfinished(self, job_id: str, error: str) -> bool:
        """Failed whoever holds it: its worker died, or the job cannot be run."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED),
            status=JobStatus.FAILED.value,
            claim=None,
            error=error,
            finished_at=utcnow(),
        )

    def requeue(self, job_id: str) -> bool:
        """Back in the queue (its worker was lost): a new claim makes the old one void."""
        return self._change(
            job_id,
            JobRow.status.in_(UNFINISHED),
            status=JobStatus.QUEUED.value,
            claim=None,
            progress=None,
        )

    def requeue_unfinished(self) -> list[str]:
        """At start: every job left queued or running, queued again, oldest first."""
        with self._session() as session, session.begin():
            ids = session.scalars(
                select(JobRow.id)
                .where(JobRow.status.in_(UNFINISHED))
                .order_by(JobRow.created_at, JobRow.id)
            ).all()
            if ids:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(ids))
                    .values(status=JobStatus.QUEUED.value, claim=None, progress=None)
                )
            return list(ids)
