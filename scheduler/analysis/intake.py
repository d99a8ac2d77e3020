"""Taking people on from the waiting list, all or nothing, two ways.

- By hand (``slot_by_hand``), as a coordinator does it: packages in waiting order, each call
  put into a gap in some carer's day without moving anyone else's calls, choosing the carer
  whose gap adds least travel; the package is taken on only if every one of its calls finds a
  gap. Each gap found by arithmetic is then checked by the validator on that carer's day, so
  a slotted call never breaks a rule the rota did not already break.
- Optimised (``absorb_optimised``): the day (or week) planned again with every package's
  calls as ``WAITING`` visits, which are only taken where carers have room and never at the
  cost of a current client's visit. Packages left partly covered are withdrawn and the rest
  planned again, until every package still in is whole (or ``MAX_ROUNDS``; then the calls of
  packages still partial are taken out of the plan).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from routing.travel import TravelTimes
from scheduler.analysis.manual import Assignment, rota_breaches, rota_plans
from scheduler.analysis.waiting import CarePackage, taken_on, with_packages
from scheduler.model.care import Carer, Scenario, Visit
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings
from scheduler.rules.eligibility import Eligibility
from scheduler.rules.journeys import Journeys, build_journeys
from scheduler.rules.week import BrokenRota, validate_plans

__all__ = ["MAX_ROUNDS", "Absorbed", "absorb_optimised", "slot_by_hand"]

MAX_ROUNDS = 3
"""Plans of the optimised intake: each withdraws the packages the one before left partial."""


@dataclass(frozen=True)
class Absorbed:
    """A rota with the waiting list's packages it takes on."""

    scenario: Scenario
    """The scenario with the packages taken on, as ``with_packages`` makes it."""
    plans: tuple[Plan, ...]
    taken_on: tuple[str, ...]


Planner = Callable[[Scenario], tuple[Plan, ...]]


def _assignments(plans: Sequence[Plan]) -> list[Assignment]:
    return [
        Assignment(carer_id=run.carer_id, date=plan.date, visit_id=stop.visit_id, start=stop.start)
        for plan in plans
        for run in plan.runs
        for stop in run.stops
    ]


def absorb_optimised(
    scenario: Scenario,
    packages: Sequence[CarePackage],
    settings: Settings,
    travel: TravelTimes,
    planner: Planner | None = None,
) -> Absorbed:
    """The packages an optimised rota takes on, whole, and its plans."""
    if planner is None:
        from scheduler.planning.rota import plan_rota  # OR-Tools only where a plan is made

        planner = lambda s: plan_rota(s, settings, travel).plans  # noqa: E731
    plan = planner
    trying = list(packages)
    extended = with_packages(scenario, trying)
    plans = plan(extended)
    for _ in range(MAX_ROUNDS - 1):
        whole = set(taken_on(extended, trying, plans))
        if len(whole) == len(trying):
            break
        trying = [p for p in trying if p.id in whole]
        extended = with_packages(scenario, trying)
        plans = plan(extended)
    whole = set(taken_on(extended, trying, plans))
    if len(whole) < len(trying):  # still partial after the last round: withdraw them
        trying = [p for p in trying if p.id in whole]
        extended = with_packages(scenario, trying)
        kept = [a for a in _assignments(plans) if a.visit_id in extended.visit_by_id]
        plans = rota_plans(extended, kept, travel, settings)
        broken = validate_plans(extended, plans, settings, travel)
        if broken:  # taking calls out of checked runs keeps every rule: never expected
            raise BrokenRota(broken)
    return Absorbed(extended, tuple(plans), tuple(p.id for p in trying))


# ---- by hand ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    start: int
    end: int
    place: int


@dataclass(frozen=True)
class _Gap:
    carer: Carer
    low: int
    """Earliest start the gap allows."""
    high: int
    extra_travel: int


def _gaps(
    visit: Visit,
    carer: Carer,
    calls: list[_Call],
    journeys: Journeys,
    place: int,
) -> list[_Gap]:
    """Where ``visit`` (at ``place``) fits between ``carer``'s calls that day, untouched."""
    minutes = journeys.minutes[carer.travel_mode]
    home = journeys.home_place[carer.id]
    found = []
    for shift in carer.shifts_for(visit.date):
        inside = sorted(
            (c for c in calls if shift.start <= c.start < shift.end), key=lambda c: c.start
        )
        stops = [_Call(shift.start, shift.start, home), *inside, _Call(shift.end, shift.end, home)]
        for before, after in zip(stops, stops[1:], strict=False):
            low = max(visit.earliest_start, before.end + int(minutes[before.place, place]))
            high = min(
                visit.latest_start,
                after.start - visit.duration - int(minutes[place, after.place]),
            )
            if low <= high:
                extra = (
                    int(minutes[before.place, place])
                    + int(minutes[place, after.place])
                    - int(minutes[before.place, after.place])
                )
                found.append(_Gap(carer, low, high, extra))
    return found


def _breaches(
    scenario: Scenario,
    carer: Carer,
    day: list[Assignment],
    travel: TravelTimes,
    settings: Settings,
) -> int:
    """Rules ``carer``'s calls ``day`` (one date) break, that carer's day checked alone (so a
    double-handed call's other half is not missed)."""
    if not day:
        return 0
    visits = tuple(scenario.visit_by_id[a.visit_id] for a in day)
    clients = {v.client_id for v in visits}
    alone = Scenario(
        name=scenario.name,
        date=day[0].date,
        carers=(carer,),
        clients=tuple(c for c in scenario.clients if c.id in clients),
        visits=visits,
        skills=scenario.skills,
    )
    plans = rota_plans(alone, day, travel, settings)
    return sum(
        1 for b in rota_breaches(alone, day, plans, travel) if b.code != "double_handed_alone"
    )


def slot_by_hand(
    scenario: Scenario,
    packages: Sequence[CarePackage],
    assignments: Sequence[Assignment],
    travel: TravelTimes,
    settings: Settings,
) -> tuple[Scenario, tuple[Assignment, ...], tuple[str, ...]]:
    """The packages a coordinator fits into the gaps of the rota ``assignments``, in waiting
    order: the scenario with them, the rota with their calls, and their ids."""
    everyone = with_packages(scenario, packages)
    journeys = build_journeys(everyone, travel)
    calls: dict[tuple[str, object], list[_Call]] = defaultdict(list)
    rota: dict[tuple[str, object], list[Assignment]] = defaultdict(list)
    for item in assignments:
        visit = everyone.visit_by_id[item.visit_id]
        place = journeys.client_place[visit.client_id]
        calls[(item.carer_id, item.date)].append(
            _Call(item.start, item.start + visit.duration, place)
        )
        rota[(item.carer_id, item.date)].append(item)

    eligibility = Eligibility(everyone, journeys)
    taken: list[CarePackage] = []
    added: list[Assignment] = []
    for package in packages:
        trial_calls = {key: list(value) for key, value in calls.items()}
        trial_rota = {key: list(value) for key, value in rota.items()}
        mine = sorted(
            (v for v in everyone.visits if v.client_id == package.client_id),
            key=lambda v: (v.date, v.earliest_start),
        )
        placed: list[Assignment] = []
        whole = bool(mine)  # a package with no call on these dates is not taken on
        for visit in mine:
            chosen = _slot(
                everyone, visit, trial_calls, trial_rota, journeys, eligibility, travel, settings
            )
            if chosen is None:
                whole = False
                break
            place = journeys.client_place[visit.client_id]
            for item in chosen:
                key = (item.carer_id, item.date)
                trial_calls.setdefault(key, []).append(
                    _Call(item.start, item.start + visit.duration, place)
                )
                trial_rota.setdefault(key, []).append(item)
                placed.append(item)
        if whole:
            calls = defaultdict(list, trial_calls)
            rota = defaultdict(list, trial_rota)
            taken.append(package)
            added += placed
    extended = with_packages(scenario, taken)
    return extended, (*assignments, *added), tuple(p.id for p in taken)


def _slot(
    scenario: Scenario,
    visit: Visit,
    calls: dict[tuple[str, object], list[_Call]],
    rota: dict[tuple[str, object], list[Assignment]],
    journeys: Journeys,
    eligibility: Eligibility,
    travel: TravelTimes,
    settings: Settings,
) -> list[Assignment] | None:
    """The carers (one, or two at one start) and start for ``visit``, in the gaps adding least
    travel that the validator accepts; None when there are none."""
    able, _ = eligibility.suitable(visit)
    place = journeys.client_place[visit.client_id]
    gaps = sorted(
        (
            gap
            for carer in able
            for gap in _gaps(visit, carer, calls.get((carer.id, visit.date), []), journeys, place)
        ),
        key=lambda g: (g.extra_travel, g.low, g.carer.id),
    )

    def works(carer: Carer, start: int) -> bool:
        day = rota.get((carer.id, visit.date), [])
        item = Assignment(carer_id=carer.id, date=visit.date, visit_id=visit.id, start=start)
        before = _breaches(scenario, carer, day, travel, settings)
        return _breaches(scenario, carer, [*day, item], travel, settings) <= before

    if not visit.double_handed:
        for gap in gaps[:_CHECKED]:
            if works(gap.carer, gap.low):
                return [
                    Assignment(
                        carer_id=gap.carer.id, date=visit.date, visit_id=visit.id, start=gap.low
                    )
                ]
        return None
    pairs = sorted(
        (
            (a.extra_travel + b.extra_travel, max(a.low, b.low), a, b)
            for i, a in enumerate(gaps)
            for b in gaps[i + 1 :]
            if a.carer.id != b.carer.id and max(a.low, b.low) <= min(a.high, b.high)
        ),
        key=lambda p: (p[0], p[1], p[2].carer.id, p[3].carer.id),
    )
    for _, start, a, b in pairs[:_CHECKED]:
        if works(a.carer, start) and works(b.carer, start):
            return [
                Assignment(carer_id=c.id, date=visit.date, visit_id=visit.id, start=start)
                for c in (a.carer, b.carer)
            ]
    return None


_CHECKED = 8
"""Gaps (or pairs of gaps) checked by the validator before a call is given up as not fitting."""
