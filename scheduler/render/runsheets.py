"""Run sheets carers can carry: a printable page and a calendar file per carer.

A rota is only useful once it reaches the carers. Each carer with calls gets
``runsheets/<carer id>.html`` (one page: the calls in order with times, client, duration,
skills, the partner on a double-handed call, the journey and the break; print styles keep it
to paper) and ``runsheets/<carer id>.ics`` (RFC 5545, written with ``icalendar``: one event
per call, which a phone calendar imports). Client names, addresses and postcodes only with
``show_names``, as in every other output: otherwise the client's id.

An event's UID is the date, visit and carer, so importing the file of a re-plan updates the
carer's calendar instead of duplicating it; a call the re-plan took away from a carer is in
their file as a cancelled event (``lost``).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

import icalendar

from scheduler.model.care import Scenario, Visit
from scheduler.model.clock import format_clock
from scheduler.model.plan import Plan, Run, Stop

__all__ = ["LOCAL_TIME", "runsheet_files", "visit_uid"]

LOCAL_TIME = ZoneInfo("Europe/London")
"""Rotas are planned in local clock time (``scheduler.model.clock``)."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #bbb; padding: .35rem .4rem; text-align: left;
  vertical-align: top; }
th { background: #eee; } .break td { font-style: italic; background: #f7f7f7; }
@media print { body { margin: 0; } th { background: none; } h2 { break-after: avoid; }
  tr { break-inside: avoid; } }
"""


def visit_uid(date: dt.date, visit_id: str, carer_id: str) -> str:
    """The calendar UID of a carer's call: stable across re-plans of the day."""
    return f"{date.isoformat()}-{visit_id}-{carer_id}@domcare"


def _local(date: dt.date, minutes: int) -> dt.datetime:
    start = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minutes)
    return start.replace(tzinfo=LOCAL_TIME)


def _partners(plan: Plan) -> dict[str, list[str]]:
    carers: dict[str, list[str]] = {}
    for run in plan.runs:
        for stop in run.stops:
            carers.setdefault(stop.visit_id, []).append(run.carer_id)
    return carers


def _client(scenario: Scenario, client_id: str, show_names: bool) -> tuple[str, str]:
    """(who, where) of a client as a run sheet shows them."""
    client = scenario.client_by_id[client_id]
    if not show_names:
        return client.id, ""
    where = ", ".join(part for part in (client.address, client.postcode) if part)
    return f"{client.name} ({client.id})", where


def _rows(scenario: Scenario, run: Run, partners: Mapping[str, list[str]], show: bool) -> str:
    carer = scenario.carer_by_id[run.carer_id]
    rows = [
        f"<tr><td>{format_clock(run.depart)}</td><td colspan=6>Leave home "
        f"({html.escape(carer.travel_mode.value)})</td></tr>"
    ]
    for stop in run.stops:
        if run.break_start is not None and stop.arrival <= run.break_start < stop.start:
            rows.append(
                f"<tr class=break><td>{format_clock(run.break_start)}</td><td colspan=6>Break "
                f"until {format_clock(run.break_end or run.break_start)}</td></tr>"
            )
        visit = scenario.visit_by_id[stop.visit_id]
        who, where = _client(scenario, stop.client_id, show)
        partner = ", ".join(c for c in partners[stop.visit_id] if c != run.carer_id)
        wait = f", wait {stop.wait_minutes}" if stop.wait_minutes else ""
        cells = [
            html.escape(c)
            for c in (
                f"{format_clock(stop.start)}-{format_clock(stop.end)}",
                f"{visit.id}: {who}",
                f"{stop.end - stop.start} min",  # the carer's own: a second may leave early
                ", ".join(sorted(visit.required_skills)) or "-",
                partner or "-",
                f"{stop.travel_minutes} min{wait}",
                f"{stop.minutes_late} min late" if stop.minutes_late else "",
            )
        ]
        if where:
            cells[1] += f"<br><small>{html.escape(where)}</small>"
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    rows.append(
        f"<tr><td>{format_clock(run.return_home)}</td><td colspan=6>Home "
        f"({run.home_travel_minutes} min)</td></tr>"
    )
    return "\n".join(rows)


def _page(scenario: Scenario, plan: Plan, carer_id: str, runs: list[Run], show: bool) -> str:
    carer = scenario.carer_by_id[carer_id]
    name = f"{carer.name} ({carer.id})" if show else carer.id
    partners = _partners(plan)
    head = "<tr>" + "".join(
        f"<th>{h}</th>"
        for h in ("Time", "Call: client", "Length", "Skills", "With", "Travel", "")
    ) + "</tr>"  # fmt: skip
    body = []
    for run in runs:
        calls = len(run.stops)
        body.append(
            f"<h2>Shift {format_clock(run.shift_start)}-{format_clock(run.shift_end)}: "
            f"{calls} call{'s' if calls != 1 else ''}</h2>"
            f"<table>{head}\n{_rows(scenario, run, partners, show)}</table>"
        )
    title = f"Run sheet: {name}, {plan.date.strftime('%A %d %B %Y')}"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>" + "\n".join(body) + "</body></html>\n"
    )


def _timed(plan: Plan, carer_id: str, stop: Stop) -> icalendar.Event:
    """The carer's event of ``stop``: its UID and times."""
    event = icalendar.Event()
    event.add("uid", visit_uid(plan.date, stop.visit_id, carer_id))
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", _local(plan.date, stop.start))
    event.add("dtend", _local(plan.date, stop.end))
    return event


def _event(
    scenario: Scenario, plan: Plan, carer_id: str, stop: Stop, partners: list[str], show: bool
) -> icalendar.Event:
    visit: Visit = scenario.visit_by_id[stop.visit_id]
    who, where = _client(scenario, stop.client_id, show)
    event = _timed(plan, carer_id, stop)
    event.add("summary", f"Call {visit.id}: {who}")
    if where:
        event.add("location", where)
    details = [f"{stop.end - stop.start} min"]
    if visit.required_skills:
        details.append("skills: " + ", ".join(sorted(visit.required_skills)))
    others = [c for c in partners if c != carer_id]
    if others:
        details.append("with " + ", ".join(others))
    event.add("description", "; ".join(details))
    return event


def _calendar(
    scenario: Scenario,
    plan: Plan,
    carer_id: str,
    runs: list[Run],
    lost: Iterable[Stop],
    show: bool,
) -> str:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//domcare//run sheets//EN")
    calendar.add("version", "2.0")
    partners = _partners(plan)
    for run in runs:
        for stop in run.stops:
            calendar.add_component(
                _event(scenario, plan, carer_id, stop, partners[stop.visit_id], show)
            )
    for stop in lost:  # taken away by a re-plan: cancel the carer's copy
        event = _timed(plan, carer_id, stop)
        event.add("summary", f"Cancelled: call {stop.visit_id}")
        event.add("status", "CANCELLED")
        event.add("sequence", 1)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")


def runsheet_files(
    scenario: Scenario,
    plan: Plan,
    *,
    show_names: bool = False,
    before: Plan | None = None,
    prefix: str = "",
) -> list[tuple[str, str]]:
    """(path, text) of each carer's run sheet and calendar, under ``runsheets/``; ``before``:
    the plan a re-plan replaced, whose calls a carer lost become cancelled events."""
    runs_of: dict[str, list[Run]] = {}
    for run in plan.runs:
        runs_of.setdefault(run.carer_id, []).append(run)
    kept = {(run.carer_id, stop.visit_id) for run in plan.runs for stop in run.stops}
    lost: dict[str, list[Stop]] = {}
    for run in before.runs if before is not None else ():
        for stop in run.stops:
            if (run.carer_id, stop.visit_id) not in kept:
                lost.setdefault(run.carer_id, []).append(stop)
    files = []
    for carer_id in sorted(set(runs_of) | set(lost)):
        runs = sorted(runs_of.get(carer_id, []), key=lambda run: run.shift_start)
        folder = f"{prefix}runsheets/{carer_id}"
        if runs:
            files.append((f"{folder}.html", _page(scenario, plan, carer_id, runs, show_names)))
        ics = _calendar(scenario, plan, carer_id, runs, lost.get(carer_id, []), show_names)
        files.append((f"{folder}.ics", ics))
    return files
