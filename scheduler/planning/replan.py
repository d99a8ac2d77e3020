"""Re-plan a day under way: follow what happened, change as little of the rota as possible.

A fresh solve after a carer rings in sick reshuffles the rota: measured on a 280-visit day
with two carers off at 11:00, 30-59 % of the calls nobody asked to change went to another
carer, each a phone call to a carer and a client. Here the day is searched from the plan
itself (``scheduler.planning.day.solve_warm``): calls begun before ``at`` are history, each
carer goes on from where they are, and a planned call changes carer or time only at
``Settings.replan``'s price, which the orphans and new calls outweigh where they fit. The
events become the day as it now stands (``scheduler.planning.history``).
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.haversine import HaversineTravel
from routing.problem import ProgressCallback
from routing.travel import TravelTimes
from scheduler.io.travel import travel_spec
from scheduler.model.care import Scenario
from scheduler.model.events import Event, VisitAdded, VisitCancelled, VisitChanged
from scheduler.model.plan import Plan
from scheduler.model.settings import Settings
from scheduler.planning.day import solve_day, solve_warm
from scheduler.planning.history import afresh_day, follow_events, orphans

__all__ = ["Replanned", "replan_day"]


@dataclass(frozen=True)
class Replanned:
    """The day as it now stands, its new plan, and the plan it was made from."""

    scenario: Scenario
    plan: Plan
    before: Plan
    at: int
    begun: dict[str, int]
    """Visit id -> start, of the calls begun before ``at``: history, kept."""
    orphans: frozenset[str]
    """Planned calls not begun whose carer (or one of two) can no longer make them."""
    added: frozenset[str]
    changed: frozenset[str]
    cancelled: frozenset[str]


def replan_day(
    scenario: Scenario,
    plan: Plan,
    events: tuple[Event, ...],
    at: int,
    settings: Settings | None = None,
    travel: TravelTimes | None = None,
    on_progress: ProgressCallback | None = None,
    afresh: bool = False,
) -> Replanned:
    """Plan the rest of ``plan``'s day again at ``at`` (minutes) after ``events``. The new
    plan is unchecked: check it against ``Replanned.scenario``, the day as it now stands.
    ``afresh``: plan the rest of the day from nothing (the begun calls kept), as a fresh
    solve would: what ``benchmarks.replan`` measures a re-plan against."""
    settings = settings or plan.settings
    travel = travel or HaversineTravel(settings.travel)
    day, warm = follow_events(scenario, plan, events, at, travel)
    if afresh:
        day = afresh_day(day, warm)
        new = solve_day(day, settings, travel, on_progress)
    else:
        new = solve_warm(day, warm, settings, travel, on_progress)
    new = new.model_copy(update={"travel": travel_spec(travel)})
    return Replanned(
        day,
        new,
        plan,
        at,
        dict(warm.begun),
        orphans(day, warm),
        frozenset(e.visit.id for e in events if isinstance(e, VisitAdded)),
        frozenset(e.visit_id for e in events if isinstance(e, VisitChanged)),
        frozenset(e.visit_id for e in events if isinstance(e, VisitCancelled)),
    )
