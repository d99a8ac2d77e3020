"""Reading a re-plan's events (``events.csv``, or a JSON list with the same fields).

One row per event; the ``event`` column names it and decides which other cells it needs:

- ``carer_off``: ``carer_id``, ``from`` (HH:MM), ``until`` (empty: the rest of the day);
- ``carer_late``: ``carer_id``, ``from`` (when they rang), ``minutes``: a carer not yet on
  their calls starts that much later;
- ``client_added``: ``client_id`` (new), ``name``, ``lat``, ``lon``, and if known
  ``address``, ``postcode`` (as in clients.csv): a client for the calls added after it;
- ``visit_cancelled``: ``visit_id``;
- ``visit_added``: ``visit_id`` (new), ``client_id``, ``earliest_start``, ``latest_start``,
  ``duration_minutes``, and if need be ``carers_required``, ``required_skills``, ``priority``
  (as in visits.csv);
- ``visit_changed``: ``visit_id`` and any of ``earliest_start``, ``latest_start``,
  ``duration_minutes``, ``carers_required``;
- ``visit_done``: ``visit_id``, ``start`` and ``end`` (HH:MM): what really happened.

Read as the scenario's tables are (encodings, delimiters, Excel's times with seconds); every
problem is located by file, row and column, and all of them are raised together. Checked
against the plan: the events of a call already started by ``at`` (cancelled, changed, done
after ``at``) and a call done twice are refused, since the rota cannot follow them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.io.scenario import (
    number_between,
    one_of,
    read_csv_rows,
    read_file,
    whole_between,
)
from scheduler.model.care import Priority, Scenario, Visit
from scheduler.model.clock import MINUTES_PER_DAY, format_clock, parse_clock
from scheduler.model.codes import InputCode
from scheduler.model.errors import InputError, InputIssue
from scheduler.model.events import (
    EVENT_KINDS,
    CarerLate,
    CarerOff,
    ClientAdded,
    Event,
    VisitAdded,
    VisitCancelled,
    VisitChanged,
    VisitDone,
    started_by,
)
from scheduler.model.plan import Plan

__all__ = ["EVENT_COLUMNS", "EVENTS_FILE", "read_events"]

EVENTS_FILE = "events.csv"
EVENT_COLUMNS = (
    "event",
    "carer_id",
    "visit_id",
    "client_id",
    "from",
    "until",
    "start",
    "end",
    "earliest_start",
    "latest_start",
    "duration_minutes",
    "carers_required",
    "required_skills",
    "priority",
    "minutes",
    "name",
    "lat",
    "lon",
    "address",
    "postcode",
)


def _is_json(label: str) -> bool:
    return label.lower().endswith(".json")


def _rows(data: bytes, label: str) -> list[dict[str, str]]:
    """The events' rows as text; a JSON file (named ``.json``) is a list of objects, or an
    object with an ``events`` list, with the CSV's columns as keys."""
    if not data.strip():
        return []  # no event: an empty file, as an empty optional table
    if not _is_json(label):
        return read_csv_rows(data, ("event",), EVENT_COLUMNS[1:], label=label)
    try:
        document: Any = json.loads(data)
    except ValueError as exc:
        raise InputError([InputIssue("unreadable_file", label, f"is not JSON: {exc}")]) from None
    records = document.get("events") if isinstance(document, dict) else document
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError([InputIssue("invalid_value", label, "must be a list of events (objects)")])
    unknown = sorted({key for r in records for key in r} - set(EVENT_COLUMNS))
    if unknown:
        raise InputError(
            [
                InputIssue("unknown_column", label, f"has a field '{key}' domcare does not know")
                for key in unknown
            ]
        )
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]


def read_events(
    source: Path | str | bytes,
    scenario: Scenario,
    plan: Plan,
    at: int,
    label: str = EVENTS_FILE,
) -> tuple[Event, ...]:
    """The events of ``source`` (a path, or a file's bytes as uploaded, named ``label``: JSON
    when it ends ``.json``) for re-planning ``plan`` of ``scenario`` at ``at`` (minutes), in
    file order. Raises ``InputError`` listing every problem (see the module note)."""
    if not isinstance(source, bytes):
        label = Path(source).name
        source = read_file(Path(source))
    rows = _rows(source, label)
    json_style = _is_json(label)
    issues: list[InputIssue] = []

    def add(index: int, column: str | None, code: InputCode, message: str) -> None:
        if json_style:
            place = f"events[{index}]" + (f".{column}" if column else "")
            issues.append(InputIssue(code, label, message, None, place))
        else:
            issues.append(InputIssue(code, label, message, index + 2, column))

    def cell(index: int, column: str, parse: Callable[[str], Any], code: InputCode) -> Any:
        text = rows[index].get(column, "").strip()
        if not text:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            add(index, column, code, str(exc))
            return None

    def needed(index: int, *columns: str) -> bool:
        missing = [c for c in columns if not rows[index].get(c, "").strip()]
        for column in missing:
            add(index, column, "missing_value", "is empty")
        return not missing

    known_visits = dict(scenario.visit_by_id)
    known_clients = set(scenario.client_by_id)
    planned = {stop.visit_id for run in plan.runs for stop in run.stops}
    events: list[Event] = []
    seen: dict[tuple[str, str], int] = {}  # (kind, visit) -> its row, for done/cancelled twice
    for index, row in enumerate(rows):
        before = len(issues)
        kind = cell(index, "event", one_of(EVENT_KINDS), "invalid_value")
        if kind is None:
            if not row.get("event", "").strip():
                add(index, "event", "missing_value", "is empty")
            continue
        place = {"file": label, "row": None if json_style else index + 2}
        carer_id = row.get("carer_id", "").strip()
        visit_id = row.get("visit_id", "").strip()
        times = {
            c: cell(index, c, parse_clock, "malformed_time")
            for c in ("from", "until", "start", "end", "earliest_start", "latest_start")
        }
        duration = cell(
            index, "duration_minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value"
        )
        carers = cell(index, "carers_required", whole_between(1, 2), "invalid_value")
        minutes = cell(index, "minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value")
        place_cells = {
            c: cell(index, c, number_between(*bounds), "out_of_range")
            for c, bounds in (("lat", (-90, 90)), ("lon", (-180, 180)))
        }
        if kind in ("carer_off", "carer_late"):
            wanted = ("carer_id", "from") + (("minutes",) if kind == "carer_late" else ())
            if needed(index, *wanted) and carer_id not in scenario.carer_by_id:
                add(index, "carer_id", "unknown_carer", f"no carer has the id '{carer_id}'")
        elif kind == "client_added":
            client_id = row.get("client_id", "").strip()
            if needed(index, "client_id", "name", "lat", "lon") and client_id in known_clients:
                add(index, "client_id", "duplicate_id", f"a client has the id '{client_id}'")
        elif kind == "visit_added":
            if needed(index, "visit_id", "client_id", "earliest_start", "latest_start"):
                if visit_id in known_visits:
                    add(index, "visit_id", "duplicate_id", f"a visit has the id '{visit_id}'")
                client_id = row.get("client_id", "").strip()
                if client_id not in known_clients:
                    add(index, "client_id", "unknown_client", f"no client has the id '{client_id}'")
            needed(index, "duration_minutes")
        elif needed(index, "visit_id"):
            if visit_id not in known_visits:
                add(index, "visit_id", "unknown_visit", f"no visit has the id '{visit_id}'")
            elif kind in ("visit_done", "visit_cancelled"):
                twice = seen.get(("done", visit_id)) or seen.get(("cancelled", visit_id))
                if twice is not None:
                    add(
                        index,
                        "visit_id",
                        "duplicate_row",
                        f"visit {visit_id} is already done or cancelled (row {twice})",
                    )
                seen[(kind.removeprefix("visit_"), visit_id)] = index + 2
            if kind == "visit_done":
                needed(index, "start", "end")
                if visit_id in known_visits and visit_id not in planned:
                    add(index, "visit_id", "conflict", f"visit {visit_id} is not in the plan")
            if kind == "visit_changed" and not any(
                v is not None
                for v in (times["earliest_start"], times["latest_start"], duration, carers)
            ):
                add(index, None, "missing_value", "a change needs a new window, duration or "
                    "carers_required")  # fmt: skip
        if len(issues) > before:
            continue
        try:
            event: Event
            if kind == "carer_late":
                late = {"carer_id": carer_id, "start": times["from"], "minutes": minutes}
                event = CarerLate.model_validate(late | place)
            elif kind == "client_added":
                event = _client(row, place_cells, place)
            else:
                event = _event(kind, row, place, times, duration, carers, scenario, visit_id)
        except ValidationError as exc:
            for error in exc.errors():
                add(index, None, "invalid_value", str(error["msg"]).removeprefix("Value error, "))
            continue
        if isinstance(event, VisitAdded):
            known_visits[event.visit.id] = event.visit
        if isinstance(event, ClientAdded):
            known_clients.add(event.client.id)
        events.append(event)
    issues += _against_plan(events, plan, at, json_style)
    if issues:
        raise InputError(issues)
    return tuple(events)


def _event(
    kind: str,
    row: dict[str, str],
    place: dict[str, Any],
    times: dict[str, int | None],
    duration: int | None,
    carers: int | None,
    scenario: Scenario,
    visit_id: str,
) -> Event:
    """The event of one row whose cells were read; pydantic checks what is left (a time off
    ending before it starts, a call ending before it starts, a window inverted)."""
    if kind == "carer_off":
        fields = {
            "carer_id": row["carer_id"].strip(),
            "start": times["from"],
            "end": times["until"],
        }
        return CarerOff.model_validate(fields | place)
    if kind == "visit_cancelled":
        return VisitCancelled.model_validate({"visit_id": visit_id} | place)
    if kind == "visit_done":
        fields = {"visit_id": visit_id, "start": times["start"], "end": times["end"]}
        return VisitDone.model_validate(fields | place)
    if kind == "visit_changed":
        fields = {
            "visit_id": visit_id,
            "earliest_start": times["earliest_start"],
            "latest_start": times["latest_start"],
            "duration": duration,
            "carers_required": carers,
        }
        return VisitChanged.model_validate(fields | place)
    skills = frozenset(s.strip() for s in row.get("required_skills", "").split(";") if s.strip())
    visit = Visit.model_validate(
        {
            "id": visit_id,
            "client_id": row["client_id"].strip(),
            "date": scenario.date,
            "earliest_start": times["earliest_start"],
            "latest_start": times["latest_start"],
            "duration": duration,
            "carers_required": carers or 1,
            "required_skills": skills,
            "priority": row.get("priority", "").strip().lower() or Priority.NORMAL,
        }
    )
    return VisitAdded.model_validate({"visit": visit} | place)


def _client(row: dict[str, str], where: dict[str, float | None], place: dict[str, Any]) -> Event:
    """A ``client_added`` row's client, as clients.csv has one."""
    fields: dict[str, Any] = {
        "id": row["client_id"].strip(),
        "name": row["name"].strip(),
        "location": {"lat": where["lat"], "lon": where["lon"]},
        "address": row.get("address", "").strip() or None,
        "postcode": row.get("postcode", "").strip() or None,
    }
    return ClientAdded.model_validate({"client": fields} | place)


def _against_plan(events: list[Event], plan: Plan, at: int, json_style: bool) -> list[InputIssue]:
    """What the plan says cannot happen: a call started before ``at`` cancelled or changed,
    a call done after ``at``."""
    begun = started_by(plan, events, at)
    issues = []
    for event in events:

        def refuse(message: str, column: str = "visit_id", event: Event = event) -> None:
            row, place = (None, "events") if json_style else (event.row, column)
            issues.append(InputIssue("conflict", event.file, message, row, place))

        if isinstance(event, VisitCancelled | VisitChanged) and event.visit_id in begun:
            verb = "cancelled" if isinstance(event, VisitCancelled) else "changed"
            refuse(
                f"visit {event.visit_id} started at {format_clock(begun[event.visit_id])}, "
                f"before {format_clock(at)}: it cannot be {verb} now"
            )
        if isinstance(event, VisitDone) and event.start >= at:
            refuse(
                f"visit {event.visit_id} is done from {format_clock(event.start)}, not before "
                f"{format_clock(at)} (--at)",
                "start",
            )
    return issues
