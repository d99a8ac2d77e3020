"""The objective, term by term: each term's arithmetic on a hand-made plan, and on town the
plan's breakdown is the routing model's own objective for its runs (OR-Tools' evaluation),
with what the search does not see (breaks, visits no carer could do) added."""

from __future__ import annotations

import pytest

from routing.haversine import HaversineTravel
from scheduler.io.scenario import read_scenario
from scheduler.io.shipped import shipped
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import search_objective, solve_day
from scheduler.rules.objective import CostTerm, fair_shares, plan_cost, working_minutes
from tests.scheduler.analysis.test_metrics import PLAN, SCENARIO


def test_each_term_on_the_hand_built_rota() -> None:
    # The rota of tests/scheduler/analysis/test_metrics.py: travel 24 + 12 (C1) + 18 (C2) = 54
    # min; runs 08:24-10:24 (120), 17:24-17:51 (27), 09:21-10:24 (63) = 210 min; V4 and V6
    # left out (normal, one carer each), V5 double-handed (two carers).
    settings = Settings()
    cost = plan_cost(SCENARIO, PLAN, settings)
    assert cost.terms[CostTerm.TRAVEL] == (10 - 2) * 54
    assert cost.terms[CostTerm.RUN_LENGTH] == 2 * 210
    assert cost.terms[CostTerm.LEFT_OUT] == 1_000_000 * (1 + 2 + 1)
    # No client knows anyone: every carer would be a stranger alike, so nothing is charged.
    assert cost.terms[CostTerm.CONTINUITY] == 0
    assert cost.total == sum(cost.terms.values())
    # K1 prefers C2: C1's two visits there (V1, V3) are by a stranger, 2 x 100; K2 still
    # knows no one (C1 and C2 at V2, uncharged).
    k1 = SCENARIO.clients[0].model_copy(update={"preferred_carers": frozenset({"C2"})})
    known = SCENARIO.model_copy(update={"clients": (k1, SCENARIO.clients[1])})
    assert plan_cost(known, PLAN, settings).terms[CostTerm.CONTINUITY] == 2 * 100


def test_imbalance_is_each_shifts_work_away_from_its_fair_share() -> None:
    # Working time (care and travel, home and back): C1 08-12 V1 30 + V2 45 + legs 6 + 9 + 9
    # = 99; C1 17-19 V3 15 + 6 + 6 = 27; C2 08-12 V2 45 + 9 + 9 = 63: 189 in all, shared by
    # shift length (240 + 120 + 240 = 600): 75.6, 37.8, 75.6 -> 75, 37, 75 and the two
    # minutes left to the largest remainders, 37.8 then the first 75.6: 76, 38, 75 (189).
    # Away: 23 + 11 + 12.
    assert [working_minutes(run) for run in PLAN.runs] == [99, 27, 63]
    assert fair_shares(SCENARIO, 189) == {("C1", 480): 76, ("C1", 1020): 38, ("C2", 480): 75}
    cost = plan_cost(SCENARIO, PLAN, Settings(balance_weight=3))
    assert cost.terms[CostTerm.IMBALANCE] == 3 * (23 + 11 + 12)
    assert plan_cost(SCENARIO, PLAN, Settings()).terms[CostTerm.IMBALANCE] == 0


def test_waiting_dearer_than_travel_prices_each_runs_idle_minutes() -> None:
    # The runs: 120 min with 99 working (21 idle), 27 with 27 (0), 63 with 63 (0); travel 54.
    dear = plan_cost(SCENARIO, PLAN, Settings(travel_weight=2, waiting_weight=5))
    assert dear.terms[CostTerm.TRAVEL] == 2 * 54
    assert dear.terms[CostTerm.RUN_LENGTH] == 0
    assert dear.terms[CostTerm.IDLE] == 5 * 21
    assert plan_cost(SCENARIO, PLAN, Settings()).terms[CostTerm.IDLE] == 0


@pytest.fixture(scope="module")
def town() -> tuple[object, object, Settings]:
    scenario = read_scenario(shipped("town") or "scenarios/town")
    settings = Settings(solve=SolveSettings(time_limit_s=60, solution_limit=30))
    return scenario, solve_day(scenario, settings), settings


def test_the_plans_breakdown_is_the_search_objective_on_town(town: tuple) -> None:
    scenario, plan, settings = town
    assert plan.cost is not None
    assert plan.cost.total == sum(plan.cost.terms.values())
    assert plan.cost == plan_cost(scenario, plan, settings)
    assert plan.cost.total == search_objective(
        scenario, plan, settings, HaversineTravel(settings.travel)
    )
    # town has strangers, soft preferences and double-handed calls: the terms are all at work
    assert plan.cost.terms[CostTerm.CONTINUITY] > 0 and plan.cost.terms[CostTerm.TRAVEL] > 0


def test_with_balance_paid_starts_and_dear_waiting_the_breakdown_is_the_search_objective() -> None:
    scenario = read_scenario(shipped("small") or "scenarios/small")
    settings = Settings(
        balance_weight=5,
        leave_at_shift_start=True,
        travel_weight=2,
        waiting_weight=5,
        solve=SolveSettings(time_limit_s=30, solution_limit=30),
    )
    plan = solve_day(scenario, settings)
    assert plan.cost is not None and plan.cost.terms[CostTerm.IMBALANCE] > 0
    assert plan.cost.terms[CostTerm.IDLE] > 0 and plan.cost.terms[CostTerm.RUN_LENGTH] == 0
    assert plan.cost.total == search_objective(
        scenario, plan, settings, HaversineTravel(settings.travel)
    )
    # every run leaves at its shift's start
    assert all(run.depart == run.shift_start for run in plan.runs)
