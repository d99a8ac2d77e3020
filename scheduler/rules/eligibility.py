"""Why a visit cannot be covered, in words a coordinator acts on.

Computed by checking the visit against every carer, one rule after another, so the reason
names the rule that actually ruled the last carers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.diagnose import Blocker
from routing.travel import UNREACHABLE_MINUTES
from scheduler.model.care import Carer, Client, Scenario, Visit
from scheduler.model.clock import format_windows
from scheduler.model.codes import ReasonCode
from scheduler.rules.journeys import Journeys

__all__ = ["Eligibility", "Reason", "capacity_reason", "no_plan_reason", "staffable"]


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str


_NO_LIMIT = 10**9
"""A working-time limit no day reaches (a carer without one)."""


class Eligibility:
    """The day's static rules asked of every carer at once: built once per day, asked per
    visit. A 3000-visit day with 720 carers asks two million carer-visit questions; one at a
    time in Python they took 14 s of a 10 s limit, as arrays well under a second.

    ``tolerance``: the settings' minutes a visit may start late (``Visit.tolerance``);
    ``overtime``: minutes a carer may be home after a shift's end, unless the carer says
    (``Carer.max_overtime_minutes``)."""

    def __init__(
        self, scenario: Scenario, journeys: Journeys, tolerance: int = 0, overtime: int = 0
    ):
        self.scenario = scenario
        self.tolerance = tolerance
        carers = scenario.carers
        self._index = {carer.id: k for k, carer in enumerate(carers)}
        self._skill_sets = list(dict.fromkeys(carer.skills for carer in carers))
        self._skills_of = np.array(
            [self._skill_sets.index(carer.skills) for carer in carers], dtype=np.int64
        )
        self._genders = list(dict.fromkeys(carer.gender for carer in carers))
        self._gender_of = np.array(
            [self._genders.index(carer.gender) for carer in carers], dtype=np.int64
        )
        self._no_go: dict[str, list[int]] = defaultdict(list)
        for k, carer in enumerate(carers):
            for client_id in carer.no_go_clients:
                self._no_go[client_id].append(k)
        shifts = [(k, carer, shift) for k, carer in enumerate(carers) for shift in carer.shifts]
        self._shift_carer = np.array([k for k, _, _ in shifts], dtype=np.int64)
        self._shift_start = np.array([shift.start for _, _, shift in shifts], dtype=np.int64)
        self._shift_end = np.array(
            [shift.end + carer.overtime(overtime) for _, carer, shift in shifts], dtype=np.int64
        )
        self._shift_work = np.array(
            [
                _NO_LIMIT if carer.max_working_minutes is None else carer.max_working_minutes
                for _, carer, _ in shifts
            ],
            dtype=np.int64,
        )
        homes = np.array([journeys.home_place[carer.id] for carer in carers], dtype=np.int64)
        self._legs = [
            (journeys.minutes[mode], who, homes[who])
            for mode in sorted({carer.travel_mode for carer in carers})
            for who in [
                np.array(
                    [k for k, carer in enumerate(carers) if carer.travel_mode == mode],
                    dtype=np.int64,
                )
            ]
        ]
        self._client_place = journeys.client_place

    def _on_shift(self, visit: Visit) -> npt.NDArray[np.bool_]:
        """Carers who could travel from home, start ``visit`` inside its windows and be home
        within one of their shifts (overtime included) and their working-time limit."""
        count = len(self.scenario.carers)
        there = self._client_place[visit.client_id]
        out = np.zeros(count, dtype=np.int64)
        back = np.zeros(count, dtype=np.int64)
        for matrix, who, homes in self._legs:
            out[who] = matrix[homes, there]
            back[who] = matrix[there, homes]
        out_s, back_s = out[self._shift_carer], back[self._shift_carer]
        start = np.maximum(self._shift_start + out_s, visit.earliest_start)
        for first, last in visit.closed:  # in order: a start between two windows waits
            start = np.where((start >= first) & (start <= last), last + 1, start)
        stays = min(visit.lengths)  # a second carer leaving early may fit where the first not
        ok = (
            (start <= visit.latest_allowed(self.tolerance))
            & (start + stays + back_s <= self._shift_end)
            & (out_s + stays + back_s <= self._shift_work)
        )
        able = np.zeros(count, dtype=bool)
        able[self._shift_carer[ok]] = True
        return able

    def _reachable(self, visit: Visit) -> npt.NDArray[np.bool_]:
        """Carers with a route from home to the client and back by their way of travel."""
        there = self._client_place[visit.client_id]
        able = np.zeros(len(self.scenario.carers), dtype=bool)
        for matrix, who, homes in self._legs:
            able[who] = (matrix[homes, there] < UNREACHABLE_MINUTES) & (
                matrix[there, homes] < UNREACHABLE_MINUTES
            )
        return able

    def _among(self, ids: Iterable[str]) -> npt.NDArray[np.bool_]:
        mask = np.zeros(len(self.scenario.carers), dtype=bool)
        mask[[self._index[i] for i in ids if i in self._index]] = True
        return mask

    def suitable(
        self, visit: Visit, cap_yields: bool = False
    ) -> tuple[tuple[Carer, ...], Reason | None]:
        """The carers who could do ``visit`` on their own timetable, and, when there are fewer
        than the visit needs, the reason: the rule that ruled the last carers out, the rules
        taken in the order below. With ``cap_yields`` (``Settings.cap_yields``) the client's
        weekly cap on distinct carers does not rule a carer out: the solver prices it."""
        scenario = self.scenario
        client = scenario.client_by_id[visit.client_id]
        carers: tuple[Carer, ...] = scenario.carers
        if len(carers) < visit.carers_required:  # before any rule: no rule is to blame
            return carers, Reason(
                "no_carer_on_shift",
                "no carer is on duty that day"
                if not carers
                else f"needs {visit.carers_required} carers; only {len(carers)} is on duty "
                "that day",
            )
        window = format_windows(visit.start_windows)
        everyone = np.ones(len(carers), dtype=bool)
        held = np.array([any(role <= s for role in visit.roles) for s in self._skill_sets])
        accepted = np.array([client.accepts_gender(g) for g in self._genders])
        barred = self._among(client.excluded_carers)
        barred[self._no_go.get(client.id, [])] = True
        rules: list[tuple[npt.NDArray[np.bool_], Callable[[], Reason]]] = [
            # First: a role nobody holds is the reason, whoever the visit is pinned to.
            (held[self._skills_of], lambda: _skills_reason(visit, carers)),
            (
                # A double-handed visit pinned to one carer has that carer as one of its two.
                everyone
                if visit.pinned_carer is None or visit.double_handed
                else self._among([visit.pinned_carer]),
                lambda: _pinned(visit),
            ),
            (
                ~barred,
                lambda: Reason(
                    "client_excludes_carers",
                    "the client excludes, or will not be visited by, every carer with the skills",
                ),
            ),
            (
                accepted[self._gender_of],
                lambda: Reason(
                    "gender_preference",
                    f"no suitable carer is {client.gender_preference}, as the client asks",
                ),
            ),
            (
                self._reachable(visit),
                lambda: Reason(
                    "unreachable",
                    "no route joins the client to the home of any suitable carer by their way "
                    "of travel",
                ),
            ),
            (
                self._on_shift(visit),
                lambda: Reason(
                    "no_carer_on_shift", f"no suitable carer is on shift to start in {window}"
                ),
            ),
            # Last: the carers the week's cap leaves are often simply off that day, and saying
            # so names the rule that matters, not the shifts.
            (
                everyone
                if cap_yields or client.week_carers is None
                else self._among(client.week_carers),
                lambda: Reason(
                    "weekly_carer_cap",
                    f"the client has seen {len(client.week_carers or ())} carers this week, "
                    f"the most allowed, and none of them can start it in {window}",
                ),
            ),
        ]
        every_rule = np.logical_and.reduce([mask for mask, _ in rules])
        kept = tuple(carers[k] for k in np.flatnonzero(every_rule))
        if staffable(visit, kept):  # then so is every rule's share (more carers): no reason
            if visit.pinned_carer is not None and not staffable(visit, kept, visit.pinned_carer):
                return kept, _pinned(visit)
            return kept, None
        # The rules together leave too few (the last share below): the first that does binds.
        shares = [
            tuple(carers[k] for k in np.flatnonzero(left))
            for left in np.logical_and.accumulate([mask for mask, _ in rules])
        ]
        binding = next(n for n, share in enumerate(shares) if not staffable(visit, share))
        return shares[binding], _refusal(
            visit, client, shares[binding], rules[binding][1](), window
        )


def _pinned(visit: Visit) -> Reason:
    return Reason("pinned_carer_unavailable", f"pinned to {visit.pinned_carer}, who cannot do it")


def _refusal(
    visit: Visit, client: Client, kept: tuple[Carer, ...], reason: Reason, window: str
) -> Reason:
    """``reason`` (the rule that left too few carers) as said of ``visit``: for a pair, which
    of its two places is unfilled."""
    if visit.double_handed and kept and reason.code == "weekly_carer_cap":
        return Reason(
            reason.code,
            f"needs two carers; the client has seen {len(client.week_carers or ())} "
            "carers this week, the most allowed, and only one of them can start it in "
            f"{window}",
        )
    unfilled = [role for role in visit.roles if not any(role <= c.skills for c in kept)]
    if visit.double_handed and kept and unfilled:  # roles differ: one role is unfilled
        if reason.code == "no_skilled_carer":
            return reason
        return Reason(
            reason.code, f"{reason.text}, among those with the skills {_listed(unfilled[0])}"
        )
    if visit.double_handed and kept:
        return Reason("no_pair", f"needs two carers; {reason.text.replace('no ', 'only one ', 1)}")
    return reason


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
    if visit.double_handed and len(free) >= need and by[Blocker.UNSEARCHED]:
        return Reason(
            "not_searched",
            f"the search ran out of time before trying {_ids(by[Blocker.UNSEARCHED])} together "
            "for it; try a longer time limit",
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
