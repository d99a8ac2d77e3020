"""What has happened in a day under way, and the day as it now stands.

The events of a re-plan (``scheduler.model.events``) become a ``Scenario``: cancelled calls
gone, added and changed ones as they are now, a call done as it really was (its length, and
its window widened to its real start, so the rota can hold it), and the shift of a carer who
went off ending then (or when they got home from the call in hand: that shift then takes
nothing new), resuming when their time off ends. What of the plan is history (the calls
begun before ``at``) is a ``Warm``, the start ``scheduler.planning.day.solve_warm`` searches
from. No solver here: the service checks events with it before queueing a re-plan.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass

from routing.travel import Place, TravelTimes
from scheduler.io.events import EVENTS_FILE
from scheduler.model.care import Carer, Location, Scenario, Shift, Visit
from scheduler.model.clock import MINUTES_PER_DAY, format_clock
from scheduler.model.errors import DomcareError, InputError, InputIssue
from scheduler.model.events import (
    CarerLate,
    CarerOff,
    ClientAdded,
    Event,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
    VisitDone,
    started_by,
)
from scheduler.model.plan import Plan, Run, WeekPlan
from scheduler.rules.week import carers_seen, day_scenario, first_leave, paid_minutes

__all__ = ["Warm", "afresh_day", "follow_events", "orphans", "standing", "week_day"]


@dataclass(frozen=True)
class Warm:
    """A plan to start from and what of it is history (``scheduler.planning.replan``): the
    calls ``begun`` before ``at`` (visit id -> start) stay with their carers at those starts;
    nothing else starts before ``at``; the shifts ``closed`` ((carer id, shift start)) take no
    new call. Every other planned call keeps its carer and its start where it can, at
    ``Settings.replan``'s prices."""

    plan: Plan
    at: int
    begun: dict[str, int]
    closed: frozenset[tuple[str, int]] = frozenset()


def _visits(scenario: Scenario, events: tuple[Event, ...]) -> tuple[Visit, ...]:
    visits = {visit.id: visit for visit in scenario.visits}
    for event in events:
        if isinstance(event, VisitCancelled):
            visits.pop(event.visit_id, None)
        elif isinstance(event, VisitAdded):
            visits[event.visit.id] = event.visit
        elif isinstance(event, VisitChanged) and event.visit_id in visits:
            visit = visits[event.visit_id]
            changes = {
                "earliest_start": event.earliest_start,
                "latest_start": event.latest_start,
                "duration": event.duration,
                "carers_required": event.carers_required,
            }
            update: dict[str, object] = {k: v for k, v in changes.items() if v is not None}
            if "earliest_start" in update or "latest_start" in update:
                update["windows"] = ()  # a new window replaces the several
            visits[visit.id] = Visit.model_validate(visit.model_dump() | update)
        elif isinstance(event, VisitDone) and event.visit_id in visits:
            visit = visits[event.visit_id]
            inside = visit.starts_in_window(event.start, 0)
            done: dict[str, object] = {"duration": event.end - event.start}
            if not inside:
                done |= {
                    "earliest_start": min(visit.earliest_start, event.start),
                    "latest_start": max(visit.latest_start, event.start),
                    "windows": (),
                }
            visits[visit.id] = Visit.model_validate(visit.model_dump() | done)
    return tuple(visits.values())


def _leg(
    travel: TravelTimes, carer: Carer, origin: tuple[str, Location], to: tuple[str, Location]
) -> int:
    """Minutes from ``origin`` to ``to`` (key, place) at ``carer``'s travel mode: one
    journey, for the few that what happened needs (the day's matrix is not built yet)."""
    places = [Place(key, where.lat, where.lon) for key, where in (origin, to)]
    return int(travel.matrix(places, carer.travel_mode.value).minutes[0, 1])


def _home_by(
    carer: Carer, run: Run, begun: dict[str, int], visits: dict[str, Visit],
    scenario: Scenario, travel: TravelTimes,
) -> int | None:  # fmt: skip
    """When ``carer`` is home from the last call of ``run`` begun by then; None: none begun."""
    made = [stop for stop in run.stops if stop.visit_id in begun]
    if not made:
        return None
    last = made[-1]
    end = begun[last.visit_id] + visits[last.visit_id].stay(last.end - last.start)
    client = scenario.client_by_id[last.client_id]
    return end + _leg(travel, carer, (client.id, client.location), (carer.id, carer.home))


def _shifts(
    carer: Carer,
    offs: list[CarerOff],
    runs: list[Run],
    begun: dict[str, int],
    at: int,
    visits: dict[str, Visit],
    scenario: Scenario,
    travel: TravelTimes,
) -> tuple[tuple[Shift, ...], set[int]]:
    """The carer's shifts with their time off taken out, and the starts of those that take
    no new call: a shift that ends when they went off, if that was at ``at`` or before or
    the call in hand kept them past it."""
    shifts = list(carer.shifts)
    closed: set[int] = set()
    for off in sorted(offs, key=lambda e: e.start):
        back = MINUTES_PER_DAY if off.end is None else off.end
        parts: list[Shift] = []
        for shift in shifts:
            if shift.end <= off.start or shift.start >= back:
                parts.append(shift)
                continue
            run = next((r for r in runs if r.shift_start == shift.start), None)
            home = None if run is None else _home_by(carer, run, begun, visits, scenario, travel)
            if home is not None or shift.start < off.start:
                end = max(off.start, home or 0)
                end = min(max(end, shift.start), MINUTES_PER_DAY)
                parts.append(Shift(start=shift.start, end=end))
                if off.start <= at or end > off.start:
                    closed.add(shift.start)
            if back < shift.end:
                parts.append(Shift(start=back, end=shift.end))
        shifts = parts
    return tuple(shifts), closed


def _check_history(
    scenario: Scenario,
    plan: Plan,
    events: tuple[Event, ...],
    begun: dict[str, int],
    visits: dict[str, Visit],
    travel: TravelTimes,
) -> None:
    """Raise ``InputError`` where the calls begun cannot all have happened: a call done
    (``visit_done``) running into the carer's next call begun as planned, or the journey
    between them not fitting. Located at the ``visit_done`` rows concerned."""
    done = {e.visit_id: e for e in events if isinstance(e, VisitDone)}
    issues = []
    for run in plan.runs:
        made = sorted((begun[s.visit_id], s) for s in run.stops if s.visit_id in begun)
        carer = scenario.carer_by_id[run.carer_id]
        for (start, stop), (next_start, following) in itertools.pairwise(made):
            a = scenario.client_by_id[stop.client_id]
            b = scenario.client_by_id[following.client_id]
            leg = _leg(travel, carer, (a.id, a.location), (b.id, b.location))
            stays = visits[stop.visit_id].stay(stop.end - stop.start)
            free = start + stays + leg
            if free <= next_start:
                continue
            event = done.get(stop.visit_id) or done.get(following.visit_id)
            issues.append(
                InputIssue(
                    "conflict",
                    EVENTS_FILE if event is None else event.file,
                    f"{run.carer_id} could not begin visit {following.visit_id} at "
                    f"{format_clock(next_start)} after visit {stop.visit_id} "
                    f"({format_clock(start)} for {stays} min and "
                    f"{leg} min away): give its real times with a visit_done row",
                    None if event is None else event.row,
                    "start",
                )
            )
    if issues:
        raise InputError(issues)


def follow_events(
    scenario: Scenario,
    plan: Plan,
    events: tuple[Event, ...],
    at: int,
    travel: TravelTimes,
) -> tuple[Scenario, Warm]:
    """The day as it stands at ``at`` after ``events``, and what of ``plan`` is history."""
    begun = started_by(plan, events, at)
    clients = scenario.clients + tuple(e.client for e in events if isinstance(e, ClientAdded))
    scenario = scenario.model_copy(update={"clients": clients})
    visits = _visits(scenario, events)
    by_id = {visit.id: visit for visit in visits}
    _check_history(scenario, plan, events, begun, by_id, travel)
    carers = []
    closed: set[tuple[str, int]] = set()
    issues: list[InputIssue] = []
    for carer in scenario.carers:
        offs = [e for e in events if isinstance(e, CarerOff) and e.carer_id == carer.id]
        lates = [e for e in events if isinstance(e, CarerLate) and e.carer_id == carer.id]
        if not offs and not lates:
            carers.append(carer)
            continue
        runs = [run for run in plan.runs if run.carer_id == carer.id]
        late_shifts, wrong = _late(carer, lates, runs, begun)
        issues += wrong
        carer = carer.model_copy(update={"shifts": late_shifts})
        shifts, shut = _shifts(carer, offs, runs, begun, at, by_id, scenario, travel)
        carers.append(carer.model_copy(update={"shifts": shifts}))
        closed |= {(carer.id, start) for start in shut}
    if issues:
        raise InputError(issues)
    day = scenario.model_copy(update={"carers": tuple(carers), "visits": visits})
    return day, Warm(plan=plan, at=at, begun=begun, closed=frozenset(closed))


def _late(
    carer: Carer, lates: list[CarerLate], runs: list[Run], begun: dict[str, int]
) -> tuple[tuple[Shift, ...], list[InputIssue]]:
    """The carer's shifts with each late start put in, and the lates that cannot be: the
    carer is on their calls already, or would start after the shift's end."""
    shifts = list(carer.shifts)
    issues = []
    for late in lates:
        k = next((k for k, s in enumerate(shifts) if s.end > late.start), None)
        if k is None:
            continue  # after the day's shifts: nothing to be late for
        shift = shifts[k]
        run = next((r for r in runs if r.shift_start == shift.start), None)
        made = [s for s in (run.stops if run else ()) if s.visit_id in begun]
        start = max(shift.start, late.start) + late.minutes
        if made:
            message = (
                f"{carer.id} has been on calls since {format_clock(made[0].start)} (visit "
                f"{made[0].visit_id}): give the real end of the call in hand with visit_done"
            )
        elif start >= shift.end:
            ends = format_clock(shift.end)
            message = f"{carer.id}'s shift ends at {ends}, before {format_clock(start)}"
        else:
            shifts[k] = Shift(start=start, end=shift.end)
            continue
        issues.append(InputIssue("conflict", late.file, message, late.row, "minutes"))
    return tuple(shifts), issues


def afresh_day(day: Scenario, warm: Warm) -> Scenario:
    """``day`` as a fresh solve of the rest of it sees it, the plan forgotten: each begun
    call fixed at its start and pinned to its carer (to one carer of a double-handed call:
    the model pins one), every other call starting at ``warm.at`` or later (one whose
    window has closed is gone), a carer with no begun call leaving home at ``warm.at`` at
    the earliest, and a shift of a carer gone off (``warm.closed``) open to its begun
    calls' clients alone. The yardstick a re-plan is measured against
    (``benchmarks.replan``); its plan is checked against this day."""
    at = warm.at
    carers_of: dict[str, list[str]] = {}
    for run in warm.plan.runs:
        for stop in run.stops:
            carers_of.setdefault(stop.visit_id, []).append(run.carer_id)
    visits = []
    for visit in day.visits:
        if visit.id in warm.begun:
            start = warm.begun[visit.id]
            fixed: dict[str, object] = {"earliest_start": start, "latest_start": start}
            fixed["windows"] = ()
            fixed["pinned_carer"] = carers_of[visit.id][0]
            visits.append(Visit.model_validate(visit.model_dump() | fixed))
            continue
        windows = [(max(a, at), b) for a, b in visit.start_windows if b >= at]
        if not windows:
            continue  # its window closed before ``at``
        later: dict[str, object] = {"earliest_start": windows[0][0]}
        later["latest_start"] = windows[-1][1]
        later["windows"] = tuple(windows) if len(windows) > 1 else ()
        visits.append(Visit.model_validate(visit.model_dump() | later))
    begun_at = {
        (carer, start)
        for visit_id, start in warm.begun.items()
        for carer in carers_of.get(visit_id, [])
    }
    carers = []
    for carer in day.carers:
        shifts, clients = [], set()
        for shift in carer.shifts:
            made = [s for c, s in begun_at if c == carer.id and shift.start <= s <= shift.end]
            if made or shift.end <= at:
                shifts.append(shift)
            elif max(shift.start, at) < shift.end:
                shifts.append(Shift(start=max(shift.start, at), end=shift.end))
            if (carer.id, shift.start) in warm.closed:
                clients |= {
                    v.client_id for v in visits if v.pinned_carer == carer.id and v.id in warm.begun
                }
        update: dict[str, object] = {"shifts": tuple(shifts)}
        if any((carer.id, s.start) in warm.closed for s in carer.shifts):
            update["no_go_clients"] = frozenset(c.id for c in day.clients) - clients
        carers.append(Carer.model_validate(carer.model_dump() | update))
    return day.model_copy(update={"visits": tuple(visits), "carers": tuple(carers)})


def orphans(day: Scenario, warm: Warm) -> frozenset[str]:
    present = {visit.id for visit in day.visits}
    orphans = set()
    for run in warm.plan.runs:
        carer = day.carer_by_id[run.carer_id]
        for stop in run.stops:
            if stop.visit_id in warm.begun or stop.visit_id not in present:
                continue
            shift = next((s for s in carer.shifts if s.start <= stop.start <= s.end), None)
            if shift is None or (carer.id, shift.start) in warm.closed:
                orphans.add(stop.visit_id)
    return frozenset(orphans)


def standing(
    scenario: Scenario, plan: Plan, events: tuple[Event, ...], at: int, travel: TravelTimes
) -> Scenario:
    """The day as it stands at ``at`` after ``events`` (``follow_events``, on the travel
    times the plan was made on); ``InputError`` where the events cannot have happened."""
    return follow_events(scenario, plan, events, at, travel)[0]


def week_day(scenario: Scenario, week: WeekPlan, date: dt.date) -> tuple[Scenario, Plan]:
    """One day of a planned week as a day to re-plan, and its plan: the day as the week's
    rules leave it (``rules.week.day_scenario``, from the days before), and what the days
    after it ask too: each carer home in time for their rest before the next day's first
    departure, working no more than the week's minutes left after every other day, and a
    client whose carers over the other days and this day's plan have reached the cap open
    to those carers only. ``rules.week.week_rules`` checks the week after the re-plan."""
    number = next((k for k, plan in enumerate(week.days) if plan.date == date), None)
    if number is None:
        dates = ", ".join(str(plan.date) for plan in week.days)
        raise DomcareError(f"the week plans {dates}, not {date}")
    plan, settings = week.days[number], week.settings
    day = day_scenario(scenario, date, week.days[:number], settings)
    others = week.days[:number] + week.days[number + 1 :]
    worked: Counter[str] = Counter()
    for other in others:
        worked += paid_minutes(other)
    after = week.days[number + 1] if number + 1 < len(week.days) else None
    leave = first_leave(after) if after is not None else {}
    apart = (after.date - date).days * MINUTES_PER_DAY if after is not None else 0
    carers = []
    for carer in day.carers:
        update: dict[str, object] = {}
        weekly = scenario.carer_by_id[carer.id].max_weekly_minutes
        if weekly is not None:
            left = max(1, weekly - worked[carer.id])
            update["max_working_minutes"] = min(carer.max_working_minutes or left, left)
            update["week_minutes_left"] = left
        if carer.id in leave:
            home = leave[carer.id] + apart - settings.min_rest_minutes
            update["shifts"] = tuple(
                Shift(start=s.start, end=min(s.end, home)) for s in carer.shifts if home > s.start
            )
        carers.append(carer.model_copy(update=update))
    ends = {(c.id, s.start): s.end for c in carers for s in c.shifts}
    runs = tuple(  # a shift ending earlier for the next day's rest is still the run's shift
        run.model_copy(
            update={"shift_end": ends.get((run.carer_id, run.shift_start), run.shift_end)}
        )
        for run in plan.runs
    )
    plan = plan.model_copy(update={"runs": runs})
    seen = carers_seen([*others, plan])
    cap = settings.max_carers_per_client_week
    clients = tuple(
        client.model_copy(update={"week_carers": frozenset(seen[client.id])})
        if len(seen.get(client.id, ())) >= cap
        else client
        for client in day.clients
    )
    return day.model_copy(update={"carers": tuple(carers), "clients": clients}), plan
