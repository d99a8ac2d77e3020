"""Home-care routing benchmarks (Mankowska, Bazirha, Bazirha-CAIE), solved as a user's day.

    python -m benchmarks.homecare InstanzCPLEX_HCSRP_10_1 D1 J1 --time-limit 30

Each instance, in the unified UHHC JSON of Ceschia et al. (ITOR 2026, files minified; see
``shared/data/README.md``), becomes a domcare ``Scenario`` and an in-memory travel provider
answering from the instance's own matrix; it is planned by ``scheduler.planning.day.solve_day`` and
checked by ``scheduler.rules.day.validate_plan``, exactly as a user's day. The plan is then read
back as an instance solution and scored as the literature scores that family:

* mankowska: travel + total tardiness + maximum tardiness (tardiness at service start);
* bazirha: travel; tardiness (at service end) and overtime are hard;
* bazirha-caie: total waiting + workload balance; tardiness and overtime are hard.

Units. Instance times and distances are one unit ("minutes"). domcare counts whole minutes in
0..1440, so every instance time is multiplied by ``scale``: 1 when every distance is a whole
number (Bazirha), else the largest whole factor keeping the latest time window inside the day
(2 for Mankowska, whose distances have three decimals). Travel legs are rounded *up* after
scaling, so a domcare plan is never quicker than the instance allows, and the score is computed
from the instance's own (unrounded) matrix at the plan's start times divided by ``scale``.

The mapping (each loss is counted into the row's note, never dropped silently):

* caregivers -> carers: abilities -> skills; ``working_shift`` -> the one shift (none: the
  whole day); the departing point is home. A different arrival point cannot be expressed
  (none of the instances has one); the note counts such carers.
* patients -> clients; each required service -> a visit needing that service as a skill;
  "independent" services are two unrelated visits. The skills catalogue is the services.
* "simultaneous" services ``a`` and ``b`` -> one double-handed visit, held for the longer
  service, whose first carer holds ``a`` and second ``b`` (``Visit.second_carer_skills``).
* "sequential" services (the second starts ``min``..``max`` after the first, by another
  caregiver) -> two visits, the second following the first (``Visit.follows``, ``min_gap``,
  ``max_gap``, ``other_carer``), both over the patient's whole window.
* time windows -> start bounds (a window met at service end loses the duration at its end);
  one window per visit, the first of several.
* where lateness is priced (Mankowska) every visit may start late, to the end of the day, at
  ``late_weight`` 1 a scaled minute (the weight of total tardiness beside travel's 1); the
  highest tardiness is not priced. Plans start late only what cannot be placed on time.
* where a patient has several windows (Bazirha-CAIE) the first is planned; when visits are left
  out, the day is planned again with their patients in their next window (see
  ``solve_instance``). A plan still missing a service, or breaking any hard rule of the
  instance, has no comparable objective: the row's objective is empty and the note says why.
* the solver's own costs mirror the family: travel only (mankowska, bazirha) or travel plus
  idle time at equal weight (bazirha-caie: waiting alone cannot be priced, the wait before the
  first visit, counted from the shift start by the literature, is not seen by domcare, and
  workload balance is not priced at all).
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

import numpy as np

from benchmarks.results import Case, Row, Suite, gap_pct, markdown
from routing.travel import Place, TravelMatrix
from scheduler.model.care import Carer, Client, Location, Scenario, Shift, Visit
from scheduler.model.clock import MINUTES_PER_DAY
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings, SolveSettings
from scheduler.planning.day import solve_day
from scheduler.rules.day import validate_plan

__all__ = [
    "FAMILIES",
    "HOMECARE",
    "Attendance",
    "Evaluation",
    "Instance",
    "InstanceTravel",
    "Mapping",
    "data_root",
    "evaluate",
    "map_instance",
    "plan_solution",
    "read_instance",
    "read_solution",
    "settings_for",
]

FAMILIES = ("mankowska", "bazirha", "bazirha-caie")
QUICK_INSTANCE = "InstanzCPLEX_HCSRP_10_6"
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


@dataclass(frozen=True)
class Caregiver:
    id: str
    abilities: frozenset[str]
    depart_node: int
    arrive_node: int
    shift: tuple[float, float] | None


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

    @property
    def caregiver_by_id(self) -> dict[str, Caregiver]:
        return {c.id: c for c in self.caregivers}

    @property
    def patient_by_id(self) -> dict[str, Patient]:
        return {p.id: p for p in self.patients}


def read_instance(path: Path) -> Instance:
    """An instance in the unified UHHC JSON (see ``shared/data/README.md``)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = raw["metadata"]
    depots = {t["id"]: int(t["distance_matrix_index"]) for t in raw["terminal_points"]}
    caregivers = tuple(
        Caregiver(
            id=c["id"],
            abilities=frozenset(c["abilities"]),
            depart_node=depots[c["departing_point"]],
            arrive_node=depots[c["arrival_point"]],
            shift=(
                (float(c["working_shift"]["start"]), float(c["working_shift"]["end"]))
                if c.get("working_shift")
                else None
            ),
        )
        for c in raw["caregivers"]
    )
    patients = []
    for p in raw["patients"]:
        sync = p.get("synchronization") or {}
        distance = sync.get("distance")
        patients.append(
            Patient(
                id=p["id"],
                node=int(p["distance_matrix_index"]),
                windows=tuple(
                    sorted((float(w["start"]), float(w["end"])) for w in p["time_windows"])
                ),
                services=tuple(
                    Service(s["service"], float(s["duration"])) for s in p["required_services"]
                ),
                sync=sync.get("type", "independent"),
                gap=(float(distance["min"]), float(distance["max"])) if distance else None,
            )
        )
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
        caregivers=caregivers,
        patients=tuple(patients),
        services=tuple(s["id"] for s in raw["services"]),
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

    def summary(self, weights: dict[str, float | str]) -> str:
        shown = {
            "travel_time": f"travel {self.travel:.3f}",
            "total_tardiness": f"tardiness {self.total_tardiness:.3f}",
            "highest_tardiness": f"max tardiness {self.max_tardiness:.3f}",
            "total_waiting_time": f"waiting {self.waiting:.3f}",
            "workload_balance": f"balance {self.workload_balance:.0f}",
        }
        return ", ".join(text for key, text in shown.items() if _weight(weights, key))


def _weight(weights: dict[str, float | str], key: str) -> float:
    value = weights.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


_PRICED = {
    "travel_time",
    "total_tardiness",
    "highest_tardiness",
    "total_waiting_time",
    "workload_balance",
    "total_extra_time",
}


@dataclass
class _RouteScore:
    travel: float = 0.0
    service: float = 0.0
    waiting: float = 0.0
    extra: float = 0.0
    tardiness: list[float] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


def _score_route(instance: Instance, carer: Caregiver, route: list[Attendance]) -> _RouteScore:
    """One caregiver's travel, service, waiting, overtime and lateness, and what it breaks."""
    d, patients, score = instance.distances, instance.patient_by_id, _RouteScore()
    if not route:
        return score
    here = carer.depart_node
    if instance.origin in ("bazirha", "bazirha-caie") and carer.shift is not None:
        clock = carer.shift[0]
    else:
        clock = route[0].start - d[here][patients[route[0].patient].node]
    if carer.shift is not None and clock < carer.shift[0] - EPSILON:
        score.issues.append(f"{carer.id} leaves before the shift starts")
    for visit in route:
        patient = patients[visit.patient]
        leg = d[here][patient.node]
        arrival = clock + leg
        score.travel += leg
        score.service += visit.end - visit.start
        score.waiting += max(0.0, visit.start - arrival)
        if visit.start < arrival - EPSILON:
            score.issues.append(f"{carer.id} cannot reach {visit.patient} by {visit.start:g}")
        if visit.service not in carer.abilities:
            score.issues.append(f"{carer.id} lacks {visit.service} for {visit.patient}")
        duration = next((s.duration for s in patient.services if s.service == visit.service), 0)
        if visit.end - visit.start < duration - EPSILON:
            score.issues.append(f"{visit.patient} {visit.service} is shorter than {duration}")
        opens = [start for start, _ in patient.windows]
        if visit.start < opens[0] - EPSILON:
            score.issues.append(f"{visit.patient} served at {visit.start:g}, before its window")
        window = patient.windows[max(0, bisect.bisect_right(opens, visit.start) - 1)]
        met = visit.end if instance.window_at_end else visit.start
        score.tardiness.append(max(0.0, met - window[1]))
        here, clock = patient.node, visit.end
    back = d[here][carer.arrive_node]
    score.travel += back
    if carer.shift is not None:
        score.extra = max(0.0, clock + back - carer.shift[1])
    return score


def _coverage_issues(instance: Instance, solution: Solution) -> list[str]:
    """Every service given exactly once, and paired services at their relative times."""
    given: dict[tuple[str, str], list[tuple[str, Attendance]]] = {}
    for carer_id, route in solution.items():
        for visit in route:
            given.setdefault((visit.patient, visit.service), []).append((carer_id, visit))
    issues = []
    for patient in instance.patients:
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


def evaluate(instance: Instance, solution: Solution) -> Evaluation:
    """Score ``solution`` as the UHHC validator does (``uhhc-toolbox``, ``compute_costs``).

    A route leaves its caregiver's departing point at the shift start in the Bazirha families,
    and just in time for the first service otherwise; waiting is the time between arriving and
    starting a service. Tardiness is measured against the latest window opening before the
    service starts, at its start or its end as the instance says. Workload is service plus
    travel time; its balance is the sum over all caregivers of ceil(|workload - mean|).
    """
    priced = {k for k, v in instance.weights.items() if isinstance(v, int | float) and v}
    if priced - _PRICED:
        raise ValueError(f"cost components not scored here: {sorted(priced - _PRICED)}")
    caregivers = instance.caregiver_by_id
    unknown = sorted(set(solution) - set(caregivers))
    issues = [f"unknown caregiver {c}" for c in unknown]
    scores = {c.id: _score_route(instance, c, solution.get(c.id, [])) for c in instance.caregivers}
    tardiness = [t for score in scores.values() for t in score.tardiness]
    issues += [issue for score in scores.values() for issue in score.issues]
    issues += _coverage_issues(instance, solution)
    extra = sum(score.extra for score in scores.values())
    late = sum(t > EPSILON for t in tardiness)
    if instance.weights.get("total_tardiness") == "HARD" and late:
        issues.append(f"{late} service(s) late (hard)")
    if instance.weights.get("total_extra_time") == "HARD" and extra > EPSILON:
        issues.append(f"{extra:g} overtime (hard)")
    workload = [score.service + score.travel for score in scores.values()]
    mean = sum(workload) / len(workload)
    components = {
        "travel_time": sum(score.travel for score in scores.values()),
        "total_tardiness": sum(tardiness),
        "highest_tardiness": max(tardiness, default=0.0),
        "total_waiting_time": sum(score.waiting for score in scores.values()),
        "workload_balance": float(sum(math.ceil(abs(w - mean)) for w in workload)),
        "total_extra_time": extra,
    }
    objective = sum(_weight(instance.weights, k) * v for k, v in components.items())
    return Evaluation(
        travel=components["travel_time"],
        total_tardiness=components["total_tardiness"],
        max_tardiness=components["highest_tardiness"],
        waiting=components["total_waiting_time"],
        workload_balance=components["workload_balance"],
        extra_time=extra,
        objective=round(objective, 3),
        issues=tuple(issues),
    )


# ---- the mapping ----------------------------------------------------------------------------


class InstanceTravel:
    """The TravelTimes protocol answered from an instance matrix: a place's ``key`` (a patient
    id or a caregiver id, the caregiver's home) names its matrix row. Minutes are the instance
    time scaled and rounded up; metres are the instance distance rounded (the same figure)."""

    def __init__(self, node_of: dict[str, int], distances: np.ndarray, scale: int):
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
    scale: int
    services_of: dict[str, tuple[str, ...]]
    """Visit id -> the instance services it stands for (two for a double-handed visit)."""
    losses: tuple[str, ...] = field(default=())
    """What the scenario cannot say about the instance, one phrase each."""


def _scale(instance: Instance) -> int:
    whole = all(float(d).is_integer() for row in instance.distances for d in row)
    if whole:
        return 1
    latest = max(end for p in instance.patients for _, end in p.windows)
    shifts = [c.shift[1] for c in instance.caregivers if c.shift]
    return max(1, int(MINUTES_PER_DAY // max([latest, *shifts])))


def _soft_windows(instance: Instance) -> bool:
    """Lateness is priced (Mankowska) rather than forbidden."""
    return any(_weight(instance.weights, k) for k in ("total_tardiness", "highest_tardiness"))


def relaxable(instance: Instance, patient: Patient) -> bool:
    """A patient left out in its first window can still be tried in a later one."""
    return len(patient.windows) > 1


def _place(x: float, y: float) -> Location:
    """Synthetic coordinates for maps only: travel comes from the instance matrix by id."""
    return Location(lat=50.0 + y / 1000, lon=x / 1000)


Window = tuple[int, int]
"""Earliest and latest service start, in scaled minutes."""


def _bounds(instance: Instance, window: tuple[float, float], duration: float, scale: int) -> Window:
    """Start bounds for a service of ``duration`` instance units."""
    start, end = window
    latest = end - duration if instance.window_at_end else end
    return math.ceil(start * scale - EPSILON), math.floor(latest * scale + EPSILON)


@dataclass(frozen=True)
class _Need:
    """One domcare visit to be: the services it stands for, when, by whom."""

    services: tuple[Service, ...]
    window: Window
    skills: frozenset[str]
    carers: int = 1
    second_skills: frozenset[str] | None = None
    """A double-handed visit's second carer's skills, when not the first's."""
    gap: tuple[int, int] | None = None
    """(least, most) scaled minutes after the need before it, by another carer."""


def _needs(
    instance: Instance, patient: Patient, scale: int, relaxed: bool, losses: Counter[str]
) -> list[_Need]:
    """The visits standing for ``patient``'s services; ``relaxed``: in its next window."""
    if len(patient.windows) > 1:
        losses["patients with several windows"] += 1
    next_window = relaxed and len(patient.windows) > 1
    window = patient.windows[1 if next_window else 0]
    if next_window:
        losses["moved to their next window"] += 1
    services = patient.services
    if patient.sync == "simultaneous" and len(services) == 2:
        a, b = services
        if a.duration != b.duration:
            losses["simultaneous pairs held for the longer service"] += 1
        helper = None if a.service == b.service else frozenset({b.service})
        longest = max(a.duration, b.duration)
        bounds = _bounds(instance, window, longest, scale)
        return [_Need(services, bounds, frozenset({a.service}), 2, helper)]
    needs = [
        _Need(
            (service,),
            _bounds(instance, window, service.duration, scale),
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


def map_instance(instance: Instance, relaxed: frozenset[str] = frozenset()) -> Mapping:
    """The domcare scenario of ``instance``, its travel provider, and what the mapping loses.
    The patients in ``relaxed`` are planned in their next window or open to lateness."""
    scale = _scale(instance)
    losses: Counter[str] = Counter()
    node_of: dict[str, int] = {}
    clients, visits, services_of = [], [], {}
    for patient in instance.patients:
        node_of[patient.id] = patient.node
        place = _place(*instance.locations[patient.node])
        clients.append(Client(id=patient.id, name=patient.id, location=place))
        before = None
        for need in _needs(instance, patient, scale, patient.id in relaxed, losses):
            visit_id = f"{patient.id}:{'+'.join(s.service for s in need.services)}"
            earliest, latest = need.window
            if latest < earliest:
                raise ValueError(f"{instance.name} {visit_id}: no start fits its window")
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
                    second_carer_skills=need.second_skills,
                    follows=None if need.gap is None else before,
                    min_gap=0 if need.gap is None else need.gap[0],
                    max_gap=None if need.gap is None else need.gap[1],
                    other_carer=need.gap is not None,
                )
            )
            services_of[visit_id] = tuple(s.service for s in need.services)
            before = visit_id

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
            )
        )
        losses["carers ending elsewhere than they start"] += c.depart_node != c.arrive_node
    if set(node_of) != {c.id for c in instance.caregivers} | {p.id for p in instance.patients}:
        raise ValueError(f"{instance.name}: caregiver and patient ids overlap")

    notes = [f"times x{scale}, legs rounded up"] if scale != 1 else []
    if _soft_windows(instance):
        notes.append("highest tardiness unpriced")
    notes += [f"{count} {what}" for what, count in losses.items() if count]
    if instance.weights.get("total_waiting_time"):
        notes.append("waiting from shift start unpriced")
    if instance.weights.get("workload_balance"):
        notes.append("workload balance unpriced")
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
        losses=tuple(notes),
    )


def plan_solution(mapping: Mapping, plan: Plan) -> Solution:
    """The plan as an instance solution: stop starts divided by ``scale``, each service ending
    after its own duration. The two carers of a double-handed visit are given one service each,
    a carer holding it where possible (the evaluation reports a carer lacking it)."""
    patients, caregivers = mapping.instance.patient_by_id, mapping.instance.caregiver_by_id
    carers_of: dict[str, list[str]] = {}
    for run in plan.runs:
        for stop in run.stops:
            carers_of.setdefault(stop.visit_id, []).append(run.carer_id)
    service_for: dict[tuple[str, str], str] = {}
    for visit_id, carers in carers_of.items():
        services = mapping.services_of[visit_id]
        if len(services) == 1 or len(carers) != len(services):
            for carer in carers:
                service_for[(visit_id, carer)] = services[0]
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
    return solution


# ---- the suite ------------------------------------------------------------------------------


def settings_for(
    instance: Instance, time_limit_s: float, solution_limit: int | None = None
) -> Settings:
    """domcare's costs closest to the family's objective: travel alone, or (waiting priced)
    travel and idle time at one weight, i.e. the length of every run; where tardiness is
    priced, a minute late at the weight of a minute's travel, to the end of the day."""
    waiting = 1 if _weight(instance.weights, "total_waiting_time") else 0
    soft = _soft_windows(instance)
    return Settings(
        travel_weight=1,
        waiting_weight=waiting,
        late_tolerance_minutes=MINUTES_PER_DAY if soft else 0,
        late_weight=1,
        solve=SolveSettings(time_limit_s=time_limit_s, solution_limit=solution_limit, workers=1),
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


def solve_instance(
    instance: Instance, time_limit_s: float, solution_limit: int | None = None
) -> tuple[Mapping, Plan, float | None]:
    """Plan ``instance`` as a coordinator would: every window as given first; then, if visits
    were left out that a later window or (where only priced) lateness could take, their
    patients relaxed and the day planned again. Each stage has half the time when a second
    may follow. Returns the mapping and plan answered, and when its first complete plan
    existed (seconds from the start)."""
    patients = instance.patient_by_id
    began = time.monotonic()
    may_relax = any(relaxable(instance, p) for p in instance.patients)
    limit = time_limit_s / 2 if may_relax else time_limit_s
    mapping = map_instance(instance)
    plan = solve_day(
        mapping.scenario, settings_for(instance, limit, solution_limit), mapping.travel
    )
    first = plan.solver.first_plan_seconds if plan.solver else None
    left = frozenset(
        u.client_id for u in plan.unallocated if relaxable(instance, patients[u.client_id])
    )
    if not left:
        return mapping, plan, first
    restart = time.monotonic() - began
    mapping = map_instance(instance, relaxed=left)
    settings = settings_for(instance, max(1.0, time_limit_s - restart), solution_limit)
    plan = solve_day(mapping.scenario, settings, mapping.travel)
    first = plan.solver.first_plan_seconds if plan.solver else None
    return mapping, plan, None if first is None else round(restart + first, 3)


def _run(case: Case, time_limit_s: float) -> list[Row]:
    instance = read_instance(Path(case.path))
    began = time.monotonic()
    mapping, plan, first_feasible_s = solve_instance(instance, time_limit_s)
    wall_s = time.monotonic() - began
    violations = validate_plan(mapping.scenario, plan, mapping.travel)
    solution = plan_solution(mapping, plan)
    evaluation = evaluate(instance, solution)
    needed = sum(len(p.services) for p in instance.patients)
    given = sum(len(route) for route in solution.values())
    best = dict(case.params).get("best_known")
    best_known = float(best) if best else None
    objective = None if evaluation.issues else evaluation.objective
    note = [evaluation.summary(instance.weights)]
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


HOMECARE = Suite(
    name="homecare",
    cases=_cases,
    run=_run,
    default_time_limit_s=60.0,
    quick_time_limit_s=10.0,
    quick_gap_ceiling_pct=10.0,  # the quick case measured 0.01 % at 10 s (2026-11-26)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("instances", nargs="*", help="instance names (default: the quick case)")
    parser.add_argument("--time-limit", type=float, default=HOMECARE.quick_time_limit_s)
    args = parser.parse_args()
    wanted = set(args.instances) or {QUICK_INSTANCE}
    cases = [case for case in HOMECARE.cases(False) if case.instance in wanted]
    missing = wanted - {case.instance for case in cases}
    if missing:
        parser.error(f"no instance with a best-known value named {', '.join(sorted(missing))}")
    rows = []
    for case in cases:
        rows += HOMECARE.run(case, args.time_limit)
        print(markdown(rows[-1:]), flush=True)
    print(markdown(rows))


if __name__ == "__main__":
    main()
