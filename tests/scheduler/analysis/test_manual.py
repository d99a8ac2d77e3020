"""A manual rota read, timed and checked: a clean one, then one breach at a time.

Places and car legs (HaversineTravel defaults, as in tests/scheduler/rules/test_day.py):

    H  54.500,-6.000  home of C1 and C2        H -> K1   6 min  1446 m (and back)
    H3 54.520,-6.000  home of C3               K1 -> K2  9 min  2903 m
    K1 54.510,-6.000                           K2 -> H   9 min  2518 m (and back)
    K2 54.500,-6.030  excludes C3              H3 -> K3  7 min  1678 m (and back)
    K3 54.520,-6.020                           K3 -> K2 10 min, K2 -> H3 11 min

Skills: C1 medication and hoist, C2 and C3 hoist; V1 needs medication, V2 (two carers) hoist.

The clean rota, every carer on shift 08:00-12:00:
    C1  leaves 08:24, +6 = V1 at K1 08:30-09:00, +9 = 09:09, waits 21, V2 at K2 09:30-10:15,
        +9 = home 10:24: travel 24, waiting 21, contact 75, paid 120
    C2  leaves 09:21, +9 = V2 at K2 09:30-10:15 (with C1), +9 = home 10:24: 18, 0, 45, 63
    C3  leaves 08:23, +7 = V3 at K3 08:30-09:00, +7 = home 09:07: 14, 0, 30, 44
    V4  (K3, 11:30-11:45) is in no one's rota: unallocated, not_in_rota.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from routing.haversine import HaversineTravel
from scheduler.analysis.manual import (
    RULES,
    Assignment,
    read_manual_rota,
    rota_breaches,
    rota_plans,
    wrong_carer_visits,
)
from scheduler.analysis.metrics import day_figures
from scheduler.analysis.released import summarise
from scheduler.io.scenario import read_scenario
from scheduler.model.care import (
    BreakWindow,
    Carer,
    Client,
    DayShifts,
    Gender,
    Location,
    Scenario,
    Shift,
    Visit,
)
from scheduler.model.errors import DomcareError, InputError
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.objective import plan_cost

DATE = dt.date(2026, 12, 1)
H = Location(lat=54.500, lon=-6.000)
H3 = Location(lat=54.520, lon=-6.000)
K1 = Location(lat=54.510, lon=-6.000)
K2 = Location(lat=54.500, lon=-6.030)
K3 = Location(lat=54.520, lon=-6.020)
MORNING = Shift(start=8 * 60, end=12 * 60)
TRAVEL = HaversineTravel()
SETTINGS = Settings()


def _clock(hours: int, minutes: int) -> int:
    return hours * 60 + minutes


def _visit(visit_id: str, client_id: str, earliest: int, latest: int, duration: int) -> Visit:
    return Visit(
        id=visit_id,
        client_id=client_id,
        date=DATE,
        earliest_start=earliest,
        latest_start=latest,
        duration=duration,
    )


SCENARIO = Scenario(
    name="manual",
    date=DATE,
    carers=(
        Carer(
            id="C1",
            name="Ann",
            home=H,
            shifts=(MORNING,),
            skills=frozenset({"medication", "hoist"}),
        ),
        Carer(id="C2", name="Bob", home=H, shifts=(MORNING,), skills=frozenset({"hoist"})),
        Carer(id="C3", name="Cat", home=H3, shifts=(MORNING,), skills=frozenset({"hoist"})),
    ),
    clients=(
        Client(id="K1", name="Mrs One", location=K1),
        Client(id="K2", name="Mr Two", location=K2, excluded_carers=frozenset({"C3"})),
        Client(id="K3", name="Ms Three", location=K3),
    ),
    visits=(
        _visit("V1", "K1", _clock(8, 30), _clock(9, 0), 30).model_copy(
            update={"required_skills": frozenset({"medication"})}
        ),
        _visit("V2", "K2", _clock(9, 30), _clock(10, 0), 45).model_copy(
            update={"carers_required": 2, "required_skills": frozenset({"hoist"})}
        ),
        _visit("V3", "K3", _clock(8, 30), _clock(9, 0), 30),
        _visit("V4", "K3", _clock(11, 30), _clock(11, 45), 30),
    ),
)


def _a(carer_id: str, visit_id: str, start: int, date: dt.date = DATE) -> Assignment:
    return Assignment(carer_id=carer_id, date=date, visit_id=visit_id, start=start)


CLEAN = (
    _a("C1", "V1", _clock(8, 30)),
    _a("C1", "V2", _clock(9, 30)),
    _a("C2", "V2", _clock(9, 30)),
    _a("C3", "V3", _clock(8, 30)),
)


def _day(
    assignments: tuple[Assignment, ...],
    scenario: Scenario = SCENARIO,
    settings: Settings = SETTINGS,
) -> tuple[Plan, list[str]]:
    """The rota's one plan and its breach codes, sorted; the plan's figures and cost are
    computed too, to show a rota with breaches still evaluates."""
    (plan,) = rota_plans(scenario, assignments, TRAVEL, settings)
    day_figures(scenario, plan)
    plan_cost(scenario, plan, settings)
    breaches = rota_breaches(scenario, assignments, [plan], TRAVEL)
    return plan, sorted(breach.code for breach in breaches)


def _run(plan: Plan, carer_id: str) -> tuple[int, int, list[tuple[str, int, int]]]:
    (run,) = [run for run in plan.runs if run.carer_id == carer_id]
    return run.depart, run.return_home, [(s.visit_id, s.arrival, s.start) for s in run.stops]


# ---- a clean rota ---------------------------------------------------------------------------


def test_clean_rota_has_no_breach_and_adds_up_by_hand() -> None:
    plan, codes = _day(CLEAN)
    assert codes == []
    assert _run(plan, "C1") == (
        _clock(8, 24),
        _clock(10, 24),
        [("V1", _clock(8, 30), _clock(8, 30)), ("V2", _clock(9, 9), _clock(9, 30))],
    )
    figures = day_figures(SCENARIO, plan)
    by_carer = {
        c.carer_id: (c.travel_minutes, c.waiting_minutes, c.paid_minutes) for c in figures.carers
    }
    assert by_carer == {"C1": (24, 21, 120), "C2": (18, 0, 63), "C3": (14, 0, 44)}
    assert (figures.travel_minutes, figures.waiting_minutes, figures.paid_minutes) == (56, 21, 227)
    assert figures.contact_minutes == 75 + 45 + 30


def test_a_visit_in_no_ones_rota_is_unallocated_not_in_rota() -> None:
    plan, _ = _day(CLEAN)
    assert [(u.visit_id, u.reason_code) for u in plan.unallocated] == [("V4", "not_in_rota")]
    assert day_figures(SCENARIO, plan).unallocated_by_reason == {"not_in_rota": 1}


def test_long_run_takes_its_break_in_a_wait_and_a_run_without_one_is_reported() -> None:
    # Breaks due after 60 min: C1's 120 min run has the 21 min wait 09:09-09:30 and takes its
    # 20 min break there (paid 120 - 20 = 100); C2's 63 min run has no wait: no_break.
    settings = Settings(break_after_minutes=60)
    plan, codes = _day(CLEAN, settings=settings)
    assert codes == ["no_break"]
    c1 = next(run for run in plan.runs if run.carer_id == "C1")
    assert (c1.break_start, c1.break_end, c1.paid_minutes) == (_clock(9, 9), _clock(9, 29), 100)
    assert day_figures(SCENARIO, plan).paid_minutes == 100 + 63 + 44


def test_a_manual_run_takes_its_lunch_in_a_wait_inside_the_carers_break_window() -> None:
    # C1 (out 08:24-10:24, waiting 09:09-09:30 at K2) has a 09:00-10:00 window of 20 minutes:
    # the break goes in that wait, 09:09-09:29, unpaid. C2 (out 09:21-10:24, no wait) with the
    # same window has 21 minutes at home before leaving: no break needed. With 25 minutes C1's
    # wait is too short: the rota breaks the rule.
    def with_lunch(minutes: int) -> Scenario:
        lunch = BreakWindow(start=_clock(9, 0), end=_clock(10, 0), minutes=minutes)
        carers = tuple(
            c.model_copy(update={"break_window": lunch}) if c.id in ("C1", "C2") else c
            for c in SCENARIO.carers
        )
        return SCENARIO.model_copy(update={"carers": carers})

    plan, codes = _day(CLEAN, with_lunch(20))
    assert codes == []
    c1, c2 = (next(r for r in plan.runs if r.carer_id == c) for c in ("C1", "C2"))
    assert (c1.break_start, c1.break_end, c1.paid_minutes) == (_clock(9, 9), _clock(9, 29), 100)
    assert c2.break_start is None
    assert _day(CLEAN, with_lunch(25))[1] == ["no_break_in_window", "no_break_in_window"]


def test_calls_split_into_runs_by_the_carers_shifts() -> None:
    # C1 also works 17:00-19:00; V4 at K1 17:30 makes a second run: leaves 17:24, home 18:06.
    evening = Shift(start=17 * 60, end=19 * 60)
    carers = tuple(
        c.model_copy(update={"shifts": (MORNING, evening)}) if c.id == "C1" else c
        for c in SCENARIO.carers
    )
    v4 = _visit("V4", "K1", _clock(17, 30), _clock(17, 45), 30)
    scenario = SCENARIO.model_copy(update={"carers": carers, "visits": SCENARIO.visits[:3] + (v4,)})
    plan, codes = _day((*CLEAN, _a("C1", "V4", _clock(17, 30))), scenario)
    assert codes == []
    runs = [(r.shift_start, r.depart, r.return_home) for r in plan.runs if r.carer_id == "C1"]
    assert runs == [
        (MORNING.start, _clock(8, 24), _clock(10, 24)),
        (evening.start, _clock(17, 24), _clock(18, 6)),
    ]


# ---- one breach at a time -------------------------------------------------------------------


def test_late_start_inside_the_window_is_late_start_alone() -> None:
    # C1 does V1 at 08:55 (ends 09:25), +9 = 09:34: V2 planned 09:30 starts 4 min late, still in
    # its window 09:30-10:00; C2 starts it at 09:30, so the pair is not synchronised either.
    rota = (_a("C1", "V1", _clock(8, 55)), *CLEAN[1:])
    plan, codes = _day(rota)
    assert codes == ["late_start", "not_synchronised"]
    (late,) = [b for b in rota_breaches(SCENARIO, rota, [plan], TRAVEL) if b.code == "late_start"]
    assert (late.carer_id, late.visit_id) == ("C1", "V2")
    assert "planned 09:30, actually 09:34, by 4 min" in late.message
    assert "V1 ends at 09:25 and the journey takes 9 min" in late.message


@pytest.mark.parametrize(
    ("latest", "expected"),
    [(_clock(9, 10), ["late_start"]), (_clock(8, 55), ["late_start", "outside_window"])],
)
def test_overlapping_calls_are_pushed_late(latest: int, expected: list[str]) -> None:
    # V5 at K1 (as V1) planned 08:45 overlaps V1 (08:30-09:00): it starts 09:00, 15 min late;
    # outside its window only when the window closes before 09:00. Then +9 = 09:24 for V2.
    v5 = _visit("V5", "K1", _clock(8, 45), latest, 15)
    scenario = SCENARIO.model_copy(update={"visits": (*SCENARIO.visits, v5)})
    rota = (*CLEAN, _a("C1", "V5", _clock(8, 45)))
    plan, codes = _day(rota, scenario)
    assert codes == expected
    assert _run(plan, "C1")[2][1:] == [
        ("V5", _clock(9, 0), _clock(9, 0)),
        ("V2", _clock(9, 24), _clock(9, 30)),
    ]
    (late,) = [b for b in rota_breaches(scenario, rota, [plan], TRAVEL) if b.code == "late_start"]
    assert "by 15 min (it overlaps visit V1, planned until 09:00)" in late.message


def test_missing_skill() -> None:
    # C2 (hoist only) does V1, which needs medication; C1 joins C2 at V2.
    rota = (
        _a("C2", "V1", _clock(8, 30)),
        _a("C2", "V2", _clock(9, 30)),
        _a("C1", "V2", _clock(9, 30)),
        CLEAN[3],
    )
    assert _day(rota)[1] == ["missing_skill"]


def test_excluded_carer() -> None:
    # K2 excludes C3, who does V2 with C1: leaves 08:23, V3 08:30-09:00, +10 = 09:10, V2 09:30.
    rota = (*CLEAN[:2], _a("C3", "V2", _clock(9, 30)), CLEAN[3])
    assert _day(rota)[1] == ["excluded_carer"]


def test_call_outside_the_shift_belongs_to_the_nearest_and_breaks_it() -> None:
    # V4 moved to 13:00: after C3's 08:00-12:00 shift, so in that run; home 13:37.
    v4 = _visit("V4", "K3", _clock(13, 0), _clock(13, 30), 30)
    scenario = SCENARIO.model_copy(update={"visits": SCENARIO.visits[:3] + (v4,)})
    plan, codes = _day((*CLEAN, _a("C3", "V4", _clock(13, 0))), scenario)
    assert codes == ["after_shift"]
    assert _run(plan, "C3")[1] == _clock(13, 37)


def test_carer_with_no_shift_that_day_is_not_on_shift() -> None:
    # C2 has the day off; the run 09:21-10:24 is checked against a shift spanning it.
    off = DayShifts(date=DATE, shifts=())
    carers = tuple(
        c.model_copy(update={"shifts_on": (off,)}) if c.id == "C2" else c for c in SCENARIO.carers
    )
    scenario = SCENARIO.model_copy(update={"carers": carers})
    plan, codes = _day(CLEAN, scenario)
    assert codes == ["not_on_shift"]
    (run,) = [run for run in plan.runs if run.carer_id == "C2"]
    assert (run.shift_start, run.shift_end) == (_clock(9, 21), _clock(10, 24))


def test_double_handed_call_done_by_one_carer() -> None:
    plan, codes = _day((*CLEAN[:2], CLEAN[3]))
    assert codes == ["double_handed_alone"]
    assert day_figures(SCENARIO, plan).visits_allocated == 3


def test_a_week_has_a_plan_per_date_and_the_weeks_rules() -> None:
    # V1 again the next day; C1 may work 60 min in the week and works 120 + 42 (08:24-09:06).
    later = DATE + dt.timedelta(days=1)
    again = SCENARIO.visits[0].model_copy(update={"id": "V1b", "date": later})
    carers = tuple(
        c.model_copy(update={"max_weekly_minutes": 60}) if c.id == "C1" else c
        for c in SCENARIO.carers
    )
    scenario = SCENARIO.model_copy(update={"carers": carers, "visits": (*SCENARIO.visits, again)})
    rota = (*CLEAN, _a("C1", "V1b", _clock(8, 30), later))
    plans = rota_plans(scenario, rota, TRAVEL, SETTINGS)
    assert [plan.date for plan in plans] == [DATE, later]
    assert [len(plan.runs) for plan in plans] == [3, 1]
    breaches = rota_breaches(scenario, rota, plans, TRAVEL)
    assert [(b.date, b.code, b.carer_id) for b in breaches] == [(None, "max_weekly_time", "C1")]


def test_assignments_outside_the_scenario_are_refused() -> None:
    with pytest.raises(DomcareError, match="visit V9 is not in the scenario"):
        rota_plans(SCENARIO, (_a("C1", "V9", _clock(8, 30)),), TRAVEL, SETTINGS)


# ---- each breach listed: visit, carer, rule, minutes ------------------------------------------


def _listed(
    rota: tuple[Assignment, ...], scenario: Scenario = SCENARIO, settings: Settings = SETTINGS
) -> list[tuple[str, str | None, str | None, int | None]]:
    plans = rota_plans(scenario, rota, TRAVEL, settings)
    return sorted(
        (b.code, b.visit_id, b.carer_id, b.minutes)
        for b in rota_breaches(scenario, rota, plans, TRAVEL)
    )


def test_a_late_call_and_an_unqualified_carer_are_listed_and_the_visit_is_not_covered() -> None:
    # C2 (hoist only) does V1, which needs medication, at 08:55-09:25; +9 = 09:34 at K2, so
    # V2 planned 09:30 starts 4 min late, and 4 min after C1, who starts it on time.
    rota = (
        _a("C2", "V1", _clock(8, 55)),
        _a("C2", "V2", _clock(9, 30)),
        _a("C1", "V2", _clock(9, 30)),
        CLEAN[3],
    )
    assert _listed(rota) == [
        ("late_start", "V2", "C2", 4),
        ("missing_skill", "V1", "C2", None),
        ("not_synchronised", "V2", None, 4),
    ]
    plans = rota_plans(SCENARIO, rota, TRAVEL, SETTINGS)
    breaches = rota_breaches(SCENARIO, rota, plans, TRAVEL)
    late = next(b for b in breaches if b.code == "late_start")
    assert late.rule == RULES["late_start"] == "the call starts later than the rota plans it"
    assert wrong_carer_visits(breaches) == {"V1"}
    # V1, V2 and V3 are in the rota, V4 is not; V1 by a carer without its skill is not care
    # delivered: 2 of 4 covered.
    summary = summarise("manual rota", SCENARIO, plans, SETTINGS, breaches=breaches)
    assert (summary.visits_covered, summary.visits_by_wrong_carer, summary.breaches) == (2, 1, 3)
    assert summary.days[0].covered_ids == {"V2", "V3"}
    assert summary.breach_list == tuple(breaches)


def _edited(
    carer: dict[str, object] | None = None,
    client: dict[str, object] | None = None,
    visit: dict[str, object] | None = None,
) -> Scenario:
    """SCENARIO with C3, K3 and V3 changed."""
    return SCENARIO.model_copy(
        update={
            "carers": tuple(
                c.model_copy(update=carer) if c.id == "C3" else c for c in SCENARIO.carers
            ),
            "clients": tuple(
                c.model_copy(update=client) if c.id == "K3" else c for c in SCENARIO.clients
            ),
            "visits": tuple(
                v.model_copy(update=visit) if v.id == "V3" else v for v in SCENARIO.visits
            ),
        }
    )


WRONG_CARERS = {
    # C2 (hoist only) does V1, which needs medication, and V2 with C1.
    "missing_skill": (
        SCENARIO,
        (
            _a("C2", "V1", _clock(8, 30)),
            _a("C2", "V2", _clock(9, 30)),
            _a("C1", "V2", _clock(9, 30)),
            CLEAN[3],
        ),
        "V1",
    ),
    # K2 excludes C3, who does V2 with C1 after V3.
    "excluded_carer": (SCENARIO, (*CLEAN[:2], _a("C3", "V2", _clock(9, 30)), CLEAN[3]), "V2"),
    # C3 does V3 at K3 in the clean rota; each change makes C3 the wrong carer for it.
    "no_go_client": (_edited({"no_go_clients": frozenset({"K3"})}), CLEAN, "V3"),
    "gender_preference": (
        _edited({"gender": Gender.FEMALE}, client={"gender_preference": Gender.MALE}),
        CLEAN,
        "V3",
    ),
    "pinned_elsewhere": (_edited(visit={"pinned_carer": "C1"}), CLEAN, "V3"),
}


@pytest.mark.parametrize("code", sorted(WRONG_CARERS))
def test_a_visit_by_a_carer_who_may_not_do_it_is_not_covered(code: str) -> None:
    scenario, rota, visit = WRONG_CARERS[code]
    plans = rota_plans(scenario, rota, TRAVEL, SETTINGS)
    breaches = rota_breaches(scenario, rota, plans, TRAVEL)
    assert [b.visit_id for b in breaches if b.code == code] == [visit]
    assert wrong_carer_visits(breaches) == {visit}
    summary = summarise("manual rota", scenario, plans, SETTINGS, breaches)
    assert visit not in summary.days[0].covered_ids and summary.visits_covered == 2


def test_the_minutes_of_window_shift_and_break_breaches() -> None:
    # V5 at K1 08:45-08:55 planned 08:45 overlaps V1 (until 09:00): starts 09:00, 15 min late
    # and 5 min after its window closes. V4 moved to 13:00 puts C3 home at 13:37, 97 min
    # after the 12:00 shift end. Breaks due after 60 min: C2's 63 min run has none, 3 min over.
    v5 = _visit("V5", "K1", _clock(8, 45), _clock(8, 55), 15)
    v4 = _visit("V4", "K3", _clock(13, 0), _clock(13, 30), 30)
    scenario = SCENARIO.model_copy(update={"visits": (*SCENARIO.visits[:3], v4, v5)})
    rota = (*CLEAN, _a("C1", "V5", _clock(8, 45)), _a("C3", "V4", _clock(13, 0)))
    found = _listed(rota, scenario, Settings(break_after_minutes=60))
    assert ("late_start", "V5", "C1", 15) in found
    assert ("outside_window", "V5", "C1", 5) in found
    assert ("after_shift", None, "C3", 97) in found
    assert ("no_break", None, "C2", 3) in found


def test_the_minutes_of_an_early_start_and_a_long_day() -> None:
    # C3 planned at V3 08:02: leaves 07:55 (7 min out), 5 min before the 08:00 shift, and
    # starts 28 min before the 08:30 window. C3 may work 30 min and works 08:23-09:07: 14 over.
    early = (*CLEAN[:3], _a("C3", "V3", _clock(8, 2)))
    assert _listed(early) == [("before_shift", None, "C3", 5), ("outside_window", "V3", "C3", 28)]
    assert _listed(CLEAN, _edited({"max_working_minutes": 30})) == [
        ("max_working_time", None, "C3", 14)
    ]


def test_a_carer_with_no_shift_is_off_shift_for_the_whole_run() -> None:
    # C2 has the day off and works 09:21-10:24: 63 min.
    off = DayShifts(date=DATE, shifts=())
    carers = tuple(
        c.model_copy(update={"shifts_on": (off,)}) if c.id == "C2" else c for c in SCENARIO.carers
    )
    scenario = SCENARIO.model_copy(update={"carers": carers})
    assert _listed(CLEAN, scenario) == [("not_on_shift", None, "C2", 63)]


def test_the_minutes_of_the_weeks_rules() -> None:
    # As in the week test above, C1 works 120 + 42 = 162 min against 60: 102 over. With a
    # day's rest required, C1 home 10:24 and out 08:24 the next day rests 22 h: 120 min short.
    later = DATE + dt.timedelta(days=1)
    again = SCENARIO.visits[0].model_copy(update={"id": "V1b", "date": later})
    carers = tuple(
        c.model_copy(update={"max_weekly_minutes": 60}) if c.id == "C1" else c
        for c in SCENARIO.carers
    )
    scenario = SCENARIO.model_copy(update={"carers": carers, "visits": (*SCENARIO.visits, again)})
    rota = (*CLEAN, _a("C1", "V1b", _clock(8, 30), later))
    assert _listed(rota, scenario, Settings(min_rest_minutes=24 * 60)) == [
        ("max_weekly_time", None, "C1", 102),
        ("short_rest", None, "C1", 120),
    ]


# ---- reading manual_rota.csv ----------------------------------------------------------------

HEADER = "carer_id,date,visit_id,planned_start\n"


def _write(folder: Path, text: str) -> Path:
    path = folder / "manual_rota.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_clean_rota(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "C1,2026-12-01,V1,08:30\nC1,2026-12-01,V2,09:30\n"
        + "C2, 2026-12-01 ,V2,9:30\nC3,2026-12-01,V3,08:30\n",
    )
    assert read_manual_rota(path, SCENARIO) == CLEAN


def test_every_bad_row_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "C1,2026-12-01,V9,08:30\n"  # row 2: no such visit
        + "C2,2026-12-01,V1,9.30\n"  # row 3: not a time
        + "C3,2026-12-02,V3,08:30\n"  # row 4: V3 is on 2026-12-01
        + "C7,31/11/2026,V1,\n"  # row 5: no such carer, not a date, no time
        + "C2,2026-12-01,V2,09:30\n"
        + "C2,2026-12-01,V2,09:30\n"  # row 7: C2 on V2 again
        + "C1,2026-12-01,V2,09:30\n"
        + "C3,2026-12-01,V2,09:30\n",  # row 9: V2 has its two carers (rows 6 and 8)
    )
    with pytest.raises(InputError) as caught:
        read_manual_rota(path, SCENARIO)
    found = [(i.code, i.file, i.row, i.column) for i in caught.value.issues]
    assert found == [
        ("unknown_visit", "manual_rota.csv", 2, "visit_id"),
        ("malformed_time", "manual_rota.csv", 3, "planned_start"),
        ("wrong_date", "manual_rota.csv", 4, "date"),
        ("missing_value", "manual_rota.csv", 5, "planned_start"),
        ("unknown_carer", "manual_rota.csv", 5, "carer_id"),
        ("malformed_date", "manual_rota.csv", 5, "date"),
        ("duplicate_row", "manual_rota.csv", 7, "carer_id"),
        ("extra_carer", "manual_rota.csv", 9, "carer_id"),
    ]
    assert "row 6" in caught.value.issues[-2].message
    assert "C2 (row 6), C1 (row 8)" in caught.value.issues[-1].message


def test_missing_columns_and_files_are_input_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, "carer_id,date,visit,planned_start\nC1,2026-12-01,V1,08:30\n")
    with pytest.raises(InputError) as caught:
        read_manual_rota(path, SCENARIO)
    assert [(i.code, i.file) for i in caught.value.issues] == [
        ("missing_column", "manual_rota.csv"),
        ("unknown_column", "manual_rota.csv"),
    ]
    with pytest.raises(InputError) as caught:
        read_manual_rota(tmp_path / "absent.csv", SCENARIO)
    assert [i.code for i in caught.value.issues] == ["missing_file"]


def test_an_empty_rota_leaves_every_visit_unallocated(tmp_path: Path) -> None:
    assignments = read_manual_rota(_write(tmp_path, HEADER), SCENARIO)
    assert assignments == ()
    plan, codes = _day(assignments)
    assert codes == []
    assert {u.reason_code for u in plan.unallocated} == {"not_in_rota"}
    assert len(plan.unallocated) == len(SCENARIO.visits)


def test_a_solved_plan_given_as_a_rota_times_out_the_same(tiny_folder: Path) -> None:
    # The optimiser's own answer, written down as a coordinator would, is the same plan: the
    # same runs, breaks and figures, and no breach.
    scenario = read_scenario(tiny_folder)
    settings = Settings(break_after_minutes=90, solve=SolveSettings(solution_limit=50))
    solved = solve_day(scenario, settings, TRAVEL)
    rota = tuple(
        _a(run.carer_id, stop.visit_id, stop.start, scenario.date)
        for run in solved.runs
        for stop in run.stops
    )
    (plan,) = rota_plans(scenario, rota, TRAVEL, settings)
    assert plan.runs == solved.runs
    assert rota_breaches(scenario, rota, [plan], TRAVEL) == []
    assert day_figures(scenario, plan).paid_minutes == day_figures(scenario, solved).paid_minutes
