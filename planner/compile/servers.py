"""Road km and minutes from the table service of the user's own OSRM or Valhalla server (through
routingpy), fetched in blocks and cached on disk so a rerun makes no requests.

Kept hand-written: the npz block cache. An HTTP cache (requests-cache and the like) keys on the
request URL and stores JSON; this one keys on (server, profile, the block's rounded coordinates), so
a rerun or another scenario with the same places is a hit, stores float64 arrays numpy loads without
parsing, writes atomically (temp file and rename) and treats an unreadable file as a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from planner.compile.great_circle import GreatCircleProvider
from planner.compile.matrices import UNREACHABLE_MIN, Matrices, Points, TravelError, TravelProvider, expand
from planner.model import VehicleProfile

log = logging.getLogger(__name__)

COORD_DECIMALS = 6  # coordinates sent to (and cache keys of) routing servers are rounded to ~0.1 m
CACHE_VERSION = 1
DEFAULT_CACHE_DIR = Path("~/.cache/jemput/travel")
DEFAULT_BLOCK = {"osrm": 100, "valhalla": 50}  # OSRM's default max-table-size is 100×100, Valhalla's 2,500 pairs
SERVER_PROFILES: dict[str, dict[str, str]] = {
    "osrm": {"car": "car", "motorbike": "car"},  # OSRM serves the profile it was built with; the name is a label
    "valhalla": {"car": "auto", "motorbike": "motorcycle"},
}


_Pair = tuple[np.ndarray, np.ndarray]  # (km, minutes)


def _blocks(n: int, size: int) -> list[range]:
    """Consecutive index ranges of at most `size` covering 0..n-1."""
    return [range(s, min(n, s + size)) for s in range(0, n, size)]



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
        dist, dur = expand(dist_u, inverse.reshape(-1)), expand(dur_u, inverse.reshape(-1))
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

    def _request(self, locations: list[list[float]], server_profile: str, sources: list[int] | None, destinations: list[int] | None) -> Any:
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
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub reads the first keyword as allow_pickle
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
