"""Run sheets: a printable page and a calendar file per carer, names only on request, and
calendar events that a re-plan updates rather than duplicates."""

from __future__ import annotations

import os
from pathlib import Path

import icalendar
import pytest

from scheduler.io.scenario import read_scenario
from scheduler.io.shipped import shipped
from scheduler.model.care import Scenario
from scheduler.model.events import CarerOff
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.planning.replan import replan_day
from scheduler.render.runsheets import runsheet_files, visit_uid
from tests.conftest import ROOT

SETTINGS = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))


@pytest.fixture
def tiny(tiny_folder: Path) -> Scenario:
    return read_scenario(tiny_folder)


@pytest.fixture
def plan(tiny: Scenario) -> Plan:
    return solve_day(tiny, SETTINGS)


def events_of(text: str) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(text).walk("VEVENT"))


def test_each_carer_with_calls_gets_a_page_and_a_calendar_of_their_calls(
    tiny: Scenario, plan: Plan
) -> None:
    files = dict(runsheet_files(tiny, plan))
    carers = {run.carer_id for run in plan.runs}
    assert set(files) == {f"runsheets/{c}.{kind}" for c in carers for kind in ("html", "ics")}
    for carer in carers:
        stops = [s for run in plan.runs if run.carer_id == carer for s in run.stops]
        events = events_of(files[f"runsheets/{carer}.ics"])
        assert sorted(str(e["uid"]) for e in events) == sorted(
            visit_uid(plan.date, s.visit_id, carer) for s in stops
        )
        for event, stop in zip(sorted(events, key=lambda e: e["dtstart"].dt), stops, strict=True):
            start = event["dtstart"].dt
            assert (start.date(), start.hour * 60 + start.minute) == (plan.date, stop.start)
            assert str(start.tzinfo) == "Europe/London"
        page = files[f"runsheets/{carer}.html"]
        assert all(stop.visit_id in page for stop in stops) and "@media print" in page


def test_names_and_addresses_only_on_request(tiny: Scenario, plan: Plan) -> None:
    hidden = "".join(text for _, text in runsheet_files(tiny, plan))
    assert "Mrs Example" not in hidden and "Main Street" not in hidden
    shown = dict(runsheet_files(tiny, plan, show_names=True))
    k1 = next(run.carer_id for run in plan.runs for s in run.stops if s.client_id == "K1")
    assert "Mrs Example" in shown[f"runsheets/{k1}.html"]
    (event,) = [e for e in events_of(shown[f"runsheets/{k1}.ics"]) if "K1" in str(e["summary"])]
    assert str(event["location"]) == "1 Main Street, BT28 1AA"


def test_a_double_handed_call_names_the_partner(tiny: Scenario, plan: Plan) -> None:
    files = dict(runsheet_files(tiny, plan))
    pair = sorted(run.carer_id for run in plan.runs for s in run.stops if s.visit_id == "V2")
    assert len(pair) == 2
    (event,) = [e for e in events_of(files[f"runsheets/{pair[0]}.ics"]) if "V2" in str(e["uid"])]
    assert f"with {pair[1]}" in str(event["description"])


def test_a_replan_cancels_the_calls_a_carer_lost_under_the_same_uid(
    tiny: Scenario, plan: Plan
) -> None:
    carer, stop = next((run.carer_id, s) for run in plan.runs for s in run.stops if s.start > 600)
    again = replan_day(tiny, plan, (CarerOff(carer_id=carer, start=600),), 600, SETTINGS)
    files = dict(runsheet_files(again.scenario, again.plan, before=plan))
    events = events_of(files[f"runsheets/{carer}.ics"])
    (cancelled,) = [
        e for e in events if str(e["uid"]) == visit_uid(plan.date, stop.visit_id, carer)
    ]
    assert str(cancelled["status"]) == "CANCELLED"


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_town_run_sheets_open_and_print_in_chromium(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    folder = shipped("town")
    assert folder is not None
    town = read_scenario(folder)
    plan = solve_day(town, Settings(solve=SolveSettings(time_limit_s=10, solution_limit=1)))
    files = dict(runsheet_files(town, plan))
    carer = plan.runs[0].carer_id
    page_file = tmp_path / f"{carer}.html"
    page_file.write_text(files[f"runsheets/{carer}.html"], encoding="utf-8")
    artifacts = Path(os.environ.get("DOMCARE_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    calls = sum(len(run.stops) for run in plan.runs if run.carer_id == carer)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            assert carer in page.title()
            rows = page.locator("tr").count()  # a header and leave/return rows per shift
            shifts = sum(1 for run in plan.runs if run.carer_id == carer)
            assert rows >= calls + 3 * shifts
            page.emulate_media(media="print")
            page.screenshot(path=str(artifacts / "runsheet-town.png"), full_page=True)
        finally:
            browser.close()
    assert sum(1 for name in files if name.endswith(".ics")) == len({r.carer_id for r in plan.runs})
