"""/v1/scenarios: the scenarios shipped with domcare, to plan by name."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import ServicesDep, Viewer
from api.routes.jobs import responses
from api.schemas import ShippedScenario

__all__ = ["router"]

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])


@router.get(
    "",
    operation_id="list_scenarios",
    summary='The shipped scenarios: request a rota with {"shipped": name}',
    responses=responses(),
)
async def list_scenarios(services: ServicesDep, _key: Viewer) -> list[ShippedScenario]:
    return await run_in_threadpool(services.shipped.describe)
