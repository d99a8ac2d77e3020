"""The waiting list: reading it, packages as visits, and the all-or-nothing rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scenarios.generator import generate_waiting_list
from scheduler.analysis.waiting import read_waiting_list, taken_on, waiting_list_csv, with_packages
from scheduler.model.care import Priority
from scheduler.model.errors import InputError
from scheduler.model.plan import Run, Stop
from scheduler.model.settings import DEFAULT_SKILLS
from tests.scheduler.rules.test_day import PLAN, SCENARIO

WAITING = (
    "package_id,lat,lon,days,earliest_start,latest_start,duration_minutes,carers_required,"
    "required_skills\n"
    """P1,54.51,-6.01,daily,08:00,08:30,30,1,medication
P1,54.51,-6.01,mon;wed,17:00,17:30,30,,
P2,54.50,-6.02,tue,09:00,09:30,45,2,hoist
"""
)


def test_a_waiting_list_reads_and_writes_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "waiting.csv"
    path.write_text(WAITING)
    packages = read_waiting_list(path, DEFAULT_SKILLS)
    assert [p.id for p in packages] == ["P1", "P2"]
    assert packages[0].calls[1].days == {0, 2} and packages[1].calls[0].carers_required == 2
    again = tmp_path / "again.csv"
    again.write_text(waiting_list_csv(packages))
    assert read_waiting_list(again, DEFAULT_SKILLS) == packages


def test_every_problem_in_a_waiting_list_is_located(tmp_path: Path) -> None:
    path = tmp_path / "waiting.csv"
    bad = WAITING.replace("08:00,08:30", "08:00,07:30").replace("mon;wed", "mon;funday")
    bad = bad.replace("P1,54.51,-6.01,mon", "P1,54.60,-6.01,mon").replace(",hoist", ",juggling")
    path.write_text(bad)
    with pytest.raises(InputError) as raised:
        read_waiting_list(path, DEFAULT_SKILLS)
    where = {(i.row, i.column, i.code) for i in raised.value.issues}
    assert where == {
        (2, "latest_start", "window_inverted"),
        (3, "days", "invalid_value"),
        (3, "lat", "inconsistent_package"),
        (4, "required_skills", "unknown_skill"),
    }


def test_a_bad_number_says_so_in_words_not_pythons(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_waiting_list(WAITING.replace(",45,2,", ",3x,2,").encode(), DEFAULT_SKILLS)
    ((issue),) = raised.value.issues
    assert (issue.file, issue.row, issue.column) == ("waiting.csv", 4, "duration_minutes")
    assert issue.message == "'3x' is not a whole number" and "invalid literal" not in str(issue)


def test_a_waiting_list_as_excel_saves_it_reads_the_same() -> None:
    # Windows-1252, semicolons (the multi-valued days cell quoted), UK dates, trailing rows.
    excel = (
        "\n".join(
            ";".join(f'"{cell}"' if ";" in cell else cell for cell in line.split(","))
            for line in WAITING.replace("mon;wed", "MON_WED").splitlines()
        ).replace("MON_WED", '"mon;wed"')
        + "\n;;;;;;;;\n"
    )
    packages = read_waiting_list(excel.encode("cp1252"), DEFAULT_SKILLS)
    assert packages == read_waiting_list(WAITING.encode(), DEFAULT_SKILLS)


def test_packages_become_waiting_visits_on_their_days(tmp_path: Path) -> None:
    path = tmp_path / "waiting.csv"
    path.write_text(WAITING)
    packages = read_waiting_list(path, DEFAULT_SKILLS)
    # SCENARIO is Tuesday 1 December 2026: P1's daily call and P2's Tuesday call, not P1's
    # Monday/Wednesday one.
    assert SCENARIO.date.weekday() == 1
    scenario = with_packages(SCENARIO, packages)
    added = [v for v in scenario.visits if v.priority is Priority.WAITING]
    assert sorted(v.client_id for v in added) == ["WL-P1", "WL-P2"]
    assert len(scenario.clients) == len(SCENARIO.clients) + 2


def test_a_package_is_taken_on_only_when_every_call_is_covered(tmp_path: Path) -> None:
    path = tmp_path / "waiting.csv"
    path.write_text(WAITING.replace("tue,09:00", "mon,09:00"))  # P2: no call this Tuesday
    packages = read_waiting_list(path, DEFAULT_SKILLS)
    scenario = with_packages(SCENARIO.model_copy(update={"date": dt.date(2026, 12, 1)}), packages)
    (call,) = [v for v in scenario.visits if v.client_id == "WL-P1"]

    def stop(visit_id: str) -> Stop:
        return Stop(
            visit_id=visit_id,
            client_id="WL-P1",
            arrival=480,
            start=480,
            end=510,
            travel_minutes=0,
            travel_m=0,
            wait_minutes=0,
        )

    run = Run(
        carer_id="C1",
        shift_start=480,
        shift_end=720,
        depart=480,
        return_home=510,
        stops=(stop(call.id),),
        home_travel_minutes=0,
        home_travel_m=0,
    )
    covered = PLAN.model_copy(update={"runs": (*PLAN.runs, run)})
    assert taken_on(scenario, packages, [covered]) == ("P1",)  # P2 has nothing to cover
    assert taken_on(scenario, packages, [PLAN]) == ()


def test_a_generated_waiting_list_is_reproducible_and_sorted_by_wait() -> None:
    first, again = generate_waiting_list(400, 2, 10), generate_waiting_list(400, 2, 10)
    assert first == again and len(first) == 10
    since = [p.waiting_since for p in first]
    assert since == sorted(since)  # type: ignore[type-var]
