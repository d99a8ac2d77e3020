"""Which travel times a run plans on, from the words a user gives (``--travel``, the service's
setting), and what a road network had to say about the places it was asked about."""

from __future__ import annotations

from pathlib import Path

from routing.haversine import HaversineTravel
from routing.matrix_file import MatrixFileTravel
from routing.road import RoadError, RoadTravel
from routing.travel import TravelSettings, TravelTimes
from scheduler.model.care import Scenario
from scheduler.model.errors import InputError, InputIssue

__all__ = [
    "STRAIGHT_LINE",
    "describe_travel",
    "road_intro",
    "road_notes",
    "road_summary",
    "same_travel",
    "travel_from",
    "travel_spec",
]

STRAIGHT_LINE = "straight-line"
"""The default: great-circle distance x circuity at each mode's speed (no map needed)."""

_MODE_WORDS = {"car": "a car", "walk": "a walker", "bike": "a bike"}


def travel_from(
    spec: str | None, settings: TravelSettings, option: str = "--travel", workers: int = 1
) -> TravelTimes:
    """``straight-line`` (or nothing), ``osm:EXTRACT.osm.pbf`` or ``matrix:FILE.csv``."""
    text = (spec or STRAIGHT_LINE).strip()
    kind, _, where = text.partition(":")
    try:
        if text in (STRAIGHT_LINE, "haversine"):
            return HaversineTravel(settings)
        if kind == "osm" and where:
            return RoadTravel(Path(where), settings, workers=workers)
        if kind == "matrix" and where:
            return MatrixFileTravel(Path(where))
    except (RoadError, ValueError) as exc:
        raise InputError([InputIssue("invalid_option", option, str(exc))]) from None
    raise InputError(
        [
            InputIssue(
                "invalid_option",
                option,
                f"{text!r} is not a travel model: give {STRAIGHT_LINE}, osm:EXTRACT.osm.pbf "
                "or matrix:FILE.csv",
            )
        ]
    )


def travel_spec(travel: TravelTimes) -> str:
    """What a plan records of its travel times (``Plan.travel``): the kind and the file's name."""
    if isinstance(travel, RoadTravel):
        return f"osm:{travel.extract.name}"
    if isinstance(travel, MatrixFileTravel):
        return f"matrix:{travel.path.name}"
    return STRAIGHT_LINE


def same_travel(recorded: str, travel: TravelTimes, option: str = "--travel") -> None:
    """Checking a plan on other travel times than it was made on finds every leg wrong: say
    which to give instead."""
    given, kind = travel_spec(travel), recorded.partition(":")[0]
    if kind == given.partition(":")[0]:
        return
    asked = STRAIGHT_LINE if recorded == STRAIGHT_LINE else f"{kind}:PATH"
    message = f"the plan was timed on {recorded}, not {given}: give --travel {asked} to check it"
    raise InputError([InputIssue("invalid_option", option, message)])


def describe_travel(travel: TravelTimes | None) -> str:
    """How a plan's legs were timed, in a few words for a coordinator (no path: it may name
    somebody's folder); None is the default, straight lines."""
    if isinstance(travel, RoadTravel):
        return f"roads of {travel.extract.name}"
    if isinstance(travel, MatrixFileTravel):
        return f"travel matrix {travel.path.name}"
    return "straight lines x circuity"


def road_intro(travel: TravelTimes, scenario: Scenario) -> str | None:
    """Said before planning on roads: which map, and whether it must be read first (the
    first use of an extract; later runs read the roads kept beside it)."""
    if not isinstance(travel, RoadTravel):
        return None
    modes = sorted({carer.travel_mode.value for carer in scenario.carers}) or ["car"]
    unread = [mode for mode in modes if not travel.cached(mode)]
    words = f"Travel timed on the roads of {travel.extract.name} ({', '.join(modes)})"
    if unread:
        words += f"; reading the map for {', '.join(unread)} first (kept beside it for next time)"
    return words


def road_summary(travel: TravelTimes) -> str | None:
    """How far the places were from the road network, per mode: the snap distances a
    coordinator can check the map by (None for travel without a road network)."""
    if not isinstance(travel, RoadTravel) or not travel.snaps:
        return None
    parts = []
    for mode in sorted(travel.snaps):
        metres = sorted(snap.metres for snap in travel.snaps[mode])
        if metres:
            parts.append(
                f"{mode} median {metres[len(metres) // 2]:,.0f} m, furthest {metres[-1]:,.0f} m"
            )
    return f"Roads of {travel.extract.name}: places joined the network " + "; ".join(parts)


def road_notes(travel: TravelTimes, scenario: Scenario) -> list[str]:
    """Homes and clients far from any road their carers' mode may use, by id (never a name or
    an address); empty for travel without a road network."""
    if not isinstance(travel, RoadTravel):
        return []
    notes = []
    mode_of = {carer.id: carer.travel_mode.value for carer in scenario.carers}
    for mode in sorted(travel.snaps):
        for snap in travel.far_places(mode):
            if snap.key in scenario.client_by_id:
                who = f"client {snap.key}"
            elif mode_of.get(snap.key) == mode:
                who = f"carer {snap.key}'s home"
            else:
                continue  # a home on a map its carer does not travel
            alone = "" if snap.connected else "; no road from there joins the others"
            notes.append(
                f"{who} is {snap.metres:,.0f} m from the nearest way {_MODE_WORDS[mode]} may "
                f"use{alone} [far_from_road]"
            )
    return notes
