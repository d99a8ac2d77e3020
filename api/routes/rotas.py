"""/v1/rotas: request a rota (a day, or each day of a week), follow it, fetch its outputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from api.bodies import read_events_body
from api.deps import Coordinator, Services, ServicesDep, Viewer
from api.inputs import SCENARIO_FILES, JobInput, read_stored, replan_input, travel_of
from api.routes.jobs import (
    NO_ROADS,
    NOT_FOUND,
    NOT_READY,
    SUBMIT,
    accept,
    base_fields,
    csv_download,
    document,
    find,
    request_body,
    responses,
)
from api.runner import QueueFull
from api.schemas import (
    ROAD,
    ROTA_EXAMPLES,
    JobAccepted,
    Problem,
    ReplanChanges,
    RotaListItem,
    RotaPublic,
    ScenarioFacts,
)
from api.store import Job, JobKind, JobStatus
from scheduler.analysis.metrics import DayFigures, WeekFigures
from scheduler.model.plan import Plan, WeekPlan
from scheduler.render.svg import map_svg, timeline_svg

__all__ = ["router"]

PATH = "/v1/rotas"
SVG = "image/svg+xml"
LIST_DEFAULT, LIST_MOST = 20, 100
"""Rota jobs listed by ``GET /v1/rotas`` unless asked for fewer or more; the most it lists."""
router = APIRouter(prefix=PATH, tags=["rotas"])


class _Covered(BaseModel):
    """The one figure the list shows of a day's or a week's figures.json."""

    visits_allocated: int


def _links(job: Job) -> dict[str, str]:
    here = f"{PATH}/{job.id}"
    links = {"self": here}
    result = job.result or {}
    if result.get("replan_of"):
        links["replan_of"] = f"{PATH}/{result['replan_of']}"
    if job.status is JobStatus.DONE:
        links |= {
            "map": f"{here}/map",
            "rota_csv": f"{here}/rota.csv",
            "plan_json": f"{here}/plan.json",
        }
        dates = result.get("dates", [])
        if len(dates) > 1:
            links |= {f"map_{date}": f"{here}/map?date={date}" for date in dates}
        else:
            links |= {
                f"runsheet_{carer}": f"{here}/runsheets/{carer}.html"
                for carer in result.get("carers", [])
            }
        links |= {"replan": f"{here}/replan"}
        if result.get("replan_of"):
            links["changes_csv"] = f"{here}/changes.csv"
    return links


@router.post(
    "",
    status_code=202,
    operation_id="create_rota",
    summary="Request a rota",
    description="Checks the scenario and options at once (422 with every problem, located as "
    "the command line locates them), then queues the job and answers 202 with its id. "
    "Needs a coordinator or planner key.",
    responses=responses(SUBMIT),
    openapi_extra=request_body(
        "RotaCreate",
        ROTA_EXAMPLES,
        list(SCENARIO_FILES),
    ),
)
async def create_rota(
    request: Request, response: Response, services: ServicesDep, _key: Coordinator
) -> JobAccepted:
    return await accept(request, response, services, JobKind.ROTA, PATH)


@router.post(
    "/{job_id}/replan",
    status_code=202,
    operation_id="replan_rota",
    summary="Re-plan a day's rota after events, changing as little of it as possible",
    description="The events (a carer off, calls cancelled, added, changed or done) are "
    "checked at once against the rota's plan (422 with every problem located, as `domcare "
    "replan` locates them); the re-plan is then queued as a rota job of its own (202), whose "
    "changes.csv lists every call whose carer or time changed. It is timed on what the rota "
    "was timed on (straight lines, or the service's roads). Needs a coordinator key.",
    responses=responses(NOT_FOUND, NOT_READY, SUBMIT, NO_ROADS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ReplanCreate"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "events": {"type": "string", "format": "binary"},
                            "at": {"type": "string"},
                            "time_limit_s": {"type": "number"},
                        },
                    }
                },
            },
        }
    },
)
async def replan_rota(
    job_id: str, request: Request, response: Response, services: ServicesDep, _key: Coordinator
) -> JobAccepted:
    parent = find(services, job_id, JobKind.ROTA)
    if services.runner.in_queue >= services.settings.queue_size:
        raise QueueFull(services.settings.queue_size)
    stored = services.store.input(parent.id)
    if stored is None:
        raise HTTPException(404, "the job has no stored input")
    week = None
    if _is_week(parent):
        week = WeekPlan.model_validate_json(document(services, parent, "week.json", "plan.json"))
        plan = week.days[0]  # the day asked for is found when the input is checked
    else:
        plan = Plan.model_validate_json(document(services, parent, "plan.json"))
    travel = travel_of(plan.travel)
    if travel == ROAD and services.settings.osm_extract is None:
        raise HTTPException(
            409,
            f"this rota was timed on roads ({plan.travel}), and this service has no map of "
            "roads now (DOMCARE_OSM_EXTRACT): a re-plan on straight lines would not fit it",
        )
    events, label, at, limit, date = await read_events_body(request)
    checked = await run_in_threadpool(
        replan_input, parent.id, read_stored(stored), plan, events, label, at, limit,
        services.settings, week, date,
    )  # fmt: skip
    options = dict(parent.options) | {
        "time_limit_s": checked.job.settings.solve.time_limit_s,
        "travel": travel,
    }
    facts = checked.job.facts()
    job = await run_in_threadpool(
        services.runner.admit,
        lambda: services.store.create(
            JobKind.ROTA, options, checked.document(), facts.model_dump(mode="json")
        ),
    )
    location = f"{PATH}/{job.id}"
    response.headers["Location"] = location
    return JobAccepted(
        id=job.id, kind=JobKind.ROTA.value, status=job.status.value, links={"self": location}
    )


@router.get(
    "",
    operation_id="list_rotas",
    summary="The newest rota jobs, newest first: what each planned and how it went",
    description="Summaries only (status, times, the scenario's name and counts, visits "
    "covered), never a plan or a name of a client or carer; open one with its self link. "
    "Needs a viewer key or higher.",
    responses=responses({422: {"model": Problem, "description": f"limit is not 1 to {LIST_MOST}"}}),
)
def list_rotas(
    services: ServicesDep,
    _key: Viewer,
    limit: Annotated[
        int, Query(ge=1, le=LIST_MOST, description="how many jobs, the newest")
    ] = LIST_DEFAULT,
) -> list[RotaListItem]:
    jobs = services.store.latest(JobKind.ROTA, limit)
    done = [job for job in jobs if job.status is JobStatus.DONE]
    figures = services.store.documents_named(
        [j.id for j in done if not _is_week(j)], "figures.json"
    )
    figures |= services.store.documents_named(
        [j.id for j in done if _is_week(j)], "week_figures.json"
    )
    return [
        RotaListItem(
            id=job.id,
            status=job.status.value,
            created_at=job.created_at,
            finished_at=job.finished_at,
            scenario=ScenarioFacts.model_validate(job.summary),
            visits_covered=_covered(figures.get(job.id)),
            links={"self": f"{PATH}/{job.id}"},
        )
        for job in jobs
    ]


def _covered(figures: str | None) -> int | None:
    """Visits covered, from a done job's figures.json; None for a job not done."""
    return None if figures is None else _Covered.model_validate_json(figures).visits_allocated


@router.get(
    "/{job_id}",
    operation_id="get_rota",
    summary="A rota job: status, progress, and when done the plan and figures",
    responses=responses(NOT_FOUND),
)
def get_rota(job_id: str, services: ServicesDep, _key: Viewer) -> RotaPublic:
    job = find(services, job_id, JobKind.ROTA)
    public = RotaPublic(**base_fields(job, _links(job)))
    if job.status is not JobStatus.DONE:
        return public
    if _is_week(job):
        plan = document(services, job, "week.json", "plan.json")
        figures = document(services, job, "week_figures.json", "figures.json")
        return public.model_copy(
            update={
                "note": (job.result or {}).get("note"),
                "week": WeekPlan.model_validate_json(plan),
                "week_figures": WeekFigures.model_validate_json(figures),
            }
        )
    plan = document(services, job, "plan.json")
    figures = document(services, job, "figures.json")
    changes = None
    if (job.result or {}).get("replan_of"):
        changes = ReplanChanges.model_validate_json(document(services, job, "changes.json"))
    return public.model_copy(
        update={
            "note": (job.result or {}).get("note"),
            "plan": Plan.model_validate_json(plan),
            "figures": DayFigures.model_validate_json(figures),
            "changes": changes,
        }
    )


@router.get(
    "/{job_id}/map",
    operation_id="get_rota_map",
    summary="The rota on a map (a standalone HTML page)",
    response_class=HTMLResponse,
    responses=responses(NOT_FOUND, NOT_READY),
)
def get_rota_map(
    job_id: str, services: ServicesDep, _key: Viewer, date: dt.date | None = None
) -> HTMLResponse:
    """One day's map; for a week, ``date`` picks the day (the first by default)."""
    job = find(services, job_id, JobKind.ROTA)
    day = _day(job, date)
    name = f"{day}/map.html" if _is_week(job) else "map.html"
    return HTMLResponse(document(services, job, name, f"map-{day}.html"))


def _is_week(job: Job) -> bool:
    return len((job.result or {}).get("dates", [])) > 1


def _day(job: Job, date: dt.date | None) -> str:
    """The day of a rota asked for (ISO), or its first; 404 for a day it does not have."""
    dates: list[str] = (job.result or {}).get("dates", [])
    wanted = date.isoformat() if date else (dates[0] if dates else "")
    if job.status is JobStatus.DONE and wanted not in dates:
        raise HTTPException(404, f"the rota has no day {wanted}; its days: {', '.join(dates)}")
    return wanted


def _day_plan(services: Services, job_id: str, date: dt.date | None) -> tuple[JobInput, Plan]:
    """A done rota's input and the plan of one of its days, for the pictures drawn on demand."""
    job = find(services, job_id, JobKind.ROTA)
    wanted = _day(job, date)
    stored = services.store.input(job.id)
    if stored is None:
        raise HTTPException(404, "the job has no stored input")
    if _is_week(job):
        content = document(services, job, "week.json", "plan.json")
        days = WeekPlan.model_validate_json(content).days
        plan = next(day for day in days if day.date.isoformat() == wanted)
    else:
        plan = Plan.model_validate_json(document(services, job, "plan.json"))
    return read_stored(stored), plan


@router.get(
    "/{job_id}/map.svg",
    operation_id="get_rota_map_svg",
    summary="The rota on a plain map (SVG, no tiles: works offline)",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {SVG: {}}, "description": "map.svg"}},
)
def get_rota_map_svg(
    job_id: str, services: ServicesDep, _key: Viewer, date: dt.date | None = None
) -> Response:
    """Homes, runs as coloured lines, stops, visits not covered, a scale bar; for a week,
    ``date`` picks the day (the first by default). Names only if the job asked show_names."""
    job, plan = _day_plan(services, job_id, date)
    return Response(map_svg(job.scenario, plan, show_names=job.show_names), media_type=SVG)


@router.get(
    "/{job_id}/timeline.svg",
    operation_id="get_rota_timeline_svg",
    summary="The rota as a timeline, one row per carer run (SVG)",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {SVG: {}}, "description": "timeline.svg"}},
)
def get_rota_timeline_svg(
    job_id: str, services: ServicesDep, _key: Viewer, date: dt.date | None = None
) -> Response:
    """Visits as blocks, travel as thin bars, waiting empty, the unpaid break hatched; for a
    week, ``date`` picks the day (the first by default)."""
    job, plan = _day_plan(services, job_id, date)
    return Response(timeline_svg(job.scenario, plan, show_names=job.show_names), media_type=SVG)


@router.get(
    "/{job_id}/rota.csv",
    operation_id="get_rota_csv",
    summary="The rota as CSV: one row per carer visit in run order",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {"text/csv": {}}, "description": "rota.csv"}},
)
def get_rota_csv(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.ROTA)
    return csv_download(document(services, job, "rota.csv"), f"rota-{job.id[:8]}.csv")


@router.get(
    "/{job_id}/plan.json",
    operation_id="get_rota_plan",
    summary="plan.json as domcare writes it (week.json for a week)",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {"application/json": {}}, "description": "plan.json"}},
)
def get_rota_plan(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.ROTA)
    content = (
        document(services, job, "week.json", "plan.json")
        if _is_week(job)
        else document(services, job, "plan.json")
    )
    return Response(content, media_type="application/json")


@router.get(
    "/{job_id}/changes.csv",
    operation_id="get_rota_changes",
    summary="A re-plan's changes: every call whose carer or time changed, placed or left out",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {"text/csv": {}}, "description": "changes.csv"}},
)
def get_rota_changes(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.ROTA)
    return csv_download(document(services, job, "changes.csv"), f"changes-{job.id[:8]}.csv")


_SHEET_MEDIA = {"html": "text/html; charset=utf-8", "ics": "text/calendar; charset=utf-8"}


@router.get(
    "/{job_id}/runsheets/{name}",
    operation_id="get_rota_runsheet",
    summary="A carer's run sheet (CARER.html, to print) or calendar (CARER.ics) of a day",
    response_class=Response,
    responses=responses(NOT_FOUND, NOT_READY)
    | {200: {"content": {k: {} for k in ("text/html", "text/calendar")}, "description": "sheet"}},
)
def get_rota_runsheet(
    job_id: str, name: str, services: ServicesDep, _key: Viewer, date: dt.date | None = None
) -> Response:
    """For a week, ``date`` picks the day (the first by default)."""
    job = find(services, job_id, JobKind.ROTA)
    kind = name.rsplit(".", 1)[-1]
    if kind not in _SHEET_MEDIA:
        raise HTTPException(404, "a run sheet is CARER.html or CARER.ics")
    folder = f"{_day(job, date)}/" if _is_week(job) else ""
    content = document(services, job, f"{folder}runsheets/{name}")
    headers = {}
    if kind == "ics":
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(content, media_type=_SHEET_MEDIA[kind], headers=headers)
