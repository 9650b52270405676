"""Travel distances and times between places, behind one interface (`TravelProvider`).

Three sources, picked by `TravelSettings.provider` through `provider_for`:

* `GreatCircleProvider` (default): haversine km × circuity ÷ speed, per vehicle profile;
* `RoutingServerProvider`: the table/matrix service of the user's own OSRM or Valhalla server,
  fetched in blocks and cached on disk so a rerun makes no requests;
* `FileMatrixProvider`: a long-format CSV matrix supplied with the scenario.

Every provider returns `Matrices`: road kilometres and minutes as float64, not rounded.
`whole_minutes` is the one rule (ceil) turning minutes into the integers the solver and the
validator both use. Unreachable pairs are `np.inf`; `whole_minutes` maps them to `UNREACHABLE_MIN`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from planner import units
from planner.model import TravelSettings, VehicleProfile

log = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
UNREACHABLE_MIN = 1_000_000  # whole minutes standing for "no route" (≈ 694 days; sums stay far from int64 limits)
BLOCK_ENTRIES = 1 << 20  # great-circle matrix built in row blocks of about this many entries (8 MB per temporary)
COORD_DECIMALS = 6  # coordinates sent to (and cache keys of) routing servers are rounded to ~0.1 m
CACHE_VERSION = 1
DEFAULT_CACHE_DIR = Path("~/.cache/jemput/travel")
DEFAULT_BLOCK = {"osrm": 100, "valhalla": 50}  # OSRM's default max-table-size is 100×100, Valhalla's 2,500 pairs
SERVER_PROFILES: dict[str, dict[str, str]] = {
    "osrm": {"car": "car", "motorbike": "car"},  # OSRM serves the profile it was built with; the name is a label
    "valhalla": {"car": "auto", "motorbike": "motorcycle"},
}
FILE_COLUMNS = ("from_id", "to_id", "duration_min", "distance_km")


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
        return self.distance_km.shape[0]


class TravelProvider(Protocol):
    """Anything that gives `Matrices` for points and a vehicle profile."""

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices: ...


# --------------------------------------------------------------------------------------------
# Rounding and great-circle geometry
# --------------------------------------------------------------------------------------------


def whole_minutes(duration_min: np.ndarray) -> np.ndarray:
    """Minutes rounded up to whole int64 minutes: the one rounding rule shared by solver and validator."""
    d = np.asarray(duration_min, dtype=np.float64)
    if np.isnan(d).any() or (d < 0).any():
        raise ValueError("whole_minutes: durations must be ≥ 0 (NaN or negative found)")
    unreachable = np.isinf(d)
    out = np.ceil(np.where(unreachable, 0.0, d)).astype(np.int64)
    out[unreachable] = UNREACHABLE_MIN
    return out


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


# --------------------------------------------------------------------------------------------
# Great-circle provider
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Routing-server provider (OSRM / Valhalla via routingpy)
# --------------------------------------------------------------------------------------------


_Pair = tuple[np.ndarray, np.ndarray]  # (km, minutes)


def _blocks(n: int, size: int) -> list[range]:
    """Consecutive index ranges of at most `size` covering 0..n-1."""
    return [range(s, min(n, s + size)) for s in range(0, n, size)]


def _expand(unique: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """Matrix over all points from the matrix over their unique coordinates."""
    return unique[np.ix_(inverse, inverse)]


class RoutingServerProvider:
    """Road km and minutes from the table service of the user's own OSRM or Valhalla server, cached on disk."""

    def __init__(
        self,
        kind: str,
        url: str,
        *,
        cache_dir: Path | str | None = None,
        cache: bool = True,
        block: int | None = None,
        timeout_s: float = 60.0,
        retry_timeout_s: int = 60,
        fallback: TravelProvider | None = None,
        profiles: Mapping[str, str] | None = None,
    ):
        if kind not in SERVER_PROFILES:
            raise ValueError(f"routing server kind must be osrm or valhalla, got {kind!r}")
        if not url or not str(url).startswith(("http://", "https://")):
            raise ValueError(f"{kind} url must start with http:// or https://, got {url!r}")
        self.kind = kind
        self.url = str(url).rstrip("/")
        self.cache_dir = Path(cache_dir or DEFAULT_CACHE_DIR).expanduser() if cache else None
        self.block = int(block or DEFAULT_BLOCK[kind])
        if self.block < 1:
            raise ValueError("block must be ≥ 1")
        self.profiles = {**SERVER_PROFILES[kind], **(profiles or {})}
        self.fallback = fallback or GreatCircleProvider()
        self.requests_made = 0  # HTTP requests sent by this provider (cache hits do not count)
        self._client = self._make_client(timeout_s, retry_timeout_s)

    def _make_client(self, timeout_s: float, retry_timeout_s: int) -> Any:
        """The routingpy router for this server; 429s are not retried, 503s until retry_timeout_s."""
        import routingpy

        router = routingpy.OSRM if self.kind == "osrm" else routingpy.Valhalla
        return router(
            base_url=self.url,
            user_agent="jemput",
            timeout=timeout_s,
            retry_timeout=retry_timeout_s,
            retry_over_query_limit=False,
        )

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Road km and minutes from the server (boat: great-circle fallback); unreachable pairs are inf."""
        p = str(VehicleProfile(profile))
        if p not in self.profiles:
            log.warning(
                "%s server %s has no %s profile (road servers route roads only); %s travel uses the fallback %s",
                self.kind, self.url, p, p, _describe(self.fallback, profile),
            )
            return self.fallback.matrices(points, profile)
        coords = np.column_stack([np.round(points.lon, COORD_DECIMALS), np.round(points.lat, COORD_DECIMALS)])
        unique, inverse = np.unique(coords, axis=0, return_inverse=True)
        dist_u, dur_u = self._unique_matrices(unique, self.profiles[p])
        np.fill_diagonal(dist_u, 0.0)  # same coordinates (also duplicates): no travel, whatever snapping says
        np.fill_diagonal(dur_u, 0.0)
        dist, dur = _expand(dist_u, inverse.reshape(-1)), _expand(dur_u, inverse.reshape(-1))
        _warn_unreachable(dur, points.ids, f"{self.kind} server {self.url} ({p})")
        return Matrices(distance_km=dist, duration_min=dur)

    def _unique_matrices(self, coords: np.ndarray, server_profile: str) -> tuple[np.ndarray, np.ndarray]:
        """km and minutes between unique [lon, lat] coordinates, block by block."""
        m = coords.shape[0]
        dist = np.zeros((m, m))
        dur = np.zeros((m, m))
        for src in _blocks(m, self.block):
            for dst in _blocks(m, self.block):
                d_km, t_min = self._block(coords[src], coords[dst], server_profile, same=src == dst)
                dist[src.start : src.stop, dst.start : dst.stop] = d_km
                dur[src.start : src.stop, dst.start : dst.stop] = t_min
        return dist, dur

    def _block(self, src: np.ndarray, dst: np.ndarray, server_profile: str, same: bool) -> _Pair:
        """One block from the disk cache, or from the server (then cached)."""
        path = self._cache_path(src, dst, server_profile)
        cached = _load_npz(path) if path is not None and path.exists() else None
        if cached is not None:
            return cached
        d_km, t_min = self._fetch(src, dst, server_profile, same)
        if path is not None:
            _save_npz(path, distance_km=d_km, duration_min=t_min)
        return d_km, t_min

    def _cache_path(self, src: np.ndarray, dst: np.ndarray, server_profile: str) -> Path | None:
        """Cache file keyed by a hash of (kind, url, profile, rounded coordinates)."""
        if self.cache_dir is None:
            return None
        key = json.dumps(
            {"v": CACHE_VERSION, "kind": self.kind, "url": self.url, "profile": server_profile,
             "src": src.tolist(), "dst": dst.tolist()},
            separators=(",", ":"),
        )
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.npz"

    def _fetch(self, src: np.ndarray, dst: np.ndarray, server_profile: str, same: bool) -> _Pair:
        """Ask the server for one block; km and minutes with inf where it found no route."""
        locations = src.tolist() if same else src.tolist() + dst.tolist()
        sources = None if same else list(range(len(src)))
        destinations = None if same else list(range(len(src), len(src) + len(dst)))
        raw = self._request(locations, server_profile, sources, destinations)
        return _parse_block(raw, (len(src), len(dst)), self._where())

    def _request(self, locations: list, server_profile: str, sources: list | None, destinations: list | None) -> Any:
        """One table request through routingpy; every failure becomes a TravelError naming the server."""
        from routingpy import exceptions as rexc
        import requests

        self.requests_made += 1
        kwargs: dict[str, Any] = {"sources": sources, "destinations": destinations}
        if self.kind == "osrm":
            kwargs["annotations"] = ["duration", "distance"]
        try:
            return self._client.matrix(locations=locations, profile=server_profile, **kwargs)
        except rexc.RouterError as e:
            raise TravelError(f"{self._where()} answered HTTP {e.status}: {_short(e.message)}") from e
        except rexc.Timeout as e:
            raise TravelError(f"{self._where()} did not answer in time (timeout or repeated HTTP 503)") from e
        except rexc.JSONParseError as e:
            raise TravelError(f"{self._where()} sent an answer that is not JSON: {_short(str(e))}") from e
        except requests.RequestException as e:
            raise TravelError(f"cannot reach {self._where()}: {_short(str(e))}") from e
        except (KeyError, TypeError) as e:
            raise TravelError(f"{self._where()} sent an unexpected answer (missing {e})") from e

    def _where(self) -> str:
        return f"{self.kind} server {self.url}"


def _parse_block(raw: Any, shape: tuple[int, int], where: str) -> tuple[np.ndarray, np.ndarray]:
    """routingpy Matrix (metres, seconds, None = no route) → km and minutes with inf for no route."""
    body = getattr(raw, "raw", None)
    if isinstance(body, dict) and "code" in body and body["code"] != "Ok":
        raise TravelError(f"{where} answered code {body['code']!r}: {_short(str(body.get('message')))}")
    if raw is None or raw.durations is None or raw.distances is None:
        raise TravelError(f"{where} did not return both durations and distances (OSRM needs annotations support)")
    seconds = np.array(raw.durations, dtype=np.float64)
    metres = np.array(raw.distances, dtype=np.float64)
    if seconds.shape != shape or metres.shape != shape:
        raise TravelError(f"{where} returned a {seconds.shape} table for a {shape} request")
    missing = np.isnan(seconds) | np.isnan(metres)
    km, minutes = metres / 1000.0, seconds / 60.0
    km[missing] = np.inf
    minutes[missing] = np.inf
    if (km < 0).any() or (minutes < 0).any():
        raise TravelError(f"{where} returned negative distances or durations")
    return km, minutes


def _load_npz(path: Path) -> _Pair | None:
    """A cached block, or None (with a warning) if the file cannot be read, so it is fetched again."""
    try:
        with np.load(path) as z:
            return z["distance_km"], z["duration_min"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        log.warning("ignoring unreadable travel cache file %s (%s)", path, e)
        return None


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write arrays atomically (temp file + rename) so an interrupted run leaves no half cache file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _warn_unreachable(duration_min: np.ndarray, ids: tuple[str, ...], where: str) -> None:
    """Log how many pairs have no route, with a few examples; they stay inf in the matrices."""
    rows, cols = np.nonzero(np.isinf(duration_min))
    if rows.size:
        examples = ", ".join(f"{ids[i]}→{ids[j]}" for i, j in zip(rows[:5], cols[:5]))
        log.warning(
            "%s found no route for %d of %d pairs (e.g. %s); they are inf, i.e. %d whole minutes",
            where, rows.size, len(ids) * (len(ids) - 1), examples, UNREACHABLE_MIN,
        )


def _describe(provider: TravelProvider, profile: VehicleProfile) -> str:
    describe = getattr(provider, "describe", None)
    return describe(profile) if describe else type(provider).__name__


def _short(text: str | None, limit: int = 300) -> str:
    text = (text or "").strip().replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------------------------
# File provider
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    src: str
    dst: str
    duration_min: float
    distance_km: float
    profile: str | None


class FileMatrixProvider:
    """Road km and minutes from a long-format CSV: from_id,to_id,duration_min,distance_km[,profile]."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if not self.path.is_file():
            raise TravelError(f"travel matrix file not found: {self.path}")

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Matrices for the requested ids; every ordered pair of distinct ids must be in the file."""
        p = str(VehicleProfile(profile))
        ids, inverse = np.unique(np.array(points.ids, dtype=object), return_inverse=True)
        index = {str(i): k for k, i in enumerate(ids)}
        m = len(ids)
        dist, dur = np.zeros((m, m)), np.zeros((m, m))
        level = np.zeros((m, m), dtype=np.int8)  # 0 unset, 1 from a row for all profiles, 2 for this profile
        for row in self._rows():
            self._apply(row, p, index, dist, dur, level)
        self._check_complete(level, [str(i) for i in ids], p)
        inv = inverse.reshape(-1)
        return Matrices(distance_km=_expand(dist, inv), duration_min=_expand(dur, inv))

    def _apply(self, row: _Row, profile: str, index: dict[str, int], dist: np.ndarray, dur: np.ndarray,
               level: np.ndarray) -> None:
        """Put one row into the matrices if it concerns them; a profile's own row beats a general one."""
        if row.profile not in (None, profile) or row.src == row.dst:
            return
        i, j = index.get(row.src), index.get(row.dst)
        if i is None or j is None:
            return
        rank = 2 if row.profile else 1
        if level[i, j] == rank:
            which = f"profile {row.profile}" if row.profile else "all profiles"
            raise TravelError(f"{self.path} line {row.line}: pair {row.src}→{row.dst} ({which}) appears twice")
        if level[i, j] < rank:
            dist[i, j], dur[i, j], level[i, j] = row.distance_km, row.duration_min, rank

    def _check_complete(self, level: np.ndarray, ids: list[str], profile: str) -> None:
        """Raise naming the first missing pairs when the file does not cover every requested pair."""
        missing = level == 0
        np.fill_diagonal(missing, False)
        rows, cols = np.nonzero(missing)
        if rows.size:
            examples = ", ".join(f"{ids[i]}→{ids[j]}" for i, j in zip(rows[:5], cols[:5]))
            raise TravelError(
                f"{self.path} lacks {rows.size} of {len(ids) * (len(ids) - 1)} pairs needed for {profile} "
                f"(from_id→to_id), e.g. {examples}"
            )

    def _rows(self) -> Iterator[_Row]:
        """Validated rows of the file, with their line numbers."""
        with self.path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            self._check_header(reader.fieldnames)
            for rec in reader:
                yield self._parse_row(rec, reader.line_num)

    def _check_header(self, fieldnames: list[str] | None) -> None:
        missing = [c for c in FILE_COLUMNS if c not in (fieldnames or [])]
        if missing:
            raise TravelError(
                f"{self.path}: missing column(s) {', '.join(missing)}; need {','.join(FILE_COLUMNS)}[,profile]"
            )

    def _parse_row(self, rec: dict[str, Any], line: int) -> _Row:
        """One CSV record → _Row, or a TravelError naming the file, line and bad value."""
        src, dst = (str(rec.get(c) or "").strip() for c in ("from_id", "to_id"))
        if not src or not dst:
            raise TravelError(f"{self.path} line {line}: from_id and to_id must not be empty")
        prof = str(rec.get("profile") or "").strip() or None
        if prof is not None and prof not in {v.value for v in VehicleProfile}:
            raise TravelError(f"{self.path} line {line}: unknown profile {prof!r} (car, motorbike or boat)")
        values = [_non_negative(rec.get(c), c, self.path, line) for c in ("duration_min", "distance_km")]
        return _Row(line, src, dst, values[0], values[1], prof)


def _non_negative(text: Any, column: str, path: Path, line: int) -> float:
    """A finite number ≥ 0 from a CSV cell, or a TravelError naming the cell."""
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise TravelError(f"{path} line {line}: {column} {text!r} is not a finite number ≥ 0")
    return value


# --------------------------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------------------------


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
