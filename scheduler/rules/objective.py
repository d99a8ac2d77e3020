"""The objective a rota is planned to, one function per term.

The routing model (``scheduler.planning.day``) is built from these functions, and
``plan_cost`` prices any plan with them (the search's, a manual rota, a baseline), so a plan's
cost means the same thing wherever it is shown. The terms, with ``Settings``' weights:

- ``travel``: ``travel_weight - waiting_weight`` per travel minute, or ``travel_weight``
  when waiting costs more than travel;
- ``run_length``: ``waiting_weight`` per minute of each run, leaving home to getting back
  (travel, care, waiting and any break in it), unless waiting costs more than travel;
- ``idle``: when waiting costs more than travel, ``waiting_weight`` per minute of each run
  neither travel nor care (waiting, a break) instead. Either way a travel minute costs
  ``travel_weight`` and an idle minute ``waiting_weight``; care minutes cost the same in
  every plan that covers the same visits (``waiting_weight`` each, or nothing). Idle time
  is priced apart only then, as the search's slack cost: its guided local search steers by
  the cost of each leg, which must not be left at nothing;
- ``continuity``: ``continuity_weight`` per visit by a carer the client does not know
  (``familiar_carers``; in a week, ``team_weight`` on top outside the client's team);
- ``soft_gender``: ``soft_gender_weight`` per visit against a soft gender preference;
- ``beyond_cap``: ``over_cap_weight`` per visit by a carer beyond the client's weekly cap;
- ``lateness``: ``late_weight`` (or the visit's own) per minute a call starts after its
  latest start, per carer (within the visit's tolerance, ``Visit.tolerance``);
- ``missed_breaks``: ``missed_break_weight`` per carer whose break window holds no break,
  where a missed one is priced rather than forbidden;
- ``imbalance``: ``balance_weight`` per minute each shift's working time (care and travel,
  ``working_minutes``) is above or below its fair share of the plan's (``fair_shares``: in
  proportion to the shift's length), a shift with no run too. The search aims each shift at
  a share of the work expected, then of the work of the routes it improves on
  (``scheduler.planning.day``): the plan's own shares only when the search has found them;
- ``left_out``: the visit's ``drop_*`` penalty per carer it needed (a double-handed visit left
  out counts twice, as the search has a task per carer).

A per-carer cost every carer on duty would pay alike for a visit (a client no one knows yet)
changes no choice, so it is not charged (and left in, it stopped OR-Tools 9.15 finding any
first plan on a day with 30 waiting-list packages). The search does not see breaks: a plan's
cost is the model's objective for its runs plus ``waiting_weight`` for each minute a break
adds to its run (``tests/scheduler/rules/test_objective.py`` checks this on town).
"""

from __future__ import annotations

from collections import defaultdict
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from scheduler.model.care import Scenario, Strength, Visit
from scheduler.model.plan import Cost, Plan, Run
from scheduler.model.settings import Settings
from scheduler.rules.day import missed_break_windows

__all__ = [
    "CarerCosts",
    "CostTerm",
    "fair_shares",
    "idle_cost",
    "imbalance_cost",
    "working_minutes",
    "familiar_carers",
    "late_cost",
    "left_out_cost",
    "missed_break_cost",
    "minutes_late",
    "plan_cost",
    "run_length_cost",
    "travel_cost",
]


class CostTerm(StrEnum):
    TRAVEL = "travel"
    RUN_LENGTH = "run_length"
    IDLE = "idle"
    CONTINUITY = "continuity"
    SOFT_GENDER = "soft_gender"
    BEYOND_CAP = "beyond_cap"
    LATENESS = "lateness"
    OVERTIME = "overtime"
    MISSED_BREAKS = "missed_breaks"
    IMBALANCE = "imbalance"
    LEFT_OUT = "left_out"


CARER_TERMS = (CostTerm.CONTINUITY, CostTerm.SOFT_GENDER, CostTerm.BEYOND_CAP)
"""The terms that depend on which carer does a visit."""


def familiar_carers(scenario: Scenario) -> dict[str, frozenset[str]]:
    """Client id -> the carers that client knows: preferred, or in its history."""
    known: dict[str, set[str]] = defaultdict(set)
    for client in scenario.clients:
        known[client.id] |= client.preferred_carers
    for entry in scenario.history:
        known[entry.client_id].add(entry.carer_id)
    return {client.id: frozenset(known[client.id]) for client in scenario.clients}


def _idle_apart(settings: Settings) -> bool:
    return settings.waiting_weight > settings.travel_weight


def travel_cost(settings: Settings, minutes: int) -> int:
    waiting = 0 if _idle_apart(settings) else settings.waiting_weight
    return (settings.travel_weight - waiting) * minutes


def run_length_cost(settings: Settings, minutes: int) -> int:
    return 0 if _idle_apart(settings) else settings.waiting_weight * minutes


def idle_cost(settings: Settings, minutes: int) -> int:
    return settings.waiting_weight * minutes if _idle_apart(settings) else 0


def late_cost(settings: Settings, minutes: int, weight: int | None = None) -> int:
    """``minutes`` late at a visit's own ``weight``, or the settings' ``late_weight``."""
    return (settings.late_weight if weight is None else weight) * minutes


def overtime_cost(settings: Settings, minutes: int) -> int:
    return settings.overtime_weight * minutes


def working_minutes(run: Run) -> int:
    """Care and travel in ``run``, home and back (no waiting, no break): what balance shares."""
    care = sum(stop.end - stop.start + stop.travel_minutes for stop in run.stops)
    return care + run.home_travel_minutes


def fair_shares(scenario: Scenario, total: int) -> dict[tuple[str, int], int]:
    """``total`` working minutes shared among the day's shifts in proportion to their length,
    by (carer id, shift start), in whole minutes adding up to ``total`` (the largest
    remainders rounded up): so the minutes over the shares are the minutes short of them,
    and the search may price the shortfall alone, twice (``scheduler.planning.day``)."""
    shifts = [
        ((carer.id, shift.start), shift.minutes)
        for carer in scenario.carers
        for shift in carer.shifts
    ]
    hours = sum(minutes for _, minutes in shifts)
    if not hours:
        return {}
    whole = {key: total * minutes // hours for key, minutes in shifts}
    rest = {key: total * minutes % hours for key, minutes in shifts}
    for key in sorted(rest, key=lambda k: -rest[k])[: total - sum(whole.values())]:
        whole[key] += 1
    return whole


def imbalance_cost(settings: Settings, minutes: int) -> int:
    return settings.balance_weight * minutes


def missed_break_cost(settings: Settings, missed: int) -> int:
    return (settings.missed_break_weight or 0) * missed


def minutes_late(visit: Visit, start: int) -> int:
    """How long after its latest start ``visit`` starts at ``start``."""
    return visit.minutes_late(start)


def left_out_cost(settings: Settings, priority: str, carers: int) -> int:
    return settings.drop_penalty(priority) * carers


class CarerCosts:
    """Per term, the cost of each carer of the scenario doing a visit at each client
    (``costs[term][carer row, client column]``), with the costs every carer on duty pays
    alike already taken out."""

    def __init__(self, scenario: Scenario, settings: Settings):
        staff = scenario.carers
        self.row_of = {carer.id: i for i, carer in enumerate(staff)}
        self.column_of = {client.id: j for j, client in enumerate(scenario.clients)}
        shape = (len(staff), len(scenario.clients))
        self.costs = {term: np.zeros(shape, dtype=np.int64) for term in CARER_TERMS}
        genders = np.array([carer.gender or "" for carer in staff])
        known = familiar_carers(scenario)
        for j, client in enumerate(scenario.clients):
            continuity = np.full(len(staff), settings.continuity_weight, dtype=np.int64)
            continuity[[self.row_of[c] for c in known[client.id] if c in self.row_of]] = 0
            self.costs[CostTerm.CONTINUITY][:, j] = continuity
            if client.gender_preference and client.gender_preference_strength is Strength.SOFT:
                self.costs[CostTerm.SOFT_GENDER][:, j] = np.where(
                    genders != client.gender_preference, settings.soft_gender_weight, 0
                )
            if client.week_carers is not None:
                within = np.array([carer.id in client.week_carers for carer in staff])
                self.costs[CostTerm.BEYOND_CAP][:, j] = np.where(
                    within, 0, settings.over_cap_weight
                )
        on_duty = np.array([bool(carer.shifts) for carer in staff], dtype=bool)
        total = sum(self.costs.values(), np.zeros(shape, dtype=np.int64))[on_duty]
        alike = (total == total[:1]).all(axis=0) if len(total) else np.ones(shape[1], bool)
        for matrix in self.costs.values():
            matrix[:, alike] = 0

    def of(self, carer_id: str, client_id: str) -> dict[CostTerm, int]:
        i, j = self.row_of[carer_id], self.column_of[client_id]
        return {term: int(matrix[i, j]) for term, matrix in self.costs.items()}

    def matrix(self, carer_ids: list[str], client_ids: list[str]) -> npt.NDArray[np.int64]:
        """The carer terms summed, for the given carers (rows) and clients (columns)."""
        rows = np.array([self.row_of[c] for c in carer_ids], dtype=np.int64)
        columns = np.array([self.column_of[c] for c in client_ids], dtype=np.int64)
        total = sum(self.costs.values(), np.zeros_like(self.costs[CostTerm.CONTINUITY]))
        return total[np.ix_(rows, columns)]


def plan_cost(scenario: Scenario, plan: Plan, settings: Settings) -> Cost:
    """``plan``'s cost under ``settings``, term by term (see the module note). ``scenario``
    is the day as it was planned (in a week, the day scenario)."""
    terms = dict.fromkeys(CostTerm, 0)
    costs = CarerCosts(scenario, settings)
    for run in plan.runs:
        travel = sum(stop.travel_minutes for stop in run.stops) + run.home_travel_minutes
        terms[CostTerm.TRAVEL] += travel_cost(settings, travel)
        terms[CostTerm.RUN_LENGTH] += run_length_cost(settings, run.return_home - run.depart)
        idle = run.return_home - run.depart - working_minutes(run)
        terms[CostTerm.IDLE] += idle_cost(settings, idle)
        terms[CostTerm.OVERTIME] += overtime_cost(settings, max(0, run.return_home - run.shift_end))
        for stop in run.stops:
            visit = scenario.visit_by_id.get(stop.visit_id)
            if visit is not None:
                terms[CostTerm.LATENESS] += late_cost(
                    settings, minutes_late(visit, stop.start), visit.late_weight
                )
            if run.carer_id in costs.row_of and stop.client_id in costs.column_of:
                for term, cost in costs.of(run.carer_id, stop.client_id).items():
                    terms[term] += cost
    if settings.balance_weight:
        work: dict[tuple[str, int], int] = defaultdict(int)
        for run in plan.runs:
            work[run.carer_id, run.shift_start] += working_minutes(run)
        for shift, share in fair_shares(scenario, sum(work.values())).items():
            terms[CostTerm.IMBALANCE] += imbalance_cost(settings, abs(work[shift] - share))
    if settings.missed_break_weight is not None:
        missed = missed_break_windows(scenario, plan, settings)
        terms[CostTerm.MISSED_BREAKS] += missed_break_cost(settings, len(missed))
    for left in plan.unallocated:
        visit = scenario.visit_by_id.get(left.visit_id)
        if visit is not None:
            terms[CostTerm.LEFT_OUT] += left_out_cost(
                settings, visit.priority, visit.carers_required
            )
    return Cost(terms={term.value: cost for term, cost in terms.items()}, total=sum(terms.values()))
