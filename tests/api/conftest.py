"""The service under test: a fresh SQLite file per test (or PostgreSQL, for the storage
tests, when ``DOMCARE_TEST_POSTGRES_URL`` is set), keys of every role, and either the real
worker pool or a held executor that keeps jobs until the test runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from api.config import ServiceSettings
from api.db import Base, make_engine
from api.keys import KeyStore, Role
from api.main import create_app
from api.runner import ExecutorFactory, process_pool
from tests.conftest import ROOT, write_folder

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 behind its test client; httpx (the test extra) still works.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

POSTGRES_URL = os.environ.get("DOMCARE_TEST_POSTGRES_URL")
FAST = {"time_limit_s": 10, "solution_limit": 50}
"""Options for a tiny scenario: the solution limit ends the search, never the clock."""
DONE = ("done", "failed")


class HeldExecutor(Executor):
    """Keeps every job submitted, unrun, until ``run_all`` (in the test's own thread) or the
    test completes the futures itself: a queue that fills up, deterministically."""

    def __init__(self) -> None:
        self.held: list[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self.held.append((future, fn, args))
        return future

    def run_all(self) -> None:
        """Run what is held, each job's end (or error) on its future, as a pool does."""
        held, self.held = self.held, []
        for future, fn, args in held:
            try:
                future.set_result(fn(*args))
            except Exception as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for future, _, _ in self.held:
            future.cancel()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                POSTGRES_URL is None,
                reason="no PostgreSQL: set DOMCARE_TEST_POSTGRES_URL="
                "postgresql+psycopg://user:password@host/db to run these against one",
            ),
        ),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with domcare's tables empty: an SQLite file, or the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'domcare.db'}"
        return
    assert POSTGRES_URL is not None
    engine = create_engine(POSTGRES_URL)
    Base.metadata.drop_all(engine)
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture
def service(tmp_path: Path) -> ServiceSettings:
    return ServiceSettings(database_url=f"sqlite:///{tmp_path / 'domcare.db'}")


def make_keys(database_url: str) -> dict[Role, str]:
    """A key of each role, made before the app starts, as ``domcare keys create`` would."""
    engine = make_engine(database_url)
    try:
        store = KeyStore(engine)
        return {role: store.create(role, f"test {role.value}")[1] for role in Role}
    finally:
        engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Service:
    """A running app, its client, and a header for each role."""

    def __init__(
        self,
        client: TestClient,
        settings: ServiceSettings,
        keys: dict[Role, str],
        executor: HeldExecutor | None,
    ):
        self.client, self.settings, self.keys, self.executor = client, settings, keys, executor

    def as_(self, role: Role) -> dict[str, str]:
        return bearer(self.keys[role])

    def wait(self, path: str, role: Role = Role.VIEWER, timeout_s: float = 60) -> dict[str, Any]:
        """Poll a job until it is done or failed; the statuses seen, in order, under
        ``"seen"``. The timeout only guards against a hung test."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            answer = self.client.get(path, headers=self.as_(role))
            assert answer.status_code == 200, answer.text
            job: dict[str, Any] = answer.json()
            if not seen or seen[-1] != job["status"]:
                seen.append(job["status"])
            if job["status"] in DONE:
                return job | {"seen": seen}
            time.sleep(0.05)
        raise AssertionError(f"{path} still {seen[-1]} after {timeout_s} s")

    def done(self, path: str, role: Role = Role.COORDINATOR, **body: Any) -> dict[str, Any]:
        """POST ``body`` as JSON to ``path``, run the held executor's jobs here, and answer
        the job once done."""
        accepted = self.client.post(path, json=body, headers=self.as_(role))
        assert accepted.status_code == 202, accepted.text
        assert self.executor is not None
        self.executor.run_all()
        job = self.wait(accepted.headers["Location"])
        assert job["status"] == "done", job["error"]
        return job


@contextmanager
def running(settings: ServiceSettings, executor: HeldExecutor | None = None) -> Iterator[Service]:
    """The app started (its lifespan: pool, recovery) and stopped again on leaving."""
    keys = make_keys(settings.database_url)
    factory: ExecutorFactory = (lambda _settings: executor) if executor else process_pool
    with TestClient(create_app(settings, make_executor=factory)) as client:
        yield Service(client, settings, keys, executor)


@pytest.fixture
def held(service: ServiceSettings) -> Iterator[Service]:
    """The app with a held executor: requests are checked and queued; nothing runs."""
    with running(service, HeldExecutor()) as started:
        yield started


@pytest.fixture
def tiny_files(tmp_path: Path) -> dict[str, tuple[str, bytes, str]]:
    """The tiny scenario's CSV files as a multipart upload."""
    folder = write_folder(tmp_path / "upload")
    return {path.stem: (path.name, path.read_bytes(), "text/csv") for path in folder.glob("*.csv")}


@pytest.fixture
def service_url(service: ServiceSettings) -> str:
    return service.database_url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def domcare_serve(database_url: str, **environment: str) -> Iterator[str]:
    """``domcare serve`` started as a user starts it, on a free port, with the database and
    any other ``DOMCARE_*`` settings given; its address once /healthz answers. Stopped on
    leaving."""
    port = _free_port()
    env = {
        **os.environ,
        "DOMCARE_DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **environment,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{address}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("domcare serve did not start") from None
                time.sleep(0.3)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)
