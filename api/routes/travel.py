"""/v1/travel: what a rota request's ``travel`` may be here. Road travel needs the service's
OpenStreetMap extract (``DOMCARE_OSM_EXTRACT``), so the page offers it only when this says so.
Behind a key: the extract's name says which area the service plans."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep, Viewer
from api.inputs import travel_model
from api.routes.jobs import responses
from api.schemas import ROAD, STRAIGHT_LINE, TravelModels
from scheduler.io.travel import describe_travel, travel_from
from scheduler.model.settings import Settings

__all__ = ["router"]

router = APIRouter(prefix="/v1/travel", tags=["travel"])


@router.get(
    "",
    operation_id="list_travel_models",
    summary="The travel models a rota may be timed on: straight-line, and road if the "
    "service has a map of roads",
    responses=responses(),
)
def list_travel_models(services: ServicesDep, _key: Viewer) -> TravelModels:
    extract = services.settings.osm_extract
    if extract is None:
        return TravelModels(models=[STRAIGHT_LINE], road=None)
    # Only names the file (never its folder); no graph is read until a job needs it.
    roads = travel_from(travel_model(ROAD, extract), Settings().travel)
    return TravelModels(models=[STRAIGHT_LINE, ROAD], road=describe_travel(roads))
