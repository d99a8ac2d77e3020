"""Taking people on from the waiting list, all or nothing, by hand and optimised.

On the validator's small morning (tests/scheduler/rules/test_day.py: three carers 08:00-12:00 near
54.50,-6.00): P1 wants one call at 10:30-11:00, which a carer can fit; P2 wants the same and
one at 20:00, when nobody works, so P2 cannot start, and none of its calls is planned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.haversine import HaversineTravel
from scheduler.analysis.comparison import Comparison
from scheduler.analysis.intake import absorb_optimised, slot_by_hand
from scheduler.analysis.manual import rota_breaches, rota_plans
from scheduler.analysis.waiting import CarePackage, PackageCall
from scheduler.cli import main
from scheduler.model.care import Location
from scheduler.model.settings import Settings, SolveSettings
from tests.scheduler.rules.test_day import PLAN, SCENARIO

SETTINGS = Settings(solve=SolveSettings(time_limit_s=10, solution_limit=50))
TRAVEL = HaversineTravel()
NEAR = Location(lat=54.505, lon=-6.005)
LATE_MORNING = PackageCall(earliest_start=10 * 60 + 30, latest_start=11 * 60, duration=20)
EVENING = PackageCall(earliest_start=20 * 60, latest_start=20 * 60 + 30, duration=30)
P1 = CarePackage(id="P1", location=NEAR, calls=(LATE_MORNING,))
P2 = CarePackage(id="P2", location=NEAR, calls=(LATE_MORNING, EVENING))


def _covered_clients(plans: object) -> set[str]:
    return {stop.client_id for plan in plans for run in plan.runs for stop in run.stops}  # type: ignore[attr-defined]


def test_optimised_takes_on_only_whole_packages() -> None:
    absorbed = absorb_optimised(SCENARIO, [P2, P1], SETTINGS, TRAVEL)
    assert absorbed.taken_on == ("P1",)
    clients = _covered_clients(absorbed.plans)
    assert "WL-P1" in clients and "WL-P2" not in clients  # P2's morning call withdrawn
    assert {c.id for c in absorbed.scenario.clients} >= {"WL-P1"}
    assert "WL-P2" not in {c.id for c in absorbed.scenario.clients}


def test_by_hand_takes_on_only_whole_packages_into_gaps() -> None:
    rota = [
        a
        for plan in (PLAN,)
        for a in __import__("scheduler.analysis.intake", fromlist=["_assignments"])._assignments(
            [plan]
        )
    ]
    extended, slotted, taken = slot_by_hand(SCENARIO, [P2, P1], rota, TRAVEL, SETTINGS)
    assert taken == ("P1",)
    added = [a for a in slotted if a not in rota]
    assert [extended.visit_by_id[a.visit_id].client_id for a in added] == ["WL-P1"]
    # The calls already in the rota keep their starts; the rota still breaks no rule.
    assert all(a in slotted for a in rota)
    plans = rota_plans(extended, slotted, TRAVEL, SETTINGS)
    assert rota_breaches(extended, slotted, plans, TRAVEL) == []


def test_compare_writes_the_report_and_its_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scenarios.generator import generate_waiting_list, write_generated
    from scheduler.analysis.waiting import write_waiting_list

    folder = tmp_path / "day"
    write_generated(40, None, 5, folder)
    write_waiting_list(generate_waiting_list(40, 5, 3), folder / "waiting.csv")
    out = tmp_path / "out"
    options = ["--time-limit", "5", "--solution-limit", "30", "--out", str(out)]
    assert (
        main(["compare", str(folder), "--waiting-list", str(folder / "waiting.csv"), *options]) == 0
    )
    printed = capsys.readouterr().out
    assert "care hours released" in printed and "of 3 people on the waiting list" in printed
    result = Comparison.model_validate_json((out / "compare.json").read_text())
    assert [r.name for r in result.rotas] == [
        "optimised rota",
        "coordinator baseline",
        "greedy baseline",
    ]
    assert [r.against for r in result.released] == ["coordinator baseline", "greedy baseline"]
    assert len(result.intake) == 2 and result.week_estimate
    page = (out / "report.html").read_text()
    assert "<svg" in page and "care hours released" in page and "http" not in page.split("<svg")[0]
