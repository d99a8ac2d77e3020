"""A job request's body, JSON or multipart/form-data, read into a ``Submission``.

JSON is ``RotaCreate`` (or ``CompareCreate``). A form sends the CSV files as file fields named
after their table (``carers``, ``clients``, ``visits``, ...), or ``shipped`` with a shipped
scenario's name, an optional ``name``, and each option as a field of its own; an empty field
counts as not given, as a browser sends a blank input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException, Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.inputs import COMPARE_FILES, SCENARIO_FILES, Submission, options_issues
from api.schemas import CompareCreate, ReplanCreate, RotaCreate, RotaOptions
from scheduler.model.errors import InputError, InputIssue

__all__ = ["multipart_schema", "read_events_body", "read_submission"]

_MAX_PARTS = 40
_FORM_TEXT = ("name", "shipped")


def multipart_schema(files: Sequence[str], text: Sequence[str] = ()) -> dict[str, Any]:
    """The OpenAPI schema of the form: files, text fields, then the options."""
    options = RotaOptions.model_json_schema(ref_template="#/components/schemas/{model}")
    properties: dict[str, Any] = {
        name: {"type": "string", "format": "binary", "description": f"{name}.csv"} for name in files
    }
    properties["name"] = {"type": "string", "description": "the scenario's name (uploads)"}
    properties["shipped"] = {"type": "string", "description": "or a shipped scenario's name"}
    for name in text:
        properties[name] = {"type": "boolean"}
    properties |= options["properties"]
    return {"type": "object", "properties": properties}


async def read_submission(request: Request, *, compare: bool = False) -> Submission:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return _from_json(await request.body(), compare)
    if kind == "multipart/form-data":
        return await _from_form(request, compare)
    raise HTTPException(
        415, "send the request as application/json or as multipart/form-data (CSV files)"
    )


def _from_json(body: bytes, compare: bool) -> Submission:
    model = CompareCreate if compare else RotaCreate
    try:
        request = model.model_validate_json(body, strict=True)  # JSON as its schema says
    except ValidationError as exc:
        raise options_issues(exc) from None
    extra: dict[str, Any] = {}
    if isinstance(request, CompareCreate):
        extra = {
            "manual_rota": request.manual_rota,
            "waiting_list": request.waiting_list,
            "shipped_waiting_list": request.shipped_waiting_list,
        }
    return Submission(
        options=request.options, document=request.scenario, shipped=request.shipped, **extra
    )


async def _parts(
    form: FormData, file_fields: set[str]
) -> tuple[dict[str, bytes], dict[str, str], list[InputIssue]]:
    """A form's files and non-blank text fields, by name, and what is wrong with it."""
    files: dict[str, bytes] = {}
    text: dict[str, str] = {}
    issues: list[InputIssue] = []
    for name, value in form.multi_items():
        if name in files or name in text:
            issues.append(InputIssue("duplicate_field", "request", "is sent twice", None, name))
        elif isinstance(value, UploadFile):
            if name in file_fields:
                files[name] = await value.read()
            else:
                known = ", ".join(sorted(file_fields))
                issues.append(
                    InputIssue(
                        "unknown_file",
                        "request",
                        f"is not a file taken here ({known})",
                        None,
                        name,
                    )
                )
        elif value.strip():
            text[name] = value.strip()
    return files, text, issues


async def _form(
    request: Request, file_fields: set[str]
) -> tuple[dict[str, bytes], dict[str, str], list[InputIssue], dict[str, str | None]]:
    """A form's files, non-blank text fields and problems (``_parts``), and the name each
    file was sent with."""
    try:
        async with request.form(max_files=_MAX_PARTS, max_fields=_MAX_PARTS) as form:
            files, text, issues = await _parts(form, file_fields)
            names = {
                name: value.filename
                for name, value in form.multi_items()
                if isinstance(value, UploadFile)
            }
    except StarletteHTTPException as exc:  # Starlette's 400 for a body that is not a form
        raise InputError(
            [
                InputIssue(
                    "invalid_form",
                    "request",
                    f"is not a valid multipart/form-data form ({exc.detail})",
                )
            ]
        ) from None
    return files, text, issues, names


async def _from_form(request: Request, compare: bool) -> Submission:
    file_fields = set(SCENARIO_FILES) | (set(COMPARE_FILES) if compare else set())
    text_fields = set(_FORM_TEXT) | ({"shipped_waiting_list"} if compare else set())
    files, text, issues, _ = await _form(request, file_fields)
    options = {k: v for k, v in text.items() if k not in text_fields}
    try:
        parsed = RotaOptions.model_validate(options)
    except ValidationError as exc:
        issues += options_issues(exc).issues
        parsed = RotaOptions()
    if not files and "shipped" not in text:
        issues.append(
            InputIssue(
                "missing_file",
                "request",
                "send the scenario's CSV files (carers, clients, visits, ...) or 'shipped'",
            )
        )
    elif files and "shipped" in text:
        issues.append(
            InputIssue(
                "invalid_request",
                "request",
                "send either CSV files or a shipped scenario's name",
                None,
                "shipped",
            )
        )
    if issues:
        raise InputError(issues)
    manual = files.pop("manual_rota", None)
    waiting = files.pop("waiting_list", None)
    return Submission(
        options=parsed,
        files=files,
        name=text.get("name"),
        shipped=text.get("shipped"),
        manual_rota=manual,
        waiting_list=waiting,
        shipped_waiting_list=text.get("shipped_waiting_list", "").lower() in ("true", "1", "on"),
    )


EVENTS_LABEL = {"json": "events.json", "csv": "events.csv"}


async def read_events_body(
    request: Request,
) -> tuple[bytes, str, str, float | None, str | None]:
    """A re-plan's body: (the events file's bytes, its name, ``at``, the time limit, the day
    of a week's rota or None). JSON is
    ``ReplanCreate``; a form sends an ``events`` file (CSV, or JSON if named ``.json``) and
    ``at`` and ``time_limit_s`` as fields."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = ReplanCreate.model_validate_json(await request.body(), strict=True)
        except ValidationError as exc:
            raise options_issues(exc) from None
        events = json.dumps(body.events).encode("utf-8")
        return events, EVENTS_LABEL["json"], body.at, body.time_limit_s, body.date
    if kind != "multipart/form-data":
        raise HTTPException(
            415, "send the events as application/json or as multipart/form-data (a CSV file)"
        )
    files, text, issues, names = await _form(request, {"events"})
    if "events" not in files:
        issues.append(InputIssue("missing_file", "request", "send the events file", None, "events"))
    if "at" not in text:
        issues.append(InputIssue("missing_value", "request", "is empty", None, "at"))
    limit = None
    if "time_limit_s" in text:
        try:
            limit = float(text["time_limit_s"])
            if not 0 < limit < float("inf"):
                raise ValueError
        except ValueError:
            issues.append(
                InputIssue(
                    "invalid_request", "request", "is not a number of seconds", None, "time_limit_s"
                )
            )
    unknown = set(text) - {"at", "time_limit_s", "date"}
    issues += [
        InputIssue("invalid_request", "request", "is not a field taken here", None, n)
        for n in sorted(unknown)
    ]
    if issues:
        raise InputError(issues)
    label = (
        EVENTS_LABEL["json"]
        if str(names.get("events") or "").lower().endswith(".json")
        else EVENTS_LABEL["csv"]
    )
    return files["events"], label, text["at"], limit, text.get("date")
