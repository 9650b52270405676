"""The shared vocabulary of travel: `Points`, `Matrices`, the `TravelProvider` interface, `TravelError`
and `whole_minutes`, the one rounding rule the solver and the validator both use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from planner.model import VehicleProfile

UNREACHABLE_MIN = 1_000_000  # whole minutes standing for "no route" (≈ 694 days; sums stay far from int64 limits)


class TravelError(RuntimeError):
    """Travel times cannot be had: bad matrix file, unreachable or failing routing server, bad settings."""


@dataclass(frozen=True)
class Points:
    """The places to route between: ids and WGS84 degrees, one entry per matrix row/column."""

    ids: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray

    def __post_init__(self) -> None:
        ids = tuple(str(i) for i in self.ids)
        lat = np.asarray(self.lat, dtype=np.float64).reshape(-1)
        lon = np.asarray(self.lon, dtype=np.float64).reshape(-1)
        if not len(ids) == lat.size == lon.size:
            raise ValueError(f"Points: {len(ids)} ids but {lat.size} lat and {lon.size} lon values")
        if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
            raise ValueError("Points: coordinates must be finite numbers")
        if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any():
            raise ValueError("Points: lat must lie in [-90, 90] and lon in [-180, 180] degrees")
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Matrices:
    """Travel between every ordered pair of points: road km and minutes (float64, not rounded, inf = no route)."""

    distance_km: np.ndarray
    duration_min: np.ndarray

    def __post_init__(self) -> None:
        dist = np.asarray(self.distance_km, dtype=np.float64)
        dur = np.asarray(self.duration_min, dtype=np.float64)
        if dist.ndim != 2 or dist.shape[0] != dist.shape[1] or dur.shape != dist.shape:
            raise ValueError(f"Matrices: need two equal square matrices, got {dist.shape} and {dur.shape}")
        for name, m in (("distance_km", dist), ("duration_min", dur)):
            if np.isnan(m).any() or (m < 0).any():
                raise ValueError(f"Matrices: {name} has NaN or negative entries")
            if m.diagonal().any():
                raise ValueError(f"Matrices: {name} must have a zero diagonal")
        object.__setattr__(self, "distance_km", dist)
        object.__setattr__(self, "duration_min", dur)

    @property
    def n(self) -> int:
        return int(self.distance_km.shape[0])


class TravelProvider(Protocol):
    """Anything that gives `Matrices` for points and a vehicle profile."""

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices: ...


def whole_minutes(duration_min: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """Minutes rounded up to whole minutes (int64, or `dtype`): the one rounding rule shared by solver
    and validator. Built in row blocks, so a large matrix needs no full-size temporaries."""
    d = np.asarray(duration_min, dtype=np.float64)
    out: np.ndarray = np.empty(d.shape, dtype=dtype)
    flat_in, flat_out = d.reshape(-1, d.shape[-1]) if d.ndim else d.reshape(1, 1), out.reshape(-1, d.shape[-1]) if d.ndim else out.reshape(1, 1)
    rows = max(1, (1 << 20) // max(1, flat_in.shape[1]))
    for r0 in range(0, flat_in.shape[0], rows):
        block = flat_in[r0 : r0 + rows]
        if np.isnan(block).any() or (block < 0).any():
            raise ValueError("whole_minutes: durations must be ≥ 0 (NaN or negative found)")
        unreachable = np.isinf(block)
        whole = np.ceil(np.where(unreachable, 0.0, block))
        whole[unreachable] = UNREACHABLE_MIN
        flat_out[r0 : r0 + rows] = whole
    return out


def expand(unique: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """Matrix over all points from the matrix over their unique coordinates (or ids)."""
    return np.asarray(unique[np.ix_(inverse, inverse)])
