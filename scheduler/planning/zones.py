"""Splitting a large day into geographic zones, each with carers living nearby.

Pure: the same scenario and seed give the same zones. Distances here only group places, so a
flat grid in km is good enough.
"""

from __future__ import annotations

import math

import numpy as np

from scheduler.model.care import Scenario

__all__ = ["split_into_zones"]


def _flat_xy(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Degrees to a local flat grid in km, good enough for grouping nearby places."""
    mean_lat = math.radians(float(np.mean(lat))) if len(lat) else 0.0
    return np.column_stack([lat * 111.2, lon * 111.2 * math.cos(mean_lat)])


def _kmeans(points: np.ndarray, weights: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Weighted k-means (k-means++ start, Lloyd steps); returns the centres."""
    rng = np.random.default_rng(seed)
    centres = [points[rng.choice(len(points), p=weights / weights.sum())]]
    for _ in range(1, k):
        gap = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
        chance = gap * weights
        centres.append(points[rng.choice(len(points), p=chance / chance.sum())])
    centre = np.array(centres)
    for _ in range(50):
        label = np.argmin(((points[:, None, :] - centre[None]) ** 2).sum(-1), axis=1)
        moved = centre.copy()
        for z in range(k):
            mine = label == z
            if mine.any():
                moved[z] = np.average(points[mine], axis=0, weights=weights[mine])
        if np.allclose(moved, centre):
            break
        centre = moved
    return centre


ZONE_SLACK = 1.10
"""A zone takes at most this times its fair share of the day's care minutes. Nearest-centre
zones were uneven (a 3000-visit day split 1490/885/351/274): the largest zone's first plan
then took 28 s of a 15 s budget, and the day overran its limit by half."""


def _balanced(distance: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each client's zone: the nearest with room under ``ZONE_SLACK`` of a fair share, clients
    with most to lose by going further (regret) first; a client no zone has room for goes to
    the least filled."""
    zones = distance.shape[1]
    cap = weights.sum() / zones * ZONE_SLACK
    ordered = np.sort(distance, axis=1)
    regret = ordered[:, 1] - ordered[:, 0] if zones > 1 else ordered[:, 0]
    filled = np.zeros(zones)
    zone = np.zeros(len(weights), dtype=np.int64)
    for k in np.argsort(-regret, kind="stable"):
        for z in np.argsort(distance[k], kind="stable"):
            if filled[z] + weights[k] <= cap:
                break
        else:
            z = int(np.argmin(filled))
        zone[k] = z
        filled[z] += weights[k]
    return zone


def split_into_zones(scenario: Scenario, zones: int, seed: int) -> list[Scenario]:
    """Split a day into ``zones`` smaller days by geography, each with carers living nearby
    whose shift hours match the zone's care hours. Pure: the same seed gives the same split."""
    clients = [scenario.client_by_id[cid] for cid in sorted({v.client_id for v in scenario.visits})]
    demand_of = {c.id: 0.0 for c in clients}
    for visit in scenario.visits:
        demand_of[visit.client_id] += visit.care_minutes
    client_xy = _flat_xy(
        np.array([c.location.lat for c in clients]), np.array([c.location.lon for c in clients])
    )
    weights = np.array([demand_of[c.id] for c in clients]) + 1e-9
    centres = _kmeans(client_xy, weights, zones, seed)
    client_zone = _balanced(
        np.sqrt(((client_xy[:, None, :] - centres[None]) ** 2).sum(-1)), weights
    )
    zone_of_client = {c.id: int(z) for c, z in zip(clients, client_zone, strict=True)}
    demand = np.bincount(client_zone, weights=weights, minlength=zones)

    carers = scenario.carers
    carer_xy = _flat_xy(
        np.array([c.home.lat for c in carers]), np.array([c.home.lon for c in carers])
    )
    distance = np.sqrt(((carer_xy[:, None, :] - centres[None]) ** 2).sum(-1))
    supply = np.array([c.shift_minutes for c in carers], dtype=float)
    target = demand / max(demand.sum(), 1e-9) * supply.sum()
    ordered = np.sort(distance, axis=1)
    regret = ordered[:, 1] - ordered[:, 0] if zones > 1 else ordered[:, 0]
    filled = np.zeros(zones)
    carer_zone: dict[str, int] = {}
    for k in np.argsort(-regret, kind="stable"):
        for z in np.argsort(distance[k], kind="stable"):
            if filled[z] + supply[k] <= target[z] * 1.05:
                break
        else:
            z = int(np.argmin(filled / np.maximum(target, 1e-9)))
        carer_zone[carers[k].id] = int(z)
        filled[z] += supply[k]

    parts = []
    for z in range(zones):
        visits = tuple(v for v in scenario.visits if zone_of_client[v.client_id] == z)
        wanted = {v.client_id for v in visits}
        parts.append(
            scenario.model_copy(
                update={
                    "name": f"{scenario.name}-zone{z + 1}",
                    "carers": tuple(c for c in carers if carer_zone[c.id] == z),
                    "clients": tuple(c for c in scenario.clients if c.id in wanted),
                    "visits": visits,
                    "history": tuple(h for h in scenario.history if h.client_id in wanted),
                }
            )
        )
    return parts
