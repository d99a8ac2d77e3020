"""What a re-plan changed, and who to call about it.

Every call whose carer or time changed is a phone call to a carer and a client, so the
change list says exactly which: per visit, the carers and start before and after; per
carer, the calls gained, lost and moved; and the churn figures of the calls nobody asked
to change (``unaffected``: planned, not begun, not cancelled, changed or orphaned). A start
counts as moved when it is more than ``Settings.replan.band_minutes`` from the planned one.
Ids only: names are the caller's to add.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from scheduler.model.clock import format_clock
from scheduler.model.plan import Plan
from scheduler.planning.replan import Replanned

__all__ = [
    "CHANGE_COLUMNS",
    "ChangeList",
    "VisitChange",
    "change_list",
    "change_rows",
    "visits_of",
]

Kind = Literal["unaffected", "orphan", "added", "changed", "cancelled", "unplanned"]
Outcome = Literal["kept", "carer", "time", "carer_and_time", "placed", "left_out", "cancelled"]


@dataclass(frozen=True)
class VisitChange:
    visit_id: str
    client_id: str
    kind: Kind
    outcome: Outcome
    carers_before: tuple[str, ...]
    start_before: int | None
    carers_after: tuple[str, ...]
    start_after: int | None
    reason: str = ""

    @property
    def calls(self) -> bool:
        """Whether a carer or the client is to be told."""
        return self.outcome != "kept"


@dataclass(frozen=True)
class ChangeList:
    visits: tuple[VisitChange, ...]
    band_minutes: int

    def _of(self, kind: Kind) -> list[VisitChange]:
        return [v for v in self.visits if v.kind == kind]

    @property
    def unaffected(self) -> int:
        return len(self._of("unaffected"))

    @property
    def other_carer(self) -> int:
        """Unaffected calls now with another carer (or left out)."""
        away = ("carer", "carer_and_time", "left_out")
        return sum(v.outcome in away for v in self._of("unaffected"))

    @property
    def moved(self) -> int:
        """Unaffected calls whose start moved by more than the band."""
        return sum(v.outcome in ("time", "carer_and_time") for v in self._of("unaffected"))

    @property
    def dropped(self) -> int:
        """Unaffected calls left out: a re-plan should never do it."""
        return sum(v.outcome == "left_out" for v in self._of("unaffected"))

    def placed(self, kind: Kind) -> tuple[int, int]:
        """(placed, of how many) calls of ``kind`` (``orphan``, ``added``)."""
        found = self._of(kind)
        return sum(v.outcome != "left_out" for v in found), len(found)

    def carers_to_call(self) -> dict[str, list[VisitChange]]:
        """Carer id -> the changes to their runs (calls gained, lost or moved)."""
        calls: dict[str, list[VisitChange]] = {}
        for change in self.visits:
            if not change.calls:
                continue
            moved = change.outcome in ("time", "carer_and_time")
            for carer in set(change.carers_before) ^ set(change.carers_after):
                calls.setdefault(carer, []).append(change)
            if moved:
                for carer in set(change.carers_before) & set(change.carers_after):
                    calls.setdefault(carer, []).append(change)
        return dict(sorted(calls.items()))

    def clients_to_call(self) -> list[VisitChange]:
        """Changes a client hears of: another carer, another time, or no call."""
        told = ("carer", "time", "carer_and_time", "left_out")
        return [v for v in self.visits if v.kind != "cancelled" and v.outcome in told]


def visits_of(plan: Plan) -> dict[str, tuple[tuple[str, ...], int]]:
    """Visit id -> (its carers, sorted; its start) in ``plan``."""
    found: dict[str, tuple[list[str], int]] = {}
    for run in plan.runs:
        for stop in run.stops:
            carers, _ = found.setdefault(stop.visit_id, ([], stop.start))
            carers.append(run.carer_id)
    return {v: (tuple(sorted(c)), s) for v, (c, s) in found.items()}


def change_list(replanned: Replanned) -> ChangeList:
    before, after = visits_of(replanned.before), visits_of(replanned.plan)
    band = replanned.plan.settings.replan.band_minutes
    reasons = {u.visit_id: u.reason for u in replanned.plan.unallocated}
    client_of = {v.id: v.client_id for v in replanned.scenario.visits}
    for run in replanned.before.runs:
        client_of.update({s.visit_id: s.client_id for s in run.stops})
    changes = []
    ids = list(before) + [v.id for v in replanned.scenario.visits if v.id not in before]
    for visit_id in ids:
        if visit_id in replanned.begun:
            continue
        old = before.get(visit_id)
        new = after.get(visit_id)
        kind: Kind
        if visit_id in replanned.cancelled:
            kind = "cancelled"
        elif visit_id in replanned.added:
            kind = "added"
        elif visit_id in replanned.changed:
            kind = "changed"
        elif visit_id in replanned.orphans:
            kind = "orphan"
        elif old is None:
            kind = "unplanned"
        else:
            kind = "unaffected"
        outcome: Outcome
        if kind == "cancelled":
            outcome = "cancelled"
        elif new is None:
            outcome = "left_out"
        elif old is None:
            outcome = "placed"
        else:
            other = old[0] != new[0]
            moved = abs(old[1] - new[1]) > band
            outcome = (
                "carer_and_time" if other and moved else "carer" if other else "time" if moved
                else "kept"
            )  # fmt: skip
        if kind == "unplanned" and outcome == "left_out":
            continue  # out before, out now: nothing to tell anyone
        changes.append(
            VisitChange(
                visit_id,
                client_of.get(visit_id, ""),
                kind,
                outcome,
                () if old is None else old[0],
                None if old is None else old[1],
                () if new is None else new[0],
                None if new is None else new[1],
                reasons.get(visit_id, "") if new is None else "",
            )
        )
    return ChangeList(tuple(changes), band)


CHANGE_COLUMNS = (
    "visit_id",
    "client_id",
    "kind",
    "change",
    "carers_before",
    "start_before",
    "carers_after",
    "start_after",
    "reason",
)


def change_rows(changes: ChangeList) -> Iterable[dict[str, str]]:
    """The rows of ``changes.csv``: every call that changed (kept calls are not listed)."""
    clock = lambda minutes: "" if minutes is None else format_clock(minutes)  # noqa: E731
    for v in changes.visits:
        if not v.calls:
            continue
        yield {
            "visit_id": v.visit_id,
            "client_id": v.client_id,
            "kind": v.kind,
            "change": v.outcome,
            "carers_before": ";".join(v.carers_before),
            "start_before": clock(v.start_before),
            "carers_after": ";".join(v.carers_after),
            "start_after": clock(v.start_after),
            "reason": v.reason,
        }
