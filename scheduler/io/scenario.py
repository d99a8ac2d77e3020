"""Reading a scenario (a folder of CSV files, uploaded files, or one JSON document) and
writing one back.

Visits on several dates make a week. ``shifts.csv`` (carer_id, date, shifts) then overrides a
carer's usual shifts (carers.csv) on a date; an empty shifts cell is a day off.

Every problem in the input is collected, located (file, spreadsheet row, column) and raised
together as one ``InputError``: a coordinator fixes the spreadsheet once, not once per error.
A problem that repeats down a column (a date column in a form domcare cannot read) is told once
with the rows it covers, and a table that cannot be read at all does not also make every row
that refers to it an error. Files are read as spreadsheets save them (``scheduler.io.tables``).

Not every oddity is an error. A carer id that is no longer in carers.csv, in a client's
preferred or excluded carers, a history row or shifts.csv, is what removing a carer leaves
behind: it is ignored with a note. Notes (how a file was read, ids ignored, a place far from
all the others) come back with the scenario (``LoadedScenario.notes``) for the front ends to
show.

Multi-valued cells (skills, shifts, carer lists) are separated by ``;``. Rows are numbered as
a spreadsheet shows them: the header is row 1, the first carer row 2. In a JSON document the
place is given as ``visits[3].latest_start`` (counting from 0) instead.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from geopy.distance import great_circle

from scheduler.io.files import write_text_atomic
from scheduler.io.tables import Table, date_parser, parse_date, parse_table, table_from_records
from scheduler.model.care import (
    BreakWindow,
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
from scheduler.model.clock import MINUTES_PER_DAY, format_clock, parse_clock
from scheduler.model.codes import InputCode
from scheduler.model.errors import InputError, InputIssue
from scheduler.model.settings import DEFAULT_SKILLS, MAX_WEIGHT

__all__ = [
    "COLUMNS",
    "FAR_KM",
    "LoadedScenario",
    "load_scenario",
    "parse_date",
    "number_between",
    "one_of",
    "parse_shifts",
    "read_csv_rows",
    "read_file",
    "read_scenario",
    "scenario_from_document",
    "scenario_from_files",
    "scenario_to_json",
    "whole_between",
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
            "break_window",
            "break_window_minutes",
            "max_overtime_minutes",
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
        (
            "carers_required",
            "required_skills",
            "second_carer_skills",
            "second_carer_minutes",
            "priority",
            "pinned_carer",
            "late_tolerance_minutes",
            "late_weight",
            "follows",
            "min_gap_minutes",
            "max_gap_minutes",
            "other_carer",
            "windows",
        ),
    ),
    "history": (("client_id", "carer_id", "date"), ()),
    "shifts": (("carer_id", "date", "shifts"), ()),
    "skills": (("skill",), ("description",)),
}
REQUIRED_TABLES = ("carers", "clients", "visits")
TIME_COLUMNS = {
    "visits": ("earliest_start", "latest_start", "windows"),
    "carers": ("shifts", "break_window"),
}

FAR_KM = 100.0
"""A home or client farther than this from the middle of all the others is told (a warning);
one that would be near them with latitude and longitude swapped is an error. 100 km is wider
than any provider's patch and far narrower than the 7,000 km a swapped UK point lands away."""

_COLLAPSE_AFTER = 3
"""More problems of one kind in one column than this are told as one, with their rows."""


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario read without errors, with the notes a coordinator should still see."""

    scenario: Scenario
    notes: tuple[InputIssue, ...] = ()


@dataclass
class _Reader:
    issues: list[InputIssue] = field(default_factory=list)
    notes: list[InputIssue] = field(default_factory=list)

    def add(
        self, table: Table, index: int, column: str | None, code: InputCode, message: str
    ) -> None:
        row, col = table.where(index, column)
        self.issues.append(InputIssue(code, table.label, message, row, col))

    def note(
        self, table: Table, index: int, column: str | None, code: InputCode, message: str
    ) -> None:
        row, col = table.where(index, column)
        self.notes.append(InputIssue(code, table.label, message, row, col))

    def file_issue(self, label: str, code: InputCode, message: str) -> None:
        self.issues.append(InputIssue(code, label, message))

    def cell(
        self,
        table: Table,
        index: int,
        column: str,
        parse: Callable[[str], Any],
        code: InputCode,
        required: bool = False,
    ) -> Any:
        """Parse one cell; on failure record an issue and return None."""
        text = table.rows[index].get(column, "").strip()
        if not text:
            if required:
                self.add(table, index, column, "missing_value", "is empty")
            return None
        if table.decimal_comma and _DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")
        try:
            return parse(text)
        except ValueError as exc:
            self.add(table, index, column, code, str(exc))
            return None


_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
"""A number with a decimal comma, as a semicolon-separated file from such a locale holds."""


# ---- cell parsers: each raises ValueError with a readable message --------------------------


def number_between(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{text} is outside {low:g} to {high:g}")
        return value

    return parse


def whole_between(low: int, high: int) -> Callable[[str], int]:
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


def one_of(options: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(options)

    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise ValueError(f"'{text}' is not one of {', '.join(allowed)}")
        return value

    return parse


_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value not in _YES + _NO:
        raise ValueError(f"'{text}' is not yes or no")
    return value in _YES


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def _clock_spans(text: str, noun: str) -> list[tuple[str, int, int]]:
    """Each ``HH:MM-HH:MM`` of a ``;``-separated cell: (as written, first, last minute)."""
    spans = []
    for part in _items(text):
        pieces = part.split("-")
        if len(pieces) != 2:
            raise ValueError(f"'{part}' is not a {noun} HH:MM-HH:MM")
        spans.append((part, parse_clock(pieces[0]), parse_clock(pieces[1])))
    return spans


def _span_text(spans: Iterable[tuple[int, int]]) -> str:
    """The cell ``_clock_spans`` reads."""
    return ";".join(f"{format_clock(a)}-{format_clock(b)}" for a, b in spans)


def parse_shifts(text: str) -> tuple[Shift, ...]:
    shifts = []
    for part, start, end in _clock_spans(text, "shift"):
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


def parse_windows(text: str) -> tuple[tuple[int, int], ...]:
    """A visits.csv ``windows`` cell: start windows ``HH:MM-HH:MM`` in order, apart."""
    windows: list[tuple[int, int]] = []
    for part, first, last in _clock_spans(text, "window"):
        if last < first:
            raise ValueError(f"window {part} closes before it opens")
        if windows and first <= windows[-1][1] + 1:
            raise ValueError(f"window {part} does not come after the one before, with time between")
        windows.append((first, last))
    return tuple(windows)


def parse_break_window(text: str) -> tuple[int, int]:
    """A carers.csv ``break_window`` cell: one span ``HH:MM-HH:MM``."""
    spans = _clock_spans(text, "break window")
    if len(spans) != 1:
        raise ValueError(f"'{text}' is not one break window HH:MM-HH:MM")
    part, start, end = spans[0]
    if end <= start:
        raise ValueError(f"break window {part} ends before it starts")
    return start, end


def _break_window(reader: _Reader, table: Table, index: int) -> BreakWindow | None:
    """The break window of one carers.csv row, its minutes within it."""
    window = reader.cell(table, index, "break_window", parse_break_window, "malformed_time")
    minutes = reader.cell(
        table, index, "break_window_minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value"
    )
    if window is None:
        if minutes is not None and not table.rows[index].get("break_window", "").strip():
            reader.add(
                table,
                index,
                "break_window_minutes",
                "conflict",
                "says nothing without a break_window",
            )
        return None
    if minutes is not None and minutes > window[1] - window[0]:
        reader.add(
            table,
            index,
            "break_window_minutes",
            "conflict",
            f"{minutes} min do not fit in the break window {_span_text([window])}",
        )
        return None
    return BreakWindow(start=window[0], end=window[1], minutes=minutes)


def _day_shifts(text: str) -> tuple[Shift, ...]:
    """A shifts.csv cell: shifts as in carers.csv, or a day off when empty."""
    return parse_shifts(text) if _items(text) else ()


# ---- loading tables -------------------------------------------------------------------------


def _check_columns(reader: _Reader, table: Table) -> bool:
    required, optional = COLUMNS[table.name]
    present = set(table.columns)
    ok = True
    for column in required:
        if column not in present:
            reader.file_issue(table.label, "missing_column", f"has no column '{column}'")
            ok = False
    known = set(required) | set(optional)
    for column in [c for c in table.columns if c not in known]:
        reader.file_issue(
            table.label,
            "unknown_column",
            f"has a column '{column}' domcare does not know "
            f"(expected: {', '.join(required + optional)})",
        )
        ok = False
    return ok


def _csv_table(reader: _Reader, name: str, label: str, data: bytes) -> Table | None:
    """One CSV file's table, or None with its problems recorded. A file with nothing in it,
    not even a header, is an empty table if the table is optional."""
    table, problems = parse_table(name, label, data)
    reader.issues += problems
    if table is None:
        return None
    reader.notes += table.notes
    if not table.columns and name not in REQUIRED_TABLES:
        return table
    if not table.columns:
        required = ", ".join(COLUMNS[name][0])
        reader.file_issue(label, "empty_file", f"is empty: it needs a header row ({required})")
        return None
    return table if _check_columns(reader, table) else None


def read_file(path: Path) -> bytes:
    """A file's bytes; ``InputError`` naming it when it is missing or cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            [InputIssue("missing_file", path.name, f"not found in {path.parent}")]
        ) from None
    except OSError as exc:
        raise InputError(
            [InputIssue("unreadable_file", path.name, f"cannot be read: {exc.strerror}")]
        ) from None


def read_csv_rows(
    source: Path | str | bytes,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    label: str = "table.csv",
) -> list[dict[str, str]]:
    """The rows of one CSV file (a path, or its bytes as uploaded, named ``label``), for a
    reader of another input file (``manual_rota.csv``, ``waiting.csv``) to check cell by cell:
    text keyed by lower-case column name, list item ``i`` being spreadsheet row ``i + 2`` (the
    header is row 1; a blank row inside the table is a row of empty cells, blank rows after it
    are left out). Read as ``scheduler.io.tables`` reads spreadsheets.

    Raises ``InputError`` when the file is missing or unreadable, lacks a ``required``
    column, or has a column that is neither ``required`` nor ``optional``.
    """
    if isinstance(source, bytes):
        data = source
    else:
        label = Path(source).name
        data = read_file(Path(source))
    table, problems = parse_table(Path(label).stem, label, data)
    if table is None:
        raise InputError(problems)
    issues = [
        InputIssue("missing_column", label, f"has no column '{column}'")
        for column in required
        if column not in table.columns
    ]
    issues += [
        InputIssue(
            "unknown_column",
            label,
            f"has a column '{column}' domcare does not know "
            f"(expected: {', '.join(required + optional)})",
        )
        for column in table.columns
        if column not in required + optional
    ]
    if issues:
        raise InputError(issues)
    by_number = dict(zip(table.numbers, table.rows, strict=True))
    blank = dict.fromkeys(table.columns, "")
    return [by_number.get(number, blank) for number in range(2, max(table.numbers, default=1) + 1)]


def _folder_files(reader: _Reader, folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in COLUMNS:
        path = folder / f"{name}.csv"
        if not path.exists():
            if name in REQUIRED_TABLES:
                reader.file_issue(path.name, "missing_file", f"not found in {folder}")
            continue
        try:
            files[name] = path.read_bytes()
        except OSError as exc:
            reader.file_issue(path.name, "unreadable_file", f"cannot be read: {exc.strerror}")
    return files


def _csv_tables(reader: _Reader, files: Mapping[str, bytes]) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    for name in COLUMNS:
        if name not in files:
            continue
        table = _csv_table(reader, name, f"{name}.csv", files[name])
        if table is not None:
            tables[name] = table
    return tables


def _json_tables(reader: _Reader, document: Any, label: str) -> dict[str, Table]:
    if not isinstance(document, dict):
        reader.file_issue(label, "unreadable_file", "must hold a JSON object")
        return {}
    tables: dict[str, Table] = {}
    for name in COLUMNS:
        records = document.get(name)
        if records is None:
            if name in REQUIRED_TABLES:
                reader.file_issue(label, "missing_table", f"has no '{name}' list")
            continue
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            reader.file_issue(label, "unreadable_file", f"'{name}' must be a list of objects")
            continue
        table = table_from_records(name, label, records)
        # An empty list is an empty table, whatever its columns would have been.
        if not records or _check_columns(reader, table):
            tables[name] = table
    return tables


# ---- building the domain ---------------------------------------------------------------------


def _unique_ids(reader: _Reader, table: Table, column: str = "id") -> None:
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


def _skills_catalogue(reader: _Reader, tables: dict[str, Table]) -> frozenset[str]:
    table = tables.get("skills")
    if table is None or not table.rows:
        return DEFAULT_SKILLS
    skills = set()
    for index in range(len(table.rows)):
        skill = reader.cell(table, index, "skill", str.lower, "invalid_value", required=True)
        if skill:
            skills.add(skill)
    return frozenset(skills)


def _skill_set(
    reader: _Reader, table: Table, index: int, column: str, catalogue: frozenset[str]
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


NO_SKILL = "none"
"""Written in ``second_carer_skills`` for a helper who needs no skill (an empty cell: the same
skills as the first carer)."""


def _second_carer_skills(
    reader: _Reader, table: Table, index: int, catalogue: frozenset[str], required: int | None
) -> frozenset[str] | None:
    cell = table.rows[index].get("second_carer_skills", "").strip()
    if not cell:
        return None
    if required != 2:
        reader.add(
            table,
            index,
            "second_carer_skills",
            "invalid_value",
            "only a double-handed visit (carers_required 2) has a second carer",
        )
        return None
    if cell.lower() == NO_SKILL:
        return frozenset()
    return _skill_set(reader, table, index, "second_carer_skills", catalogue)


def _second_carer_minutes(
    reader: _Reader, table: Table, index: int, required: int | None, duration: int | None
) -> int | None:
    minutes = reader.cell(
        table, index, "second_carer_minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value"
    )
    if minutes is None:
        return None
    if required != 2:
        reader.add(
            table,
            index,
            "second_carer_minutes",
            "invalid_value",
            "only a double-handed visit (carers_required 2) has a second carer",
        )
        return None
    if duration is not None and minutes > duration:
        reader.add(
            table,
            index,
            "second_carer_minutes",
            "conflict",
            f"the second carer cannot stay longer than the visit's {duration} min",
        )
        return None
    return minutes


@dataclass(frozen=True)
class _Known:
    """The ids of one table, or None when that table could not be read: references to it
    are then not checked, so that one unreadable file is one problem, not one per row."""

    carers: set[str] | None
    clients: set[str] | None


def _dates(reader: _Reader, table: Table, column: str = "date") -> Callable[[str], dt.date]:
    """The parser for one table's date column, judged on the whole column (see
    ``scheduler.io.tables.date_form``); a note says how dates not written 2026-12-04 were read."""
    parse, note = date_parser(row.get(column, "") for row in table.rows)
    if note and not table.json_style:
        reader.notes.append(InputIssue("date_form", table.label, f"dates {note}", column=column))
    return parse


def _time_notes(reader: _Reader, table: Table) -> None:
    """Say so when a table's times were not written HH:MM (seconds, or the 12-hour clock)."""
    for column in TIME_COLUMNS.get(table.name, ()):
        odd = next(
            (
                value
                for row in table.rows
                for value in [row.get(column, "")]
                if re.search(r"\d:\d\d:\d\d|[AaPp]\.?[Mm]", value)
            ),
            None,
        )
        if odd is not None and not table.json_style:
            reader.notes.append(
                InputIssue(
                    "time_form",
                    table.label,
                    f"times such as '{odd}' read to the minute",
                    None,
                    column,
                )
            )


def _build_carers(
    reader: _Reader,
    table: Table,
    catalogue: frozenset[str],
    known: _Known,
    overrides: dict[str, list[DayShifts]],
) -> list[Carer]:
    _unique_ids(reader, table)
    _time_notes(reader, table)
    carers = []
    for i in range(len(table.rows)):
        before = len(reader.issues)
        carer_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        name = reader.cell(table, i, "name", str.strip, "invalid_value", required=True)
        lat = reader.cell(
            table, i, "home_lat", number_between(-90, 90), "out_of_range", required=True
        )
        lon = reader.cell(
            table, i, "home_lon", number_between(-180, 180), "out_of_range", required=True
        )
        shifts = reader.cell(table, i, "shifts", parse_shifts, "malformed_shift", required=True)
        skills = _skill_set(reader, table, i, "skills", catalogue)
        gender = reader.cell(table, i, "gender", one_of(Gender), "invalid_value")
        mode = reader.cell(table, i, "travel_mode", one_of(TravelMode), "invalid_value")
        max_minutes = reader.cell(
            table, i, "max_working_minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value"
        )
        no_go = _refs(reader, table, i, "no_go_clients", known.clients, "client")
        weekly = reader.cell(
            table, i, "max_weekly_minutes", whole_between(1, 7 * MINUTES_PER_DAY), "invalid_value"
        )
        lunch = _break_window(reader, table, i)
        overtime = reader.cell(
            table, i, "max_overtime_minutes", whole_between(0, MINUTES_PER_DAY), "invalid_value"
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
                    break_window=lunch,
                    max_overtime_minutes=overtime,
                )
            )
    return carers


def _build_overrides(
    reader: _Reader, table: Table, carer_ids: set[str] | None
) -> dict[str, list[DayShifts]]:
    """Carer id -> that carer's shifts on given dates (shifts.csv). A row for a carer no
    longer in carers.csv is ignored with a note."""
    overrides: dict[str, list[DayShifts]] = {}
    seen: dict[tuple[str, dt.date], int] = {}
    dates = _dates(reader, table)
    for i in range(len(table.rows)):
        before = len(reader.issues)
        carer_id = reader.cell(table, i, "carer_id", str.strip, "invalid_value", required=True)
        date = reader.cell(table, i, "date", dates, "malformed_date", required=True)
        shifts = reader.cell(table, i, "shifts", _day_shifts, "malformed_shift")
        if carer_id and date and (carer_id, date) in seen:
            first, _ = table.where(seen[(carer_id, date)], "date")
            at = f"row {first}" if first is not None else f"{table.name}[{seen[(carer_id, date)]}]"
            reader.add(
                table, i, "date", "duplicate_row", f"{carer_id} on {date} is given already ({at})"
            )
        if len(reader.issues) > before:
            continue
        seen[(carer_id, date)] = i
        if carer_ids is not None and carer_id not in carer_ids:
            reader.note(
                table, i, "carer_id", "unknown_carer", f"no carer has the id '{carer_id}'; ignored"
            )
            continue
        overrides.setdefault(carer_id, []).append(DayShifts(date=date, shifts=shifts or ()))
    return overrides


def _refs(
    reader: _Reader, table: Table, index: int, column: str, known: set[str] | None, kind: str
) -> frozenset[str]:
    """Ids in a multi-valued cell. One that is not among the ids of ``kind`` (carer, client)
    is what a carer or client leaving behind: ignored, with a note."""
    refs = _items(table.rows[index].get(column, ""))
    if known is None:
        return frozenset(refs)
    for ref in refs:
        if ref not in known:
            code: InputCode = "unknown_carer" if kind == "carer" else "unknown_client"
            reader.note(table, index, column, code, f"no {kind} has the id '{ref}'; ignored")
    return frozenset(ref for ref in refs if ref in known)


def _build_clients(reader: _Reader, table: Table, known: _Known) -> list[Client]:
    _unique_ids(reader, table)
    clients = []
    for i, row in enumerate(table.rows):
        before = len(reader.issues)
        client_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        name = reader.cell(table, i, "name", str.strip, "invalid_value", required=True)
        lat = reader.cell(table, i, "lat", number_between(-90, 90), "out_of_range", required=True)
        lon = reader.cell(table, i, "lon", number_between(-180, 180), "out_of_range", required=True)
        preferred = _refs(reader, table, i, "preferred_carers", known.carers, "carer")
        excluded = _refs(reader, table, i, "excluded_carers", known.carers, "carer")
        gender = reader.cell(table, i, "gender_preference", one_of(Gender), "invalid_value")
        strength = reader.cell(
            table, i, "gender_preference_strength", one_of(Strength), "invalid_value"
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
    table: Table,
    clients: dict[str, Client],
    known: _Known,
    catalogue: frozenset[str],
) -> list[Visit]:
    _unique_ids(reader, table)
    _time_notes(reader, table)
    dates = _dates(reader, table)
    visits = []
    rows: dict[str, int] = {}
    for i in range(len(table.rows)):
        before = len(reader.issues)
        visit_id = reader.cell(table, i, "id", str.strip, "invalid_value", required=True)
        client_id = reader.cell(table, i, "client_id", str.strip, "invalid_value", required=True)
        if client_id and known.clients is not None and client_id not in known.clients:
            reader.add(
                table, i, "client_id", "unknown_client", f"no client has the id '{client_id}'"
            )
        date = reader.cell(table, i, "date", dates, "malformed_date", required=True)
        earliest = reader.cell(table, i, "earliest_start", parse_clock, "malformed_time", True)
        latest = reader.cell(table, i, "latest_start", parse_clock, "malformed_time", True)
        duration = reader.cell(
            table, i, "duration_minutes", whole_between(1, MINUTES_PER_DAY), "invalid_value", True
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
        carers_required = reader.cell(
            table, i, "carers_required", whole_between(1, 2), "invalid_value"
        )
        skills = _skill_set(reader, table, i, "required_skills", catalogue)
        second = _second_carer_skills(reader, table, i, catalogue, carers_required)
        second_minutes = _second_carer_minutes(reader, table, i, carers_required, duration)
        priority = reader.cell(table, i, "priority", one_of(Priority), "invalid_value")
        pinned = reader.cell(table, i, "pinned_carer", str.strip, "invalid_value")
        tolerance = reader.cell(
            table, i, "late_tolerance_minutes", whole_between(0, MINUTES_PER_DAY), "invalid_value"
        )
        if tolerance and priority == Priority.CRITICAL:
            reader.add(
                table,
                i,
                "late_tolerance_minutes",
                "conflict",
                "a critical visit is never late: leave the tolerance empty or 0",
            )
        late_weight = reader.cell(
            table, i, "late_weight", whole_between(0, MAX_WEIGHT), "invalid_value"
        )
        if late_weight is not None and priority == Priority.CRITICAL:
            reader.add(
                table,
                i,
                "late_weight",
                "conflict",
                "a critical visit is never late: leave its late weight empty",
            )
        follows = reader.cell(table, i, "follows", str.strip, "invalid_value")
        min_gap = reader.cell(
            table, i, "min_gap_minutes", whole_between(0, MINUTES_PER_DAY), "invalid_value"
        )
        max_gap = reader.cell(
            table, i, "max_gap_minutes", whole_between(0, MINUTES_PER_DAY), "invalid_value"
        )
        other_carer = reader.cell(table, i, "other_carer", yes_no, "invalid_value")
        windows = reader.cell(table, i, "windows", parse_windows, "malformed_time") or ()
        envelope = (earliest, latest)
        if windows and None not in envelope and (windows[0][0], windows[-1][1]) != envelope:
            reader.add(
                table,
                i,
                "windows",
                "conflict",
                "the first window must open at earliest_start and the last close at latest_start",
            )
        if len(windows) == 1:
            windows = ()  # one window: the columns say it
        _gap_cells(reader, table, i, visit_id, follows, min_gap, max_gap, other_carer)
        if follows and carers_required == 2:
            reader.add(
                table, i, "follows", "conflict", "a double-handed visit cannot follow another"
            )
        if pinned and known.carers is not None and pinned not in known.carers:
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
                    second_carer_skills=second,
                    second_carer_minutes=second_minutes,
                    priority=priority or Priority.NORMAL,
                    pinned_carer=pinned,
                    late_tolerance=tolerance,
                    late_weight=late_weight,
                    follows=follows,
                    min_gap=min_gap or 0,
                    max_gap=max_gap,
                    other_carer=bool(other_carer),
                    windows=windows,
                )
            )
            rows[visit_id] = i
    _check_follows(reader, table, visits, rows)
    return visits


def _gap_cells(
    reader: _Reader,
    table: Table,
    index: int,
    visit_id: str | None,
    follows: str | None,
    min_gap: int | None,
    max_gap: int | None,
    other_carer: bool | None,
) -> None:
    """The gap columns of one row, which mean something only beside ``follows``."""
    if not follows:
        for column, value in (
            ("min_gap_minutes", min_gap),
            ("max_gap_minutes", max_gap),
            ("other_carer", other_carer),
        ):
            if value:
                reader.add(
                    table, index, column, "conflict", "says nothing without the call it follows"
                )
        return
    if follows == visit_id:
        reader.add(table, index, "follows", "conflict", "a visit cannot follow itself")
    if min_gap is not None and max_gap is not None and max_gap < min_gap:
        reader.add(
            table,
            index,
            "max_gap_minutes",
            "conflict",
            f"{max_gap} is less than the min_gap_minutes {min_gap}",
        )


def _check_follows(
    reader: _Reader, table: Table, visits: list[Visit], rows: dict[str, int]
) -> None:
    """Each call followed exists, is the same client's on the same day, for one carer, and
    the two windows hold at least one pair of starts that keeps the gap."""
    by_id = {visit.id: visit for visit in visits}
    named = {row.get("id", "").strip() for row in table.rows}
    for visit in visits:
        if visit.follows is None:
            continue
        i = rows[visit.id]
        first = by_id.get(visit.follows)
        if first is None:
            if visit.follows not in named:  # else that row has its own problem
                reader.add(
                    table, i, "follows", "unknown_visit", f"no visit has the id '{visit.follows}'"
                )
            continue
        if (first.client_id, first.date) != (visit.client_id, visit.date):
            reader.add(
                table,
                i,
                "follows",
                "conflict",
                f"{first.id} is not a call of client {visit.client_id} on {visit.date}",
            )
        elif first.double_handed:
            reader.add(
                table,
                i,
                "follows",
                "conflict",
                f"{first.id} is double-handed: it cannot be followed",
            )
        elif visit.latest_start - first.earliest_start < visit.min_gap:
            reader.add(
                table,
                i,
                "min_gap_minutes",
                "conflict",
                f"the latest start {format_clock(visit.latest_start)} is less than "
                f"{visit.min_gap} min after {first.id}'s earliest "
                f"{format_clock(first.earliest_start)}",
            )
        elif (
            visit.max_gap is not None and visit.earliest_start - first.latest_start > visit.max_gap
        ):
            reader.add(
                table,
                i,
                "max_gap_minutes",
                "conflict",
                f"the earliest start {format_clock(visit.earliest_start)} is more than "
                f"{visit.max_gap} min after {first.id}'s latest {format_clock(first.latest_start)}",
            )


def _build_history(reader: _Reader, table: Table) -> list[HistoryEntry]:
    """Past visits. Carers who have left and clients no longer in care are normal here."""
    history = []
    dates = _dates(reader, table)
    for i in range(len(table.rows)):
        before = len(reader.issues)
        client_id = reader.cell(table, i, "client_id", str.strip, "invalid_value", required=True)
        carer_id = reader.cell(table, i, "carer_id", str.strip, "invalid_value", required=True)
        date = reader.cell(table, i, "date", dates, "malformed_date", required=True)
        if len(reader.issues) == before:
            history.append(HistoryEntry(client_id=client_id, carer_id=carer_id, date=date))
    return history


def _ids(table: Table | None) -> set[str] | None:
    if table is None:
        return None
    return {row.get("id", "").strip() for row in table.rows} - {""}


def _check_places(
    reader: _Reader, tables: dict[str, Table], carers: list[Carer], clients: list[Client]
) -> None:
    """A home or client far from the middle of all the others (see ``FAR_KM``): an error when
    latitude and longitude look swapped, else a note."""
    places: list[tuple[Table, int, str, Location]] = []
    for kind, column, located in (
        ("carers", "home_lat", [(c.id, c.home) for c in carers]),
        ("clients", "lat", [(c.id, c.location) for c in clients]),
    ):
        table = tables[kind]
        index_of = {row.get("id", "").strip(): i for i, row in enumerate(table.rows)}
        places += [(table, index_of[key], column, where) for key, where in located]
    if len(places) < 3:
        return
    middle = (
        statistics.median(p.lat for *_, p in places),
        statistics.median(p.lon for *_, p in places),
    )
    for table, index, column, place in places:
        away = great_circle(middle, (place.lat, place.lon)).km
        if away <= FAR_KM:
            continue
        lon_column = column.replace("lat", "lon")
        if -90 <= place.lon <= 90 and great_circle(middle, (place.lon, place.lat)).km <= FAR_KM:
            reader.add(
                table,
                index,
                column,
                "coordinates_swapped",
                f"{column} {place.lat:g} and {lon_column} {place.lon:g} look swapped: as given "
                f"the place is {away:,.0f} km from the others, swapped it is among them",
            )
        else:
            reader.note(
                table,
                index,
                column,
                "far_away",
                f"{place.lat:g}, {place.lon:g} is {away:,.0f} km from the middle of the other "
                f"places ({middle[0]:.4f}, {middle[1]:.4f}); check {column} and {lon_column}",
            )


def _collapse(issues: list[InputIssue]) -> list[InputIssue]:
    """Problems of one kind repeated down one column, told once with the rows they cover."""
    groups: dict[tuple[str, str, str | None], list[InputIssue]] = defaultdict(list)
    for issue in issues:
        if issue.row is not None:
            groups[(issue.file, issue.code, issue.column)].append(issue)
    told: set[tuple[str, str, str | None]] = set()
    collapsed = []
    for issue in issues:
        key = (issue.file, issue.code, issue.column)
        group = groups.get(key, [])
        if len(group) <= _COLLAPSE_AFTER:
            collapsed.append(issue)
        elif key not in told:
            told.add(key)
            rows = _row_ranges([i.row for i in group[1:] if i.row is not None])
            collapsed.append(
                InputIssue(
                    issue.code,
                    issue.file,
                    f"{issue.message}; the same in {len(group) - 1} more rows ({rows})",
                    issue.row,
                    issue.column,
                )
            )
    return collapsed


def _row_ranges(rows: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9'."""
    spans: list[list[int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)


def _scenario(reader: _Reader, tables: dict[str, Table], name: str) -> LoadedScenario:
    catalogue = _skills_catalogue(reader, tables)
    known = _Known(carers=_ids(tables.get("carers")), clients=_ids(tables.get("clients")))
    overrides = (
        _build_overrides(reader, tables["shifts"], known.carers) if "shifts" in tables else {}
    )
    carers = (
        _build_carers(reader, tables["carers"], catalogue, known, overrides)
        if "carers" in tables
        else []
    )
    clients = _build_clients(reader, tables["clients"], known) if "clients" in tables else []
    visits = (
        _build_visits(
            reader, tables["visits"], {client.id: client for client in clients}, known, catalogue
        )
        if "visits" in tables
        else []
    )
    history = _build_history(reader, tables["history"]) if "history" in tables else []
    if "carers" in tables and "clients" in tables:
        _check_places(reader, tables, carers, clients)
    if reader.issues:
        raise InputError(_collapse(reader.issues))
    scenario = Scenario(
        name=name,
        date=min(visit.date for visit in visits) if visits else dt.date.today(),
        carers=tuple(carers),
        clients=tuple(clients),
        visits=tuple(visits),
        history=tuple(history),
        skills=catalogue,
    )
    return LoadedScenario(scenario, tuple(_collapse(reader.notes)))


def scenario_from_files(files: Mapping[str, bytes], name: str) -> LoadedScenario:
    """A scenario from its CSV files' bytes, keyed by table name (``carers``, ``visits``, ...),
    as a folder holds them or a request uploads them. Raises ``InputError``."""
    reader = _Reader()
    for table in REQUIRED_TABLES:
        if table not in files:
            reader.file_issue(f"{table}.csv", "missing_file", "not found in the upload")
    return _scenario(reader, _csv_tables(reader, files), name)


def scenario_from_document(document: Any, label: str, name: str) -> LoadedScenario:
    """A scenario from a parsed JSON document (tables as lists of objects); ``label`` names it
    in messages. Raises ``InputError``."""
    reader = _Reader()
    tables = _json_tables(reader, document, label)
    title = document.get("name") if isinstance(document, dict) else None
    return _scenario(reader, tables, str(title) if title else name)


def load_scenario(path: Path | str) -> LoadedScenario:
    """Read a scenario folder (carers.csv, clients.csv, visits.csv, optional history.csv,
    skills.csv and shifts.csv) or a JSON document with the same tables as lists of objects,
    with the notes a coordinator should see. Raises ``InputError`` listing every problem."""
    path = Path(path)
    if path.is_dir():
        reader = _Reader()
        files = _folder_files(reader, path)
        return _scenario(reader, _csv_tables(reader, files), path.resolve().name)
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            document = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                [InputIssue("unreadable_file", path.name, f"cannot be read: {exc}")]
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                [
                    InputIssue(
                        "unreadable_file",
                        path.name,
                        f"is not valid JSON (line {exc.lineno}: {exc.msg})",
                    )
                ]
            ) from None
        return scenario_from_document(document, path.name, path.stem)
    if path.is_file():
        raise InputError([InputIssue("unreadable_file", path.name, "expected a folder or .json")])
    raise InputError([InputIssue("missing_file", str(path), "no such folder or file")])


def read_scenario(path: Path | str) -> Scenario:
    """``load_scenario``'s scenario, for callers with no one to show notes to."""
    return load_scenario(path).scenario


# ---- writing ---------------------------------------------------------------------------------


def _join(values: Iterable[str]) -> str:
    return ";".join(sorted(values))


def _shift_text(shifts: Iterable[Shift]) -> str:
    return _span_text((s.start, s.end) for s in shifts)


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
                "break_window": ""
                if c.break_window is None
                else _span_text([(c.break_window.start, c.break_window.end)]),
                "break_window_minutes": ""
                if c.break_window is None or c.break_window.minutes is None
                else c.break_window.minutes,
                "max_overtime_minutes": ""
                if c.max_overtime_minutes is None
                else c.max_overtime_minutes,
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
                "second_carer_skills": ""
                if v.second_carer_skills is None
                else _join(v.second_carer_skills) or NO_SKILL,
                "second_carer_minutes": v.second_carer_minutes or "",
                "priority": v.priority.value,
                "pinned_carer": v.pinned_carer or "",
                "late_tolerance_minutes": "" if v.late_tolerance is None else v.late_tolerance,
                "late_weight": "" if v.late_weight is None else v.late_weight,
                "follows": v.follows or "",
                "min_gap_minutes": v.min_gap if v.follows else "",
                "max_gap_minutes": "" if v.max_gap is None else v.max_gap,
                "other_carer": ("yes" if v.other_carer else "no") if v.follows else "",
                "windows": _span_text(v.windows),
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
