"""``domcare compare``: the optimised rota against the manual rota (if given) and the two
baselines, the care hours it releases, and how many people on the waiting list each could
take on. Every figure comes from one run of this function; the report shows them.

The rotas compared, all on the same visits and carers:
- optimised: ``solve_day`` / ``solve_week``, planned for continuity no worse than the
  reference rota's (below);
- manual rota: the coordinator's own, read from ``manual_rota.csv`` (its breaches listed);
- coordinator baseline: how a competent coordinator builds one by hand (``docs/baselines.md``);
- greedy baseline: each call to the nearest free carer, in time order: digital, not optimised.

Hours released by sending clients strangers are not released. So the optimised rota is
planned to a familiar share at least the reference rota's (the manual rota if given, else the
coordinator baseline), and in a week no day more than ``continuity_tolerance`` below that
day's: first at the settings' own continuity weight, then, while it falls short, again at each
higher weight of ``CompareSettings.continuity_weights``, each solve with the same search limit
and checked by the validator. The first plan that matches is kept; if none does, the most
familiar one is kept and said to fall short, and no hours it releases against the reference
rota are counted. Measured on town (30 s a solve): 57 % familiar at weight 100, 63 % at 300,
1000 and 3000, against the coordinator baseline's 62 %. A hard floor on each client's
familiar visits was not tried: the routing model (``routing/``) would have to count them, and
on town the share levels off from weight 300 on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from routing.travel import TravelTimes
from scheduler.analysis.baselines import coordinator_rota, greedy_rota
from scheduler.analysis.comparison import Comparison, ContinuityMatch, ContinuityTry, Intake
from scheduler.analysis.intake import absorb_optimised, slot_by_hand
from scheduler.analysis.manual import Assignment, rota_breaches, rota_plans, wrong_carer_visits
from scheduler.analysis.released import RotaSummary, continuity_kept, released_hours, summarise
from scheduler.analysis.waiting import CarePackage
from scheduler.model.care import Priority, Scenario
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings
from scheduler.planning.rota import plan_rota

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


def _current_covered(
    scenario: Scenario, plans: Sequence[Plan], wrong: frozenset[str] = frozenset()
) -> int:
    """The scenario's own visits covered, not counting those done by a carer who may not."""
    own = {v.id for v in scenario.visits if v.priority is not Priority.WAITING} - wrong
    return len({stop.visit_id for plan in plans for run in plan.runs for stop in run.stops} & own)


@dataclass(frozen=True)
class _Tried:
    weight: int
    settings: Settings
    plans: tuple[Plan, ...]
    summary: RotaSummary
    seconds: float
    matched: bool


def _matches(reference: RotaSummary, optimised: RotaSummary, tolerance: float) -> bool:
    """Continuity no worse than the reference's: the familiar share over the dates at least
    theirs, and no day more than ``tolerance`` below theirs that day."""
    return continuity_kept(reference.familiar_share, optimised.familiar_share, 0.0) and all(
        continuity_kept(theirs.familiar_share, ours.familiar_share, tolerance)
        for theirs, ours in zip(reference.days, optimised.days, strict=True)
    )


def _search(settings: Settings, days: int) -> str:
    limit = settings.solve
    text = f"{limit.time_limit_s:g} s"
    if limit.solution_limit is not None:
        text = f"at most {text} or {limit.solution_limit} solutions"
    return text + (" a day" if days > 1 else "")


def _method(
    reference: RotaSummary, tried: Sequence[_Tried], kept: _Tried, search: str, tolerance: float
) -> str:
    their = f"the {reference.name}'s {reference.familiar_share:.0%} familiar share"
    if len(reference.days) > 1:
        their += f" over the week (no day more than {tolerance:.0%} below its share that day)"
    if kept.matched and len(tried) == 1:
        text = (
            f"planned at continuity weight {kept.weight}, the settings' own: familiar share "
            f"{kept.summary.familiar_share:.0%}, no less than {their}"
        )
    elif kept.matched:
        text = (
            f"planned at continuity weight {kept.weight} to match {their}: "
            f"{kept.summary.familiar_share:.0%}"
        )
    else:
        text = (
            f"no continuity weight tried matched {their}: the most familiar plan, "
            f"{kept.summary.familiar_share:.0%} at weight {kept.weight}, is kept, and the "
            f"hours it releases against the {reference.name} are not counted"
        )
    tries = ", ".join(f"{t.weight} gave {t.summary.familiar_share:.0%}" for t in tried)
    spent = sum(t.seconds for t in tried)
    return f"{text}; weights tried: {tries}; each solve searched {search}, {spent:,.0f} s in all"


def _plan_matched(
    scenario: Scenario,
    settings: Settings,
    travel: TravelTimes,
    reference: RotaSummary,
    tell: Say,
) -> tuple[_Tried, ContinuityMatch]:
    """The optimised rota planned at rising continuity weights until its continuity is no
    worse than ``reference``'s (the module note), and how it went."""
    tolerance = settings.compare.continuity_tolerance
    weights = [settings.continuity_weight] + [
        w for w in settings.compare.continuity_weights if w > settings.continuity_weight
    ]
    tried: list[_Tried] = []
    for weight in weights:
        tell(
            f"planning the optimised rota at continuity weight {weight} (the {reference.name}: "
            f"{reference.familiar_share:.0%} familiar)"
        )
        rung = settings.model_copy(update={"continuity_weight": weight})
        began = time.monotonic()
        plans = plan_rota(scenario, rung, travel).plans  # checked by the validator
        seconds = time.monotonic() - began
        summary = summarise(OPTIMISED, scenario, plans, rung)
        matched = _matches(reference, summary, tolerance)
        tried.append(_Tried(weight, rung, plans, summary, seconds, matched))
        if matched:
            break
    kept = (
        tried[-1]
        if tried[-1].matched
        else max(tried, key=lambda t: (t.summary.familiar_share, -t.weight))
    )
    search = _search(settings, len(scenario.dates))
    match = ContinuityMatch(
        reference=reference.name,
        reference_share=reference.familiar_share,
        tolerance=tolerance,
        search=search,
        tried=tuple(
            ContinuityTry(
                continuity_weight=t.weight,
                familiar_share=t.summary.familiar_share,
                visits_covered=t.summary.visits_covered,
                non_contact_minutes=t.summary.travel_minutes + t.summary.waiting_minutes,
                matched=t.matched,
                seconds=round(t.seconds, 1),
            )
            for t in tried
        ),
        continuity_weight=kept.weight,
        matched=kept.matched,
        seconds=round(sum(t.seconds for t in tried), 1),
        method=_method(reference, tried, kept, search, tolerance),
    )
    return kept, match


def compare(
    scenario: Scenario,
    settings: Settings,
    travel: TravelTimes,
    manual: Sequence[Assignment] | None = None,
    packages: Sequence[CarePackage] | None = None,
    say: Say | None = None,
) -> CompareRun:
    """Plan, evaluate and compare; ``say`` hears each step (it takes a while: one optimised
    plan per continuity weight tried, and with a waiting list up to ``intake.MAX_ROUNDS``
    more)."""
    tell = say or (lambda _: None)
    rotas: dict[str, Sequence[Assignment]] = {}
    if manual is not None:
        rotas[MANUAL] = manual
    tell("building the coordinator and greedy baselines")
    rotas[COORDINATOR] = coordinator_rota(scenario, travel, settings)
    rotas[GREEDY] = greedy_rota(scenario, travel, settings)
    made_plans: dict[str, tuple[Plan, ...]] = {}
    others: list[RotaSummary] = []
    for name, assignments in rotas.items():
        made = tuple(rota_plans(scenario, assignments, travel, settings))
        breaches = rota_breaches(scenario, assignments, made, travel)
        made_plans[name] = made
        others.append(summarise(name, scenario, made, settings, breaches=breaches))
    kept, continuity = _plan_matched(scenario, settings, travel, others[0], tell)
    plans = {OPTIMISED: kept.plans, **made_plans}
    summaries = [kept.summary, *others]
    short = (
        None
        if continuity.matched
        else f"continuity not matched: familiar share {kept.summary.familiar_share:.0%} at "
        f"best, against {others[0].familiar_share:.0%}"
    )
    released = tuple(
        released_hours(other, kept.summary, settings, short if other is others[0] else None)
        for other in others
    )

    intake: list[Intake] = []
    notes: list[str] = []
    if packages:
        by_hand = MANUAL if manual is not None else COORDINATOR
        tell(f"slotting the waiting list into the {by_hand} by hand")
        extended, slotted, taken = slot_by_hand(
            scenario, packages, rotas[by_hand], travel, settings
        )
        hand_plans = tuple(rota_plans(extended, slotted, travel, settings))
        wrong = wrong_carer_visits(rota_breaches(extended, slotted, hand_plans, travel))
        intake.append(
            Intake(
                rota=f"{by_hand}, slotted by hand",
                packages=len(packages),
                taken_on=taken,
                current_visits_covered=_current_covered(extended, hand_plans, wrong),
            )
        )
        tell(
            f"planning the optimised rota with the waiting list at continuity weight {kept.weight}"
        )
        absorbed = absorb_optimised(scenario, packages, kept.settings, travel)  # checked
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
        f"most {settings.compare.continuity_tolerance:.0%} lower. A visit done by a carer who "
        "may not do it (a skill missing, excluded by the client, a hard gender preference, "
        "pinned to another carer) is not counted as covered."
    )
    comparison = Comparison(
        scenario=scenario.name,
        dates=tuple(d.isoformat() for d in scenario.dates),
        rotas=tuple(summaries),
        released=released,
        continuity=continuity,
        intake=tuple(intake),
        week_estimate=single,
        notes=tuple(notes),
    )
    return CompareRun(comparison, plans)
