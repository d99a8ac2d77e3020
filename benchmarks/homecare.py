"""Home-care routing benchmarks (Mankowska, Bazirha, Bazirha-CAIE, and the generated
uhhc-mixed instances), solved as a user's day.

    python -m benchmarks.homecare InstanzCPLEX_HCSRP_10_1 D1 J1 --time-limit 30
    python -m benchmarks.homecare i-012 i-022 --time-limit 30

Each instance, in the unified UHHC JSON of Ceschia et al. (ITOR 2026, files minified; see
``shared/data/README.md``), becomes a domcare ``Scenario`` and an in-memory travel provider
answering from the instance's own matrix; it is planned by ``scheduler.planning.day.solve_day`` and
checked by ``scheduler.rules.day.validate_plan``, exactly as a user's day. The plan is then read
back as an instance solution and scored as the literature scores that family:

* mankowska: travel + total tardiness + maximum tardiness (tardiness at service start);
* bazirha: travel; tardiness (at service end) and overtime are hard;
* bazirha-caie: total waiting + workload balance; tardiness and overtime are hard;
* generated (uhhc-mixed, suite ``uhhc``, no best-known values): the nine components of
  ``uhhc-toolbox`` with the instance's weights: travel, total and highest tardiness, total
  waiting, overtime, the highest idle time of a caregiver, services by a non-preferred
  caregiver, patients left unvisited and missed lunches (see ``evaluate``).

Units. Instance times and distances are one unit ("minutes"). domcare counts whole minutes in
0..1440, so every instance time is multiplied by ``scale``: 1 when every distance is a whole
number (Bazirha), else the largest whole factor keeping the latest time window inside the day
(uhhc-mixed); Mankowska (three decimals, lateness without a day's end) keeps a third of the
latest window's end again for late work (``LATE_ROOM``: 1.8 for most instances). Travel legs
and service lengths are rounded *up* after scaling, so a domcare plan is never quicker than the
instance allows, and the score is computed from the instance's own (unrounded) matrix at the
plan's start times divided by ``scale``.

The mapping (each loss is counted into the row's note, never dropped silently):

* caregivers -> carers: abilities -> skills; ``working_shift`` -> the one shift (none: the
  whole day), its end hard unless overtime is priced (uhhc-mixed: overtime to the end of the
  day at the instance's weight, ``Settings.overtime_minutes``); the departing point
  (one of up to ten depots) is home. A different arrival point cannot be expressed (none of
  the instances has one); the note counts such carers. A caregiver owed lunch gets the lunch
  window as a break window (``Carer.break_window``), priced when missed at the instance's
  weight (``Settings.missed_break_weight``; "lunch breaks priced after the search": the
  search does not see a break window, the repairs and insertions after it do). Measured
  hard (every lunch kept), 10 of 12 uhhc-mixed plans cost
  more at 30 s (33 % more in all, i-122 4.4x): tardiness and overtime grew far beyond the
  lunches saved.
  The plan is read back with each lunch placed in a wait that holds one
  (``plan_solution``), and a caregiver owed a lunch without room for one misses it.
* patients -> clients; preferred caregivers -> ``Client.preferred_carers`` (priced through
  ``continuity_weight``), incompatible caregivers -> ``Client.excluded_carers`` (hard); each
  required service -> a visit needing that service as a skill, ``Priority.OPTIONAL`` for an
  optional patient (priced through ``drop_optional``, per service: "optional patients priced
  per service"); "independent" services are two unrelated visits. The skills catalogue is
  the services (service classes need no mapping: each caregiver's abilities are services).
* "simultaneous" services ``a`` and ``b`` (``a`` the longer) -> one double-handed visit of
  ``a``'s length whose first carer holds ``a`` and second ``b``
  (``Visit.second_carer_skills``), the second leaving after ``b``'s length where it is
  shorter (``Visit.second_carer_minutes``).
* "sequential" services (the second starts ``min``..``max`` after the first, by another
  caregiver) -> two visits, the second following the first (``Visit.follows``, ``min_gap``,
  ``max_gap``, ``other_carer``), both over the patient's whole window.
* time windows -> start windows (a window met at service end loses the duration at its end);
  a patient's several windows are the visit's several windows (``Visit.windows``: it never
  starts between two), windows that overlap once scaled made one.
* where lateness is priced (Mankowska, uhhc-mixed) every visit may start late, to the end of
  the day, at ``late_weight`` a scaled minute (the weight of total tardiness beside travel's);
  the highest tardiness is not priced. Plans start late only what cannot be placed on time.
* where lateness is priced and a patient has several windows, only a start after the last is
  late; one between two is not made (the instances would price it as late for the first).
  A plan missing a service, or breaking any hard rule of the instance, has no comparable
  objective: the row's objective is empty and the note says why.
* the solver's own costs mirror the family: travel only (mankowska, bazirha); waiting and
  workload balance and no travel (bazirha-caie: every route leaves at its shift's start,
  ``leave_at_shift_start``, so the wait before the first visit is idle time, priced at
  ``waiting_weight``; each caregiver's service and travel away from an equal share of the
  plan's at ``balance_weight``); uhhc-mixed: every weight the instance's beside its travel
  weight (``settings_for``); the highest idle time is not priced ("max idle unpriced").
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.results import Case, Row, Suite, gap_pct, markdown
from routing.travel import Place, TravelMatrix
from scheduler.model.care import (
    BreakWindow,
    Carer,
    Client,
    Location,
    Priority,
    Scenario,
    Shift,
    Visit,
)
from scheduler.model.clock import MINUTES_PER_DAY
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan

__all__ = [
    "FAMILIES",
    "HOMECARE",
    "UHHC",
    "Attendance",
    "Caregiver",
    "Evaluation",
    "Instance",
    "InstanceTravel",
    "LunchWindow",
    "Mapping",
    "Patient",
    "Service",
    "data_root",
    "evaluate",
    "map_instance",
    "plan_solution",
    "read_instance",
    "read_solution",
    "settings_for",
]

FAMILIES = ("mankowska", "bazirha", "bazirha-caie")
_LATE_BY_DESIGN = ("mankowska",)
"""Families whose every service may be late and whose tardiness is a third of the objective:
lateness is priced in the search (``late_in_search``). Measured side by side 2026-12-06 (fifth
session, benchmarks/README.md): Mankowska 10 and 25 patients at 20 s better with it; uhhc-mixed
at 30 s worse (7 of 11 dearer, i-122 a mandatory call short), so not there."""
QUICK_INSTANCE = "InstanzCPLEX_HCSRP_10_6"
QUICK_UHHC = "i-012"
DAY = dt.date(2024, 1, 1)
"""Instances have no date; every scenario is planned on this one."""
EPSILON = 1e-6
"""Tolerance when comparing instance times, which Mankowska gives with three decimals."""


def data_root() -> Path:
    """The shared benchmark data: ``$DOMCARE_DATA``, else ``shared/data`` beside the work tree."""
    override = os.environ.get("DOMCARE_DATA")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"


# ---- the instance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    service: str
    duration: float


@dataclass(frozen=True)
class Patient:
    id: str
    node: int
    windows: tuple[tuple[float, float], ...]
    """Each (start, end), sorted by start."""
    services: tuple[Service, ...]
    sync: str = "independent"
    """independent, simultaneous or sequential (the second starts min..max after the first)."""
    gap: tuple[float, float] | None = None
    optional: bool = False
    """Leaving the patient out is priced (``optional_patients``) rather than forbidden."""
    preferred: frozenset[str] | None = None
    """Caregivers the patient prefers; each service given by another is priced. None: no
    preference (then no caregiver is priced)."""
    incompatible: frozenset[str] = frozenset()
    """Caregivers who may not serve this patient (hard)."""


@dataclass(frozen=True)
class Caregiver:
    id: str
    abilities: frozenset[str]
    depart_node: int
    arrive_node: int
    shift: tuple[float, float] | None
    lunch: bool = False
    """Owed a lunch break inside the instance's lunch window (a missed one is priced)."""


@dataclass(frozen=True)
class LunchWindow:
    """``lunch_breaks``: a lunch starts at ``start`` or later, ends (or, windows met at service
    start, starts) by ``end``, and lasts ``min_duration`` or more."""

    start: float
    end: float
    min_duration: float


@dataclass(frozen=True)
class Instance:
    name: str
    origin: str
    weights: dict[str, float | str]
    """``metadata.cost_components``: a weight, or "HARD" for a constraint."""
    window_at_end: bool
    """Windows bound the service end (Bazirha) rather than its start."""
    distances: tuple[tuple[float, ...], ...]
    locations: dict[int, tuple[float, float]]
    """Matrix node -> the instance's (x, y), used only to draw the scenario."""
    caregivers: tuple[Caregiver, ...]
    patients: tuple[Patient, ...]
    services: tuple[str, ...]
    service_types: dict[str, str] = field(default_factory=dict)
    """Service -> its class (a generated double visit takes one service of each class)."""
    depots: dict[str, int] = field(default_factory=dict)
    """Terminal point id -> matrix node: where caregivers depart from and arrive at."""
    lunch: LunchWindow | None = None
    horizon: float | None = None
    """``metadata.horizon``: the length of the planning day, when given."""

    @property
    def caregiver_by_id(self) -> dict[str, Caregiver]:
        return {c.id: c for c in self.caregivers}

    @property
    def patient_by_id(self) -> dict[str, Patient]:
        return {p.id: p for p in self.patients}


def _caregiver(raw: dict[str, Any], depots: dict[str, int]) -> Caregiver:
    shift = raw.get("working_shift")
    return Caregiver(
        id=raw["id"],
        abilities=frozenset(raw["abilities"]),
        depart_node=depots[raw["departing_point"]],
        arrive_node=depots[raw.get("arrival_point") or raw["departing_point"]],
        shift=(float(shift["start"]), float(shift["end"])) if shift else None,
        lunch=bool(raw.get("lunch_break")),
    )


def _patient(raw: dict[str, Any]) -> Patient:
    sync = raw.get("synchronization") or {}
    distance = sync.get("distance")
    preferred = raw.get("preferred_caregivers")
    return Patient(
        id=raw["id"],
        node=int(raw["distance_matrix_index"]),
        windows=tuple(sorted((float(w["start"]), float(w["end"])) for w in raw["time_windows"])),
        services=tuple(
            Service(s["service"], float(s["duration"])) for s in raw["required_services"]
        ),
        sync=sync.get("type", "independent"),
        gap=(float(distance["min"]), float(distance["max"])) if distance else None,
        optional=bool(raw.get("optional")),
        preferred=None if preferred is None else frozenset(preferred),
        incompatible=frozenset(raw.get("incompatible_caregivers") or ()),
    )


def read_instance(path: Path) -> Instance:
    """An instance in the unified UHHC JSON (see ``shared/data/README.md``)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = raw["metadata"]
    depots = {t["id"]: int(t["distance_matrix_index"]) for t in raw["terminal_points"]}
    lunch = raw.get("lunch_breaks")
    return Instance(
        name=meta["name"],
        origin=meta["origin"],
        weights=dict(meta["cost_components"]),
        window_at_end=meta.get("time_window_met", "at_service_start") == "at_service_end",
        distances=tuple(tuple(float(d) for d in row) for row in raw["distances"]),
        locations={
            int(place["distance_matrix_index"]): (
                float(place["location"][0]),
                float(place["location"][1]),
            )
            for place in raw["terminal_points"] + raw["patients"]
        },
        caregivers=tuple(_caregiver(c, depots) for c in raw["caregivers"]),
        patients=tuple(_patient(p) for p in raw["patients"]),
        services=tuple(s["id"] for s in raw["services"]),
        service_types={s["id"]: s.get("type", s["id"]) for s in raw["services"]},
        depots=depots,
        lunch=(
            LunchWindow(float(lunch["start"]), float(lunch["end"]), float(lunch["min_duration"]))
            if lunch
            else None
        ),
        horizon=float(meta["horizon"]) if meta.get("horizon") is not None else None,
    )


# ---- instance solutions and their score -----------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """One service given: instance units, ``start`` being the service start."""

    patient: str
    service: str
    start: float
    end: float


Solution = dict[str, list[Attendance]]
"""Each caregiver's attendances, in the order travelled."""


def read_solution(path: Path) -> Solution:
    """A UHHC solution file (``arrival_time`` is the service start, ``departure_time`` its end)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    solution: Solution = {}
    for route in raw["routes"]:
        visits = [
            Attendance(
                loc["patient"],
                loc["service"],
                float(loc.get("arrival_time", loc.get("start_time", 0.0))),
                float(loc.get("departure_time", loc.get("end_time", 0.0))),
            )
            for loc in route.get("locations") or []
            if "patient" in loc
        ]
        solution[route["caregiver_id"]] = sorted(visits, key=lambda a: a.start)
    return solution


@dataclass(frozen=True)
class Evaluation:
    """The literature's cost components of a solution, in instance units, and every broken hard
    rule of the instance (an empty ``issues``: the solution is feasible there)."""

    travel: float
    total_tardiness: float
    max_tardiness: float
    waiting: float
    workload_balance: float
    extra_time: float
    objective: float
    issues: tuple[str, ...]
    max_idle: float = 0.0
    non_preferred: int = 0
    """Services given by a caregiver the patient does not prefer."""
    unvisited: int = 0
    """Patients given no service (optional or not, as the toolbox counts them)."""
    missed_lunches: int = 0

    @property
    def components(self) -> dict[str, float]:
        """Each UHHC cost component by its ``cost_components`` key."""
        return {
            "travel_time": self.travel,
            "total_tardiness": self.total_tardiness,
            "highest_tardiness": self.max_tardiness,
            "total_waiting_time": self.waiting,
            "workload_balance": self.workload_balance,
            "total_extra_time": self.extra_time,
            "max_idle_time": self.max_idle,
            "caregiver_preferences": float(self.non_preferred),
            "optional_patients": float(self.unvisited),
            "missed_lunch_break": float(self.missed_lunches),
        }

    def summary(self, weights: dict[str, float | str]) -> str:
        """The priced components, one phrase each."""
        shown = {
            "travel_time": f"travel {self.travel:.3f}",
            "total_tardiness": f"tardiness {self.total_tardiness:.3f}",
            "highest_tardiness": f"max tardiness {self.max_tardiness:.3f}",
            "total_waiting_time": f"waiting {self.waiting:.3f}",
            "workload_balance": f"balance {self.workload_balance:.0f}",
            "total_extra_time": f"overtime {self.extra_time:g}",
            "max_idle_time": f"max idle {self.max_idle:g}",
            "caregiver_preferences": f"non-preferred {self.non_preferred}",
            "optional_patients": f"unvisited {self.unvisited}",
            "missed_lunch_break": f"missed lunches {self.missed_lunches}",
        }
        return ", ".join(text for key, text in shown.items() if _weight(weights, key))


def _weight(weights: dict[str, float | str], key: str) -> float:
    value = weights.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def _hard(weights: dict[str, float | str], key: str) -> bool:
    """The toolbox's reading of a rule it may price: hard when "HARD" or absent."""
    return not isinstance(weights.get(key), int | float)


_PRICED = {
    "travel_time",
    "total_tardiness",
    "highest_tardiness",
    "total_waiting_time",
    "workload_balance",
    "total_extra_time",
    "max_idle_time",
    "caregiver_preferences",
    "optional_patients",
    "missed_lunch_break",
}
LUNCH = "lunch_break"
"""The service name of a lunch entry in a UHHC route."""
_BAZIRHA = ("bazirha", "bazirha-caie")
"""Families whose routes leave at the shift start rather than just in time."""


@dataclass
class _RouteScore:
    travel: float = 0.0
    service: float = 0.0
    waiting: float = 0.0
    idle: float = 0.0
    extra: float = 0.0
    lunch: bool = False
    non_preferred: int = 0
    tardiness: list[float] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


def _node(instance: Instance, carer: Caregiver, visit: Attendance, visited: set[str]) -> int:
    """Where an entry takes place: a visited patient's home; a lunch anywhere else is at the
    caregiver's departing point (the toolbox assumes arrival and departure points coincide)."""
    if visit.patient in visited:
        return instance.patient_by_id[visit.patient].node
    return carer.depart_node


def _departure(instance: Instance, carer: Caregiver, first: Attendance, node: int) -> float:
    """When the route leaves: at the shift start in the Bazirha families, else just in time."""
    if instance.origin in _BAZIRHA and carer.shift is not None:
        return carer.shift[0]
    return first.start - instance.distances[carer.depart_node][node]


def _lunch_issues(instance: Instance, carer: Caregiver, lunch: Attendance) -> list[str]:
    """A lunch outside the instance's lunch window or shorter than its least length."""
    window = instance.lunch
    if window is None:
        return []
    met = lunch.end if instance.window_at_end else lunch.start
    if lunch.start < window.start - EPSILON or met > window.end + EPSILON:
        return [f"{carer.id} has lunch at {lunch.start:g}-{lunch.end:g}, outside its window"]
    if lunch.end - lunch.start < window.min_duration - EPSILON:
        return [f"{carer.id} has a lunch shorter than {window.min_duration:g}"]
    return []


def _service_score(
    instance: Instance, carer: Caregiver, visit: Attendance, score: _RouteScore
) -> None:
    """One service's lateness, preference and the hard rules it breaks, added to ``score``."""
    patient = instance.patient_by_id[visit.patient]
    duration = next((s.duration for s in patient.services if s.service == visit.service), None)
    if duration is None:
        score.issues.append(f"{visit.patient} does not need {visit.service}")
        return
    score.service += visit.end - visit.start
    if visit.service not in carer.abilities and _hard(instance.weights, "qualification"):
        score.issues.append(f"{carer.id} lacks {visit.service} for {visit.patient}")
    if carer.id in patient.incompatible and _hard(instance.weights, "incompabilities"):
        score.issues.append(f"{carer.id} is incompatible with {visit.patient}")
    if patient.preferred is not None and carer.id not in patient.preferred:
        score.non_preferred += 1
    if visit.end - visit.start < duration - EPSILON:
        score.issues.append(f"{visit.patient} {visit.service} is shorter than {duration}")
    opens = [start for start, _ in patient.windows]
    if visit.start < opens[0] - EPSILON:
        score.issues.append(f"{visit.patient} served at {visit.start:g}, before its window")
    window = patient.windows[max(0, bisect.bisect_right(opens, visit.start) - 1)]
    met = visit.end if instance.window_at_end else visit.start
    score.tardiness.append(max(0.0, met - window[1]))


def _score_route(
    instance: Instance, carer: Caregiver, route: list[Attendance] | None, visited: set[str]
) -> _RouteScore:
    """One caregiver's travel, service, waiting, idle time, overtime and lateness, and what it
    breaks. ``route`` None: the caregiver is not in the solution (idle 0, as the toolbox
    counts it); an empty route: listed with no location, idle for the whole shift (and
    travelling from its departing to its arrival point, as the toolbox counts it)."""
    d, score = instance.distances, _RouteScore()
    if not route:
        if route is not None:
            score.travel = d[carer.depart_node][carer.arrive_node]
            score.idle = carer.shift[1] - carer.shift[0] if carer.shift is not None else 0.0
        return score
    here = carer.depart_node
    departure = clock = _departure(
        instance, carer, route[0], _node(instance, carer, route[0], visited)
    )
    if carer.shift is not None and departure < carer.shift[0] - EPSILON:
        score.issues.append(f"{carer.id} leaves before the shift starts")
    for index, visit in enumerate(route):
        node = _node(instance, carer, visit, visited)
        leg = d[here][node]
        arrival = clock + leg
        score.travel += leg
        if visit.start < arrival - EPSILON:
            score.issues.append(f"{carer.id} cannot reach {visit.patient} by {visit.start:g}")
        wait = max(0.0, visit.start - arrival)
        score.idle += wait
        if not (index == 1 and route[0].service == LUNCH):
            score.waiting += wait  # the toolbox does not count the wait after a first lunch
        if visit.service == LUNCH:
            score.lunch = True
            score.issues += _lunch_issues(instance, carer, visit)
        else:
            _service_score(instance, carer, visit, score)
        here, clock = node, visit.end
    back = d[here][carer.arrive_node]
    score.travel += back
    home = clock + back
    if carer.shift is not None:
        start, end = carer.shift
        score.extra = max(0.0, home - end)
        score.idle += max(0.0, departure - start) + max(0.0, end - home)
    return score


def _coverage_issues(instance: Instance, solution: Solution, visited: set[str]) -> list[str]:
    """Every service of a mandatory or visited patient given exactly once, and paired services
    at their relative times by two caregivers."""
    given: dict[tuple[str, str], list[tuple[str, Attendance]]] = {}
    for carer_id, route in solution.items():
        for visit in route:
            given.setdefault((visit.patient, visit.service), []).append((carer_id, visit))
    issues = []
    for patient in instance.patients:
        if patient.optional and patient.id not in visited:
            continue
        for service in patient.services:
            times = len(given.get((patient.id, service.service), []))
            if times != 1:
                issues.append(f"{patient.id} {service.service} given {times} times")
        if patient.sync not in ("simultaneous", "sequential") or len(patient.services) != 2:
            continue
        first, second = (given.get((patient.id, s.service)) for s in patient.services)
        if not first or not second:
            continue
        (carer_a, a), (carer_b, b) = first[0], second[0]
        if patient.sync == "simultaneous":
            if carer_a == carer_b:
                issues.append(f"{patient.id}: one caregiver gives both simultaneous services")
            if abs(a.start - b.start) > EPSILON:
                issues.append(f"{patient.id}: services start {a.start:g} and {b.start:g}")
        elif patient.gap is not None:
            if carer_a == carer_b:
                issues.append(f"{patient.id}: one caregiver gives both sequential services")
            low, high = patient.gap
            if not low - EPSILON <= b.start - a.start <= high + EPSILON:
                issues.append(f"{patient.id}: gap {b.start - a.start:g} outside {low:g}..{high:g}")
    return issues


def _lunch_rule_issues(instance: Instance, scores: dict[str, _RouteScore]) -> list[str]:
    """Where lunches are hard (not priced, the instance has a lunch window): exactly the
    caregivers owed one take one."""
    if instance.lunch is None or not _hard(instance.weights, "missed_lunch_break"):
        return []
    return [
        f"{c.id} {'misses its lunch' if c.lunch else 'takes a lunch it is not owed'}"
        for c in instance.caregivers
        if c.lunch != scores[c.id].lunch
    ]


def evaluate(instance: Instance, solution: Solution) -> Evaluation:
    """Score ``solution`` as the UHHC validator does (``uhhc-toolbox``, ``Solution.compute_costs``
    and ``check_validity``).

    A route leaves its caregiver's departing point at the shift start in the Bazirha families,
    and just in time for its first entry otherwise, and ends at the arrival point. Waiting is
    the time between arriving and starting an entry, except after a lunch that opens the route;
    idle time is, per caregiver in the solution with a shift, the time from the shift start to
    leaving, every wait, and the time from getting back to the shift end (a caregiver listed
    without locations: the whole shift; one left out of the solution: 0); its maximum is
    priced. Overtime is getting back after the shift end. Tardiness is measured against the
    latest window opening before the service starts, at its start or its end as the instance
    says. Workload is service plus travel time; its balance is the sum over all caregivers of
    ceil(|workload - mean|). Each service given by a caregiver outside the patient's preferred
    ones counts once; each patient given no service counts once (the toolbox counts a
    mandatory one too, besides reporting it).

    Lunch, as the toolbox reads it: an entry of service ``lunch_break`` in the route, at the
    place of the patient it names when that patient is visited (the SA solutions name the
    patient served next, so the lunch fills the wait before that service), else at the
    departing point. It takes route time like a service (the next entry is reached from its
    end), so it is never waiting. A caregiver owed a lunch (``lunch_break``) with no lunch
    entry misses it (priced). A lunch starting before the window, ending (or starting, windows
    met at service start) after it, or shorter than its least length is reported as an issue,
    as the toolbox reports it, but, as its costs do, still counts as taken.

    Hard rules (each breach one issue): every service of a mandatory patient, and of a visited
    optional one, given exactly once; a caregiver holding the service's ability (unless
    qualification is priced); no incompatible caregiver (unless priced); no start before the
    patient's first window opens; every leg and service duration kept; no departure before
    the shift starts; simultaneous services starting together by two caregivers (the toolbox's
    own check compares a service with itself, so this is stricter) and sequential ones
    keeping their lag by two caregivers; lateness and overtime where they are "HARD"; lunches
    where they are hard.
    """
    priced = {k for k, v in instance.weights.items() if isinstance(v, int | float) and v}
    if priced - _PRICED:
        raise ValueError(f"cost components not scored here: {sorted(priced - _PRICED)}")
    caregivers, patients = instance.caregiver_by_id, instance.patient_by_id
    issues = [f"unknown caregiver {c}" for c in sorted(set(solution) - set(caregivers))]
    strangers = {v.patient for r in solution.values() for v in r if v.service != LUNCH} - set(
        patients
    )
    issues += [f"unknown patient {p}" for p in sorted(strangers)]
    known = {
        c: [v for v in route if v.service == LUNCH or v.patient in patients]
        for c, route in solution.items()
        if c in caregivers
    }
    visited = {v.patient for route in known.values() for v in route if v.service != LUNCH}
    scores = {
        c.id: _score_route(instance, c, known.get(c.id), visited) for c in instance.caregivers
    }
    tardiness = [t for score in scores.values() for t in score.tardiness]
    issues += [issue for score in scores.values() for issue in score.issues]
    issues += _coverage_issues(instance, known, visited)
    issues += _lunch_rule_issues(instance, scores)
    extra = sum(score.extra for score in scores.values())
    late = sum(t > EPSILON for t in tardiness)
    if instance.weights.get("total_tardiness") == "HARD" and late:
        issues.append(f"{late} service(s) late (hard)")
    if instance.weights.get("total_extra_time") == "HARD" and extra > EPSILON:
        issues.append(f"{extra:g} overtime (hard)")
    workload = [score.service + score.travel for score in scores.values()]
    mean = sum(workload) / len(workload)
    evaluation = Evaluation(
        travel=sum(score.travel for score in scores.values()),
        total_tardiness=sum(tardiness),
        max_tardiness=max(tardiness, default=0.0),
        waiting=sum(score.waiting for score in scores.values()),
        workload_balance=float(sum(math.ceil(abs(w - mean)) for w in workload)),
        extra_time=extra,
        objective=0.0,
        issues=tuple(issues),
        max_idle=max((score.idle for score in scores.values()), default=0.0),
        non_preferred=sum(score.non_preferred for score in scores.values()),
        unvisited=sum(p.id not in visited for p in instance.patients),
        missed_lunches=sum(c.lunch and not scores[c.id].lunch for c in instance.caregivers),
    )
    objective = sum(_weight(instance.weights, k) * v for k, v in evaluation.components.items())
    return replace(evaluation, objective=round(objective, 3))


# ---- the mapping ----------------------------------------------------------------------------


class InstanceTravel:
    """The TravelTimes protocol answered from an instance matrix: a place's ``key`` (a patient
    id or a caregiver id, the caregiver's home) names its matrix row. Minutes are the instance
    time scaled and rounded up; metres are the instance distance rounded (the same figure)."""

    def __init__(self, node_of: dict[str, int], distances: np.ndarray, scale: float):
        self.node_of = node_of
        self._minutes = np.ceil(distances * scale - EPSILON).astype(np.int64)
        self._metres = np.rint(distances).astype(np.int64)

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix:
        nodes = [self.node_of[place.key] for place in places]
        grid = np.ix_(nodes, nodes)
        return TravelMatrix(minutes=self._minutes[grid], metres=self._metres[grid])


@dataclass(frozen=True)
class Mapping:
    """A scenario made from an instance, with what reads its plan back."""

    instance: Instance
    scenario: Scenario
    travel: InstanceTravel
    scale: float
    services_of: dict[str, tuple[str, ...]]
    """Visit id -> the instance services it stands for (two for a double-handed visit)."""
    losses: tuple[str, ...] = field(default=())
    """What the scenario cannot say about the instance, one phrase each."""


LATE_ROOM = 1 / 3
"""Where every service may be late and no shift ends the day (Mankowska), the day holds the
latest window's end and a third again, for work running past it: the published plans run to
1.27 times it (75_1: c1, the one caregiver able to give s1, home at 755 with windows ending
by 597), which a day of 720 units (times x2) cannot hold."""


def _scale(instance: Instance) -> float:
    """Instance units to domcare minutes: 1 when every distance is a whole number; else the
    largest whole factor keeping the latest window (and shift) end inside the day, or, where
    lateness is priced and no shift ends the day, the largest tenth leaving ``LATE_ROOM``."""
    whole = all(float(d).is_integer() for row in instance.distances for d in row)
    if whole:
        return 1
    latest = max(end for p in instance.patients for _, end in p.windows)
    shifts = [c.shift[1] for c in instance.caregivers if c.shift]
    if _soft_windows(instance) and not shifts:
        return max(1.0, math.floor(10 * MINUTES_PER_DAY / (latest * (1 + LATE_ROOM))) / 10)
    return max(1, int(MINUTES_PER_DAY // max([latest, *shifts])))


def _soft_windows(instance: Instance) -> bool:
    """Lateness is priced (Mankowska) rather than forbidden."""
    return any(_weight(instance.weights, k) for k in ("total_tardiness", "highest_tardiness"))


def _place(x: float, y: float) -> Location:
    """Synthetic coordinates for maps only: travel comes from the instance matrix by id."""
    return Location(lat=50.0 + y / 1000, lon=x / 1000)


Window = tuple[int, int]
"""Earliest and latest service start, in scaled minutes."""


def _bounds(
    instance: Instance, window: tuple[float, float], duration: float, scale: float
) -> Window:
    """Start bounds for a service of ``duration`` instance units."""
    start, end = window
    latest = end - duration if instance.window_at_end else end
    return math.ceil(start * scale - EPSILON), math.floor(latest * scale + EPSILON)


def _windows(
    instance: Instance, patient: Patient, duration: float, scale: float
) -> tuple[Window, ...]:
    """Start windows for a service of ``duration`` at ``patient``: each of its windows, in
    order, those that overlap or touch once scaled made one, those too short dropped."""
    windows: list[Window] = []
    for window in sorted(patient.windows):
        earliest, latest = _bounds(instance, window, duration, scale)
        if latest < earliest:
            continue
        if windows and earliest <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(windows[-1][1], latest))
        else:
            windows.append((earliest, latest))
    return tuple(windows)


@dataclass(frozen=True)
class _Need:
    """One domcare visit to be: the services it stands for, when, by whom."""

    services: tuple[Service, ...]
    windows: tuple[Window, ...]
    skills: frozenset[str]
    carers: int = 1
    second_skills: frozenset[str] | None = None
    """A double-handed visit's second carer's skills, when not the first's."""
    second_minutes: int | None = None
    """A double-handed visit's second carer's scaled minutes, when fewer than the first's."""
    gap: tuple[int, int] | None = None
    """(least, most) scaled minutes after the need before it, by another carer."""


def _needs(instance: Instance, patient: Patient, scale: float, losses: Counter[str]) -> list[_Need]:
    """The visits standing for ``patient``'s services."""
    services = patient.services
    if patient.sync == "simultaneous" and len(services) == 2:
        a, b = sorted(services, key=lambda s: -s.duration)  # the second carer leaves first
        helper = None if a.service == b.service else frozenset({b.service})
        windows = _windows(instance, patient, a.duration, scale)
        part = math.ceil(b.duration * scale - EPSILON) if b.duration < a.duration else None
        return [_Need((a, b), windows, frozenset({a.service}), 2, helper, second_minutes=part)]
    needs = [
        _Need(
            (service,),
            _windows(instance, patient, service.duration, scale),
            frozenset({service.service}),
        )
        for service in services
    ]
    if patient.sync == "sequential" and len(services) == 2 and patient.gap is not None:
        gap = (
            math.ceil(patient.gap[0] * scale - EPSILON),
            math.floor(patient.gap[1] * scale + EPSILON),
        )
        needs[1] = replace(needs[1], gap=gap)
    return needs


def map_instance(instance: Instance) -> Mapping:
    """The domcare scenario of ``instance``, its travel provider, and what the mapping loses."""
    scale = _scale(instance)
    losses: Counter[str] = Counter()
    node_of: dict[str, int] = {}
    clients, visits, services_of = [], [], {}
    for patient in instance.patients:
        node_of[patient.id] = patient.node
        place = _place(*instance.locations[patient.node])
        clients.append(
            Client(
                id=patient.id,
                name=patient.id,
                location=place,
                preferred_carers=patient.preferred or frozenset(),
                excluded_carers=patient.incompatible,
            )
        )
        before = None
        for need in _needs(instance, patient, scale, losses):
            visit_id = f"{patient.id}:{'+'.join(s.service for s in need.services)}"
            if not need.windows:
                raise ValueError(f"{instance.name} {visit_id}: no start fits its window")
            earliest, latest = need.windows[0][0], need.windows[-1][1]
            visits.append(
                Visit(
                    id=visit_id,
                    client_id=patient.id,
                    date=DAY,
                    earliest_start=max(0, earliest),
                    latest_start=min(MINUTES_PER_DAY, latest),
                    duration=math.ceil(max(s.duration for s in need.services) * scale - EPSILON),
                    carers_required=need.carers,
                    required_skills=need.skills,
                    priority=Priority.OPTIONAL if patient.optional else Priority.NORMAL,
                    second_carer_skills=need.second_skills,
                    second_carer_minutes=need.second_minutes,
                    follows=None if need.gap is None else before,
                    min_gap=0 if need.gap is None else need.gap[0],
                    max_gap=None if need.gap is None else need.gap[1],
                    other_carer=need.gap is not None,
                    windows=need.windows if len(need.windows) > 1 else (),
                )
            )
            services_of[visit_id] = tuple(s.service for s in need.services)
            before = visit_id
        two = len(patient.services) == 2
        losses["optional patients priced per service"] += patient.optional and two

    carers = []
    for c in instance.caregivers:
        node_of[c.id] = c.depart_node
        if c.shift is None:
            shift = Shift(start=0, end=MINUTES_PER_DAY)
        else:
            start, end = math.ceil(c.shift[0] * scale), math.floor(c.shift[1] * scale)
            shift = Shift(start=start, end=min(MINUTES_PER_DAY, end))
        carers.append(
            Carer(
                id=c.id,
                name=c.id,
                home=_place(*instance.locations[c.depart_node]),
                shifts=(shift,),
                skills=c.abilities,
                break_window=_lunch(instance, scale) if c.lunch else None,
            )
        )
        losses["carers ending elsewhere than they start"] += c.depart_node != c.arrive_node
    if set(node_of) != {c.id for c in instance.caregivers} | {p.id for p in instance.patients}:
        raise ValueError(f"{instance.name}: caregiver and patient ids overlap")

    scenario = Scenario(
        name=instance.name,
        date=DAY,
        carers=tuple(carers),
        clients=tuple(clients),
        visits=tuple(visits),
        skills=frozenset(instance.services),
    )
    distances = np.asarray(instance.distances, dtype=float)
    return Mapping(
        instance=instance,
        scenario=scenario,
        travel=InstanceTravel(node_of, distances, scale),
        scale=scale,
        services_of=services_of,
        losses=tuple(_notes(instance, scale, losses)),
    )


def _lunch(instance: Instance, scale: float) -> BreakWindow | None:
    """The instance's lunch window as a carer's break window: it starts at the window's start
    or later and ends by its end, or, windows met at service start, starts by its end."""
    window = instance.lunch
    if window is None:
        return None
    minutes = math.ceil(window.min_duration * scale - EPSILON)
    end = math.floor(window.end * scale + EPSILON) + (0 if instance.window_at_end else minutes)
    return BreakWindow(
        start=math.ceil(window.start * scale - EPSILON),
        end=min(MINUTES_PER_DAY, end),
        minutes=minutes,
    )


def _notes(instance: Instance, scale: float, losses: Counter[str]) -> list[str]:
    """What the scenario cannot say about the instance, one phrase each."""
    weights = instance.weights
    notes = [f"times x{scale:g}, legs rounded up"] if scale != 1 else []
    if _soft_windows(instance):
        notes.append("highest tardiness unpriced")
    notes += [f"{count} {what}" for what, count in losses.items() if count]
    if instance.lunch is not None and any(c.lunch for c in instance.caregivers):
        notes.append("lunch breaks priced after the search")
    if _weight(weights, "max_idle_time"):
        notes.append("max idle unpriced")
    return notes


def plan_solution(mapping: Mapping, plan: Plan) -> Solution:
    """The plan as an instance solution: stop starts divided by ``scale``, each service ending
    after its own duration. The two carers of a double-handed visit are given one service each,
    a carer holding it where possible (the evaluation reports a carer lacking it). A carer
    with no run is not in the solution: not working that day (the toolbox counts no idle
    time for it, and a missed lunch if it is owed one); listed with no location it would be
    idle for its whole shift, which measured 570 of the highest idle time on half the
    uhhc-mixed rows. An optional patient given only some of its services is given none
    (``_wholly_served``); a caregiver owed a lunch takes it where the plan holds one, in a
    wait or at home (``_with_lunches``)."""
    patients, caregivers = mapping.instance.patient_by_id, mapping.instance.caregiver_by_id
    carers_of: dict[str, list[str]] = {}
    for run in plan.runs:
        for stop in run.stops:
            carers_of.setdefault(stop.visit_id, []).append(run.carer_id)
    lengths = {(run.carer_id, s.visit_id): s.end - s.start for run in plan.runs for s in run.stops}
    service_for: dict[tuple[str, str], str] = {}
    for visit_id, carers in carers_of.items():
        services = mapping.services_of[visit_id]
        if len(services) == 1 or len(carers) != len(services):
            for carer in carers:
                service_for[(visit_id, carer)] = services[0]
            continue
        first, second = (lengths[carer, visit_id] for carer in carers)
        if first != second:  # the second carer, leaving early, gives the shorter service
            longest = sorted(carers, key=lambda carer: -lengths[carer, visit_id])
            service_for.update(zip(((visit_id, c) for c in longest), services, strict=True))
            continue
        orders = (services, services[::-1])
        chosen = next(
            (
                order
                for order in orders
                if all(s in caregivers[c].abilities for c, s in zip(carers, order, strict=True))
            ),
            services,
        )
        for carer, service in zip(carers, chosen, strict=True):
            service_for[(visit_id, carer)] = service
    solution: Solution = {}
    for run in plan.runs:
        route = solution.setdefault(run.carer_id, [])
        for stop in run.stops:
            service = service_for[(stop.visit_id, run.carer_id)]
            patient = patients[stop.client_id]
            duration = next(s.duration for s in patient.services if s.service == service)
            start = stop.start / mapping.scale
            route.append(Attendance(patient.id, service, start, start + duration))
    return _with_lunches(mapping.instance, _wholly_served(mapping.instance, solution))


def _wholly_served(instance: Instance, solution: Solution) -> Solution:
    """``solution`` without the services of an optional patient given only some of its
    services: the instance serves a patient wholly or not at all, while domcare may do one
    of its two visits alone."""
    given = Counter(v.patient for route in solution.values() for v in route)
    partly = {p.id for p in instance.patients if p.optional and 0 < given[p.id] < len(p.services)}
    return {
        carer: [v for v in route if v.patient not in partly] for carer, route in solution.items()
    }


def _lunch_options(
    instance: Instance, window: LunchWindow, carer: Caregiver, route: list[Attendance]
) -> list[Attendance]:
    """Each lunch ``route`` could hold without moving a service: in the wait before a
    service, at that patient's home (before the first service, leaving earlier for it); after
    the last service, at that patient's home, when the caregiver is still back by the shift
    end; for a caregiver without services, at its departing point. Not yet checked against
    the lunch window."""
    d, patients = instance.distances, instance.patient_by_id
    shift = carer.shift or (0.0, float(MINUTES_PER_DAY))
    if not route:
        depot = next(i for i, node in instance.depots.items() if node == carer.depart_node)
        start = max(window.start, shift[0])
        end = start + window.min_duration
        return [Attendance(depot, LUNCH, start, end)] if end <= shift[1] + EPSILON else []
    here, clock = carer.depart_node, shift[0]
    options = []
    for visit in route:
        node = patients[visit.patient].node
        arrival = clock + d[here][node]
        end = min(visit.start, window.end) if instance.window_at_end else visit.start
        start = max(arrival, window.start)
        options.append(Attendance(visit.patient, LUNCH, start, end))
        here, clock = node, visit.end
    start = max(clock, window.start)
    end = start + window.min_duration
    if end + d[here][carer.arrive_node] <= shift[1] + EPSILON:
        options.append(Attendance(route[-1].patient, LUNCH, start, end))
    return options


def _with_lunches(instance: Instance, solution: Solution) -> Solution:
    """Each caregiver owed a lunch given the longest one its route holds in the lunch window
    (``_lunch_options``), if any: domcare does not plan lunches, but a wait can hold one."""
    window = instance.lunch
    if window is None:
        return solution
    lunched: Solution = {}
    for carer in instance.caregivers:
        if carer.id not in solution:
            continue  # not working that day: no lunch either
        route = solution[carer.id]
        fitting = [
            lunch
            for lunch in (_lunch_options(instance, window, carer, route) if carer.lunch else [])
            if lunch.end - lunch.start >= window.min_duration - EPSILON
            and lunch.start >= window.start - EPSILON
            and (lunch.end if instance.window_at_end else lunch.start) <= window.end + EPSILON
        ]
        best = max(fitting, key=lambda lunch: (lunch.end - lunch.start, -lunch.start), default=None)
        lunched[carer.id] = sorted([*route, best] if best else route, key=lambda a: a.start)
    return lunched


# ---- the suite ------------------------------------------------------------------------------


def _travel_weight(instance: Instance) -> int:
    """domcare's weight of a travel minute: the instance's own where it is a whole number
    (uhhc-mixed: 1 to 10; Bazirha-CAIE prices no travel: 0), else 1 (the weights of the other
    families are 1)."""
    weight = _weight(instance.weights, "travel_time")
    return int(weight) if weight.is_integer() else 1


def settings_for(
    instance: Instance, time_limit_s: float, solution_limit: int | None = None
) -> Settings:
    """domcare's costs closest to the instance's objective, each weight mirroring the
    instance's beside its travel weight (minutes are scaled minutes; a cost counted per event
    is multiplied by ``scale`` to keep its ratio to a minute):

    * travel at the instance's travel weight;
    * waiting: idle minutes in a run at the waiting weight (``waiting_weight``, which may
      exceed the travel weight: Bazirha-CAIE prices waiting and no travel);
    * lateness, where tardiness is priced: every visit may start late, to the end of the day,
      at the weight of total tardiness (of the highest tardiness when only that is priced),
      priced in the search for the families late by design (``_LATE_BY_DESIGN``);
    * overtime, where it is priced: a carer may be home after the shift's end, to the end
      of the day, at the weight of total extra time;
    * a visit by a carer outside the client's preferred ones at the preference weight.
      ``continuity_weight`` is charged per visit and per carer attending it, as the toolbox
      counts each service given by a non-preferred caregiver; a client without preferred
      carers costs every carer alike and so is not charged, as the toolbox charges nothing
      (unpriced: domcare's default, which then prices nothing either);
    * workload balance, where it is priced: each caregiver's service and travel minutes away
      from an equal share of the plan's, at its weight (``balance_weight``; every shift of
      these families is as long);
    * in the Bazirha families, every route leaves at its shift's start, as the toolbox reads
      them (``leave_at_shift_start``), so the wait before the first service is priced as
      waiting;
    * an optional visit left out at the optional-patient weight (``drop_optional``; the
      waiting-list penalty, unused here, below it as the settings require). It is charged per
      visit and per carer, so an optional patient with two services costs twice its weight.

    No unpaid break is planned (``break_after_minutes`` None): no family has domcare's
    after-six-hours break (measured with it, 6 of 8 Bazirha F1 runs and 8 of 10 CAIE L1 runs
    at 5 s gave a carer one); uhhc-mixed's lunch is a break window, priced when missed."""
    weights, scale = instance.weights, _scale(instance)
    travel = _travel_weight(instance)
    waiting = math.ceil(_weight(weights, "total_waiting_time"))
    late = _weight(weights, "total_tardiness") or _weight(weights, "highest_tardiness")
    soft = _soft_windows(instance)
    extra = _weight(weights, "total_extra_time")
    optional = math.ceil(_weight(weights, "optional_patients") * scale)
    preference = math.ceil(_weight(weights, "caregiver_preferences") * scale)
    default = Settings()
    return Settings(
        travel_weight=travel,
        waiting_weight=waiting,
        late_tolerance_minutes=MINUTES_PER_DAY if soft else 0,
        late_weight=math.ceil(late) if soft else 1,
        overtime_minutes=MINUTES_PER_DAY if extra else 0,
        overtime_weight=math.ceil(extra) if extra else default.overtime_weight,
        continuity_weight=preference or default.continuity_weight,
        balance_weight=math.ceil(_weight(weights, "workload_balance")),
        leave_at_shift_start=instance.origin in _BAZIRHA,
        drop_optional=optional if optional >= 2 else default.drop_optional,
        drop_waiting=1 if optional >= 2 else default.drop_waiting,
        break_after_minutes=None,
        missed_break_weight=None
        if _hard(weights, "missed_lunch_break")
        else math.ceil(_weight(weights, "missed_lunch_break") * scale),
        solve=SolveSettings(
            time_limit_s=time_limit_s,
            solution_limit=solution_limit,
            workers=1,
            late_in_search=soft and instance.origin in _LATE_BY_DESIGN,
        ),
    )


def _instances_folder() -> Path:
    return data_root() / "hhcrsp-mankowska" / "instances"


def _cases(quick: bool) -> list[Case]:
    """Every home-care instance with a best-known value (quick: one 10-patient Mankowska)."""
    table = data_root() / "best_known.csv"
    if not table.is_file():
        raise FileNotFoundError(f"no benchmark data at {data_root()} (set DOMCARE_DATA)")
    cases = []
    with table.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["set"] not in FAMILIES or not row["value"]:
                continue
            if quick and row["instance"] != QUICK_INSTANCE:
                continue
            path = _instances_folder() / row["set"] / f"{row['instance']}.json"
            cases.append(
                Case(
                    suite="homecare",
                    instance=row["instance"],
                    path=str(path),
                    size=int(row["size"]),
                    params=(("family", row["set"]), ("best_known", row["value"])),
                )
            )
    return cases


def _uhhc_cases(quick: bool) -> list[Case]:
    """The generated uhhc-mixed instances (no best-known values; quick: the 10-patient one)."""
    folder = data_root() / "uhhc-mixed"
    table = folder / "instances.csv"
    if not table.is_file():
        raise FileNotFoundError(f"no uhhc-mixed instances at {folder} (set DOMCARE_DATA)")
    with table.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return [
        Case(
            suite="uhhc",
            instance=Path(row["instance"]).stem,
            path=str(folder / "instances" / row["instance"]),
            size=int(row["patients"]),
            params=(("family", "uhhc-mixed"),),
        )
        for row in rows
        if not quick or Path(row["instance"]).stem == QUICK_UHHC
    ]


def solve_instance(
    instance: Instance, time_limit_s: float, solution_limit: int | None = None
) -> tuple[Mapping, Plan, float | None]:
    """Plan ``instance`` as a coordinator would, every window as given. Returns the mapping
    and plan answered, and when its first complete plan existed (seconds from the start)."""
    mapping = map_instance(instance)
    plan = solve_day(
        mapping.scenario, settings_for(instance, time_limit_s, solution_limit), mapping.travel
    )
    return mapping, plan, plan.solver.first_plan_seconds if plan.solver else None


def _run(case: Case, time_limit_s: float) -> list[Row]:
    instance = read_instance(Path(case.path))
    began = time.monotonic()
    mapping, plan, first_feasible_s = solve_instance(instance, time_limit_s)
    wall_s = time.monotonic() - began
    violations = validate_plan(mapping.scenario, plan, mapping.travel)
    solution = plan_solution(mapping, plan)
    evaluation = evaluate(instance, solution)
    needed = sum(len(p.services) for p in instance.patients)
    given = sum(v.service != LUNCH for route in solution.values() for v in route)
    best = dict(case.params).get("best_known")
    best_known = float(best) if best else None
    objective = None if evaluation.issues else evaluation.objective
    note = [evaluation.summary(instance.weights)]
    if instance.origin not in FAMILIES:
        issues = len(evaluation.issues)
        note.append(f"infeasible ({issues} issues)" if issues else "feasible")
        note += _coverage(instance, solution)
    if evaluation.issues:
        shown = "; ".join(evaluation.issues[:3])
        more = f" (+{len(evaluation.issues) - 3})" if len(evaluation.issues) > 3 else ""
        note.append(f"not comparable ({evaluation.objective:g}): {shown}{more}")
    if violations:
        note.append(f"{len(violations)} domcare violations, first {violations[0]}")
    note.extend(mapping.losses)
    return [
        Row(
            suite=case.suite,
            instance=case.instance,
            solver="domcare",
            objective=objective,
            best_known=best_known,
            gap_pct=gap_pct(objective, best_known),
            vehicles=len({run.carer_id for run in plan.runs if run.stops}),
            allocated=round(given / needed, 4) if needed else None,
            wall_s=round(wall_s, 2),
            first_feasible_s=first_feasible_s,
            time_limit_s=time_limit_s,
            valid=not violations,
            note="; ".join(note),
        )
    ]


def _coverage(instance: Instance, solution: Solution) -> list[str]:
    """Patients given every service they need, mandatory and optional, and lunches taken in
    waits, as phrases for a note."""
    given = {(v.patient, v.service) for route in solution.values() for v in route}
    served = {
        p.id for p in instance.patients if all((p.id, s.service) in given for s in p.services)
    }
    mandatory = [p.id for p in instance.patients if not p.optional]
    optional = [p.id for p in instance.patients if p.optional]
    owed = [c.id for c in instance.caregivers if c.lunch]
    lunched = {c for c, route in solution.items() if any(v.service == LUNCH for v in route)}
    return [
        f"mandatory {len(served.intersection(mandatory))}/{len(mandatory)}",
        f"optional {len(served.intersection(optional))}/{len(optional)}",
        f"lunches in waits {len(lunched.intersection(owed))}/{len(owed)}",
    ]


HOMECARE = Suite(
    name="homecare",
    cases=_cases,
    run=_run,
    default_time_limit_s=60.0,
    quick_time_limit_s=10.0,
    quick_gap_ceiling_pct=10.0,  # the quick case measured 0.01 % at 10 s (2026-11-26)
)


UHHC = Suite(
    name="uhhc",
    cases=_uhhc_cases,
    run=_run,
    default_time_limit_s=30.0,
    quick_time_limit_s=10.0,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="*", help="instance names (default: the quick case)")
    parser.add_argument("--time-limit", type=float, default=HOMECARE.quick_time_limit_s)
    args = parser.parse_args()
    wanted = set(args.instances) or {QUICK_INSTANCE}
    cases = [c for suite in (HOMECARE, UHHC) for c in suite.cases(False) if c.instance in wanted]
    missing = wanted - {case.instance for case in cases}
    if missing:
        parser.error(f"no home-care instance named {', '.join(sorted(missing))}")
    rows = []
    for case in cases:
        rows += _run(case, args.time_limit)
        print(markdown(rows[-1:]), flush=True)
    print(markdown(rows))


if __name__ == "__main__":
    main()
