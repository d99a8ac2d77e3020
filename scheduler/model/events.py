"""What happened during the day that a rota must follow: the events of a re-plan.

A coordinator's hardest hour is the morning call: a carer off sick, a visit cancelled, a
discharge adding calls. Each event here is one such fact, located in the file it came from
(``file``, ``row``: a spreadsheet row, or None for a JSON list whose place is in ``file``) so
that whatever cannot be followed is reported where the coordinator wrote it. Times are
minutes after midnight, as everywhere in the domain.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from scheduler.model.base import Frozen
from scheduler.model.care import Client, Visit
from scheduler.model.plan import Plan

__all__ = [
    "EVENT_KINDS",
    "CarerLate",
    "CarerOff",
    "ClientAdded",
    "Event",
    "VisitAdded",
    "VisitCancelled",
    "VisitChanged",
    "VisitDone",
    "off_at",
    "started_by",
]

_DAY = 24 * 60


class _Located(Frozen):
    file: str = "events.csv"
    row: int | None = None


class CarerOff(_Located):
    """The carer works no more from ``start`` (to ``end``, or for the rest of the day): a
    call of theirs not started by then goes to someone else, and a shift they were on ends
    when they went off (or when they got home from the call in hand, if later)."""

    carer_id: str
    start: int = Field(ge=0, le=_DAY)
    end: int | None = Field(default=None, ge=0, le=_DAY)

    @model_validator(mode="after")
    def _ordered(self) -> CarerOff:
        if self.end is not None and self.end <= self.start:
            raise ValueError("a carer's time off must end after it starts")
        return self


class CarerLate(_Located):
    """The carer, not yet on a call, starts late: no call before ``start`` (or their next
    shift's start, if later) plus ``minutes``. A carer already on their calls is late by
    the call in hand: its real end is a ``VisitDone``."""

    carer_id: str
    start: int = Field(ge=0, le=_DAY)
    minutes: int = Field(gt=0, le=_DAY)


class ClientAdded(_Located):
    """A new client (a clients.csv row), for the calls a discharge adds."""

    client: Client


class VisitCancelled(_Located):
    visit_id: str


class VisitAdded(_Located):
    """A new call (a visits.csv row) for a client of the scenario, or one added before."""

    visit: Visit


class VisitChanged(_Located):
    """New values for a call not yet started; None keeps the planned value."""

    visit_id: str
    earliest_start: int | None = Field(default=None, ge=0, le=_DAY)
    latest_start: int | None = Field(default=None, ge=0, le=_DAY)
    duration: int | None = Field(default=None, gt=0, le=_DAY)
    carers_required: int | None = Field(default=None, ge=1, le=2)


class VisitDone(_Located):
    """A call made, with its real start and end: the rota follows what really happened."""

    visit_id: str
    start: int = Field(ge=0, le=_DAY)
    end: int = Field(ge=0, le=_DAY)

    @model_validator(mode="after")
    def _ordered(self) -> VisitDone:
        if self.end <= self.start:
            raise ValueError("a call must end after it starts")
        return self


Event = CarerOff | CarerLate | ClientAdded | VisitCancelled | VisitAdded | VisitChanged | VisitDone

EVENT_KINDS: dict[str, type[Event]] = {
    "carer_off": CarerOff,
    "carer_late": CarerLate,
    "client_added": ClientAdded,
    "visit_cancelled": VisitCancelled,
    "visit_added": VisitAdded,
    "visit_changed": VisitChanged,
    "visit_done": VisitDone,
}
"""The ``event`` column's values, and the fact each names."""


def off_at(events: tuple[Event, ...] | list[Event], carer_id: str, time: int) -> bool:
    """Whether ``carer_id`` is off at ``time`` (a ``CarerOff`` span holds it)."""
    return any(
        isinstance(e, CarerOff)
        and e.carer_id == carer_id
        and e.start <= time < (_DAY + 1 if e.end is None else e.end)
        for e in events
    )


def started_by(plan: Plan, events: tuple[Event, ...] | list[Event], at: int) -> dict[str, int]:
    """Visit id -> start, for each call begun before ``at``: as done (``VisitDone``), or as
    planned when every carer of it was at work then. These are history: a re-plan keeps them."""
    begun: dict[str, int] = {}
    held: set[str] = set()
    for run in plan.runs:
        for stop in run.stops:
            if stop.start >= at:
                continue
            if off_at(events, run.carer_id, stop.start):
                held.add(stop.visit_id)
            begun[stop.visit_id] = stop.start
    begun = {visit: start for visit, start in begun.items() if visit not in held}
    begun.update({e.visit_id: e.start for e in events if isinstance(e, VisitDone)})
    return begun
