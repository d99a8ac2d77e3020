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
from collections.abc import Callable

from routing.haversine import HaversineTravel
from routing.problem import Progress
from routing.travel import TravelTimes
from scheduler.model.care import Scenario
from scheduler.model.plan import Plan, WeekPlan
from scheduler.model.settings import Settings
from scheduler.planning.continuity import week_teams
from scheduler.planning.day import solve_day
from scheduler.rules.week import carers_seen, day_scenario

__all__ = ["WeekProgress", "solve_week"]

WeekProgress = Callable[[dt.date, Progress], None]


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

        seen = carers_seen(plans)
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
