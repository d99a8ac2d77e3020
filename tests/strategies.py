"""Hypothesis strategies for small, valid scenarios: every cross-reference holds, as it would
after ``scheduler.io.scenario`` has checked the input.

Kept small (by default a day has at most 6 carers, 8 clients and 12 visits; a week of up to 4
dates at most 6 carers, 4 clients and 5 visits a day) so that a day's solve takes well under a
second with a solution limit. Places lie within about 10 km of (54.5, -6.0).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from scheduler.model.care import (
    Carer,
    Client,
    DayShifts,
    Gender,
    HistoryEntry,
    Location,
    Priority,
    Scenario,
    Shift,
    Strength,
    TravelMode,
    Visit,
)

__all__ = ["DATE", "SKILLS", "locations", "scenarios", "shifts", "skill_sets", "weeks"]

DATE = dt.date(2026, 12, 1)
SKILLS = ("medication", "hoist", "dementia")

# 0.09 degrees of latitude is 10 km; at 54.5 N a degree of longitude is 0.58 of one of
# latitude, so 0.15 degrees of longitude is also about 10 km.
_LAT, _LON = 54.5, -6.0
_LAT_SPAN, _LON_SPAN = 0.09, 0.15

# Most carers state a gender; a client's preference then has someone to match.
genders = st.sampled_from([None, *Gender, *Gender])


@st.composite
def locations(draw: st.DrawFn) -> Location:
    return Location(
        lat=round(_LAT + draw(st.floats(-_LAT_SPAN, _LAT_SPAN)), 5),
        lon=round(_LON + draw(st.floats(-_LON_SPAN, _LON_SPAN)), 5),
    )


@st.composite
def shifts(draw: st.DrawFn) -> tuple[Shift, ...]:
    """One shift starting between 06:00 and 14:00, or a split shift: that and a later one."""
    start = draw(st.integers(6 * 60, 14 * 60))
    end = start + draw(st.integers(3 * 60, 9 * 60))
    first = Shift(start=start, end=end)
    later_start = end + draw(st.integers(0, 3 * 60))
    # The later shift needs an hour before midnight; 14:00 + 9 h ends at 23:00 at the latest.
    if later_start > 23 * 60 or not draw(st.booleans()):
        return (first,)
    later_end = min(24 * 60, later_start + draw(st.integers(60, 5 * 60)))
    return (first, Shift(start=later_start, end=later_end))


@st.composite
def skill_sets(draw: st.DrawFn, tenths: int) -> frozenset[str]:
    """Each skill held with a chance of ``tenths`` in ten; shrinks towards holding none."""
    held = [False] * (10 - tenths) + [True] * tenths
    return frozenset(skill for skill in SKILLS if draw(st.sampled_from(held)))


@st.composite
def _carer(draw: st.DrawFn, number: int) -> Carer:
    carer_shifts = draw(shifts())
    hours = sum(s.minutes for s in carer_shifts)
    limit = draw(st.none() | st.integers(max(60, hours // 2), hours + 60))
    return Carer(
        id=f"C{number}",
        name=f"Carer {number}",
        home=draw(locations()),
        shifts=carer_shifts,
        skills=draw(skill_sets(6)),
        gender=draw(genders),
        travel_mode=draw(
            st.sampled_from([TravelMode.CAR] * 3 + [TravelMode.WALK, TravelMode.BIKE])
        ),
        max_working_minutes=limit,
    )


@st.composite
def _client(draw: st.DrawFn, number: int, carer_ids: list[str]) -> Client:
    excluded = draw(st.just(frozenset()) | st.frozensets(st.sampled_from(carer_ids), max_size=1))
    return Client(
        id=f"K{number}",
        name=f"Client {number}",
        location=draw(locations()),
        excluded_carers=excluded,
        # A preference on about one client in five.
        gender_preference=draw(st.sampled_from([None] * 4 + list(Gender))),
    )


@st.composite
def _visit(draw: st.DrawFn, number: int, client_ids: list[str], carers: list[Carer]) -> Visit:
    duration = draw(st.sampled_from([15, 30, 45, 60]))
    # Most windows open inside some carer's shift, so that most visits can be placed; the
    # rest fall anywhere between 07:00 and 19:00.
    shift = draw(
        st.sampled_from([s for c in carers for s in c.shifts] + [Shift(start=420, end=1200)])
    )
    earliest = draw(st.integers(shift.start, max(shift.start, shift.end - duration - 20)))
    return Visit(
        id=f"V{number}",
        client_id=draw(st.sampled_from(client_ids)),
        date=DATE,
        earliest_start=earliest,
        latest_start=min(24 * 60, earliest + draw(st.sampled_from([0, 15, 30, 60, 90, 120]))),
        duration=duration,
        # About one visit in five is double-handed.
        carers_required=draw(st.sampled_from([1, 1, 1, 1, 2])),
        required_skills=draw(skill_sets(2)),
        priority=draw(st.sampled_from([Priority.NORMAL] * 3 + [Priority.CRITICAL])),
        pinned_carer=draw(st.sampled_from([None] * 5 + [draw(st.sampled_from(carers)).id])),
    )


@st.composite
def scenarios(
    draw: st.DrawFn, max_carers: int = 6, max_clients: int = 8, max_visits: int = 12
) -> Scenario:
    carers = [draw(_carer(n)) for n in range(1, draw(st.integers(2, max_carers)) + 1)]
    carer_ids = [c.id for c in carers]
    clients = [draw(_client(n, carer_ids)) for n in range(1, draw(st.integers(2, max_clients)) + 1)]
    client_ids = [c.id for c in clients]
    visits = [
        draw(_visit(n, client_ids, carers)) for n in range(1, draw(st.integers(1, max_visits)) + 1)
    ]
    return Scenario(
        name="hypothesis",
        date=DATE,
        carers=tuple(carers),
        clients=tuple(clients),
        visits=tuple(visits),
        skills=frozenset(SKILLS),
    )


# ---- weeks -----------------------------------------------------------------------------------

# A carer's day on a date of a week: mostly the usual shifts, sometimes a day off, other hours
# or a late shift (which the next morning's rest then trims).
_USUAL, _OFF, _OTHER, _LATE = "usual", "off", "other", "late"


@st.composite
def _late_shift(draw: st.DrawFn) -> tuple[Shift, ...]:
    """One shift from 15:00-17:00 to 22:00-24:00."""
    return (
        Shift(start=draw(st.integers(15 * 60, 17 * 60)), end=draw(st.integers(22 * 60, 24 * 60))),
    )


@st.composite
def _week_carer(
    draw: st.DrawFn, number: int, dates: list[dt.date], client_ids: list[str], steady: bool
) -> Carer:
    """A ``steady`` carer works their usual shifts every date, with no weekly limit."""
    usual = draw(shifts())
    on: dict[dt.date, tuple[Shift, ...]] = {}
    for date in dates:
        kind = _USUAL if steady else draw(st.sampled_from([_USUAL] * 4 + [_OFF, _OTHER, _LATE]))
        if kind == _OFF:
            on[date] = ()
        elif kind != _USUAL:
            on[date] = draw(_late_shift() if kind == _LATE else shifts())
    day_minutes = [sum(s.minutes for s in on.get(date, usual)) for date in dates]
    busiest, week = max(day_minutes), sum(day_minutes)
    return Carer(
        id=f"C{number}",
        name=f"Carer {number}",
        home=draw(locations()),
        shifts=usual,
        skills=draw(skill_sets(6)),
        gender=draw(genders),
        travel_mode=draw(
            st.sampled_from([TravelMode.CAR] * 3 + [TravelMode.WALK, TravelMode.BIKE])
        ),
        max_working_minutes=draw(st.none() | st.integers(max(60, busiest // 2), busiest + 60)),
        no_go_clients=draw(
            st.just(frozenset()) | st.frozensets(st.sampled_from(client_ids), max_size=1)
        ),
        # At most six hours, about what a few calls a day come to in a week, so that it binds.
        max_weekly_minutes=None
        if steady
        else draw(st.none() | st.integers(60, max(60, min(week, 6 * 60)))),
        shifts_on=tuple(DayShifts(date=date, shifts=day) for date, day in on.items()),
    )


@st.composite
def _week_client(draw: st.DrawFn, number: int, carer_ids: list[str]) -> Client:
    excluded = draw(st.just(frozenset()) | st.frozensets(st.sampled_from(carer_ids), max_size=1))
    # Preferred and excluded carers never overlap (scenario_io refuses that as a conflict).
    others = [carer for carer in carer_ids if carer not in excluded]
    preferred = draw(st.frozensets(st.sampled_from(others), max_size=2)) if others else frozenset()
    gender = draw(st.sampled_from([None] * 3 + list(Gender)))
    return Client(
        id=f"K{number}",
        name=f"Client {number}",
        location=draw(locations()),
        preferred_carers=preferred,
        excluded_carers=excluded,
        gender_preference=gender,
        gender_preference_strength=draw(st.sampled_from(list(Strength))),
    )


@st.composite
def _week_visit(
    draw: st.DrawFn, visit_id: str, date: dt.date, clients: list[Client], carers: list[Carer]
) -> Visit:
    client = draw(st.sampled_from(clients))
    duration = draw(st.sampled_from([15, 30, 45, 60]))
    # About one visit in four is double-handed.
    carers_required = draw(st.sampled_from([1, 1, 1, 2]))
    # Most windows open inside a span some carer works that date (for a double-handed visit,
    # two carers at once), past the half hour a carer may need to get there; the rest fall in
    # 07:00-19:00.
    on_shift = [s for c in carers for s in c.shifts_for(date)]
    if carers_required == 2:
        on_shift = [
            Shift(start=max(a.start, b.start), end=min(a.end, b.end))
            for i, first in enumerate(carers)
            for second in carers[i + 1 :]
            for a in first.shifts_for(date)
            for b in second.shifts_for(date)
            if min(a.end, b.end) - max(a.start, b.start) >= duration + 60
        ]
    shift = draw(st.sampled_from([*on_shift, Shift(start=420, end=1200)]))
    # Starting by ``last`` the call ends by midnight: shifts end by then and start by 23:00.
    last = max(shift.start, shift.end - duration - 20)
    earliest = draw(st.integers(min(shift.start + 30, last), last))
    # Nor does starting by ``latest`` run past midnight (scenario_io refuses that).
    latest = min(24 * 60 - duration, earliest + draw(st.sampled_from([0, 15, 30, 60, 120])))
    # A pinned carer is never one the client excludes (scenario_io refuses that as a conflict).
    allowed = [c.id for c in carers if c.id not in client.excluded_carers]
    pinned = draw(st.sampled_from([None] * 12 + allowed)) if allowed else None
    return Visit(
        id=visit_id,
        client_id=client.id,
        date=date,
        earliest_start=earliest,
        latest_start=latest,
        duration=duration,
        carers_required=carers_required,
        required_skills=draw(skill_sets(1)),
        priority=draw(st.sampled_from([Priority.NORMAL] * 3 + [Priority.CRITICAL])),
        pinned_carer=pinned,
    )


@st.composite
def weeks(
    draw: st.DrawFn,
    max_days: int = 4,
    max_carers: int = 6,
    max_clients: int = 4,
    max_visits_a_day: int = 5,
    steady_carer: bool = True,
) -> Scenario:
    """A week of 2 to ``max_days`` consecutive dates from ``DATE``, each with at least one
    visit, and everything a week can hold: shifts by date (days off, other hours), weekly and
    daily minute limits, no-go clients, exclusions, preferred carers, hard and soft gender
    preferences, pinned and double-handed visits, and history from the fortnight before.

    History may name a carer who has left (``C0``), as real history does.

    With ``steady_carer``, C1 works the same shifts every date and has no weekly limit, so
    someone is on duty every day whatever the rest rule (under 24 h) and the weekly minutes
    leave: a day with nobody on duty crashes the solver (see
    ``tests/property/test_week_properties.py``).
    """
    dates = [DATE + dt.timedelta(days=n) for n in range(draw(st.integers(2, max_days)))]
    client_ids = [f"K{n}" for n in range(1, draw(st.integers(2, max_clients)) + 1)]
    carers = [
        draw(_week_carer(n, dates, client_ids, steady=steady_carer and n == 1))
        for n in range(1, draw(st.integers(2, max_carers)) + 1)
    ]
    carer_ids = [carer.id for carer in carers]
    clients = [draw(_week_client(n, carer_ids)) for n in range(1, len(client_ids) + 1)]
    visits = [
        draw(_week_visit(f"D{day}V{n}", date, clients, carers))
        for day, date in enumerate(dates, start=1)
        for n in range(1, draw(st.integers(1, max_visits_a_day)) + 1)
    ]
    history = draw(
        st.lists(
            st.builds(
                HistoryEntry,
                client_id=st.sampled_from(client_ids),
                carer_id=st.sampled_from([*carer_ids, "C0"]),
                date=st.integers(1, 14).map(lambda days: DATE - dt.timedelta(days=days)),
            ),
            max_size=4,
            unique_by=lambda entry: (entry.client_id, entry.carer_id, entry.date),
        )
    )
    return Scenario(
        name="hypothesis-week",
        date=DATE,
        carers=tuple(carers),
        clients=tuple(clients),
        visits=tuple(visits),
        history=tuple(history),
        skills=frozenset(SKILLS),
    )
