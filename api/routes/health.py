"""/healthz: is the service up, and can its database be read and written (no key needed);
and the longest time limit it takes, which the page bounds its box by."""

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
    summary="Liveness and database check: read, and a small write",
    responses={
        503: {
            "model": Health,
            "description": "the database cannot be reached, or cannot be written (a full "
            "disk): jobs cannot be taken",
        }
    },
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
        return _failing(health, "unreachable", "the database cannot be reached")
    try:
        services.store.probe_write()
    except SQLAlchemyError:
        return _failing(
            health,
            "cannot write",
            "the database can be read but not written (is its disk full?): no job can be "
            "taken or finished",
        )
    return health


def _failing(health: Health, database: str, detail: str) -> JSONResponse:
    failing = health.model_copy(
        update={"status": "failing", "database": database, "detail": detail}
    )
    return JSONResponse(failing.model_dump(), status_code=503)
