"""The one base of domcare's values: immutable, and refusing fields it does not know (a typo
in a settings file or a stored plan is an error, not a silent default)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
