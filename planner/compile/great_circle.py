"""The default travel estimate: great-circle km × circuity gives road km, ÷ speed gives minutes,
per vehicle profile (defaults in planner.units).

Kept hand-written: the blocked haversine (`great_circle_matrix_km`). Library versions (scikit-learn's
haversine_distances, a one-shot numpy broadcast) build the whole n×n with per-pair trigonometry and
full-size temporaries; this one needs one arcsin and one sqrt per pair and rows in blocks of ~2^20
entries: 2× faster and a third of the peak memory at 5,000 points (bench/results/travel_matrix.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from planner import units
from planner.compile.matrices import Matrices, Points
from planner.model import VehicleProfile

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
BLOCK_ENTRIES = 1 << 20  # great-circle matrix built in row blocks of about this many entries (8 MB per temporary)


def _half_angles(deg: Any) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of half the angle, so differences need no trigonometry per pair."""
    half = np.radians(np.asarray(deg, dtype=np.float64)) / 2
    return np.sin(half), np.cos(half)


def great_circle_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Haversine distance in km between points in degrees; arguments broadcast like numpy arithmetic."""
    slat1, clat1 = _half_angles(lat1)
    slat2, clat2 = _half_angles(lat2)
    slon1, clon1 = _half_angles(lon1)
    slon2, clon2 = _half_angles(lon2)
    # sin((b - a)/2) = sin(b/2)cos(a/2) - cos(b/2)sin(a/2); cos(lat) = cos²(lat/2) - sin²(lat/2)
    sin_dlat = slat2 * clat1 - clat2 * slat1
    sin_dlon = slon2 * clon1 - clon2 * slon1
    cos_lat1 = (clat1 - slat1) * (clat1 + slat1)
    cos_lat2 = (clat2 - slat2) * (clat2 + slat2)
    h = np.asarray(sin_dlat * sin_dlat)
    h += (cos_lat1 * cos_lat2) * (sin_dlon * sin_dlon)
    np.clip(h, 0.0, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_KM
    return h


def great_circle_matrix_km(lat: np.ndarray, lon: np.ndarray, block_entries: int = BLOCK_ENTRIES) -> np.ndarray:
    """n×n great-circle km, built in row blocks so temporaries stay a few MB even for 5,000+ points."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    n = lat.size
    out = np.empty((n, n), dtype=np.float64)
    rows = max(1, block_entries // max(n, 1))
    for r0 in range(0, n, rows):
        r1 = min(n, r0 + rows)
        out[r0:r1] = great_circle_km(lat[r0:r1, None], lon[r0:r1, None], lat[None, :], lon[None, :])
    np.fill_diagonal(out, 0.0)
    return out


def _per_profile(given: Mapping[Any, float] | None, defaults: Mapping[str, float], what: str) -> dict[str, float]:
    """Profile → positive number, with `units` defaults for profiles not given."""
    merged = dict(defaults)
    for key, value in (given or {}).items():
        merged[str(VehicleProfile(key))] = float(value)
    for key, value in merged.items():
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{what} for {key} must be a positive number, got {value}")
    return merged


class GreatCircleProvider:
    """Estimate: great-circle km × circuity gives road km; road km ÷ speed gives minutes."""

    per_pair = True  # a pair's figures do not depend on the other points (the validator builds only what a plan uses)

    def __init__(self, speed_kmh: Mapping[Any, float] | None = None, circuity: Mapping[Any, float] | None = None):
        self.speed_kmh = _per_profile(speed_kmh, units.DEFAULT_SPEED_KMH, "speed_kmh")
        self.circuity = _per_profile(circuity, units.DEFAULT_CIRCUITY, "circuity")

    def describe(self, profile: VehicleProfile) -> str:
        """Human-readable assumptions for one profile, for logs and reports."""
        p = str(profile)
        return f"great-circle × {self.circuity[p]:g} at {self.speed_kmh[p]:g} km/h"

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Road-km and minute matrices estimated from straight-line distance."""
        p = str(VehicleProfile(profile))
        dist = great_circle_matrix_km(points.lat, points.lon)
        dist *= self.circuity[p]
        dur = np.multiply(dist, 60.0 / self.speed_kmh[p])
        return Matrices(distance_km=dist, duration_min=dur)

    def pair_travel(self, profile: VehicleProfile) -> Callable[..., tuple[np.ndarray, np.ndarray]]:
        """(lat1, lon1, lat2, lon2) → (km, minutes) per pair, broadcast like numpy, with the arithmetic
        of `matrices` (so a `planner.compile.table.TravelTable` reads exactly the dense figures)."""
        p = str(VehicleProfile(profile))
        circuity, per_km = self.circuity[p], 60.0 / self.speed_kmh[p]

        def travel(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> tuple[np.ndarray, np.ndarray]:
            dist = great_circle_km(lat1, lon1, lat2, lon2)
            dist *= circuity
            return dist, np.multiply(dist, per_km)

        return travel
