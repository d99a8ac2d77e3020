"""Planning a week: days planned in date order, each day's plan becoming history for the next.

A week is a scenario whose visits span several dates. Each date is planned by ``solve_day`` on
a day scenario built from the week so far (``day_scenario``), where the week's rules are edits
to the day rather than solver code:

- weekly minutes: a carer's remaining ``max_weekly_minutes`` caps that day's working minutes;
- rest: a carer's shifts start no earlier than their last return home the day before plus
  ``Settings.min_rest_minutes``;
- distinct carers: once a client has seen ``Settings.max_carers_per_client_week`` carers this
  week, those carers are *within the cap* (``Client.week_carers``) and any other carer costs
  ``Settings.over_cap_weight`` a visit: more than any travel, less than a missed call. So the
  cap gives way only to keep a call no carer within it can take, for every call by default,
  for critical calls only with ``cap_yields_to: critical`` (a normal call no one within the
  cap can take is then left out with the reason ``weekly_carer_cap``). A critical call is
  never lost to the cap.

A day can still take a client past the cap (two new carers on one day); such a day is planned
again with that client kept to the carers seen plus the new ones that fit under the cap.
``validate_week`` checks every rule again from the plans alone; what the cap cost (clients
past it, visits left out because of it) is in ``WeekFigures``.

Kept greedily, the cap costs coverage: early days spend it on whoever is convenient, often
carers off later in the week. So before the first day each client is given a team of at most
``cap`` carers who between them could do the client's visits all week
(``scheduler.planning.continuity.week_teams``), and each day is solved as if the client knew
its team and the carers seen so far this week and no one else (``_with_teams``), with
``Settings.team_weight`` added to ``continuity_weight`` for anyone else. Another carer is still
used when no team carer can come, while the cap allows; the cap itself is kept as above, and
the teams change costs only, so the rules, figures and ``validate_week`` do not know of them.
On a generated 60-visit week at 2 s a day, a cap of 4 covered 90.7 % of visits greedily
(68 travel hours); with teams at ``team_weight`` 100 (the default) 93.8 % (74 h), at 1000
94.5 % (86 h); with no cap 98.6 % (75 h). ``benchmarks.continuity_curve`` measures it
(``--team-weights 0 100 1000``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from routing.haversine import HaversineTravel
from routing.problem import Progress
from routing.travel import TravelTimes
from scheduler.analysis.metrics import DayFigures, day_figures
from scheduler.io.outputs import read_json_model
from scheduler.model.care import Carer, HistoryEntry, Scenario, Shift
from scheduler.model.clock import MINUTES_PER_DAY, format_clock
from scheduler.model.plan import Plan
from scheduler.model.settings import CapYields, Settings
from scheduler.planning.continuity import familiar_carers, week_teams
from scheduler.planning.day import solve_day
from scheduler.rules.day import Violation, validate_plan

__all__ = [
    "CarerWeekFigures",
    "WeekFigures",
    "WeekPlan",
    "WeekProgress",
    "day_scenario",
    "read_week",
    "solve_week",
    "validate_week",
    "week_figures",
]

WeekProgress = Callable[[dt.date, Progress], None]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WeekPlan(_Frozen):
    """One plan per date of the scenario, in date order, and the settings they were made with."""

    scenario: str
    settings: Settings
    days: tuple[Plan, ...]


def read_week(path: Path | str) -> WeekPlan:
    """A week.json written by ``domcare solve``; raises ``InputError`` when it is not one."""
    return read_json_model(path, WeekPlan)


def _paid(plan: Plan) -> Counter[str]:
    """Carer id -> paid minutes (leaving home to getting back, less breaks) in ``plan``."""
    paid: Counter[str] = Counter()
    for run in plan.runs:
        paid[run.carer_id] += run.paid_minutes
    return paid


def _home_by(plan: Plan) -> dict[str, int]:
    """Carer id -> when the carer is last back home that day."""
    last: dict[str, int] = {}
    for run in plan.runs:
        last[run.carer_id] = max(last.get(run.carer_id, 0), run.return_home)
    return last


def _leave(plan: Plan) -> dict[str, int]:
    """Carer id -> when the carer first leaves home that day."""
    first: dict[str, int] = {}
    for run in plan.runs:
        first[run.carer_id] = min(first.get(run.carer_id, MINUTES_PER_DAY), run.depart)
    return first


def _carers_seen(plans: Sequence[Plan]) -> dict[str, set[str]]:
    """Client id -> the carers who visited in ``plans``."""
    seen: dict[str, set[str]] = defaultdict(set)
    for plan in plans:
        for run in plan.runs:
            for stop in run.stops:
                seen[stop.client_id].add(run.carer_id)
    return seen


def _within_cap(plans: Sequence[Plan], cap: int) -> dict[str, frozenset[str]]:
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
        worked += _paid(plan)
    yesterday = next((p for p in before if p.date == date - dt.timedelta(days=1)), None)
    home_by = _home_by(yesterday) if yesterday else {}
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
    within = _within_cap(before, cap)
    if settings.cap_yields_to is CapYields.ALL:
        seen = _carers_seen(before)
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


def _over_cap(
    plan: Plan,
    seen: dict[str, set[str]],
    cap: int,
    teams: dict[str, tuple[str, ...]],
    capped: set[str],
) -> dict[str, frozenset[str]]:
    """Client id -> the carers it may keep, for each client not yet ``capped`` (planned with
    the cap in force) that this plan takes past ``cap``: those seen before, then the day's new
    carers, the client's team first and then those with the most visits there, up to the
    cap. A capped client past the cap had a call no carer within it could take."""
    visits: dict[str, Counter[str]] = defaultdict(Counter)
    for run in plan.runs:
        for stop in run.stops:
            if stop.client_id not in capped:
                visits[stop.client_id][run.carer_id] += 1
    keep = {}
    for client_id, by_carer in visits.items():
        known, team = seen.get(client_id, set()), teams.get(client_id, ())
        new = sorted(
            (carer for carer in by_carer if carer not in known),
            key=lambda carer: (carer not in team, -by_carer[carer], carer),
        )
        if len(known) + len(new) > cap:
            keep[client_id] = frozenset(known) | frozenset(new[: cap - len(known)])
    return keep


def _keep_to(day: Scenario, keep: dict[str, frozenset[str]]) -> Scenario:
    clients = tuple(
        client.model_copy(update={"week_carers": keep[client.id]}) if client.id in keep else client
        for client in day.clients
    )
    return day.model_copy(update={"clients": clients})


def _with_teams(
    day: Scenario, teams: dict[str, tuple[str, ...]], seen: dict[str, set[str]]
) -> Scenario:
    """``day`` as the solver sees it when clients have teams: a client with a team knows its
    team and the carers seen earlier in the week, no one else, so any other carer is charged
    as a stranger (at ``continuity_weight + team_weight``, see ``solve_week``). Only costs
    change: the day's rules stay those of ``day``."""
    clients = tuple(
        client.model_copy(update={"preferred_carers": frozenset(teams[client.id])})
        if client.id in teams
        else client
        for client in day.clients
    )
    history = tuple(
        entry
        for entry in day.history
        if entry.client_id not in teams or entry.carer_id in seen.get(entry.client_id, ())
    )
    return day.model_copy(update={"clients": clients, "history": history})


def solve_week(
    scenario: Scenario,
    settings: Settings | None = None,
    travel: TravelTimes | None = None,
    on_progress: WeekProgress | None = None,
    on_day: Callable[[Plan], None] | None = None,
) -> WeekPlan:
    """Plan every date of ``scenario`` in order; each day gets ``settings.solve.time_limit_s``
    (and again when it is planned once more to keep a client under the carers cap).
    ``on_day`` hears of each day's plan as soon as it is final."""
    settings = settings or Settings()
    travel = travel or HaversineTravel(settings.travel)
    cap = settings.max_carers_per_client_week
    # With no fewer slots than carers the cap cannot bind, and the week is planned as before.
    teams = (
        week_teams(scenario, settings, travel)
        if settings.team_weight and cap < len(scenario.carers)
        else {}
    )
    # A carer outside a client's team who has not visited yet this week costs the team weight
    # on top of continuity: on a day with teams, every stranger is such a carer.
    solver_settings = settings.model_copy(
        update={"continuity_weight": settings.continuity_weight + settings.team_weight}
        if teams
        else {}
    )
    plans: list[Plan] = []
    for date in scenario.dates:

        def progress(p: Progress, date: dt.date = date) -> None:
            if on_progress is not None:
                on_progress(date, p)

        seen = _carers_seen(plans)
        day = _with_teams(day_scenario(scenario, date, plans, settings), teams, seen)
        plan = solve_day(day, solver_settings, travel, on_progress=progress)
        keep: dict[str, frozenset[str]] = {}
        capped = {client.id for client in day.clients if client.week_carers is not None}
        # Each round caps at least one more client, so this ends.
        while extra := _over_cap(plan, seen, cap, teams, capped | keep.keys()):
            keep |= extra
            plan = solve_day(_keep_to(day, keep), solver_settings, travel, on_progress=progress)
        # The plan echoes the week's settings, of which the raised weight is an application.
        plans.append(plan.model_copy(update={"settings": settings}))
        if on_day is not None:
            on_day(plans[-1])
    return WeekPlan(scenario=scenario.name, settings=settings, days=tuple(plans))


def _week_rules(scenario: Scenario, week: WeekPlan) -> list[Violation]:
    """Weekly minutes, rest between days and distinct carers per client, from the plans."""
    found: list[Violation] = []
    worked: Counter[str] = Counter()
    for plan in week.days:
        worked += _paid(plan)
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
        home_by, leave = _home_by(yesterday), _leave(today)
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
    return found + _week_rules(scenario, week)


def validate_plans(
    scenario: Scenario, plans: Sequence[Plan], settings: Settings, travel: TravelTimes
) -> list[Violation]:
    """Every broken hard rule of ``plans``, one per date as ``intake.plan_all`` makes them:
    a day checked as a day, several as a week."""
    if len(plans) > 1:
        week = WeekPlan(scenario=scenario.name, settings=settings, days=tuple(plans))
        return validate_week(scenario, week, travel)
    return validate_plan(scenario, plans[0], travel)


class CarerWeekFigures(_Frozen):
    carer_id: str
    paid_minutes: int
    max_weekly_minutes: int | None


class WeekFigures(_Frozen):
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
        paid += _paid(plan)
    visits = sum(d.visits for d in days)
    allocated = sum(d.visits_allocated for d in days)
    distinct = [len(by_carer) for by_carer in visited_on.values()]
    runs = [max(map(_longest_run, by_carer.values())) for by_carer in visited_on.values()]
    cap = week.settings.max_carers_per_client_week
    within = _within_cap(week.days, cap)
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
