"""/healthz: is the service up and its database reachable (no key needed); and the longest
time limit it takes, which the page bounds its box by."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.deps import ServicesDep
from api.schemas import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    operation_id="healthz",
    response_model=Health,
    summary="Liveness and database check",
    responses={503: {"model": Health, "description": "the database cannot be reached"}},
)
def healthz(services: ServicesDep) -> Health | JSONResponse:
    health = Health(
        status="ok",
        database="ok",
        jobs_in_queue=services.runner.in_queue,
        queue_size=services.settings.queue_size,
        max_time_limit_s=services.settings.max_time_limit_s,
    )
    try:
        services.store.ping()
    except SQLAlchemyError:
        failing = health.model_copy(update={"status": "failing", "database": "unreachable"})
        return JSONResponse(failing.model_dump(), status_code=503)
    return health
