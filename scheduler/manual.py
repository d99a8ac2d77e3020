"""A rota given as assignments, not searched for: a coordinator's own (``manual_rota.csv``)
or a baseline's (``scheduler.baselines``). It is evaluated exactly like an optimised plan, so
the two compare on one scale; its breaches are reported, never a reason to reject it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Assignment"]


class Assignment(BaseModel):
    """One carer doing one visit, starting at ``start`` (minutes after midnight) as planned.
    A double-handed visit has two assignments, one per carer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    carer_id: str
    date: dt.date
    visit_id: str
    start: int = Field(ge=0, le=24 * 60)
