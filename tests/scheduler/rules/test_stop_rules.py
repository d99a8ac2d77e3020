"""Each rule a stop keeps, alone, with its arithmetic: the stop of the valid rota of
tests/scheduler/rules/test_day.py where C1 does V1 at K1 (leaves home 08:24, a 6-minute leg,
arrives 08:30 and starts at once, 30 minutes), changed to break one rule at a time."""

from __future__ import annotations

import pytest

from routing.haversine import HaversineTravel
from routing.travel import Place
from scheduler.model.settings import Settings
from scheduler.rules.day import STOP_RULES, AtStop
from tests.scheduler.rules.test_day import RUN_C1, SCENARIO


def _at(**change: object) -> AtStop:
    carer = SCENARIO.carer_by_id["C1"]
    visit = SCENARIO.visit_by_id["V1"]
    client = SCENARIO.client_by_id["K1"]
    places = [Place("home", carer.home.lat, carer.home.lon), Place("K1", 54.51, -6.0)]
    leg = HaversineTravel().matrix(places, "car")
    at = AtStop(
        carer=carer,
        visit=visit,
        client=client,
        stop=RUN_C1.stops[0],
        leg=(int(leg.minutes[0, 1]), int(leg.metres[0, 1])),
        ready=RUN_C1.depart,
        settings=Settings(),
    )
    fields = {name: getattr(at, name) for name in AtStop.__dataclass_fields__}
    return AtStop(**(fields | change))  # type: ignore[arg-type]


def _broken(at: AtStop) -> list[str]:
    return [v.code for rule in STOP_RULES if (v := rule(at)) is not None]


def test_the_valid_stop_keeps_every_rule() -> None:
    at = _at()
    assert at.leg == (6, 1446) and at.earliest_arrival == 8 * 60 + 24 + 6  # 08:30
    assert _broken(at) == []


STOP = RUN_C1.stops[0]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        # recorded 7 minutes, the leg is 6
        ({"stop": STOP.model_copy(update={"travel_minutes": 7})}, "wrong_travel"),
        # arrival 08:31 recorded, 08:24 + 6 = 08:30 true (and the wait 30 - 31 would not add up)
        ({"stop": STOP.model_copy(update={"arrival": 8 * 60 + 31})}, "wrong_arrival"),
        ({"stop": STOP.model_copy(update={"client_id": "K2"})}, "wrong_client"),
        # ready at 08:30, +6: cannot start before 08:36 (nor, recorded, arrive at 08:30)
        ({"ready": 8 * 60 + 30}, "wrong_arrival unreachable"),
        # 09:05 is after V1's latest start 09:00 (end 09:35 keeps the 30 minutes), 5 min late
        (
            {
                "stop": STOP.model_copy(
                    update={
                        "start": 9 * 60 + 5,
                        "end": 9 * 60 + 35,
                        "wait_minutes": 35,
                        "minutes_late": 5,
                    }
                )
            },
            "outside_window",
        ),
        # starting 08:30, 0 min after its latest start 09:00, not 3
        ({"stop": STOP.model_copy(update={"minutes_late": 3})}, "wrong_lateness"),
        ({"stop": STOP.model_copy(update={"end": 9 * 60 + 1})}, "wrong_duration"),
        (
            {"carer": SCENARIO.carer_by_id["C1"].model_copy(update={"skills": {"hoist"}})},
            "missing_skill",
        ),
        (
            {"client": SCENARIO.client_by_id["K1"].model_copy(update={"excluded_carers": {"C1"}})},
            "excluded_carer",
        ),
        (
            {"carer": SCENARIO.carer_by_id["C1"].model_copy(update={"no_go_clients": {"K1"}})},
            "no_go_client",
        ),
        (
            {"carer": SCENARIO.carer_by_id["C1"].model_copy(update={"gender": "male"})},
            "gender_preference",
        ),
        (
            {"visit": SCENARIO.visit_by_id["V1"].model_copy(update={"pinned_carer": "C2"})},
            "pinned_elsewhere",
        ),
    ],
)
def test_each_rule_alone(change: dict[str, object], code: str) -> None:
    assert _broken(_at(**change)) == code.split()


def test_the_weekly_cap_binds_only_calls_it_does_not_give_way_to() -> None:
    # K1 has seen its most carers (C2 and C3); V1 is critical, so the cap gives way to it
    # whatever the setting; made normal, only a cap that gives way to every call lets C1 in.
    capped = SCENARIO.client_by_id["K1"].model_copy(update={"week_carers": {"C2", "C3"}})
    normal = SCENARIO.visit_by_id["V1"].model_copy(update={"priority": "normal"})
    strict = Settings(cap_yields_to="critical")
    assert _broken(_at(client=capped, settings=strict)) == []
    assert _broken(_at(client=capped, visit=normal)) == []
    assert _broken(_at(client=capped, visit=normal, settings=strict)) == ["weekly_carer_cap"]
