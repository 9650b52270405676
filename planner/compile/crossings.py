"""Travel that knows the sea: land vehicles change island only over a crossing (bridge, ferry, boat).

`with_crossings(provider, scenario)` wraps any `TravelProvider`. For a car or motorbike, travel
between two places on the same island is the wrapped provider's; between two islands it is the
quickest way road → port → crossing (wait for the next departure + time on board) → … → port → road,
over every crossing that carries the vehicle (chains of islands included), and `inf` (no route)
when no crossing joins them. A boat team travels over water itself and is not bound to islands.

This is the one travel computation: `compile_scenario` (routing model, schedule, bound, reasons)
and the validator both wrap their provider with it, so a plan that drives across the sea is rejected.
The wait is static (one time per leg): the longest wait for the next departure when reaching the
port at any minute of `units.CROSSING_ARRIVALS` on a weekday of the horizon (see `boarding_wait`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from planner import units
from planner.compile.travel import Matrices, Points, TravelProvider, great_circle_km
from planner.model import Crossing, CrossingKind, Scenario, VehicleProfile, Weekday

WEEK = 7 * units.DAY_MINUTES
MAX_WAIT = WEEK  # a crossing that makes a team wait longer than a week is unusable


@dataclass(frozen=True)
class Port:
    """One end of a crossing as a travel point."""

    id: str
    crossing: int  # index into the scenario's crossings
    end: str  # "a" or "b"
    lat: float
    lon: float
    island: str


@dataclass(frozen=True)
class LegCrossing:
    """A crossing a leg uses, in order, and the road minutes from the leg's start to its port."""

    crossing: Crossing
    from_end: str  # "a" or "b": the end the team boards at
    minutes_to_port: int  # travel minutes from the leg's start until the team reaches that port (worst waits)
    road_before: int  # road minutes from the leg's start, or the previous crossing's landing, to this port


def departures_in_week(x: Crossing) -> np.ndarray:
    """Departure times as minutes from Monday 00:00, sorted (empty for a bridge)."""
    out: list[int] = []
    for d, day in enumerate(units.WEEKDAYS):
        if x.every_min is not None:
            w0, w1 = (x.service.start, x.service.end) if x.service else (0, units.DAY_MINUTES)
            out += [d * units.DAY_MINUTES + t for t in range(w0, w1, x.every_min)]
        else:
            out += [d * units.DAY_MINUTES + t for t in x.departures.get(Weekday(day), ())]
    return np.array(sorted(out), dtype=np.int64)


def boarding_wait(x: Crossing, weekdays: Sequence[int] = range(7)) -> int | None:
    """Longest wait (minutes) for the next departure when reaching the port in CROSSING_ARRIVALS.

    Arrivals are every minute of the window on the given weekdays (0 = Monday); a bridge waits 0.
    None when some arrival would wait more than a week (no departures at all).
    """
    if x.kind == CrossingKind.bridge:
        return 0
    deps = departures_in_week(x)
    if deps.size == 0:
        return None
    deps = np.concatenate([deps, deps + WEEK])
    a0, a1 = units.CROSSING_ARRIVALS
    arrivals = np.concatenate([np.arange(d * units.DAY_MINUTES + a0, d * units.DAY_MINUTES + a1 + 1)
                               for d in sorted(set(weekdays))])
    nxt = deps[np.searchsorted(deps, arrivals, side="left")]
    wait = int((nxt - arrivals).max())
    return wait if wait <= MAX_WAIT else None


def next_departure(x: Crossing, day: dt.date, minute: int) -> tuple[dt.date, int] | None:
    """Date and clock minute of the first departure at or after `minute` of `day` (a bridge: now)."""
    if x.kind == CrossingKind.bridge:
        return day, minute
    deps = departures_in_week(x)
    if deps.size == 0:
        return None
    now = day.weekday() * units.DAY_MINUTES + minute
    later = np.concatenate([deps, deps + WEEK])
    t = int(later[np.searchsorted(later, now, side="left")])
    days, clock = divmod(t - day.weekday() * units.DAY_MINUTES, units.DAY_MINUTES)
    return day + dt.timedelta(days=days), clock


def _nearest_island(lat: float, lon: float, lab_lat: np.ndarray, lab_lon: np.ndarray, lab_isl: list[str]) -> str:
    if not lab_isl:
        return ""
    return lab_isl[int(np.argmin(great_circle_km(lat, lon, lab_lat, lab_lon)))]


class IslandMap:
    """The island of every place of a scenario: given, or that of the nearest site that names one."""

    def __init__(self, scenario: Scenario):
        labelled = [s for s in scenario.sites if s.island]
        self._lat = np.array([s.lat for s in labelled], dtype=float)
        self._lon = np.array([s.lon for s in labelled], dtype=float)
        self._isl = [s.island for s in labelled]
        self.of: dict[str, str] = {}
        for s in scenario.sites:
            self.of[s.id] = s.island or self.nearest(s.lat, s.lon)
        for t in scenario.teams:
            self.of[f"base:{t.id}"] = t.island or self.nearest(t.base_lat, t.base_lon)

    def nearest(self, lat: float, lon: float) -> str:
        """Island of the nearest labelled site ('' when no site names an island)."""
        return _nearest_island(lat, lon, self._lat, self._lon, self._isl)

    def island(self, pid: str, lat: float, lon: float) -> str:
        return self.of.get(pid) or self.nearest(lat, lon)


class CrossingProvider:
    """A `TravelProvider` whose car and motorbike travel between islands goes through crossings."""

    knows_crossings = True

    @property
    def per_pair(self) -> bool:
        """A pair's figures depend on its two ends alone (the ports are always added) when the wrapped
        provider's do: the validator then builds only what a plan uses."""
        return bool(getattr(self.base, "per_pair", False))

    def __init__(self, base: TravelProvider, scenario: Scenario):
        self.base = base
        self.crossings = scenario.crossings
        self.islands = IslandMap(scenario)
        weekdays = sorted({d.weekday() for d in scenario.horizon.dates})
        self.wait = [boarding_wait(x, weekdays) for x in self.crossings]
        self.ports: list[Port] = []
        for k, x in enumerate(self.crossings):
            for end in ("a", "b"):
                lat, lon = getattr(x, f"{end}_lat"), getattr(x, f"{end}_lon")
                island = getattr(x, f"{end}_island") or self.islands.nearest(lat, lon)
                self.ports.append(Port(f"port:{x.id}:{end}", k, end, lat, lon, island))

    def describe(self, profile: VehicleProfile) -> str:
        inner = getattr(self.base, "describe", None)
        return (inner(profile) if inner else type(self.base).__name__) + f", islands with {len(self.crossings)} crossings"

    def usable_ports(self, profile: VehicleProfile) -> list[Port]:
        """Ports of the crossings that carry the vehicle and sail within a week."""
        return [p for p in self.ports if profile in self.crossings[p.crossing].vehicles and self.wait[p.crossing] is not None]

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """The wrapped provider's matrices with travel between islands routed over crossings."""
        profile = VehicleProfile(profile)
        if str(profile) not in units.ISLAND_BOUND_PROFILES:
            return self.base.matrices(points, profile)
        n = len(points)
        isl = np.array([self.islands.island(i, la, lo) for i, la, lo in zip(points.ids, points.lat, points.lon)],
                       dtype=object)
        ports = self.usable_ports(profile)
        aug = Points(ids=points.ids + tuple(p.id for p in ports),
                     lat=np.concatenate([points.lat, [p.lat for p in ports]]),
                     lon=np.concatenate([points.lon, [p.lon for p in ports]]))
        m = self.base.matrices(aug, profile)
        dur, km = m.duration_min, m.distance_km
        pp_min, pp_km, _ = self._port_graph(ports, dur[n:, n:], km[n:, n:])
        groups: dict[str, np.ndarray] = {}
        for name in dict.fromkeys(isl.tolist()):
            groups[name] = np.nonzero(isl == name)[0]
        port_isl = np.array([p.island for p in ports], dtype=object)
        for a, rows in groups.items():
            for b, cols in groups.items():
                if a == b:
                    continue
                pa, pb = np.nonzero(port_isl == a)[0], np.nonzero(port_isl == b)[0]
                bm, bk = _via_ports(dur[:, n:], km[:, n:], dur[n:, :], km[n:, :], rows, cols, pa, pb, pp_min, pp_km)
                dur[np.ix_(rows, cols)] = bm
                km[np.ix_(rows, cols)] = bk
        return Matrices(distance_km=km[:n, :n], duration_min=dur[:n, :n])

    def pair_table(self, points: Points, profile: VehicleProfile
                   ) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None:
        """(rows, cols) point indices, broadcast like numpy → (km, minutes) as `matrices` gives them, without
        the points × points matrix (`planner.compile.table.TravelTable`); None when the wrapped provider
        cannot give single pairs."""
        inner = getattr(self.base, "pair_table", None)
        if inner is None:
            return None
        profile = VehicleProfile(profile)
        base: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = inner(points, profile)
        if str(profile) not in units.ISLAND_BOUND_PROFILES:
            return base
        n = len(points)
        isl = np.array([self.islands.island(i, la, lo) for i, la, lo in zip(points.ids, points.lat, points.lon)], dtype=object)
        ports = self.usable_ports(profile)
        aug = Points(ids=points.ids + tuple(p.id for p in ports), lat=np.concatenate([points.lat, [p.lat for p in ports]]),
                     lon=np.concatenate([points.lon, [p.lon for p in ports]]))
        travel: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = inner(aug, profile)
        everyone, port_idx = np.arange(n), n + np.arange(len(ports))
        pp_km_road, pp_min_road = travel(port_idx[:, None], port_idx[None, :])
        pp_min, pp_km, _ = self._port_graph(ports, pp_min_road, pp_km_road)
        to_km, to_min = travel(everyone[:, None], port_idx[None, :])  # points × ports
        from_km, from_min = travel(port_idx[:, None], everyone[None, :])  # ports × points
        port_isl = np.array([p.island for p in ports], dtype=object)
        codes = {name: k for k, name in enumerate(dict.fromkeys(isl.tolist()))}
        isl_code = np.array([codes[x] for x in isl.tolist()], dtype=np.int64)
        ports_of = {k: np.nonzero(port_isl == name)[0] for name, k in codes.items()}

        def pairs(r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            km, minutes = travel(r, c)
            km, minutes = np.array(km, dtype=float, copy=True), np.array(minutes, dtype=float, copy=True)
            rr, cc = np.broadcast_arrays(r, c)
            if rr.ndim == 2 and np.shape(r) == (rr.shape[0], 1) and np.shape(c) == (1, rr.shape[1]):  # a block: as `matrices`
                rows_all, cols_all = np.asarray(r)[:, 0], np.asarray(c)[0, :]
                for a in np.unique(isl_code[rows_all]):
                    ri = np.nonzero(isl_code[rows_all] == a)[0]
                    for b in np.unique(isl_code[cols_all]):
                        if a == b:
                            continue
                        ci = np.nonzero(isl_code[cols_all] == b)[0]
                        bm, bk = _via_ports(to_min, to_km, from_min, from_km, rows_all[ri], cols_all[ci],
                                            ports_of[a], ports_of[b], pp_min, pp_km)
                        minutes[np.ix_(ri, ci)], km[np.ix_(ri, ci)] = bm, bk
                return km, minutes
            ra, ca = isl_code[rr], isl_code[cc]
            for a in np.unique(ra):
                for b in np.unique(ca):
                    if a == b:
                        continue
                    hit = (ra == a) & (ca == b)
                    if not hit.any():
                        continue
                    rows, cols = rr[hit], cc[hit]
                    bm, bk = _via_ports(to_min, to_km, from_min, from_km, rows, cols, ports_of[a], ports_of[b], pp_min, pp_km,
                                        pairs=True)
                    minutes[hit], km[hit] = bm, bk
            return km, minutes

        return pairs

    def _port_graph(self, ports: list[Port], road_min: np.ndarray, road_km: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Quickest port-to-port minutes and km (road on one island, crossings between), with next hops."""
        p = len(ports)
        isl = np.array([q.island for q in ports], dtype=object)
        same = isl[:, None] == isl[None, :]
        g_min = np.where(same, road_min, np.inf)
        g_km = np.where(same, road_km, np.inf)
        by_crossing: dict[int, list[int]] = defaultdict(list)
        for i, q in enumerate(ports):
            by_crossing[q.crossing].append(i)
        for k, (i, j) in ((k, v) for k, v in by_crossing.items() if len(v) == 2):
            x, wait = self.crossings[k], self.wait[k]
            assert wait is not None  # ports of a crossing without a departure are not in `ports`
            t = float(wait + x.crossing_min)
            length = x.length_km if x.length_km is not None else float(
                great_circle_km(x.a_lat, x.a_lon, x.b_lat, x.b_lon))
            for u, v in ((i, j), (j, i)):
                if t < g_min[u, v]:
                    g_min[u, v], g_km[u, v] = t, length
        nxt = np.tile(np.arange(p), (p, 1))
        for k in range(p):  # Floyd–Warshall, tracking km along the quickest path
            via = g_min[:, k, None] + g_min[None, k, :]
            better = via < g_min
            g_min = np.where(better, via, g_min)
            g_km = np.where(better, g_km[:, k, None] + g_km[None, k, :], g_km)
            nxt = np.where(better, nxt[:, k, None], nxt)
        return g_min, g_km, nxt

    def leg_crossings(self, src: tuple[str, float, float], dst: tuple[str, float, float],
                      profile: VehicleProfile) -> list[LegCrossing]:
        """The crossings, in order, that the quickest leg src → dst takes ((id, lat, lon) each); [] if none."""
        profile = VehicleProfile(profile)
        if str(profile) not in units.ISLAND_BOUND_PROFILES:
            return []
        a, b = (self.islands.island(*p) for p in (src, dst))
        if a == b:
            return []
        ports = self.usable_ports(profile)
        pts = Points(ids=(src[0], dst[0], *(p.id for p in ports)), lat=np.array([src[1], dst[1], *(p.lat for p in ports)]),
                     lon=np.array([src[2], dst[2], *(p.lon for p in ports)]))
        m = self.base.matrices(pts, profile)
        pp_min, _, nxt = self._port_graph(ports, m.duration_min[2:, 2:], m.distance_km[2:, 2:])
        best, pair = np.inf, None
        for i, p in enumerate(ports):
            for j, q in enumerate(ports):
                if p.island == a and q.island == b:
                    t = m.duration_min[0, 2 + i] + pp_min[i, j] + m.duration_min[2 + j, 1]
                    if t < best:
                        best, pair = t, (i, j)
        if pair is None:
            return []
        i, j = pair
        path, t = [i], float(m.duration_min[0, 2 + i])
        while path[-1] != j:
            path.append(int(nxt[path[-1], j]))
        out, clock, road = [], t, t
        for u, v in zip(path, path[1:]):
            if ports[u].crossing == ports[v].crossing and ports[u].island != ports[v].island:
                k = ports[u].crossing
                out.append(LegCrossing(self.crossings[k], ports[u].end, int(np.ceil(clock)), int(np.ceil(road))))
                road = 0.0
            else:
                road += pp_min[u, v]
            clock += pp_min[u, v]
        return out


def _via_ports(to_min: np.ndarray, to_km: np.ndarray, from_min: np.ndarray, from_km: np.ndarray, rows: np.ndarray,
               cols: np.ndarray, pa: np.ndarray, pb: np.ndarray, pp_min: np.ndarray, pp_km: np.ndarray,
               pairs: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Minutes and km rows → cols through a port pa of the rows' island and a port pb of the cols' island,
    for the block rows × cols, or with `pairs` for the pairs (rows[k], cols[k]); `to_*`: point × port,
    `from_*`: port × point. One arithmetic for the dense matrices and the on-demand table, so equal figures."""
    shape = rows.shape if pairs else (rows.size, cols.size)
    best_min, best_km = np.full(shape, np.inf), np.full(shape, np.inf)
    if pa.size == 0 or pb.size == 0:
        return best_min, best_km
    to_port, to_port_km = to_min[np.ix_(rows, pa)], to_km[np.ix_(rows, pa)]  # rows × pa
    for j in pb:
        reach = to_port + pp_min[pa, j][None, :]  # rows × pa: at port j
        k = np.argmin(reach, axis=1)
        at_min = reach[np.arange(rows.size), k]
        at_km = to_port_km[np.arange(rows.size), k] + pp_km[pa[k], j]
        if not pairs:
            at_min, at_km = at_min[:, None], at_km[:, None]
        total = at_min + from_min[j, cols]
        better = total < best_min
        best_min = np.where(better, total, best_min)
        best_km = np.where(better, at_km + from_km[j, cols], best_km)
    best_km[np.isinf(best_min)] = np.inf
    return best_min, best_km


def with_crossings(provider: TravelProvider, scenario: Scenario) -> TravelProvider:
    """`provider` bound to the scenario's islands and crossings (unchanged when it has none)."""
    if not scenario.has_islands or getattr(provider, "knows_crossings", False):
        return provider
    return CrossingProvider(provider, scenario)
