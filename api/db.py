"""The tables: jobs, their result documents, and API keys (SQLAlchemy 2.0 typed ORM).

One schema for SQLite (the default, an embedded file) and PostgreSQL. Times are stored in UTC;
SQLite hands them back without a zone, so ``utc`` puts it back. An SQLite file holds every
client's name and address: it is its owner's alone (0600), in a folder that is too when made
here (0700); SQLite gives its journal files the file's permissions.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scheduler.model.errors import DomcareError

__all__ = [
    "ApiKeyRow",
    "Base",
    "DatabaseUnavailable",
    "DocumentRow",
    "HealthRow",
    "JobRow",
    "make_engine",
    "utc",
    "utcnow",
]

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


class DatabaseUnavailable(DomcareError):
    """The database cannot be opened or made at start: said with where it is and what to do
    (the command line prints it, exit status 2, no traceback)."""


# A solve runs in another process that writes progress while the web process reads: SQLite
# then needs its write-ahead log, and a writer waits for the lock rather than failing.
_SQLITE_BUSY_TIMEOUT_S = 30


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {
        dt.datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class JobRow(Base):
    """A rota or comparison request and what became of it.

    ``owner`` is the server (a ``JobRunner``) that has the job in its queue, queued or
    running, until ``lease_until``: it renews the lease while it lives, and any server may
    take over a job whose lease has lapsed (its server stopped). ``claim`` is the token of
    the worker process that is running the job: a worker writes progress and results only
    while the row still carries its token, so a job taken over is finished once, by its new
    worker, even if an old one lingers."""

    __tablename__ = "domcare_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    options: Mapped[dict[str, Any]]
    input: Mapped[dict[str, Any]]
    summary: Mapped[dict[str, Any]]
    """What the request held (visits, carers, dates), for answering without the input."""
    result: Mapped[dict[str, Any] | None]
    """Small facts of the result (plan status, dates); the documents hold the rest."""
    error: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[dict[str, Any] | None]
    claim: Mapped[str | None] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="job", cascade="all, delete-orphan"
    )


class DocumentRow(Base):
    """One output of a finished job: plan.json, figures.json, rota.csv, map.html, ..."""

    __tablename__ = "domcare_documents"

    job_id: Mapped[str] = mapped_column(
        ForeignKey("domcare_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)

    job: Mapped[JobRow] = relationship(back_populates="documents")


class ApiKeyRow(Base):
    """An API key: only the SHA-256 of the token is kept, so a stolen database holds none."""

    __tablename__ = "domcare_api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class HealthRow(Base):
    """What /healthz writes to know the database can still be written (a full disk cannot)."""

    __tablename__ = "domcare_health"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_at: Mapped[dt.datetime]


def _private_sqlite_file(path: Path) -> None:
    """Make ``path``'s missing folders (0700) and the file itself, or make it private (0600)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        folder.chmod(PRIVATE_FOLDER)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)


def _unavailable(url: str, path: Path | None, reason: str) -> DatabaseUnavailable:
    if path is None:
        shown = make_url(url).render_as_string(hide_password=True)
        return DatabaseUnavailable(
            f"cannot use the database {shown}: {reason}. Check that its server is running "
            "and that the URL (--database or DOMCARE_DATABASE_URL) is right"
        )
    return DatabaseUnavailable(
        f"cannot open or make the database file {path}: {reason}. Its folder {path.parent} "
        "must be a folder this user can write to, on a disk with free space; or choose "
        "another file with --database sqlite:////path/to/domcare.db (or DOMCARE_DATABASE_URL)"
    )


def make_engine(url: str, *, create_schema: bool = True) -> Engine:
    """An engine for ``url``; with ``create_schema`` (the web process, at start), the tables
    and an SQLite file (private) and its folder are made when missing, and
    ``DatabaseUnavailable`` says why they cannot be. Worker processes find them made."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    path = (
        Path(parsed.database).absolute()
        if sqlite and parsed.database and parsed.database != ":memory:"
        else None
    )
    if create_schema and path is not None:
        try:
            _private_sqlite_file(path)
        except OSError as exc:
            raise _unavailable(url, path, exc.strerror or type(exc).__name__) from None
    engine = create_engine(
        url,
        connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False}
        if sqlite
        else {},
        pool_pre_ping=not sqlite,
    )
    if sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    if create_schema:
        try:
            Base.metadata.create_all(engine)
            _add_missing_columns(engine)
        except OperationalError as exc:
            engine.dispose()
            raise _unavailable(url, path, str(exc.orig).splitlines()[0]) from None
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Columns added to a table since a database was made: each is nullable, so ``ALTER
    TABLE ... ADD COLUMN`` (which SQLite and PostgreSQL both take) brings an old database
    up to date and its rows stay as they were (the new columns empty)."""
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspect(engine).get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            assert column.nullable, f"{table.name}.{column.name} must be nullable to be added"
            kind = column.type.compile(dialect=engine.dialect)
            try:
                with engine.begin() as connection:
                    connection.execute(
                        text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")
                    )
            except SQLAlchemyError:
                # Another server starting on the same database may have added it just now.
                added = {c["name"] for c in inspect(engine).get_columns(table.name)}
                if column.name not in added:
                    raise
