"""The layers hold at run time too: domcare's own commands load no web framework or database
(the service's commands arrive through an entry point, loaded only as the parser is built),
and the layer contracts of pyproject.toml pass (``lint-imports``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SERVICE = ("fastapi", "sqlalchemy", "uvicorn", "starlette")


def _loaded_after(code: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(run.stdout.split())


def test_importing_the_command_line_loads_no_service() -> None:
    assert not _loaded_after("import scheduler.cli") & set(SERVICE)


def test_solving_a_day_loads_no_service(tmp_path: Path) -> None:
    code = (
        "from scheduler.cli import main\n"
        f"assert main(['solve', 'small', '--solution-limit', '5', '--out', r'{tmp_path}']) == 0"
    )
    loaded = _loaded_after(code)
    assert "ortools" in loaded  # it did plan
    assert not loaded & set(SERVICE)


def test_the_web_process_loads_no_or_tools() -> None:
    assert "ortools" not in _loaded_after("import api.main")


def test_the_layer_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:]
