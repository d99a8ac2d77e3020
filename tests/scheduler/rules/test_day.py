"""The validator on a small morning: one valid rota, then one broken rule at a time.

Places and the car legs between them (HaversineTravel defaults: crow-flies x 1.3 at 30 km/h,
rounded up, + 3 min to park; checked by ``test_car_legs_are_the_ones_the_arithmetic_uses``):

    H  54.500,-6.000  home of C1 and C2        H -> K1   6 min  1446 m
    H3 54.520,-6.000  home of C3               K1 -> K2  9 min  2903 m
    K1 54.510,-6.000  wants a female carer     K2 -> H   9 min  2518 m
    K2 54.500,-6.030  excludes C3              H3 -> K3  7 min  1678 m (and back)
    K3 54.520,-6.020

The valid rota, all carers on shift 08:00-12:00:
    C1  leaves 08:24, +6 = V1 at K1 08:30-09:00, +9 = 09:09, waits 21, V2 at K2 09:30-10:15,
        +9 = home 10:24
    C2  leaves 09:21, +9 = V2 at K2 09:30-10:15 (with C1), +9 = home 10:24
    C3  leaves 08:23, +7 = V3 at K3 08:30-09:00, +7 = home 09:07 (44 min of her 90 allowed)
    V4  (K3, 11:30-11:45, 30 min) unallocated: it would end 12:00 at the earliest, after
        every shift once the journey home is added.
"""

from __future__ import annotations

import datetime as dt

from routing.haversine import HaversineTravel
from routing.travel import Place
from scheduler.model.care import (
    BreakWindow,
    Carer,
    Client,
    Gender,
    Location,
    Priority,
    Scenario,
    Shift,
    Visit,
)
from scheduler.model.plan import Plan, PlanStatus, Run, Stop, Unallocated
from scheduler.model.settings import Settings
from scheduler.rules.day import validate_plan
from scheduler.rules.objective import plan_cost

DATE = dt.date(2026, 12, 1)
H = Location(lat=54.500, lon=-6.000)
H3 = Location(lat=54.520, lon=-6.000)
K1 = Location(lat=54.510, lon=-6.000)
K2 = Location(lat=54.500, lon=-6.030)
K3 = Location(lat=54.520, lon=-6.020)
MORNING = Shift(start=8 * 60, end=12 * 60)

SCENARIO = Scenario(
    name="validate",
    date=DATE,
    carers=(
        Carer(
            id="C1",
            name="Ann",
            home=H,
            shifts=(MORNING,),
            skills=frozenset({"medication", "hoist"}),
            gender=Gender.FEMALE,
        ),
        Carer(
            id="C2",
            name="Bob",
            home=H,
            shifts=(MORNING,),
            skills=frozenset({"hoist"}),
            gender=Gender.MALE,
        ),
        Carer(
            id="C3",
            name="Cat",
            home=H3,
            shifts=(MORNING,),
            gender=Gender.FEMALE,
            max_working_minutes=90,
        ),
    ),
    clients=(
        Client(id="K1", name="Mrs One", location=K1, gender_preference=Gender.FEMALE),
        Client(id="K2", name="Mr Two", location=K2, excluded_carers=frozenset({"C3"})),
        Client(id="K3", name="Ms Three", location=K3),
    ),
    visits=(
        Visit(
            id="V1",
            client_id="K1",
            date=DATE,
            earliest_start=8 * 60 + 30,
            latest_start=9 * 60,
            duration=30,
            required_skills=frozenset({"medication"}),
            priority=Priority.CRITICAL,
            pinned_carer="C1",
        ),
        Visit(
            id="V2",
            client_id="K2",
            date=DATE,
            earliest_start=9 * 60 + 30,
            latest_start=10 * 60,
            duration=45,
            carers_required=2,
            required_skills=frozenset({"hoist"}),
        ),
        Visit(
            id="V3",
            client_id="K3",
            date=DATE,
            earliest_start=8 * 60 + 30,
            latest_start=9 * 60,
            duration=30,
        ),
        Visit(
            id="V4",
            client_id="K3",
            date=DATE,
            earliest_start=11 * 60 + 30,
            latest_start=11 * 60 + 45,
            duration=30,
        ),
    ),
)


def _clock(hours: int, minutes: int) -> int:
    return hours * 60 + minutes


RUN_C1 = Run(
    carer_id="C1",
    shift_start=MORNING.start,
    shift_end=MORNING.end,
    depart=_clock(8, 24),
    return_home=_clock(10, 24),
    stops=(
        Stop(
            visit_id="V1",
            client_id="K1",
            arrival=_clock(8, 30),
            start=_clock(8, 30),
            end=_clock(9, 0),
            travel_minutes=6,
            travel_m=1446,
            wait_minutes=0,
        ),
        Stop(
            visit_id="V2",
            client_id="K2",
            arrival=_clock(9, 9),
            start=_clock(9, 30),
            end=_clock(10, 15),
            travel_minutes=9,
            travel_m=2903,
            wait_minutes=21,
        ),
    ),
    home_travel_minutes=9,
    home_travel_m=2518,
)
RUN_C2 = Run(
    carer_id="C2",
    shift_start=MORNING.start,
    shift_end=MORNING.end,
    depart=_clock(9, 21),
    return_home=_clock(10, 24),
    stops=(
        Stop(
            visit_id="V2",
            client_id="K2",
            arrival=_clock(9, 30),
            start=_clock(9, 30),
            end=_clock(10, 15),
            travel_minutes=9,
            travel_m=2518,
            wait_minutes=0,
        ),
    ),
    home_travel_minutes=9,
    home_travel_m=2518,
)
RUN_C3 = Run(
    carer_id="C3",
    shift_start=MORNING.start,
    shift_end=MORNING.end,
    depart=_clock(8, 23),
    return_home=_clock(9, 7),
    stops=(
        Stop(
            visit_id="V3",
            client_id="K3",
            arrival=_clock(8, 30),
            start=_clock(8, 30),
            end=_clock(9, 0),
            travel_minutes=7,
            travel_m=1678,
            wait_minutes=0,
        ),
    ),
    home_travel_minutes=7,
    home_travel_m=1678,
)
V4_LEFT = Unallocated(
    visit_id="V4",
    client_id="K3",
    reason_code="no_carer_on_shift",
    reason="no suitable carer is on shift to start in 11:30-11:45",
)
PLAN = Plan(
    scenario="validate",
    date=DATE,
    status=PlanStatus.SOLVED,
    runs=(RUN_C1, RUN_C2, RUN_C3),
    unallocated=(V4_LEFT,),
    settings=Settings(),
)


def _codes(plan: Plan, scenario: Scenario = SCENARIO) -> list[str]:
    return sorted(v.code for v in validate_plan(scenario, plan, HaversineTravel()))


def _with_runs(*runs: Run) -> Plan:
    return PLAN.model_copy(update={"runs": runs})


def _with_stop(run: Run, index: int, **update: object) -> Run:
    stops = list(run.stops)
    stops[index] = stops[index].model_copy(update=update)
    return run.model_copy(update={"stops": tuple(stops)})


def _scenario(**update: object) -> Scenario:
    """SCENARIO with some fields replaced, built afresh (see the stale-lookup test below for
    why not ``model_copy``)."""
    fields = {name: getattr(SCENARIO, name) for name in Scenario.model_fields}
    return Scenario(**(fields | update))


def _with_carer(carer_id: str, **update: object) -> Scenario:
    carers = tuple(c.model_copy(update=update) if c.id == carer_id else c for c in SCENARIO.carers)
    return _scenario(carers=carers)


def _with_client(client_id: str, **update: object) -> Scenario:
    clients = tuple(
        c.model_copy(update=update) if c.id == client_id else c for c in SCENARIO.clients
    )
    return _scenario(clients=clients)


def _with_visit(visit_id: str, **update: object) -> Scenario:
    visits = tuple(v.model_copy(update=update) if v.id == visit_id else v for v in SCENARIO.visits)
    return _scenario(visits=visits)


def test_car_legs_are_the_ones_the_arithmetic_uses() -> None:
    places = [
        Place(key, p.lat, p.lon)
        for key, p in {"H": H, "H3": H3, "K1": K1, "K2": K2, "K3": K3}.items()
    ]
    legs = HaversineTravel().matrix(places, "car")
    h, h3, k1, k2, k3 = range(5)
    assert (legs.minutes[h, k1], legs.metres[h, k1]) == (6, 1446)
    assert (legs.minutes[k1, k2], legs.metres[k1, k2]) == (9, 2903)
    assert (legs.minutes[k2, h], legs.metres[k2, h]) == (9, 2518)
    assert (legs.minutes[h, k2], legs.metres[h, k2]) == (9, 2518)
    assert (legs.minutes[h3, k3], legs.metres[h3, k3]) == (7, 1678)
    assert (legs.minutes[k3, h3], legs.metres[k3, h3]) == (7, 1678)


def test_the_valid_rota_has_no_violation() -> None:
    assert validate_plan(SCENARIO, PLAN, HaversineTravel()) == []


# ---- accounting: every visit once, in the rota or unallocated ----------------------------------


def test_an_unallocated_visit_not_in_the_scenario_is_unknown_visit() -> None:
    ghost = V4_LEFT.model_copy(update={"visit_id": "V9"})
    assert _codes(PLAN.model_copy(update={"unallocated": (V4_LEFT, ghost)})) == ["unknown_visit"]


def test_a_visit_neither_placed_nor_unallocated_is_visit_missing() -> None:
    assert _codes(PLAN.model_copy(update={"unallocated": ()})) == ["visit_missing"]


def test_a_visit_placed_and_unallocated_is_allocated_and_unallocated() -> None:
    also_left = V4_LEFT.model_copy(update={"visit_id": "V1", "client_id": "K1"})
    plan = PLAN.model_copy(update={"unallocated": (V4_LEFT, also_left)})
    assert _codes(plan) == ["allocated_and_unallocated"]


def test_a_visit_unallocated_twice_is_listed_twice() -> None:
    plan = PLAN.model_copy(update={"unallocated": (V4_LEFT, V4_LEFT)})
    assert _codes(plan) == ["listed_twice"]


def test_a_double_handed_visit_with_one_carer_is_double_handed_alone() -> None:
    # C2's run is gone: V2 needs two carers and has C1 only.
    assert _codes(_with_runs(RUN_C1, RUN_C3)) == ["double_handed_alone"]


def test_a_single_handed_visit_done_twice_is_visited_twice() -> None:
    # C3 does V3 again straight after (same house: 0 min travel), 09:00-09:30, home 09:37
    # (08:23-09:37 is 74 min, inside her 90).
    # The two attendances are by one carer at two times, so the pair checks speak up too.
    again = RUN_C3.stops[0].model_copy(
        update={"arrival": _clock(9, 0), "start": _clock(9, 0), "end": _clock(9, 30)}
    )
    run = RUN_C3.model_copy(update={"stops": (*RUN_C3.stops, again), "return_home": _clock(9, 37)})
    # The copied stop still records the 14-minute leg from home: wrong_travel too.
    assert _codes(_with_runs(RUN_C1, RUN_C2, run)) == [
        "not_synchronised",
        "same_carer_twice",
        "visited_twice",
        "wrong_travel",
    ]


# ---- double-handed visits -----------------------------------------------------------------------


def test_one_carer_counted_twice_for_a_pair_is_same_carer_twice() -> None:
    # C2's run handed to C1: V2 has C1 twice, and C1 two runs for the one shift.
    assert _codes(_with_runs(RUN_C1, RUN_C2.model_copy(update={"carer_id": "C1"}), RUN_C3)) == [
        "duplicate_run",
        "same_carer_twice",
    ]


def test_a_pair_starting_apart_is_not_synchronised() -> None:
    # C2 starts V2 at 09:35, C1 at 09:30; both in the window 09:30-10:00.
    # C2 is then home at 10:20 + 9 = 10:29, so return_home moves too.
    late = _with_stop(RUN_C2, 0, start=_clock(9, 35), end=_clock(10, 20), wait_minutes=5)
    late = late.model_copy(update={"return_home": _clock(10, 29)})
    assert _codes(_with_runs(RUN_C1, late, RUN_C3)) == ["not_synchronised"]


# ---- the day, the carer and the shift -----------------------------------------------------------


def test_a_plan_for_another_day_is_wrong_date() -> None:
    plan = PLAN.model_copy(update={"date": DATE + dt.timedelta(days=1)})
    assert _codes(plan) == ["wrong_date"]


def test_a_run_by_a_carer_not_in_the_scenario_is_unknown_carer() -> None:
    stranger = RUN_C2.model_copy(update={"carer_id": "C9"})
    assert _codes(_with_runs(RUN_C1, stranger, RUN_C3)) == ["unknown_carer"]


def test_a_run_for_a_shift_the_carer_does_not_have_is_unknown_shift() -> None:
    # C2 works 08:00-12:00, not 07:00-12:00.
    assert _codes(
        _with_runs(RUN_C1, RUN_C2.model_copy(update={"shift_start": 7 * 60}), RUN_C3)
    ) == ["unknown_shift"]


def test_leaving_home_before_the_shift_is_before_shift() -> None:
    # C1 leaves at 07:55, before the 08:00 start; the rest of the run is unchanged.
    # The recorded arrival is then 5 minutes later than the carer gets there: wrong_arrival.
    early = RUN_C1.model_copy(update={"depart": _clock(7, 55)})
    assert _codes(_with_runs(early, RUN_C2, RUN_C3)) == ["before_shift", "wrong_arrival"]


def test_coming_home_after_the_shift_is_after_shift() -> None:
    # C1 says she is home at 12:05; the shift ends at 12:00.
    late = RUN_C1.model_copy(update={"return_home": _clock(12, 5)})
    assert _codes(_with_runs(late, RUN_C2, RUN_C3)) == ["after_shift"]


def test_overtime_allowed_by_the_settings_is_priced_not_a_breach() -> None:
    # C1 home at 12:05, 5 minutes past her 12:00 shift end: a breach with no overtime, kept
    # with 10 minutes allowed and priced 5 x overtime_weight; 12:11 is past the 10 minutes.
    late = _with_runs(RUN_C1.model_copy(update={"return_home": _clock(12, 5)}), RUN_C2, RUN_C3)
    settings = Settings(overtime_minutes=10, overtime_weight=7)
    assert _codes(late.model_copy(update={"settings": settings})) == []
    assert plan_cost(SCENARIO, late, settings).terms["overtime"] == 5 * 7
    later = _with_runs(RUN_C1.model_copy(update={"return_home": _clock(12, 11)}), RUN_C2, RUN_C3)
    assert _codes(later.model_copy(update={"settings": settings})) == ["after_shift"]
    # A carer's own limit wins over the settings': C1 may stay 15 minutes (12:11 kept), or
    # none (12:05 past it).
    stays, leaves = (_with_carer("C1", max_overtime_minutes=m) for m in (15, 0))
    assert _codes(later.model_copy(update={"settings": settings}), stays) == []
    assert _codes(late.model_copy(update={"settings": settings}), leaves) == ["after_shift"]


def test_a_second_run_for_one_shift_is_duplicate_run() -> None:
    # An empty second run for C3's morning: leaves and is back at 08:00, no stops.
    empty = RUN_C3.model_copy(
        update={"stops": (), "depart": _clock(8, 0), "return_home": _clock(8, 0)}
    )
    # With no stops its home leg is 0 min, not the recorded one: wrong_travel too.
    empty = empty.model_copy(update={"home_travel_minutes": 0, "home_travel_m": 0})
    assert _codes(_with_runs(RUN_C1, RUN_C2, RUN_C3, empty)) == ["duplicate_run"]


def test_working_beyond_the_carers_limit_is_max_working_time() -> None:
    # C3 leaves 08:23 and says she is home at 10:00: 97 min worked > her 90 allowed.
    # 10:00 is still inside her shift, and later than she could be home (09:07).
    long = RUN_C3.model_copy(update={"return_home": _clock(10, 0)})
    assert _codes(_with_runs(RUN_C1, RUN_C2, long)) == ["max_working_time"]


# ---- each stop ----------------------------------------------------------------------------------


def test_a_stop_naming_another_client_is_wrong_client() -> None:
    assert _codes(_with_runs(_with_stop(RUN_C1, 0, client_id="K2"), RUN_C2, RUN_C3)) == [
        "wrong_client"
    ]


def test_a_start_before_the_carer_can_arrive_is_unreachable() -> None:
    # C1 leaves 08:27 + 6 min travel = 08:33 > V1's start 08:30.
    # The recorded arrivals no longer follow from the departure either: wrong_arrival.
    late = RUN_C1.model_copy(update={"depart": _clock(8, 27)})
    assert _codes(_with_runs(late, RUN_C2, RUN_C3)) == [
        "unreachable",
        "wrong_arrival",
        "wrong_arrival",
    ]


def test_a_return_home_before_the_carer_can_get_there_is_unreachable() -> None:
    # C3 ends V3 at 09:00 + 7 min travel = 09:07 > the 09:05 claimed.
    early = RUN_C3.model_copy(update={"return_home": _clock(9, 5)})
    assert _codes(_with_runs(RUN_C1, RUN_C2, early)) == ["unreachable"]


def test_a_start_outside_the_window_is_outside_window() -> None:
    # C3 starts V3 at 08:25, before its window 08:30-09:00; she can be there by
    # 08:23 + 7 = 08:30 only, so she leaves at 08:18 instead: 08:18 + 7 = 08:25.
    early = _with_stop(RUN_C3, 0, arrival=_clock(8, 25), start=_clock(8, 25), end=_clock(8, 55))
    early = early.model_copy(update={"depart": _clock(8, 18), "return_home": _clock(9, 2)})
    assert _codes(_with_runs(RUN_C1, RUN_C2, early)) == ["outside_window"]


def test_a_stop_of_the_wrong_length_is_wrong_duration() -> None:
    # V3 lasts 30 min; the stop says 08:30-09:10, 40 min.
    long = _with_stop(RUN_C3, 0, end=_clock(9, 10))
    assert _codes(_with_runs(RUN_C1, RUN_C2, long)) == ["wrong_duration"]


# ---- who may visit whom: one fact of the scenario changes under the same rota -------------------


def test_a_carer_without_the_required_skill_is_missing_skill() -> None:
    # V1 needs medication; C1's medication training lapsed.
    scenario = _with_carer("C1", skills=frozenset({"hoist"}))
    assert _codes(PLAN, scenario) == ["missing_skill"]


def test_a_carer_the_client_excludes_is_excluded_carer() -> None:
    # K2 now excludes C2 as well as C3; C2 goes to V2.
    scenario = _with_client("K2", excluded_carers=frozenset({"C2", "C3"}))
    assert _codes(PLAN, scenario) == ["excluded_carer"]


def test_a_carer_of_the_other_gender_is_gender_preference() -> None:
    # K1 now asks for a male carer; C1 (female) goes to V1.
    scenario = _with_client("K1", gender_preference=Gender.MALE)
    assert _codes(PLAN, scenario) == ["gender_preference"]


def test_a_client_on_the_carers_no_go_list_is_no_go_client() -> None:
    # C3 does V3 at K3; K3 is now on C3's no-go list.
    scenario = _with_carer("C3", no_go_clients=frozenset({"K3"}))
    assert _codes(PLAN, scenario) == ["no_go_client"]


def test_a_visit_pinned_to_someone_else_is_pinned_elsewhere() -> None:
    # V1 is now pinned to C2, while C1 does it.
    scenario = _with_visit("V1", pinned_carer="C2")
    assert _codes(PLAN, scenario) == ["pinned_elsewhere"]


def test_moving_a_visit_to_an_unsuitable_carer_breaks_each_rule_it_meets() -> None:
    # C2 lives with C1 (same home, same legs) and takes over V1 at the same times: C2 lacks
    # medication, is male for K1, and V1 is pinned to C1.
    c1_without_v1 = RUN_C1.model_copy(update={"stops": RUN_C1.stops[1:], "depart": _clock(9, 21)})
    c2_with_v1 = RUN_C2.model_copy(update={"stops": RUN_C1.stops, "depart": RUN_C1.depart})
    # C1's run now starts at V1's old successor with V1's recorded legs: its first stop
    # records the wrong leg and arrival (wrong_travel, wrong_arrival).
    assert _codes(_with_runs(c1_without_v1, c2_with_v1, RUN_C3)) == [
        "gender_preference",
        "missing_skill",
        "pinned_elsewhere",
        "wrong_arrival",
        "wrong_travel",
    ]


def test_a_scenario_edited_with_model_copy_is_validated_as_edited() -> None:
    assert validate_plan(SCENARIO, PLAN, HaversineTravel()) == []  # fills the lookups
    carers = tuple(
        c.model_copy(update={"skills": frozenset({"hoist"})}) if c.id == "C1" else c
        for c in SCENARIO.carers
    )
    lapsed = SCENARIO.model_copy(update={"carers": carers})
    assert _codes(PLAN, lapsed) == ["missing_skill"]


# ---- breaks -------------------------------------------------------------------------------------

# C1 is out 08:24-10:24 (120 min) with a 21-minute wait at K2, 09:09-09:30. With breaks due
# after 100 minutes, her run needs one, and the wait can hold it.
BREAKS_AFTER_100 = Settings(break_after_minutes=100, break_minutes=20)


def _with_break(start: int, end: int, settings: Settings = BREAKS_AFTER_100) -> Plan:
    broken = RUN_C1.model_copy(update={"break_start": start, "break_end": end})
    return PLAN.model_copy(update={"runs": (broken, RUN_C2, RUN_C3), "settings": settings})


def test_a_long_run_without_a_break_is_no_break() -> None:
    plan = PLAN.model_copy(update={"settings": BREAKS_AFTER_100})
    assert _codes(plan) == ["no_break"]


def test_a_break_in_the_wait_before_a_call_is_valid() -> None:
    assert _codes(_with_break(_clock(9, 9), _clock(9, 29))) == []


def test_a_break_shorter_than_the_least_is_short_break() -> None:
    assert _codes(_with_break(_clock(9, 9), _clock(9, 19))) == ["short_break"]


def test_a_break_during_a_call_is_break_misplaced() -> None:
    assert _codes(_with_break(_clock(8, 35), _clock(8, 55))) == ["break_misplaced"]


def test_a_break_while_travelling_is_break_misplaced() -> None:
    # C1 drives 09:00-09:09 from K1 to K2; a break from 09:05 overlaps the drive.
    assert _codes(_with_break(_clock(9, 5), _clock(9, 25))) == ["break_misplaced"]


def test_the_unpaid_break_does_not_count_as_working_time() -> None:
    # 120 min out less a 20-minute break is 100 min worked: within a 110-minute limit,
    # which the same run without its break exceeds.
    scenario = _with_carer("C1", max_working_minutes=110)
    no_breaks = Settings(break_after_minutes=None)
    assert _codes(_with_break(_clock(9, 9), _clock(9, 29), no_breaks), scenario) == []
    assert _codes(PLAN.model_copy(update={"settings": no_breaks}), scenario) == ["max_working_time"]


# ---- break windows ------------------------------------------------------------------------------

# C1 is out 08:24-10:24 with the wait at K2 09:09-09:30; C2 is out 09:21-10:24; C3 08:23-09:07.


def _lunch(carer_id: str, start: int, end: int, minutes: int | None = 20) -> Scenario:
    return _with_carer(carer_id, break_window=BreakWindow(start=start, end=end, minutes=minutes))


def test_a_break_window_while_the_carer_is_home_is_kept() -> None:
    # C2 leaves at 09:21: 09:00-09:21 at home holds 20 minutes of a 09:00-10:00 window.
    assert _codes(PLAN, _lunch("C2", _clock(9, 0), _clock(10, 0))) == []
    # After getting home at 10:24: a 10:00-10:45 window holds 21 minutes, one too few for 22.
    assert _codes(PLAN, _lunch("C2", _clock(10, 0), _clock(10, 45), 21)) == []
    assert _codes(PLAN, _lunch("C2", _clock(10, 0), _clock(10, 45), 22)) == ["no_break_in_window"]


def test_a_run_through_the_break_window_without_a_break_is_no_break_in_window() -> None:
    # C1 is out 08:24-10:24 with no break: nothing off in 09:00-10:00.
    assert _codes(PLAN, _lunch("C1", _clock(9, 0), _clock(10, 0))) == ["no_break_in_window"]


def test_the_runs_break_inside_the_window_keeps_it() -> None:
    # The break 09:09-09:29 in the wait at K2 lies inside 09:00-10:00.
    no_rule = Settings(break_after_minutes=None)
    lunch = _lunch("C1", _clock(9, 0), _clock(10, 0))
    assert _codes(_with_break(_clock(9, 9), _clock(9, 29), no_rule), lunch) == []
    # Only 19 of its minutes lie inside 09:10-10:00.
    late = _lunch("C1", _clock(9, 10), _clock(10, 0))
    assert _codes(_with_break(_clock(9, 9), _clock(9, 29), no_rule), late) == ["no_break_in_window"]


def test_a_priced_break_window_missed_is_a_cost_not_a_violation() -> None:
    # C1 has no 20 minutes off in 09:00-10:00; C2 has (at home until 09:21).
    lunches = _lunch("C1", _clock(9, 0), _clock(10, 0))
    lunches = lunches.model_copy(
        update={
            "carers": tuple(
                c.model_copy(update={"break_window": BreakWindow(start=540, end=600, minutes=20)})
                if c.id == "C2"
                else c
                for c in lunches.carers
            )
        }
    )
    priced = Settings(missed_break_weight=700)
    plan = PLAN.model_copy(update={"settings": priced})
    assert _codes(plan, lunches) == []
    assert plan_cost(lunches, plan, priced).terms["missed_breaks"] == 700  # C1 only
    assert plan_cost(lunches, PLAN, Settings()).terms["missed_breaks"] == 0  # hard: no price


def test_the_break_windows_least_defaults_to_the_settings_break() -> None:
    # C3 is home from 09:07: 20 minutes of 09:07-09:27 are off; the settings ask 20, then 21.
    window = _lunch("C3", _clock(8, 30), _clock(9, 27), None)
    assert _codes(PLAN.model_copy(update={"settings": Settings(break_minutes=20)}), window) == []
    assert _codes(PLAN.model_copy(update={"settings": Settings(break_minutes=21)}), window) == [
        "no_break_in_window"
    ]


def test_a_carer_outside_the_clients_week_carers_is_weekly_carer_cap_if_strict() -> None:
    # K3 has seen its most carers this week, C1 and C2: C3's visit (V3, normal) breaks the
    # cap when it gives way to critical calls only; by default it gives way to every call.
    scenario = _with_client("K3", week_carers=frozenset({"C1", "C2"}))
    strict = PLAN.model_copy(update={"settings": Settings(cap_yields_to="critical")})
    assert _codes(strict, scenario) == ["weekly_carer_cap"]
    assert _codes(PLAN, scenario) == []
    critical = scenario.model_copy(
        update={
            "visits": tuple(
                v.model_copy(update={"priority": Priority.CRITICAL}) if v.id == "V3" else v
                for v in scenario.visits
            )
        }
    )
    assert _codes(strict, critical) == []


def test_working_past_the_minutes_left_of_the_week_is_max_weekly_time() -> None:
    # C3 works 08:23-09:07, 44 min; with 40 min of her week left (and so a day of at most 40)
    # that is max_weekly_time, not the day's own max_working_time.
    scenario = _with_carer("C3", max_working_minutes=40, week_minutes_left=40)
    assert _codes(PLAN, scenario) == ["max_weekly_time"]
    assert _codes(PLAN, _with_carer("C3", max_working_minutes=40)) == ["max_working_time"]


# ---- double-handed visits whose two carers have different roles ----------------------------


def test_a_pair_of_roles_is_valid_when_each_carer_fills_one() -> None:
    # V2 needs one hoist carer and one with medication: C2 (hoist) and C1 (medication, hoist).
    scenario = _with_visit("V2", second_carer_skills=frozenset({"medication"}))
    assert _codes(PLAN, scenario) == []
    # One trained carer and a helper: C1 holds both of the first's skills, C2 none is needed.
    scenario = _with_visit(
        "V2",
        required_skills=frozenset({"medication", "hoist"}),
        second_carer_skills=frozenset(),
    )
    assert _codes(PLAN, scenario) == []


def test_a_pair_whose_carers_fill_one_role_only_is_missing_skill() -> None:
    # Both carers hold hoist, neither dementia: each may be there, together they are not a pair.
    scenario = _with_visit("V2", second_carer_skills=frozenset({"dementia"}))
    (violation,) = validate_plan(scenario, PLAN, HaversineTravel())
    assert violation.code == "missing_skill" and violation.visit_id == "V2"
    assert "hoist and another with dementia" in violation.message
    # The first's skills are held by nobody; the helper's role (no skill) by both.
    scenario = _with_visit(
        "V2", required_skills=frozenset({"dementia"}), second_carer_skills=frozenset()
    )
    assert _codes(PLAN, scenario) == ["missing_skill"]


def test_a_carer_holding_neither_role_is_missing_skill_at_the_stop() -> None:
    # V2 wants medication and dementia; C2 holds neither: missing at C2's stop, and the pair
    # cannot be checked for roles past that.
    scenario = _with_visit(
        "V2",
        required_skills=frozenset({"medication"}),
        second_carer_skills=frozenset({"dementia"}),
    )
    violations = validate_plan(scenario, PLAN, HaversineTravel())
    assert [(v.code, v.carer_id) for v in violations] == [("missing_skill", "C2")]


# ---- double-handed visits whose second carer leaves early ----------------------------------

EARLY_SHIFT = Shift(start=MORNING.start, end=_clock(10, 0))
"""C2's shift in these tests: over at 10:00, before V2 (09:30-10:15) ends."""


def _c2_staying(minutes: int) -> Run:
    """C2's run with V2 (from 09:30) left after ``minutes``: home 9 minutes later."""
    end = _clock(9, 30) + minutes
    run = _with_stop(RUN_C2, 0, end=end)
    return run.model_copy(update={"return_home": end + 9, "shift_end": EARLY_SHIFT.end})


def test_the_second_carer_of_a_pair_may_leave_after_their_part() -> None:
    # V2 (45 min) needs a hoist carer for the whole call and a helper for its first 15
    # minutes. C2's shift ends at 10:00: staying the whole call (10:15, home 10:24) breaks it;
    # leaving at 09:45 C2 is home at 09:54.
    scenario = _with_carer("C2", shifts=(EARLY_SHIFT,))
    part = _scenario(
        carers=scenario.carers,
        visits=_with_visit(
            "V2",
            required_skills=frozenset({"hoist"}),
            second_carer_skills=frozenset(),
            second_carer_minutes=15,
        ).visits,
    )
    assert _codes(_with_runs(RUN_C1, _c2_staying(15), RUN_C3), part) == []
    whole = _with_runs(RUN_C1, _c2_staying(45), RUN_C3)
    assert _codes(whole, part) == ["after_shift", "wrong_duration"]  # and two carers stay 45
    (short,) = [v for v in validate_plan(part, whole, HaversineTravel()) if v.visit_id == "V2"]
    assert "one carer for 45 min and the second for 15" in short.message
    # A stop of neither length is wrong at the stop (and walked as the whole call).
    neither = _with_runs(RUN_C1, _with_stop(RUN_C2, 0, end=_clock(9, 50)), RUN_C3)
    assert _codes(neither, _scenario(visits=part.visits)) == ["wrong_duration"]


def test_the_carer_staying_the_whole_call_must_hold_the_first_role() -> None:
    # V2's first role needs medication and hoist (C1 alone), the second none: C1 must stay.
    scenario = _with_visit(
        "V2",
        required_skills=frozenset({"medication", "hoist"}),
        second_carer_skills=frozenset(),
        second_carer_minutes=15,
    )
    c1_leaves = _with_stop(RUN_C1, 1, end=_clock(9, 45)).model_copy(
        update={"return_home": _clock(9, 54)}
    )
    c2_stays = RUN_C2  # 09:30-10:15
    violations = validate_plan(scenario, _with_runs(c1_leaves, c2_stays, RUN_C3), HaversineTravel())
    assert [(v.code, v.visit_id) for v in violations] == [("missing_skill", "V2")]
    assert "staying 45 min must hold hoist, medication" in violations[0].message
    c2_leaves = _c2_staying(15).model_copy(update={"shift_end": MORNING.end})
    assert _codes(_with_runs(RUN_C1, c2_leaves, RUN_C3), scenario) == []


# ---- late rather than missed --------------------------------------------------------------


def _c3_starting_v3_at(hours: int, minutes: int) -> Run:
    """C3's run moved so that V3 (window 08:30-09:00, 30 min) starts at the given time: she
    leaves 7 minutes before, and is home 30 + 7 minutes after; the stop records its minutes
    after 09:00."""
    start = _clock(hours, minutes)
    late = _with_stop(
        RUN_C3, 0, arrival=start, start=start, end=start + 30, minutes_late=max(0, start - 540)
    )
    return late.model_copy(update={"depart": start - 7, "return_home": start + 37})


def test_a_start_within_the_tolerance_is_late_not_outside_the_window() -> None:
    # V3 starts 09:10, 10 minutes after its latest start of 09:00.
    late = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(9, 10))
    assert _codes(late) == ["outside_window"]  # no tolerance: a hard window
    for tolerance, codes in ((10, []), (15, []), (9, ["outside_window"])):
        settings = Settings(late_tolerance_minutes=tolerance)
        assert _codes(late.model_copy(update={"settings": settings})) == codes
    # The visit's own tolerance wins over the settings' default.
    tolerant = late.model_copy(update={"settings": Settings(late_tolerance_minutes=15)})
    assert _codes(tolerant, _with_visit("V3", late_tolerance=5)) == ["outside_window"]
    assert _codes(late, _with_visit("V3", late_tolerance=10)) == []


def test_minutes_late_not_as_the_start_gives_them_is_wrong_lateness() -> None:
    # V3 starts 09:10: 10 minutes late. A rota saying 0 (or 5) misleads the coordinator.
    tolerant = Settings(late_tolerance_minutes=15)
    run = _c3_starting_v3_at(9, 10)
    assert run.stops[0].minutes_late == 10
    assert _codes(_with_runs(RUN_C1, RUN_C2, run).model_copy(update={"settings": tolerant})) == []
    for recorded in (0, 5):
        wrong = _with_stop(run, 0, minutes_late=recorded)
        plan = _with_runs(RUN_C1, RUN_C2, wrong).model_copy(update={"settings": tolerant})
        assert _codes(plan) == ["wrong_lateness"]


def test_a_start_between_two_windows_is_outside_the_window() -> None:
    # V3 may start 08:30-08:40 or 08:55-09:00: 08:41..08:54 is closed.
    scenario = _with_visit("V3", windows=((_clock(8, 30), _clock(8, 40)), (_clock(8, 55), 540)))
    for (hours, minutes), codes in (
        ((8, 35), []),
        ((8, 40), []),
        ((8, 41), ["outside_window"]),
        ((8, 54), ["outside_window"]),
        ((8, 55), []),
    ):
        plan = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(hours, minutes))
        assert _codes(plan, scenario) == codes
    between = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(8, 45))
    (violation,) = validate_plan(scenario, between, HaversineTravel())
    assert "outside 08:30-08:40 or 08:55-09:00" in violation.message
    # A tolerance counts after the last window only.
    late = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(9, 5))
    tolerant = late.model_copy(update={"settings": Settings(late_tolerance_minutes=10)})
    assert _codes(tolerant, scenario) == []


def test_a_critical_visit_is_never_late() -> None:
    late = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(9, 1)).model_copy(
        update={"settings": Settings(late_tolerance_minutes=15)}
    )
    assert _codes(late, _with_visit("V3", priority=Priority.CRITICAL)) == ["outside_window"]


def test_a_late_call_is_priced_per_minute_and_counted() -> None:
    from scheduler.analysis.metrics import day_figures
    from scheduler.rules.objective import plan_cost

    settings = Settings(late_tolerance_minutes=15, late_weight=70)
    late = _with_runs(RUN_C1, RUN_C2, _c3_starting_v3_at(9, 10))
    assert plan_cost(SCENARIO, late, settings).terms["lateness"] == 70 * 10
    assert plan_cost(SCENARIO, PLAN, settings).terms["lateness"] == 0
    figures = day_figures(SCENARIO, late)
    assert (figures.late_calls, figures.late_minutes) == (1, 10)
    # domcare compare's figures for a rota: the late call beside the missed one (V4).
    from scheduler.analysis.released import summarise

    rota = summarise("rota", SCENARIO, [late], settings)
    assert (rota.missed_calls, rota.late_calls, rota.late_minutes) == (1, 1, 10)


# ---- gaps between two calls (Visit.follows) -----------------------------------------------------
# The validator checks only the two starts and the two carers, so V3 (C3 at 08:30) is made to
# follow V1 (C1 at 08:30) here: a gap of 0 minutes, by two carers.


def _following(**gap: object) -> Scenario:
    visits = tuple(
        v.model_copy(update={"follows": "V1", **gap}) if v.id == "V3" else v
        for v in SCENARIO.visits
    )
    return _scenario(visits=visits)


def test_a_gap_kept_is_no_violation() -> None:
    assert _codes(PLAN, _following(min_gap=0, max_gap=0, other_carer=True)) == []


def test_a_call_too_soon_after_the_one_it_follows_breaks_the_gap() -> None:
    # 0 minutes after V1 where at least 1 is asked.
    assert _codes(PLAN, _following(min_gap=1)) == ["gap_not_kept"]


def test_a_call_too_long_after_the_one_it_follows_breaks_the_gap() -> None:
    # C3 starts V3 at 08:40 (10 min after V1) where at most 5 is asked; C3 waits 10 min more
    # and is home 10 min later (09:17, 54 of her 90 min).
    later = _with_stop(RUN_C3, 0, start=_clock(8, 40), end=_clock(9, 10), wait_minutes=10)
    later = later.model_copy(update={"return_home": _clock(9, 17)})
    assert _codes(_with_runs(RUN_C1, RUN_C2, later), _following(max_gap=5)) == ["gap_not_kept"]
    assert _codes(_with_runs(RUN_C1, RUN_C2, later), _following(max_gap=10)) == []


def test_a_gap_with_one_call_left_out_binds_nothing() -> None:
    # V4 is unallocated: a gap from V3 to it cannot be broken.
    visits = tuple(
        v.model_copy(update={"follows": "V3", "min_gap": 600}) if v.id == "V4" else v
        for v in SCENARIO.visits
    )
    assert _codes(PLAN, _scenario(visits=visits)) == []
