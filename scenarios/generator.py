"""A seeded generator of realistic home-care days in County Down, Northern Ireland.

The solver, the benchmarks and the golden tests need days that look like the real thing (a
morning peak, double-handed hoist calls, time-critical medication, clients bunched in towns with
a rural tail) at any size, and the very same day again for the same seed. Everything random
comes from one ``numpy.random.Generator`` seeded with ``seed``; nothing global is touched.

Units: times are whole minutes after midnight, durations minutes, distances kilometres,
positions WGS84 degrees. Every person and address is synthetic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scheduler.analysis.waiting import CarePackage, PackageCall, write_waiting_list
from scheduler.io.scenario import write_scenario
from scheduler.model.care import (
    Carer,
    Client,
    DayShifts,
    Gender,
    HistoryEntry,
    Location,
    Scenario,
    Shift,
    TravelMode,
    Visit,
)
from scheduler.model.settings import DEFAULT_SKILLS
from scheduler.whatif.draw import (
    KM_PER_DEG_LAT,
    KM_PER_DEG_LON,
    PATTERNS,
    PLACE_TRIES,
    draw_needs,
    draw_slots,
    draw_visit,
    scatter,
)

__all__ = [
    "BANDS",
    "SHIPPED_DAYS",
    "SLACK",
    "TRAVEL_ALLOWANCE",
    "Band",
    "BandMinutes",
    "band_minutes",
    "generate",
    "generate_week",
    "main",
    "write_generated",
]

Rng = np.random.Generator

# ---- geography ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Town:
    """A town centre clients cluster around. ``weight`` is its share of clients, roughly by
    population; the postcode districts split the town west and east of the centre."""

    name: str
    lat: float
    lon: float
    weight: float
    postcode_west: str
    postcode_east: str


_TOWNS = (
    _Town("Lisburn", 54.5162, -6.0580, 0.30, "BT28", "BT27"),
    _Town("Bangor", 54.6536, -5.6683, 0.34, "BT19", "BT20"),
    _Town("Newtownards", 54.5917, -5.6913, 0.18, "BT23", "BT23"),
    _Town("Downpatrick", 54.3283, -5.7157, 0.10, "BT30", "BT30"),
    _Town("Ballynahinch", 54.4029, -5.8968, 0.08, "BT24", "BT24"),
)
_CLIENT_SPREAD_KM = 1.0  # per axis: ~86 % of town clients within 2 km of the centre
_RURAL_SHARE = 0.20
_RURAL_SPREAD_KM = 3.0  # sideways from the line between two towns
_HINTERLAND_KM = 5.0  # per axis: rural clients of a one-town agency
_VISITS_PER_TOWN = 300  # an agency's day grows by taking on another town
_CARER_SPREAD_KM = 2.5  # per axis: carers live ~3 km from the town they work in


def _km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Flat-earth distances in km: plenty for choosing the nearest carer inside one county."""
    return np.hypot((lats - lat) * KM_PER_DEG_LAT, (lons - lon) * KM_PER_DEG_LON)


def _near(rng: Rng, town: _Town, spread_km: float) -> Location:
    """A home around a town centre. A centre by the shore rejects up to half its draws; after
    many tries the centre itself (on land) is used."""
    for _ in range(PLACE_TRIES):
        point = scatter(rng, town.lat, town.lon, spread_km)
        if point is not None:
            return point
    return Location(lat=town.lat, lon=town.lon)


def _weights(towns: Sequence[_Town]) -> np.ndarray:
    weights = np.array([town.weight for town in towns])
    return weights / weights.sum()


def _served_towns(rng: Rng, visits: int) -> tuple[_Town, ...]:
    """The towns an agency of this size serves: one for a small day, all five for a district
    of 1500 calls. A 60-call agency does not send its ten carers across the county."""
    count = min(len(_TOWNS), max(1, round(visits / _VISITS_PER_TOWN)))
    picked = rng.choice(len(_TOWNS), size=count, replace=False, p=_weights(_TOWNS))
    return tuple(_TOWNS[int(i)] for i in sorted(picked))


def _rural(rng: Rng, towns: Sequence[_Town]) -> Location:
    """A point in the countryside: between two of the towns served, as rural clients live, or
    in the hinterland of the only one."""
    for _ in range(PLACE_TRIES):
        if len(towns) == 1:
            point = scatter(rng, towns[0].lat, towns[0].lon, _HINTERLAND_KM)
        else:
            first, second = rng.choice(len(towns), size=2, replace=False, p=_weights(towns))
            a, b = towns[first], towns[second]
            t = rng.uniform(0.2, 0.8)
            lat, lon = a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)
            point = scatter(rng, lat, lon, _RURAL_SPREAD_KM)
        if point is not None:
            return point
    return _near(rng, towns[0], _CLIENT_SPREAD_KM)


def _nearest_town(location: Location, towns: Sequence[_Town] = _TOWNS) -> _Town:
    lats = np.array([town.lat for town in towns])
    lons = np.array([town.lon for town in towns])
    return towns[int(np.argmin(_km(location.lat, location.lon, lats, lons)))]


# ---- names and addresses (synthetic) --------------------------------------------------------

_FEMALE_NAMES = (
    "Mary", "Margaret", "Anne", "Elizabeth", "Patricia", "Catherine", "Sarah", "Emma",
    "Claire", "Karen", "Joanne", "Rachel", "Laura", "Grace", "Sophie", "Aoife", "Niamh",
    "Ciara", "Helen", "Lisa", "Julie", "Gillian",
)  # fmt: skip
_MALE_NAMES = (
    "John", "James", "David", "William", "Robert", "Patrick", "Michael", "Thomas",
    "Stephen", "Mark", "Paul", "Sean", "Gary", "Andrew", "Brian", "Colin",
)  # fmt: skip
_SURNAMES = (
    "Wilson", "Campbell", "Kelly", "Johnston", "Moore", "Thompson", "Smith", "Brown",
    "Stewart", "Quinn", "Robinson", "Murphy", "Graham", "Martin", "Hamilton", "Doherty",
    "Bell", "Scott", "Patterson", "Reid", "Magee", "Burns", "Walsh", "Kerr", "Boyd",
)  # fmt: skip
_TOWN_STREETS = (
    "Main Street", "Church Street", "Market Street", "Hill Street", "Queen Street",
    "Bridge Street", "Meadow Way", "Orchard Park", "Castle Avenue", "Beechfield Drive",
    "Ashgrove Road", "Station Road", "Park Avenue", "Rosemount Gardens", "Millbrook Crescent",
)  # fmt: skip
_RURAL_ROADS = (
    "Mill Road", "Back Lane", "Hillhead Road", "Moss Road", "Glen Road", "Quarry Lane",
    "Windmill Road", "Old Coach Road",
)  # fmt: skip
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a UK inward code may use


def _pick(rng: Rng, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _person_name(rng: Rng, gender: Gender | None) -> str:
    if gender is None:
        gender = Gender.FEMALE if rng.random() < 0.5 else Gender.MALE
    first = _FEMALE_NAMES if gender is Gender.FEMALE else _MALE_NAMES
    return f"{_pick(rng, first)} {_pick(rng, _SURNAMES)}"


def _address(rng: Rng, town: _Town, rural: bool) -> str:
    street = _pick(rng, _RURAL_ROADS if rural else _TOWN_STREETS)
    return f"{int(rng.integers(1, 120 if rural else 80))} {street}, {town.name}"


def _postcode(rng: Rng, town: _Town, location: Location) -> str:
    district = town.postcode_west if location.lon < town.lon else town.postcode_east
    letters = "".join(_pick(rng, _POSTCODE_LETTERS) for _ in range(2))
    return f"{district} {int(rng.integers(1, 10))}{letters}"


# ---- calls ----------------------------------------------------------------------------------


# ---- clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ClientDraft:
    """A client before the carers exist: preferences and history are filled in afterwards."""

    id: str
    name: str
    location: Location
    town: _Town  # the postal town: the nearest centre
    address: str
    postcode: str
    visits: tuple[Visit, ...]


def _client_location(rng: Rng, towns: tuple[_Town, ...]) -> tuple[Location, bool]:
    """Where a client lives, and whether it is out in the country."""
    if rng.random() < _RURAL_SHARE:
        return _rural(rng, towns), True
    home = towns[int(rng.choice(len(towns), p=_weights(towns)))]
    return _near(rng, home, _CLIENT_SPREAD_KM), False


def _draft_clients(rng: Rng, visits: int, date: dt.date) -> list[_ClientDraft]:
    """Clients until exactly ``visits`` calls are booked; the last client gets fewer calls if
    the count would overshoot."""
    drafts: list[_ClientDraft] = []
    booked = 0
    towns = _served_towns(rng, visits)
    while booked < visits:
        client_id = f"CL{len(drafts) + 1:04d}"
        location, rural = _client_location(rng, towns)
        town = _nearest_town(location)
        needs = draw_needs(rng)
        calls = []
        for slot in draw_slots(rng, needs, visits - booked):
            booked += 1
            calls.append(draw_visit(rng, f"V{booked:05d}", client_id, date, slot, needs))
        drafts.append(
            _ClientDraft(
                id=client_id,
                name=_person_name(rng, None),
                location=location,
                town=town,
                address=_address(rng, town, rural),
                postcode=_postcode(rng, town, location),
                visits=tuple(calls),
            )
        )
    return drafts


# ---- time bands: demand and supply ----------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A part of the day in which care minutes asked for are compared with carer minutes on
    shift. A visit belongs to the band holding the middle of its start window."""

    name: str
    start: int
    end: int


BANDS = (
    Band("morning", 6 * 60, 11 * 60),
    Band("lunch", 11 * 60, 15 * 60),
    Band("tea", 15 * 60, 18 * 60 + 30),
    Band("bed", 18 * 60 + 30, 23 * 60),
)


@dataclass(frozen=True)
class BandMinutes:
    """Care minutes asked for in a band (a double-handed visit counts twice) and carer shift
    minutes inside it. Travel is not in ``care_minutes``: the generator allows for it."""

    band: str
    care_minutes: int
    shift_minutes: int


# Carers are sized hour by hour: the four parts of the day hide the peak inside each (most
# morning calls fall between 07:30 and 09:30), and a day sized on the parts left the peak hour
# with 79 % of on-shift minutes spent in care, too little for the travel between calls.
_HOURS = tuple(Band(f"{h:02d}h", h * 60, (h + 1) * 60) for h in range(6, 23))


def _band_index(visit: Visit, bands: Sequence[Band] = BANDS) -> int:
    middle = (visit.earliest_start + visit.latest_start) // 2
    for index, band in enumerate(bands):
        if band.start <= middle < band.end:
            return index
    return 0 if middle < bands[0].start else len(bands) - 1


def _care_by_band(visits: Sequence[Visit], bands: Sequence[Band] = BANDS) -> list[int]:
    """Care minutes per band, each visit's minutes spread evenly over the span its care may
    fall in (earliest start to latest start plus duration): the window is the flexibility a
    rota has to flatten the peak."""
    minutes = [0.0] * len(bands)
    for visit in visits:
        start, end = visit.earliest_start, visit.latest_start + visit.duration
        care = visit.care_minutes
        overlaps = [max(0, min(end, b.end) - max(start, b.start)) for b in bands]
        if sum(overlaps) == 0:
            minutes[_band_index(visit, bands)] += care
            continue
        for index, overlap in enumerate(overlaps):
            minutes[index] += care * overlap / sum(overlaps)
    return [round(m) for m in minutes]


def _shift_by_band(shifts: Sequence[Shift], bands: Sequence[Band] = BANDS) -> list[int]:
    return [
        sum(max(0, min(s.end, band.end) - max(s.start, band.start)) for s in shifts)
        for band in bands
    ]


def band_minutes(scenario: Scenario) -> tuple[BandMinutes, ...]:
    """Demand and supply per band, to see at a glance whether a day can be covered."""
    care = _care_by_band(scenario.visits)
    supply = [0] * len(BANDS)
    for carer in scenario.carers:
        supply = [a + b for a, b in zip(supply, _shift_by_band(carer.shifts), strict=True)]
    return tuple(
        BandMinutes(band.name, c, s) for band, c, s in zip(BANDS, care, supply, strict=True)
    )


# ---- carers ---------------------------------------------------------------------------------


TRAVEL_ALLOWANCE = 0.30  # travel on top of care minutes, in the busiest hour
SLACK = 0.15  # spare carer minutes in every hour once travel is allowed for
_MAX_PATTERN_SHARE = 0.40  # no one pattern makes up more of the staff: a rota is a mix
_MAX_WORKING_MINUTES = 600
_SHARE_UNCAPPED = 0.20


def _targets(care: Sequence[int]) -> list[float]:
    return [minutes * (1 + TRAVEL_ALLOWANCE) * (1 + SLACK) for minutes in care]


def _pattern_mix(care: Sequence[int]) -> list[int]:
    """How many carers work each pattern so that every band has its target of minutes.

    Greedy cover: add the pattern that fills most of what is still missing (on a tie, the one
    paying fewest idle minutes), keeping any one pattern to at most ``_MAX_PATTERN_SHARE`` of
    the staff. The mix follows the demand shape: split, long and morning shifts for the morning
    peak, evenings only as far as the bed calls need.
    """
    supply = [_shift_by_band(shifts, _HOURS) for shifts in PATTERNS.values()]
    paid = [sum(shift.minutes for shift in shifts) for shifts in PATTERNS.values()]
    targets = _targets(care)
    counts = [0] * len(supply)
    have = [0] * len(_HOURS)
    while True:
        missing = [max(0.0, t - h) for t, h in zip(targets, have, strict=True)]
        gains = [sum(min(s, m) for s, m in zip(row, missing, strict=True)) for row in supply]
        useful = [p for p, gain in enumerate(gains) if gain > 0]
        if not useful:
            return counts
        cap = max(1.0, _MAX_PATTERN_SHARE * (sum(counts) + 1))
        allowed = [p for p in useful if counts[p] + 1 <= cap] or useful
        best = max(allowed, key=lambda p: (gains[p], gains[p] / paid[p]))
        counts[best] += 1
        have = [h + s for h, s in zip(have, supply[best], strict=True)]


def _scale(counts: Sequence[int], total: int) -> list[int]:
    """The same mix for exactly ``total`` carers (largest remainders)."""
    exact = [total * c / sum(counts) for c in counts]
    scaled = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (scaled[i] - exact[i], i))
    for i in order[: total - sum(scaled)]:
        scaled[i] += 1
    return scaled


def _staff_every_call(counts: Sequence[int], visits: Sequence[Visit]) -> list[int]:
    """Add carers until every call has ``carers_required + _SPARE_CARERS`` carers whose shift
    can hold it. Only small days need this: their few carers may all be off at tea time."""
    counts = list(counts)
    patterns = list(PATTERNS.values())
    for visit in visits:
        fit = [p for p, shifts in enumerate(patterns) if _works_through(shifts, visit)]
        while fit and sum(counts[p] for p in fit) < visit.carers_required + _SPARE_CARERS:
            counts[fit[0]] += 1
    return counts


@dataclass
class _CarerDraft:
    """A carer whose skills may still be topped up to cover every required skill."""

    id: str
    name: str
    home: Location
    shifts: tuple[Shift, ...]
    gender: Gender
    travel_mode: TravelMode
    max_working_minutes: int | None
    skills: set[str] = field(default_factory=set)

    def freeze(self) -> Carer:
        return Carer(
            id=self.id,
            name=self.name,
            home=self.home,
            shifts=self.shifts,
            skills=frozenset(self.skills),
            gender=self.gender,
            travel_mode=self.travel_mode,
            max_working_minutes=self.max_working_minutes,
        )


# Share of carers trained in each skill beyond the medication and personal care all have.
_SKILL_SHARES = {
    "dementia": 0.40,
    "hoist": 0.50,
    "diabetes": 0.20,
    "catheter": 0.15,
    "stoma": 0.10,
    "palliative": 0.10,
    "peg_feeding": 0.08,
}
_FEMALE_CARERS = 0.85
_WALK_RADIUS_KM = 1.5


def _travel_mode(rng: Rng, home: Location, town: _Town) -> TravelMode:
    """~5 % walk (only those living in town), ~5 % cycle, the rest drive."""
    in_town = _km(home.lat, home.lon, np.array([town.lat]), np.array([town.lon]))[0]
    draw = rng.random()
    if in_town <= _WALK_RADIUS_KM and draw < 0.30:
        return TravelMode.WALK
    return TravelMode.BIKE if draw > 0.95 else TravelMode.CAR


def _draft_carers(
    rng: Rng, patterns: Sequence[tuple[Shift, ...]], clients: Sequence[_ClientDraft]
) -> list[_CarerDraft]:
    """Carers live near the towns their clients are in, one shift pattern each."""
    homes = [client.town for client in clients]
    towns = [town for town in _TOWNS if town in homes]
    weights = np.array([homes.count(town) for town in towns], dtype=float)
    weights /= weights.sum()
    carers = []
    for number, shifts in enumerate(patterns, start=1):
        town = towns[int(rng.choice(len(towns), p=weights))]
        home = _near(rng, town, _CARER_SPREAD_KM)
        gender = Gender.FEMALE if rng.random() < _FEMALE_CARERS else Gender.MALE
        skills = {"medication", "personal_care"}
        skills |= {skill for skill, share in _SKILL_SHARES.items() if rng.random() < share}
        carers.append(
            _CarerDraft(
                id=f"CR{number:03d}",
                name=_person_name(rng, gender),
                home=home,
                shifts=shifts,
                gender=gender,
                travel_mode=_travel_mode(rng, home, town),
                max_working_minutes=None
                if rng.random() < _SHARE_UNCAPPED
                else _MAX_WORKING_MINUTES,
                skills=skills,
            )
        )
    return carers


_MIN_HOLDERS = 3  # of any skill a visit requires, across the day
_MIN_HOLDERS_IN_BAND = 2  # on shift in each band where the skill is asked for


def _cover_skills(rng: Rng, carers: Sequence[_CarerDraft], visits: Sequence[Visit]) -> None:
    """Train more carers until every required skill has enough holders on shift in every band
    where it is asked for: at least two, and minutes for the skill's visits with the same travel
    allowance and slack as the day as a whole."""
    skills = sorted({skill for visit in visits for skill in visit.required_skills})
    on_shift = [_shift_by_band(carer.shifts, _HOURS) for carer in carers]
    for skill in skills:
        asking = [v for v in visits if skill in v.required_skills]
        needed = _targets(_care_by_band(asking, _HOURS))
        for band, target in enumerate(needed):
            if target == 0:
                continue
            while True:
                holders = [i for i, c in enumerate(carers) if skill in c.skills]
                working = [i for i in holders if on_shift[i][band] > 0]
                minutes = sum(on_shift[i][band] for i in working)
                if len(working) >= _MIN_HOLDERS_IN_BAND and minutes >= target:
                    break
                lacking = [
                    i for i, c in enumerate(carers) if skill not in c.skills and on_shift[i][band]
                ]
                if not lacking:
                    break
                carers[int(rng.choice(lacking))].skills.add(skill)
        while sum(skill in c.skills for c in carers) < min(_MIN_HOLDERS, len(carers)):
            lacking = [i for i, c in enumerate(carers) if skill not in c.skills]
            carers[int(rng.choice(lacking))].skills.add(skill)


# ---- client rules, training, usual carers and history ---------------------------------------

_GENDER_PREFERENCE = 0.10
_FEMALE_PREFERENCE = 0.85
_EXCLUDED = 0.03
_EXCLUDED_FROM_NEAREST = 10
_SPARE_CARERS = 1  # able carers beyond those a call needs, so one exclusion never strands it
_PREFERRED = 0.40
_PREFERRED_FROM_NEAREST = 6
_HISTORY_DAYS = 7
_HISTORY_PREFERRED = 0.6  # share of past calls a preferred carer made


@dataclass(frozen=True)
class _Rules:
    """Who may visit a client: the gender asked for and the carers the client refuses."""

    gender: Gender | None
    excluded: tuple[str, ...]

    def allow(self, carer: _CarerDraft | Carer) -> bool:
        return carer.id not in self.excluded and self.gender in (None, carer.gender)


def _by_distance(location: Location, carers: Sequence[_CarerDraft]) -> list[int]:
    lats = np.array([carer.home.lat for carer in carers])
    lons = np.array([carer.home.lon for carer in carers])
    order = np.argsort(_km(location.lat, location.lon, lats, lons), kind="stable")
    return [int(i) for i in order]


def _rules(
    rng: Rng, draft: _ClientDraft, carers: Sequence[_CarerDraft], nearest: Sequence[int]
) -> _Rules:
    """~10 % of clients ask for a gender, mostly women; ~3 % refuse one carer who lives
    nearby, as after a falling-out. A rule that would leave a call without enough carers on
    shift is dropped: a coordinator would not have accepted it for this rota either."""
    gender = None
    if rng.random() < _GENDER_PREFERENCE:
        gender = Gender.FEMALE if rng.random() < _FEMALE_PREFERENCE else Gender.MALE
    excluded: list[str] = []
    if rng.random() < _EXCLUDED:
        excluded = _choose(rng, [carers[i].id for i in nearest[:_EXCLUDED_FROM_NEAREST]], 1)
    for rules in (_Rules(gender, tuple(excluded)), _Rules(None, tuple(excluded))):
        if _staffed(draft.visits, carers, rules):
            return rules
    return _Rules(None, ())


def _staffed(visits: Sequence[Visit], carers: Sequence[_CarerDraft], rules: _Rules) -> bool:
    """Whether each call has ``carers_required + _SPARE_CARERS`` carers on shift whom the
    client accepts (skills aside: those can be trained)."""
    return all(
        sum(rules.allow(c) and _works_through(c.shifts, visit) for c in carers)
        >= visit.carers_required + _SPARE_CARERS
        for visit in visits
    )


def _works_through(shifts: Sequence[Shift], visit: Visit) -> bool:
    """A shift in which the call fits wherever its window puts it."""
    return any(
        shift.start <= visit.latest_start and visit.earliest_start + visit.duration <= shift.end
        for shift in shifts
    )


def _train_for_visits(
    carers: Sequence[_CarerDraft], visits: Sequence[Visit], rules: _Rules, nearest: Sequence[int]
) -> None:
    """Give every call ``carers_required + _SPARE_CARERS`` carers who may do it.

    Skills drawn one at a time leave combinations (PEG feeding with dementia, a hoist for a
    client who asks for a man) that nobody on shift holds; the agency would train the nearest
    carers on shift who lack the fewest of them, and so does this.
    """
    for visit in visits:
        candidates = [
            carers[i]
            for i in nearest
            if rules.allow(carers[i]) and _works_through(carers[i].shifts, visit)
        ]
        able = sum(visit.required_skills <= carer.skills for carer in candidates)
        short = visit.carers_required + _SPARE_CARERS - able
        if short <= 0:
            continue
        lacking = sorted(
            (carer for carer in candidates if not visit.required_skills <= carer.skills),
            key=lambda carer: len(visit.required_skills - carer.skills),
        )
        for carer in lacking[:short]:
            carer.skills |= visit.required_skills


def _fits(carer: Carer, visits: Sequence[Visit], rules: _Rules) -> bool:
    """Could this carer do all the client's care on some call: the skills, the client's rules,
    and a shift in which at least one call fits."""
    skills = frozenset().union(*(visit.required_skills for visit in visits))
    if not (skills <= carer.skills and rules.allow(carer)):
        return False
    return any(_works_through(carer.shifts, visit) for visit in visits)


def _choose(rng: Rng, ids: Sequence[str], count: int) -> list[str]:
    picked = rng.choice(len(ids), size=min(count, len(ids)), replace=False)
    return sorted(ids[int(i)] for i in picked)


def _relate(
    rng: Rng, draft: _ClientDraft, nearest: Sequence[Carer], rules: _Rules
) -> tuple[Client, list[str]]:
    """The client with preferences, and the 2-4 carers who usually visit (preferred first)."""
    fitting = [carer.id for carer in nearest if _fits(carer, draft.visits, rules)]
    preferred: list[str] = []
    if rng.random() < _PREFERRED and fitting:
        preferred = _choose(rng, fitting[:_PREFERRED_FROM_NEAREST], 1 + int(rng.random() < 0.4))
    size = int(rng.integers(2, 5))
    team = list(preferred)
    allowed = [carer.id for carer in nearest if rules.allow(carer)]
    for carer_id in fitting + allowed:
        if len(team) >= size:
            break
        if carer_id not in team:
            team.append(carer_id)
    client = Client(
        id=draft.id,
        name=draft.name,
        location=draft.location,
        address=draft.address,
        postcode=draft.postcode,
        preferred_carers=frozenset(preferred),
        excluded_carers=frozenset(rules.excluded),
        gender_preference=rules.gender,
    )
    return client, team


def _history(
    rng: Rng, client: Client, visits: Sequence[Visit], team: Sequence[str], date: dt.date
) -> set[tuple[str, str, dt.date]]:
    """Who did this client's calls over the past week: the usual team, the preferred carers
    most often. One entry per carer, client and day."""
    preferred = sorted(client.preferred_carers)
    seen: set[tuple[str, str, dt.date]] = set()
    if not team:
        return seen
    for days_back in range(1, _HISTORY_DAYS + 1):
        day = date - dt.timedelta(days=days_back)
        for visit in visits:
            if preferred and rng.random() < _HISTORY_PREFERRED:
                first = _pick(rng, preferred)
            else:
                first = _pick(rng, team)
            seen.add((client.id, first, day))
            others = [carer_id for carer_id in team if carer_id != first]
            if visit.double_handed and others:
                seen.add((client.id, _pick(rng, others), day))
    return seen


# ---- the generator --------------------------------------------------------------------------


def _roster(rng: Rng, drafts: Sequence[_ClientDraft], carers: int | None) -> list[_CarerDraft]:
    """Carers on shift patterns that follow the day's demand, trained for its skills."""
    visits = [visit for draft in drafts for visit in draft.visits]
    mix = _pattern_mix(_care_by_band(visits, _HOURS))
    counts = _staff_every_call(mix, visits) if carers is None else _scale(mix, carers)
    patterns = [
        shifts
        for shifts, count in zip(PATTERNS.values(), counts, strict=True)
        for _ in range(count)
    ]
    patterns = [patterns[int(i)] for i in rng.permutation(len(patterns))]
    staff = _draft_carers(rng, patterns, drafts)
    _cover_skills(rng, staff, visits)
    return staff


def generate(
    visits: int,
    carers: int | None = None,
    seed: int = 0,
    date: dt.date = dt.date(2026, 12, 1),
    name: str | None = None,
) -> Scenario:
    """A home-care day in County Down with exactly ``visits`` calls.

    With ``carers`` None, enough carers are rostered for the day to be comfortably coverable:
    every band of the day has ``SLACK`` spare minutes after care and a ``TRAVEL_ALLOWANCE``.
    With ``carers`` given, exactly that many work the same mix of shift patterns.
    """
    if visits < 1:
        raise ValueError("a generated day needs at least one visit")
    if carers is not None and carers < 1:
        raise ValueError("a generated day needs at least one carer")
    rng = np.random.default_rng(seed)
    drafts = _draft_clients(rng, visits, date)
    staff = _roster(rng, drafts, carers)
    nearest = [_by_distance(draft.location, staff) for draft in drafts]
    rules = [_rules(rng, draft, staff, order) for draft, order in zip(drafts, nearest, strict=True)]
    for draft, rule, order in zip(drafts, rules, nearest, strict=True):
        _train_for_visits(staff, draft.visits, rule, order)
    frozen = [carer.freeze() for carer in staff]

    clients = []
    history: set[tuple[str, str, dt.date]] = set()
    for draft, rule, order in zip(drafts, rules, nearest, strict=True):
        client, team = _relate(rng, draft, [frozen[i] for i in order], rule)
        clients.append(client)
        history |= _history(rng, client, draft.visits, team, date)

    return Scenario(
        name=name or f"generated-{visits}-{seed}",
        date=date,
        carers=tuple(frozen),
        clients=tuple(clients),
        visits=tuple(visit for draft in drafts for visit in draft.visits),
        history=tuple(
            HistoryEntry(client_id=client_id, carer_id=carer_id, date=day)
            for client_id, carer_id, day in sorted(history, key=lambda e: (e[2], e[0], e[1]))
        ),
        skills=DEFAULT_SKILLS,
    )


# ---- a week ---------------------------------------------------------------------------------

WORKING_DAYS = 5  # of 7: each carer has two days off, spread over the week


def generate_week(
    visits: int,
    days: int = 7,
    carers: int | None = None,
    seed: int = 0,
    start: dt.date = dt.date(2026, 12, 1),
    name: str | None = None,
) -> Scenario:
    """``days`` consecutive days of the same care packages (each client's calls repeat daily,
    as home-care packages do), ``visits`` calls a day.

    The staff is the one-day staff scaled up by 7 / ``WORKING_DAYS`` (rounded up) and each
    carer works ``WORKING_DAYS`` days of every 7, with their days off staggered so that every
    day has about the same number of carers on.
    """
    one_day = generate(visits, None, seed=seed, date=start, name=name)
    staff_size = carers or math.ceil(len(one_day.carers) * 7 / WORKING_DAYS)
    staffed = generate(visits, staff_size, seed=seed, date=start, name=name)
    dates = [start + dt.timedelta(days=k) for k in range(days)]
    week_carers = []
    for number, carer in enumerate(staffed.carers):
        off = {(number + k * 3) % 7 for k in range(7 - WORKING_DAYS)}
        days_off = tuple(
            DayShifts(date=day, shifts=()) for day in dates if (day - start).days % 7 in off
        )
        week_carers.append(carer.model_copy(update={"shifts_on": days_off}))
    week_visits = tuple(
        visit.model_copy(update={"id": f"{visit.id}-{day:%a}", "date": day})
        for day in dates
        for visit in staffed.visits
    )
    return staffed.model_copy(
        update={
            "name": name or f"generated-week-{visits}-{seed}",
            "carers": tuple(week_carers),
            "visits": week_visits,
        }
    )


# ---- a waiting list -------------------------------------------------------------------------

WAITING_SEED_OFFSET = 7919
"""A waiting list draws its people from ``seed + WAITING_SEED_OFFSET``, not from the day's
own stream, so adding one never changes the day it is for."""


def generate_waiting_list(
    visits: int, seed: int, people: int, date: dt.date = dt.date(2026, 12, 1)
) -> tuple[CarePackage, ...]:
    """``people`` waiting for care in the towns the generated day of ``visits`` calls and
    ``seed`` serves, with the same mix of needs, calls and windows as its clients; each call
    wanted daily, as most home-care packages are. Waiting since 1-120 days before ``date``."""
    towns = _served_towns(np.random.default_rng(seed), visits)  # the day's own first draw
    rng = np.random.default_rng(seed + WAITING_SEED_OFFSET)
    packages = []
    for number in range(1, people + 1):
        location, _ = _client_location(rng, towns)
        needs = draw_needs(rng)
        calls = []
        for slot in draw_slots(rng, needs, 4):
            visit = draw_visit(rng, "draft", "draft", date, slot, needs)
            calls.append(
                PackageCall(
                    earliest_start=visit.earliest_start,
                    latest_start=visit.latest_start,
                    duration=visit.duration,
                    carers_required=visit.carers_required,
                    required_skills=visit.required_skills,
                )
            )
        packages.append(
            CarePackage(
                id=f"WL{number:03d}",
                location=location,
                calls=tuple(calls),
                waiting_since=date - dt.timedelta(days=int(rng.integers(1, 121))),
            )
        )
    packages.sort(key=lambda p: (p.waiting_since, p.id))
    return tuple(packages)


# ---- shipped scenarios ----------------------------------------------------------------------

# folder under scenarios/ -> (visits, seed); carers are sized by the generator
SHIPPED_DAYS: dict[str, tuple[int, int]] = {
    "small": (60, 1),
    "town": (400, 2),
    "district": (1500, 3),
}
# folder -> (visits a day, seed, days): the town's packages as a week
SHIPPED_WEEKS: dict[str, tuple[int, int, int]] = {"town-week": (400, 2, 7)}
# folder -> (visits, seed, people) of its waiting list (waiting.csv beside the scenario)
SHIPPED_WAITING: dict[str, tuple[int, int, int]] = {
    "town": (400, 2, 30),
    "town-week": (400, 2, 30),
    "district": (1500, 3, 100),
}


def write_generated(
    visits: int, carers: int | None, seed: int, out: Path, days: int = 1
) -> Scenario:
    """Generate a day (or ``days`` days: a week) and write it as a scenario folder. The
    scenario is named after the folder, as ``read_scenario`` names it, so that reading it back
    gives the same scenario."""
    out = Path(out)
    if days > 1:
        scenario = generate_week(visits, days, carers, seed=seed, name=out.name)
    else:
        scenario = generate(visits, carers, seed=seed, name=out.name)
    write_scenario(scenario, out)
    return scenario


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m scenarios.generator`` rewrites the shipped scenarios; with ``--out`` it
    writes one day of the size asked for."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", type=Path, help="scenario folder to write")
    parser.add_argument("--visits", type=int, default=60)
    parser.add_argument("--carers", type=int, default=None, help="default: sized to the day")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--days", type=int, default=1, help="several days: a week of packages")
    parser.add_argument("--waiting", type=int, default=0, help="people on a waiting list")
    args = parser.parse_args(argv)
    if args.out is not None:
        jobs = [(args.visits, args.carers, args.seed, args.out, args.days)]
    else:
        root = Path(__file__).resolve().parent
        jobs = [(v, None, seed, root / folder, 1) for folder, (v, seed) in SHIPPED_DAYS.items()]
        jobs += [(v, None, seed, root / f, days) for f, (v, seed, days) in SHIPPED_WEEKS.items()]
    for visits, carers, seed, out, days in jobs:
        scenario = write_generated(visits, carers, seed, out, days)
        print(f"{out}: {len(scenario.visits)} visits, {len(scenario.carers)} carers")
    waiting = (
        [(args.visits, args.seed, args.out, args.waiting)]
        if args.out is not None
        else [(v, seed, root / f, n) for f, (v, seed, n) in SHIPPED_WAITING.items()]
    )
    for visits, seed, out, people in waiting:
        if people:
            write_waiting_list(generate_waiting_list(visits, seed, people), out / "waiting.csv")
            print(f"{out / 'waiting.csv'}: {people} people waiting")


if __name__ == "__main__":
    main()
