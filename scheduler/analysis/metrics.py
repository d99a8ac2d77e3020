"""The day's figures, per carer and in total, computed from a plan alone.

Paid minutes are each run's span, from leaving home to getting back (travel from and to home
included, as most UK providers pay it), less its unpaid break; contact minutes are time at
clients; utilisation is contact / paid. A double-handed visit counts once per carer for
contact time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from scheduler.model.base import Frozen
from scheduler.model.care import Scenario
from scheduler.model.plan import Plan, WeekPlan
from scheduler.rules.objective import familiar_carers, minutes_late
from scheduler.rules.week import day_scenario, paid_minutes, within_cap

__all__ = [
    "CarerFigures",
    "CarerWeekFigures",
    "DayFigures",
    "WeekFigures",
    "day_figures",
    "week_figures",
]


class CarerFigures(Frozen):
    carer_id: str
    runs: int
    visits: int
    contact_minutes: int
    travel_minutes: int
    travel_km: float
    waiting_minutes: int
    paid_minutes: int
    utilisation: float


class DayFigures(Frozen):
    visits: int
    visits_allocated: int
    visits_unallocated: int
    allocated_share: float
    carers_working: int
    contact_minutes: int
    travel_minutes: int
    travel_km: float
    waiting_minutes: int
    paid_minutes: int
    utilisation: float
    unallocated_by_reason: dict[str, int]
    unallocated_minutes_by_reason: dict[str, int]
    distinct_carers_per_client: float
    """Mean over clients with at least one allocated visit."""
    familiar_share: float
    """Share of carer visits made by a carer the client knows (preferred, or in history)."""
    carers: tuple[CarerFigures, ...]
    long_waits: int = 0
    """Calls a carer waits ``Settings.long_wait_minutes`` or more before starting (arriving
    early, or between calls): time a coordinator may rather give to a call or to the carer."""
    short_days: int = 0
    """Carers working that day with fewer than ``Settings.short_day_minutes`` paid minutes."""
    late_calls: int = 0
    """Visits starting after their latest start (within their tolerance), beside the missed
    ones (``visits_unallocated``)."""
    late_minutes: int = 0
    """Their minutes late, summed (a double-handed call once)."""


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def day_figures(scenario: Scenario, plan: Plan) -> DayFigures:
    per_carer: dict[str, dict[str, float]] = defaultdict(Counter)  # type: ignore[arg-type]
    carers_of_client: dict[str, set[str]] = defaultdict(set)
    known = familiar_carers(scenario)
    familiar = stops = 0
    for run in plan.runs:
        tally = per_carer[run.carer_id]
        tally["runs"] += 1
        tally["visits"] += len(run.stops)
        tally["contact"] += sum(stop.end - stop.start for stop in run.stops)
        tally["travel"] += sum(stop.travel_minutes for stop in run.stops) + run.home_travel_minutes
        tally["metres"] += sum(stop.travel_m for stop in run.stops) + run.home_travel_m
        tally["paid"] += run.paid_minutes
        for stop in run.stops:
            carers_of_client[stop.client_id].add(run.carer_id)
            stops += 1
            familiar += run.carer_id in known.get(stop.client_id, frozenset())
    carers = []
    for carer_id in sorted(per_carer):
        t = per_carer[carer_id]
        carers.append(
            CarerFigures(
                carer_id=carer_id,
                runs=int(t["runs"]),
                visits=int(t["visits"]),
                contact_minutes=int(t["contact"]),
                travel_minutes=int(t["travel"]),
                travel_km=round(t["metres"] / 1000, 1),
                waiting_minutes=int(t["paid"] - t["contact"] - t["travel"]),
                paid_minutes=int(t["paid"]),
                utilisation=_share(t["contact"], t["paid"]),
            )
        )
    by_reason = Counter(u.reason_code for u in plan.unallocated)
    minutes_by_reason: Counter[str] = Counter()
    for u in plan.unallocated:
        visit = scenario.visit_by_id.get(u.visit_id)
        if visit is not None:
            minutes_by_reason[u.reason_code] += visit.care_minutes
    late = {
        stop.visit_id: minutes_late(scenario.visit_by_id[stop.visit_id], stop.start)
        for run in plan.runs
        for stop in run.stops
        if stop.visit_id in scenario.visit_by_id
    }
    contact = sum(c.contact_minutes for c in carers)
    paid = sum(c.paid_minutes for c in carers)
    allocated = len(scenario.visits) - len(plan.unallocated)
    return DayFigures(
        visits=len(scenario.visits),
        visits_allocated=allocated,
        visits_unallocated=len(plan.unallocated),
        allocated_share=_share(allocated, len(scenario.visits)),
        carers_working=len(carers),
        contact_minutes=contact,
        travel_minutes=sum(c.travel_minutes for c in carers),
        travel_km=round(sum(c.travel_km for c in carers), 1),
        waiting_minutes=sum(c.waiting_minutes for c in carers),
        paid_minutes=paid,
        utilisation=_share(contact, paid),
        unallocated_by_reason=dict(sorted(by_reason.items())),
        unallocated_minutes_by_reason=dict(sorted(minutes_by_reason.items())),
        distinct_carers_per_client=round(
            sum(len(s) for s in carers_of_client.values()) / len(carers_of_client), 2
        )
        if carers_of_client
        else 0.0,
        familiar_share=_share(familiar, stops),
        carers=tuple(carers),
        long_waits=sum(
            1
            for run in plan.runs
            for stop in run.stops
            if stop.wait_minutes >= plan.settings.long_wait_minutes
        ),
        short_days=sum(1 for c in carers if c.paid_minutes < plan.settings.short_day_minutes),
        late_calls=sum(1 for minutes in late.values() if minutes),
        late_minutes=sum(late.values()),
    )


class CarerWeekFigures(Frozen):
    carer_id: str
    paid_minutes: int
    max_weekly_minutes: int | None


class WeekFigures(Frozen):
    dates: tuple[dt.date, ...]
    days: tuple[DayFigures, ...]
    visits: int
    visits_allocated: int
    allocated_share: float
    travel_minutes: int
    distinct_carers_per_client: float
    """Mean over clients with at least one allocated visit in the week."""
    max_distinct_carers_per_client: int
    familiar_share: float
    """Share of carer visits by a carer the client knew that day (history, preferred, or an
    earlier day of the week)."""
    longest_same_carer_days: float
    """Mean over clients of the longest run of consecutive days one same carer visited."""
    carers: tuple[CarerWeekFigures, ...]
    clients_past_cap: int = 0
    """Clients who saw more than ``max_carers_per_client_week`` carers: the cap gave way to
    keep a call no carer within it could take."""
    visits_past_cap: int = 0
    """Carer visits by a carer beyond the client's cap (not one of the cap's carers with the
    most visits there)."""
    visits_lost_to_cap: int = 0
    """Visits left out because of the cap (``weekly_carer_cap``: only when the cap gives way
    to critical calls alone)."""


def _longest_run(dates: set[dt.date]) -> int:
    longest = 0
    for date in dates:
        if date - dt.timedelta(days=1) not in dates:  # a run starts here
            length = 1
            while date + dt.timedelta(days=length) in dates:
                length += 1
            longest = max(longest, length)
    return longest


def week_figures(scenario: Scenario, week: WeekPlan) -> WeekFigures:
    days, familiar, stops = [], 0, 0
    visited_on: dict[str, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for number, plan in enumerate(week.days):
        day = day_scenario(scenario, plan.date, week.days[:number], week.settings)
        days.append(day_figures(day, plan))
        known = familiar_carers(day)
        for run in plan.runs:
            for stop in run.stops:
                stops += 1
                familiar += run.carer_id in known.get(stop.client_id, frozenset())
                visited_on[stop.client_id][run.carer_id].add(plan.date)
    paid: Counter[str] = Counter()
    for plan in week.days:
        paid += paid_minutes(plan)
    visits = sum(d.visits for d in days)
    allocated = sum(d.visits_allocated for d in days)
    distinct = [len(by_carer) for by_carer in visited_on.values()]
    runs = [max(map(_longest_run, by_carer.values())) for by_carer in visited_on.values()]
    cap = week.settings.max_carers_per_client_week
    within = within_cap(week.days, cap)
    past = sum(
        1
        for plan in week.days
        for run in plan.runs
        for stop in run.stops
        if stop.client_id in within and run.carer_id not in within[stop.client_id]
    )
    return WeekFigures(
        dates=tuple(plan.date for plan in week.days),
        days=tuple(days),
        visits=visits,
        visits_allocated=allocated,
        allocated_share=round(allocated / visits, 4) if visits else 0.0,
        travel_minutes=sum(d.travel_minutes for d in days),
        distinct_carers_per_client=round(sum(distinct) / len(distinct), 2) if distinct else 0.0,
        max_distinct_carers_per_client=max(distinct, default=0),
        familiar_share=round(familiar / stops, 4) if stops else 0.0,
        longest_same_carer_days=round(sum(runs) / len(runs), 2) if runs else 0.0,
        carers=tuple(
            CarerWeekFigures(
                carer_id=carer.id,
                paid_minutes=paid[carer.id],
                max_weekly_minutes=carer.max_weekly_minutes,
            )
            for carer in scenario.carers
        ),
        clients_past_cap=sum(1 for count in distinct if count > cap),
        visits_past_cap=past,
        visits_lost_to_cap=sum(
            1
            for plan in week.days
            for left in plan.unallocated
            if left.reason_code == "weekly_carer_cap"
        ),
    )
