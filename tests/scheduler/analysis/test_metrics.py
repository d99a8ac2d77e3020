"""The day's figures on a rota small enough to add up by hand.

Car legs (HaversineTravel defaults, as in tests/scheduler/rules/test_day.py):
    H -> K1 6 min 1446 m (and back), K1 -> K2 9 min 2903 m, K2 -> H 9 min 2518 m (and back).

    C1 morning  leaves 08:24, +6 = V1 at K1 08:30-09:00, +9 = 09:09, waits 21, V2 at K2
                09:30-10:15, +9 = home 10:24
    C1 evening  leaves 17:24, +6 = V3 at K1 17:30-17:45, +6 = home 17:51
    C2          leaves 09:21, +9 = V2 at K2 09:30-10:15 (with C1), +9 = home 10:24
    unallocated V4 (30 min) and V6 (20 min) no_capacity; V5 (double-handed, 60 min) no_free_pair
"""

from __future__ import annotations

import datetime as dt

import pytest

from routing.haversine import HaversineTravel
from scheduler.analysis.metrics import day_figures
from scheduler.model.care import Carer, Client, Location, Scenario, Shift, Visit
from scheduler.model.plan import Plan, PlanStatus, Run, Stop, Unallocated
from scheduler.model.settings import Settings
from scheduler.rules.day import validate_plan

DATE = dt.date(2026, 12, 1)
H = Location(lat=54.500, lon=-6.000)
MORNING = Shift(start=8 * 60, end=12 * 60)
EVENING = Shift(start=17 * 60, end=19 * 60)


def _clock(hours: int, minutes: int) -> int:
    return hours * 60 + minutes


def _visit(visit_id: str, client_id: str, start: int, duration: int, carers: int = 1) -> Visit:
    return Visit(
        id=visit_id,
        client_id=client_id,
        date=DATE,
        earliest_start=start,
        latest_start=start + 30,
        duration=duration,
        carers_required=carers,
    )


SCENARIO = Scenario(
    name="metrics",
    date=DATE,
    carers=(
        Carer(id="C1", name="Ann", home=H, shifts=(MORNING, EVENING)),
        Carer(id="C2", name="Bob", home=H, shifts=(MORNING,)),
    ),
    clients=(
        Client(id="K1", name="Mrs One", location=Location(lat=54.510, lon=-6.000)),
        Client(id="K2", name="Mr Two", location=Location(lat=54.500, lon=-6.030)),
    ),
    visits=(
        _visit("V1", "K1", _clock(8, 30), 30),
        _visit("V2", "K2", _clock(9, 30), 45, carers=2),
        _visit("V3", "K1", _clock(17, 30), 15),
        _visit("V4", "K2", _clock(11, 0), 30),
        _visit("V5", "K1", _clock(11, 0), 60, carers=2),
        _visit("V6", "K1", _clock(18, 0), 20),
    ),
)


def _stop(visit_id: str, client_id: str, arrival: int, start: int, travel: tuple[int, int]) -> Stop:
    duration = SCENARIO.visit_by_id[visit_id].duration
    minutes, metres = travel
    return Stop(
        visit_id=visit_id,
        client_id=client_id,
        arrival=arrival,
        start=start,
        end=start + duration,
        travel_minutes=minutes,
        travel_m=metres,
        wait_minutes=start - arrival,
    )


def _left(visit_id: str, client_id: str, code: str) -> Unallocated:
    return Unallocated(visit_id=visit_id, client_id=client_id, reason_code=code, reason=code)


PLAN = Plan(
    scenario="metrics",
    date=DATE,
    status=PlanStatus.SOLVED,
    runs=(
        Run(
            carer_id="C1",
            shift_start=MORNING.start,
            shift_end=MORNING.end,
            depart=_clock(8, 24),
            return_home=_clock(10, 24),
            stops=(
                _stop("V1", "K1", _clock(8, 30), _clock(8, 30), (6, 1446)),
                _stop("V2", "K2", _clock(9, 9), _clock(9, 30), (9, 2903)),
            ),
            home_travel_minutes=9,
            home_travel_m=2518,
        ),
        Run(
            carer_id="C1",
            shift_start=EVENING.start,
            shift_end=EVENING.end,
            depart=_clock(17, 24),
            return_home=_clock(17, 51),
            stops=(_stop("V3", "K1", _clock(17, 30), _clock(17, 30), (6, 1446)),),
            home_travel_minutes=6,
            home_travel_m=1446,
        ),
        Run(
            carer_id="C2",
            shift_start=MORNING.start,
            shift_end=MORNING.end,
            depart=_clock(9, 21),
            return_home=_clock(10, 24),
            stops=(_stop("V2", "K2", _clock(9, 30), _clock(9, 30), (9, 2518)),),
            home_travel_minutes=9,
            home_travel_m=2518,
        ),
    ),
    unallocated=(
        _left("V4", "K2", "no_capacity"),
        _left("V5", "K1", "no_free_pair"),
        _left("V6", "K1", "no_capacity"),
    ),
    settings=Settings(),
)


def test_the_hand_built_rota_is_valid() -> None:
    assert validate_plan(SCENARIO, PLAN, HaversineTravel()) == []


def test_c1_figures_cover_both_her_runs() -> None:
    c1 = day_figures(SCENARIO, PLAN).carers[0]
    assert c1.carer_id == "C1"
    assert (c1.runs, c1.visits) == (2, 3)
    # V1 30 + V2 45 + V3 15
    assert c1.contact_minutes == 90
    # morning 6 + 9 + 9 = 24, evening 6 + 6 = 12
    assert c1.travel_minutes == 36
    # 1446 + 2903 + 2518 + 1446 + 1446 = 9759 m
    assert c1.travel_km == pytest.approx(9.8)
    # 08:24-10:24 is 120, 17:24-17:51 is 27
    assert c1.paid_minutes == 147
    # 147 - 90 - 36 = 21: arriving at V2 09:09 for 09:30
    assert c1.waiting_minutes == 21
    # 90 / 147 = 0.61224...
    assert c1.utilisation == pytest.approx(0.6122)


def test_c2_figures_count_the_double_handed_visit_for_each_carer() -> None:
    c2 = day_figures(SCENARIO, PLAN).carers[1]
    assert c2.carer_id == "C2"
    assert (c2.runs, c2.visits) == (1, 1)
    # V2 45 min, counted for each of its two carers
    assert c2.contact_minutes == 45
    # 9 there + 9 back, 2518 m each way = 5036 m
    assert (c2.travel_minutes, c2.travel_km) == (18, pytest.approx(5.0))
    # 09:21-10:24 is 63 = 45 + 18, no waiting
    assert (c2.paid_minutes, c2.waiting_minutes) == (63, 0)
    # 45 / 63 = 0.71428...
    assert c2.utilisation == pytest.approx(0.7143)


def test_day_totals() -> None:
    day = day_figures(SCENARIO, PLAN)
    # 6 visits, V1-V3 placed, V4-V6 left
    assert (day.visits, day.visits_allocated, day.visits_unallocated) == (6, 3, 3)
    assert day.allocated_share == pytest.approx(0.5)
    assert day.carers_working == 2
    # contact 90 + 45, travel 36 + 18, waiting 21 + 0, paid 147 + 63
    assert (day.contact_minutes, day.travel_minutes) == (135, 54)
    assert (day.waiting_minutes, day.paid_minutes) == (21, 210)
    # 9.8 + 5.0 km
    assert day.travel_km == pytest.approx(14.8)
    # 135 / 210 = 0.642857...
    assert day.utilisation == pytest.approx(0.6429)


def test_unallocated_are_counted_and_timed_by_reason() -> None:
    day = day_figures(SCENARIO, PLAN)
    assert day.unallocated_by_reason == {"no_capacity": 2, "no_free_pair": 1}
    # V4 30 + V6 20; V5 60 min for each of its 2 carers
    assert day.unallocated_minutes_by_reason == {"no_capacity": 50, "no_free_pair": 120}


def test_distinct_carers_per_client_is_a_mean_over_visited_clients() -> None:
    # K1 sees C1 only; K2 sees C1 and C2: (1 + 2) / 2
    assert day_figures(SCENARIO, PLAN).distinct_carers_per_client == pytest.approx(1.5)


def test_a_rota_with_no_runs_has_zero_figures_and_no_division_by_zero() -> None:
    everything_left = tuple(_left(v.id, v.client_id, "no_plan") for v in SCENARIO.visits)
    empty = PLAN.model_copy(update={"runs": (), "unallocated": everything_left})
    day = day_figures(SCENARIO, empty)
    assert (day.visits_allocated, day.carers_working, day.paid_minutes) == (0, 0, 0)
    assert (day.utilisation, day.allocated_share, day.distinct_carers_per_client) == (0, 0, 0)
    assert day.unallocated_by_reason == {"no_plan": 6}
    # 30 + 45x2 + 15 + 30 + 60x2 + 20
    assert day.unallocated_minutes_by_reason == {"no_plan": 305}


def test_long_waits_and_short_days_are_counted_by_the_plans_settings() -> None:
    # C1 waits 21 min before V2; C1 is paid 147 min and C2 63 min.
    assert (day_figures(SCENARIO, PLAN).long_waits, day_figures(SCENARIO, PLAN).short_days) == (
        0,
        1,  # C2, under 120
    )
    strict = PLAN.model_copy(
        update={"settings": Settings(long_wait_minutes=21, short_day_minutes=148)}
    )
    assert (day_figures(SCENARIO, strict).long_waits, day_figures(SCENARIO, strict).short_days) == (
        1,  # C1's 21 minutes before V2
        2,  # C1 147 and C2 63, both under 148
    )
