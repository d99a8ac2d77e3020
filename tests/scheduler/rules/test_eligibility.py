"""Eligibility asks the day's static rules of every carer at once (arrays); here each rule is
written again one carer at a time, as it reads in words, and the two must agree on every
visit: the carers kept and the rule named when too few are left."""

from __future__ import annotations

import random

import pytest

from routing.diagnose import Blocker
from routing.haversine import HaversineTravel
from scenarios.generator import generate
from scheduler.model.care import Carer, Client, Priority, Scenario, Shift, Visit
from scheduler.model.settings import Settings
from scheduler.rules.eligibility import Eligibility, capacity_reason, staffable
from scheduler.rules.journeys import Journeys, build_journeys


def _fits_a_shift(
    carer: Carer, visit: Visit, journeys: Journeys, tolerance: int, overtime: int
) -> bool:
    """Some shift lets the carer leave home at its start, begin the call at the first start
    its windows allow (late by at most the tolerance), and be home by the shift's end plus
    overtime, within the carer's working-time limit."""
    home, there = journeys.home_place[carer.id], journeys.client_place[visit.client_id]
    matrix = journeys.minutes[carer.travel_mode]
    out, back = int(matrix[home, there]), int(matrix[there, home])
    for shift in carer.shifts:
        start = visit.opening(shift.start + out, tolerance)
        if start is None or start + visit.duration + back > shift.end + carer.overtime(overtime):
            continue
        if carer.max_working_minutes is None or out + visit.duration + back <= (
            carer.max_working_minutes
        ):
            return True
    return False


def _rules(
    scenario: Scenario, visit: Visit, journeys: Journeys, tolerance: int, overtime: int
) -> list[tuple[str, object]]:
    client: Client = scenario.client_by_id[visit.client_id]
    return [
        ("no_skilled_carer", lambda c: any(role <= c.skills for role in visit.roles)),
        (
            "pinned_carer_unavailable",
            lambda c: (
                visit.pinned_carer is None or visit.double_handed or c.id == visit.pinned_carer
            ),
        ),
        (
            "client_excludes_carers",
            lambda c: c.id not in client.excluded_carers and client.id not in c.no_go_clients,
        ),
        ("gender_preference", lambda c: client.accepts_gender(c.gender)),
        ("no_carer_on_shift", lambda c: _fits_a_shift(c, visit, journeys, tolerance, overtime)),
        (
            "weekly_carer_cap",
            lambda c: client.week_carers is None or c.id in client.week_carers,
        ),
    ]


def _one_at_a_time(
    scenario: Scenario, visit: Visit, journeys: Journeys, tolerance: int, overtime: int
) -> tuple[tuple[str, ...], str | None]:
    carers = scenario.carers
    for code, rule in _rules(scenario, visit, journeys, tolerance, overtime):
        carers = tuple(c for c in carers if rule(c))  # type: ignore[operator]
        if not staffable(visit, carers):
            return tuple(c.id for c in carers), code
    if visit.pinned_carer is not None and not staffable(visit, carers, visit.pinned_carer):
        return tuple(c.id for c in carers), "pinned_carer_unavailable"
    return tuple(c.id for c in carers), None


def _varied(seed: int) -> Scenario:
    """A short-staffed generated day with the rules varied: two windows on some calls,
    overtime, working-time limits, exclusions, no-go clients, weekly caps and pins."""
    rng = random.Random(seed)
    scenario = generate(90, carers=14, seed=seed)
    carers = list(scenario.carers)
    for k, carer in enumerate(carers):
        update: dict[str, object] = {}
        if k % 3 == 0:
            update["max_overtime_minutes"] = rng.choice([0, 15, 45])
        if k % 4 == 1:
            update["max_working_minutes"] = rng.choice([120, 240, 360])
        if k % 5 == 2:
            update["no_go_clients"] = frozenset(rng.sample([c.id for c in scenario.clients], 3))
        carers[k] = carer.model_copy(update=update)
    ids = [c.id for c in carers]
    clients = [
        client.model_copy(
            update={"excluded_carers": frozenset(rng.sample(ids, 4))}
            if n % 4 == 0
            else {"week_carers": frozenset(rng.sample(ids, 3))}
            if n % 4 == 1
            else {}
        )
        for n, client in enumerate(scenario.clients)
    ]
    visits = []
    for n, visit in enumerate(scenario.visits):
        update = {}
        span = visit.latest_start - visit.earliest_start
        if n % 3 == 0 and span >= 30:
            middle = visit.earliest_start + span // 2
            update["windows"] = (
                (visit.earliest_start, middle - 10),
                (middle + 10, visit.latest_start),
            )
        if n % 7 == 0 and not visit.double_handed:
            update["pinned_carer"] = rng.choice(ids)
        visits.append(visit.model_copy(update=update))
    return scenario.model_copy(
        update={"carers": tuple(carers), "clients": tuple(clients), "visits": tuple(visits)}
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("tolerance", "overtime"), [(0, 0), (20, 30)])
def test_the_arrays_say_what_the_rules_say_one_carer_at_a_time(
    seed: int, tolerance: int, overtime: int
) -> None:
    scenario = _varied(seed)
    journeys = build_journeys(scenario, HaversineTravel(Settings().travel))
    eligibility = Eligibility(scenario, journeys, tolerance, overtime)
    codes = set()
    for visit in scenario.visits:
        carers, reason = eligibility.suitable(visit)
        expected_ids, expected_code = _one_at_a_time(scenario, visit, journeys, tolerance, overtime)
        assert (tuple(c.id for c in carers), reason and reason.code) == (
            expected_ids,
            expected_code,
        ), visit.id
        codes.add(reason and reason.code)
    # the day is varied enough that several rules bind somewhere
    assert len(codes) >= 3, codes


def test_a_critical_call_is_never_given_the_tolerance() -> None:
    scenario = _varied(4)
    journeys = build_journeys(scenario, HaversineTravel(Settings().travel))
    critical = [v for v in scenario.visits if v.priority is Priority.CRITICAL]
    assert critical
    strict, lax = Eligibility(scenario, journeys, 0), Eligibility(scenario, journeys, 120)
    for visit in critical:
        assert strict.suitable(visit) == lax.suitable(visit)


@pytest.mark.parametrize(("spare", "fits"), [(0, True), (-1, False)])
def test_arriving_between_two_windows_waits_for_the_second(spare: int, fits: bool) -> None:
    """The carer arrives at the first minute the windows close: the call starts when the
    second opens, so the shift must last until then plus the call and the way home."""
    scenario = generate(3, carers=1, seed=0)
    journeys = build_journeys(scenario, HaversineTravel(Settings().travel))
    carer, visit = scenario.carers[0], scenario.visits[0]
    home, there = journeys.home_place[carer.id], journeys.client_place[visit.client_id]
    matrix = journeys.minutes[carer.travel_mode]
    out, back = int(matrix[home, there]), int(matrix[there, home])
    first, second = (600, 610), (640, 700)
    visit = visit.model_copy(
        update={
            "earliest_start": 600,
            "latest_start": 700,
            "windows": (first, second),
            "pinned_carer": None,
            "carers_required": 1,
            "required_skills": frozenset(),
        }
    )
    shift = Shift(start=first[1] + 1 - out, end=second[0] + visit.duration + back + spare)
    carer = carer.model_copy(
        update={"shifts": (shift,), "skills": frozenset(), "max_working_minutes": None}
    )
    day = scenario.model_copy(update={"carers": (carer,), "visits": (visit,)})
    carers, reason = Eligibility(day, journeys).suitable(visit)
    assert (len(carers) == 1, reason is None) == (fits, fits)


def test_a_pair_not_tried_for_lack_of_time_says_so() -> None:
    """A double-handed visit whose carers the diagnosis had no time to try is `not_searched`,
    never `no_free_pair` (a false reason is worse than none); tried and busy, it is."""
    scenario = generate(60, seed=5)
    pair = next(v for v in scenario.visits if v.double_handed)
    a, b, c = (carer.id for carer in scenario.carers[:3])
    untried = capacity_reason(
        scenario, pair, {a: Blocker.UNSEARCHED, b: Blocker.UNSEARCHED, c: Blocker.BUSY}
    )
    assert untried.code == "not_searched"
    assert capacity_reason(scenario, pair, {a: Blocker.BUSY, b: Blocker.BUSY}).code == (
        "no_free_pair"
    )
    # one carer not tried cannot make a pair on its own
    assert capacity_reason(scenario, pair, {a: Blocker.UNSEARCHED, b: Blocker.BUSY}).code == (
        "no_free_pair"
    )
