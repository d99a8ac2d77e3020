"""The validator's other-carer rule of a gap, on a plan the solver made for one carer."""

from __future__ import annotations

from pathlib import Path

from routing.haversine import HaversineTravel
from scheduler.rules.day import validate_plan
from tests.scheduler.planning.test_day import SETTINGS, _gap_day, carers_of, solve


def test_the_validator_finds_one_carer_doing_two_calls_that_need_two(tmp_path: Path) -> None:
    # Without other_carer C1 does both; the same plan checked against other_carer says so.
    scenario = _gap_day(tmp_path, "C1", "240,,no")
    plan = solve(scenario)
    assert carers_of(plan, "V3") == carers_of(plan, "V4") == ["C1"]
    apart = scenario.model_copy(
        update={
            "visits": tuple(
                v.model_copy(update={"other_carer": True}) if v.id == "V4" else v
                for v in scenario.visits
            )
        }
    )
    found = validate_plan(apart, plan, HaversineTravel(SETTINGS.travel))
    assert [v.code for v in found] == ["same_carer_for_gap"]
