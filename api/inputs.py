"""From a request to a job's input, and back in the worker: the scenario (a JSON document,
uploaded CSV files or a shipped scenario), the settings the options make, and for a
comparison the manual rota and the waiting list.

Everything is read with the command line's own readers, so a bad cell is reported with the
same file, row, column, code and message. Every problem found is raised in one
``InputError``: options, scenario, then the files that need the scenario to be read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from api.config import ServiceSettings
from api.schemas import ROAD, STRAIGHT_LINE, Issue, RotaOptions, ScenarioFacts, TravelChoice
from api.shipped import ShippedScenarios
from scheduler.analysis.manual import Assignment, read_manual_rota
from scheduler.analysis.waiting import CarePackage, read_waiting_list
from scheduler.io.events import read_events
from scheduler.io.scenario import (
    LoadedScenario,
    load_scenario,
    scenario_from_document,
    scenario_from_files,
    scenario_to_json,
)
from scheduler.io.tables import decode_text
from scheduler.io.travel import travel_from
from scheduler.model.care import Scenario
from scheduler.model.clock import parse_clock
from scheduler.model.codes import InputCode
from scheduler.model.errors import DomcareError, InputError, InputIssue
from scheduler.model.events import Event
from scheduler.model.plan import Plan, WeekPlan
from scheduler.model.settings import Settings
from scheduler.planning.history import standing, week_day

__all__ = [
    "COMPARE_FILES",
    "SCENARIO_FILES",
    "JobInput",
    "ReplanInput",
    "Submission",
    "job_input",
    "options_issues",
    "read_stored",
    "replan_input",
    "settings_for",
    "travel_of",
]

SCENARIO_FILES = ("carers", "clients", "visits", "history", "skills", "shifts")
COMPARE_FILES = {"manual_rota": "manual_rota.csv", "waiting_list": "waiting.csv"}
OPTIONS_FILE = "options"
REQUEST_FILE = "request"
SCENARIO_JSON = "scenario.json"
T = TypeVar("T")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

# Options that are fields of Settings.solve; the others are Settings' own top-level fields.
_SOLVE_OPTIONS = {"time_limit_s", "solution_limit", "first_solution", "metaheuristic", "seed"}


@dataclass(frozen=True)
class Submission:
    """A request as sent, before any of it is checked as care data."""

    options: RotaOptions
    document: dict[str, Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    name: str | None = None
    shipped: str | None = None
    manual_rota: str | bytes | None = None
    waiting_list: str | bytes | None = None
    shipped_waiting_list: bool = False


@dataclass(frozen=True)
class JobInput:
    """A job's checked input; ``document`` is what is stored, and read back by the worker."""

    scenario: Scenario
    settings: Settings
    show_names: bool
    manual_rota: str | None = None
    waiting_list: str | None = None
    notes: tuple[InputIssue, ...] = ()
    """What a coordinator should know of how the scenario was read (``LoadedScenario``)."""
    travel: TravelChoice = STRAIGHT_LINE
    """What the legs are timed on: ``road`` is the service's extract, whichever it is when
    the job runs (so the path is never stored with a job)."""

    def document(self) -> dict[str, Any]:
        return {
            "scenario": json.loads(scenario_to_json(self.scenario)),
            "settings": self.settings.model_dump(mode="json"),
            "show_names": self.show_names,
            "manual_rota": self.manual_rota,
            "waiting_list": self.waiting_list,
            "travel": self.travel,
        }

    def facts(self) -> ScenarioFacts:
        return ScenarioFacts(
            name=self.scenario.name,
            dates=list(self.scenario.dates),
            visits=len(self.scenario.visits),
            carers=len(self.scenario.carers),
            clients=len(self.scenario.clients),
            notes=[Issue.model_validate(vars(note)) for note in self.notes],
        )

    def assignments(self) -> tuple[Assignment, ...] | None:
        """The manual rota, read (and so checked) against the scenario."""
        if self.manual_rota is None:
            return None
        return read_manual_rota(self.manual_rota.encode("utf-8"), self.scenario)

    def packages(self) -> tuple[CarePackage, ...] | None:
        """The waiting list, its skills checked against the scenario's."""
        if self.waiting_list is None:
            return None
        return read_waiting_list(self.waiting_list.encode("utf-8"), self.scenario.skills)


def _validation_issues(exc: ValidationError, file: str, code: InputCode) -> list[InputIssue]:
    return [
        InputIssue(
            code,
            file,
            error["msg"],
            column=".".join(str(part) for part in error["loc"]) or None,
        )
        for error in exc.errors()
    ]


def options_issues(exc: ValidationError) -> InputError:
    """A request body or options that do not fit their schema, as located issues."""
    return InputError(_validation_issues(exc, REQUEST_FILE, "invalid_request"))


def settings_for(options: RotaOptions, service: ServiceSettings) -> Settings:
    """Domcare's default settings with every option given put over them, checked as a whole
    (so a weight out of range is reported like bad input, by the option's name)."""
    merged = Settings().model_dump()
    for name, value in options.model_dump(exclude={"show_names", "travel"}).items():
        if value is None:
            continue
        if name == "break_after_minutes" and value == 0:
            value = None  # 0: no breaks, as on the command line
        (merged["solve"] if name in _SOLVE_OPTIONS else merged)[name] = value
    issues = []
    if options.time_limit_s > service.max_time_limit_s:
        issues.append(
            InputIssue(
                "time_limit_too_long",
                OPTIONS_FILE,
                f"{options.time_limit_s:g} s is over this service's most, "
                f"{service.max_time_limit_s:g} s a day",
                column="time_limit_s",
            )
        )
    if options.travel == ROAD and service.osm_extract is None:
        issues.append(no_roads("invalid_option", OPTIONS_FILE))
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        issues += [
            InputIssue(
                "invalid_option",
                OPTIONS_FILE,
                error["msg"],
                column=str(error["loc"][-1]) if error["loc"] else None,
            )
            for error in exc.errors()
        ]
    if issues:
        raise InputError(issues)
    return settings


EXTRACT_SETTING = "DOMCARE_OSM_EXTRACT"


def no_roads(code: InputCode, file: str) -> InputIssue:
    """A request for road travel on a service without an extract: refused before queueing."""
    return InputIssue(
        code,
        file,
        "this service has no map of roads (an OpenStreetMap extract, set by whoever "
        f"runs it as {EXTRACT_SETTING}): ask for {STRAIGHT_LINE} travel",
        column="travel",
    )


def travel_model(
    choice: str,
    extract: Path | None,
    asked_by: str = "job",
    again: str = f"request it again with {STRAIGHT_LINE} travel",
) -> str:
    """What ``travel_from`` is given for a request's travel choice: road is the service's
    extract as it is when the job runs (a job queued before a restart without one fails,
    saying so, and ``again`` what to do)."""
    if choice != ROAD:
        return STRAIGHT_LINE
    if extract is None:
        raise DomcareError(
            f"this {asked_by} asks for travel timed on roads, but the service has no map of "
            f"roads any more ({EXTRACT_SETTING}): {again}"
        )
    return f"osm:{extract}"


def travel_of(recorded: str) -> TravelChoice:
    """A plan's travel (``Plan.travel``: straight-line, osm:EXTRACT) as a request's choice:
    what a re-plan of it must be timed on."""
    return ROAD if recorded.partition(":")[0] == "osm" else STRAIGHT_LINE


def _text(content: str | bytes) -> str:
    """An uploaded file as text, whatever its encoding (``scheduler.io.tables``): stored so,
    and read as UTF-8 again by the worker."""
    return content if isinstance(content, str) else decode_text(content)[0]


def _scenario(
    submission: Submission, shipped: ShippedScenarios
) -> tuple[LoadedScenario, Path | None]:
    """The scenario with its notes, and the shipped folder it came from (if it did). Uploads
    are read as they came, with the command line's readers: no temporary files."""
    if submission.shipped is not None:
        folder = shipped.path(submission.shipped)
        if folder is None:
            known = ", ".join(shipped.names()) or "none"
            raise InputError(
                [
                    InputIssue(
                        "unknown_scenario",
                        REQUEST_FILE,
                        f"no shipped scenario is called '{submission.shipped}' (known: {known})",
                        column="shipped",
                    )
                ]
            )
        return load_scenario(folder), folder
    if submission.document is not None:
        return scenario_from_document(submission.document, SCENARIO_JSON, "scenario"), None
    name = submission.name or "upload"
    if not _SAFE_NAME.fullmatch(name):
        raise InputError(
            [
                InputIssue(
                    "invalid_name",
                    REQUEST_FILE,
                    "a scenario name is up to 64 letters, digits, '_', '-' or '.'",
                    column="name",
                )
            ]
        )
    return scenario_from_files(submission.files, name), None


def _check_size(scenario: Scenario, service: ServiceSettings) -> None:
    if len(scenario.visits) > service.max_visits:
        raise InputError(
            [
                InputIssue(
                    "too_many_visits",
                    "visits.csv",
                    f"the scenario has {len(scenario.visits)} visits; this service plans at "
                    f"most {service.max_visits} in one request",
                )
            ]
        )


def job_input(
    submission: Submission,
    service: ServiceSettings,
    shipped: ShippedScenarios,
    *,
    compare: bool = False,
) -> JobInput:
    """Check everything a job needs, now, in the web process: a job is only queued when its
    input can be planned. Raises ``InputError`` with every problem found."""
    issues: list[InputIssue] = []
    settings: Settings | None = None
    try:
        settings = settings_for(submission.options, service)
    except InputError as exc:
        issues += exc.issues
    try:
        loaded, folder = _scenario(submission, shipped)
        scenario = loaded.scenario
        _check_size(scenario, service)
    except InputError as exc:
        raise InputError(issues + exc.issues) from None
    if settings is None:
        raise InputError(issues)
    manual = waiting = None
    if compare:
        if submission.manual_rota is not None:
            manual = _text(submission.manual_rota)
        if submission.waiting_list is not None:
            waiting = _text(submission.waiting_list)
        elif submission.shipped_waiting_list:
            if folder is None or not (folder / "waiting.csv").is_file():
                raise InputError(
                    [
                        InputIssue(
                            "no_waiting_list",
                            REQUEST_FILE,
                            "only a shipped scenario with a waiting.csv has one to use",
                            column="shipped_waiting_list",
                        )
                    ]
                )
            waiting = (folder / "waiting.csv").read_text(encoding="utf-8")
    checked = JobInput(
        scenario,
        settings,
        submission.options.show_names,
        manual,
        waiting,
        loaded.notes,
        submission.options.travel,
    )
    found: list[InputIssue] = []
    for read in (checked.assignments, checked.packages):
        try:
            read()
        except InputError as exc:
            found += exc.issues
    if found:
        raise InputError(found)
    return checked


@dataclass(frozen=True)
class ReplanInput:
    """A re-plan's checked input: ``job`` is the day as it now stands (what the job's pictures
    and facts show), ``base`` the rota's own scenario and ``plan`` its plan, ``events`` the
    file as sent (read again by the worker with the same reader), ``at`` in minutes."""

    job: JobInput
    base: Scenario
    plan: Plan
    events: str
    label: str
    at: int
    parent: str
    week: WeekPlan | None = None
    """The week's plans, when the day re-planned is a week's (its rules are checked again)."""
    whole: Scenario | None = None
    """The week's scenario, then."""

    def document(self) -> dict[str, Any]:
        week = None
        if self.week is not None and self.whole is not None:
            week = {
                "scenario": json.loads(scenario_to_json(self.whole)),
                "plans": json.loads(self.week.model_dump_json()),
            }
        return self.job.document() | {
            "replan": {
                "parent": self.parent,
                "scenario": json.loads(scenario_to_json(self.base)),
                "plan": json.loads(self.plan.model_dump_json()),
                "events": self.events,
                "label": self.label,
                "at": self.at,
                "week": week,
            }
        }

    def read_events(self) -> tuple[Event, ...]:
        return read_events(self.events.encode("utf-8"), self.base, self.plan, self.at, self.label)


def replan_input(
    parent: str,
    rota: JobInput,
    plan: Plan,
    events: bytes,
    label: str,
    at: str,
    time_limit_s: float | None,
    service: ServiceSettings,
    week: WeekPlan | None = None,
    date: str | None = None,
) -> ReplanInput:
    """Check a re-plan of ``plan`` (``rota``'s) now: ``at``, the time limit, every event
    (located as ``domcare replan`` locates them) and whether what they say can have
    happened; for a ``week``'s rota, the day ``date`` (``scheduler.planning.history.
    week_day``). Raises ``InputError`` with every problem found."""
    issues = []
    whole = None
    if week is not None:
        whole = rota.scenario
        try:
            day, plan = week_day(whole, week, dt.date.fromisoformat(date or ""))
            rota = replace(rota, scenario=day)
        except (ValueError, DomcareError) as exc:
            known = ", ".join(str(p.date) for p in week.days)
            message = f"say which day of the week to re-plan ({known})" if not date else str(exc)
            issue = InputIssue("invalid_request", REQUEST_FILE, message, column="date")
            raise InputError([issue]) from None
    minutes = 0
    try:
        minutes = parse_clock(at)
    except ValueError as exc:
        issues.append(InputIssue("invalid_request", REQUEST_FILE, str(exc), column="at"))
    limit = rota.settings.solve.time_limit_s if time_limit_s is None else time_limit_s
    if limit > service.max_time_limit_s:
        issues.append(
            InputIssue(
                "time_limit_too_long",
                REQUEST_FILE,
                f"{limit:g} s is over this service's most, {service.max_time_limit_s:g} s",
                column="time_limit_s",
            )
        )
    if issues:
        raise InputError(issues)
    settings = rota.settings.model_copy(
        update={"solve": rota.settings.solve.model_copy(update={"time_limit_s": limit})}
    )
    text = _text(events)
    checked = ReplanInput(
        JobInput(rota.scenario, settings, rota.show_names, travel=travel_of(plan.travel)),
        rota.scenario, plan, text, label, minutes, parent,
    )  # fmt: skip
    # the events are checked on the travel the plan was made on (a leg that fits on roads may
    # not on straight lines); a road rota reaches here only where the service has its roads
    timed = travel_from(travel_model(checked.job.travel, service.osm_extract), settings.travel)
    day = standing(rota.scenario, plan, checked.read_events(), minutes, timed)
    return replace(checked, job=replace(checked.job, scenario=day), week=week, whole=whole)


def read_stored(document: Mapping[str, Any]) -> JobInput:
    """A stored job input, read again in the worker with the same readers."""
    scenario = scenario_from_document(document["scenario"], SCENARIO_JSON, "scenario").scenario
    return JobInput(
        scenario=scenario,
        settings=Settings.model_validate(document["settings"]),
        show_names=bool(document["show_names"]),
        manual_rota=document.get("manual_rota"),
        waiting_list=document.get("waiting_list"),
        travel=ROAD if document.get("travel") == ROAD else STRAIGHT_LINE,
    )
