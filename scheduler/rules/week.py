"""The rules of a week, across its days: weekly minutes, rest between days, and the weekly cap
on distinct carers a client sees.

They are applied to each day before it is planned, as edits to a one-day scenario
(``day_scenario``: the day's carers with their rest and the minutes left of their week, each
client's carers within the cap), so the day's own rules (``scheduler.rules.day``) keep them;
``validate_week`` checks them again over the whole week from the plans alone. The carers within
a client's cap are those with the most visits, then the earliest; when the cap gives way to
every call (``Settings.cap_yields_to``), a carer it gave way to before may come again at no
further cost to it. The carers of the calls the cap binds (normal calls, when it gives way to
critical calls only; none when it gives way to all) are at most the cap.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from routing.haversine import HaversineTravel
from routing.travel import TravelTimes
from scheduler.model.care import Carer, HistoryEntry, Scenario, Shift
from scheduler.model.clock import MINUTES_PER_DAY, format_clock
from scheduler.model.errors import DomcareError
from scheduler.model.plan import Plan, WeekPlan
from scheduler.model.settings import CapYields, Settings
from scheduler.rules.day import Violation, validate_plan

__all__ = [
    "BrokenRota",
    "carers_seen",
    "day_scenario",
    "first_leave",
    "last_home",
    "paid_minutes",
    "validate_plans",
    "validate_week",
    "week_rules",
    "within_cap",
]


def paid_minutes(plan: Plan) -> Counter[str]:
    """Carer id -> paid minutes (leaving home to getting back, less breaks) in ``plan``."""
    paid: Counter[str] = Counter()
    for run in plan.runs:
        paid[run.carer_id] += run.paid_minutes
    return paid


def last_home(plan: Plan) -> dict[str, int]:
    """Carer id -> when the carer is last back home that day."""
    last: dict[str, int] = {}
    for run in plan.runs:
        last[run.carer_id] = max(last.get(run.carer_id, 0), run.return_home)
    return last


def first_leave(plan: Plan) -> dict[str, int]:
    """Carer id -> when the carer first leaves home that day."""
    first: dict[str, int] = {}
    for run in plan.runs:
        first[run.carer_id] = min(first.get(run.carer_id, MINUTES_PER_DAY), run.depart)
    return first


def carers_seen(plans: Sequence[Plan]) -> dict[str, set[str]]:
    """Client id -> the carers who visited in ``plans``."""
    seen: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        for run in plan.runs:
            for stop in run.stops:
                seen[stop.client_id].add(run.carer_id)
    return seen


def within_cap(plans: Sequence[Plan], cap: int) -> dict[str, frozenset[str]]:
    """Client id -> the ``cap`` carers within the client's weekly cap, for each client who has
    seen at least that many in ``plans``: those with the most visits, then the earliest, so
    that a carer who came once because no one within the cap could is not one of them."""
    visits: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[tuple[str, str], dt.date] = {}
    for plan in plans:
        for run in plan.runs:
            for stop in run.stops:
                visits[stop.client_id][run.carer_id] += 1
                first.setdefault((stop.client_id, run.carer_id), plan.date)
    return {
        client_id: frozenset(
            sorted(by_carer, key=lambda c: (-by_carer[c], first[client_id, c], c))[:cap]
        )
        for client_id, by_carer in visits.items()
        if len(by_carer) >= cap
    }


def _as_history(plans: Sequence[Plan]) -> list[HistoryEntry]:
    entries = {
        (stop.client_id, run.carer_id, plan.date)
        for plan in plans
        for run in plan.runs
        for stop in run.stops
    }
    return [HistoryEntry(client_id=c, carer_id=k, date=d) for c, k, d in sorted(entries)]


def _rested(shifts: tuple[Shift, ...], earliest: int) -> tuple[Shift, ...]:
    """``shifts`` starting no earlier than ``earliest``; a shift with no time left is dropped."""
    return tuple(
        Shift(start=max(shift.start, earliest), end=shift.end)
        for shift in shifts
        if shift.end > earliest
    )


def day_scenario(
    scenario: Scenario, date: dt.date, week_so_far: Sequence[Plan], settings: Settings
) -> Scenario:
    """The day ``date`` of a week as a one-day scenario, given the plans of the earlier days.

    Its visits are that date's; its carers those with shifts that day, after the rest and
    weekly-minutes rules; its history the scenario's plus the week so far; and a client at the
    week's cap on distinct carers excludes every carer not seen yet.
    """
    before = [plan for plan in week_so_far if plan.date < date]
    worked: Counter[str] = Counter()
    for plan in before:
        worked += paid_minutes(plan)
    yesterday = next((p for p in before if p.date == date - dt.timedelta(days=1)), None)
    home_by = last_home(yesterday) if yesterday else {}
    carers: list[Carer] = []
    for carer in scenario.carers:
        shifts = carer.shifts_for(date)
        if carer.id in home_by:
            # Back at 22:00 (1320) with 11 h (660) of rest: 1320 + 660 - 1440 = 540, 09:00.
            shifts = _rested(
                shifts, home_by[carer.id] + settings.min_rest_minutes - MINUTES_PER_DAY
            )
        limit, left = carer.max_working_minutes, None
        if carer.max_weekly_minutes is not None:
            left = carer.max_weekly_minutes - worked[carer.id]
            if left <= 0:
                continue
            limit = min(limit, left) if limit is not None else left
        if shifts:
            carers.append(
                carer.model_copy(
                    update={
                        "shifts": shifts,
                        "max_working_minutes": limit,
                        "week_minutes_left": left,
                    }
                )
            )
    # When the cap gives way to every call, a carer it gave way to before may come again at no
    # further cost to it (the client has seen them); when it gives way to critical calls only,
    # normal calls stay with the carers within it.
    cap = settings.max_carers_per_client_week
    within = within_cap(before, cap)
    if settings.cap_yields_to is CapYields.ALL:
        seen = carers_seen(before)
        within = {client_id: frozenset(seen[client_id]) for client_id in within}
    clients = tuple(
        client.model_copy(update={"week_carers": within[client.id]})
        if client.id in within
        else client
        for client in scenario.clients
    )
    return scenario.model_copy(
        update={
            "date": date,
            "carers": tuple(carers),
            "clients": clients,
            "visits": tuple(visit for visit in scenario.visits if visit.date == date),
            "history": scenario.history + tuple(_as_history(before)),
        }
    )


def week_rules(scenario: Scenario, week: WeekPlan) -> list[Violation]:
    """Weekly minutes, rest between days and distinct carers per client, from the plans."""
    found: list[Violation] = []
    worked: Counter[str] = Counter()
    for plan in week.days:
        worked += paid_minutes(plan)
    for carer in scenario.carers:
        limit = carer.max_weekly_minutes
        if limit is not None and worked[carer.id] > limit:
            found.append(
                Violation(
                    "max_weekly_time",
                    f"carer {carer.id} works {worked[carer.id]} min in the week, more than the "
                    f"{limit} allowed",
                    carer_id=carer.id,
                )
            )
    rest = week.settings.min_rest_minutes
    for yesterday, today in zip(week.days, week.days[1:], strict=False):
        days_apart = (today.date - yesterday.date).days
        home_by, leave = last_home(yesterday), first_leave(today)
        for carer_id in sorted(home_by.keys() & leave.keys()):
            gap = leave[carer_id] + days_apart * MINUTES_PER_DAY - home_by[carer_id]
            if gap < rest:
                found.append(
                    Violation(
                        "short_rest",
                        f"carer {carer_id} is home at {format_clock(home_by[carer_id])} on "
                        f"{yesterday.date} and leaves at {format_clock(leave[carer_id])} on "
                        f"{today.date}: {gap} min of rest, less than {rest}",
                        carer_id=carer_id,
                    )
                )
    cap, settings = week.settings.max_carers_per_client_week, week.settings
    bound: dict[str, set[str]] = defaultdict(set)  # client -> carers of calls the cap binds
    for plan in week.days:
        for run in plan.runs:
            for stop in run.stops:
                visit = scenario.visit_by_id.get(stop.visit_id)  # unknown: said per day
                if visit is not None and not settings.cap_yields(visit.priority):
                    bound[stop.client_id].add(run.carer_id)
    for client_id, carers in sorted(bound.items()):
        if len(carers) > cap:
            found.append(
                Violation(
                    "too_many_carers",
                    f"client {client_id} sees {len(carers)} carers in the week for calls the "
                    f"cap binds ({', '.join(sorted(carers))}), more than {cap}",
                )
            )
    return found


def validate_week(
    scenario: Scenario, week: WeekPlan, travel: TravelTimes | None = None
) -> list[Violation]:
    """Every broken hard rule of the week: each day against its own day scenario (rebuilt
    from the days before it), then the week's rules checked from the plans alone."""
    travel = travel or HaversineTravel(week.settings.travel)
    found: list[Violation] = []
    dates = tuple(plan.date for plan in week.days)
    if dates != scenario.dates:
        found.append(
            Violation(
                "wrong_dates",
                f"the week plans {', '.join(map(str, dates))}; the scenario has visits on "
                f"{', '.join(map(str, scenario.dates))}",
            )
        )
    for number, plan in enumerate(week.days):
        day = day_scenario(scenario, plan.date, week.days[:number], week.settings)
        found += [
            Violation(v.code, f"{plan.date}: {v.message}", v.carer_id, v.visit_id)
            for v in validate_plan(day, plan, travel)
        ]
    return found + week_rules(scenario, week)


def validate_plans(
    scenario: Scenario, plans: Sequence[Plan], settings: Settings, travel: TravelTimes
) -> list[Violation]:
    """Every broken hard rule of ``plans``, one per date as ``planning.rota.plan_rota`` makes them:
    a day checked as a day, several as a week."""
    if len(plans) > 1:
        week = WeekPlan(scenario=scenario.name, settings=settings, days=tuple(plans))
        return validate_week(scenario, week, travel)
    return validate_plan(scenario, plans[0], travel)


class BrokenRota(DomcareError):
    """The search's plan breaks a hard rule: a bug in domcare, never written or stored."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        shown = "; ".join(str(v) for v in violations[:3])
        super().__init__(
            f"the plan breaks {len(violations)} hard rule(s), so it was not kept (a bug in "
            f"domcare, please report it): {shown}"
        )
