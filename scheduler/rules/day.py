"""The independent check of a plan against the hard rules of the day.

It trusts nothing in the plan but the order of visits and their starts: every travel leg and
arrival is recomputed from the scenario and the travel times and compared with what the plan
records (the figures are summed from those records), so a solver bug, a hand edit or a stale
file shows up as a violation rather than as a rota that cannot be worked. The break rule is
the one the plan was asked for (``plan.settings``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from routing.travel import UNREACHABLE_MINUTES, TravelTimes
from scheduler.model.care import BreakWindow, Carer, Client, Scenario, Visit
from scheduler.model.clock import format_clock, format_windows
from scheduler.model.codes import ViolationCode
from scheduler.model.plan import Plan, Run, Stop, longest_off
from scheduler.model.settings import Settings
from scheduler.rules.journeys import Journeys, build_journeys

__all__ = ["MissedBreak", "Violation", "missed_break_windows", "validate_plan"]


@dataclass(frozen=True)
class Violation:
    code: ViolationCode
    message: str
    carer_id: str | None = None
    visit_id: str | None = None

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def _accounting(scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every visit is in the rota as many times as it needs carers, or unallocated; not both."""
    found: list[Violation] = []
    placed = Counter(stop.visit_id for run in plan.runs for stop in run.stops)
    left = Counter(u.visit_id for u in plan.unallocated)
    for visit_id in sorted((set(placed) | set(left)) - set(scenario.visit_by_id)):
        found.append(
            Violation(
                "unknown_visit", f"visit {visit_id} is not in the scenario", visit_id=visit_id
            )
        )
    for visit in scenario.visits:
        times, dropped = placed.get(visit.id, 0), left.get(visit.id, 0)
        if dropped > 1:
            found.append(
                Violation(
                    "listed_twice", f"visit {visit.id} is unallocated twice", visit_id=visit.id
                )
            )
        if times and dropped:
            found.append(
                Violation(
                    "allocated_and_unallocated",
                    f"visit {visit.id} is both in the rota and unallocated",
                    visit_id=visit.id,
                )
            )
        elif not times and not dropped:
            found.append(
                Violation(
                    "visit_missing",
                    f"visit {visit.id} is neither in the rota nor unallocated",
                    visit_id=visit.id,
                )
            )
        elif times and times != visit.carers_required:
            code: ViolationCode = (
                "double_handed_alone" if times < visit.carers_required else "visited_twice"
            )
            found.append(
                Violation(
                    code,
                    f"visit {visit.id} needs {visit.carers_required} carer(s) and has {times}",
                    visit_id=visit.id,
                )
            )
    return found


def _double_handed(scenario: Scenario, plan: Plan) -> list[Violation]:
    found = []
    by_visit: dict[str, list[tuple[str, int]]] = defaultdict(list)
    lengths: dict[str, list[int]] = defaultdict(list)
    for run in plan.runs:
        for stop in run.stops:
            by_visit[stop.visit_id].append((run.carer_id, stop.start))
            lengths[stop.visit_id].append(stop.end - stop.start)
    for visit_id, attendances in by_visit.items():
        if len(attendances) < 2:
            continue
        carers = [carer for carer, _ in attendances]
        if len(set(carers)) < len(carers):
            found.append(
                Violation(
                    "same_carer_twice",
                    f"visit {visit_id} has one carer counted twice",
                    visit_id=visit_id,
                )
            )
        visit = scenario.visit_by_id.get(visit_id)
        skills = tuple(
            scenario.carer_by_id[c].skills if c in scenario.carer_by_id else frozenset()
            for c in carers
        )
        if (
            visit is not None
            and len(skills) == len(visit.roles)
            and all(any(role <= held for role in visit.roles) for held in skills)
            and not visit.staffed_by(skills)
        ):
            first, second = (", ".join(sorted(role)) or "no given skill" for role in visit.roles)
            found.append(
                Violation(
                    "missing_skill",
                    f"visit {visit_id} needs a carer with {first} and another with {second}; "
                    "its two carers cannot fill both",
                    visit_id=visit_id,
                )
            )
        found += _second_leaving(visit, skills, lengths[visit_id])
        if visit is not None and visit.pinned_carer and visit.pinned_carer not in carers:
            found.append(
                Violation(
                    "pinned_elsewhere",
                    f"visit {visit_id} is pinned to {visit.pinned_carer}, who is not one of "
                    "its carers",
                    visit_id=visit_id,
                )
            )
        if len({start for _, start in attendances}) > 1:
            found.append(
                Violation(
                    "not_synchronised",
                    f"the carers of visit {visit_id} start at different times",
                    visit_id=visit_id,
                )
            )
    return found


def _second_leaving(
    visit: Visit | None, skills: tuple[frozenset[str], ...], lengths: list[int]
) -> list[Violation]:
    """On a pair whose second carer leaves early (``Visit.second_carer_minutes``): one carer
    stays the whole call and holds the first role, the other the second's part and holds the
    second role. Stops of neither length are reported alone (``right_duration``)."""
    if visit is None or len(lengths) != 2 or len(set(visit.lengths)) < 2:
        return []
    if not set(lengths) <= set(visit.lengths):
        return []
    whole, part = visit.lengths
    if sorted(lengths) != [part, whole]:
        return [
            Violation(
                "wrong_duration",
                f"visit {visit.id} needs one carer for {whole} min and the second for {part}; "
                f"its carers stay {lengths[0]} and {lengths[1]} min",
                visit_id=visit.id,
            )
        ]
    staying = lengths.index(whole)
    first, second = visit.roles
    if not visit.staffed_by(skills) or (first <= skills[staying] and second <= skills[1 - staying]):
        return []  # a pair that cannot fill both roles at all is reported once, above
    roles = (", ".join(sorted(role)) or "no given skill" for role in visit.roles)
    return [
        Violation(
            "missing_skill",
            f"visit {visit.id}'s carer staying {whole} min must hold {next(roles)}, the one "
            f"leaving after {part} min {next(roles)}",
            visit_id=visit.id,
        )
    ]


def _gaps(scenario: Scenario, plan: Plan) -> list[Violation]:
    """A call that follows another (``Visit.follows``), both done, starts ``min_gap`` to
    ``max_gap`` minutes after it, by another carer where ``other_carer`` says so."""
    done: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for run in plan.runs:
        for stop in run.stops:
            done[stop.visit_id].append((run.carer_id, stop.start))
    found = []
    for visit in scenario.visits:
        if visit.follows is None or not done.get(visit.id) or not done.get(visit.follows):
            continue
        (carer, start), (before_carer, before) = done[visit.id][0], done[visit.follows][0]
        gap = start - before
        most = 24 * 60 if visit.max_gap is None else visit.max_gap
        if not visit.min_gap <= gap <= most:
            allowed = f"{visit.min_gap}" + ("+" if visit.max_gap is None else f"-{most}")
            found.append(
                Violation(
                    "gap_not_kept",
                    f"visit {visit.id} starts {gap} min after {visit.follows}; it must be "
                    f"{allowed} min after",
                    carer_id=carer,
                    visit_id=visit.id,
                )
            )
        if visit.other_carer and carer == before_carer:
            found.append(
                Violation(
                    "same_carer_for_gap",
                    f"carer {carer} does both {visit.follows} and {visit.id}, which must "
                    "have different carers",
                    carer_id=carer,
                    visit_id=visit.id,
                )
            )
    return found


def _check_break(run: Run, settings: Settings) -> list[Violation]:
    """A run longer than ``break_after_minutes`` less its break has a break of at least
    ``break_minutes``, inside a wait between two calls (after arriving, before starting).
    Any break a run has is in such a wait; without the rule, one there for a break window
    (``_break_windows``) is as long as that window asks."""
    who = f"carer {run.carer_id}"
    if run.break_start is None or run.break_end is None:
        after = settings.break_after_minutes
        if after is not None and run.paid_minutes > after:
            return [
                Violation(
                    "no_break",
                    f"{who} works {run.paid_minutes} min from {format_clock(run.depart)} "
                    f"without a break (one is due after {after} min)",
                    carer_id=run.carer_id,
                )
            ]
        return []
    found = []
    if settings.break_after_minutes is not None and run.break_minutes < settings.break_minutes:
        found.append(
            Violation(
                "short_break",
                f"{who} has a {run.break_minutes} min break; the least is "
                f"{settings.break_minutes} min",
                carer_id=run.carer_id,
            )
        )
    inside_a_wait = any(
        stop.arrival <= run.break_start and run.break_end <= stop.start for stop in run.stops[1:]
    )
    if not inside_a_wait:
        found.append(
            Violation(
                "break_misplaced",
                f"{who}'s break {format_clock(run.break_start)}-{format_clock(run.break_end)} "
                "is not in a wait between two calls",
                carer_id=run.carer_id,
            )
        )
    return found


def _break_windows(scenario: Scenario, plan: Plan, settings: Settings) -> list[Violation]:
    """A carer with a break window and a run that day is off for its least minutes wholly
    inside it: at home (no run out then) or in a run's unpaid break; unless a missed break
    window is priced (``Settings.missed_break_weight``)."""
    if settings.missed_break_weight is not None:
        return []
    found = []
    for missed in missed_break_windows(scenario, plan, settings):
        window = missed.window
        found.append(
            Violation(
                "no_break_in_window",
                f"carer {missed.carer_id} has no {missed.minutes} min off between "
                f"{format_clock(window.start)} and {format_clock(window.end)} (the most "
                f"is {missed.longest} min)",
                carer_id=missed.carer_id,
            )
        )
    return found


@dataclass(frozen=True)
class MissedBreak:
    """A carer whose break window holds no break of ``minutes``: at most ``longest`` off."""

    carer_id: str
    window: BreakWindow
    minutes: int
    longest: int


def missed_break_windows(scenario: Scenario, plan: Plan, settings: Settings) -> list[MissedBreak]:
    """Each carer working that day whose break window holds no break as long as it asks."""
    runs: dict[str, list[Run]] = defaultdict(list)
    for run in plan.runs:
        runs[run.carer_id].append(run)
    missed = []
    for carer_id, theirs in runs.items():
        carer = scenario.carer_by_id.get(carer_id)
        window = None if carer is None else carer.break_window
        if window is None:
            continue
        minutes = window.least(settings.break_minutes)
        longest = longest_off(theirs, window)
        if longest < minutes:
            missed.append(MissedBreak(carer_id, window, minutes, longest))
    return missed


@dataclass(frozen=True)
class AtStop:
    """What the rules of one stop look at: who, which visit at whose home, the stop as the plan
    records it, the leg into it (minutes, metres) as the travel times give it, and when the
    carer left the place before (``ready``)."""

    carer: Carer
    visit: Visit
    client: Client
    stop: Stop
    leg: tuple[int, int]
    ready: int
    settings: Settings

    @property
    def earliest_arrival(self) -> int:
        return self.ready + self.leg[0]

    @property
    def where(self) -> str:
        return f"carer {self.carer.id} at visit {self.visit.id}"

    def violation(self, code: ViolationCode, message: str) -> Violation:
        return Violation(code, f"{self.where}: {message}", self.carer.id, self.visit.id)


def routed(at: AtStop) -> Violation | None:
    """A road network may leave a client with no route from the carer's last place."""
    if at.leg[0] < UNREACHABLE_MINUTES:
        return None
    return at.violation(
        "unreachable", f"no route by {at.carer.travel_mode.value} from the carer's last place"
    )


def recorded_travel(at: AtStop) -> Violation | None:
    """The leg the plan records is the leg the travel times give."""
    minutes, metres = at.leg
    if at.leg[0] >= UNREACHABLE_MINUTES:
        return None  # said by ``routed``
    if (at.stop.travel_minutes, at.stop.travel_m) == (minutes, metres):
        return None
    return at.violation(
        "wrong_travel",
        f"records {at.stop.travel_minutes} min and {at.stop.travel_m} m of travel; the leg "
        f"is {minutes} min and {metres} m",
    )


def recorded_arrival(at: AtStop) -> Violation | None:
    """The carer arrives as soon as the leg allows, and waits from then to the start."""
    stop = at.stop
    if stop.arrival == at.earliest_arrival and stop.wait_minutes == stop.start - stop.arrival:
        return None
    return at.violation(
        "wrong_arrival",
        f"records arrival {format_clock(stop.arrival)} and {stop.wait_minutes} min waiting; "
        f"the carer arrives at {format_clock(at.earliest_arrival)}",
    )


def recorded_lateness(at: AtStop) -> Violation | None:
    """The minutes late the rota shows are the minutes after the visit's latest start."""
    late = at.visit.minutes_late(at.stop.start)
    if at.stop.minutes_late == late:
        return None
    return at.violation(
        "wrong_lateness",
        f"records {at.stop.minutes_late} min late; starting {format_clock(at.stop.start)} it "
        f"is {late} min late",
    )


def right_client(at: AtStop) -> Violation | None:
    if at.stop.client_id == at.visit.client_id:
        return None
    return at.violation(
        "wrong_client", f"the visit is for client {at.visit.client_id}, not {at.stop.client_id}"
    )


def reachable(at: AtStop) -> Violation | None:
    """The call cannot start before the carer can get there."""
    if at.stop.start >= at.earliest_arrival:
        return None
    return at.violation(
        "unreachable",
        f"cannot start at {format_clock(at.stop.start)}, the earliest arrival is "
        f"{format_clock(at.earliest_arrival)}",
    )


def in_window(at: AtStop) -> Violation | None:
    """Inside the window, or late by no more than the visit's tolerance (none if critical)."""
    visit = at.visit
    tolerance = visit.tolerance(at.settings.late_tolerance_minutes)
    if visit.starts_in_window(at.stop.start, at.settings.late_tolerance_minutes):
        return None
    allowed = f" (up to {tolerance} min late)" if tolerance else ""
    return at.violation(
        "outside_window",
        f"starts at {format_clock(at.stop.start)}, outside "
        f"{format_windows(visit.start_windows)}{allowed}",
    )


def right_duration(at: AtStop) -> Violation | None:
    """The stop lasts the call, or the second carer's part of it (``Visit.lengths``); that
    one carer of such a pair stays the whole call is checked with the pair."""
    length = at.stop.end - at.stop.start
    if length in at.visit.lengths:
        return None
    expected = " or ".join(str(minutes) for minutes in sorted(set(at.visit.lengths)))
    return at.violation("wrong_duration", f"lasts {length} min, not {expected}")


def skilled(at: AtStop) -> Violation | None:
    """The carer holds the skills of a role of the visit (``Visit.roles``); that the two
    carers of a pair fill both roles is checked with the pair, in ``_double_handed``."""
    missing = min((role - at.carer.skills for role in at.visit.roles), key=len)
    return at.violation("missing_skill", f"lacks {', '.join(sorted(missing))}") if missing else None


def not_excluded(at: AtStop) -> Violation | None:
    if at.carer.id not in at.client.excluded_carers:
        return None
    return at.violation("excluded_carer", f"client {at.client.id} excludes this carer")


def within_weekly_cap(at: AtStop) -> Violation | None:
    """Beyond the client's weekly cap only for a call the cap gives way to."""
    week_carers = at.client.week_carers
    if (
        week_carers is None
        or at.carer.id in week_carers
        or at.settings.cap_yields(at.visit.priority)
    ):
        return None
    return at.violation(
        "weekly_carer_cap",
        f"client {at.client.id} has seen the week's most carers, not including this one",
    )


def not_no_go(at: AtStop) -> Violation | None:
    if at.client.id not in at.carer.no_go_clients:
        return None
    return at.violation("no_go_client", f"carer {at.carer.id} does not visit client {at.client.id}")


def gender_kept(at: AtStop) -> Violation | None:
    if at.client.accepts_gender(at.carer.gender):
        return None
    return at.violation(
        "gender_preference",
        f"client {at.client.id} asks for a {at.client.gender_preference} carer",
    )


def not_pinned_elsewhere(at: AtStop) -> Violation | None:
    """A single-handed visit pinned to a carer is that carer's (a pair's pin is checked with
    its pair, in ``_double_handed``)."""
    pinned = at.visit.pinned_carer
    if not pinned or at.visit.double_handed or pinned == at.carer.id:
        return None
    return at.violation("pinned_elsewhere", f"the visit is pinned to {pinned}")


StopRule = Callable[[AtStop], Violation | None]
STOP_RULES: tuple[StopRule, ...] = (
    routed,
    recorded_travel,
    recorded_arrival,
    recorded_lateness,
    right_client,
    reachable,
    in_window,
    right_duration,
    skilled,
    not_excluded,
    within_weekly_cap,
    not_no_go,
    gender_kept,
    not_pinned_elsewhere,
)
"""The rules every stop keeps, one function each, in the order their violations are listed."""


def _check_run(
    scenario: Scenario, journeys: Journeys, run: Run, settings: Settings
) -> tuple[list[Violation], int]:
    """The rules one run must keep, and the minutes it works (leaving home to getting back,
    less its unpaid break)."""
    found: list[Violation] = []
    carer = scenario.carer_by_id.get(run.carer_id)
    if carer is None:
        found.append(
            Violation(
                "unknown_carer",
                f"carer {run.carer_id} is not in the scenario",
                carer_id=run.carer_id,
            )
        )
        return found, 0
    who = f"carer {carer.id}"
    shift = next(
        (s for s in carer.shifts if (s.start, s.end) == (run.shift_start, run.shift_end)), None
    )
    if shift is None:
        found.append(
            Violation(
                "unknown_shift",
                f"{who} has no shift {format_clock(run.shift_start)}-{format_clock(run.shift_end)}",
                carer_id=carer.id,
            )
        )
        return found, 0
    if run.depart < shift.start:
        found.append(
            Violation(
                "before_shift",
                f"{who} leaves home at {format_clock(run.depart)}, before the shift starts",
                carer_id=carer.id,
            )
        )
    mode = carer.travel_mode
    home = journeys.home_place[carer.id]
    here, clock = home, run.depart
    for stop in run.stops:
        visit = scenario.visit_by_id.get(stop.visit_id)
        if visit is None:
            continue  # reported by the accounting
        client = scenario.client_by_id[visit.client_id]
        there = journeys.client_place[client.id]
        at = AtStop(carer, visit, client, stop, journeys.leg(mode, here, there), clock, settings)
        found += [violation for rule in STOP_RULES if (violation := rule(at)) is not None]
        stays = visit.stay(stop.end - stop.start)
        here, clock = there, max(stop.start, at.earliest_arrival) + stays
    minutes, metres = journeys.leg(mode, here, home)
    home_by = clock + minutes
    if minutes >= UNREACHABLE_MINUTES:
        found.append(
            Violation(
                "unreachable",
                f"{who} has no route home by {carer.travel_mode.value}",
                carer_id=carer.id,
            )
        )
    elif (run.home_travel_minutes, run.home_travel_m) != (minutes, metres):
        found.append(
            Violation(
                "wrong_travel",
                f"{who} records {run.home_travel_minutes} min and {run.home_travel_m} m home; "
                f"the leg is {minutes} min and {metres} m",
                carer_id=carer.id,
            )
        )
    overtime = carer.overtime(settings.overtime_minutes)
    if max(home_by, run.return_home) > shift.end + overtime:
        allowed = f" and its {overtime} min of overtime" if overtime else ""
        found.append(
            Violation(
                "after_shift",
                f"{who} is home at "
                f"{format_clock(max(home_by, run.return_home))}, after the "
                f"shift ends at {format_clock(shift.end)}{allowed}",
                carer_id=carer.id,
            )
        )
    if run.return_home < home_by:
        found.append(
            Violation(
                "unreachable",
                f"{who} cannot be home by {format_clock(run.return_home)}",
                carer_id=carer.id,
            )
        )
    found += _check_break(run, settings)
    return found, max(home_by, run.return_home) - run.depart - run.break_minutes


def validate_plan(scenario: Scenario, plan: Plan, travel: TravelTimes) -> list[Violation]:
    """Every broken hard rule in ``plan``; an empty list means the rota can be worked."""
    journeys = build_journeys(scenario, travel)
    found = _accounting(scenario, plan) + _double_handed(scenario, plan) + _gaps(scenario, plan)
    found += _break_windows(scenario, plan, plan.settings)
    if plan.date != scenario.date:
        found.append(
            Violation(
                "wrong_date", f"the plan is for {plan.date}, the scenario for {scenario.date}"
            )
        )
    shifts_used: Counter[tuple[str, int]] = Counter()
    worked: Counter[str] = Counter()
    for run in plan.runs:
        run_found, minutes = _check_run(scenario, journeys, run, plan.settings)
        found += run_found
        worked[run.carer_id] += minutes
        shifts_used[(run.carer_id, run.shift_start)] += 1
    for (carer_id, start), count in shifts_used.items():
        if count > 1:
            found.append(
                Violation(
                    "duplicate_run",
                    f"carer {carer_id} has {count} runs for the "
                    f"shift starting {format_clock(start)}",
                    carer_id=carer_id,
                )
            )
    for carer_id, minutes in worked.items():
        carer = scenario.carer_by_id.get(carer_id)
        limit = carer.max_working_minutes if carer else None  # unknown carers reported above
        if carer is None or limit is None or minutes <= limit:
            continue
        if carer.week_minutes_left == limit:
            found.append(
                Violation(
                    "max_weekly_time",
                    f"carer {carer_id} works {minutes} min, more than the {limit} left of "
                    "their week",
                    carer_id=carer_id,
                )
            )
        else:
            found.append(
                Violation(
                    "max_working_time",
                    f"carer {carer_id} works {minutes} min, more than the {limit} allowed",
                    carer_id=carer_id,
                )
            )
    return found
