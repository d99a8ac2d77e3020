"""Two rotas built without optimisation, to show how much of domcare's gain is optimisation.

Where an agency has no manual rota to compare with, these stand in for one (issue 7):

- ``coordinator_rota``: how a competent coordinator builds the day by hand. Clients are
  grouped into patches by area and each carer works the patch nearest home; calls are taken
  in time order and each goes to a regular carer of the client if one is free, else to the
  least busy free carer of the client's patch, else to the nearest free carer of another
  patch.
- ``greedy_rota``: the same loop, each call to the nearest free carer, with no regard for
  regular carers or patches: what mere digitisation gives.

Both share one loop and differ only in how the free carers of a call are ranked. "Free"
means every hard rule holds (the ones ``scheduler.rules.day`` checks, and across a week those
of ``scheduler.planning.week``): calls are appended to a carer's run in time order, never reordered,
each starting as soon as the carer can (arrival or the window's opening, whichever is later).
A call no carer can take is left out. docs/baselines.md states the assumptions and their
limits. Times are minutes after midnight.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from routing.travel import TravelTimes
from scheduler.analysis.manual import Assignment
from scheduler.model.care import Carer, Client, Location, Priority, Scenario, Shift, Visit
from scheduler.model.clock import MINUTES_PER_DAY
from scheduler.model.settings import Settings
from scheduler.planning.zones import split_into_zones
from scheduler.rules.eligibility import Eligibility
from scheduler.rules.journeys import Journeys, build_journeys

__all__ = ["CARERS_PER_PATCH", "coordinator_rota", "greedy_rota"]

CARERS_PER_PATCH = 8
"""Carers working a patch on an average day. Eight is a team that can cover its own
double-handed calls, a colleague's sickness and a late finish, while the patch stays small
enough to drive across in minutes; UK agencies commonly run area teams of six to twelve."""


@dataclass
class _Call:
    visit_id: str
    place: int
    arrival: int
    start: int
    end: int


@dataclass
class _Run:
    """A carer's journey on one shift, as booked so far: calls in the order they were taken."""

    shift: Shift
    calls: list[_Call] = field(default_factory=list)
    depart: int = 0
    return_home: int = 0
    break_start: int | None = None

    def paid(self, break_minutes: int) -> int:
        if not self.calls:
            return 0
        unpaid = break_minutes if self.break_start is not None else 0
        return self.return_home - self.depart - unpaid


@dataclass(frozen=True)
class _Fit:
    """Where a call would go in a carer's day: appended to run ``run`` of the carer, after a
    leg of ``travel`` minutes from where the carer is, starting at ``start``."""

    carer: Carer
    run: int
    travel: int
    arrival: int
    start: int
    depart: int
    return_home: int
    break_start: int | None


class _Book:
    """The rota as it is being built: today's runs per carer, and what earlier days leave
    (minutes worked this week, when each carer got home yesterday, carers each client has
    seen, visits per client and carer for regular carers)."""

    def __init__(self, scenario: Scenario, journeys: Journeys, settings: Settings):
        self.scenario, self.journeys, self.settings = scenario, journeys, settings
        self.week = len(scenario.dates) > 1
        self.worked: Counter[str] = Counter()
        self.home_by: dict[str, int] = {}
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.visits_by: dict[str, Counter[str]] = defaultdict(Counter)
        for entry in scenario.history:
            self.visits_by[entry.client_id][entry.carer_id] += 1
        self.day = scenario
        self.eligibility = Eligibility(scenario, journeys)
        self.runs: dict[str, list[_Run]] = {}
        self.taken: list[Assignment] = []

    # ---- the day ---------------------------------------------------------------------------

    def open_day(self, date: dt.date) -> None:
        """Today's carers, as ``scheduler.planning.week.day_scenario`` makes them: shifts moved for
        rest after yesterday, the day's minutes capped by what the week leaves."""
        carers: list[Carer] = []
        for carer in self.scenario.carers:
            shifts = carer.shifts_for(date)
            if carer.id in self.home_by:
                # Back at 22:00 (1320) with 11 h (660) of rest: 1320 + 660 - 1440 = 540, 09:00.
                rested = self.home_by[carer.id] + self.settings.min_rest_minutes - MINUTES_PER_DAY
                shifts = tuple(
                    Shift(start=max(s.start, rested), end=s.end) for s in shifts if s.end > rested
                )
            limit = carer.max_working_minutes
            if carer.max_weekly_minutes is not None:
                left = carer.max_weekly_minutes - self.worked[carer.id]
                if left <= 0:
                    continue
                limit = min(limit, left) if limit is not None else left
            if shifts:
                carers.append(
                    carer.model_copy(update={"shifts": shifts, "max_working_minutes": limit})
                )
        self.day = self.scenario.model_copy(
            update={
                "date": date,
                "carers": tuple(carers),
                "visits": tuple(v for v in self.scenario.visits if v.date == date),
            }
        )
        self.eligibility = Eligibility(self.day, self.journeys)
        self.runs = {carer.id: [_Run(shift) for shift in carer.shifts] for carer in carers}

    def close_day(self) -> None:
        """Today becomes the past: minutes worked, time home, and a history entry for each
        client and carer who met today (one a day, as in the scenario's history)."""
        brk = self.settings.break_minutes
        self.home_by = {}
        for carer_id, runs in self.runs.items():
            worked = [run for run in runs if run.calls]
            if not worked:
                continue
            self.worked[carer_id] += sum(run.paid(brk) for run in worked)
            self.home_by[carer_id] = max(run.return_home for run in worked)
            clients = {
                self.day.visit_by_id[call.visit_id].client_id
                for run in worked
                for call in run.calls
            }
            for client_id in clients:
                self.visits_by[client_id][carer_id] += 1

    def booked_minutes(self, carer_id: str) -> int:
        """Paid minutes booked for the carer today: how full their day already is."""
        return sum(run.paid(self.settings.break_minutes) for run in self.runs[carer_id])

    # ---- whether and when a carer can take a call ------------------------------------------

    def suitable(self, visit: Visit) -> tuple[Carer, ...]:
        """The carers the day's static rules allow
        (``scheduler.rules.eligibility.Eligibility``), none when fewer than the visit needs."""
        carers, reason = self.eligibility.suitable(visit)
        return () if reason is not None else carers

    def under_cap(self, client_id: str, carer_ids: set[str]) -> bool:
        """Whether the client stays within the week's most distinct carers with these. A
        single day has no such cap, as for ``scheduler.planning.day.solve_day``."""
        if not self.week:
            return True
        seen = self.seen[client_id]
        return len(seen | carer_ids) <= self.settings.max_carers_per_client_week

    def _lunch_room(
        self, carer: Carer, run: _Run, depart: int, home: int, wait: list[tuple[int, int]]
    ) -> bool:
        """Whether the carer's break window still holds their break with a call appended
        (its ``wait`` before it): at home before leaving or after getting back, or in a wait
        between two calls, as ``scheduler.analysis.manual`` then places it."""
        window = carer.break_window
        if window is None:
            return True
        minutes = self.settings.break_minutes
        if window.longest_free([(depart, home)]) >= window.least(minutes):
            return True
        need = window.in_run(minutes, self.settings.break_after_minutes is not None)
        waits = [(c.arrival, c.start) for c in run.calls[1:]] + wait
        return any(window.overlap(a, b) >= need for a, b in waits)

    def fit(self, carer: Carer, visit: Visit, at: int | None = None) -> _Fit | None:
        """The carer's earliest start for ``visit`` appended to one of today's runs (or the
        start ``at`` exactly), or None when no run can take it within every rule."""
        fits = [
            found
            for number, run in enumerate(self.runs[carer.id])
            if (found := self._fit_run(carer, number, run, visit, at)) is not None
        ]
        return min(fits, key=lambda f: (f.start, f.run), default=None)

    def _fit_run(
        self, carer: Carer, number: int, run: _Run, visit: Visit, at: int | None
    ) -> _Fit | None:
        settings, brk = self.settings, self.settings.break_minutes
        matrix = self.journeys.minutes[carer.travel_mode]
        home, there = (
            self.journeys.home_place[carer.id],
            self.journeys.client_place[visit.client_id],
        )
        here, clock = (
            (run.calls[-1].place, run.calls[-1].end) if run.calls else (home, run.shift.start)
        )
        travel = int(matrix[here, there])
        arrival = clock + travel
        start = visit.opening(arrival, 0) if at is None else at
        if start is None or start < max(arrival, visit.earliest_start):
            return None
        # The carer leaves home just in time for the first call of the run.
        depart = run.depart if run.calls else start - travel
        back = int(matrix[there, home])
        break_start = run.break_start
        after = settings.break_after_minutes
        if (
            after is not None
            and break_start is None
            and start + visit.duration + back - depart > after
        ):
            # The break goes in a wait already in the run, else in a wait made before this
            # call; a first call cannot be preceded by one (breaks fall between two calls).
            break_start = next(
                (c.arrival for c in run.calls[1:] if c.start - c.arrival >= brk), None
            )
            if break_start is None:
                if not run.calls:
                    return None
                if at is None:
                    start = max(start, arrival + brk)
                elif at < arrival + brk:
                    return None
                break_start = arrival
        return_home = start + visit.duration + back
        if not visit.starts_in_window(start, 0) or return_home > run.shift.end:
            return None
        wait = [] if not run.calls else [(arrival, start)]
        if not self._lunch_room(carer, run, depart, return_home, wait):
            return None
        if carer.max_working_minutes is not None:
            unpaid = brk if break_start is not None else 0
            others = sum(r.paid(brk) for k, r in enumerate(self.runs[carer.id]) if k != number)
            if others + return_home - depart - unpaid > carer.max_working_minutes:
                return None
        return _Fit(carer, number, travel, arrival, start, depart, return_home, break_start)

    def book(self, fit: _Fit, visit: Visit) -> None:
        run = self.runs[fit.carer.id][fit.run]
        if not run.calls:
            run.depart = fit.depart
        place = self.journeys.client_place[visit.client_id]
        run.calls.append(_Call(visit.id, place, fit.arrival, fit.start, fit.start + visit.duration))
        run.return_home, run.break_start = fit.return_home, fit.break_start
        self.seen[visit.client_id].add(fit.carer.id)
        self.taken.append(
            Assignment(carer_id=fit.carer.id, date=visit.date, visit_id=visit.id, start=fit.start)
        )


Rank = Callable[[_Book, Visit, Sequence[_Fit]], list[_Fit]]
"""The free carers of a call (each at their earliest start), best first."""


def _time_order(visit: Visit) -> tuple[int, bool, int, str]:
    """Earliest start first; at one time, critical calls first."""
    critical = visit.priority is Priority.CRITICAL
    return (visit.earliest_start, not critical, visit.latest_start, visit.id)


def _take_pair(book: _Book, visit: Visit, ranked: list[_Fit]) -> None:
    """Two free carers at one shared start (the later of their earliest), the best ranked
    pair first; a pinned carer is one of the two."""
    for number, first in enumerate(ranked):
        if visit.pinned_carer not in (None, first.carer.id):
            continue
        others = ranked[number + 1 :]
        partners = others if visit.pinned_carer is None else ranked[:number] + others
        for second in partners:
            if not book.under_cap(visit.client_id, {first.carer.id, second.carer.id}):
                continue
            at = max(first.start, second.start)
            one, two = book.fit(first.carer, visit, at), book.fit(second.carer, visit, at)
            if one is not None and two is not None:
                book.book(one, visit)
                book.book(two, visit)
                return


def _build(scenario: Scenario, travel: TravelTimes, settings: Settings, rank: Rank) -> _Book:
    """The loop both baselines share: each date in order, each call in time order, given to
    the first of its free carers as ``rank`` orders them."""
    book = _Book(scenario, build_journeys(scenario, travel), settings)
    for date in scenario.dates:
        book.open_day(date)
        for visit in sorted(book.day.visits, key=_time_order):
            fits = [
                found
                for carer in book.suitable(visit)
                if book.under_cap(visit.client_id, {carer.id})
                and (found := book.fit(carer, visit)) is not None
            ]
            ranked = rank(book, visit, fits)
            if visit.double_handed:
                _take_pair(book, visit, ranked)
            elif ranked:
                book.book(ranked[0], visit)
        book.close_day()
    return book


def _assignments(book: _Book) -> tuple[Assignment, ...]:
    return tuple(sorted(book.taken, key=lambda a: (a.date, a.carer_id, a.start, a.visit_id)))


# ---- the greedy: nearest free carer ---------------------------------------------------------


def _nearest(book: _Book, visit: Visit, fits: Sequence[_Fit]) -> list[_Fit]:
    return sorted(fits, key=lambda f: (f.travel, f.start, f.carer.id))


def greedy_rota(
    scenario: Scenario, travel: TravelTimes, settings: Settings
) -> tuple[Assignment, ...]:
    """Every date of ``scenario``, each call in time order to the free carer with the
    shortest travel from where they are (their last call, or home), ignoring regular carers
    and patches."""
    return _assignments(_build(scenario, travel, settings, _nearest))


# ---- the coordinator: regular carers, patches, shared work ----------------------------------


@dataclass(frozen=True)
class _Patches:
    client: dict[str, int]
    carer: dict[str, int]


def _flat_km(a: Location, b: Location) -> float:
    """Distance on a local flat grid, good enough to say which patch centre is nearest."""
    dy = (a.lat - b.lat) * 111.2
    dx = (a.lon - b.lon) * 111.2 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def _patches(scenario: Scenario, settings: Settings, carers_per_patch: int) -> _Patches:
    """Clients grouped by area (weighted k-means on location, ``scheduler.planning.zones``),
    about one patch per ``carers_per_patch`` carers on an average day; each carer in the patch whose
    centre (the care-weighted middle of its clients) is nearest home."""
    served = {visit.client_id for visit in scenario.visits}
    if not served:
        return _Patches({}, {})
    # k-means needs as many distinct places as patches.
    places = {scenario.client_by_id[c].location for c in served}
    on_shift = sum(
        1 for date in scenario.dates for carer in scenario.carers if carer.shifts_for(date)
    ) / len(scenario.dates)
    count = max(1, min(len(places), round(on_shift / carers_per_patch)))
    demand: Counter[str] = Counter()
    for visit in scenario.visits:
        demand[visit.client_id] += visit.care_minutes
    client_patch: dict[str, int] = {}
    centres: dict[int, Location] = {}
    for number, part in enumerate(split_into_zones(scenario, count, settings.solve.seed)):
        if not part.clients:
            continue
        weight = sum(demand[c.id] for c in part.clients)
        centres[number] = Location(
            lat=sum(c.location.lat * demand[c.id] for c in part.clients) / weight,
            lon=sum(c.location.lon * demand[c.id] for c in part.clients) / weight,
        )
        client_patch |= {c.id: number for c in part.clients}
    carer_patch = {
        carer.id: min(centres, key=lambda n: (_flat_km(carer.home, centres[n]), n))
        for carer in scenario.carers
    }
    return _Patches(client_patch, carer_patch)


def _regulars(book: _Book, client: Client) -> dict[str, int]:
    """Carer id -> rank among the client's regular carers: those the client prefers, then
    those with the most visits (history, and this rota's earlier days)."""
    counts = book.visits_by[client.id]
    regular = client.preferred_carers | {carer for carer, n in counts.items() if n > 0}
    ordered = sorted(regular, key=lambda c: (c not in client.preferred_carers, -counts[c], c))
    return {carer: position for position, carer in enumerate(ordered)}


def _coordinator_rank(patches: _Patches) -> Rank:
    def rank(book: _Book, visit: Visit, fits: Sequence[_Fit]) -> list[_Fit]:
        client = book.scenario.client_by_id[visit.client_id]
        regular = _regulars(book, client)
        patch = patches.client[client.id]

        def key(fit: _Fit) -> tuple[int, int, int, str]:
            carer_id = fit.carer.id
            if carer_id in regular:
                return (0, regular[carer_id], fit.travel, carer_id)
            if patches.carer[carer_id] == patch:
                # Of the patch's free carers, the one whose day is least full: work is shared.
                return (1, book.booked_minutes(carer_id), fit.travel, carer_id)
            return (2, fit.travel, fit.start, carer_id)

        return sorted(fits, key=key)

    return rank


def coordinator_rota(
    scenario: Scenario,
    travel: TravelTimes,
    settings: Settings,
    carers_per_patch: int = CARERS_PER_PATCH,
) -> tuple[Assignment, ...]:
    """Every date of ``scenario`` as a competent coordinator would build it by hand: each
    call in time order to a free regular carer of the client, else the least busy free carer
    of the client's patch, else the nearest free carer of another patch."""
    patches = _patches(scenario, settings, carers_per_patch)
    return _assignments(_build(scenario, travel, settings, _coordinator_rank(patches)))
