"""The relaxed-care-day benchmark: relaxing takes out every care rule and nothing else, the
pricing is the objective's arithmetic whichever solver answered, and both solvers give valid
plans priced at their own objective on a tiny day."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from benchmarks.relaxed import (
    DOMCARE,
    PYVRP,
    RELAXED,
    Answer,
    BenchmarkError,
    RelaxedDay,
    RelaxedRow,
    _suite_row,
    judge,
    load_day,
    main,
    markdown,
    measure_isolated,
    prepare,
    price,
    pyvrp_data,
    relax,
    relaxed_settings,
    run,
    servable_tasks,
    solve_domcare,
    solve_pyvrp,
    with_ratios,
)
from benchmarks.results import Case
from benchmarks.runner import QUICK_SUITES, SUITES, _broken
from routing.repair import schedule
from routing.travel import Place, TravelMatrix
from scenarios.generator import generate, generate_week
from scheduler.model.care import (
    Carer,
    Client,
    DayShifts,
    Location,
    Priority,
    Scenario,
    Shift,
    Visit,
)
from scheduler.model.clock import parse_clock

DAY = dt.date(2026, 12, 1)


# ---- relax ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ruled() -> Scenario:
    """A generated day with every care rule in it: the generator's (skills, pairs, preferred
    and excluded carers, gender preferences, working-time caps, history, split shifts) and a
    pin, a no-go client, a weekly cap and a shift override added by hand."""
    day = generate(60, seed=11)
    carers = list(day.carers)
    first = carers[0]
    carers[0] = first.model_copy(
        update={
            "no_go_clients": frozenset({day.clients[0].id}),
            "max_weekly_minutes": 2000,
            "shifts_on": (DayShifts(date=day.date, shifts=first.shifts),),
        }
    )
    visits = list(day.visits)
    visits[0] = visits[0].model_copy(update={"pinned_carer": first.id})
    return day.model_copy(update={"carers": tuple(carers), "visits": tuple(visits)})


def test_the_fixture_has_every_rule(ruled: Scenario) -> None:
    assert any(v.double_handed for v in ruled.visits)
    assert any(v.required_skills for v in ruled.visits)
    assert any(v.pinned_carer for v in ruled.visits)
    assert any(c.preferred_carers for c in ruled.clients)
    assert any(c.excluded_carers for c in ruled.clients)
    assert any(c.gender_preference for c in ruled.clients)
    assert any(c.no_go_clients for c in ruled.carers)
    assert any(c.max_working_minutes for c in ruled.carers)
    assert any(c.max_weekly_minutes for c in ruled.carers)
    assert any(c.shifts_on for c in ruled.carers)
    assert any(len(c.shifts) > 1 for c in ruled.carers)
    assert ruled.history


def test_relax_removes_every_care_rule(ruled: Scenario) -> None:
    relaxed = relax(ruled)
    assert all(v.carers_required == 1 and not v.required_skills for v in relaxed.visits)
    assert all(v.pinned_carer is None for v in relaxed.visits)
    for client in relaxed.clients:
        assert not client.preferred_carers and not client.excluded_carers
        assert client.gender_preference is None and client.week_carers is None
    for carer in relaxed.carers:
        assert not carer.skills and not carer.no_go_clients and not carer.shifts_on
        assert carer.max_working_minutes is None and carer.max_weekly_minutes is None
    assert relaxed.history == ()


def test_relax_keeps_everything_else(ruled: Scenario) -> None:
    relaxed = relax(ruled)
    for before, after in zip(ruled.visits, relaxed.visits, strict=True):
        assert (before.id, before.client_id, before.priority, before.duration) == (
            after.id,
            after.client_id,
            after.priority,
            after.duration,
        )
        assert (before.earliest_start, before.latest_start) == (
            after.earliest_start,
            after.latest_start,
        )
    for before_carer, after_carer in zip(ruled.carers, relaxed.carers, strict=True):
        assert before_carer.shifts == after_carer.shifts
        assert before_carer.home == after_carer.home
        assert before_carer.travel_mode == after_carer.travel_mode
    assert [c.location for c in ruled.clients] == [c.location for c in relaxed.clients]
    assert {"critical", "normal"} <= {v.priority for v in relaxed.visits}


def test_short_staffed_keeps_each_carers_first_shift(ruled: Scenario) -> None:
    short = relax(ruled, short_staffed=True)
    for before, after in zip(ruled.carers, short.carers, strict=True):
        assert after.shifts == before.shifts[:1]
    assert sum(len(c.shifts) for c in short.carers) < sum(len(c.shifts) for c in ruled.carers)


def test_relax_refuses_a_week() -> None:
    with pytest.raises(BenchmarkError, match="spans 2 dates"):
        relax(generate_week(10, days=2, seed=1))


def test_relaxed_settings_price_travel_at_8_and_run_minutes_at_2() -> None:
    settings = relaxed_settings(5.0)
    assert settings.break_after_minutes is None
    assert settings.continuity_weight == settings.soft_gender_weight == 0
    assert settings.travel_weight - settings.waiting_weight == 8
    assert settings.waiting_weight == 2


def test_days_by_name() -> None:
    assert load_day("gen20").name == "gen20" and len(load_day("gen20").visits) == 20
    short = load_day("gen20-short")
    assert all(len(carer.shifts) <= 1 for carer in short.carers)
    assert len(load_day("town").visits) == 400
    for bad in ("nowhere", "gen0", "gen-short", "town-week-short"):
        with pytest.raises(BenchmarkError):
            load_day(bad)


def test_command_refuses_an_unknown_day_before_solving(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--days", "nowhere", "--limits", "1"])
    assert stopped.value.code == 2
    assert "no day 'nowhere'" in capsys.readouterr().err


# ---- pricing --------------------------------------------------------------------------------


class FixedTravel:
    """Minutes between named places; metres are 500 a minute. Same place: 0."""

    def __init__(self, minutes: dict[frozenset[str], int]):
        self.minutes = minutes

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix:
        size = len(places)
        minutes = np.zeros((size, size), dtype=np.int64)
        for i, a in enumerate(places):
            for j, b in enumerate(places):
                if a.key != b.key:
                    minutes[i, j] = self.minutes[frozenset({a.key, b.key})]
        return TravelMatrix(minutes=minutes, metres=minutes * 500)


def _visit(
    id: str,
    client: str,
    earliest: str,
    latest: str,
    minutes: int,
    priority: Priority = Priority.NORMAL,
) -> Visit:
    return Visit(
        id=id,
        client_id=client,
        date=DAY,
        earliest_start=parse_clock(earliest),
        latest_start=parse_clock(latest),
        duration=minutes,
        priority=priority,
    )


@pytest.fixture
def three_calls() -> Scenario:
    """One carer at home H, on shift 08:00-12:00; three clients, a call each."""
    here = Location(lat=54.5, lon=-6.0)
    return Scenario(
        name="three-calls",
        date=DAY,
        carers=(Carer(id="H", name="Hana", home=here, shifts=(Shift(start=480, end=720),)),),
        clients=tuple(Client(id=k, name=k, location=here) for k in ("A", "B", "C")),
        visits=(
            _visit("VA", "A", "09:00", "09:05", 30),
            _visit("VB", "B", "10:00", "10:20", 20),
            _visit("VC", "C", "11:00", "11:30", 15, Priority.CRITICAL),
        ),
    )


TRAVEL = FixedTravel(
    {
        frozenset(pair): minutes
        for pair, minutes in [
            ("HA", 10),
            ("AB", 15),
            ("HB", 12),
            ("HC", 30),
            ("AC", 30),
            ("BC", 30),
        ]
    }
)


def test_pricing_a_hand_made_route(three_calls: Scenario) -> None:
    settings = relaxed_settings(1.0)
    day = prepare(three_calls, settings, TRAVEL)
    priced = price(day, ((0, 1),), settings)  # H: VA then VB; VC (critical) left out
    # The shortest run: leave 08:55, at A 09:05 (its latest start), done 09:35; 15 min to B,
    # 09:50; wait to 10:00, done 10:20; 12 min home, 10:32.
    (run,) = priced.plan.runs
    assert (run.depart, run.return_home) == (535, 632)
    assert [(s.arrival, s.start, s.end) for s in run.stops] == [(545, 545, 575), (590, 600, 620)]
    assert priced.travel_minutes == 10 + 15 + 12
    assert priced.run_minutes == 632 - 535  # 97: travel 37 + care 50 + idle 10
    assert priced.idle_minutes == 10
    assert priced.covered == 2 and priced.left_out == 1_000_000_000  # a critical call's prize
    assert priced.cost == 8 * 37 + 2 * 97 + 1_000_000_000  # 1,000,000,490
    assert priced.violations == ()
    assert [u.visit_id for u in priced.plan.unallocated] == ["VC"]


def test_pricing_an_empty_answer_is_the_prizes(three_calls: Scenario) -> None:
    settings = relaxed_settings(1.0)
    priced = price(prepare(three_calls, settings, TRAVEL), ((),), settings)
    assert priced.plan.runs == () and priced.covered == 0
    assert priced.cost == 1_000_000 + 1_000_000 + 1_000_000_000  # two normal, one critical


def test_a_route_that_cannot_be_worked_is_a_failed_row(three_calls: Scenario) -> None:
    settings = relaxed_settings(1.0)
    day = prepare(three_calls, settings, TRAVEL)
    # VB (10:00-10:20) first, then VA, whose window closed at 09:05.
    priced = price(day, ((1, 0),), settings)
    assert any("[outside_window]" in v for v in priced.violations)
    row = judge("three-calls", 1.0, day, Answer(PYVRP, ((1, 0),), 0.5, None), settings)
    assert not row.valid and "outside_window" in row.note
    # ...and it gets no ratio, even beside a valid row.
    good = judge("three-calls", 1.0, day, Answer(DOMCARE, ((0, 1),), 0.5, None), settings)
    assert [r.ratio for r in with_ratios([good, row])] == [None, None]


def test_a_solvers_own_cost_that_differs_is_noted(three_calls: Scenario) -> None:
    settings = relaxed_settings(1.0)
    day = prepare(three_calls, settings, TRAVEL)
    right = judge("d", 1.0, day, Answer(PYVRP, ((0, 1),), 0.1, 1_000_000_490), settings)
    wrong = judge("d", 1.0, day, Answer(PYVRP, ((0, 1),), 0.1, 1_000_000_400), settings)
    assert right.note == "" and right.valid
    assert wrong.note == "the solver's own cost is 1000000400" and wrong.valid


# ---- both solvers on a tiny day -------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny() -> tuple[Scenario, RelaxedDay]:
    scenario = load_day("gen30")
    return scenario, prepare(scenario, relaxed_settings(2.0, solution_limit=20))


def test_servable_tasks_are_those_some_carer_shift_could_do_alone(
    tiny: tuple[Scenario, RelaxedDay],
) -> None:
    scenario, day = tiny
    vehicles = range(len(day.problem.vehicles))
    alone = [
        t
        for t in range(len(scenario.visits))
        if any(schedule(day.problem, v, [t]) is not None for v in vehicles)
    ]
    assert servable_tasks(day.problem) == tuple(alone)
    # this day has one: a critical call at 16:00-16:30 no shift reaches in time
    (impossible,) = set(range(len(scenario.visits))) - set(alone)
    assert scenario.visits[impossible].id == "V00029"


def test_pyvrp_gets_the_same_day(tiny: tuple[Scenario, RelaxedDay]) -> None:
    pytest.importorskip("pyvrp")
    scenario, day = tiny
    data, tasks = pyvrp_data(day)
    shifts = [(c, s) for c in scenario.carers for s in c.shifts]
    assert data.num_depots == len(scenario.carers)
    assert data.num_vehicles == data.num_vehicle_types == len(shifts)
    assert data.num_profiles == 3  # car, walk and bike in this day
    assert data.num_locations == len(scenario.clients) + len(scenario.carers)
    for vehicle_type, (_, shift) in zip(data.vehicle_types(), shifts, strict=True):
        assert (vehicle_type.tw_early, vehicle_type.tw_late) == (shift.start, shift.end)
        assert (vehicle_type.unit_distance_cost, vehicle_type.unit_duration_cost) == (8, 2)
        assert vehicle_type.start_depot == vehicle_type.end_depot
    prizes = {"normal": 1_000_000, "critical": 1_000_000_000}
    assert tasks == servable_tasks(day.problem)
    for client, visit in zip(data.clients(), [scenario.visits[t] for t in tasks], strict=True):
        assert client.name == visit.id
        assert not client.required and client.prize == prizes[visit.priority]
        assert (client.tw_early, client.tw_late) == (visit.earliest_start, visit.latest_start)
        assert client.service_duration == visit.duration


def test_both_solvers_give_valid_plans_priced_at_their_own_cost(
    tiny: tuple[Scenario, RelaxedDay],
) -> None:
    pytest.importorskip("pyvrp")
    from pyvrp.stop import MaxIterations

    scenario, day = tiny
    settings = relaxed_settings(2.0, solution_limit=20)  # the solution limit stops the search
    ours, theirs = with_ratios(
        [
            judge("gen30", 2.0, day, solve_domcare(day, settings), settings),
            judge("gen30", 2.0, day, solve_pyvrp(day, MaxIterations(500)), settings),
        ]
    )
    for row in (ours, theirs):
        assert row.valid, row.note
        assert "own cost" not in row.note  # the pricing is each solver's own objective
        assert 0 < row.covered <= row.visits == len(scenario.visits)
        assert row.run_minutes > row.travel_minutes > 0
    assert theirs.ratio == 1.0
    assert ours.ratio == round(ours.cost / theirs.cost, 4)


# ---- rows, the command and the runner's suite -----------------------------------------------


def _row(solver: str, cost: int, valid: bool = True, day: str = "d") -> RelaxedRow:
    return RelaxedRow(
        day=day,
        limit_s=5.0,
        solver=solver,
        visits=10,
        covered=10,
        cost=cost,
        ratio=None,
        travel_minutes=100,
        run_minutes=400,
        idle_minutes=50,
        runs=3,
        wall_s=5.0,
        peak_mib=None,
        valid=valid,
        note="",
    )


def test_run_pairs_the_solvers_and_writes_rows(tmp_path: Path) -> None:
    costs = {("a", DOMCARE): 1100, ("a", PYVRP): 1000, ("b", DOMCARE): 900, ("b", PYVRP): 1000}

    def fake(name: str, limit_s: float, solver: str) -> RelaxedRow:
        return replace(_row(solver, costs[(name, solver)], day=name), limit_s=limit_s)

    rows = run(["a", "b"], [5.0], solve=fake, csv_path=tmp_path / "r.csv")
    assert [(r.day, r.solver, r.ratio) for r in rows] == [
        ("a", DOMCARE, 1.1),
        ("a", PYVRP, 1.0),
        ("b", DOMCARE, 0.9),
        ("b", PYVRP, 1.0),
    ]
    with (tmp_path / "r.csv").open(newline="") as stream:
        written = list(csv.DictReader(stream))
    assert [(w["day"], w["solver"], w["cost"], w["ratio"]) for w in written][0] == (
        "a",
        DOMCARE,
        "1100",
        "1.1",
    )
    assert "| a | 5 | domcare | 10 of 10 | 1,100 | 1.100 | 100 | 400 | 50 | 3 |" in markdown(rows)


def test_no_ratio_beside_an_invalid_pyvrp_row() -> None:
    rows = with_ratios([_row(DOMCARE, 1100), _row(PYVRP, 1000, valid=False)])
    assert [r.ratio for r in rows] == [None, None]


def test_a_crash_in_the_solving_process_is_an_error() -> None:
    with pytest.raises(BenchmarkError, match="no solver 'nobody'"):
        measure_isolated("gen20", 1.0, "nobody")


def test_suite_registered_with_one_small_quick_case() -> None:
    assert SUITES["relaxed"] == ("benchmarks.relaxed", "RELAXED") and "relaxed" in QUICK_SUITES
    assert RELAXED.cases(True) == [Case("relaxed", "gen150", params=(("limit", "0"),))]
    full = RELAXED.cases(False)
    assert [(c.instance, dict(c.params)["limit"]) for c in full[:3]] == [
        ("town", "10"),
        ("town", "30"),
        ("town", "60"),
    ]
    assert {c.instance for c in full} == {"town", "town-short", "district", "gen3000"}


def test_quick_case_judged_by_its_gap_to_pyvrp() -> None:
    ours, theirs = with_ratios([_row(DOMCARE, 1050), _row(PYVRP, 1000)])
    close = _suite_row(ours, theirs)
    assert close.gap_pct == 5.0 and _broken(RELAXED, close) is None  # (1050 - 1000) / 1000
    # a visit left out costs its prize: far outside the recorded range
    dropped, theirs = with_ratios([_row(DOMCARE, 1_001_000), _row(PYVRP, 1000)])
    assert _broken(RELAXED, _suite_row(dropped, theirs)) is not None
    assert _suite_row(theirs, None).gap_pct is None
