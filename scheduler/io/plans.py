"""Plans as files: plan.json and week.json read back (checked against the model, every problem
located), and plan.json's JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from scheduler.model.codes import InputCode
from scheduler.model.errors import InputError, InputIssue
from scheduler.model.plan import Plan, WeekPlan

M = TypeVar("M", bound=BaseModel)

__all__ = ["plan_schema", "read_json_model", "read_plan", "read_week"]


def plan_schema() -> str:
    """The JSON Schema of plan.json, generated from the model so it cannot drift from it."""
    schema = Plan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2)


def read_json_model(path: Path | str, model: type[M], code: InputCode = "invalid_plan") -> M:
    """A JSON file (written by domcare, or settings), as ``model``; ``InputError`` naming
    what is wrong, with ``code``."""
    path = Path(path)
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError([InputIssue("unreadable_file", path.name, str(exc.strerror))]) from None
    except ValidationError as exc:
        issues = [
            InputIssue(
                code,
                path.name,
                error["msg"],
                column=".".join(str(part) for part in error["loc"]) or None,
            )
            for error in exc.errors()[:20]
        ]
        raise InputError(issues) from None


def read_plan(path: Path | str) -> Plan:
    return read_json_model(path, Plan)


def read_week(path: Path | str) -> WeekPlan:
    """A week.json written by ``domcare solve``; raises ``InputError`` when it is not one."""
    return read_json_model(path, WeekPlan)
