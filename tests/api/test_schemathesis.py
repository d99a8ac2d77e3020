"""schemathesis, every check (``--checks all``), against ``domcare serve`` running as a user
starts it (its real worker pool, a fresh database, a planner key): every answer is one the
OpenAPI document promises, in status, content type, headers and body. A short run with a
fixed seed (``SCHEMATHESIS_S``, 40 s by default); tests/api/schemathesis.toml says why a
body that fits the schema may still answer 422."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.keys import Role
from tests.api.conftest import domcare_serve, make_keys

CONFIG = Path(__file__).with_name("schemathesis.toml")
BUDGET_S = int(os.environ.get("SCHEMATHESIS_S", "40"))
SEED = 14
ST = shutil.which("st", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(ST is None, reason="schemathesis is not installed (test extra)")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(address, planner key) of `domcare serve`; a queue long enough that requests are
    checked rather than answered 429 (the jobs it takes are never waited for)."""
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    key = make_keys(database)[Role.PLANNER]
    with domcare_serve(database, DOMCARE_QUEUE_SIZE="100000") as address:
        yield address, key


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
    assert "23 selected / 23 total" in run.stdout and "passed" in run.stdout
