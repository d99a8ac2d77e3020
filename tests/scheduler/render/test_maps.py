"""The rota map: layers per carer, numbered stops, times, no personal details by default, and
no internet needed to draw the runs (rendered in headless Chromium with the network cut)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import folium
import pytest

from scheduler.model.care import Carer, Client, Location, Scenario, Shift, TravelMode, Visit
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, PlanStatus, Run, Stop, Unallocated
from scheduler.model.settings import Settings
from scheduler.render.maps import render_map, write_map
from tests.conftest import ROOT

DAY = dt.date(2024, 3, 4)
CLIENT_NAMES = ("Agnes Whitmore", "Bernard Okafor", "Cecily Pryce")
ADDRESSES = ("12 Larch Close", "3 Mill Lane", "77 Quayside Road")
POSTCODES = ("LS6 1AB", "LS6 2CD", "LS7 3EF")
CARER_NAMES = ("Dorothy Nkemelu", "Eamon Fairweather")
CHROMIUM = Path("/usr/bin/chromium")


def _scenario() -> Scenario:
    carers = (
        Carer(
            id="CR001",
            name=CARER_NAMES[0],
            home=Location(lat=53.80, lon=-1.55),
            shifts=(Shift(start=7 * 60, end=14 * 60),),
        ),
        Carer(
            id="CR012",
            name=CARER_NAMES[1],
            home=Location(lat=53.82, lon=-1.57),
            shifts=(Shift(start=8 * 60, end=12 * 60),),
            travel_mode=TravelMode.WALK,
        ),
    )
    clients = tuple(
        Client(
            id=f"C{n + 1}",
            name=CLIENT_NAMES[n],
            location=Location(lat=53.81 + n * 0.005, lon=-1.56 + n * 0.004),
            address=ADDRESSES[n],
            postcode=POSTCODES[n],
        )
        for n in range(3)
    )
    visits = (
        Visit(id="V1", client_id="C1", date=DAY, earliest_start=480, latest_start=510, duration=30),
        Visit(id="V2", client_id="C2", date=DAY, earliest_start=540, latest_start=570, duration=45),
        Visit(id="V3", client_id="C3", date=DAY, earliest_start=600, latest_start=630, duration=30),
        Visit(id="V4", client_id="C1", date=DAY, earliest_start=720, latest_start=735, duration=60),
    )
    return Scenario(name="leeds-north", date=DAY, carers=carers, clients=clients, visits=visits)


def _plan(scenario: Scenario, *, with_runs: bool = True) -> Plan:
    # CR001: leaves 07:50, 10 min to C1, arrives 08:00, care 08:05-08:35 after 5 min wait;
    # 12 min to C2, arrives 08:47, waits 13 min, care 09:00-09:45; 11 min home, back 09:56.
    car_run = Run(
        carer_id="CR001",
        shift_start=420,
        shift_end=840,
        depart=470,
        return_home=596,
        stops=(
            Stop(
                visit_id="V1",
                client_id="C1",
                arrival=480,
                start=485,
                end=515,
                travel_minutes=10,
                travel_m=3_000,
                wait_minutes=5,
            ),
            Stop(
                visit_id="V2",
                client_id="C2",
                arrival=527,
                start=540,
                end=585,
                travel_minutes=12,
                travel_m=3_500,
                wait_minutes=13,
            ),
        ),
        home_travel_minutes=11,
        home_travel_m=3_200,
    )
    walk_run = Run(
        carer_id="CR012",
        shift_start=480,
        shift_end=720,
        depart=575,
        return_home=655,
        stops=(
            Stop(
                visit_id="V3",
                client_id="C3",
                arrival=600,
                start=600,
                end=630,
                travel_minutes=25,
                travel_m=2_000,
                wait_minutes=0,
            ),
        ),
        home_travel_minutes=25,
        home_travel_m=2_000,
    )
    unallocated = Unallocated(
        visit_id="V4",
        client_id="C1",
        reason_code="no_carer_on_shift",
        reason="no carer is on shift between 12:00 and 12:15",
    )
    return Plan(
        scenario=scenario.name,
        date=scenario.date,
        status=PlanStatus.SOLVED,
        runs=(car_run, walk_run) if with_runs else (),
        unallocated=(unallocated,),
        settings=Settings(),
    )


def _html(fmap: folium.Map) -> str:
    # folium writes marker HTML as JSON strings, with < and > as \u003c and \u003e.
    page = fmap.get_root().render()
    return page.replace("\\u003c", "<").replace("\\u003e", ">")


def test_map_has_a_layer_per_carer_and_for_unallocated() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario)))

    assert "CR001 (car)" in page
    assert "CR012 (walk)" in page
    assert '"Unallocated"' in page
    assert "L.control.layers" in page


def test_stops_are_numbered_through_the_day_with_times(tmp_path: Path) -> None:
    scenario = _scenario()
    path = tmp_path / "rota.html"

    write_map(scenario, _plan(scenario), path)

    page = path.read_text(encoding="utf-8").replace("\\u003c", "<").replace("\\u003e", ">")
    assert ">1</div>" in page and ">2</div>" in page
    assert "Stop 1: visit V1" in page and "Stop 2: visit V2" in page
    assert "Stop 1: visit V3" in page  # CR012's day numbers from 1 too
    # V2: arrives 527 = 08:47 after 12 min travel, waits 13, care 540-585 = 09:00-09:45
    assert "Arrives 08:47 after 12 min travel" in page
    assert "Waits 13 min" in page
    assert "Care 09:00-09:45" in page
    assert "Carer CR001" in page


def test_walking_runs_are_dashed_and_driving_runs_solid() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario)))

    assert page.count('"dashArray": "6 8"') == 1  # CR012 walks; CR001's car run is solid


def test_unallocated_visit_shows_its_reason() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario)))

    assert "Unallocated visit V4" in page
    assert "no carer is on shift between 12:00 and 12:15" in page
    assert "no_carer_on_shift" in page


def test_names_and_addresses_are_left_out_by_default() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario)))

    for private in (*CLIENT_NAMES, *ADDRESSES, *POSTCODES, *CARER_NAMES):
        assert private not in page


def test_show_names_puts_names_and_addresses_in_popups() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario), show_names=True))

    for shown in (*CLIENT_NAMES, *ADDRESSES, *POSTCODES, *CARER_NAMES):
        assert shown in page


def test_legend_counts_runs_and_unallocated() -> None:
    scenario = _scenario()

    page = _html(render_map(scenario, _plan(scenario)))

    assert "leeds-north" in page
    assert "2024-03-04" in page
    assert "2 runs &middot; 1 unallocated" in page


def test_plan_without_runs_still_renders(tmp_path: Path) -> None:
    scenario = _scenario()
    path = tmp_path / "empty.html"

    write_map(scenario, _plan(scenario, with_runs=False), path)

    page = path.read_text(encoding="utf-8")
    assert "CR001 (car)" in page  # idle carers still show their homes
    assert "0 runs &middot; 1 unallocated" in page
    assert "No runs in this plan" in page


def test_nothing_to_show_still_renders() -> None:
    scenario = _scenario().model_copy(update={"carers": (), "clients": (), "visits": ()})
    plan = _plan(scenario, with_runs=False).model_copy(update={"unallocated": ()})

    page = _html(render_map(scenario, plan))

    assert "0 runs &middot; 0 unallocated" in page


def test_plan_naming_an_unknown_carer_is_refused() -> None:
    scenario = _scenario()
    plan = _plan(scenario)
    stray = plan.runs[0].model_copy(update={"carer_id": "CR999"})

    with pytest.raises(DomcareError, match="CR999"):
        render_map(scenario, plan.model_copy(update={"runs": (stray,)}))


def test_the_page_carries_leaflet_and_links_nothing() -> None:
    """Every script and style is inside the page; the only addresses left are the street
    tiles and their attribution (the browser test below shows the runs draw without them)."""
    scenario = _scenario()

    page = render_map(scenario, _plan(scenario)).get_root().render()

    assert "<script src" not in page and "<link" not in page
    assert "Leaflet 1.9.4" in page and "url(images/" not in page  # its icons as data: URLs
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "tile.openstreetmap.org" in page
    assert "streets behind need internet" in page


def test_braces_in_a_name_are_shown_as_they_are() -> None:
    """folium reads an element's output as a template again: ``{{ ... }}`` must survive."""
    scenario = _scenario()
    braced = scenario.clients[0].model_copy(update={"name": "Mrs {{ Braces }} {% x %}"})
    scenario = scenario.model_copy(update={"clients": (braced, *scenario.clients[1:])})

    page = _html(render_map(scenario, _plan(scenario), show_names=True)).replace("\\u0026", "&")

    assert "Mrs &#123;&#123; Braces &#125;&#125; &#123;% x %&#125;" in page


def test_the_map_draws_its_runs_with_no_network(tmp_path: Path) -> None:
    """map.html opened in headless Chromium with every request off this machine refused: the
    runs, stops and the unallocated visit are drawn and a stop's popup opens; a screenshot
    is kept in ``test-artifacts/map-offline.png`` (or ``DOMCARE_TEST_ARTIFACTS``)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian's chromium package)")
    scenario = _scenario()
    path = tmp_path / "map.html"
    write_map(scenario, _plan(scenario), path)
    artifacts = Path(os.environ.get("DOMCARE_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 700})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith("file://")
                    else (refused.append(route.request.url), route.abort())
                ),
            )
            page.goto(path.as_uri())
            page.wait_for_selector(".domcare-stop")
            assert page.locator(".domcare-stop").count() == 3  # V1, V2, V3
            assert page.locator(".domcare-home").count() == 2
            # Two runs and the unallocated visit's circle, as vectors.
            assert page.locator("path.leaflet-interactive").count() == 3
            page.locator(".domcare-stop").first.click()
            page.wait_for_function(  # the popup fades in
                "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
            )
            assert "Stop 1: visit V1" in page.locator(".leaflet-popup-content").inner_text()
            page.screenshot(path=str(artifacts / "map-offline.png"))
        finally:
            browser.close()
    assert errors == []
    assert refused and all(url.startswith("https://tile.openstreetmap.org/") for url in refused)
