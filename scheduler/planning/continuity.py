"""Continuity of care: which carers each client knows, what a rota costs for strangers, and
the team of carers each client is given for a week.

A carer is familiar to a client when the client names them as preferred or they have visited
the client before (the scenario's history). Familiar carers are preferred through a cost per
visit by a stranger (``Settings.continuity_weight``), never required.

A week caps the distinct carers a client sees (``Settings.max_carers_per_client_week``). Spent
day by day, the cap goes to whoever is convenient early in the week, often carers who are off
later on, and the client's later visits then find no carer they may still see.
``week_teams`` chooses every client's carers for the whole week before its first day:

- a carer *could* do a visit when they are suitable (``scheduler.rules.eligibility``: skills,
  exclusions, no-go, a hard gender preference, a pinned carer) and on shift that date long
  enough to get there, do it and get home;
- a carer *takes* those of the client's visits still short of a team carer that fit into their
  days on top of the visits they took for other clients (in window order, travel included), so
  one popular carer does not end up on every client's team;
- team members are chosen one a round: in each round every client, those with the fewest
  carers to choose from first, adds the carer who takes the most visits; ties go to a familiar
  carer, then to the carer who could do more of the client's visits, then to the nearer one.
  A client stops adding carers when no one takes anything more, so a team is often smaller than
  the cap: the slots left over absorb the odd visit by someone else.

Coverage comes first, as in the objective: on generated weeks, ranking nearer carers above
those who take more visits kept travel at the level of the greedy cap but gave back most of the
coverage the teams won.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from routing.haversine import HaversineTravel
from routing.travel import TravelTimes
from scheduler.model.care import Carer, Scenario, Visit
from scheduler.model.settings import Settings
from scheduler.rules.eligibility import Eligibility
from scheduler.rules.journeys import Journeys, build_journeys
from scheduler.rules.objective import familiar_carers

__all__ = ["week_teams"]


def _who_could(
    scenario: Scenario, journeys: Journeys
) -> dict[str, list[tuple[Visit, frozenset[str]]]]:
    """Client id -> the visits of the week some carers could do, in time order, with the ids
    of those carers (suitable and on shift that date, travel included)."""

    could: dict[str, list[tuple[Visit, frozenset[str]]]] = defaultdict(list)
    for date in scenario.dates:
        on_shift = tuple(
            carer.model_copy(update={"shifts": carer.shifts_for(date)})
            for carer in scenario.carers
            if carer.shifts_for(date)
        )
        visits = tuple(visit for visit in scenario.visits if visit.date == date)
        day = scenario.model_copy(update={"date": date, "carers": on_shift, "visits": visits})
        eligibility = Eligibility(day, journeys)
        for visit in sorted(visits, key=_window_order):
            carers, reason = eligibility.suitable(visit)
            if reason is None:
                could[visit.client_id].append((visit, frozenset(c.id for c in carers)))
    return could


def _window_order(visit: Visit) -> tuple[int, int, str]:
    return visit.earliest_start, visit.latest_start, visit.id


def _day_fits(carer: Carer, visits: list[Visit], journeys: Journeys) -> bool:
    """Whether ``carer`` could do all of ``visits``, one date's, within their shifts that date:
    in window order, each shift leaving home and getting back, within their working minutes."""
    minutes = journeys.minutes[carer.travel_mode]
    home = journeys.home_place[carer.id]
    left = sorted(visits, key=_window_order)
    for shift in carer.shifts_for(left[0].date):
        here, clock, depart = home, shift.start, None
        while left and left[0].earliest_start < shift.end:
            visit = left.pop(0)
            there = journeys.client_place[visit.client_id]
            start = visit.opening(clock + int(minutes[here, there]), 0)
            if start is None:
                return False
            if depart is None:
                depart = start - int(minutes[here, there])
            here, clock = there, start + visit.duration
        back = clock + int(minutes[here, home])
        limit = carer.max_working_minutes
        if back > shift.end or (depart is not None and limit and back - depart > limit):
            return False
    return not left


def week_teams(
    scenario: Scenario, settings: Settings, travel: TravelTimes | None = None
) -> dict[str, tuple[str, ...]]:
    """Client id -> the at most ``settings.max_carers_per_client_week`` carers chosen to visit
    that client over the week, in the order chosen (see the module docstring for how). A client
    no carer could visit has no team. The same scenario, cap and travel give the same teams."""
    journeys = build_journeys(scenario, travel or HaversineTravel(settings.travel))
    known = familiar_carers(scenario)
    could = _who_could(scenario, journeys)
    could_do = {
        client_id: Counter(carer for _, carers in visits for carer in carers)
        for client_id, visits in could.items()
    }
    taken_by: dict[tuple[str, dt.date], list[Visit]] = defaultdict(list)  # (carer, date)
    places: Counter[str] = Counter()  # visit id -> team carers taking it (2 if double-handed)
    teams: dict[str, list[str]] = {client_id: [] for client_id in could}

    def takes(carer_id: str, client_id: str) -> list[Visit]:
        """The client's visits short of team carers that fit into the carer's days, on top
        of the visits the carer took for other clients."""
        carer = scenario.carer_by_id[carer_id]
        taken: list[Visit] = []
        for visit, carers in could[client_id]:
            if carer_id in carers and places[visit.id] < visit.carers_required:
                day = [*taken_by[carer_id, visit.date], *taken, visit]
                if _day_fits(carer, [v for v in day if v.date == visit.date], journeys):
                    taken.append(visit)
        return taken

    def rank(client_id: str, carer_id: str, taken: int) -> tuple[int, bool, int, int, str]:
        carer = scenario.carer_by_id[carer_id]
        home, there = journeys.home_place[carer_id], journeys.client_place[client_id]
        return (
            -taken,
            carer_id not in known[client_id],
            -could_do[client_id][carer_id],
            int(journeys.minutes[carer.travel_mode][home, there]),
            carer_id,
        )

    order = sorted(could, key=lambda client_id: (len(could_do[client_id]), client_id))
    for _ in range(settings.max_carers_per_client_week):
        for client_id in order:
            team = teams[client_id]
            short = [
                carers
                for visit, carers in could[client_id]
                if places[visit.id] < visit.carers_required
            ]
            # A carer takes at most the short visits they could do: ranked on that bound, the
            # carers are tried in turn until the bound of the next cannot beat the best so far.
            bound = {
                carer_id: rank(client_id, carer_id, sum(carer_id in c for c in short))
                for carer_id in could_do[client_id].keys() - set(team)
            }
            best: tuple[tuple[int, bool, int, int, str], list[Visit]] | None = None
            for carer_id in sorted(bound, key=bound.__getitem__):
                if best is not None and bound[carer_id] >= best[0]:
                    break
                taken = takes(carer_id, client_id)
                if taken and (best is None or rank(client_id, carer_id, len(taken)) < best[0]):
                    best = rank(client_id, carer_id, len(taken)), taken
            if best is None:
                continue
            carer_id = best[0][-1]
            team.append(carer_id)
            for visit in best[1]:
                taken_by[carer_id, visit.date].append(visit)
                places[visit.id] += 1
    return {client_id: tuple(team) for client_id, team in teams.items() if team}
