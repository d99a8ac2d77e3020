"""The scenario generator: reproducible, exact in size, realistic in shape, and coverable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scenarios.generator import (
    SHIPPED_DAYS,
    SHIPPED_WEEKS,
    SLACK,
    TRAVEL_ALLOWANCE,
    band_minutes,
    generate,
    generate_week,
    write_generated,
)
from scheduler.io.scenario import read_scenario
from scheduler.model.care import Priority, Scenario, Visit
from scheduler.model.settings import DEFAULT_SKILLS
from tests.conftest import ROOT

SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def day() -> Scenario:
    return generate(400, seed=11)


def _able(scenario: Scenario, visit: Visit) -> int:
    """Carers who hold the skills, are accepted by the client and have a shift that holds the
    call wherever its window puts it."""
    client = scenario.client_by_id[visit.client_id]
    return sum(
        visit.required_skills <= carer.skills
        and carer.id not in client.excluded_carers
        and client.gender_preference in (None, carer.gender)
        and any(
            s.start <= visit.latest_start and visit.earliest_start + visit.duration <= s.end
            for s in carer.shifts
        )
        for carer in scenario.carers
    )


def test_same_seed_gives_the_same_day() -> None:
    assert generate(150, seed=5) == generate(150, seed=5)


def test_another_seed_gives_another_day() -> None:
    first, second = generate(150, seed=5), generate(150, seed=6)
    assert first.visits != second.visits
    assert first.clients != second.clients


@pytest.mark.parametrize("visits", [1, 2, 7, 60, 333])
def test_the_visit_count_is_exact(visits: int) -> None:
    scenario = generate(visits, seed=visits)
    assert len(scenario.visits) == visits
    assert len({visit.id for visit in scenario.visits}) == visits


def test_a_carer_count_given_is_kept() -> None:
    assert len(generate(100, carers=9, seed=1).carers) == 9


def test_name_date_and_skills() -> None:
    scenario = generate(20, seed=2, date=dt.date(2027, 3, 4))
    assert scenario.name == "generated-20-2"
    assert scenario.skills == DEFAULT_SKILLS
    assert {visit.date for visit in scenario.visits} == {dt.date(2027, 3, 4)}
    assert generate(20, seed=2, name="ards").name == "ards"


@pytest.mark.parametrize("visits, carers", [(0, None), (10, 0)])
def test_an_empty_day_is_refused(visits: int, carers: int | None) -> None:
    with pytest.raises(ValueError):
        generate(visits, carers)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_about_a_tenth_of_visits_are_double_handed(seed: int) -> None:
    visits = generate(1000, seed=seed).visits
    share = sum(visit.double_handed for visit in visits) / len(visits)
    assert 0.07 <= share <= 0.14


def test_double_handed_visits_are_mostly_hoist_transfers(day: Scenario) -> None:
    doubles = [visit for visit in day.visits if visit.double_handed]
    assert sum("hoist" in visit.required_skills for visit in doubles) >= 0.7 * len(doubles)


def test_every_required_skill_is_held_by_two_or_more_carers(day: Scenario) -> None:
    for skill in {skill for visit in day.visits for skill in visit.required_skills}:
        assert sum(skill in carer.skills for carer in day.carers) >= 2, skill


@pytest.mark.parametrize("visits, seed", [(12, 0), (60, 1), (400, 11)])
def test_every_call_has_a_spare_carer_who_may_do_it(visits: int, seed: int) -> None:
    scenario = generate(visits, seed=seed)
    for visit in scenario.visits:
        assert _able(scenario, visit) >= visit.carers_required + 1, visit.id


def test_windows_lie_inside_the_care_day(day: Scenario) -> None:
    for visit in day.visits:
        assert 6 * 60 <= visit.earliest_start <= visit.latest_start
        assert visit.latest_start + visit.duration <= 23 * 60
        assert 15 <= visit.duration <= 60
        assert visit.earliest_start % 5 == 0


def test_tight_windows_are_critical_medication(day: Scenario) -> None:
    tight = [v for v in day.visits if v.latest_start - v.earliest_start == 30]
    assert tight
    for visit in tight:
        assert visit.priority is Priority.CRITICAL
        assert "medication" in visit.required_skills
    critical = [v for v in day.visits if v.priority is Priority.CRITICAL]
    assert len(critical) == len(tight)


def test_carer_hours_exceed_care_hours_in_every_band(day: Scenario) -> None:
    care = sum(visit.duration * visit.carers_required for visit in day.visits)
    shifts = sum(carer.shift_minutes for carer in day.carers)
    assert shifts >= 1.5 * care
    for band in band_minutes(day):
        # every band: care plus travel allowance plus slack fits in the shift minutes
        needed = band.care_minutes * (1 + TRAVEL_ALLOWANCE) * (1 + SLACK)
        assert band.shift_minutes >= needed, band


def test_every_place_is_in_county_down_and_on_land(day: Scenario) -> None:
    places = [client.location for client in day.clients] + [carer.home for carer in day.carers]
    for place in places:
        assert 54.25 <= place.lat <= 54.70 and -6.15 <= place.lon <= -5.50
        in_strangford_lough = 54.38 <= place.lat <= 54.56 and -5.72 <= place.lon <= -5.55
        assert not in_strangford_lough


def test_references_point_at_real_carers_and_clients(day: Scenario) -> None:
    carer_ids, client_ids = set(day.carer_by_id), set(day.client_by_id)
    for client in day.clients:
        assert client.preferred_carers <= carer_ids and client.excluded_carers <= carer_ids
        assert not client.preferred_carers & client.excluded_carers
    assert {visit.client_id for visit in day.visits} == client_ids
    week = {day.date - dt.timedelta(days=n) for n in range(1, 8)}
    for entry in day.history:
        assert entry.carer_id in carer_ids and entry.client_id in client_ids
        assert entry.date in week


def test_preferred_carers_appear_often_in_history(day: Scenario) -> None:
    for client in day.clients:
        if client.preferred_carers:
            seen = {h.carer_id for h in day.history if h.client_id == client.id}
            assert client.preferred_carers <= seen, client.id


def test_a_written_day_reads_back_unchanged(tmp_path: Path) -> None:
    scenario = write_generated(80, None, seed=4, out=tmp_path / "ards")
    assert read_scenario(tmp_path / "ards") == scenario


@pytest.mark.parametrize("folder", sorted(SHIPPED_DAYS))
def test_shipped_scenarios_are_what_the_generator_makes(folder: str) -> None:
    visits, seed = SHIPPED_DAYS[folder]
    assert read_scenario(SCENARIOS / folder) == generate(visits, seed=seed, name=folder)


@pytest.mark.parametrize("folder", sorted(SHIPPED_WEEKS))
def test_shipped_weeks_are_what_the_generator_makes(folder: str) -> None:
    visits, seed, days = SHIPPED_WEEKS[folder]
    made = generate_week(visits, days, seed=seed, name=folder)
    assert read_scenario(SCENARIOS / folder) == made


def test_a_generated_week_repeats_the_packages_and_staggers_days_off() -> None:
    week = generate_week(30, days=7, seed=4)
    assert len(week.dates) == 7 and len(week.visits) == 7 * 30
    on_shift = [sum(1 for c in week.carers if c.shifts_for(d)) for d in week.dates]
    # every carer works 5 days of 7; days off are spread so each day has about 5/7 of staff
    assert all(abs(n - len(week.carers) * 5 / 7) <= 1 for n in on_shift)
    assert all(sum(1 for d in week.dates if c.shifts_for(d)) == 5 for c in week.carers)
    first, last = week.dates[0], week.dates[-1]
    monday = sorted((v.client_id, v.earliest_start) for v in week.visits if v.date == first)
    sunday = sorted((v.client_id, v.earliest_start) for v in week.visits if v.date == last)
    assert monday == sunday
