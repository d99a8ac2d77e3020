"""End to end in a real browser: `domcare serve` started as a user would, the coordinator
page driven in headless Chromium (Debian's, /usr/bin/chromium) with Playwright, every request
off the server refused:

- a rota planned from just the three required CSV files of scenarios/small, uploaded from the
  page: its rota table, visits not covered, the list of past rotas, a reload that brings it
  back, and the print view; changing the key on the way keeps the upload chosen;
- past rotas opened from the list, one with a visit not covered and the reason why; the
  progress in words; the time-limit box bounded by the service; no choice of travel without
  a map of roads, and the rota saying it was timed on straight lines;
- a rota re-planned from the page, its changes shown;
- with the service given Helsinki's extract, a rota of scenarios/helsinki requested on its
  roads from the page, and said to be timed on them.

Screenshots are kept in ``test-artifacts/`` (or ``DOMCARE_TEST_ARTIFACTS``).

Skipped, saying why, where Chromium or Playwright is not installed; ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.keys import Role
from scheduler.io.scenario import read_scenario, scenario_to_json
from tests.api.conftest import FAST, domcare_serve, make_keys
from tests.conftest import ROOT, VISITS, write_folder

CHROMIUM = Path("/usr/bin/chromium")
SMALL = ROOT / "scenarios" / "small"
HELSINKI = ROOT / "scenarios" / "helsinki"
PLANNED_S = 120  # guards against a hung test only: small is given 5 s to plan

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (Debian's chromium package)"
)


class Served:
    """`domcare serve` on a free port: its address and a key of each role."""

    def __init__(self, address: str, keys: dict[Role, str]):
        self.address, self.keys = address, keys

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET (or POST ``body`` to) ``path`` as a coordinator; the JSON answer."""
        request = urllib.request.Request(
            self.address + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.keys[Role.COORDINATOR]}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            found: dict[str, Any] = json.load(answer)
            return found

    def planned(self, body: dict[str, Any]) -> dict[str, Any]:
        """Request a rota and wait until it is done."""
        path = self.call("/v1/rotas", body)["links"]["self"]
        deadline = time.monotonic() + PLANNED_S
        while (job := self.call(path))["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, f"{path} still {job['status']}"
            time.sleep(0.2)
        assert job["status"] == "done", job["error"]
        return job


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    """The service; given the parameter ``roads`` (indirectly), with Helsinki's extract,
    copied into the test's folder so that its graphs are cached there."""
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    keys = make_keys(database)
    environment = {}
    if getattr(request, "param", None) == "roads":
        extract = tmp_path / "Helsinki.osm.pbf"
        shutil.copyfile(HELSINKI / "Helsinki.osm.pbf", extract)
        environment["DOMCARE_OSM_EXTRACT"] = str(extract)
    with domcare_serve(database, **environment) as address:
        yield Served(address, keys)


@pytest.fixture
def artifacts() -> Path:
    folder = Path(os.environ.get("DOMCARE_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_page(served: Served) -> Iterator[tuple[Any, list[str]]]:
    """A page in headless Chromium that may reach the server only; the other addresses it
    asked for (there should be none)."""
    external: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(served.address)
                    else (external.append(route.request.url), route.abort())
                ),
            )
            yield page, external
        finally:
            browser.close()


def _enter_key(page: Any, key: str) -> None:
    page.fill("#api-key", key)
    page.locator("#api-key").press("Tab")  # the key is read when it changes


def _wait_until_shown(page: Any, timeout_s: float = 30) -> None:
    """Until the page shows a rota; failing at once, with its message, if it says failed."""
    page.wait_for_selector(
        "body[data-state='done'], body[data-state='failed']", timeout=timeout_s * 1000
    )
    assert page.locator("body").get_attribute("data-state") == "done", page.locator(
        "#message"
    ).inner_text()


def test_a_rota_from_three_uploaded_files_is_shown_kept_and_printed(
    served: Served, browser_page: tuple[Any, list[str]], artifacts: Path
) -> None:
    page, external = browser_page
    page.goto(served.address + "/")
    assert page.locator("body").get_attribute("data-state") == "idle"
    _enter_key(page, served.keys[Role.VIEWER])
    page.wait_for_selector("#scenario option[value='small']", state="attached")
    page.select_option("#scenario", "__upload__")
    page.fill("#file-name", "small-upload")
    for table in ("carers", "clients", "visits"):  # history.csv and skills.csv are optional
        page.set_input_files(f"#file-{table}", str(SMALL / f"{table}.csv"))

    # A viewer may not request rotas: the coordinator's key goes in, the upload stays chosen.
    _enter_key(page, served.keys[Role.COORDINATOR])
    page.wait_for_function("document.body.dataset.state === 'idle'")
    assert page.locator("#scenario").input_value() == "__upload__"
    assert page.locator("#files").is_visible()
    assert page.evaluate("document.getElementById('file-visits').files.length") == 1

    assert page.locator("#time-limit").get_attribute("max") == "600"  # the service's limit
    page.fill("#time-limit", "5")
    page.click("#request")
    _wait_until_shown(page, PLANNED_S)

    job_id = page.evaluate("location.hash").removeprefix("#rota=")
    job = served.call(f"/v1/rotas/{job_id}")
    plan, figures = job["plan"], job["figures"]
    assert job["scenario"]["name"] == "small-upload" and figures["visits"] == 60
    message = page.locator("#message").inner_text()
    assert message == f"Rota ready: {figures['visits_allocated']} of 60 visits covered."

    def shown() -> None:
        carer_visits = sum(len(run["stops"]) for run in plan["runs"])
        assert page.locator("#rota tr.visit").count() == carer_visits > 0
        assert page.locator("#rota caption").count() == len({r["carer_id"] for r in plan["runs"]})
        first_run = plan["runs"][0]
        first_row = page.locator("#rota tr.visit").first.locator("td")
        assert first_row.nth(1).inner_text().startswith(first_run["stops"][0]["visit_id"])
        assert first_row.nth(2).inner_text() == first_run["stops"][0]["client_id"]
        late = sum(1 for run in plan["runs"] for stop in run["stops"] if stop["minutes_late"])
        assert page.locator("#rota tr.late").count() == late
        assert page.locator("#kpis").inner_text().count("late calls") == 1
        assert page.locator("#uncovered tr.uncovered").count() == len(plan["unallocated"])
        if not plan["unallocated"]:
            assert page.locator("#uncovered").inner_text() == "Every visit is covered."
        assert page.locator("#map svg polyline.run").count() == len(plan["runs"])
        assert page.locator("#timeline svg g.row").count() == len(plan["runs"])

    shown()
    past = page.locator(f"#past-jobs tr[data-id='{job_id}']")
    assert past.get_attribute("aria-current") == "true"
    assert "done" in past.inner_text() and f"{figures['visits_allocated']} of 60" in (
        past.inner_text()
    )
    page.screenshot(path=str(artifacts / "e2e-small.png"), full_page=True)

    page.reload()  # the key is kept in the tab, the job in the address
    _wait_until_shown(page)
    assert job_id[:8] in page.locator("#result-title").inner_text()
    shown()

    page.emulate_media(media="print")
    for control in ("#rota-form", "#progress-section", "#past", "#downloads"):
        assert not page.locator(control).is_visible(), control
    for kept in ("#result-title", "#kpis", "#rota", "#uncovered", "#map svg", "#timeline svg"):
        assert page.locator(kept).first.is_visible(), kept
    page.screenshot(path=str(artifacts / "e2e-print.png"), full_page=True)
    assert external == []


def test_past_rotas_open_from_the_list_with_the_visits_not_covered(
    served: Served, browser_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    # V5 at 03:00: nobody is on shift, so it cannot be covered, and the page says why.
    at_night = VISITS + "V5,K2,2026-12-01,03:00,03:30,30,1,,normal,\n"
    tiny = json.loads(scenario_to_json(read_scenario(write_folder(tmp_path, visits=at_night))))
    with_gap = served.planned({"scenario": tiny | {"name": "night call"}, "options": FAST})
    tiny["visits"] = tiny["visits"][:-1]
    covered = served.planned({"scenario": tiny | {"name": "all covered"}, "options": FAST})
    (reason,) = with_gap["plan"]["unallocated"]
    assert reason["visit_id"] == "V5"

    page, external = browser_page
    page.goto(served.address + "/")
    _enter_key(page, served.keys[Role.VIEWER])
    rows = page.locator("#past-jobs tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert rows.nth(0).get_attribute("data-id") == covered["id"]  # newest first
    assert "night call" in rows.nth(1).inner_text() and "4 of 5" in rows.nth(1).inner_text()

    assert not page.locator("#travel").is_visible()  # no map of roads: nothing to choose
    rows.nth(1).click()
    _wait_until_shown(page)
    assert page.evaluate("location.hash") == f"#rota={with_gap['id']}"
    words = page.locator("#travel-words").inner_text()
    assert words == "Travel timed on: straight lines x circuity"
    gap = page.locator("#uncovered tr.uncovered td")
    assert [gap.nth(n).inner_text() for n in range(4)] == [
        "V5",
        "K2",
        reason["reason"],
        reason["reason_code"],
    ]

    page.locator(f"#past-jobs a[href='#rota={covered['id']}']").click()
    # A locator, not a string to evaluate: the page's CSP allows no eval.
    page.locator("#result-title", has_text=covered["id"][:8]).wait_for()
    assert page.locator("#uncovered").inner_text() == "Every visit is covered."
    assert (
        page.locator("#past-jobs tr[aria-current='true']").get_attribute("data-id")
        == (covered["id"])
    )

    # The progress in words a coordinator reads, never the solver's cost.
    week = {
        "status": "running",
        "scenario": {"dates": ["2026-12-01", "2026-12-02"]},
        "options": {"time_limit_s": 30},
    }
    said = page.evaluate(
        "(job) => [progressText(job), progressText({...job, progress: {elapsed_s: 41.6, "
        "visits_placed: 57, best_cost: 1234, date: '2026-12-02'}})]",
        week | {"progress": {"elapsed_s": 2}},
    )
    assert said == [
        "Planning: looking for a first plan. 2 s of at most 60 s.",
        "Planning day 2 of 2 (2026-12-02): plan found with 57 carer visits placed so far (a "
        "double-handed visit counts twice), still improving. 42 s of at most 60 s.",
    ]

    page.fill("#time-limit", "601")  # the service refuses more than 600 s: so does the box
    assert page.evaluate("document.getElementById('time-limit').checkValidity()") is False
    assert external == []


def test_a_rota_is_replanned_from_the_page_with_its_changes_shown(
    served: Served, browser_page: tuple[Any, list[str]], artifacts: Path, tmp_path: Path
) -> None:
    # A rota of the small scenario; a carer with calls after 11:00 goes off then, from the
    # page's re-plan form: the new rota shows what changed and marks their runs.
    job = served.planned({"shipped": "small", "options": {"time_limit_s": 5}})
    plan = job["plan"]
    sick = next(
        run["carer_id"] for run in plan["runs"] if any(s["start"] >= 11 * 60 for s in run["stops"])
    )
    events = tmp_path / "events.csv"
    events.write_text(f"event,carer_id,from\ncarer_off,{sick},11:00\n")
    page, external = browser_page
    page.goto(served.address + "/#rota=" + job["id"])
    _enter_key(page, served.keys[Role.COORDINATOR])
    _wait_until_shown(page, PLANNED_S)
    assert page.locator("#replan-form").is_visible()
    assert page.locator("#rota caption button").count() == 2 * len(
        {r["carer_id"] for r in plan["runs"]}
    )
    page.fill("#replan-at", "11:00")
    page.set_input_files("#replan-events", str(events))
    page.fill("#time-limit", "5")
    page.click("#replan")
    deadline = time.monotonic() + PLANNED_S
    while page.evaluate("location.hash") == "#rota=" + job["id"]:  # the re-plan's own job
        assert time.monotonic() < deadline
        time.sleep(0.1)
    _wait_until_shown(page, PLANNED_S)
    again = served.call("/v1/rotas/" + page.evaluate("location.hash").removeprefix("#rota="))
    assert again["changes"]["replan_of"] == job["id"]
    assert page.locator("#changes-section").is_visible()
    assert "orphaned calls placed" in page.locator("#churn").inner_text()
    assert page.locator("#changes tbody tr").count() == len(again["changes"]["rows"])
    changed = {
        r
        for c in again["changes"]["rows"]
        for r in (c["carers_before"] + ";" + c["carers_after"]).split(";")
        if r
    }
    marked = page.locator("#timeline g.row.changed")
    assert {marked.nth(k).get_attribute("data-carer") for k in range(marked.count())} <= changed
    page.screenshot(path=str(artifacts / "e2e-replan.png"), full_page=True)
    assert external == []


@pytest.mark.parametrize("served", ["roads"], indirect=True)
def test_a_rota_is_requested_on_roads_from_the_page_and_says_so(
    served: Served, browser_page: tuple[Any, list[str]], artifacts: Path
) -> None:
    page, external = browser_page
    page.goto(served.address + "/")
    _enter_key(page, served.keys[Role.COORDINATOR])
    page.locator("#travel option[value='road']").wait_for(state="attached")
    assert page.locator("#travel").is_visible()
    assert page.locator("#travel option[value='road']").inner_text() == "roads of Helsinki.osm.pbf"
    page.select_option("#scenario", "helsinki")
    page.select_option("#travel", "road")
    page.fill("#time-limit", "2")  # only that a plan is shown counts, not how good it is
    page.click("#request")
    _wait_until_shown(page, PLANNED_S)
    words = page.locator("#travel-words").inner_text()
    assert words == "Travel timed on: roads of Helsinki.osm.pbf"
    job = served.call("/v1/rotas/" + page.evaluate("location.hash").removeprefix("#rota="))
    assert job["options"]["travel"] == "road" and job["plan"]["travel"] == "osm:Helsinki.osm.pbf"
    page.screenshot(path=str(artifacts / "e2e-roads.png"), full_page=True)
    assert external == []
