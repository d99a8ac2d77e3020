"""What goes over the wire: request bodies, answers and their OpenAPI examples.

Plans, figures and comparisons are answered in the very models domcare writes to plan.json,
figures.json and compare.json, so the API and the files cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, get_args

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, JsonValue, create_model, model_validator

from scheduler.analysis.comparison import Comparison
from scheduler.analysis.metrics import DayFigures, WeekFigures
from scheduler.model.plan import Plan, WeekPlan
from scheduler.model.settings import DAY_MINUTES, describe, setting_field
from scheduler.whatif.spec import Spec
from scheduler.whatif.sweep import SweepResult

__all__ = [
    "COMPARE_EXAMPLES",
    "ROAD",
    "ROTA_EXAMPLES",
    "STRAIGHT_LINE",
    "WHATIF_EXAMPLES",
    "CompareCreate",
    "ComparePublic",
    "Detail",
    "Health",
    "Issue",
    "JobAccepted",
    "JobProgress",
    "Problem",
    "ReplanChanges",
    "ReplanCreate",
    "RotaCreate",
    "RotaListItem",
    "RotaOptions",
    "RotaPublic",
    "ScenarioFacts",
    "ShippedScenario",
    "SweepProgress",
    "TravelChoice",
    "TravelModels",
    "WhatIfPublic",
    "whatif_create_schema",
]

TINY_SCENARIO: dict[str, Any] = {
    "name": "tiny",
    "carers": [
        {
            "id": "C1",
            "name": "Ann Carer",
            "home_lat": 54.51,
            "home_lon": -6.05,
            "shifts": "07:00-13:00",
            "skills": "medication",
        }
    ],
    "clients": [{"id": "K1", "name": "Mrs Example", "lat": 54.512, "lon": -6.052}],
    "visits": [
        {
            "id": "V1",
            "client_id": "K1",
            "date": "2026-12-01",
            "earliest_start": "07:30",
            "latest_start": "08:30",
            "duration_minutes": 30,
            "required_skills": "medication",
        }
    ],
}

ROTA_EXAMPLES: list[Any] = [
    {"shipped": "small", "options": {"time_limit_s": 10}},
    {"scenario": TINY_SCENARIO, "options": {"time_limit_s": 5, "continuity_weight": 200}},
]
COMPARE_EXAMPLES: list[Any] = [
    {"shipped": "town", "shipped_waiting_list": True, "options": {"time_limit_s": 20}},
    {
        "scenario": TINY_SCENARIO,
        "manual_rota": "carer_id,date,visit_id,planned_start\nC1,2026-12-01,V1,08:00\n",
        "options": {"time_limit_s": 5},
    },
]
WHATIF_EXAMPLES: list[Any] = [
    {
        "base": "small",
        "time_limit": 10,
        "solution_limit": 50,
        "variations": [
            {"name": "recruit two", "carers": {"change": 2}},
            {"name": "wider windows", "windows": {"half_width": 45}},
        ],
    },
    {
        "base": "town",
        "time_limit": 20,
        "variations": [{"name": "take on the waiting list", "waiting_list": {}}],
        "grids": [
            {
                "name": "staff and windows",
                "axes": {
                    "carers.change": {"start": -2, "stop": 2},
                    "windows.half_width": [30, 60],
                },
            }
        ],
    },
]
_NOT_SENT = ("waiting_list", "workers", "dask")
"""Spec fields a request may not use: the service plans only shipped scenarios (with their own
waiting lists), and decides itself where sweeps run."""


def whatif_create_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The request body's schema: ``Spec``'s (the YAML spec of ``domcare whatif``) without
    the fields the service refuses, its base a shipped scenario's name."""
    properties = {k: v for k, v in spec["properties"].items() if k not in _NOT_SENT}
    properties["base"] = properties["base"] | {
        "description": "a shipped scenario's name (GET /v1/scenarios)"
    }
    return spec | {
        "title": "WhatIfCreate",
        "description": "A what-if sweep, as the YAML spec of domcare whatif: the base "
        "scenario, how long each plan may search, the variations and grids. Each variation "
        "is planned as a rota; the base is planned too, first.",
        "properties": properties,
        "examples": WHATIF_EXAMPLES,
    }


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


ONE_SCENARIO: list[JsonValue] = [
    {"required": ["scenario"], "properties": {"scenario": {"type": "object"}}},
    {"required": ["shipped"], "properties": {"shipped": {"type": "string"}}},
]
"""A body gives a scenario document or a shipped scenario's name, not both, not neither."""


ROTA_OPTIONS = (
    "time_limit_s",
    "solution_limit",
    "first_solution",
    "metaheuristic",
    "seed",
    "travel_weight",
    "waiting_weight",
    "continuity_weight",
    "soft_gender_weight",
    "max_carers_per_client_week",
    "min_rest_minutes",
    "break_after_minutes",
    "late_tolerance_minutes",
    "late_weight",
    "overtime_minutes",
    "overtime_weight",
    "missed_break_weight",
    "balance_weight",
    "leave_at_shift_start",
)
"""The settings a rota request may set, each with the bounds, default and description of
``scheduler.model.settings`` (never restated here)."""


def _option(name: str) -> tuple[Any, Any]:
    """A request's option for the setting ``name``: left out, it keeps domcare's default."""
    field = setting_field(name)
    kind = next(a for a in get_args(field.annotation) or (field.annotation,) if a is not NONE)
    metadata = list(field.metadata)
    if name == "break_after_minutes":  # 0 asks for no breaks, as on the command line
        metadata = [Ge(0), Le(DAY_MINUTES)]
    bounded = Annotated[(kind, *metadata)] if metadata else kind  # type: ignore[valid-type]
    if name == "time_limit_s":  # always given to the service, which bounds it again
        return bounded, Field(default=field.default, description=describe(name))
    return bounded | None, Field(default=None, description=describe(name))


NONE = type(None)

TravelChoice = Literal["straight-line", "road"]
"""The travel models a request may choose: the service decides which extract road means."""
STRAIGHT_LINE: TravelChoice = "straight-line"
"""As ``scheduler.io.travel.STRAIGHT_LINE`` (a plan's travel says it so)."""
ROAD: TravelChoice = "road"


_RotaOptionFields: Any = create_model(  # type: ignore[call-overload]
    "_RotaOptionFields", __base__=_Wire, **{name: _option(name) for name in ROTA_OPTIONS}
)


class RotaOptions(_RotaOptionFields):  # type: ignore[misc]
    """How to plan: the time allowed and the weights of ``scheduler.model.settings.Settings``
    (a field left out keeps domcare's default)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"time_limit_s": 10, "continuity_weight": 200}]},
    )

    show_names: bool = Field(
        default=False, description="put client and carer names in the rota CSV and the map"
    )
    travel: TravelChoice = Field(
        default=STRAIGHT_LINE,
        description="what the legs are timed on: straight-line (distance as the crow flies "
        "x circuity, at each carer's mode's speed) or road (the roads of the service's "
        "OpenStreetMap extract, only if it has one: GET /v1/travel)",
    )


class RotaCreate(_Wire):
    """A scenario (the JSON document ``domcare solve`` reads, or a shipped scenario's name)
    and the options. CSV files can be sent instead as multipart/form-data: one file field per
    table (``carers``, ``clients``, ``visits``, optionally ``history``, ``skills``,
    ``shifts``), a ``name`` field, and the options as fields of their own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": ROTA_EXAMPLES, "oneOf": ONE_SCENARIO},
    )

    scenario: dict[str, Any] | None = Field(
        default=None,
        description="the scenario as one JSON document: name, carers, clients, visits and "
        "optionally history, skills, shifts, each a list of objects with the CSV columns",
    )
    shipped: str | None = Field(
        default=None, description="or the name of a shipped scenario (GET /v1/scenarios)"
    )
    options: RotaOptions = RotaOptions()

    @model_validator(mode="after")
    def _one_scenario(self) -> RotaCreate:
        if (self.scenario is None) == (self.shipped is None):
            raise ValueError("give either a scenario document or a shipped scenario's name")
        return self


class CompareCreate(RotaCreate):
    """A scenario as for a rota, and optionally the coordinator's manual rota and a waiting
    list, each as the text of its CSV file (or, in multipart, the files ``manual_rota`` and
    ``waiting_list``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": COMPARE_EXAMPLES, "oneOf": ONE_SCENARIO},
    )

    manual_rota: str | None = Field(
        default=None, description="manual_rota.csv: carer_id, date, visit_id, planned_start"
    )
    waiting_list: str | None = Field(default=None, description="waiting.csv of care packages")
    shipped_waiting_list: bool = Field(
        default=False, description="use the shipped scenario's own waiting.csv"
    )


class Issue(_Wire):
    """One problem in the input, located as the command line locates it."""

    code: str
    file: str
    message: str
    row: int | None = Field(default=None, description="as a spreadsheet shows it: header is 1")
    column: str | None = None


class Detail(_Wire):
    """Any other error: a sentence for a person."""

    detail: str


class Problem(_Wire):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "detail": "2 problems in the input",
                    "issues": [
                        {
                            "code": "unknown_client",
                            "file": "visits.csv",
                            "message": "no client has the id 'K9'",
                            "row": 2,
                            "column": "client_id",
                        },
                        {
                            "code": "window_inverted",
                            "file": "visits.csv",
                            "message": "latest start 09:00 is before earliest start 10:00",
                            "row": 3,
                            "column": "latest_start",
                        },
                    ],
                }
            ]
        },
    )

    detail: str
    issues: list[Issue] = []


class ReplanCreate(_Wire):
    """A re-plan of a done day's rota after events (``POST /v1/rotas/{id}/replan``): the rows
    of events.csv as objects (README, "Re-planning during the day"), and the time now. A form
    may send ``events`` as a CSV (or JSON) file and ``at`` and ``time_limit_s`` as fields."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "at": "11:00",
                    "events": [
                        {"event": "carer_off", "carer_id": "C1", "from": "11:00"},
                        {"event": "visit_cancelled", "visit_id": "V1"},
                    ],
                }
            ]
        },
    )

    at: str = Field(description="HH:MM: the calls begun before it are history")
    events: list[dict[str, str | int | None]] = Field(
        description="one object per event, with events.csv's columns as keys"
    )
    time_limit_s: float | None = Field(
        default=None, gt=0, description="seconds of search (default: the rota's)"
    )
    date: str | None = Field(
        default=None, description="YYYY-MM-DD: the day to re-plan, for a week's rota"
    )


class JobAccepted(_Wire):
    id: str
    kind: str
    status: str
    links: dict[str, str]


class JobProgress(_Wire):
    """How far a running job is. ``visits_placed`` counts carer visits (a double-handed
    call counts twice) in the best plan so far; ``best_cost`` is its objective."""

    elapsed_s: float
    visits_placed: int | None = None
    best_cost: int | None = None
    date: dt.date | None = Field(default=None, description="the day being planned, in a week")
    step: str | None = Field(
        default=None, description="what a comparison is doing; how far a what-if sweep is"
    )


class SweepProgress(JobProgress):
    """How far a what-if sweep is: ``step`` says it in words (``3 of 13 variations``); the
    counts are there once the sweep has begun (before, ``step`` is ``started``)."""

    variations_done: int | None = Field(
        default=None, description="variations planned (or failed) so far"
    )
    variations_failed: int | None = None
    variations_total: int | None = Field(
        default=None, description="variations to plan, the base included"
    )


class ScenarioFacts(_Wire):
    name: str
    dates: list[dt.date]
    visits: int
    carers: int
    clients: int
    notes: list[Issue] = Field(
        default_factory=list,
        description="how the input was read where it differs from what was asked (a file "
        "read as Windows-1252, dates as day/month/year), ids of carers or clients no longer "
        "there (ignored), a place far from all others: worth a look, not a refusal",
    )


class _JobState(_Wire):
    """What every job answers: where it is, and its scenario (a what-if job's base)."""

    id: str
    status: str = Field(description="queued, running, done or failed")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    scenario: ScenarioFacts
    progress: JobProgress | None = Field(description="while running, and last known after")
    error: str | None = Field(description="why a failed job failed")
    links: dict[str, str]


class _JobPublic(_JobState):
    options: RotaOptions
    travel: str | None = Field(
        default=None,
        description="what the legs were timed on, in a few words (straight lines x circuity, "
        "roads of Helsinki.osm.pbf), once done",
    )
    travel_notes: list[str] = Field(
        default_factory=list,
        description="on road travel, places far from any road their carers' mode may use, "
        "by id only: worth a look, as the legs to and from them may be timed wrongly",
    )


class ReplanChanges(_Wire):
    """What a re-plan changed (``scheduler.analysis.changes``): the calls nobody asked to
    change (``unaffected``), how many of them went to another carer (or were left out) and
    how many moved more than the band; the orphans placed; and changes.csv's rows."""

    replan_of: str = Field(description="the rota job re-planned")
    unaffected: int
    other_carer: int
    moved: int
    orphans: int
    orphans_placed: int
    rows: list[dict[str, str]] = Field(description="changes.csv's rows, ids only")


class RotaPublic(_JobPublic):
    """A rota job; when done, ``plan`` and ``figures`` for a day, ``week`` and
    ``week_figures`` for a scenario of several dates, and ``changes`` for a re-plan."""

    note: str | None = Field(default=None, description="e.g. a day with no plan found")
    changes: ReplanChanges | None = None
    plan: Plan | None = None
    figures: DayFigures | None = None
    week: WeekPlan | None = None
    week_figures: WeekFigures | None = None


class RotaListItem(_Wire):
    """A rota job in the list of recent ones (``GET /v1/rotas``): what it planned and how it
    went, without its plan."""

    id: str
    status: str = Field(description="queued, running, done or failed")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    scenario: ScenarioFacts
    visits_covered: int | None = Field(
        description="visits the plan covers, of scenario.visits (once done)"
    )
    links: dict[str, str]


class ComparePublic(_JobPublic):
    comparison: Comparison | None = None


class WhatIfPublic(_JobState):
    """A what-if job: the spec as sent and, when done, one row per variation (the base
    first), in the model domcare whatif writes to whatif.json."""

    progress: SweepProgress | None = Field(description="while running, and last known after")
    spec: Spec
    variations: int = Field(description="variations to plan, the base included")
    sweep: SweepResult | None = None
    travel: str | None = Field(
        default=None,
        description="when done, what every variation's legs were timed on (roads of "
        "Helsinki.osm.pbf, straight lines x circuity)",
    )


class ShippedScenario(ScenarioFacts):
    waiting_list: bool = Field(description="whether it ships a waiting.csv for comparisons")


class TravelModels(_Wire):
    """The travel models this service times legs on (``GET /v1/travel``)."""

    models: list[TravelChoice] = Field(description="what a request's travel may be")
    default: TravelChoice = STRAIGHT_LINE
    road: str | None = Field(
        description="what road means here, in a few words (roads of Helsinki.osm.pbf); "
        "null when the service has no OpenStreetMap extract"
    )


class Health(_Wire):
    status: str = Field(description="ok or failing")
    database: str = Field(description="ok, unreachable, or cannot write (a full disk)")
    jobs_in_queue: int
    queue_size: int
    max_time_limit_s: float = Field(
        description="the longest time limit (seconds of search a day) a request may ask "
        "for; longer answer 422"
    )
    detail: str | None = Field(default=None, description="what is wrong, when failing")
