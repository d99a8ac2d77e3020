"""A rota given as assignments, not searched for: a coordinator's own (``manual_rota.csv``)
or a baseline's (``scheduler.analysis.baselines``). It is evaluated exactly like an optimised
plan, so the two compare on one scale; its breaches are reported, never a reason to reject it.

``rota_plans`` times the assignments as a carer would work them and records them as plans of
the solver's shape, so ``scheduler.analysis.metrics`` and ``scheduler.rules.day`` apply unchanged;
``rota_breaches`` lists every rule the rota breaks. Only a rota that cannot be read (a bad
cell, an unknown id, a visit on another date, a carer on a visit twice, more carers on a
visit than it needs) is refused, by ``read_manual_rota``.

Breach codes. Two are found here, from the planned starts:

- ``late_start``: the call cannot start when the rota says, because the call before
  overruns into it (an overlap) or the journey from it does not fit; it starts on arrival.
  Every later time in the run is the actual one.
- ``not_on_shift``: the carer has no shift that date; the run is checked against a shift
  spanning it, so nothing else is reported for the shift itself.

The rest are ``scheduler.rules.day``'s, on the actual times. Those a rota commonly breaks:

- ``outside_window``: the actual start is outside the visit's window, whether planned so or
  pushed out by a late start (then reported beside ``late_start``: one says the rota cannot
  be worked as written, the other that the client's agreed time is missed). A late start
  still inside the window is ``late_start`` alone.
- ``before_shift`` / ``after_shift``: the run leaves home before its shift starts or is home
  after it ends, i.e. a call outside the carer's shift (a call belongs to the shift its
  planned start falls in, else to the nearest one).
- ``missing_skill``, ``excluded_carer``, ``no_go_client``, ``gender_preference``,
  ``pinned_elsewhere``: the wrong carer for the call.
- ``double_handed_alone``: a double-handed call with one carer; ``not_synchronised``: its
  two carers start at different times (planned so, or one of them late).
- ``no_break``: a run longer than ``Settings.break_after_minutes`` with no wait between calls
  long enough for the break; ``max_working_time``: more paid minutes than the carer's day
  allows.
- a scenario of several dates adds the week's rules: ``max_weekly_time``, ``short_rest``,
  ``too_many_carers`` (dated None: they belong to the week).

The validator's bookkeeping codes (``wrong_travel``, ``wrong_arrival``, ``unreachable``,
``visit_missing`` ...) do not arise from plans made here.

Each breach carries the rule's text (``RULES``) and, where the rule is broken by an amount of
time, the minutes: how late, how far outside the window or the shift, how far apart a pair
starts, how much over a working-time cap or short of rest, how far past the break limit a
run goes without its break, how long a carer works with no shift. A visit done by a carer
who may not do it (``WRONG_CARER``: skills, the client's exclusions, the carer's no-go
clients, a hard gender preference, a pinned carer) is not care delivered:
``wrong_carer_visits`` names those visits, which count as not covered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from pydantic import Field

from routing.travel import TravelTimes
from scheduler.io.scenario import parse_date, read_csv_rows
from scheduler.model.base import Frozen
from scheduler.model.care import Carer, Scenario, Shift
from scheduler.model.clock import MINUTES_PER_DAY, format_clock, parse_clock
from scheduler.model.codes import BreachCode, InputCode, ReasonCode
from scheduler.model.errors import DomcareError, InputError, InputIssue

# The week's rules are one function in scheduler.planning.week; validate_week itself checks each day
# against the solver's day scenario (shifts trimmed for rest, carers past their weekly
# minutes removed), which would misname a manual rota's breaches.
from scheduler.model.plan import Plan, PlanStatus, Run, Stop, Unallocated, WeekPlan
from scheduler.model.settings import Settings
from scheduler.rules.day import Violation, validate_plan
from scheduler.rules.journeys import Journeys, build_journeys, walk_run
from scheduler.rules.week import week_rules

__all__ = [
    "MANUAL_ROTA_COLUMNS",
    "RULES",
    "WRONG_CARER",
    "Assignment",
    "Breach",
    "read_manual_rota",
    "rota_breaches",
    "rota_plans",
    "wrong_carer_visits",
]

MANUAL_ROTA_COLUMNS = ("carer_id", "date", "visit_id", "planned_start")
NOT_IN_ROTA: Final[ReasonCode] = "not_in_rota"
MANUAL_ROTA_FILE = "manual_rota.csv"


class Assignment(Frozen):
    """One carer doing one visit, starting at ``start`` (minutes after midnight) as planned.
    A double-handed visit has two assignments, one per carer."""

    carer_id: str
    date: dt.date
    visit_id: str
    start: int = Field(ge=0, le=24 * 60)


RULES = {
    "late_start": "the call starts later than the rota plans it",
    "not_on_shift": "the carer works on a day with no shift",
    "outside_window": "the call starts outside its agreed window",
    "before_shift": "the carer leaves home before the shift starts",
    "after_shift": "the carer is home after the shift ends",
    "missing_skill": "the carer lacks a skill the call needs",
    "excluded_carer": "the client excludes this carer",
    "no_go_client": "the carer does not visit this client",
    "gender_preference": "the client asks for a carer of another gender",
    "pinned_elsewhere": "the call is pinned to another carer",
    "double_handed_alone": "a double-handed call has fewer carers than it needs",
    "not_synchronised": "the carers of a double-handed call start at different times",
    "gap_not_kept": "a call starts too soon or too long after the call it follows",
    "same_carer_for_gap": "one carer does two calls that need different carers",
    "no_break": "a long run has no room for its break",
    "max_working_time": "the carer works more than their day allows",
    "max_weekly_time": "the carer works more than their week allows",
    "short_rest": "the carer rests too little between two days",
    "too_many_carers": "the client sees more carers in the week than the cap",
}
"""Each breach code a rota commonly breaks, and the rule it names. Any other code (the
validator's bookkeeping, never expected here) is "a hard rule of the validator", its message
saying which."""

WRONG_CARER = frozenset(
    {"missing_skill", "excluded_carer", "no_go_client", "gender_preference", "pinned_elsewhere"}
)
"""Breaches that make a visit not covered: done by a carer who may not do it."""


class Breach(Frozen):
    """One rule a rota breaks (see the codes above), on ``date``; None for a week's rule.
    ``minutes`` is by how much, where the rule is broken by an amount of time."""

    date: dt.date | None
    code: BreachCode
    rule: str
    message: str
    carer_id: str | None = None
    visit_id: str | None = None
    minutes: int | None = None

    def __str__(self) -> str:
        when = f"{self.date}: " if self.date else ""
        return f"[{self.code}] {when}{self.message}"


def _breach(
    date: dt.date | None,
    code: BreachCode,
    message: str,
    carer_id: str | None = None,
    visit_id: str | None = None,
    minutes: int | None = None,
) -> Breach:
    return Breach(
        date=date,
        code=code,
        rule=RULES.get(code, "a hard rule of the validator"),
        message=message,
        carer_id=carer_id,
        visit_id=visit_id,
        minutes=minutes,
    )


def wrong_carer_visits(breaches: Iterable[Breach]) -> frozenset[str]:
    """The visits done by a carer who may not do them (``WRONG_CARER``): not covered."""
    return frozenset(
        b.visit_id for b in breaches if b.code in WRONG_CARER and b.visit_id is not None
    )


# ---- reading manual_rota.csv ----------------------------------------------------------------


def _planned_start(text: str) -> int:
    minutes = parse_clock(text)
    if minutes == MINUTES_PER_DAY:
        raise ValueError("24:00 is midnight: a call starting then belongs to the next date")
    return minutes


def read_manual_rota(source: Path | str | bytes, scenario: Scenario) -> tuple[Assignment, ...]:
    """The assignments of a ``manual_rota.csv`` (carer_id, date, visit_id, planned_start as
    HH:MM), from a path or a file's bytes as uploaded, in file order.

    Raises ``InputError`` listing every row that cannot be read: a missing or malformed cell,
    an unknown carer or visit, a date that is not the visit's, a carer on one visit twice,
    more carers on a visit than it needs. Everything else a rota can get wrong is a breach
    (``rota_breaches``), not an input error.
    """
    label = MANUAL_ROTA_FILE if isinstance(source, bytes) else Path(source).name
    rows = read_csv_rows(source, MANUAL_ROTA_COLUMNS, label=label)
    issues: list[InputIssue] = []

    def add(index: int, column: str, code: InputCode, message: str) -> None:
        issues.append(InputIssue(code, label, message, index + 2, column))

    assignments = []
    rows_of: dict[str, list[tuple[str, int]]] = defaultdict(list)  # visit -> (carer, row)
    for index, row in enumerate(rows):
        before = len(issues)
        cells = {column: row.get(column, "").strip() for column in MANUAL_ROTA_COLUMNS}
        for column, text in cells.items():
            if not text:
                add(index, column, "missing_value", "is empty")
        carer = scenario.carer_by_id.get(cells["carer_id"])
        if cells["carer_id"] and carer is None:
            add(index, "carer_id", "unknown_carer", f"no carer has the id '{cells['carer_id']}'")
        visit = scenario.visit_by_id.get(cells["visit_id"])
        if cells["visit_id"] and visit is None:
            add(index, "visit_id", "unknown_visit", f"no visit has the id '{cells['visit_id']}'")
        date = start = None
        try:
            date = parse_date(cells["date"]) if cells["date"] else None
        except ValueError as exc:
            add(index, "date", "malformed_date", str(exc))
        try:
            start = _planned_start(cells["planned_start"]) if cells["planned_start"] else None
        except ValueError as exc:
            add(index, "planned_start", "malformed_time", str(exc))
        if visit is not None and date is not None and date != visit.date:
            add(index, "date", "wrong_date", f"visit {visit.id} is on {visit.date}, not {date}")
        if carer is not None and visit is not None:
            on_visit = rows_of[visit.id]
            twice = next((row for who, row in on_visit if who == carer.id), None)
            if twice is not None:
                add(
                    index,
                    "carer_id",
                    "duplicate_row",
                    f"{carer.id} is on visit {visit.id} already (row {twice})",
                )
            elif len(on_visit) >= visit.carers_required:
                rows_text = ", ".join(f"{who} (row {row})" for who, row in on_visit)
                add(
                    index,
                    "carer_id",
                    "extra_carer",
                    f"visit {visit.id} needs {visit.carers_required} carer(s) and has "
                    f"{rows_text} already",
                )
            else:
                on_visit.append((carer.id, index + 2))
        if len(issues) == before and carer and visit and date and start is not None:
            assignments.append(
                Assignment(carer_id=carer.id, date=date, visit_id=visit.id, start=start)
            )
    if issues:
        raise InputError(issues)
    return tuple(assignments)


# ---- timing the rota ------------------------------------------------------------------------


def _check_ids(scenario: Scenario, assignments: Iterable[Assignment]) -> None:
    """``read_manual_rota`` guarantees these; a rota built in code is checked here."""
    problems = []
    for item in assignments:
        visit = scenario.visit_by_id.get(item.visit_id)
        if item.carer_id not in scenario.carer_by_id:
            problems.append(f"carer {item.carer_id} is not in the scenario")
        if visit is None:
            problems.append(f"visit {item.visit_id} is not in the scenario")
        elif visit.date != item.date:
            problems.append(f"visit {visit.id} is on {visit.date}, not {item.date}")
    if problems:
        raise DomcareError("the rota does not fit the scenario: " + "; ".join(problems))


def _shift_of(shifts: tuple[Shift, ...], planned: int) -> Shift:
    """The shift ``planned`` falls in, else the nearest one (the earlier of two as near)."""
    inside = next((s for s in shifts if s.start <= planned < s.end), None)
    if inside is not None:
        return inside
    return min(shifts, key=lambda s: s.start - planned if planned < s.start else planned - s.end)


def _break(
    stops: Sequence[Stop], depart: int, home: int, carer: Carer, settings: Settings
) -> tuple[int, int] | None:
    """Where a run takes its unpaid break (start, end), as ``routing.repair`` places it in an
    optimised plan: inside the carer's break window, in the first wait that holds it there,
    when the run is out through the window; else, a run longer than ``break_after_minutes``
    on arriving for a call with a wait of at least ``break_minutes`` before it, the one
    nearest the run's middle; None when not due or no room."""
    after, minutes = settings.break_after_minutes, settings.break_minutes
    window = carer.break_window
    if window is not None and window.longest_free([(depart, home)]) < window.least(minutes):
        need = window.in_run(minutes, after is not None)
        for stop in stops[1:]:
            if window.overlap(stop.arrival, stop.start) >= need:
                begin = max(stop.arrival, window.start)
                return begin, begin + need
    if after is None or home - depart <= after:
        return None
    middle = (depart + home) / 2
    arrivals = [stop.arrival for stop in stops[1:] if stop.wait_minutes >= minutes]
    start = min(arrivals, key=lambda arrival: abs(arrival + minutes / 2 - middle), default=None)
    return None if start is None else (start, start + minutes)


def _spanning(depart: int, home: int) -> Shift:
    """The shift a carer with none that day is checked against: leaving home to getting back
    (kept within the day)."""
    start = min(depart, MINUTES_PER_DAY - 1)
    return Shift(start=start, end=min(MINUTES_PER_DAY, max(home, start + 1)))


def _run(
    scenario: Scenario,
    journeys: Journeys,
    settings: Settings,
    carer: Carer,
    shift: Shift | None,
    calls: Sequence[Assignment],
    lengths: dict[tuple[str, str], int],
) -> Run:
    """``calls`` (in planned order) as one run: leave home just in time for the first, start
    each at its planned time or on arrival if later, stay ``lengths`` (``_lengths``), go
    home after the last."""
    first = scenario.visit_by_id[calls[0].visit_id]
    home, there = journeys.home_place[carer.id], journeys.client_place[first.client_id]
    out, _ = journeys.leg(carer.travel_mode, home, there)
    depart = max(0, calls[0].start - out)
    walked = [
        (scenario.visit_by_id[c.visit_id], c.start, lengths[c.visit_id, carer.id]) for c in calls
    ]
    legs = walk_run(journeys, carer, depart, walked)
    stops, return_home = legs.stops, legs.return_home
    shift = shift or _spanning(depart, return_home)
    taken = _break(stops, depart, return_home, carer, settings)
    return Run(
        carer_id=carer.id,
        shift_start=shift.start,
        shift_end=shift.end,
        depart=depart,
        return_home=return_home,
        stops=stops,
        home_travel_minutes=legs.home_minutes,
        home_travel_m=legs.home_metres,
        break_start=None if taken is None else taken[0],
        break_end=None if taken is None else taken[1],
    )


def _carer_runs(
    scenario: Scenario,
    journeys: Journeys,
    settings: Settings,
    carer: Carer,
    date: dt.date,
    calls: Sequence[Assignment],
    lengths: dict[tuple[str, str], int],
) -> list[Run]:
    """One run per shift the carer's calls that date fall in; all of them in one run when
    the carer has no shift that date."""
    shifts = carer.shifts_for(date)
    if not shifts:
        return [_run(scenario, journeys, settings, carer, None, calls, lengths)]
    by_shift: dict[Shift, list[Assignment]] = defaultdict(list)
    for call in calls:
        by_shift[_shift_of(shifts, call.start)].append(call)
    return [
        _run(scenario, journeys, settings, carer, shift, by_shift[shift], lengths)
        for shift in shifts
        if shift in by_shift
    ]


def _lengths(scenario: Scenario, assignments: Sequence[Assignment]) -> dict[tuple[str, str], int]:
    """(visit, carer) -> the minutes the carer stays (``Visit.lengths_of``): on a pair whose
    second carer leaves early, the carer filling the first role stays the whole call, the
    first listed in the rota where either could."""
    carers_of: dict[str, list[str]] = defaultdict(list)
    for item in assignments:
        carers_of[item.visit_id].append(item.carer_id)
    lengths: dict[tuple[str, str], int] = {}
    for visit_id, carers in carers_of.items():
        skills = tuple(scenario.carer_by_id[c].skills for c in carers)
        taken = scenario.visit_by_id[visit_id].lengths_of(skills)
        lengths.update(zip(((visit_id, c) for c in carers), taken, strict=True))
    return lengths


def rota_plans(
    scenario: Scenario,
    assignments: Sequence[Assignment],
    travel: TravelTimes,
    settings: Settings,
) -> tuple[Plan, ...]:
    """The rota as one plan per date of the scenario, in date order, recorded as an optimised
    plan is, so ``day_figures``, ``plan_cost`` and ``validate_plan`` apply unchanged (for a
    week, ``WeekPlan(days=...)`` and ``week_figures``).

    Each carer's calls of a date, in planned-start order, make one run per shift (see the
    module note); a carer leaves home just in time for a run's first call (not before
    midnight) and starts each call at its planned time, or on arrival when that is later. A
    run longer than ``settings.break_after_minutes`` takes its unpaid break in a wait long
    enough, if it has one. A visit no assignment covers is unallocated, ``not_in_rota``.

    Raises ``DomcareError`` when an assignment names a carer or visit not in the scenario or
    a date that is not its visit's (``read_manual_rota`` refuses those rows).
    """
    _check_ids(scenario, assignments)
    journeys = build_journeys(scenario, travel)
    lengths = _lengths(scenario, assignments)
    calls_of: dict[tuple[dt.date, str], list[Assignment]] = defaultdict(list)
    for item in sorted(assignments, key=lambda a: a.start):
        calls_of[(item.date, item.carer_id)].append(item)
    covered = {item.visit_id for item in assignments}
    plans = []
    for date in scenario.dates:
        runs = [
            run
            for carer in scenario.carers
            if (date, carer.id) in calls_of
            for run in _carer_runs(
                scenario, journeys, settings, carer, date, calls_of[(date, carer.id)], lengths
            )
        ]
        unallocated = [
            Unallocated(
                visit_id=visit.id,
                client_id=visit.client_id,
                reason_code=NOT_IN_ROTA,
                reason="no carer is given this visit in the rota",
            )
            for visit in scenario.visits
            if visit.date == date and visit.id not in covered
        ]
        runs.sort(key=lambda run: (run.carer_id, run.shift_start))
        plans.append(
            Plan(
                scenario=scenario.name,
                date=date,
                status=PlanStatus.SOLVED,
                runs=tuple(runs),
                unallocated=tuple(unallocated),
                settings=settings,
            )
        )
    return tuple(plans)


# ---- breaches -------------------------------------------------------------------------------


def _day(scenario: Scenario, plan: Plan) -> Scenario:
    """The scenario the validator checks ``plan`` against: that date's visits, and each
    carer's shifts that date; a carer with none is given the span of their runs, the shift
    ``rota_plans`` checked them against (``not_on_shift`` says so)."""
    spans: dict[str, list[Run]] = defaultdict(list)
    for run in plan.runs:
        spans[run.carer_id].append(run)
    carers = []
    for carer in scenario.carers:
        shifts = carer.shifts_for(plan.date)
        if not shifts and carer.id in spans:
            runs = spans[carer.id]
            shifts = (
                Shift(start=min(r.shift_start for r in runs), end=max(r.shift_end for r in runs)),
            )
        carers.append(carer.model_copy(update={"shifts": shifts, "shifts_on": ()}))
    return scenario.model_copy(
        update={
            "date": plan.date,
            "carers": tuple(carers),
            "visits": tuple(v for v in scenario.visits if v.date == plan.date),
        }
    )


def _late_starts(
    scenario: Scenario, date: dt.date, run: Run, planned: dict[tuple[str, str], int]
) -> list[Breach]:
    found = []
    for k, stop in enumerate(run.stops):
        wanted = planned.get((run.carer_id, stop.visit_id))
        if wanted is None or stop.start <= wanted:
            continue
        if k == 0:
            cause = (
                f"leaving home at {format_clock(run.depart)}, the journey takes "
                f"{stop.travel_minutes} min"
            )
        else:
            before = run.stops[k - 1]
            planned_end = planned.get((run.carer_id, before.visit_id), before.start) + (
                before.end - before.start
            )
            cause = (
                f"it overlaps visit {before.visit_id}, planned until {format_clock(planned_end)}"
                if planned_end > wanted
                else f"visit {before.visit_id} ends at {format_clock(before.end)} and the "
                f"journey takes {stop.travel_minutes} min"
            )
        found.append(
            _breach(
                date,
                "late_start",
                f"carer {run.carer_id} at visit {stop.visit_id}: planned "
                f"{format_clock(wanted)}, actually {format_clock(stop.start)}, by "
                f"{stop.start - wanted} min ({cause})",
                run.carer_id,
                stop.visit_id,
                stop.start - wanted,
            )
        )
    return found


_Amounts = dict[tuple[str, str | None, str | None], list[int]]
"""(code, carer id, visit id) -> by how many minutes each such breach breaks its rule, in the
order the validator reports them."""


def _day_amounts(scenario: Scenario, plan: Plan) -> _Amounts:
    """The minutes of the validator's timed rules on ``plan``, by its arithmetic: runs in plan
    order, as ``validate_plan`` walks them."""
    amounts: _Amounts = defaultdict(list)
    after = plan.settings.break_after_minutes
    starts: dict[str, list[int]] = defaultdict(list)
    worked: dict[str, int] = defaultdict(int)
    for run in plan.runs:
        who = run.carer_id
        worked[who] += run.paid_minutes
        if run.depart < run.shift_start:
            amounts[("before_shift", who, None)].append(run.shift_start - run.depart)
        for stop in run.stops:
            starts[stop.visit_id].append(stop.start)
            visit = scenario.visit_by_id.get(stop.visit_id)
            if visit is None:
                continue  # the validator reports it
            outside = min(
                max(first - stop.start, stop.start - last) for first, last in visit.start_windows
            )
            if outside > 0:
                amounts[("outside_window", who, visit.id)].append(outside)
        if run.return_home > run.shift_end:
            amounts[("after_shift", who, None)].append(run.return_home - run.shift_end)
        if run.break_start is None and after is not None and run.paid_minutes > after:
            amounts[("no_break", who, None)].append(run.paid_minutes - after)
    for visit_id, times in starts.items():
        if len(set(times)) > 1:
            amounts[("not_synchronised", None, visit_id)].append(max(times) - min(times))
    for carer_id, minutes in worked.items():
        carer = scenario.carer_by_id.get(carer_id)
        limit = carer.max_working_minutes if carer else None
        if limit is not None and minutes > limit:
            amounts[("max_working_time", carer_id, None)].append(minutes - limit)
    return amounts


def _week_amounts(scenario: Scenario, plans: Sequence[Plan]) -> _Amounts:
    """The minutes of the week's timed rules, in the order ``scheduler.planning.week`` reports
    them."""
    amounts: _Amounts = defaultdict(list)
    worked: dict[str, int] = defaultdict(int)
    for plan in plans:
        for run in plan.runs:
            worked[run.carer_id] += run.paid_minutes
    for carer in scenario.carers:
        limit = carer.max_weekly_minutes
        if limit is not None and worked[carer.id] > limit:
            amounts[("max_weekly_time", carer.id, None)].append(worked[carer.id] - limit)
    rest = plans[0].settings.min_rest_minutes
    for yesterday, today in zip(plans, plans[1:], strict=False):
        apart = (today.date - yesterday.date).days * MINUTES_PER_DAY
        home_by: dict[str, int] = {}
        leave: dict[str, int] = {}
        for run in yesterday.runs:
            home_by[run.carer_id] = max(home_by.get(run.carer_id, 0), run.return_home)
        for run in today.runs:
            leave[run.carer_id] = min(leave.get(run.carer_id, MINUTES_PER_DAY), run.depart)
        for carer_id in sorted(home_by.keys() & leave.keys()):
            gap = leave[carer_id] + apart - home_by[carer_id]
            if gap < rest:
                amounts[("short_rest", carer_id, None)].append(rest - gap)
    return amounts


def _noted(date: dt.date | None, found: Sequence[Violation], amounts: _Amounts) -> list[Breach]:
    """The validator's findings as breaches, each with its minutes where its rule has them."""
    breaches = []
    for v in found:
        queue = amounts.get((v.code, v.carer_id, v.visit_id))
        minutes = queue.pop(0) if queue else None
        breaches.append(_breach(date, v.code, v.message, v.carer_id, v.visit_id, minutes))
    return breaches


def rota_breaches(
    scenario: Scenario,
    assignments: Sequence[Assignment],
    plans: Sequence[Plan],
    travel: TravelTimes,
) -> list[Breach]:
    """Every rule the rota breaks (codes in the module note), date by date: its carers off
    shift and late starts (from ``assignments``, the planned starts), then the validator's
    findings on ``plans`` (from ``rota_plans``); then, for a scenario of several dates, the
    week's rules."""
    planned = {(item.carer_id, item.visit_id): item.start for item in assignments}
    found: list[Breach] = []
    for plan in plans:
        for run in plan.runs:
            carer = scenario.carer_by_id.get(run.carer_id)
            if carer is not None and not carer.shifts_for(plan.date):
                found.append(
                    _breach(
                        plan.date,
                        "not_on_shift",
                        f"carer {carer.id} has no shift on {plan.date}; their calls "
                        f"{format_clock(run.depart)}-{format_clock(run.return_home)} are "
                        "checked as if it were one",
                        carer.id,
                        minutes=run.return_home - run.depart,
                    )
                )
            found += _late_starts(scenario, plan.date, run, planned)
        day = _day(scenario, plan)
        found += _noted(plan.date, validate_plan(day, plan, travel), _day_amounts(day, plan))
    if len(scenario.dates) > 1 and plans:
        week = WeekPlan(scenario=scenario.name, settings=plans[0].settings, days=tuple(plans))
        found += _noted(None, week_rules(scenario, week), _week_amounts(scenario, plans))
    return found
