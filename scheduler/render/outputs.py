"""What a rota leaves behind, as files: plan JSON (and its JSON Schema), the figures, the rota
CSV and the map, for a day or each day of a week (``rota_files``). The command line writes
them (``scheduler.io.files.write_files``), the service stores them: the same files."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from scheduler.analysis.changes import CHANGE_COLUMNS, ChangeList, change_rows
from scheduler.analysis.metrics import day_figures, week_figures
from scheduler.io.plans import plan_schema
from scheduler.model.care import Scenario
from scheduler.model.clock import format_clock
from scheduler.model.plan import Plan, Run, Stop
from scheduler.planning.rota import Rota
from scheduler.render.maps import render_map
from scheduler.rules.objective import minutes_late

__all__ = ["OutputFile", "changes_csv", "csv_text", "neutral_cell", "rota_csv", "rota_files"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (tab and CR are used to hide one)."""


def neutral_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``),
    made plain text by a leading apostrophe; numbers, negative ones included, as they are."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV to download and open in a spreadsheet: every text cell that could be
    a formula neutralised (``neutral_cell``), numeric columns untouched."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_string_dtype(safe[column]) or pd.api.types.is_object_dtype(safe[column]):
            safe[column] = safe[column].map(neutral_cell)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _break_here(run: Run, stop: Stop) -> str:
    """The run's unpaid break, on the row of the call whose wait holds it."""
    if run.break_start is None or run.break_end is None:
        return ""
    if not stop.arrival <= run.break_start < stop.start:
        return ""
    return f"{format_clock(run.break_start)}-{format_clock(run.break_end)}"


def rota_csv(scenario: Scenario, plan: Plan, *, show_names: bool = False) -> str:
    """One row per carer visit, in run order. Client names and addresses only on request;
    a cell that could be a spreadsheet formula is neutralised (``csv_text``)."""
    rows = []
    carers_of: dict[str, list[str]] = {}
    for run in plan.runs:
        for stop in run.stops:
            carers_of.setdefault(stop.visit_id, []).append(run.carer_id)
    for run in plan.runs:
        carer = scenario.carer_by_id[run.carer_id]
        for order, stop in enumerate(run.stops, start=1):
            visit = scenario.visit_by_id[stop.visit_id]
            client = scenario.client_by_id[stop.client_id]
            partner = next(
                (
                    scenario.carer_by_id[other].skills
                    for other in carers_of[visit.id]
                    if other != carer.id and other in scenario.carer_by_id
                ),
                None,
            )
            row = {
                "date": plan.date.isoformat(),
                "carer_id": carer.id,
                "shift": f"{format_clock(run.shift_start)}-{format_clock(run.shift_end)}",
                "order": order,
                "visit_id": visit.id,
                "client_id": client.id,
                "arrival": format_clock(stop.arrival),
                "start": format_clock(stop.start),
                "end": format_clock(stop.end),
                "travel_minutes": stop.travel_minutes,
                "travel_km": round(stop.travel_m / 1000, 2),
                "wait_minutes": stop.wait_minutes,
                "minutes_late": minutes_late(visit, stop.start),
                "break": _break_here(run, stop),
                "carers_required": visit.carers_required,
                "required_skills": ";".join(sorted(visit.role_for(carer.skills, partner))),
                "priority": visit.priority.value,
            }
            if show_names:
                row |= {
                    "carer_name": carer.name,
                    "client_name": client.name,
                    "address": client.address or "",
                    "postcode": client.postcode or "",
                }
            rows.append(row)
    return csv_text(pd.DataFrame(rows))


@dataclass(frozen=True)
class OutputFile:
    """One file of a rota: its path inside the output folder (``2026-12-02/map.html`` in a
    week), its media type, and its text."""

    name: str
    media_type: str
    text: str


JSON = "application/json"
CSV = "text/csv; charset=utf-8"
HTML = "text/html; charset=utf-8"


def _day_files(scenario: Scenario, plan: Plan, prefix: str, show_names: bool) -> list[OutputFile]:
    page = render_map(scenario, plan, show_names=show_names).get_root().render()
    return [
        OutputFile(f"{prefix}plan.json", JSON, plan.model_dump_json(indent=1)),
        OutputFile(
            f"{prefix}figures.json", JSON, day_figures(scenario, plan).model_dump_json(indent=1)
        ),
        OutputFile(f"{prefix}rota.csv", CSV, rota_csv(scenario, plan, show_names=show_names)),
        OutputFile(f"{prefix}map.html", HTML, page),
    ]


def rota_files(rota: Rota, *, show_names: bool = False) -> tuple[OutputFile, ...]:
    """Every file of a rota, the same for the command line and the service.

    A day: ``plan.json``, ``plan.schema.json``, ``figures.json``, ``rota.csv`` and ``map.html``.
    A week: ``week.json``, ``week_figures.json``, ``rota.csv`` (every day's visits, one header)
    and ``plan.schema.json``, then each day's ``plan.json``, ``figures.json``, ``rota.csv`` and
    ``map.html`` in a folder named by its date."""
    schema = OutputFile("plan.schema.json", JSON, plan_schema())
    if not rota.is_week:
        ((scenario, plan),) = rota.days()
        return (*_day_files(scenario, plan, "", show_names), schema)
    files = [
        OutputFile("week.json", JSON, rota.week.model_dump_json(indent=1)),
        OutputFile(
            "week_figures.json",
            JSON,
            week_figures(rota.scenario, rota.week).model_dump_json(indent=1),
        ),
    ]
    rows: list[str] = []
    days: list[OutputFile] = []
    for scenario, plan in rota.days():
        day = _day_files(scenario, plan, f"{plan.date.isoformat()}/", show_names)
        lines = next(f for f in day if f.name.endswith("rota.csv")).text.splitlines(keepends=True)
        rows += lines if not rows else lines[1:]  # one header, then every day's rows
        days += day
    return (*files, OutputFile("rota.csv", CSV, "".join(rows)), schema, *days)


def changes_csv(changes: ChangeList) -> str:
    """``changes.csv`` of a re-plan: one row per call whose carer or time changed, placed or
    left out (``scheduler.analysis.changes``); ids only."""
    return csv_text(pd.DataFrame(list(change_rows(changes)), columns=list(CHANGE_COLUMNS)))
