"""Hypothesis strategies for small, valid scenarios: every cross-reference holds, as it would
after ``scheduler.scenario_io`` has checked the input.

Kept small (by default at most 6 carers, 8 clients and 12 visits) so that a solve takes well
under a second with a solution limit. Places lie within about 10 km of (54.5, -6.0).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from scheduler.model import (
    Carer,
    Client,
    Gender,
    Location,
    Priority,
    Scenario,
    Shift,
    TravelMode,
    Visit,
)

__all__ = ["DATE", "SKILLS", "locations", "scenarios", "shifts", "skill_sets"]

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
