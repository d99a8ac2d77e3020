"""Released hours on the validator's small morning (see tests/scheduler/rules/test_day.py), by hand.

The valid rota there: C1 out 08:24-10:24 (24 min of travel, 21 waiting), C2 out 09:21-10:24
(18 travel), C3 out 08:23-09:07 (14 travel). A "manual" version has C3 leave ten minutes
earlier and wait at K3: the same visits, 10 more paid minutes not spent with a client.
"""

from __future__ import annotations

from scheduler.analysis.released import (
    Released,
    ReleasedDay,
    RotaSummary,
    released_hours,
    summarise,
)
from scheduler.model.plan import Plan
from scheduler.model.settings import CompareSettings, Settings
from scheduler.render.report import (
    Comparison,
    care_phrase,
    driving_phrase,
    hours_phrase,
    released_phrase,
    report_html,
)
from tests.scheduler.rules.test_day import PLAN, RUN_C3, SCENARIO, V4_LEFT, _clock, _with_stop

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


def test_a_share_just_within_the_tolerance_counts() -> None:
    # 0.57 against 0.62 is 5 points lower, within the 5-point tolerance; in floating point
    # 0.62 - 0.05 is 0.5700000000000001, which would deny it.
    manual = summarise("manual rota", SCENARIO, [PLAN], SETTINGS)
    optimised = summarise("optimised", SCENARIO, [PLAN], SETTINGS)

    def at(summary: RotaSummary, share: float) -> RotaSummary:
        day = summary.days[0].model_copy(update={"familiar_share": share})
        return summary.model_copy(update={"days": (day,), "familiar_share": share})

    assert released_hours(at(manual, 0.62), at(optimised, 0.57), SETTINGS).days[0].counted
    assert not released_hours(at(manual, 0.62), at(optimised, 0.5699), SETTINGS).days[0].counted


def test_a_reason_not_to_count_leaves_every_day_out() -> None:
    manual = summarise("manual rota", SCENARIO, [_manual(*PLAN.runs[:2], EARLY_C3)], SETTINGS)
    optimised = summarise("optimised", SCENARIO, [PLAN], SETTINGS)
    released = released_hours(manual, optimised, SETTINGS, not_counted="continuity not matched")
    (day,) = released.days
    assert (day.counted, day.why_not, day.hours) == (False, "continuity not matched", 0.17)
    assert (released.hours, released.km_saved) == (0, 0)


NEGATIVE = Released(
    against="greedy baseline",
    days=(ReleasedDay(date=PLAN.date, hours=-3.0, counted=True),),
    hours=-3.0,
    km_saved=-924.0,
    mileage_saving=-258.72,
    currency="GBP",
)


def test_a_negative_saving_reads_more() -> None:
    assert care_phrase(-3.0) == "no care hours released (3.0 h more travel and waiting)"
    assert driving_phrase(-924.0, -258.72, "GBP") == (
        "924 km more driving (costing GBP 258.72 more)"
    )
    assert released_phrase(NEGATIVE, 1, "this week") == (
        "Against the greedy baseline: no care hours released (3.0 h more travel and waiting) "
        "this week, 924 km more driving (costing GBP 258.72 more)"
    )
    assert hours_phrase(-3.0) == "3.0 h more" and hours_phrase(2.5) == "2.5 h released"
    assert care_phrase(2.5) == "2.5 care hours released"
    assert driving_phrase(30.0, 8.4, "GBP") == "30 km less driving (saving GBP 8.40)"


def test_the_report_never_prints_a_negative_saving() -> None:
    rota = summarise("optimised rota", SCENARIO, [PLAN], SETTINGS)
    page = report_html(
        Comparison(
            scenario="validate",
            dates=(PLAN.date.isoformat(),),
            rotas=(rota, rota.model_copy(update={"name": "greedy baseline"})),
            released=(NEGATIVE,),
        )
    )
    text = page.split("<h2>Plots</h2>")[0]
    assert "924 km more driving (costing GBP 258.72 more)" in text
    assert "3.0 h more" in text and "-3" not in text and "-924" not in text
    # the bar of the plot is labelled in words too
    assert "3.0 h more" in page.split("<h2>Plots</h2>")[1]
