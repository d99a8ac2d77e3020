"""Released care hours: an optimised rota against a manual or baseline one, on the same visits.

A rota's non-contact paid time is what it pays carers for besides care: travel and the waiting
gaps inside their runs (the unpaid break excluded). Released hours on a day are the other
rota's non-contact hours less the optimised one's, counted only when the optimised day covers
at least as many visits as the other, every critical visit the other covers, and its familiar
share is at most ``CompareSettings.continuity_tolerance`` below the other's: hours "released"
by dropping care or by sending strangers are not released. (Covering a different normal visit
in place of one the other covers is care delivered all the same; a visit done by a carer who
may not do it, ``scheduler.analysis.manual.WRONG_CARER``, is not covered at all.) A week's released
hours are the sum of its counted days; days not counted are listed with the reason.

Pure arithmetic over plans: nothing here solves or reads files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from scheduler.analysis.manual import Breach, wrong_carer_visits
from scheduler.analysis.metrics import week_figures
from scheduler.model.base import Frozen
from scheduler.model.care import Priority, Scenario
from scheduler.model.plan import Plan, WeekPlan
from scheduler.model.settings import Settings

__all__ = [
    "DaySummary",
    "Released",
    "ReleasedDay",
    "RotaSummary",
    "continuity_kept",
    "released_hours",
    "summarise",
]


class DaySummary(Frozen):
    date: dt.date
    visits: int
    visits_covered: int
    covered_ids: frozenset[str]
    critical_ids: frozenset[str]
    """The critical visits among those covered."""
    contact_minutes: int
    travel_minutes: int
    waiting_minutes: int
    paid_minutes: int
    travel_km: float
    familiar_share: float

    @property
    def non_contact_minutes(self) -> int:
        """Paid time not spent with clients: travel and waiting."""
        return self.travel_minutes + self.waiting_minutes


class RotaSummary(Frozen):
    """One rota's figures over the scenario's dates (a day or a week)."""

    name: str
    days: tuple[DaySummary, ...]
    visits: int
    visits_covered: int
    contact_minutes: int
    travel_minutes: int
    waiting_minutes: int
    paid_minutes: int
    travel_km: float
    utilisation: float
    familiar_share: float
    distinct_carers_per_client: float
    breaches: int = 0
    """Hard rules the rota breaks (a manual rota may; an optimised one never does)."""
    breach_list: tuple[Breach, ...] = ()
    """Those rules, each with its visit, carer and minutes where they apply."""
    visits_by_wrong_carer: int = 0
    """Visits done by a carer who may not do them, left out of ``visits_covered``."""
    late_calls: int = 0
    """Visits covered that start after their latest start (within their tolerance)."""
    late_minutes: int = 0

    @property
    def missed_calls(self) -> int:
        return self.visits - self.visits_covered


def summarise(
    name: str,
    scenario: Scenario,
    plans: Sequence[Plan],
    settings: Settings,
    breaches: Sequence[Breach] = (),
) -> RotaSummary:
    """The figures of ``plans`` (one per date, in date order), each day judged with the days
    before it as history, as ``scheduler.planning.week`` does; a visit ``breaches`` say was done
    by a carer who may not do it counts as not covered."""
    figures = week_figures(
        scenario, WeekPlan(scenario=scenario.name, settings=settings, days=tuple(plans))
    )
    wrong = wrong_carer_visits(breaches)
    covered = [
        frozenset(stop.visit_id for run in plan.runs for stop in run.stops) - wrong
        for plan in plans
    ]
    days = tuple(
        DaySummary(
            date=plan.date,
            visits=day.visits,
            visits_covered=len(ids),
            covered_ids=ids,
            critical_ids=frozenset(
                visit_id
                for visit_id in ids
                if scenario.visit_by_id[visit_id].priority is Priority.CRITICAL
            ),
            contact_minutes=day.contact_minutes,
            travel_minutes=day.travel_minutes,
            waiting_minutes=day.waiting_minutes,
            paid_minutes=day.paid_minutes,
            travel_km=day.travel_km,
            familiar_share=day.familiar_share,
        )
        for plan, day, ids in zip(plans, figures.days, covered, strict=True)
    )
    contact = sum(d.contact_minutes for d in days)
    paid = sum(d.paid_minutes for d in days)
    return RotaSummary(
        name=name,
        days=days,
        visits=figures.visits,
        visits_covered=sum(d.visits_covered for d in days),
        contact_minutes=contact,
        travel_minutes=figures.travel_minutes,
        waiting_minutes=sum(d.waiting_minutes for d in days),
        paid_minutes=paid,
        travel_km=round(sum(d.travel_km for d in days), 1),
        utilisation=round(contact / paid, 4) if paid else 0.0,
        familiar_share=figures.familiar_share,
        distinct_carers_per_client=figures.distinct_carers_per_client,
        breaches=len(breaches),
        breach_list=tuple(breaches),
        visits_by_wrong_carer=len(wrong),
        late_calls=sum(day.late_calls for day in figures.days),
        late_minutes=sum(day.late_minutes for day in figures.days),
    )


class ReleasedDay(Frozen):
    date: dt.date
    hours: float
    """The other rota's non-contact hours less the optimised one's (negative: more)."""
    counted: bool
    why_not: str | None = None


class Released(Frozen):
    """What the optimised rota releases against ``against``."""

    against: str
    days: tuple[ReleasedDay, ...]
    hours: float
    """Sum over the counted days."""
    km_saved: float
    """Over the counted days."""
    mileage_saving: float
    currency: str


def continuity_kept(other: float, optimised: float, tolerance: float) -> bool:
    """Whether the familiar share ``optimised`` is at most ``tolerance`` below ``other``
    (shares as ``metrics`` rounds them, compared to that precision: 0.57 is within 0.05 of
    0.62, which floating point alone would deny)."""
    return round(other - optimised, 4) <= tolerance


def _why_not(name: str, other: DaySummary, optimised: DaySummary, tolerance: float) -> str | None:
    if optimised.visits_covered < other.visits_covered:
        return (
            f"the optimised rota covers {optimised.visits_covered} visits, the {name} "
            f"{other.visits_covered}"
        )
    critical = other.critical_ids - optimised.covered_ids
    if critical:
        return f"the optimised rota leaves out {len(critical)} critical visit(s) the {name} covers"
    if not continuity_kept(other.familiar_share, optimised.familiar_share, tolerance):
        return (
            f"familiar share {optimised.familiar_share:.0%} against "
            f"{other.familiar_share:.0%}, below the {tolerance:.0%} tolerance"
        )
    return None


def released_hours(
    other: RotaSummary,
    optimised: RotaSummary,
    settings: Settings,
    not_counted: str | None = None,
) -> Released:
    """Hours and mileage the optimised rota releases against ``other``, day by day; with
    ``not_counted``, the reason no day counts (``domcare compare``: the optimised rota could
    not be planned to ``other``'s continuity)."""
    rules = settings.compare
    if [d.date for d in other.days] != [d.date for d in optimised.days]:
        raise ValueError("the two rotas must cover the same dates")
    days, hours, km = [], 0.0, 0.0
    for theirs, ours in zip(other.days, optimised.days, strict=True):
        why = not_counted or _why_not(other.name, theirs, ours, rules.continuity_tolerance)
        day_hours = round((theirs.non_contact_minutes - ours.non_contact_minutes) / 60, 2)
        days.append(
            ReleasedDay(
                date=ours.date,
                hours=day_hours,
                counted=why is None,
                why_not=why,
            )
        )
        if why is None:
            hours += day_hours
            km += theirs.travel_km - ours.travel_km
    return Released(
        against=other.name,
        days=tuple(days),
        hours=round(hours, 2),
        km_saved=round(km, 1),
        mileage_saving=round(km * rules.mileage_rate_per_km, 2),
        currency=rules.currency,
    )
