"""Travel between the day's places (clients' homes and carers' homes) for each travel mode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.travel import Place, TravelTimes
from scheduler.model.care import Carer, Scenario, TravelMode, Visit
from scheduler.model.plan import Stop

__all__ = ["Journeys", "Legs", "build_journeys", "places_of", "walk_run"]


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


def places_of(scenario: Scenario) -> list[Place]:
    """The day's places as travel times are asked for them: each client, then each carer's
    home, named by id."""
    places = [Place(c.id, c.location.lat, c.location.lon) for c in scenario.clients]
    return places + [Place(c.id, c.home.lat, c.home.lon) for c in scenario.carers]


def build_journeys(scenario: Scenario, travel: TravelTimes) -> Journeys:
    places = places_of(scenario)
    client_place = {c.id: k for k, c in enumerate(scenario.clients)}
    home_place = {c.id: len(scenario.clients) + k for k, c in enumerate(scenario.carers)}
    modes = sorted({carer.travel_mode for carer in scenario.carers}) or [TravelMode.CAR]
    minutes, metres = {}, {}
    for mode in modes:
        matrix = travel.matrix(places, mode.value)
        minutes[mode], metres[mode] = matrix.minutes, matrix.metres
    return Journeys(client_place, home_place, minutes, metres)


@dataclass(frozen=True)
class Legs:
    """A run's stops as travelled, and the way home."""

    stops: tuple[Stop, ...]
    return_home: int
    home_minutes: int
    home_metres: int


def walk_run(
    journeys: Journeys, carer: Carer, depart: int, calls: list[tuple[Visit, int, int]]
) -> Legs:
    """``carer`` leaving home at ``depart`` for ``calls`` (visit, wanted start, minutes the
    carer stays: ``Visit.lengths``) in order: each arrival is the previous end plus the leg,
    each call starts when wanted or on arrival if that is later. The one place a run's legs,
    arrivals and waits are worked out, for the solver's answers and for rotas given as
    assignments alike."""
    mode, home = carer.travel_mode, journeys.home_place[carer.id]
    here, clock = home, depart
    stops = []
    for visit, wanted, length in calls:
        there = journeys.client_place[visit.client_id]
        minutes, metres = journeys.leg(mode, here, there)
        arrival = clock + minutes
        start = max(wanted, arrival)
        stops.append(
            Stop(
                visit_id=visit.id,
                client_id=visit.client_id,
                arrival=arrival,
                start=start,
                end=start + length,
                travel_minutes=minutes,
                travel_m=metres,
                wait_minutes=start - arrival,
                minutes_late=visit.minutes_late(start),
            )
        )
        here, clock = there, start + length
    minutes, metres = journeys.leg(mode, here, home)
    return Legs(tuple(stops), clock + minutes, minutes, metres)
