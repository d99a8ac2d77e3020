"""Errors as answers: bad input is 422 with every located issue, as the command line lists
them; a full queue 429; a body too large 413; a database that cannot be used (or a full
disk) 503, nothing stored. Never a traceback."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.runner import QueueFull
from api.schemas import Issue, Problem
from api.store import disk_full
from scheduler.model.errors import InputError, InputIssue

__all__ = ["RETRY_AFTER_S", "STORE_DOWN_RETRY_S", "add_handlers", "problem"]

log = logging.getLogger("domcare.api")

RETRY_AFTER_S = 30
STORE_DOWN_RETRY_S = 300
"""A full disk or a database down waits for a person: ask again in five minutes."""


def problem(issues: list[InputIssue]) -> Problem:
    count = len(issues)
    return Problem(
        detail=f"{count} problem{'s' if count != 1 else ''} in the input",
        issues=[
            Issue(
                code=issue.code,
                file=issue.file,
                message=issue.message,
                row=issue.row,
                column=issue.column,
            )
            for issue in issues
        ],
    )


def _unprocessable(issues: list[InputIssue]) -> JSONResponse:
    return JSONResponse(problem(issues).model_dump(mode="json"), status_code=422)


def add_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError) -> JSONResponse:
        return _unprocessable(exc.issues)

    @app.exception_handler(RequestValidationError)
    async def _request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _unprocessable(
            [
                InputIssue(
                    "invalid_request",
                    "request",
                    str(error.get("msg", "is not valid")),
                    column=".".join(str(part) for part in error.get("loc", ())) or None,
                )
                for error in exc.errors()
            ]
        )

    @app.exception_handler(OperationalError)
    async def _store(request: Request, exc: OperationalError) -> JSONResponse:
        return _unavailable(request, exc)

    @app.exception_handler(OSError)
    async def _disk(request: Request, exc: OSError) -> JSONResponse:
        if not disk_full(exc):
            raise exc  # any other: a 500 with a sentence (api.limits.PrivateErrors)
        return _unavailable(request, exc)

    @app.exception_handler(QueueFull)
    async def _full(_request: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=429, headers={"Retry-After": str(RETRY_AFTER_S)}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # Starlette names the methods of the first route on the path only; a path with
            # a route per method (GET and POST /v1/rotas) must name them all, as documented.
            methods = _documented_methods(app, request.url.path)
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(methods)}
        return await http_exception_handler(request, exc)


def _documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document gives for ``path`` (its templates matched)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {method.upper() for method in operations if method != "parameters"}
    return sorted(methods)


def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503: the database cannot be written (a full disk) or reached. Logged by its type
    only: a database error's text quotes the statement and its values."""
    full = disk_full(exc)
    log.error(
        "%s %s: %s (%s)",
        request.method,
        request.url.path,
        "the disk is full" if full else "the database cannot be used",
        type(exc).__name__,
    )
    detail = (
        "the service's disk is full: nothing was stored. Try again later; the service's "
        "administrator must free some space"
        if full
        else "the service's database cannot be used just now: nothing was stored. Try again later"
    )
    return JSONResponse(
        {"detail": detail}, status_code=503, headers={"Retry-After": str(STORE_DOWN_RETRY_S)}
    )
