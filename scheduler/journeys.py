"""Travel between the day's places (clients' homes and carers' homes) for each travel mode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.travel import Place, TravelTimes
from scheduler.model import Scenario, TravelMode

__all__ = ["Journeys", "build_journeys"]


@dataclass(frozen=True)
class Journeys:
    """Row/column ``k`` of every matrix is place ``k``: the clients in scenario order, then
    the carers' homes. Minutes and metres per travel mode."""

    client_place: dict[str, int]
    home_place: dict[str, int]
    minutes: dict[TravelMode, npt.NDArray[np.int64]]
    metres: dict[TravelMode, npt.NDArray[np.int64]]

    def leg(self, mode: TravelMode, origin: int, destination: int) -> tuple[int, int]:
        """(minutes, metres) from place ``origin`` to place ``destination``."""
        return (
            int(self.minutes[mode][origin, destination]),
            int(self.metres[mode][origin, destination]),
        )


def build_journeys(scenario: Scenario, travel: TravelTimes) -> Journeys:
    places = [Place(c.id, c.location.lat, c.location.lon) for c in scenario.clients]
    places += [Place(c.id, c.home.lat, c.home.lon) for c in scenario.carers]
    client_place = {c.id: k for k, c in enumerate(scenario.clients)}
    home_place = {c.id: len(scenario.clients) + k for k, c in enumerate(scenario.carers)}
    modes = sorted({carer.travel_mode for carer in scenario.carers}) or [TravelMode.CAR]
    minutes, metres = {}, {}
    for mode in modes:
        matrix = travel.matrix(places, mode.value)
        minutes[mode], metres[mode] = matrix.minutes, matrix.metres
    return Journeys(client_place, home_place, minutes, metres)
