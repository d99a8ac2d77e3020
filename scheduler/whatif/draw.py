"""Drawing new care like the care a scenario already has: calls for a new client, a place to
live near an existing one, and the usual shift patterns of a rota.

What-if variations (``scheduler.whatif.spec``) draw new clients and recruits with these, and
the scenario generator (``scenarios.generator``) draws its whole days with them, so a what-if's
new clients look like the generated ones: needs (time-critical medication, hoist, dementia,
...), one to four calls a day at the usual times (morning, lunch, tea, bed) with durations,
windows, skills and double-handed calls following from the needs.

Units: minutes after midnight, km, WGS84 degrees. Everything random comes from the ``rng``
given; nothing global is touched.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from scheduler.model.care import Location, Priority, Shift, Visit
from scheduler.model.clock import parse_clock

__all__ = [
    "BOX",
    "KM_PER_DEG_LAT",
    "KM_PER_DEG_LON",
    "Needs",
    "draw_calls",
    "draw_needs",
    "draw_slots",
    "on_land",
    "pattern_shifts",
    "PATTERNS",
    "PLACE_TRIES",
    "scatter",
    "scatter_near",
    "draw_visit",
]

Rng = np.random.Generator

# ---- places -----------------------------------------------------------------------------------

BOX = (54.25, 54.70, -6.15, -5.50)  # lat min, lat max, lon min, lon max
# Rough rectangles of water inside the box: no client or carer lives there.
_WATER = (
    (54.38, 54.56, -5.72, -5.55),  # Strangford Lough
    (54.665, 54.70, -5.95, -5.50),  # Belfast Lough off Bangor and Helen's Bay
    (54.625, 54.70, -5.95, -5.84),  # inner Belfast Lough off Holywood
)
KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(54.5))
PLACE_TRIES = 200


def on_land(lat: float, lon: float) -> bool:
    lat_min, lat_max, lon_min, lon_max = BOX
    if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
        return False
    return not any(a <= lat <= b and c <= lon <= d for a, b, c, d in _WATER)


def scatter(rng: Rng, lat: float, lon: float, spread_km: float) -> Location | None:
    """A point around (lat, lon), gaussian with ``spread_km`` per axis, if it is on land.

    Rounded to 5 decimals (about a metre), as a geocoded address is."""
    dlat, dlon = rng.normal(0.0, spread_km, size=2)
    point = (round(lat + dlat / KM_PER_DEG_LAT, 5), round(lon + dlon / KM_PER_DEG_LON, 5))
    return Location(lat=point[0], lon=point[1]) if on_land(*point) else None


def scatter_near(rng: Rng, place: Location, spread_km: float) -> Location:
    """A point around ``place`` (gaussian, ``spread_km`` per axis): somewhere a new client or
    carer of an existing scenario may live. Inside County Down it must be on land; elsewhere
    the generator knows no coast, so any point will do. After many tries, ``place`` itself."""
    inside = on_land(place.lat, place.lon)
    for _ in range(PLACE_TRIES):
        dlat, dlon = rng.normal(0.0, spread_km, size=2)
        lat = round(place.lat + dlat / KM_PER_DEG_LAT, 5)
        lon = round(place.lon + dlon / KM_PER_DEG_LON, 5)
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (not inside or on_land(lat, lon)):
            return Location(lat=lat, lon=lon)
    return place


# ---- calls ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """A usual call time: a visit is planned to start and finish inside [start, end];
    ``peak`` is when most such calls are asked for."""

    name: str
    start: int
    end: int
    peak: int


_MORNING = _Slot("morning", 7 * 60, 10 * 60, 8 * 60)
_LUNCH = _Slot("lunch", 12 * 60, 14 * 60, 12 * 60 + 30)
_TEA = _Slot("tea", 16 * 60, 18 * 60, 17 * 60)
_BED = _Slot("bed", 19 * 60, 22 * 60, 20 * 60 + 30)

# calls a day -> (slots, probability)
_CALL_PLANS: dict[int, tuple[tuple[tuple[_Slot, ...], float], ...]] = {
    1: (((_MORNING,), 0.85), ((_LUNCH,), 0.05), ((_BED,), 0.10)),
    2: (((_MORNING, _BED), 0.8), ((_MORNING, _LUNCH), 0.1), ((_MORNING, _TEA), 0.1)),
    3: (((_MORNING, _LUNCH, _BED), 0.6), ((_MORNING, _TEA, _BED), 0.4)),
    4: (((_MORNING, _LUNCH, _TEA, _BED), 1.0),),
}
# probability of 1, 2, 3, 4 calls a day
_CALLS_USUAL = (0.30, 0.25, 0.15, 0.30)
_CALLS_TIMED = (0.0, 0.30, 0.30, 0.40)  # medication at fixed times: at least twice a day
_CALLS_HEAVY = (0.0, 0.10, 0.20, 0.70)  # hoist, PEG or end of life: nearly always four

_WINDOW = 30  # minutes either side of the planned start
_TIGHT_WINDOW = 15  # time-critical medication
_GRANULARITY = 5


@dataclass(frozen=True)
class Needs:
    """What a client's care involves; it decides calls, durations, skills and windows."""

    time_critical: bool
    medication: bool
    dementia: bool
    hoist: bool
    peg_feeding: bool
    catheter: bool
    stoma: bool
    diabetes: bool
    palliative: bool

    @property
    def heavy(self) -> bool:
        return self.hoist or self.peg_feeding or self.palliative


def draw_needs(rng: Rng) -> Needs:
    """Shares of clients: time-critical 20 %, medication ~55 % in all, dementia 20 %, hoist
    10 %, catheter 4 %, PEG, stoma and end-of-life care 2 % each, insulin a quarter of the
    time-critical ones."""
    time_critical = bool(rng.random() < 0.20)
    return Needs(
        time_critical=time_critical,
        medication=time_critical or bool(rng.random() < 0.45),
        dementia=bool(rng.random() < 0.20),
        hoist=bool(rng.random() < 0.10),
        peg_feeding=bool(rng.random() < 0.02),
        catheter=bool(rng.random() < 0.04),
        stoma=bool(rng.random() < 0.02),
        diabetes=time_critical and bool(rng.random() < 0.25),
        palliative=bool(rng.random() < 0.02),
    )


def draw_slots(rng: Rng, needs: Needs, most: int) -> tuple[_Slot, ...]:
    shares = _CALLS_HEAVY if needs.heavy else _CALLS_TIMED if needs.time_critical else _CALLS_USUAL
    calls = min(int(rng.choice(4, p=shares)) + 1, most)
    plans = _CALL_PLANS[calls]
    chosen = int(rng.choice(len(plans), p=[share for _, share in plans]))
    return plans[chosen][0]


def _duration(rng: Rng, slot: _Slot, needs: Needs) -> int:
    """Mostly 30 minutes; morning personal care and hoist transfers take 45-60; a medication
    prompt at lunch or tea (or sometimes bed) is 15."""
    if slot is _MORNING:
        if needs.hoist or needs.palliative:
            return int(rng.choice((45, 60)))
        return 45 if rng.random() < 0.30 else 30
    if needs.heavy:
        return 45 if slot is _BED else 30
    prompt = {_LUNCH: 0.5, _TEA: 0.5, _BED: 0.25}[slot]
    return 15 if needs.medication and rng.random() < prompt else 30


def _required_skills(slot: _Slot, needs: Needs, duration: int) -> frozenset[str]:
    skills = set()
    washing = slot in (_MORNING, _BED) and duration >= 30
    if needs.time_critical or (needs.medication and (washing or duration == 15)):
        skills.add("medication")
    if washing:
        skills.add("personal_care")
    for skill in ("dementia", "hoist", "peg_feeding", "palliative"):
        if getattr(needs, skill):
            skills.add(skill)
    if needs.catheter and slot in (_MORNING, _BED):
        skills.add("catheter")
    if needs.stoma and slot is _MORNING:
        skills.add("stoma")
    if needs.diabetes and slot in (_MORNING, _TEA):  # insulin before breakfast and tea
        skills.add("diabetes")
    return frozenset(skills)


def _carers_required(rng: Rng, slot: _Slot, needs: Needs) -> int:
    """Double-handed calls are mostly hoist transfers (out of bed, into bed), giving ~10 % of
    all visits; a few end-of-life and other clients need two as well."""
    if needs.hoist:
        share = 0.8 if slot in (_MORNING, _BED) else 0.4
    elif needs.palliative:
        share = 0.4
    else:
        share = 0.01
    return 2 if rng.random() < share else 1


def _planned_start(rng: Rng, slot: _Slot, duration: int) -> int:
    """A start in the slot, bunched around its peak, such that the call ends in the slot."""
    last = slot.end - duration
    raw = rng.triangular(slot.start, min(slot.peak, last), last)
    return int(min(last, max(slot.start, _GRANULARITY * round(raw / _GRANULARITY))))


def draw_visit(
    rng: Rng, visit_id: str, client_id: str, date: dt.date, slot: _Slot, needs: Needs
) -> Visit:
    duration = _duration(rng, slot, needs)
    planned = _planned_start(rng, slot, duration)
    half = _TIGHT_WINDOW if needs.time_critical else _WINDOW
    return Visit(
        id=visit_id,
        client_id=client_id,
        date=date,
        earliest_start=planned - half,
        latest_start=planned + half,
        duration=duration,
        carers_required=_carers_required(rng, slot, needs),
        required_skills=_required_skills(slot, needs, duration),
        priority=Priority.CRITICAL if needs.time_critical else Priority.NORMAL,
    )


def draw_calls(rng: Rng, client_id: str, date: dt.date, most: int = 4) -> tuple[Visit, ...]:
    """A new client's calls on ``date`` (at most ``most``): needs, call times, durations,
    windows, skills and double-handed calls drawn as for a generated client. Visit ids are
    ``{client_id}-{n}``."""
    needs = draw_needs(rng)
    return tuple(
        draw_visit(rng, f"{client_id}-{number}", client_id, date, slot, needs)
        for number, slot in enumerate(draw_slots(rng, needs, most), start=1)
    )


# ---- shifts ---------------------------------------------------------------------------------


def _hours(start: str, end: str) -> Shift:
    return Shift(start=parse_clock(start), end=parse_clock(end))


# The shift patterns of a home-care rota, in the order the sizing prefers them on ties.
PATTERNS: dict[str, tuple[Shift, ...]] = {
    "split": (_hours("07:00", "11:00"), _hours("16:30", "22:00")),
    "long": (_hours("07:00", "15:00"),),
    "day": (_hours("08:00", "16:00"),),
    "morning": (_hours("07:00", "14:00"),),
    "evening": (_hours("16:00", "22:00"),),
}


def pattern_shifts(name: str) -> tuple[Shift, ...] | None:
    """The shifts of a named pattern of the generated rotas (``split``, ``long``, ``day``,
    ``morning``, ``evening``), or None for a name it does not know."""
    return PATTERNS.get(name)
