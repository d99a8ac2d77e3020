"""Default travel times: great-circle distance, stretched for roads, at an average speed.

Vectorised with numpy: 3000 places take about a second, where geopy's geodesic pairwise
would take some twenty minutes. Accurate to ~0.5 % against the ellipsoid (see the tests).
"""

from __future__ import annotations

import numpy as np

from routing.travel import Place, TravelMatrix, TravelSettings

__all__ = ["EARTH_RADIUS_M", "HaversineTravel", "great_circle_m", "haversine_m"]

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def great_circle_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle metres (float) from each point 1 to its point 2, in degrees; numpy
    broadcasting pairs them (one array of each, or a column against a row)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi1 - phi2
    dlam = np.radians(lon1) - np.radians(lon2)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances in metres (float) between points given in degrees."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return great_circle_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])


class HaversineTravel:
    def __init__(self, settings: TravelSettings | None = None):
        self.settings = settings or TravelSettings()

    def matrix(self, places: list[Place], mode: str) -> TravelMatrix:
        lat = np.array([p.lat for p in places], dtype=float)
        lon = np.array([p.lon for p in places], dtype=float)
        road_m = haversine_m(lat, lon) * self.settings.circuity
        speed_m_per_min = self.settings.speed_kmh[mode] * 1000.0 / 60.0
        minutes = np.ceil(road_m / speed_m_per_min).astype(np.int64)
        moved = road_m >= 1.0  # same address (a client's next call): no travel, no parking
        minutes = np.where(moved, minutes + self.settings.access_minutes[mode], 0)
        metres = np.where(moved, np.rint(road_m), 0).astype(np.int64)
        return TravelMatrix(minutes=minutes.astype(np.int64), metres=metres)
