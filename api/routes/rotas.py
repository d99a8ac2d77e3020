"""/v1/rotas: request a rota (a day, or each day of a week), follow it, fetch its outputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from api.deps import Coordinator, Services, ServicesDep, Viewer
from api.inputs import SCENARIO_FILES, JobInput, read_stored
from api.routes.jobs import (
    NOT_FOUND,
    NOT_READY,
    SUBMIT,
    accept,
    base_fields,
    document,
    find,
    request_body,
    responses,
)
from api.schemas import (
    ROTA_EXAMPLES,
    JobAccepted,
    Problem,
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
    if job.status is JobStatus.DONE:
        links |= {
            "map": f"{here}/map",
            "rota_csv": f"{here}/rota.csv",
            "plan_json": f"{here}/plan.json",
        }
        dates = (job.result or {}).get("dates", [])
        if len(dates) > 1:
            links |= {f"map_{date}": f"{here}/map?date={date}" for date in dates}
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
    return public.model_copy(
        update={
            "note": (job.result or {}).get("note"),
            "plan": Plan.model_validate_json(plan),
            "figures": DayFigures.model_validate_json(figures),
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
    return Response(
        document(services, job, "rota.csv"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rota-{job.id[:8]}.csv"'},
    )


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
