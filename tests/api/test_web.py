"""The coordinator's page and the pictures it shows: the page loads with no key and nothing
from the internet; the SVG map and timeline need a key and draw a done rota, a day of a week,
breaks, double-handed visits and visits not covered; the projection and scale bar, by hand."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.config import ServiceSettings
from api.keys import Role
from scheduler.io.scenario import read_scenario, scenario_to_json
from scheduler.model.plan import Plan, Unallocated
from scheduler.render.svg import KM_PER_DEGREE, fit_projection, map_svg, scale_bar_km, timeline_svg
from tests.api.conftest import FAST, HeldExecutor, Service, running
from tests.conftest import VISITS, write_folder

SVG = "{http://www.w3.org/2000/svg}"
PAGE_IDS = (
    *("api-key", "scenario", "time-limit", "request", "progress", "kpis", "map", "timeline"),
    *("rota", "uncovered", "past-jobs", "print"),
)


def _svg(text: str) -> ET.Element:
    root = ET.fromstring(text)  # valid XML, or this raises
    assert root.tag == f"{SVG}svg"
    return root


def _with_class(root: ET.Element, tag: str, kind: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if kind in e.get("class", "").split()]


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, dict[str, Any]]]:
    """A service whose held executor ran the tiny scenario's day (in this process, with a
    solution limit), and that job's answer."""
    folder = tmp_path_factory.mktemp("web")
    settings = ServiceSettings(database_url=f"sqlite:///{folder / 'domcare.db'}")
    with running(settings, HeldExecutor()) as service:
        tiny = write_folder(folder / "tiny")
        scenario = json.loads(scenario_to_json(read_scenario(tiny)))
        yield service, service.done("/v1/rotas", scenario=scenario, options=FAST)


def test_the_page_loads_without_a_key_and_nothing_from_the_internet(held: Service) -> None:
    page = held.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", page.text)  # no protocol-relative URL
    assert '<body data-state="idle">' in page.text
    for element in PAGE_IDS:
        assert f'id="{element}"' in page.text
        if element in ("api-key", "scenario", "time-limit"):
            assert f'<label for="{element}">' in page.text


def test_the_page_takes_its_time_limit_from_the_service_and_speaks_plainly(
    held: Service,
) -> None:
    """The box's maximum is the service's (GET /healthz), not a number of its own; the
    progress never shows the solver's cost; the print view hides the controls."""
    page = held.client.get("/").text
    (box,) = re.findall(r"<input[^>]*id=\"time-limit\"[^>]*>", page)
    assert "max=" not in box
    assert "/healthz" in page and "max_time_limit_s" in page
    assert "best cost" not in page and "best_cost" not in page
    assert "@media print" in page and "/v1/rotas?limit=" in page


@pytest.mark.parametrize("picture", ["map.svg", "timeline.svg"])
def test_the_pictures_need_a_key(held: Service, picture: str) -> None:
    path = f"/v1/rotas/no-such-job/{picture}"
    assert held.client.get(path).status_code == 401
    assert held.client.get(path, headers={"Authorization": "Bearer dck_nope"}).status_code == 401
    assert held.client.get(path, headers=held.as_(Role.VIEWER)).status_code == 404


def test_the_map_draws_one_line_per_run_and_every_stop(
    solved: tuple[Service, dict[str, Any]],
) -> None:
    service, job = solved
    answer = service.client.get(f"{job['links']['self']}/map.svg", headers=service.as_(Role.VIEWER))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    root = _svg(answer.text)
    plan = Plan.model_validate(job["plan"])
    assert len(root.findall(f"{SVG}polyline")) == len(plan.runs) > 0
    stops = _with_class(root, "circle", "stop")
    assert len(stops) == sum(len(run.stops) for run in plan.runs)  # a double-handed visit twice
    assert all(stop.find(f"{SVG}title") is not None for stop in stops)
    assert len(_with_class(root, "rect", "home")) == 3 and _with_class(root, "g", "scale-bar")
    assert "Mrs Example" not in answer.text and "Ann Carer" not in answer.text


def test_the_timeline_draws_one_row_per_run(solved: tuple[Service, dict[str, Any]]) -> None:
    service, job = solved
    answer = service.client.get(
        f"{job['links']['self']}/timeline.svg", headers=service.as_(Role.VIEWER)
    )
    assert answer.status_code == 200
    root = _svg(answer.text)
    plan = Plan.model_validate(job["plan"])
    assert len(_with_class(root, "g", "row")) == len(plan.runs)
    doubles = _with_class(root, "rect", "double")
    assert len(doubles) == 2  # V2 needs two carers: a marked block in each of their rows
    assert len(_with_class(root, "text", "double-mark")) == 2
    assert _with_class(root, "rect", "travel") and _with_class(root, "g", "hour")


def test_a_break_is_drawn_in_its_row(
    tiny_folder: Path, solved: tuple[Service, dict[str, Any]]
) -> None:
    """The tiny day is too short for a break: one is put by hand in the first run's wait."""
    _, job = solved
    plan = Plan.model_validate(job["plan"])
    first = plan.runs[0]
    with_break = first.model_copy(
        update={"break_start": first.depart, "break_end": first.depart + 30}
    )
    plan = plan.model_copy(update={"runs": (with_break, *plan.runs[1:])})
    root = _svg(timeline_svg(read_scenario(tiny_folder), plan))
    breaks = _with_class(root, "rect", "break")
    assert len(breaks) == 1
    rows = _with_class(root, "g", "row")
    assert sum(len(_with_class(row, "rect", "break")) for row in rows) == 1
    title = breaks[0].find(f"{SVG}title")
    assert title is not None and title.text is not None and "Unpaid break" in title.text


def test_visits_not_covered_are_marked_and_names_only_on_request(
    tiny_folder: Path, solved: tuple[Service, dict[str, Any]]
) -> None:
    _, job = solved
    scenario = read_scenario(tiny_folder)
    plan = Plan.model_validate(job["plan"])
    left = Unallocated(
        visit_id="V9", client_id="K1", reason_code="no_capacity", reason="nobody free"
    )
    plan = plan.model_copy(update={"unallocated": (left,)})
    plain = map_svg(scenario, plan)
    marked = _with_class(_svg(plain), "circle", "unallocated")
    assert len(marked) == 1 and "Mrs Example" not in plain
    assert "Mrs Example" in map_svg(scenario, plan, show_names=True)


def test_a_week_is_drawn_day_by_day(held: Service, tmp_path: Path) -> None:
    two_days = VISITS.replace("V3,K3,2026-12-01", "V3,K3,2026-12-02").replace(
        "V4,K3,2026-12-01", "V4,K3,2026-12-02"
    )
    scenario = read_scenario(write_folder(tmp_path / "week", visits=two_days))
    job = held.done("/v1/rotas", scenario=json.loads(scenario_to_json(scenario)), options=FAST)
    viewer = held.as_(Role.VIEWER)
    for day in job["week"]["days"]:
        runs = len(day["runs"])
        for picture, rows in (("map.svg", "polyline"), ("timeline.svg", "g")):
            answer = held.client.get(
                f"{job['links']['self']}/{picture}?date={day['date']}", headers=viewer
            )
            root = _svg(answer.text)
            assert day["date"] in answer.text
            found = (
                root.findall(f"{SVG}polyline")
                if rows == "polyline"
                else _with_class(root, "g", "row")
            )
            assert len(found) == runs
    missing = held.client.get(f"{job['links']['self']}/map.svg?date=2026-12-09", headers=viewer)
    assert missing.status_code == 404


def test_the_projection_keeps_kilometres_square() -> None:
    # 1 km east-west at latitude 60 is 2 km of longitude's equatorial length (cos 60 = 0.5).
    west, east = (60.0, 0.0), (60.0, 2 / KM_PER_DEGREE)
    where = fit_projection([west, east], 800, 560, 30)
    assert where.px_per_km == pytest.approx(740)  # (800 - 2 * 30) px for 1 km
    assert where.point(*west) == pytest.approx((30, 280))
    assert where.point(*east) == pytest.approx((770, 280))
    north = where.point(60 + 0.5 / KM_PER_DEGREE, 1 / KM_PER_DEGREE)  # 0.5 km north, mid
    assert north == pytest.approx((400, 280 - 370))
    assert math.isclose(fit_projection([west], 800, 560, 30).px_per_km, 500)  # a 1 km box


@pytest.mark.parametrize(
    ("px_per_km", "km"), [(200, 0.5), (740, 0.2), (160, 1), (20, 5), (1.5, 100)]
)
def test_the_scale_bar_is_a_round_length_that_fits(px_per_km: float, km: float) -> None:
    assert scale_bar_km(px_per_km, 160) == pytest.approx(km)
    assert km * px_per_km <= 160
