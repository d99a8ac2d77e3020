"""The care domain: who can visit whom, when, and the rota that answers it.

Immutable pydantic models. Times are whole minutes after midnight on the
scenario's date (see ``scheduler.model.clock``); durations are minutes; positions are
WGS84 degrees. No I/O and no solver here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import Field, model_validator

from scheduler.model.base import Frozen
from scheduler.model.settings import MAX_WEIGHT

__all__ = [
    "BreakWindow",
    "Carer",
    "Client",
    "DayShifts",
    "Gender",
    "HistoryEntry",
    "Location",
    "Priority",
    "Scenario",
    "Shift",
    "Strength",
    "TravelMode",
    "Visit",
]


class TravelMode(StrEnum):
    CAR = "car"
    WALK = "walk"
    BIKE = "bike"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Strength(StrEnum):
    """A hard rule is never broken; a soft one is kept unless it costs more than its weight
    (``Settings.soft_gender_weight``) to keep."""

    HARD = "hard"
    SOFT = "soft"


class Priority(StrEnum):
    """A critical visit (medication, insulin, a hoist transfer) is dropped only when no carer
    can do it; a normal visit may be left for the coordinator when carers run short."""

    CRITICAL = "critical"
    NORMAL = "normal"
    OPTIONAL = "optional"
    """A current client's call done where a carer has room (a social or shopping call): never
    at the cost of a normal or critical visit, always before a waiting-list call."""
    WAITING = "waiting"
    """A call of a care package from the waiting list: taken on only where carers have room,
    never at the cost of a current client's visit."""


class Location(Frozen):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Shift(Frozen):
    """A span of the day a carer is available, leaving home at ``start`` at the earliest and
    back home by ``end`` at the latest. A split shift is two of these."""

    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.end <= self.start:
            raise ValueError("shift ends before it starts")
        return self

    @property
    def minutes(self) -> int:
        return self.end - self.start


def _apart(shifts: tuple[Shift, ...]) -> tuple[Shift, ...]:
    """``shifts`` in time order; raises when two overlap."""
    ordered = tuple(sorted(shifts, key=lambda s: s.start))
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second.start < first.end:
            raise ValueError("shifts overlap")
    return ordered


class BreakWindow(Frozen):
    """A carer's break at a fixed time of day (a lunch): at least ``minutes`` off, wholly
    between ``start`` and ``end``: before leaving, after getting home, or as the run's unpaid
    break in a wait between two calls. ``minutes`` None: ``Settings.break_minutes``."""

    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)
    minutes: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _room(self) -> BreakWindow:
        if self.end - self.start < (self.minutes or 1):
            raise ValueError("a break window shorter than its break")
        return self

    def least(self, default: int) -> int:
        """The break's least minutes, with ``default`` when the carer gives none."""
        return default if self.minutes is None else self.minutes

    def in_run(self, break_minutes: int, ruled: bool) -> int:
        """The least length of a run's unpaid break that serves this window: with the
        after-six-hours rule set (``ruled``), also that rule's ``break_minutes``, as a run
        has one break for both."""
        least = self.least(break_minutes)
        return max(least, break_minutes) if ruled else least

    def overlap(self, start: int, end: int) -> int:
        """Minutes of ``start``..``end`` inside the window (negative: none)."""
        return min(end, self.end) - max(start, self.start)

    def longest_free(self, busy: Iterable[tuple[int, int]]) -> int:
        """The longest stretch of the window outside every ``busy`` span (spans apart)."""
        spans = sorted(busy)
        edges = [self.start, *(t for span in spans for t in span), self.end]
        return max(self.overlap(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True))


class DayShifts(Frozen):
    """A carer's shifts on one date of a week, overriding their usual ones; none is a day off."""

    date: dt.date
    shifts: tuple[Shift, ...]

    @model_validator(mode="after")
    def _shifts_apart(self) -> DayShifts:
        object.__setattr__(self, "shifts", _apart(self.shifts))
        return self


class Carer(Frozen):
    """``shifts`` are the carer's usual day; ``shifts_on`` overrides them on given dates of a
    week (``shifts_for`` answers for any date). ``max_working_minutes`` caps a day's paid
    minutes, ``max_weekly_minutes`` the whole scenario's (a week)."""

    id: str
    name: str
    home: Location
    shifts: tuple[Shift, ...]
    skills: frozenset[str] = frozenset()
    gender: Gender | None = None
    travel_mode: TravelMode = TravelMode.CAR
    max_working_minutes: int | None = Field(default=None, gt=0)
    no_go_clients: frozenset[str] = frozenset()
    """Clients this carer will not visit (their own reasons: a dog, a past incident)."""
    max_weekly_minutes: int | None = Field(default=None, gt=0)
    shifts_on: tuple[DayShifts, ...] = ()
    week_minutes_left: int | None = Field(
        default=None,
        description="set while planning a day of a week: the carer's max_weekly_minutes less "
        "the minutes worked on earlier days; max_working_minutes is then at most this",
    )
    break_window: BreakWindow | None = None
    max_overtime_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    """Minutes this carer may be home after a shift's end (a school run: 0); None: the
    settings' ``overtime_minutes``."""

    @model_validator(mode="after")
    def _shifts_apart(self) -> Carer:
        object.__setattr__(self, "shifts", _apart(self.shifts))
        dates = [day.date for day in self.shifts_on]
        if len(set(dates)) < len(dates):
            raise ValueError("two shift overrides for one date")
        object.__setattr__(self, "shifts_on", tuple(sorted(self.shifts_on, key=lambda d: d.date)))
        return self

    def shifts_for(self, date: dt.date) -> tuple[Shift, ...]:
        """The carer's shifts on ``date``: its override if there is one, else the usual ones."""
        return next((day.shifts for day in self.shifts_on if day.date == date), self.shifts)

    def overtime(self, default: int) -> int:
        """Minutes this carer may work past a shift's end, ``default`` unless they say."""
        return default if self.max_overtime_minutes is None else self.max_overtime_minutes

    @property
    def shift_minutes(self) -> int:
        return sum(shift.minutes for shift in self.shifts)


class Client(Frozen):
    id: str
    name: str
    location: Location
    address: str | None = None
    postcode: str | None = None
    preferred_carers: frozenset[str] = frozenset()
    excluded_carers: frozenset[str] = frozenset()
    gender_preference: Gender | None = None
    gender_preference_strength: Strength = Strength.HARD
    week_carers: frozenset[str] | None = Field(
        default=None,
        description="set while planning a week, once the client has seen the week's most "
        "distinct carers: the carers within the cap (when it gives way to every call, all the "
        "client has seen); any other carer costs over_cap_weight a visit where the cap gives "
        "way (Settings.cap_yields), and may not visit where it does not",
    )

    def accepts_gender(self, gender: Gender | None) -> bool:
        """Whether a carer of ``gender`` meets this client's hard gender preference."""
        return (
            self.gender_preference is None
            or self.gender_preference_strength is Strength.SOFT
            or gender == self.gender_preference
        )


def _check_windows(windows: tuple[tuple[int, int], ...], earliest: int, latest: int) -> None:
    if windows[0][0] != earliest or windows[-1][1] != latest:
        raise ValueError("the windows must open at earliest_start and close at latest_start")
    for first, last in windows:
        if last < first:
            raise ValueError("a window closes before it opens")
    for before, after in zip(windows, windows[1:], strict=False):
        if after[0] <= before[1] + 1:
            raise ValueError("windows must be in order with time between them")


class Visit(Frozen):
    """A call at a client's home. ``earliest_start``..``latest_start`` bounds when the care
    starts (the carer may arrive earlier and wait); the call then lasts ``duration``."""

    id: str
    client_id: str
    date: dt.date
    earliest_start: int = Field(ge=0, le=24 * 60)
    latest_start: int = Field(ge=0, le=24 * 60)
    duration: int = Field(gt=0, le=24 * 60)
    carers_required: int = Field(default=1, ge=1, le=2)
    required_skills: frozenset[str] = frozenset()
    second_carer_skills: frozenset[str] | None = None
    """On a double-handed visit, the skills the second carer must hold when they differ from
    the first's (``required_skills``): one trained member and a helper. None: the same."""
    second_carer_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    """On a double-handed visit, how long the second carer stays when not the whole call:
    both start together and the second leaves after this many minutes (two carers for a
    hoist transfer, one to finish the care). None: the whole ``duration``."""
    priority: Priority = Priority.NORMAL
    pinned_carer: str | None = None
    late_tolerance: int | None = Field(default=None, ge=0, le=24 * 60)
    """Minutes the care may start after ``latest_start``, at a price a minute; None: the
    settings' default (``Settings.late_tolerance_minutes``). A critical visit is never late."""
    late_weight: int | None = Field(default=None, ge=0, le=MAX_WEIGHT)
    """That price a minute for this visit (a medication call dearer than a social one);
    None: ``Settings.late_weight``."""
    follows: str | None = None
    """Another call of the same client on the same day that this one keeps its distance
    from (medication spacing, a nurse after the carer): when both are done, this one starts
    ``min_gap`` to ``max_gap`` minutes after that one starts, by another carer if
    ``other_carer``. Either may still be done without the other."""
    min_gap: int = Field(default=0, ge=0, le=24 * 60)
    max_gap: int | None = Field(default=None, ge=0, le=24 * 60)
    other_carer: bool = False
    windows: tuple[tuple[int, int], ...] = ()
    """When the call may start in one of several windows (a lunch call that may instead be
    given late afternoon): each (earliest, latest start), in order and apart, the first
    opening at ``earliest_start`` and the last closing at ``latest_start``. Empty: the one
    window ``earliest_start``..``latest_start``. Lateness counts after the last."""

    @model_validator(mode="after")
    def _window(self) -> Visit:
        if self.latest_start < self.earliest_start:
            raise ValueError("latest start is before earliest start")
        if self.windows:
            _check_windows(self.windows, self.earliest_start, self.latest_start)
        if (self.late_tolerance or self.late_weight is not None) and (
            self.priority is Priority.CRITICAL
        ):
            raise ValueError("a critical visit is never late")
        if self.second_carer_skills is not None and not self.double_handed:
            raise ValueError("second carer skills on a visit for one carer")
        if self.second_carer_minutes is not None and not self.double_handed:
            raise ValueError("second carer minutes on a visit for one carer")
        if (self.second_carer_minutes or 0) > self.duration:
            raise ValueError("the second carer stays longer than the visit lasts")
        if self.follows is None and (self.min_gap or self.max_gap is not None or self.other_carer):
            raise ValueError("a gap or other carer without the call it follows")
        if self.max_gap is not None and self.max_gap < self.min_gap:
            raise ValueError("the most minutes after the call followed are fewer than the least")
        if self.follows is not None and (self.follows == self.id or self.double_handed):
            raise ValueError("a call follows another call for one carer, not itself")
        return self

    @property
    def double_handed(self) -> bool:
        return self.carers_required == 2

    def tolerance(self, default: int) -> int:
        """Minutes this visit may start late, ``default`` unless it gives its own."""
        if self.priority is Priority.CRITICAL:
            return 0
        return default if self.late_tolerance is None else self.late_tolerance

    def late_price(self, default: int) -> int:
        """The cost of a minute late, ``default`` unless the visit gives its own."""
        return default if self.late_weight is None else self.late_weight

    def minutes_late(self, start: int) -> int:
        """How long after its latest start the visit starts at ``start``."""
        return max(0, start - self.latest_start)

    @property
    def closed(self) -> tuple[tuple[int, int], ...]:
        """The spans (first, last minute) between two windows, when the call may not start."""
        return tuple(
            (before[1] + 1, after[0] - 1)
            for before, after in zip(self.windows, self.windows[1:], strict=False)
        )

    @property
    def start_windows(self) -> tuple[tuple[int, int], ...]:
        """Every window (earliest, latest start), the one window included."""
        return self.windows or ((self.earliest_start, self.latest_start),)

    def starts_in_window(self, start: int, default: int) -> bool:
        """Whether a start keeps the windows, the tolerance after the last included."""
        return self.opening(start, default) == start

    def opening(self, time: int, default: int) -> int | None:
        """The first start at or after ``time`` the windows allow (the tolerance after the
        last included); None past them."""
        start = max(time, self.earliest_start)
        for first, last in self.closed:
            if first <= start <= last:
                start = last + 1
        return start if start <= self.latest_allowed(default) else None

    def latest_allowed(self, default: int) -> int:
        """The latest start that keeps the rules: ``latest_start`` plus the tolerance."""
        return min(24 * 60, self.latest_start + self.tolerance(default))

    @property
    def roles(self) -> tuple[frozenset[str], ...]:
        """The skills each attending carer must hold, one entry per carer required."""
        if not self.double_handed:
            return (self.required_skills,)
        second = (
            self.required_skills if self.second_carer_skills is None else self.second_carer_skills
        )
        return (self.required_skills, second)

    @property
    def lengths(self) -> tuple[int, ...]:
        """The minutes each attending carer stays, one entry per role (``roles``)."""
        if not self.double_handed:
            return (self.duration,)
        return (self.duration, self.second_carer_minutes or self.duration)

    def stay(self, minutes: int) -> int:
        """How long a carer whose stop lasts ``minutes`` stays: that, where it is one of the
        visit's lengths (a second carer leaving early), else the whole call."""
        return minutes if minutes in self.lengths else self.duration

    @property
    def care_minutes(self) -> int:
        """Carer minutes the visit takes, every attending carer's together."""
        return sum(self.lengths)

    def lengths_of(self, skills: tuple[frozenset[str], ...]) -> tuple[int, ...]:
        """The minutes each of the carers holding ``skills`` (one set per carer, in order)
        stays: the carer filling the first role the whole call, the first listed where
        either could; the whole call for each where the carers cannot fill both roles."""
        if len(skills) != 2 or not self.double_handed or not self.staffed_by(skills):
            return (self.duration,) * len(skills)
        whole, part = self.lengths
        first, second = self.roles
        return (whole, part) if first <= skills[0] and second <= skills[1] else (part, whole)

    def role_for(
        self, skills: frozenset[str], partner_skills: frozenset[str] | None = None
    ) -> frozenset[str]:
        """The role (skills) a carer holding ``skills`` fills beside a partner holding
        ``partner_skills``: the first when that leaves the partner one they hold."""
        if not self.double_handed:
            return self.roles[0]
        first, second = self.roles
        partner_fits = partner_skills is None or second <= partner_skills
        return first if first <= skills and partner_fits else second

    def staffed_by(self, skills: tuple[frozenset[str], ...]) -> bool:
        """Whether carers holding ``skills`` (one set per carer) can fill every role."""
        if len(skills) != len(self.roles):
            return False
        if len(skills) == 1:
            return self.roles[0] <= skills[0]
        first, second = self.roles
        return (first <= skills[0] and second <= skills[1]) or (
            first <= skills[1] and second <= skills[0]
        )


class HistoryEntry(Frozen):
    """A past visit by a carer to a client, kept for continuity of care."""

    client_id: str
    carer_id: str
    date: dt.date


class Scenario(Frozen):
    """One day to plan: the carers on shift, the clients and their visits, and past history.
    Visits on several dates make a week (see ``scheduler.planning.week``); ``date`` is then the
    first.

    Built by ``scheduler.io.scenario`` after every cross-reference has been checked, so code
    downstream may look ids up without guarding.
    """

    name: str
    date: dt.date
    carers: tuple[Carer, ...]
    clients: tuple[Client, ...]
    visits: tuple[Visit, ...]
    history: tuple[HistoryEntry, ...] = ()
    skills: frozenset[str] = frozenset()

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Scenario:
        """A copy whose id lookups are built afresh: pydantic would copy the cached ones,
        which then answer for the old carers, clients and visits."""
        copy = super().model_copy(update=update, deep=deep)
        for lookup in ("carer_by_id", "client_by_id", "visit_by_id"):
            copy.__dict__.pop(lookup, None)
        return copy

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The distinct dates of the visits in order (``date`` alone when there are none)."""
        return tuple(sorted({visit.date for visit in self.visits})) or (self.date,)

    @cached_property
    def carer_by_id(self) -> dict[str, Carer]:
        return {carer.id: carer for carer in self.carers}

    @cached_property
    def client_by_id(self) -> dict[str, Client]:
        return {client.id: client for client in self.clients}

    @cached_property
    def visit_by_id(self) -> dict[str, Visit]:
        return {visit.id: visit for visit in self.visits}
