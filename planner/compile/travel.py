"""Travel distances and times between places, behind one interface (`TravelProvider`).

Three sources, picked by `TravelSettings.provider` through `provider_for`:

* `GreatCircleProvider` (planner.compile.great_circle, default): haversine km × circuity ÷ speed, per vehicle profile;
* `RoutingServerProvider` (planner.compile.servers): the table/matrix service of the user's own OSRM or Valhalla server,
  fetched in blocks and cached on disk so a rerun makes no requests;
* `FileMatrixProvider` (planner.compile.matrix_file): a long-format CSV matrix supplied with the scenario.

Every provider returns `Matrices`: road kilometres and minutes as float64, not rounded.
`whole_minutes` is the one rule (ceil) turning minutes into the integers the solver and the
validator both use. Unreachable pairs are `np.inf`; `whole_minutes` maps them to `UNREACHABLE_MIN`.
"""

from __future__ import annotations

from pathlib import Path

from planner.compile.great_circle import (
    BLOCK_ENTRIES,
    EARTH_RADIUS_KM,
    GreatCircleProvider,
    great_circle_km,
    great_circle_matrix_km,
)
from planner.compile.matrices import UNREACHABLE_MIN, Matrices, Points, TravelError, TravelProvider, whole_minutes
from planner.compile.matrix_file import FILE_COLUMNS, FileMatrixProvider
from planner.compile.servers import RoutingServerProvider
from planner.model import TravelSettings

__all__ = [
    "BLOCK_ENTRIES",
    "EARTH_RADIUS_KM",
    "FILE_COLUMNS",
    "UNREACHABLE_MIN",
    "FileMatrixProvider",
    "GreatCircleProvider",
    "Matrices",
    "Points",
    "RoutingServerProvider",
    "TravelError",
    "TravelProvider",
    "great_circle_km",
    "great_circle_matrix_km",
    "provider_for",
    "whole_minutes",
]


def provider_for(settings: TravelSettings, base_dir: Path | None = None, *,
                 cache_dir: Path | None = None) -> TravelProvider:
    """The provider the scenario's travel settings ask for; relative matrix files are read from base_dir."""
    great_circle = GreatCircleProvider(settings.speed_kmh, settings.circuity)
    if settings.provider == "haversine":
        return great_circle
    if settings.provider in ("osrm", "valhalla"):
        if not settings.url:
            raise TravelError(f"travel.provider {settings.provider} needs travel.url (e.g. http://localhost:5000)")
        return RoutingServerProvider(settings.provider, settings.url, cache_dir=cache_dir, fallback=great_circle)
    if settings.provider == "file":
        if not settings.matrix_file:
            raise TravelError("travel.provider file needs travel.matrix_file (a CSV beside the scenario)")
        path = Path(settings.matrix_file).expanduser()
        if not path.is_absolute():
            path = Path(base_dir or Path.cwd()) / path
        return FileMatrixProvider(path)
    raise TravelError(f"unknown travel.provider {settings.provider!r}")
