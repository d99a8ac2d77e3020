"""Every setting has an upper bound, low enough that OR-Tools' 64-bit objective cannot
overflow: a weight of 1e30 is 422 located by its name (in a rota's options, a form and a
what-if spec), never a 202 then an OverflowError; the largest weights allowed still plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from api.keys import Role
from routing.haversine import HaversineTravel
from routing.travel import TravelSettings
from scheduler.io.scenario import read_scenario
from scheduler.model.care import BreakWindow
from scheduler.model.settings import (
    MAX_PENALTY,
    MAX_WEIGHT,
    CompareSettings,
    Settings,
    SolveSettings,
)
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan
from tests.api.conftest import Service


def _unbounded(model: type[BaseModel]) -> list[str]:
    """Numeric fields of ``model`` with no upper bound."""
    found = []
    for name, field in model.model_fields.items():
        if field.annotation not in (int, float, int | None, float | None):
            continue
        limits = {key for item in field.metadata for key in ("le", "lt") if hasattr(item, key)}
        if not limits:
            found.append(f"{model.__name__}.{name}")
    return found


def test_every_numeric_setting_has_an_upper_bound() -> None:
    models = (Settings, SolveSettings, CompareSettings, TravelSettings)
    assert [name for model in models for name in _unbounded(model)] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("travel_weight", MAX_WEIGHT + 1),
        ("continuity_weight", 10**30),
        ("drop_critical", MAX_PENALTY + 1),
        ("break_minutes", 24 * 60 + 1),
    ],
)
def test_a_setting_over_its_bound_is_refused_by_name(field: str, value: int) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings.model_validate({field: value})
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_travel_speeds_and_access_times_are_bounded() -> None:
    with pytest.raises(ValidationError, match="at most 200 km/h"):
        TravelSettings(speed_kmh={"car": 1e9, "walk": 4.8, "bike": 14.0})
    with pytest.raises(ValidationError, match="access minutes must be 0 to 120"):
        TravelSettings(access_minutes={"car": 10**12, "walk": 1, "bike": 2})


def test_the_largest_weights_allowed_still_plan(tiny_folder: Path) -> None:
    """At every bound at once the objective still fits in 64 bits: a plan, checked."""
    settings = Settings(
        travel_weight=MAX_WEIGHT,
        waiting_weight=MAX_WEIGHT,
        continuity_weight=MAX_WEIGHT,
        soft_gender_weight=MAX_WEIGHT,
        team_weight=MAX_WEIGHT,
        late_weight=MAX_WEIGHT,
        overtime_weight=MAX_WEIGHT,
        overtime_minutes=60,
        missed_break_weight=MAX_WEIGHT,
        drop_waiting=MAX_PENALTY - 3,
        drop_optional=MAX_PENALTY - 2,
        drop_normal=MAX_PENALTY - 1,
        drop_critical=MAX_PENALTY,
        solve=SolveSettings(time_limit_s=10, solution_limit=20),
    )
    scenario = read_scenario(tiny_folder)
    lunch = BreakWindow(start=11 * 60, end=12 * 60, minutes=30)  # priced at the bound too
    carers = tuple(c.model_copy(update={"break_window": lunch}) for c in scenario.carers)
    scenario = scenario.model_copy(update={"carers": carers})
    travel = HaversineTravel(settings.travel)
    plan = solve_day(scenario, settings, travel)
    assert validate_plan(scenario, plan, travel) == []
    assert sum(len(run.stops) for run in plan.runs) == 5  # 4 visits, one double-handed


def _one_issue(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    [issue] = answer.json()["issues"]
    return dict(issue)


def test_a_rota_weight_over_its_bound_is_422_by_its_name(held: Service) -> None:
    answer = held.client.post(
        "/v1/rotas",
        json={"shipped": "small", "options": {"travel_weight": 10**12}},
        headers=held.as_(Role.COORDINATOR),
    )
    issue = _one_issue(answer)
    assert (issue["column"], issue["code"]) == ("options.travel_weight", "invalid_request")
    assert "less than or equal to 1000000000" in issue["message"]


def test_a_form_weight_over_its_bound_is_422_by_its_name(
    held: Service, tiny_files: dict[str, Any]
) -> None:
    answer = held.client.post(
        "/v1/rotas",
        files=tiny_files,
        data={"continuity_weight": str(10**30)},
        headers=held.as_(Role.COORDINATOR),
    )
    issue = _one_issue(answer)
    assert (issue["column"], issue["code"]) == ("continuity_weight", "invalid_request")


def test_a_whatif_setting_over_its_bound_is_422_by_its_name(held: Service) -> None:
    spec = {"base": "small", "time_limit": 5, "settings": {"travel_weight": 1e30}}
    answer = held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER))
    issue = _one_issue(answer)
    assert issue["column"] == "settings.travel_weight"
    assert issue["code"] == "invalid_settings"


def test_a_whatif_solution_limit_over_its_bound_is_422_not_500(held: Service) -> None:
    """The spec's own fields carry the bounds of the settings they become."""
    spec = {"base": "small", "time_limit": 5, "solution_limit": 10**29}
    answer = held.client.post("/v1/whatif", json=spec, headers=held.as_(Role.PLANNER))
    issue = _one_issue(answer)
    assert issue["column"] == "solution_limit"
