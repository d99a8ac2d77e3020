"""The app: ``create_app(settings)`` builds it; ``domcare serve`` (``api.cli``) runs it.

Also ``uvicorn --factory api.main:create_app``, with settings from ``DOMCARE_*`` variables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from api.config import ServiceSettings
from api.db import make_engine
from api.deps import Services
from api.errors import add_handlers
from api.headers import SecurityHeaders, page_policy
from api.keys import KeyStore
from api.limits import BodyLimit, PrivateErrors
from api.routes import compare, docs, health, rotas, scenarios, travel, web, whatif
from api.routes.jobs import REF
from api.runner import ExecutorFactory, JobRunner, process_pool
from api.schemas import (
    ROAD,
    STRAIGHT_LINE,
    CompareCreate,
    Detail,
    Problem,
    ReplanCreate,
    RotaCreate,
    whatif_create_schema,
)
from api.shipped import ShippedScenarios
from api.store import JobStore
from scheduler.whatif.spec import Spec

__all__ = ["create_app"]

DESCRIPTION = """\
Optimised rotas for home care, as a service.

Request a rota with `POST /v1/rotas` (a scenario as JSON, or its CSV files as a form); it is
checked at once (bad input answers 422 with every problem located by file, row and column,
as the command line reports them) and planned in a worker process. Follow it with
`GET /v1/rotas/{id}` until it is `done` (or `failed`), then fetch the map, rota.csv and
plan.json.

The coordinator's web page is at `/`; `/map.svg` and `/timeline.svg` draw a done rota for it
with nothing from the internet.

Every endpoint but `/healthz` (and the page itself, which holds no data) needs an API key:
`Authorization: Bearer <key>`, made with `domcare keys create --role viewer|coordinator|planner`.
A viewer reads; a coordinator also requests rotas; a planner also runs comparisons and
what-if sweeps (`POST /v1/whatif`, the spec of `domcare whatif` as JSON).

Units as in domcare's files: times are minutes after midnight in plans (`HH:MM` in CSV),
durations minutes, distances metres (`travel_m`) or km in figures, positions WGS84 degrees.

Legs are timed on straight lines (distance x circuity, at each carer's speed) unless a request
asks for `"travel": "road"` among its options and the service has a map of roads (an
OpenStreetMap extract, `GET /v1/travel`); a re-plan is timed as its rota was, and every answer
says what its legs were timed on (`travel`, and `plan.travel`).
"""


def _version() -> str:
    try:
        return version("domcare")
    except PackageNotFoundError:
        return "0+unknown"


def _this_service(document: dict[str, Any], service: ServiceSettings) -> None:
    """What only this service's settings say, put in its document: the shipped scenarios'
    names (an enum), the longest time limit a request may ask for, and the travel models
    (road only with an extract)."""
    names = ShippedScenarios(service.scenarios_dir).names()
    schemas = document["components"]["schemas"]
    forms = [
        document["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        for path in ("/v1/rotas", "/v1/compare")
    ]
    for shipped in [
        schemas["RotaCreate"]["properties"]["shipped"],
        schemas["CompareCreate"]["properties"]["shipped"],
        *(form["schema"]["properties"]["shipped"] for form in forms),
    ]:
        shipped.pop("type", None)
        shipped["anyOf"] = [{"enum": names}, {"type": "null"}]
    schemas["WhatIfCreate"]["properties"]["base"] |= {"enum": names}
    for limit in [
        schemas["RotaOptions"]["properties"]["time_limit_s"],
        schemas["WhatIfCreate"]["properties"]["time_limit"],
        *(form["schema"]["properties"]["time_limit_s"] for form in forms),
    ]:
        limit["maximum"] = min(limit["maximum"], service.max_time_limit_s)
    # road only where this service has an extract (a spec's travel is a free string in the
    # domain: osm:PATH on the command line)
    offered = [STRAIGHT_LINE] if service.osm_extract is None else [STRAIGHT_LINE, ROAD]
    for choice in [
        schemas["RotaOptions"]["properties"]["travel"],
        schemas["WhatIfCreate"]["properties"]["travel"],
        *(form["schema"]["properties"]["travel"] for form in forms),
    ]:
        choice["enum"] = offered


def _openapi(app: FastAPI, service: ServiceSettings) -> Callable[[], dict[str, Any]]:
    """The OpenAPI document, with the bodies that routes read by hand (JSON or a form)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            built = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _, bodies = models_json_schema(
                [
                    (RotaCreate, "validation"),
                    (CompareCreate, "validation"),
                    (ReplanCreate, "validation"),
                    (Spec, "validation"),
                    (Problem, "validation"),
                    (Detail, "validation"),
                ],
                ref_template=REF,
            )
            schemas = built.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(bodies.get("$defs", {}))
            schemas["WhatIfCreate"] = whatif_create_schema(schemas["Spec"])
            _this_service(built, service)
            app.openapi_schema = built
        return app.openapi_schema

    return document


def create_app(
    settings: ServiceSettings | None = None, *, make_executor: ExecutorFactory = process_pool
) -> FastAPI:
    """The service. Its database, worker pool and queue start with the app (its lifespan):
    jobs a previous run left queued or running are queued again then."""
    service = settings or ServiceSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(service.database_url)
        store = JobStore(engine)
        runner = JobRunner(store, service, make_executor)
        app.state.services = Services(
            settings=service,
            store=store,
            keys=KeyStore(engine),
            runner=runner,
            shipped=ShippedScenarios(service.scenarios_dir),
        )
        await run_in_threadpool(runner.start)
        try:
            yield
        finally:
            await run_in_threadpool(runner.close)
            engine.dispose()

    app = FastAPI(
        title="domcare",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api.routes.docs, with nothing from the internet
        redoc_url=None,  # ReDoc comes only from a CDN: blank offline
    )
    app.add_middleware(PrivateErrors)
    app.add_middleware(BodyLimit, max_bytes=service.max_request_bytes)
    page = files("api").joinpath("web", "index.html").read_text(encoding="utf-8")
    app.add_middleware(
        SecurityHeaders,
        pages={
            "/": page_policy(page),
            docs.DOCS: page_policy(docs.docs_page(app.title, app.openapi_url or "")),
        },
    )
    add_handlers(app)
    for module in (health, scenarios, travel, rotas, compare, whatif, web, docs):
        app.include_router(module.router)
    app.openapi = _openapi(app, service)  # type: ignore[method-assign]
    return app
