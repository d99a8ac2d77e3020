"""The waiting list: care packages of people waiting for home care, and which a rota takes on.

A package is a new client with a weekly pattern of calls (``waiting.csv``: one row per call,
package fields repeated). It is taken on all or nothing: nobody starts care with their
morning call covered and their bedtime call not. Packages become clients and visits of
priority ``WAITING`` (``with_packages``), which a plan covers only where carers have room.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import Field, ValidationError

from scheduler.io.files import write_text_atomic
from scheduler.io.scenario import (
    number_between,
    one_of,
    parse_date,
    read_csv_rows,
    whole_between,
)
from scheduler.model.base import Frozen
from scheduler.model.care import Client, Gender, Location, Priority, Scenario, Visit
from scheduler.model.clock import MINUTES_PER_DAY, format_clock, parse_clock
from scheduler.model.errors import InputError, InputIssue
from scheduler.model.plan import Plan

__all__ = [
    "WAITING_COLUMNS",
    "CarePackage",
    "PackageCall",
    "read_waiting_list",
    "taken_on",
    "waiting_list_csv",
    "with_packages",
    "write_waiting_list",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as ``waiting.csv`` writes them; Monday is 0, as ``date.weekday()``."""

WAITING_COLUMNS = (
    "package_id",
    "lat",
    "lon",
    "days",
    "earliest_start",
    "latest_start",
    "duration_minutes",
    "carers_required",
    "required_skills",
    "gender_preference",
    "waiting_since",
)
_REQUIRED = WAITING_COLUMNS[:7]
WAITING_FILE = "waiting.csv"


class PackageCall(Frozen):
    earliest_start: int = Field(ge=0, le=24 * 60)
    latest_start: int = Field(ge=0, le=24 * 60)
    duration: int = Field(gt=0, le=24 * 60)
    carers_required: int = Field(default=1, ge=1, le=2)
    required_skills: frozenset[str] = frozenset()
    days: frozenset[int] = frozenset(range(7))
    """Weekdays (Monday 0) the call is wanted on."""


class CarePackage(Frozen):
    """A person on the waiting list. No name or address: an id and a place are enough to
    plan, and a waiting list is personal data."""

    id: str
    location: Location
    calls: tuple[PackageCall, ...] = Field(min_length=1)
    gender_preference: Gender | None = None
    waiting_since: dt.date | None = None

    @property
    def client_id(self) -> str:
        return f"WL-{self.id}"


def _visit_id(package: CarePackage, call: int, date: dt.date) -> str:
    return f"{package.client_id}-{call + 1}-{date.isoformat()}"


def with_packages(scenario: Scenario, packages: Sequence[CarePackage]) -> Scenario:
    """``scenario`` with each package as a client and its calls on the scenario's dates as
    visits of priority ``WAITING``."""
    clients = tuple(
        Client(
            id=package.client_id,
            name=f"waiting list {package.id}",
            location=package.location,
            gender_preference=package.gender_preference,
        )
        for package in packages
    )
    visits = tuple(
        Visit(
            id=_visit_id(package, number, date),
            client_id=package.client_id,
            date=date,
            earliest_start=call.earliest_start,
            latest_start=call.latest_start,
            duration=call.duration,
            carers_required=call.carers_required,
            required_skills=call.required_skills,
            priority=Priority.WAITING,
        )
        for package in packages
        for number, call in enumerate(package.calls)
        for date in scenario.dates
        if date.weekday() in call.days
    )
    return Scenario(
        **{
            name: getattr(scenario, name)
            for name in Scenario.model_fields
            if name not in ("clients", "visits")
        },
        clients=scenario.clients + clients,
        visits=scenario.visits + visits,
    )


def taken_on(
    scenario: Scenario, packages: Sequence[CarePackage], plans: Sequence[Plan]
) -> tuple[str, ...]:
    """Ids of the packages whose every call on the scenario's dates is covered by ``plans``
    (``scenario`` being the one ``with_packages`` made). A package with no call on these
    dates is not taken on: nothing of it was planned."""
    covered: dict[str, int] = defaultdict(int)
    for plan in plans:
        for run in plan.runs:
            for stop in run.stops:
                covered[stop.visit_id] += 1
    wanted: dict[str, list[Visit]] = defaultdict(list)
    for visit in scenario.visits:
        wanted[visit.client_id].append(visit)
    return tuple(
        package.id
        for package in packages
        if wanted[package.client_id]
        and all(covered[v.id] >= v.carers_required for v in wanted[package.client_id])
    )


# ---- the CSV ---------------------------------------------------------------------------------


def _days(text: str) -> frozenset[int]:
    if text.strip().lower() in ("", "daily", "all"):
        return frozenset(range(7))
    days = set()
    for part in text.split(";"):
        name = part.strip().lower()[:3]
        if name not in DAYS:
            raise ValueError(f"'{part.strip()}' is not a weekday (mon, tue, ... or daily)")
        days.add(DAYS.index(name))
    return frozenset(days)


def read_waiting_list(
    source: Path | str | bytes, skills: frozenset[str]
) -> tuple[CarePackage, ...]:
    """Packages in file order, from a path or a file's bytes as uploaded; one ``InputError``
    listing every problem, located by row and column, when it cannot be read as a waiting
    list. Read as every table is (``scheduler.io.scenario.read_csv_rows``: encodings,
    separators, blank rows), each cell with the scenario reader's own parsers and messages."""
    label = WAITING_FILE if isinstance(source, bytes) else Path(source).name
    rows = read_csv_rows(source, _REQUIRED, WAITING_COLUMNS[len(_REQUIRED) :], label)
    issues: list[InputIssue] = []
    calls: dict[str, list[PackageCall]] = defaultdict(list)
    first: dict[str, dict[str, str]] = {}
    for index, row in enumerate(rows):
        line = index + 2  # as a spreadsheet numbers it: the header is row 1
        cells = {column: text.strip() for column, text in row.items()}

        def cell(
            column: str,
            parse: Callable[[str], Any],
            line: int = line,
            cells: dict[str, str] = cells,
        ) -> Any:
            text = cells.get(column, "")
            if not text:
                if column in _REQUIRED:
                    issues.append(InputIssue("missing_value", label, "is empty", line, column))
                return None
            try:
                return parse(text)
            except ValueError as exc:
                issues.append(InputIssue("invalid_value", label, str(exc), line, column))
                return None

        package_id = cells.get("package_id", "")
        cell("lat", number_between(-90, 90))
        cell("lon", number_between(-180, 180))
        earliest, latest = cell("earliest_start", parse_clock), cell("latest_start", parse_clock)
        duration = cell("duration_minutes", whole_between(1, MINUTES_PER_DAY))
        required = cell("carers_required", whole_between(1, 2)) or 1
        needs = frozenset(cell("required_skills", lambda t: t.split(";")) or ())
        days = cell("days", _days)
        cell("gender_preference", one_of(Gender))
        cell("waiting_since", parse_date)
        unknown = sorted(s.strip() for s in needs if s.strip() not in skills)
        if unknown:
            issues.append(
                InputIssue(
                    "unknown_skill",
                    label,
                    f"unknown skill(s) {', '.join(unknown)}",
                    line,
                    "required_skills",
                )
            )
        if not package_id:
            continue
        if package_id in first:
            for column in ("lat", "lon", "gender_preference", "waiting_since"):
                if cells.get(column, "") != first[package_id].get(column, ""):
                    issues.append(
                        InputIssue(
                            "inconsistent_package",
                            label,
                            f"differs from package {package_id}'s first row",
                            line,
                            column,
                        )
                    )
        else:
            first[package_id] = cells
        try:
            calls[package_id].append(
                PackageCall(
                    earliest_start=earliest,
                    latest_start=latest,
                    duration=duration,
                    carers_required=required,
                    required_skills=frozenset(s.strip() for s in needs),
                    days=days if days is not None else frozenset(range(7)),
                )
            )
        except ValidationError as exc:
            if not any(issue.row == line for issue in issues):
                for error in exc.errors():
                    issues.append(InputIssue("invalid_value", label, error["msg"], line, None))
        if earliest is not None and latest is not None and latest < earliest:
            issues.append(
                InputIssue(
                    "window_inverted",
                    label,
                    "latest start is before earliest",
                    line,
                    "latest_start",
                )
            )
    if issues:
        raise InputError(issues)
    packages = []
    for package_id, package_calls in calls.items():
        cells = first[package_id]
        packages.append(
            CarePackage(
                id=package_id,
                location=Location(lat=float(cells["lat"]), lon=float(cells["lon"])),
                calls=tuple(package_calls),
                gender_preference=Gender(cells["gender_preference"])
                if cells.get("gender_preference")
                else None,
                waiting_since=dt.date.fromisoformat(cells["waiting_since"])
                if cells.get("waiting_since")
                else None,
            )
        )
    return tuple(packages)


def waiting_list_csv(packages: Sequence[CarePackage]) -> str:
    rows = [
        {
            "package_id": package.id,
            "lat": package.location.lat,
            "lon": package.location.lon,
            "days": "daily"
            if call.days == frozenset(range(7))
            else ";".join(DAYS[d] for d in sorted(call.days)),
            "earliest_start": format_clock(call.earliest_start),
            "latest_start": format_clock(call.latest_start),
            "duration_minutes": call.duration,
            "carers_required": call.carers_required,
            "required_skills": ";".join(sorted(call.required_skills)),
            "gender_preference": package.gender_preference.value
            if package.gender_preference
            else "",
            "waiting_since": package.waiting_since.isoformat() if package.waiting_since else "",
        }
        for package in packages
        for call in package.calls
    ]
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=list(WAITING_COLUMNS)).to_csv(
        buffer, index=False, lineterminator="\n"
    )
    return buffer.getvalue()


def write_waiting_list(packages: Sequence[CarePackage], path: Path | str) -> None:
    write_text_atomic(Path(path), waiting_list_csv(packages))
