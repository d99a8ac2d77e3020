"""``domcare compare``: the optimised rota against the manual rota (if given) and the two
baselines, the care hours it releases, and how many people on the waiting list each could
take on. Every figure comes from one run of this function; the report shows them.

The rotas compared, all on the same visits and carers:
- optimised: ``solve_day`` / ``solve_week``;
- manual rota: the coordinator's own, read from ``manual_rota.csv`` (its breaches counted);
- coordinator baseline: how a competent coordinator builds one by hand (``docs/baselines.md``);
- greedy baseline: each call to the nearest free carer, in time order: digital, not optimised.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from routing.travel import TravelTimes
from scheduler.baselines import coordinator_rota, greedy_rota
from scheduler.errors import DomcareError
from scheduler.intake import absorb_optimised, plan_all, slot_by_hand
from scheduler.manual import Assignment, rota_breaches, rota_plans
from scheduler.model import Priority, Scenario
from scheduler.plan import Plan
from scheduler.released import RotaSummary, released_hours, summarise
from scheduler.report import Comparison, Intake
from scheduler.settings import Settings
from scheduler.waiting import CarePackage
from scheduler.week import validate_plans

__all__ = ["OPTIMISED", "CompareRun", "compare"]

OPTIMISED = "optimised rota"
MANUAL = "manual rota"
COORDINATOR = "coordinator baseline"
GREEDY = "greedy baseline"

Say = Callable[[str], None]


@dataclass(frozen=True)
class CompareRun:
    comparison: Comparison
    plans: dict[str, tuple[Plan, ...]]
    """Each rota's plans, by rota name."""


def _current_covered(scenario: Scenario, plans: Sequence[Plan]) -> int:
    own = {v.id for v in scenario.visits if v.priority is not Priority.WAITING}
    return len({stop.visit_id for plan in plans for run in plan.runs for stop in run.stops} & own)


def _check_optimised(
    scenario: Scenario, plans: tuple[Plan, ...], settings: Settings, travel: TravelTimes
) -> None:
    broken = validate_plans(scenario, plans, settings, travel)
    if broken:  # never expected: the solver's plans are repaired and checked as they are made
        raise DomcareError(
            f"the optimised rota breaks {len(broken)} hard rule(s), first: {broken[0]}"
        )


def compare(
    scenario: Scenario,
    settings: Settings,
    travel: TravelTimes,
    manual: Sequence[Assignment] | None = None,
    packages: Sequence[CarePackage] | None = None,
    say: Say | None = None,
) -> CompareRun:
    """Plan, evaluate and compare; ``say`` hears each step (it takes a while: one optimised
    plan, and with a waiting list up to ``intake.MAX_ROUNDS`` more)."""
    tell = say or (lambda _: None)
    tell("planning the optimised rota")
    optimised = plan_all(scenario, settings, travel)
    _check_optimised(scenario, optimised, settings, travel)
    plans: dict[str, tuple[Plan, ...]] = {OPTIMISED: optimised}
    summaries: list[RotaSummary] = [summarise(OPTIMISED, scenario, optimised, settings)]
    rotas: dict[str, Sequence[Assignment]] = {}
    if manual is not None:
        rotas[MANUAL] = manual
    tell("building the coordinator and greedy baselines")
    rotas[COORDINATOR] = coordinator_rota(scenario, travel, settings)
    rotas[GREEDY] = greedy_rota(scenario, travel, settings)
    for name, assignments in rotas.items():
        made = tuple(rota_plans(scenario, assignments, travel, settings))
        breaches = rota_breaches(scenario, assignments, made, travel)
        plans[name] = made
        summaries.append(summarise(name, scenario, made, settings, breaches=len(breaches)))
    released = tuple(released_hours(other, summaries[0], settings) for other in summaries[1:])

    intake: list[Intake] = []
    notes: list[str] = []
    if packages:
        by_hand = MANUAL if manual is not None else COORDINATOR
        tell(f"slotting the waiting list into the {by_hand} by hand")
        extended, slotted, taken = slot_by_hand(
            scenario, packages, rotas[by_hand], travel, settings
        )
        hand_plans = tuple(rota_plans(extended, slotted, travel, settings))
        intake.append(
            Intake(
                rota=f"{by_hand}, slotted by hand",
                packages=len(packages),
                taken_on=taken,
                current_visits_covered=_current_covered(extended, hand_plans),
            )
        )
        tell("planning the optimised rota with the waiting list")
        absorbed = absorb_optimised(scenario, packages, settings, travel)
        _check_optimised(absorbed.scenario, absorbed.plans, settings, travel)
        plans[f"{OPTIMISED} with the waiting list"] = absorbed.plans
        intake.append(
            Intake(
                rota=f"{OPTIMISED}, planned again",
                packages=len(packages),
                taken_on=absorbed.taken_on,
                current_visits_covered=_current_covered(absorbed.scenario, absorbed.plans),
            )
        )
        notes.append(
            "People are taken on all or nothing: every call of their package on the planned "
            "dates must be covered. Current clients' visits covered with them are shown: the "
            "optimised plan never trades a current visit for a newcomer's on purpose (a "
            f"newcomer's call is worth {settings.drop_waiting / settings.drop_normal:.0%} of "
            "one), but a plan made in limited time can differ by a visit or two."
        )
    single = len(scenario.dates) == 1
    if single:
        notes.append(
            "The scenario is one day: weekly figures in the headline are that day x 7, an "
            "estimate; plan a week (a scenario with seven dates) for measured weekly figures."
        )
    notes.append(
        "Released hours count only days on which the optimised rota covers at least as many "
        "visits, every critical visit the other covers, and its familiar-carer share is at "
        f"most {settings.compare.continuity_tolerance:.0%} lower."
    )
    comparison = Comparison(
        scenario=scenario.name,
        dates=tuple(d.isoformat() for d in scenario.dates),
        rotas=tuple(summaries),
        released=released,
        intake=tuple(intake),
        week_estimate=single,
        notes=tuple(notes),
    )
    return CompareRun(comparison, plans)
