"""The travel-time provider protocol and its shared settings.

Units: whole minutes for time (legs are rounded up: a rota cannot promise a carer 90 seconds),
whole metres for distance. A provider answers for a list of places and a travel mode with a
square matrix; row ``i`` column ``j`` is the leg from place ``i`` to place ``j``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["UNREACHABLE_MINUTES", "Place", "TravelMatrix", "TravelSettings", "TravelTimes"]

MODES = ("car", "walk", "bike")
UNREACHABLE_MINUTES = 1_000_000
"""A leg with no route (a client on an island, a road network in pieces): longer than any day,
so no plan can use it, and a number every consumer can test for."""
MAX_SPEED_KMH = 200.0
"""Faster than any door-to-door average on a road: beyond, a typo."""
MAX_ACCESS_MINUTES = 120
"""Two hours to park and reach a door: beyond, a typo."""


@dataclass(frozen=True)
class Place:
    """Somewhere a journey starts or ends. ``key`` names it to a matrix file; lat/lon in degrees."""

    key: str
    lat: float
    lon: float


@dataclass(frozen=True)
class TravelMatrix:
    minutes: npt.NDArray[np.int64]
    metres: npt.NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.minutes.shape != self.metres.shape or self.minutes.ndim != 2:
            raise ValueError("travel matrices must be square and of one shape")


class TravelSettings(BaseModel):
    """How straight-line distance becomes travel time.

    ``circuity`` turns crow-flies distance into road distance (1.3 is the usual figure for UK
    roads). Speeds are door-to-door averages in km/h. ``access_minutes`` is added to every leg
    that changes address: parking, walking to the door, the key safe.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    circuity: float = Field(default=1.3, ge=1.0, le=3.0)
    speed_kmh: dict[str, float] = Field(
        default_factory=lambda: {"car": 30.0, "walk": 4.8, "bike": 14.0}
    )
    access_minutes: dict[str, int] = Field(default_factory=lambda: {"car": 3, "walk": 1, "bike": 2})
    snap_warn_m: float = Field(
        default=500.0,
        gt=0,
        le=50_000,
        description="on road travel: a home or client further than this from the nearest way "
        "its carers' mode may use is a note naming it",
    )

    @model_validator(mode="after")
    def _every_mode(self) -> TravelSettings:
        for table in (self.speed_kmh, self.access_minutes):
            missing = [mode for mode in MODES if mode not in table]
            if missing:
                raise ValueError(f"travel settings lack the mode(s) {', '.join(missing)}")
        if any(not 0 < speed <= MAX_SPEED_KMH for speed in self.speed_kmh.values()):
            raise ValueError(f"travel speeds must be above 0 and at most {MAX_SPEED_KMH:g} km/h")
        if any(not 0 <= minutes <= MAX_ACCESS_MINUTES for minutes in self.access_minutes.values()):
            raise ValueError(f"access minutes must be 0 to {MAX_ACCESS_MINUTES}")
        return self


class TravelTimes(Protocol):
    """Anything that can say how long it takes to get between places by a mode of travel."""

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix: ...
