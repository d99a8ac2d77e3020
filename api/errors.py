"""Errors as answers: bad input is 422 with every located issue, as the command line lists
them; a full queue 429; a body too large 413. Never a traceback."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.runner import QueueFull
from api.schemas import Issue, Problem
from scheduler.errors import InputError, InputIssue

__all__ = ["RETRY_AFTER_S", "add_handlers", "problem"]

RETRY_AFTER_S = 30


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

    @app.exception_handler(QueueFull)
    async def _full(_request: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=429, headers={"Retry-After": str(RETRY_AFTER_S)}
        )
