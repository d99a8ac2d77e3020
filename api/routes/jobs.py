"""What rotas and comparisons share: accepting a job, finding it, its documents."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.bodies import multipart_schema, read_submission
from api.deps import Services
from api.inputs import job_input
from api.runner import QueueFull
from api.schemas import JobAccepted, JobProgress, RotaOptions, ScenarioFacts
from api.store import Job, JobKind, JobStatus

__all__ = [
    "accept",
    "base_fields",
    "csv_download",
    "document",
    "find",
    "job_fields",
    "request_body",
    "responses",
]

log = logging.getLogger("domcare.api")

REF = "#/components/schemas/{model}"


def _json(description: str, model: str = "Detail") -> dict[str, Any]:
    """An error answer: JSON (even from a route that answers HTML or CSV when all is well)."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}},
    }


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _json("no API key, or an unknown one"),
    403: _json("the key's role may not do this"),
    503: _json(
        "the database cannot be used, or its disk is full: nothing was stored (Retry-After)"
    ),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: _json("no such job"),
    422: _json("a parameter is not valid", "Problem"),
}
NOT_READY: dict[int | str, dict[str, Any]] = {409: _json("the job is not done (yet, or it failed)")}
NO_ROADS: dict[int | str, dict[str, Any]] = {
    409: _json(
        "the job is not done (yet, or it failed), or it was timed on roads and this service "
        "has no map of roads now"
    )
}
SUBMIT: dict[int | str, dict[str, Any]] = {
    413: _json("the request is larger than the service takes"),
    415: _json("neither JSON nor multipart/form-data"),
    422: _json(
        "bad input, every problem located: a body that fits this schema can still be bad "
        "care data (an unknown client, an inverted window), be over this service's limits, "
        "or be a form that is not valid multipart/form-data",
        "Problem",
    ),
    429: _json("the queue is full: try again later (Retry-After)"),
}


def responses(*groups: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    merged: dict[int | str, dict[str, Any]] = dict(ERRORS)
    for group in groups:
        merged |= group
    return merged


def request_body(model: str, examples: list[dict[str, Any]], files: list[str]) -> dict[str, Any]:
    """``openapi_extra`` for a body read by hand: JSON ``model``, or a form of ``files``."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF.format(model=model)},
                    "examples": {
                        f"example {number}": {"value": example}
                        for number, example in enumerate(examples, start=1)
                    },
                },
                "multipart/form-data": {
                    "schema": multipart_schema(
                        files, ["shipped_waiting_list"] if model == "CompareCreate" else []
                    )
                },
            },
        }
    }


async def accept(
    request: Request, response: Response, services: Services, kind: JobKind, path: str
) -> JobAccepted:
    """Read, check and queue a job; answer with where to find it."""
    if services.runner.in_queue >= services.settings.queue_size:  # before reading a big body
        raise QueueFull(services.settings.queue_size)
    submission = await read_submission(request, compare=kind is JobKind.COMPARE)
    checked = await run_in_threadpool(
        job_input,
        submission,
        services.settings,
        services.shipped,
        compare=kind is JobKind.COMPARE,
    )
    facts = checked.facts()
    job = await run_in_threadpool(
        services.runner.admit,
        lambda: services.store.create(
            kind,
            submission.options.model_dump(mode="json"),
            checked.document(),
            facts.model_dump(mode="json"),
        ),
    )
    log.info(
        "job %s (%s) queued: %d visits, %d carers, %d date(s)",
        job.id,
        kind.value,
        facts.visits,
        facts.carers,
        len(facts.dates),
    )
    location = f"{path}/{job.id}"
    response.headers["Location"] = location
    return JobAccepted(
        id=job.id, kind=kind.value, status=job.status.value, links={"self": location}
    )


def find(services: Services, job_id: str, kind: JobKind) -> Job:
    job = services.store.get(job_id)
    if job is None or job.kind is not kind:
        raise HTTPException(404, f"no {kind.value} job has the id '{job_id}'")
    return job


def document(services: Services, job: Job, name: str, *formerly: str) -> str:
    """A done job's document ``name`` (or, for a job stored by an earlier version, the first
    of the names it had then, ``formerly``); 409 while the job is not done."""
    if job.status is not JobStatus.DONE:
        why = f": {job.error}" if job.error else ""
        raise HTTPException(409, f"the job is {job.status.value}{why}")
    for each in (name, *formerly):
        found = services.store.document(job.id, each)
        if found is not None:
            return found.content
    raise HTTPException(404, f"the job has no {name}")


def csv_download(content: str, filename: str) -> Response:
    """A CSV document as a download named ``filename``."""
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def job_fields(
    job: Job, links: dict[str, str], progress: type[JobProgress] = JobProgress
) -> dict[str, Any]:
    """The fields every job answer has, from the job's row, but its options and scenario
    (a what-if job's are its spec, and facts of its base); ``progress`` is the model its
    progress is read in (a sweep's has counts of its own)."""
    return {
        "id": job.id,
        "status": job.status.value,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "progress": progress.model_validate(job.progress) if job.progress else None,
        "error": job.error,
        "links": links,
    }


def base_fields(job: Job, links: dict[str, str]) -> dict[str, Any]:
    """The fields of a rota or comparison answer, from the job's row."""
    result = job.result or {}
    return job_fields(job, links) | {
        "scenario": ScenarioFacts.model_validate(job.summary),
        "options": RotaOptions.model_validate(job.options),
        "travel": result.get("travel"),
        "travel_notes": result.get("travel_notes", []),
    }
