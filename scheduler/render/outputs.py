"""What a solve leaves behind: plan JSON (and its JSON Schema), the day's figures, the rota CSV
and the map. Each file is written whole or not at all."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from scheduler.analysis.metrics import DayFigures
from scheduler.io.files import write_text_atomic
from scheduler.io.plans import plan_schema
from scheduler.model.care import Scenario
from scheduler.model.clock import format_clock
from scheduler.model.plan import Plan, Run, Stop
from scheduler.render.maps import write_map

__all__ = ["csv_text", "neutral_cell", "rota_csv", "write_outputs"]

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
    for run in plan.runs:
        carer = scenario.carer_by_id[run.carer_id]
        for order, stop in enumerate(run.stops, start=1):
            visit = scenario.visit_by_id[stop.visit_id]
            client = scenario.client_by_id[stop.client_id]
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
                "break": _break_here(run, stop),
                "carers_required": visit.carers_required,
                "required_skills": ";".join(sorted(visit.required_skills)),
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


def write_outputs(
    scenario: Scenario,
    plan: Plan,
    figures: DayFigures,
    out: Path,
    *,
    show_names: bool = False,
) -> dict[str, Path]:
    """Write every output into ``out``; returns what was written, by kind."""
    out = Path(out)
    paths = {
        "plan": out / "plan.json",
        "schema": out / "plan.schema.json",
        "figures": out / "figures.json",
        "rota": out / "rota.csv",
        "map": out / "map.html",
    }
    write_text_atomic(paths["plan"], plan.model_dump_json(indent=1))
    write_text_atomic(paths["schema"], plan_schema())
    write_text_atomic(paths["figures"], figures.model_dump_json(indent=1))
    write_text_atomic(paths["rota"], rota_csv(scenario, plan, show_names=show_names))
    write_map(scenario, plan, paths["map"], show_names=show_names)
    return paths
