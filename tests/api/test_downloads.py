"""CSV downloads never carry a live spreadsheet formula: a text cell starting with =, +, -, @,
tab or CR gets a leading apostrophe, in the service's rota.csv (a day and a week) and
results.csv, and in the command line's rota.csv; numbers, negative ones too, stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from api.keys import Role
from scheduler.cli import main
from scheduler.render.outputs import neutral_cell
from scheduler.render.whatif_report import results_csv
from scheduler.whatif.sweep import SweepResult, SweepRow
from tests.api.conftest import FAST, Service
from tests.conftest import CARERS, CLIENTS, HISTORY, VISITS, write_folder


def _formulas(text: str) -> str:
    """Ids and a name as someone could type them to attack whoever opens the rota."""
    return (
        text.replace("C1", "=C1")
        .replace("V3,", "@V3,")
        .replace("K3", "-K3")
        .replace("Ann Carer", "+Ann Carer")
    )


@pytest.fixture
def formula_folder(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "formulas",
        carers=_formulas(CARERS),
        clients=_formulas(CLIENTS),
        visits=_formulas(VISITS),
        history=_formulas(HISTORY),
    )


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _cells(text: str) -> set[str]:
    return {cell for row in _rows(text) for cell in row.values()}


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+Ann", "'+Ann"),
        ("-K3", "'-K3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-924", "-924"),
        ("+3.5", "+3.5"),
        ("K1", "K1"),
        ("", ""),
        (-924, -924),
        (None, None),
    ],
)
def test_a_formula_like_text_cell_is_neutralised_and_a_number_is_not(
    cell: object, safe: object
) -> None:
    assert neutral_cell(cell) == safe


def _check_rota(text: str) -> None:
    cells = _cells(text)
    assert {"'=C1", "'@V3", "'-K3"} <= cells
    assert not {"=C1", "@V3", "-K3", "+Ann Carer"} & cells
    assert all(not cell.startswith(("=", "+", "@")) for cell in cells)
    # Numbers are left as numbers.
    assert all(float(row["travel_km"]) >= 0 for row in _rows(text))


def test_the_command_lines_rota_csv_is_neutralised(formula_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["solve", str(formula_folder), "--out", str(out), "--names"]
    assert main([*argv, "--time-limit", "10", "--solution-limit", "50"]) == 0
    text = (out / "rota.csv").read_text(encoding="utf-8")
    _check_rota(text)
    assert "'+Ann Carer" in _cells(text)


def _served_rota(held: Service, files: dict[str, Any]) -> str:
    accepted = held.client.post(
        "/v1/rotas",
        files=files,
        data={**{k: str(v) for k, v in FAST.items()}, "show_names": "true"},
        headers=held.as_(Role.COORDINATOR),
    )
    assert accepted.status_code == 202, accepted.text
    assert held.executor is not None
    held.executor.run_all()
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    answer = held.client.get(job["links"]["rota_csv"], headers=held.as_(Role.VIEWER))
    assert answer.status_code == 200
    return answer.text


def _files(folder: Path) -> dict[str, tuple[str, bytes, str]]:
    return {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}


def test_the_services_rota_csv_is_neutralised(held: Service, formula_folder: Path) -> None:
    text = _served_rota(held, _files(formula_folder))
    _check_rota(text)
    assert "'+Ann Carer" in _cells(text)


def test_a_weeks_rota_csv_is_neutralised(held: Service, tmp_path: Path) -> None:
    week = _formulas(VISITS).replace("@V3,-K3,2026-12-01", "@V3,-K3,2026-12-02")
    folder = write_folder(
        tmp_path / "week",
        carers=_formulas(CARERS),
        clients=_formulas(CLIENTS),
        visits=week,
        history=_formulas(HISTORY),
    )
    text = _served_rota(held, _files(folder))
    assert {row["date"] for row in _rows(text)} == {"2026-12-01", "2026-12-02"}
    _check_rota(text)


def test_the_whatif_results_csv_is_neutralised() -> None:
    rows = (
        SweepRow(index=0, name="base", status="done", carers=3, objective=-924),
        SweepRow(
            index=1,
            name="=HYPERLINK(\"http://x\",\"click\")",
            status="failed",
            error="-no carers left",
            point={"carers.change": -2, "note": "@x"},
            grid="g",
        ),
    )
    result = SweepResult(
        scenario="small",
        dates=("2026-12-01",),
        ran_on="here",
        wall_seconds=1.0,
        time_limit_s=5.0,
        solution_limit=None,
        currency="GBP",
        rows=rows,
    )
    table = _rows(results_csv(result))
    assert table[1]["name"] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert table[1]["error"] == "'-no carers left"
    assert table[1]["note"] == "'@x"
    assert table[1]["carers.change"] == "-2" and table[0]["objective"] == "-924"


def test_the_services_results_csv_is_neutralised(held: Service) -> None:
    spec = {
        "base": "small",
        "time_limit": 5,
        "solution_limit": 5,
        "variations": [{"name": "=SUM(1,2)", "carers": {"change": 1}}],
    }
    accepted = held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER))
    assert accepted.status_code == 202, accepted.text
    assert held.executor is not None
    held.executor.run_all()
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    answer = held.client.get(job["links"]["results_csv"], headers=held.as_(Role.VIEWER))
    assert [row["name"] for row in _rows(answer.text)] == ["base", "'=SUM(1,2)"]
