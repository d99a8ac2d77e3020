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
from scheduler.rules.objective import CostTerm, plan_cost
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
