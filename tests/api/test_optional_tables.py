"""A rota request with only the required tables plans a rota: history.csv absent or
header-only, a JSON scenario without ``history`` (the OpenAPI example, sent verbatim), and a
day whose visits.csv has a header only (nothing to plan, but not a failure)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.config import ServiceSettings
from api.keys import Role
from api.schemas import ROTA_EXAMPLES
from tests.api.conftest import Service, running
from tests.conftest import VISITS, write_folder


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("optional")
    with running(ServiceSettings(database_url=f"sqlite:///{folder / 'domcare.db'}")) as started:
        yield started


def _planned(live: Service, **request: object) -> dict[str, object]:
    accepted = live.client.post("/v1/rotas", headers=live.as_(Role.COORDINATOR), **request)
    assert accepted.status_code == 202, accepted.text
    job = live.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    return job


def _upload(folder: Path) -> dict[str, tuple[str, bytes, str]]:
    return {p.stem: (p.name, p.read_bytes(), "text/csv") for p in folder.glob("*.csv")}


@pytest.mark.parametrize("history", [None, "client_id,carer_id,date\n", ""])
def test_the_three_required_files_plan_a_rota(
    live: Service, tmp_path: Path, history: str | None
) -> None:
    folder = write_folder(tmp_path / "three", history=history)
    job = _planned(live, files=_upload(folder), data={"solution_limit": "50"})
    assert job["figures"]["visits_allocated"] >= 1


def test_the_openapi_example_without_history_plans_a_rota(live: Service) -> None:
    example = copy.deepcopy(ROTA_EXAMPLES[1])
    assert "history" not in example["scenario"]
    example["options"] |= {"solution_limit": 20}
    job = _planned(live, json=example)
    assert job["figures"]["visits"] == len(example["scenario"]["visits"])


def test_a_day_with_no_visits_is_an_empty_rota_not_a_failure(
    live: Service, tmp_path: Path
) -> None:
    folder = write_folder(tmp_path / "quiet", visits=VISITS.splitlines()[0] + "\n")
    job = _planned(live, files=_upload(folder), data={"solution_limit": "5"})
    assert job["figures"]["visits"] == 0


def test_a_spreadsheet_as_excel_saves_it_plans_and_its_notes_are_shown(
    live: Service, tmp_path: Path
) -> None:
    # Windows-1252 with a pound sign, semicolons, UK dates: read, and said so on the job.
    folder = write_folder(tmp_path / "excel")
    files = _upload(folder)
    clients = (folder / "clients.csv").read_text().replace("Mrs Example", "Mrs \u00a3 R\u00e9e")
    files["clients"] = ("clients.csv", clients.encode("cp1252"), "text/csv")
    visits = (folder / "visits.csv").read_text().replace("2026-12-01", "01/12/2026")
    files["visits"] = ("visits.csv", visits.replace(",", ";").encode(), "text/csv")
    job = _planned(live, files=files, data={"solution_limit": "50"})
    notes = {(note["file"], note["code"]) for note in job["scenario"]["notes"]}
    assert notes == {
        ("clients.csv", "encoding"),
        ("visits.csv", "delimiter"),
        ("visits.csv", "date_form"),
    }
    assert job["figures"]["visits"] == 4
