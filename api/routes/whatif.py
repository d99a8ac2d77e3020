"""/v1/whatif: a what-if sweep of a shipped scenario (``domcare whatif``): each variation
planned as a rota, with a table of the figures, two plots and a report page."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from api.deps import Planner, ServicesDep, Viewer
from api.routes.jobs import (
    NOT_FOUND,
    NOT_READY,
    REF,
    SUBMIT,
    csv_download,
    document,
    find,
    job_fields,
)
from api.routes.jobs import responses as merged
from api.runner import QueueFull
from api.schemas import (
    WHATIF_EXAMPLES,
    JobAccepted,
    ScenarioFacts,
    SweepProgress,
    WhatIfPublic,
)
from api.store import Job, JobKind, JobStatus
from api.sweeps import whatif_input
from scheduler.whatif.spec import Spec
from scheduler.whatif.sweep import SweepResult

__all__ = ["router"]

log = logging.getLogger("domcare.api")

PATH = "/v1/whatif"
SVG = "image/svg+xml"
router = APIRouter(prefix=PATH, tags=["whatif"])

BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": REF.format(model="WhatIfCreate")},
                "examples": {
                    f"example {number}": {"value": example}
                    for number, example in enumerate(WHATIF_EXAMPLES, start=1)
                },
            }
        },
    }
}


def _links(job: Job) -> dict[str, str]:
    here = f"{PATH}/{job.id}"
    links = {"self": here}
    if job.status is JobStatus.DONE:
        links |= {
            "results_csv": f"{here}/results.csv",
            "report": f"{here}/report",
            "coverage_svg": f"{here}/coverage.svg",
            "tradeoff_svg": f"{here}/tradeoff.svg",
        }
    return links


def _served(media_type: str, name: str) -> dict[int | str, dict[str, Any]]:
    return merged(NOT_FOUND, NOT_READY) | {200: {"content": {media_type: {}}, "description": name}}


@router.post(
    "",
    status_code=202,
    operation_id="create_whatif",
    summary="Run a what-if sweep of a shipped scenario",
    description="The body is the spec of `domcare whatif`, as JSON, its base a shipped "
    "scenario (the waiting list is the scenario's own). Checks everything at once (422 with "
    "every problem located by field), then queues the sweep and answers 202 with its id. "
    "Where the variations run is the service's to decide: `workers` and `dask` answer 422. "
    "Needs a planner key.",
    responses=merged(SUBMIT),
    openapi_extra=BODY,
)
async def create_whatif(
    request: Request, response: Response, services: ServicesDep, _key: Planner
) -> JobAccepted:
    if services.runner.in_queue >= services.settings.queue_size:  # before reading the body
        raise QueueFull(services.settings.queue_size)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, "send the spec as application/json")
    checked = await run_in_threadpool(whatif_input, await request.body(), services.settings)
    facts = checked.facts()
    spec = checked.sweep.spec.model_dump(mode="json")
    job = await run_in_threadpool(
        services.runner.admit,
        lambda: services.store.create(
            JobKind.WHATIF,
            spec,
            checked.document(),
            facts.model_dump(mode="json") | {"variations": checked.variations},
        ),
    )
    log.info(
        "job %s (%s) queued: %d variations of %d visits, %d carers, %d date(s)",
        job.id,
        JobKind.WHATIF.value,
        checked.variations,
        facts.visits,
        facts.carers,
        len(facts.dates),
    )
    location = f"{PATH}/{job.id}"
    response.headers["Location"] = location
    return JobAccepted(
        id=job.id, kind=JobKind.WHATIF.value, status=job.status.value, links={"self": location}
    )


@router.get(
    "/{job_id}",
    operation_id="get_whatif",
    summary="A what-if job: status, progress, and when done a row per variation",
    responses=merged(NOT_FOUND),
)
def get_whatif(job_id: str, services: ServicesDep, _key: Viewer) -> WhatIfPublic:
    job = find(services, job_id, JobKind.WHATIF)
    summary = dict(job.summary)
    variations = int(summary.pop("variations"))
    public = WhatIfPublic(
        **job_fields(job, _links(job), SweepProgress),
        scenario=ScenarioFacts.model_validate(summary),
        spec=Spec.model_validate(job.options),
        variations=variations,
    )
    if job.status is not JobStatus.DONE:
        return public
    result = SweepResult.model_validate_json(document(services, job, "whatif.json"))
    return public.model_copy(update={"sweep": result, "travel": (job.result or {}).get("travel")})


@router.get(
    "/{job_id}/results.csv",
    operation_id="get_whatif_csv",
    summary="The results table as CSV: one row per variation, a grid's axes as columns",
    response_class=Response,
    responses=_served("text/csv", "whatif.csv"),
)
def get_whatif_csv(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.WHATIF)
    return csv_download(document(services, job, "whatif.csv"), f"whatif-{job.id[:8]}.csv")


@router.get(
    "/{job_id}/report",
    operation_id="get_whatif_report",
    summary="The what-if report: the table, both plots and the notes (one HTML page)",
    response_class=HTMLResponse,
    responses=merged(NOT_FOUND, NOT_READY),
)
def get_whatif_report(job_id: str, services: ServicesDep, _key: Viewer) -> HTMLResponse:
    job = find(services, job_id, JobKind.WHATIF)
    return HTMLResponse(document(services, job, "report.html"))


@router.get(
    "/{job_id}/coverage.svg",
    operation_id="get_whatif_coverage_svg",
    summary="Visits covered against carers, one line per series of variations (SVG)",
    response_class=Response,
    responses=_served(SVG, "coverage.svg"),
)
def get_whatif_coverage_svg(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.WHATIF)
    return Response(document(services, job, "coverage.svg"), media_type=SVG)


@router.get(
    "/{job_id}/tradeoff.svg",
    operation_id="get_whatif_tradeoff_svg",
    summary="Travel against continuity of care, a point per variation (SVG)",
    response_class=Response,
    responses=_served(SVG, "tradeoff.svg"),
)
def get_whatif_tradeoff_svg(job_id: str, services: ServicesDep, _key: Viewer) -> Response:
    job = find(services, job_id, JobKind.WHATIF)
    return Response(document(services, job, "tradeoff.svg"), media_type=SVG)
