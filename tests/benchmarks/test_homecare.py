"""The home-care benchmark suite: instances map to scenarios, the literature's objective is
reproduced from shipped solutions, and a small instance solves to a valid plan.

Needs the shared benchmark data (``$DOMCARE_DATA`` or ``shared/data`` beside the work tree);
skipped without it.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.homecare import (
    HOMECARE,
    InstanceTravel,
    data_root,
    evaluate,
    map_instance,
    plan_solution,
    read_instance,
    read_solution,
    solve_instance,
)
from routing.travel import Place
from scheduler.rules.day import validate_plan

DATA = data_root()
HHC = DATA / "hhcrsp-mankowska"
pytestmark = pytest.mark.skipif(
    not (DATA / "best_known.csv").is_file(), reason=f"no benchmark data at {DATA}"
)


def instance_path(family: str, name: str) -> Path:
    return HHC / "instances" / family / f"{name}.json"


def test_mankowska_instance_maps_to_carers_clients_and_visits() -> None:
    mapping = map_instance(read_instance(instance_path("mankowska", "InstanzCPLEX_HCSRP_10_1")))
    scenario = mapping.scenario
    # 3 caregivers, 10 patients: 7 with one service, 1 simultaneous pair (one double-handed
    # visit), 2 sequential pairs (two visits each): 7 + 1 + 2 * 2 = 12 visits.
    assert (len(scenario.carers), len(scenario.clients), len(scenario.visits)) == (3, 10, 12)
    assert sum(v.double_handed for v in scenario.visits) == 1
    # Distances have decimals: times doubled (windows end by 554, 2 * 554 < 1440).
    assert mapping.scale == 2
    assert all(carer.shifts[0].minutes == 24 * 60 for carer in scenario.carers)
    assert not any("gap" in loss for loss in mapping.losses)


def test_bazirha_instance_maps_windows_at_service_end() -> None:
    mapping = map_instance(read_instance(instance_path("bazirha", "D1")))
    scenario = mapping.scenario
    # 10 patients: 7 with one service, 1 independent pair (two visits), 2 simultaneous pairs
    # (one double-handed visit each): 7 + 2 + 2 = 11 visits.
    assert (len(scenario.carers), len(scenario.clients), len(scenario.visits)) == (3, 10, 11)
    assert mapping.scale == 1
    assert {(s.start, s.end) for c in scenario.carers for s in c.shifts} == {(0, 600)}
    # p2 needs s3 for 18 in the window 352-472, met at service end: it starts by 472 - 18.
    visit = scenario.visit_by_id["p2:s3"]
    assert (visit.earliest_start, visit.latest_start, visit.duration) == (352, 454, 18)
    # p4's simultaneous s2 and s6 (no carer holds both): one carer with s2, another with s6.
    assert scenario.visit_by_id["p4:s2+s6"].roles == ({"s2"}, {"s6"})
    assert scenario.skills == {f"s{n}" for n in range(1, 7)}


def test_a_simultaneous_pair_may_be_given_by_any_holders_of_its_two_services() -> None:
    # c1 {s1,s2,s3} and c3 {s2,s3} hold s2, c2 {s4,s5,s6} s6: c1 or c3 with c2 (the pair
    # skill this replaced kept c3 and c2 only, barring c1).
    mapping = map_instance(read_instance(instance_path("bazirha", "D1")))
    visit = mapping.scenario.visit_by_id["p4:s2+s6"]
    abilities = {c.id: c.abilities for c in mapping.instance.caregivers}
    pairs = {
        tuple(sorted((a, b)))
        for a, b in itertools.permutations(abilities, 2)
        if visit.staffed_by((frozenset(abilities[a]), frozenset(abilities[b])))
    }
    assert pairs == {("c1", "c2"), ("c2", "c3")}


def test_a_sequential_pair_maps_to_a_gap_kept_by_another_carer() -> None:
    instance = read_instance(instance_path("mankowska", "InstanzCPLEX_HCSRP_10_1"))
    mapping = map_instance(instance)
    patient = next(p for p in instance.patients if p.sync == "sequential")
    first, second = (s.service for s in patient.services)
    before = mapping.scenario.visit_by_id[f"{patient.id}:{first}"]
    after = mapping.scenario.visit_by_id[f"{patient.id}:{second}"]
    assert patient.gap is not None
    low, high = patient.gap
    # Both keep the patient's whole window (times doubled); the gap is scaled the same way,
    # rounded inwards so that a kept gap is kept in the instance's units.
    assert (after.follows, after.other_carer) == (before.id, True)
    assert (after.min_gap, after.max_gap) == (math.ceil(2 * low), math.floor(2 * high))
    assert before.earliest_start == after.earliest_start == math.ceil(2 * patient.windows[0][0])


def test_travel_provider_answers_by_place_key() -> None:
    distances = np.array([[0.0, 2.25], [2.25, 0.0]])
    travel = InstanceTravel({"depot": 0, "p1": 1}, distances, scale=2)
    places = [Place("p1", 50.0, 0.0), Place("depot", 50.0, 0.0)]
    matrix = travel.matrix(places, "car")
    # 2.25 units x 2 = 4.5 minutes, rounded up to 5; metres are the distance rounded.
    assert matrix.minutes.tolist() == [[0, 5], [5, 0]]
    assert matrix.metres.tolist() == [[0, 2], [2, 0]]


@pytest.mark.parametrize(
    ("family", "name", "solution", "best_known"),
    [
        # travel 741.137 + total tardiness 99.304 + max tardiness 77.134 = 917.575
        (
            "mankowska",
            "InstanzCPLEX_HCSRP_10_3",
            "hhcrsp-sa-mankowska/sol-InstanzCPLEX_HCSRP_10_3-2425726044.json",
            917.575,
        ),
        # waiting 280 + workload balance 42 = 322
        ("bazirha-caie", "J1", "uhhc-sa/bazirha-caie/sol-J1-1035460787.json", 322.0),
    ],
)
def test_objective_reproduces_best_known_from_its_solution(
    family: str, name: str, solution: str, best_known: float
) -> None:
    instance = read_instance(instance_path(family, name))
    evaluation = evaluate(instance, read_solution(HHC / "solutions" / solution))
    assert evaluation.issues == ()
    assert evaluation.objective == pytest.approx(best_known, abs=0.01)


def test_mankowska_components_of_best_known() -> None:
    instance = read_instance(instance_path("mankowska", "InstanzCPLEX_HCSRP_10_3"))
    path = HHC / "solutions/hhcrsp-sa-mankowska/sol-InstanzCPLEX_HCSRP_10_3-2425726044.json"
    evaluation = evaluate(instance, read_solution(path))
    assert evaluation.travel == pytest.approx(741.137, abs=0.01)
    assert evaluation.total_tardiness == pytest.approx(99.304, abs=0.01)
    assert evaluation.max_tardiness == pytest.approx(77.134, abs=0.01)


def test_evaluation_reports_a_missing_service_and_a_broken_pair() -> None:
    instance = read_instance(instance_path("bazirha", "D1"))
    path = HHC / "solutions/uhhc-sa/bazirha/sol-D1-1393688006.json"
    solution = read_solution(path)
    dropped = solution["c1"].pop(0)
    assert (
        f"{dropped.patient} {dropped.service} given 0 times" in evaluate(instance, solution).issues
    )
    solution = read_solution(path)
    # p3's simultaneous services: c2 starts its half one unit later.
    route = solution["c2"]
    index = next(i for i, a in enumerate(route) if a.patient == "p3")
    late = route[index]
    route[index] = dataclasses.replace(late, start=late.start + 1, end=late.end + 1)
    issues = evaluate(instance, solution).issues
    assert any(issue.startswith("p3: services start") for issue in issues)


def test_small_instance_solves_to_a_valid_plan() -> None:
    # A solution limit, not the clock, ends the search: the plan is the same on any machine.
    instance = read_instance(instance_path("mankowska", "InstanzCPLEX_HCSRP_10_6"))
    mapping, plan, _ = solve_instance(instance, time_limit_s=30, solution_limit=50)
    assert validate_plan(mapping.scenario, plan, mapping.travel) == []
    assert plan.unallocated == ()
    evaluation = evaluate(instance, plan_solution(mapping, plan))
    assert evaluation.issues == ()
    # Every window kept: no tardiness; travel within 5 % of the best known, 600.298.
    assert evaluation.total_tardiness == 0
    assert 600.298 - 0.01 <= evaluation.objective <= 600.298 * 1.05


def test_cases_have_best_known_values() -> None:
    (quick,) = HOMECARE.cases(True)
    assert dict(quick.params)["family"] == "mankowska" and quick.size == 10
    cases = HOMECARE.cases(False)
    families = {dict(case.params)["family"] for case in cases}
    assert families == {"mankowska", "bazirha", "bazirha-caie"}
    assert all(Path(case.path).is_file() and dict(case.params)["best_known"] for case in cases)


def test_evaluation_reports_one_caregiver_giving_both_services_of_a_sequential_pair() -> None:
    instance = read_instance(instance_path("mankowska", "InstanzCPLEX_HCSRP_10_3"))
    path = HHC / "solutions/hhcrsp-sa-mankowska/sol-InstanzCPLEX_HCSRP_10_3-2425726044.json"
    solution = read_solution(path)
    patient = next(p for p in instance.patients if p.sync == "sequential")
    first, second = (s.service for s in patient.services)
    where = {
        a.service: (carer, a)
        for carer, route in solution.items()
        for a in route
        if a.patient == patient.id
    }
    (carer_a, _), (carer_b, moved) = where[first], where[second]
    assert carer_a != carer_b  # the best known gives them to two caregivers
    solution[carer_b].remove(moved)
    solution[carer_a] = sorted([*solution[carer_a], moved], key=lambda a: a.start)
    issues = evaluate(instance, solution).issues
    assert f"{patient.id}: one caregiver gives both sequential services" in issues
