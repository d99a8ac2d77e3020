"""/v1/compare: the optimised rota against the manual rota (if sent) and the two baselines,
with the care hours released and what the waiting list could take on (``domcare compare``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import Planner, ServicesDep, Viewer
from api.inputs import COMPARE_FILES, SCENARIO_FILES
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
from api.schemas import COMPARE_EXAMPLES, ComparePublic, JobAccepted
from api.store import Job, JobKind, JobStatus
from scheduler.analysis.comparison import Comparison

__all__ = ["router"]

PATH = "/v1/compare"
router = APIRouter(prefix=PATH, tags=["compare"])


def _links(job: Job) -> dict[str, str]:
    here = f"{PATH}/{job.id}"
    links = {"self": here}
    if job.status is JobStatus.DONE:
        links["report"] = f"{here}/report"
    return links


@router.post(
    "",
    status_code=202,
    operation_id="create_comparison",
    summary="Compare the optimised rota with the manual rota and the baselines",
    description="Checks everything at once (422 with every problem located), then queues "
    "the comparison and answers 202 with its id. Needs a planner key.",
    responses=responses(SUBMIT),
    openapi_extra=request_body(
        "CompareCreate", COMPARE_EXAMPLES, [*SCENARIO_FILES, *COMPARE_FILES]
    ),
)
async def create_comparison(
    request: Request, response: Response, services: ServicesDep, _key: Planner
) -> JobAccepted:
    return await accept(request, response, services, JobKind.COMPARE, PATH)


@router.get(
    "/{job_id}",
    operation_id="get_comparison",
    summary="A comparison job: status, progress, and when done the figures",
    responses=responses(NOT_FOUND),
)
def get_comparison(job_id: str, services: ServicesDep, _key: Viewer) -> ComparePublic:
    job = find(services, job_id, JobKind.COMPARE)
    public = ComparePublic(**base_fields(job, _links(job)))
    if job.status is not JobStatus.DONE:
        return public
    comparison = Comparison.model_validate_json(document(services, job, "compare.json"))
    return public.model_copy(update={"comparison": comparison})


@router.get(
    "/{job_id}/report",
    operation_id="get_comparison_report",
    summary="The comparison report (a self-contained HTML page)",
    response_class=HTMLResponse,
    responses=responses(NOT_FOUND, NOT_READY),
)
def get_comparison_report(job_id: str, services: ServicesDep, _key: Viewer) -> HTMLResponse:
    job = find(services, job_id, JobKind.COMPARE)
    return HTMLResponse(document(services, job, "report.html"))
