"""Why a visit cannot be covered, in words a coordinator acts on.

Computed by checking the visit against every carer, one rule after another, so the reason
names the rule that actually ruled the last carers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from routing.diagnose import Blocker
from scheduler.model.care import Carer, Client, Scenario, Visit
from scheduler.model.clock import format_windows
from scheduler.model.codes import ReasonCode

__all__ = ["Reason", "capacity_reason", "no_plan_reason", "staffable", "suitable_carers"]


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str


LegMinutes = Callable[[Carer, Client], tuple[int, int]]
"""(minutes from the carer's home to the client, minutes back home)."""


def _fits_a_shift(
    carer: Carer, visit: Visit, legs: tuple[int, int], tolerance: int, overtime: int
) -> bool:
    out, back = legs
    extra = carer.overtime(overtime)
    for shift in carer.shifts:
        start = visit.opening(shift.start + out, tolerance)
        if start is not None and start + visit.duration + back <= shift.end + extra:
            if carer.max_working_minutes is None:
                return True
            if start + visit.duration + back - (start - out) <= carer.max_working_minutes:
                return True
    return False


def suitable_carers(
    scenario: Scenario,
    visit: Visit,
    legs: LegMinutes,
    cap_yields: bool = False,
    tolerance: int = 0,
    overtime: int = 0,
) -> tuple[tuple[Carer, ...], Reason | None]:
    """The carers who could do ``visit`` on their own timetable, and, when there are fewer than
    the visit needs, the reason. With ``cap_yields`` (``Settings.cap_yields``) the client's
    weekly cap on distinct carers does not rule a carer out: the solver prices it instead.
    ``tolerance``: the settings' minutes a visit may start late (``Visit.tolerance``);
    ``overtime``: minutes a carer may be home after a shift's end, unless the carer says
    (``Carer.max_overtime_minutes``)."""
    client = scenario.client_by_id[visit.client_id]
    carers: tuple[Carer, ...] = scenario.carers
    window = format_windows(visit.start_windows)
    pinned = Reason("pinned_carer_unavailable", f"pinned to {visit.pinned_carer}, who cannot do it")
    rules: list[tuple[Callable[[Carer], bool], Reason]] = [
        # First: a role nobody holds is the reason, whoever the visit is pinned to.
        (lambda c: any(role <= c.skills for role in visit.roles), _skills_reason(visit, carers)),
        (
            # A double-handed visit pinned to one carer has that carer as one of its two.
            lambda c: (
                visit.pinned_carer is None or visit.double_handed or c.id == visit.pinned_carer
            ),
            pinned,
        ),
        (
            lambda c: c.id not in client.excluded_carers and client.id not in c.no_go_clients,
            Reason(
                "client_excludes_carers",
                "the client excludes, or will not be visited by, every carer with the skills",
            ),
        ),
        (
            lambda c: client.accepts_gender(c.gender),
            Reason(
                "gender_preference",
                f"no suitable carer is {client.gender_preference}, as the client asks",
            ),
        ),
        (
            lambda c: _fits_a_shift(c, visit, legs(c, client), tolerance, overtime),
            Reason("no_carer_on_shift", f"no suitable carer is on shift to start in {window}"),
        ),
        # Last: the carers the week's cap leaves are often simply off that day, and saying
        # so names the rule that matters, not the shifts.
        (
            lambda c: cap_yields or client.week_carers is None or c.id in client.week_carers,
            Reason(
                "weekly_carer_cap",
                f"the client has seen {len(client.week_carers or ())} carers this week, the "
                f"most allowed, and none of them can start it in {window}",
            ),
        ),
    ]
    if len(carers) < visit.carers_required:  # before any rule: no rule is to blame
        return carers, Reason(
            "no_carer_on_shift",
            "no carer is on duty that day"
            if not carers
            else f"needs {visit.carers_required} carers; only {len(carers)} is on duty that day",
        )
    for rule, reason in rules:
        kept = tuple(carer for carer in carers if rule(carer))
        if not staffable(visit, kept):
            if visit.double_handed and kept and reason.code == "weekly_carer_cap":
                return kept, Reason(
                    reason.code,
                    f"needs two carers; the client has seen {len(client.week_carers or ())} "
                    "carers this week, the most allowed, and only one of them can start it in "
                    f"{window}",
                )
            unfilled = [role for role in visit.roles if not any(role <= c.skills for c in kept)]
            if visit.double_handed and kept and unfilled:  # roles differ: one role is unfilled
                if reason.code == "no_skilled_carer":
                    return kept, reason
                return kept, Reason(
                    reason.code,
                    f"{reason.text}, among those with the skills {_listed(unfilled[0])}",
                )
            if visit.double_handed and kept:
                return kept, Reason(
                    "no_pair", f"needs two carers; {reason.text.replace('no ', 'only one ', 1)}"
                )
            return kept, reason
        carers = kept
    if visit.pinned_carer is not None and not staffable(visit, carers, visit.pinned_carer):
        return carers, pinned
    return carers, None


def staffable(visit: Visit, carers: tuple[Carer, ...], pinned: str | None = None) -> bool:
    """Whether ``carers`` can fill every role of ``visit`` (``Visit.roles``), different carers
    for the two of a double-handed visit; with ``pinned``, that carer among them."""
    if pinned is not None and pinned not in {c.id for c in carers}:
        return False
    if not visit.double_handed:
        return any(visit.roles[0] <= c.skills for c in carers)
    first, second = visit.roles
    firsts = {c.id for c in carers if first <= c.skills}
    seconds = {c.id for c in carers if second <= c.skills}
    if pinned is not None:
        return (pinned in firsts and bool(seconds - {pinned})) or (
            pinned in seconds and bool(firsts - {pinned})
        )
    return bool(firsts) and bool(seconds) and len(firsts | seconds) >= 2


def _skills_reason(visit: Visit, carers: tuple[Carer, ...]) -> Reason:
    """Why the skills leave no one to do ``visit``: the role nobody holds, or for a pair whose
    roles only one carer can fill, that."""
    for n, role in enumerate(visit.roles):
        if not any(role <= c.skills for c in carers):
            whose = (
                " for the second carer" if n == 1 and visit.second_carer_skills is not None else ""
            )
            return Reason("no_skilled_carer", f"no carer has the skills {_listed(role)}{whose}")
    return Reason("no_skilled_carer", f"no carer has the skills {_listed(visit.roles[0])}")


def _listed(skills: frozenset[str]) -> str:
    return ", ".join(sorted(skills))


def _ids(carers: list[str]) -> str:
    shown = ", ".join(sorted(carers)[:3])
    return shown + (f" and {len(carers) - 3} more" if len(carers) > 3 else "")


def capacity_reason(scenario: Scenario, visit: Visit, blocked: Mapping[str, Blocker]) -> Reason:
    """For a visit some carers could do but the optimised day left out: the rule that keeps it
    from each suitable carer's runs (``blocked``, carer id -> ``routing.diagnose.Blocker``),
    named by the rule that would have to give for the visit to be covered."""
    need = visit.carers_required
    by: dict[Blocker, list[str]] = defaultdict(list)
    for carer_id, blocker in blocked.items():
        by[blocker].append(carer_id)
    free = by[Blocker.FITS] + by[Blocker.UNSEARCHED]
    if len(free) >= need and not visit.double_handed:
        return Reason(
            "not_searched",
            f"{_ids(free)} could still take it: the search ran out of time before placing "
            "it; try a longer time limit",
        )
    if len(free) + len(by[Blocker.SPAN]) >= need and by[Blocker.SPAN]:
        capped = by[Blocker.SPAN]
        weekly = all(
            scenario.carer_by_id[c].week_minutes_left == scenario.carer_by_id[c].max_working_minutes
            for c in capped
        )
        limits = ", ".join(
            f"{c} {scenario.carer_by_id[c].max_working_minutes} min" for c in sorted(capped)[:3]
        )
        if weekly:
            return Reason(
                "weekly_time_cap",
                f"{_ids(capped)} could fit it in but would pass the minutes left of their "
                f"week ({limits})",
            )
        return Reason(
            "working_time_cap",
            f"{_ids(capped)} could fit it in but would pass their working time for the day "
            f"({limits})",
        )
    if len(free) + len(by[Blocker.SPAN]) + len(by[Blocker.BREAK]) >= need and by[Blocker.BREAK]:
        return Reason(
            "no_room_for_break",
            f"{_ids(by[Blocker.BREAK])} could fit it in but would then have no room for "
            "their break",
        )
    lagged = by[Blocker.LAG]
    if len(free) + len(by[Blocker.SPAN]) + len(by[Blocker.BREAK]) + len(lagged) >= need and lagged:
        return Reason(
            "gap_not_kept", f"{_ids(lagged)} could fit it in, but not {_gaps(scenario, visit)}"
        )
    suitable = len(blocked)
    if visit.double_handed:
        return Reason(
            "no_free_pair",
            f"no two of the {suitable} suitable carers are free together in its window",
        )
    return Reason(
        "no_capacity", f"all {suitable} suitable carers are busy with other calls in its window"
    )


def _gap(visit: Visit) -> str:
    """``visit``'s gap from the call it follows, in words."""
    span = (
        f"at least {visit.min_gap}"
        if visit.max_gap is None
        else f"{visit.min_gap} to {visit.max_gap}"
    )
    who = ", by another carer" if visit.other_carer else ""
    return f"{span} min after {visit.follows} starts{who}"


def _gaps(scenario: Scenario, visit: Visit) -> str:
    """The gaps ``visit`` must keep with the client's other calls (``Visit.follows``)."""
    rules = [f"starting {_gap(visit)}"] if visit.follows is not None else []
    rules += [
        f"with {other.id} starting {_gap(other).replace(f'after {visit.id}', 'after it')}"
        for other in scenario.visits
        if other.follows == visit.id
    ]
    return " or ".join(rules)


def no_plan_reason() -> Reason:
    return Reason(
        "no_plan", "the solver found no plan in the time allowed; try a longer time limit"
    )
