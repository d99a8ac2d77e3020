"""Released hours on the validator's small morning (see tests/test_validate.py), by hand.

The valid rota there: C1 out 08:24-10:24 (24 min of travel, 21 waiting), C2 out 09:21-10:24
(18 travel), C3 out 08:23-09:07 (14 travel). A "manual" version has C3 leave ten minutes
earlier and wait at K3: the same visits, 10 more paid minutes not spent with a client.
"""

from __future__ import annotations

from scheduler.plan import Plan
from scheduler.released import released_hours, summarise
from scheduler.settings import CompareSettings, Settings
from tests.test_validate import PLAN, RUN_C3, SCENARIO, V4_LEFT, _clock, _with_stop

SETTINGS = Settings()


def _manual(*runs: object, unallocated: tuple[object, ...] = (V4_LEFT,)) -> Plan:
    return PLAN.model_copy(update={"runs": runs, "unallocated": unallocated})


EARLY_C3 = _with_stop(
    RUN_C3.model_copy(update={"depart": _clock(8, 13)}), 0, arrival=_clock(8, 20), wait_minutes=10
)


def test_figures_are_the_plans() -> None:
    summary = summarise("optimised", SCENARIO, [PLAN], SETTINGS)
    (day,) = summary.days
    # travel 6+9+9 (C1) + 9+9 (C2) + 7+7 (C3) = 56; waiting 21 (C1 at K2)
    assert (day.travel_minutes, day.waiting_minutes, day.non_contact_minutes) == (56, 21, 77)
    assert day.visits_covered == 3 and summary.visits == 4
    assert day.covered_ids == {"V1", "V2", "V3"}


def test_ten_minutes_less_waiting_on_the_same_visits_is_released() -> None:
    manual = summarise("manual rota", SCENARIO, [_manual(*PLAN.runs[:2], EARLY_C3)], SETTINGS)
    optimised = summarise("optimised", SCENARIO, [PLAN], SETTINGS)
    released = released_hours(manual, optimised, SETTINGS)
    (day,) = released.days
    assert day.counted and day.hours == round(10 / 60, 2) == released.hours
    assert released.km_saved == 0 and released.mileage_saving == 0


def test_a_day_the_optimised_rota_covers_less_is_not_counted() -> None:
    # The optimised rota without C3's run leaves V3 out, which the manual rota covers: the
    # 14 minutes of C3's travel it saves are not released hours.
    thinner = PLAN.model_copy(
        update={
            "runs": PLAN.runs[:2],
            "unallocated": (V4_LEFT, V4_LEFT.model_copy(update={"visit_id": "V3"})),
        }
    )
    released = released_hours(
        summarise("manual rota", SCENARIO, [PLAN], SETTINGS),
        summarise("optimised", SCENARIO, [thinner], SETTINGS),
        SETTINGS,
    )
    (day,) = released.days
    assert day.hours == round(14 / 60, 2) and not day.counted and released.hours == 0
    assert day.why_not == "the optimised rota covers 2 visits, the manual rota 3"


def test_a_normal_visit_for_another_counts_a_critical_one_does_not() -> None:
    # V1 (C1's first call) is critical, V3 (C3's) normal; V4 is normal and left out by both.
    manual = summarise("manual rota", SCENARIO, [PLAN], SETTINGS)
    swaps = {
        "normal": (_with_stop(RUN_C3, 0, visit_id="V4"), "V3"),
        "critical": (_with_stop(PLAN.runs[0], 0, visit_id="V4"), "V1"),
    }
    counted = {}
    for kind, (run, left) in swaps.items():
        runs = tuple(run if r.carer_id == run.carer_id else r for r in PLAN.runs)
        other = PLAN.model_copy(
            update={"runs": runs, "unallocated": (V4_LEFT.model_copy(update={"visit_id": left}),)}
        )
        optimised = summarise("optimised", SCENARIO, [other], SETTINGS)
        counted[kind] = released_hours(manual, optimised, SETTINGS).days[0].counted
    assert counted == {"normal": True, "critical": False}


def test_a_day_less_familiar_counts_only_within_the_tolerance() -> None:
    manual = summarise("manual rota", SCENARIO, [_manual(*PLAN.runs[:2], EARLY_C3)], SETTINGS)
    optimised = summarise("optimised", SCENARIO, [PLAN], SETTINGS)
    lenient = Settings(compare=CompareSettings(continuity_tolerance=1.0))
    slightly = optimised.model_copy(
        update={
            "days": (
                optimised.days[0].model_copy(
                    update={"familiar_share": manual.days[0].familiar_share - 0.5}
                ),
            )
        }
    )
    assert not released_hours(manual, slightly, SETTINGS).days[0].counted
    assert released_hours(manual, slightly, lenient).days[0].counted
