"""Reading a scenario (a folder of CSV files or one JSON document) and writing one back.

Visits on several dates make a week. ``shifts.csv`` (carer_id, date, shifts) then overrides a
carer's usual shifts (carers.csv) on a date; an empty shifts cell is a day off.

Every problem in the input is collected, located (file, spreadsheet row, column) and raised
together as one ``InputError``: a coordinator fixes the spreadsheet once, not once per error.

Multi-valued cells (skills, shifts, carer lists) are separated by ``;``. Rows are numbered as
a spreadsheet shows them: the header is row 1, the first carer row 2. In a JSON document the
place is given as ``visits[3].latest_start`` (counting from 0) instead.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scheduler.clock import MINUTES_PER_DAY, format_clock, parse_clock
from scheduler.errors import InputError, InputIssue
from scheduler.files import write_text_atomic
from scheduler.model import (
    Carer,
    Client,
    DayShifts,
    Gender,
    HistoryEntry,
    Location,
    Priority,
    Scenario,
    Shift,
    Strength,
    TravelMode,
    Visit,
)
from scheduler.settings import DEFAULT_SKILLS

__all__ = [
    "COLUMNS",
    "parse_date",
    "parse_shifts",
    "read_csv_rows",
    "read_scenario",
    "scenario_to_json",
    "write_scenario",
]

# table -> (required columns, optional columns)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "carers": (
        ("id", "name", "home_lat", "home_lon", "shifts"),
        (
            "skills",
            "gender",
            "travel_mode",
            "max_working_minutes",
            "no_go_clients",
            "max_weekly_minutes",
        ),
    ),
    "clients": (
        ("id", "name", "lat", "lon"),
        (
            "address",
            "postcode",
            "preferred_carers",
            "excluded_carers",
            "gender_preference",
            "gender_preference_strength",
        ),
    ),
    "visits": (
        ("id", "client_id", "date", "earliest_start", "latest_start", "duration_minutes"),
        ("carers_required", "required_skills", "priority", "pinned_carer"),
    ),
    "history": (("client_id", "carer_id", "date"), ()),
    "shifts": (("carer_id", "date", "shifts"), ()),
    "skills": (("skill",), ("description",)),
}
REQUIRED_TABLES = ("carers", "clients", "visits")


@dataclass
class _Table:
    """Rows of one table as strings, with a way to say where a cell is."""

    name: str
    label: str  # "visits.csv", or "town.json" for a JSON document
    rows: list[dict[str, str]]
    json_style: bool = False

    def where(self, index: int, column: str | None) -> tuple[int | None, str | None]:
        if self.json_style:
            return None, f"{self.name}[{index}]" + (f".{column}" if column else "")
        return index + 2, column


@dataclass
class _Reader:
    issues: list[InputIssue] = field(default_factory=list)

    def add(self, table: _Table, index: int, column: str | None, code: str, message: str) -> None:
        row, col = table.where(index, column)
        self.issues.append(InputIssue(code, table.label, message, row, col))

    def file_issue(self, label: str, code: str, message: str) -> None:
        self.issues.append(InputIssue(code, label, message))

    def cell(
        self,
        table: _Table,
        index: int,
        column: str,
        parse: Callable[[str], Any],
        code: str,
        required: bool = False,
    ) -> Any:
        """Parse one cell; on failure record an issue and return None."""
        text = table.rows[index].get(column, "").strip()
        if not text:
            if required:
                self.add(table, index, column, "missing_value", "is empty")
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.add(table, index, column, code, str(exc))
            return None


# ---- cell parsers: each raises ValueError with a readable message --------------------------


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{text} is outside {low:g} to {high:g}")
        return value

    return parse


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a whole number") from None
        if not value.is_integer():
            raise ValueError(f"'{text}' is not a whole number")
        if not low <= value <= high:
            raise ValueError(f"{text} is outside {low} to {high}")
        return int(value)

    return parse


def _choice(options: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(options)

    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(f"'{text}' is not one of {', '.join(allowed)}")
        return value

    return parse


def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD``; raises ``ValueError`` with a message a coordinator understands."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date YYYY-MM-DD") from None


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def parse_shifts(text: str) -> tuple[Shift, ...]:
    shifts = []
    for part in _items(text):
        pieces = part.split("-")
        if len(pieces) != 2:
            raise ValueError(f"'{part}' is not a shift HH:MM-HH:MM")
        start, end = parse_clock(pieces[0]), parse_clock(pieces[1])
        if end <= start:
            raise ValueError(f"shift {part} ends before it starts")
        shifts.append(Shift(start=start, end=end))
    if not shifts:
        raise ValueError("no shift given")
    shifts.sort(key=lambda s: s.start)
    for first, second in zip(shifts, shifts[1:], strict=False):
        if second.start < first.end:
            raise ValueError(
                f"shifts {format_clock(first.start)}-{format_clock(first.end)} and "
                f"{format_clock(second.start)}-{format_clock(second.end)} overlap"
            )
    return tuple(shifts)


# ---- loading tables -------------------------------------------------------------------------


def _day_shifts(text: str) -> tuple[Shift, ...]:
    """A shifts.csv cell: shifts as in carers.csv, or a day off when empty."""
    return parse_shifts(text) if _items(text) else ()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(_text(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_columns(
    reader: _Reader,
    label: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    columns: Iterable[str],
) -> bool:
    present = set(columns)
    ok = True
    for column in required:
        if column not in present:
            reader.file_issue(label, "missing_column", f"has no column '{column}'")
            ok = False
    known = set(required) | set(optional)
    for column in sorted(present - known):
        reader.file_issue(
            label,
            "unknown_column",
            f"has a column '{column}' domcare does not know "
            f"(expected: {', '.join(required + optional)})",
        )
        ok = False
    return ok


def _csv_rows(
    reader: _Reader, path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[dict[str, str]] | None:
    """The rows of one CSV file as text keyed by lower-case column; None, with the issues
    recorded, when it cannot be read or its columns are not the ones expected."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        reader.file_issue(path.name, "unreadable_file", f"cannot be read as CSV: {exc}")
        return None
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    if not _check_columns(reader, path.name, required, optional, frame.columns):
        return None
    return [{str(k): _text(v) for k, v in row.items()} for row in frame.to_dict("records")]


def read_csv_rows(
    path: Path | str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """The rows of one CSV file, for a reader of another input file (``manual_rota.csv``)
    to check cell by cell: text keyed by lower-case column name, list item ``i`` being
    spreadsheet row ``i + 2`` (the header is row 1).

    Raises ``InputError`` when the file is missing or unreadable, lacks a ``required``
    column, or has a column that is neither ``required`` nor ``optional``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([InputIssue("missing_file", path.name, f"not found in {path.parent}")])
    reader = _Reader()
    rows = _csv_rows(reader, path, required, optional)
    if rows is None:
        raise InputError(reader.issues)
    return rows


def _csv_tables(reader: _Reader, folder: Path) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in REQUIRED_TABLES:
                reader.file_issue(path.name, "missing_file", f"not found in {folder}")
            continue
        rows = _csv_rows(reader, path, *COLUMNS[name])
        if rows is not None:
            tables[name] = _Table(name, path.name, rows)
    return tables


def _json_tables(reader: _Reader, path: Path) -> tuple[dict[str, _Table], str | None]:
    label = path.name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reader.file_issue(label, "unreadable_file", f"cannot be read: {exc}")
        return {}, None
    except json.JSONDecodeError as exc:
        reader.file_issue(
            label, "unreadable_file", f"is not valid JSON (line {exc.lineno}: {exc.msg})"
        )
        return {}, None
    if not isinstance(document, dict):
        reader.file_issue(label, "unreadable_file", "must hold a JSON object")
        return {}, None
    tables: dict[str, _Table] = {}
    for name in COLUMNS:
        records = document.get(name)
        if records is None:
            if name in REQUIRED_TABLES:
                reader.file_issue(label, "missing_table", f"has no '{name}' list")
            continue
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            reader.file_issue(label, "unreadable_file", f"'{name}' must be a list of objects")
            continue
        table = _Table(name, label, [], json_style=True)
        columns = {key.strip().lower() for record in records for key in record}
        if not _check_columns(reader, label, *COLUMNS[name], columns):
            continue
        table.rows = [{k.strip().lower(): _text(v) for k, v in r.items()} for r in records]
        tables[name] = table
    title = document.get("name")
    return tables, str(title) if title else None


# ---- building the domain ---------------------------------------------------------------------


def _unique_ids(reader: _Reader, table: _Table, column: str = "id") -> None:
    seen: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        key = row.get(column, "").strip()
        if not key:
            continue
        if key in seen:
            first, _ = table.where(seen[key], column)
            at = f"row {first}" if first is not None else f"{table.name}[{seen[key]}]"
            reader.add(table, index, column, "duplicate_id", f"'{key}' is used already ({at})")
        else:
            seen[key] = index


def _skills_catalogue(reader: _Reader, tables: dict[str, _Table]) -> frozenset[str]:
    table = tables.get("skills")
    if table is None:
        return DEFAULT_SKILLS
    skills = set()
    for index in range(len(table.rows)):
        skill = reader.cell(table, index, "skill", str.lower, "invalid_value", required=True)
        if skill:
            skills.add(skill)
    return frozenset(skills)


def _skill_set(
    reader: _Reader, table: _Table, index: int, column: str, catalogue: frozenset[str]
) -> frozenset[str]:
    skills = set()
    for skill in _items(table.rows[index].get(column, "")):
        if skill.lower() not in catalogue:
            reader.add(
                table,
                index,
                column,
                "unknown_skill",
                f"'{skill}' is not a known skill (known: {', '.join(sorted(catalogue))})",
            )
        else:
            skills.add(skill.lower())
    return frozenset(skills)


def _build_carers(
    reader: _Reader,
    table: _Table,
    catalogue: frozenset[str],
    client_ids: set[str],
    overrides: dict[str, list[DayShifts]],
) -> list[Carer]:
    _unique_ids(reader, table)
    carers = []
    for i in range(len(table.rows)):
        before = len(reader.issues)
        carer_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        name = reader.cell(table, i, "name", str.strip, "invalid_value", required=True)
        lat = reader.cell(table, i, "home_lat", _number(-90, 90), "out_of_range", required=True)
        lon = reader.cell(table, i, "home_lon", _number(-180, 180), "out_of_range", required=True)
        shifts = reader.cell(table, i, "shifts", parse_shifts, "malformed_shift", required=True)
        skills = _skill_set(reader, table, i, "skills", catalogue)
        gender = reader.cell(table, i, "gender", _choice(Gender), "invalid_value")
        mode = reader.cell(table, i, "travel_mode", _choice(TravelMode), "invalid_value")
        max_minutes = reader.cell(
            table, i, "max_working_minutes", _whole(1, MINUTES_PER_DAY), "invalid_value"
        )
        no_go = _refs(reader, table, i, "no_go_clients", client_ids, "client")
        weekly = reader.cell(
            table, i, "max_weekly_minutes", _whole(1, 7 * MINUTES_PER_DAY), "invalid_value"
        )
        if len(reader.issues) == before:
            carers.append(
                Carer(
                    id=carer_id,
                    name=name,
                    home=Location(lat=lat, lon=lon),
                    shifts=shifts,
                    skills=skills,
                    gender=gender,
                    travel_mode=mode or TravelMode.CAR,
                    max_working_minutes=max_minutes,
                    no_go_clients=no_go,
                    max_weekly_minutes=weekly,
                    shifts_on=tuple(overrides.get(carer_id, ())),
                )
            )
    return carers


def _build_overrides(
    reader: _Reader, table: _Table, carer_ids: set[str]
) -> dict[str, list[DayShifts]]:
    """Carer id -> that carer's shifts on given dates (shifts.csv)."""
    overrides: dict[str, list[DayShifts]] = {}
    seen: dict[tuple[str, dt.date], int] = {}
    for i in range(len(table.rows)):
        before = len(reader.issues)
        carer_id = reader.cell(table, i, "carer_id", str.strip, "invalid_value", required=True)
        if carer_id and carer_id not in carer_ids:
            reader.add(table, i, "carer_id", "unknown_carer", f"no carer has the id '{carer_id}'")
        date = reader.cell(table, i, "date", parse_date, "malformed_date", required=True)
        shifts = reader.cell(table, i, "shifts", _day_shifts, "malformed_shift")
        if carer_id and date and (carer_id, date) in seen:
            first, _ = table.where(seen[(carer_id, date)], "date")
            at = f"row {first}" if first is not None else f"{table.name}[{seen[(carer_id, date)]}]"
            reader.add(
                table, i, "date", "duplicate_row", f"{carer_id} on {date} is given already ({at})"
            )
        if len(reader.issues) == before:
            seen[(carer_id, date)] = i
            overrides.setdefault(carer_id, []).append(DayShifts(date=date, shifts=shifts or ()))
    return overrides


def _refs(
    reader: _Reader, table: _Table, index: int, column: str, known: set[str], kind: str
) -> frozenset[str]:
    """Ids in a multi-valued cell, each checked against the ids of ``kind`` (carer, client)."""
    refs = _items(table.rows[index].get(column, ""))
    for ref in refs:
        if ref not in known:
            reader.add(table, index, column, f"unknown_{kind}", f"no {kind} has the id '{ref}'")
    return frozenset(ref for ref in refs if ref in known)


def _build_clients(reader: _Reader, table: _Table, carer_ids: set[str]) -> list[Client]:
    _unique_ids(reader, table)
    clients = []
    for i, row in enumerate(table.rows):
        before = len(reader.issues)
        client_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        name = reader.cell(table, i, "name", str.strip, "invalid_value", required=True)
        lat = reader.cell(table, i, "lat", _number(-90, 90), "out_of_range", required=True)
        lon = reader.cell(table, i, "lon", _number(-180, 180), "out_of_range", required=True)
        preferred = _refs(reader, table, i, "preferred_carers", carer_ids, "carer")
        excluded = _refs(reader, table, i, "excluded_carers", carer_ids, "carer")
        gender = reader.cell(table, i, "gender_preference", _choice(Gender), "invalid_value")
        strength = reader.cell(
            table, i, "gender_preference_strength", _choice(Strength), "invalid_value"
        )
        if preferred & excluded:
            reader.add(
                table,
                i,
                "excluded_carers",
                "conflict",
                f"{', '.join(sorted(preferred & excluded))} is both preferred and excluded",
            )
        if len(reader.issues) == before:
            clients.append(
                Client(
                    id=client_id,
                    name=name,
                    location=Location(lat=lat, lon=lon),
                    address=row.get("address", "").strip() or None,
                    postcode=row.get("postcode", "").strip() or None,
                    preferred_carers=preferred,
                    excluded_carers=excluded,
                    gender_preference=gender,
                    gender_preference_strength=strength or Strength.HARD,
                )
            )
    return clients


def _build_visits(
    reader: _Reader,
    table: _Table,
    clients: dict[str, Client],
    client_ids: set[str],
    carer_ids: set[str],
    catalogue: frozenset[str],
) -> list[Visit]:
    _unique_ids(reader, table)
    visits = []
    for i in range(len(table.rows)):
        before = len(reader.issues)
        visit_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        client_id = reader.cell(table, i, "client_id", str.strip, "invalid_value", required=True)
        if client_id and client_id not in client_ids:
            reader.add(
                table, i, "client_id", "unknown_client", f"no client has the id '{client_id}'"
            )
        date = reader.cell(table, i, "date", parse_date, "malformed_date", required=True)
        earliest = reader.cell(table, i, "earliest_start", parse_clock, "malformed_time", True)
        latest = reader.cell(table, i, "latest_start", parse_clock, "malformed_time", True)
        duration = reader.cell(
            table, i, "duration_minutes", _whole(1, MINUTES_PER_DAY), "invalid_value", True
        )
        if earliest is not None and latest is not None and latest < earliest:
            reader.add(
                table,
                i,
                "latest_start",
                "window_inverted",
                f"latest start {format_clock(latest)} is before earliest start "
                f"{format_clock(earliest)}",
            )
        elif latest is not None and duration is not None and latest + duration > MINUTES_PER_DAY:
            reader.add(
                table,
                i,
                "duration_minutes",
                "past_midnight",
                "the visit would run past midnight; plan it on the next day",
            )
        carers_required = reader.cell(table, i, "carers_required", _whole(1, 2), "invalid_value")
        skills = _skill_set(reader, table, i, "required_skills", catalogue)
        priority = reader.cell(table, i, "priority", _choice(Priority), "invalid_value")
        pinned = reader.cell(table, i, "pinned_carer", str.strip, "invalid_value")
        if pinned and pinned not in carer_ids:
            reader.add(table, i, "pinned_carer", "unknown_carer", f"no carer has the id '{pinned}'")
        client = clients.get(client_id or "")
        if pinned and client is not None and pinned in client.excluded_carers:
            reader.add(
                table, i, "pinned_carer", "conflict", f"client {client_id} excludes {pinned}"
            )
        if len(reader.issues) == before:
            visits.append(
                Visit(
                    id=visit_id,
                    client_id=client_id,
                    date=date,
                    earliest_start=earliest,
                    latest_start=latest,
                    duration=duration,
                    carers_required=carers_required or 1,
                    required_skills=skills,
                    priority=priority or Priority.NORMAL,
                    pinned_carer=pinned,
                )
            )
    return visits


def _build_history(reader: _Reader, table: _Table) -> list[HistoryEntry]:
    """Past visits. Carers who have left and clients no longer in care are normal here."""
    history = []
    for i in range(len(table.rows)):
        before = len(reader.issues)
        client_id = reader.cell(table, i, "client_id", str.strip, "invalid_value", required=True)
        carer_id = reader.cell(table, i, "carer_id", str.strip, "invalid_value", required=True)
        date = reader.cell(table, i, "date", parse_date, "malformed_date", required=True)
        if len(reader.issues) == before:
            history.append(HistoryEntry(client_id=client_id, carer_id=carer_id, date=date))
    return history


def _ids(table: _Table | None) -> set[str]:
    if table is None:
        return set()
    return {row.get("id", "").strip() for row in table.rows} - {""}


def read_scenario(path: Path | str) -> Scenario:
    """Read a scenario folder (carers.csv, clients.csv, visits.csv, optional history.csv,
    skills.csv and shifts.csv) or a JSON document with the same tables as lists of objects.

    Raises ``InputError`` listing every problem found.
    """
    path = Path(path)
    reader = _Reader()
    name: str | None
    if path.is_dir():
        tables, name = _csv_tables(reader, path), path.resolve().name
    elif path.is_file() and path.suffix.lower() == ".json":
        tables, name = _json_tables(reader, path)
        name = name or path.stem
    elif path.is_file():
        raise InputError([InputIssue("unreadable_file", path.name, "expected a folder or .json")])
    else:
        raise InputError([InputIssue("missing_file", str(path), "no such folder or file")])

    catalogue = _skills_catalogue(reader, tables)
    carer_ids, client_ids = _ids(tables.get("carers")), _ids(tables.get("clients"))
    overrides = _build_overrides(reader, tables["shifts"], carer_ids) if "shifts" in tables else {}
    carers = (
        _build_carers(reader, tables["carers"], catalogue, client_ids, overrides)
        if "carers" in tables
        else []
    )
    clients = _build_clients(reader, tables["clients"], carer_ids) if "clients" in tables else []
    visits = (
        _build_visits(
            reader,
            tables["visits"],
            {client.id: client for client in clients},
            client_ids,
            carer_ids,
            catalogue,
        )
        if "visits" in tables
        else []
    )
    history = _build_history(reader, tables["history"]) if "history" in tables else []
    if reader.issues:
        raise InputError(reader.issues)
    return Scenario(
        name=name or "scenario",
        date=min(visit.date for visit in visits) if visits else dt.date.today(),
        carers=tuple(carers),
        clients=tuple(clients),
        visits=tuple(visits),
        history=tuple(history),
        skills=catalogue,
    )


# ---- writing ---------------------------------------------------------------------------------


def _join(values: Iterable[str]) -> str:
    return ";".join(sorted(values))


def _shift_text(shifts: Iterable[Shift]) -> str:
    return ";".join(f"{format_clock(s.start)}-{format_clock(s.end)}" for s in shifts)


def _records(scenario: Scenario) -> dict[str, list[dict[str, Any]]]:
    """Every table as rows; shifts (the overrides of a week) only when there are some."""
    overrides = [
        {"carer_id": c.id, "date": day.date.isoformat(), "shifts": _shift_text(day.shifts)}
        for c in scenario.carers
        for day in c.shifts_on
    ]
    records: dict[str, list[dict[str, Any]]] = {
        "carers": [
            {
                "id": c.id,
                "name": c.name,
                "home_lat": round(c.home.lat, 6),
                "home_lon": round(c.home.lon, 6),
                "shifts": _shift_text(c.shifts),
                "skills": _join(c.skills),
                "gender": c.gender or "",
                "travel_mode": c.travel_mode.value,
                "max_working_minutes": c.max_working_minutes or "",
                "no_go_clients": _join(c.no_go_clients),
                "max_weekly_minutes": c.max_weekly_minutes or "",
            }
            for c in scenario.carers
        ],
        "clients": [
            {
                "id": c.id,
                "name": c.name,
                "lat": round(c.location.lat, 6),
                "lon": round(c.location.lon, 6),
                "address": c.address or "",
                "postcode": c.postcode or "",
                "preferred_carers": _join(c.preferred_carers),
                "excluded_carers": _join(c.excluded_carers),
                "gender_preference": c.gender_preference or "",
                "gender_preference_strength": c.gender_preference_strength.value,
            }
            for c in scenario.clients
        ],
        "visits": [
            {
                "id": v.id,
                "client_id": v.client_id,
                "date": v.date.isoformat(),
                "earliest_start": format_clock(v.earliest_start),
                "latest_start": format_clock(v.latest_start),
                "duration_minutes": v.duration,
                "carers_required": v.carers_required,
                "required_skills": _join(v.required_skills),
                "priority": v.priority.value,
                "pinned_carer": v.pinned_carer or "",
            }
            for v in scenario.visits
        ],
        "history": [
            {"client_id": h.client_id, "carer_id": h.carer_id, "date": h.date.isoformat()}
            for h in scenario.history
        ],
        "skills": [{"skill": skill} for skill in sorted(scenario.skills)],
    }
    if overrides:
        records["shifts"] = overrides
    return records


def write_scenario(scenario: Scenario, folder: Path | str) -> None:
    """Write the scenario as CSV files that ``read_scenario`` reads back unchanged."""
    folder = Path(folder)
    for name, records in _records(scenario).items():
        required, optional = COLUMNS[name]
        frame = pd.DataFrame(records, columns=list(required + optional))
        if name == "skills":
            frame = frame[["skill"]]
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        write_text_atomic(folder / f"{name}.csv", buffer.getvalue())


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as one JSON document in the input format (lists for multi-valued cells)."""
    document: dict[str, Any] = {"name": scenario.name, **_records(scenario)}
    return json.dumps(document, indent=1)
