"""schemathesis, every check (``--checks all``), against ``domcare serve`` running as a user
starts it (its real worker pool, a fresh database, a planner key): every answer is one the
OpenAPI document promises, in status, content type, headers and body. A short run with a
fixed seed (``SCHEMATHESIS_S``, 40 s by default); tests/api/schemathesis.toml says why a
body that fits the schema may still answer 422."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.keys import Role
from tests.api.conftest import make_keys

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
BUDGET_S = int(os.environ.get("SCHEMATHESIS_S", "40"))
SEED = 14
ST = shutil.which("st", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(ST is None, reason="schemathesis is not installed (test extra)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(address, planner key) of `domcare serve`; a queue long enough that requests are
    checked rather than answered 429 (the jobs it takes are never waited for)."""
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    key = make_keys(database)[Role.PLANNER]
    port = _free_port()
    env = {
        **os.environ,
        "DOMCARE_DATABASE_URL": database,
        "DOMCARE_QUEUE_SIZE": "100000",
        "PYTHONPATH": str(ROOT),
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
                with urllib.request.urlopen(f"{address}/healthz", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("domcare serve did not start") from None
                time.sleep(0.3)
        yield address, key
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_schemathesis_finds_no_failure(served: tuple[str, str], tmp_path: Path) -> None:
    address, key = served
    assert ST is not None
    run = subprocess.run(
        [
            ST,
            "--config-file",
            str(CONFIG),
            "run",
            f"{address}/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {key}",
            "--max-time",
            str(BUDGET_S),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BUDGET_S + 120,
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    assert "19 selected / 19 total" in run.stdout and "passed" in run.stdout
