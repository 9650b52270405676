"""A value-per-minute first solution: visits inserted greedily by value² ÷ the minutes they add.

OR-Tools' own insertion heuristics rank visits by value or by cost alone; orienteering heuristics
rank them by value per minute of route time they consume (service + detour + waiting), which packs
more value into a day (bench/results/search_settings.md). The routes are a start for the search:
`planner.solve.routing` restores them with the real constraints and falls back to OR-Tools' first
solution when they do not restore.

The insertion keeps the model's rules: breaks and the Friday prayer (no visit overlaps one, driving
pauses through it), start windows, the shift, the driving limit, one visit per site per team-day and
a site's visits in number order across days (`planner.solve.routing.visit_order_offset`). Candidates
are ranked on vectorised estimates; the best are then timed exactly (`day_times`) before one is taken.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from planner.solve.problem import PartInstance, service_vector, visit_order_offset

Breaks = tuple[tuple[int, int], ...]
Insertion = tuple[float, int, int]  # (ratio, node, position)

POWERS = (1.0, 2.0, 3.0)  # value exponents tried: value^p ÷ added minutes; the search starts from the best
CHECKED = 24  # candidates timed exactly per vehicle and round, best estimate first


def ratio_routes(inst: PartInstance, power: float = 2.0, routes: list[list[int]] | None = None, banned: Iterable[int] = ()) -> list[list[int]]:
    """Visit nodes per vehicle, inserted one at a time where value^power ÷ added minutes is largest.

    Starts from `routes` (kept in order) when given; `banned` nodes are not inserted.
    """
    n, nd, nv = len(inst.node_point), inst.n_depots, len(inst.vehicles)
    lo, hi = _window_envelope(inst, n)
    value = np.zeros(n)
    value[nd:] = np.asarray(inst.visit_value, dtype=float) ** power
    allowed = np.zeros((nv, n), dtype=bool)
    for k, vs in enumerate(inst.allowed):
        allowed[list(vs), nd + k] = True
    free = np.zeros(n, dtype=bool)
    free[nd:] = True
    routes = [list(r) for r in routes] if routes else [[] for _ in range(nv)]
    for route in routes:
        free[route] = False
    free[list(banned)] = False
    service = [service_vector(inst, v) for v in inst.vehicles]
    order = _SiteOrder(inst, routes, visit_order_offset(inst) < 0)

    def best_for(v: int) -> Insertion | None:
        ok = free & allowed[v] & order.open_for(v)
        return _best_insertion(inst, v, routes[v], service[v], lo, hi, value, ok)

    best = [best_for(v) for v in range(nv)]
    while any(b is not None for b in best):
        v = max((b[0], -w, w) for w, b in enumerate(best) if b is not None)[2]  # best ratio, lowest vehicle
        chosen = best[v]
        assert chosen is not None
        _, node, pos = chosen
        routes[v].insert(pos, node)
        free[node] = False
        touched = order.place(node, v)
        for w in range(nv):
            other = best[w]
            if w == v or (other is not None and (other[1] == node or other[1] in touched)):
                best[w] = best_for(w)
    return routes


class _SiteOrder:
    """Which visits a vehicle may take: not a second visit of a site on one team-day (when the rule
    holds) and a site's routed visits in number order across days (the same day only when the model
    lets visits of one date come in any order)."""

    def __init__(self, inst: PartInstance, routes: list[list[int]], same_day_ok: bool) -> None:
        n, nd = len(inst.node_point), inst.n_depots
        self.same_day_ok, self.one_a_day = same_day_ok, inst.one_visit_per_vehicle
        self.day = np.array([v.day for v in inst.vehicles], dtype=np.int64)
        self.number = np.zeros(n, dtype=np.int64)
        self.number[nd:] = inst.visit_no
        self.site = np.full(n, -1, dtype=np.int64)
        self.site[nd:] = inst.visit_site
        self.nodes_of: dict[int, list[int]] = {}
        for k, s in enumerate(inst.visit_site):
            self.nodes_of.setdefault(int(s), []).append(nd + k)
        self.after = np.full(n, -1, dtype=np.int64)  # latest day of a routed lower-numbered visit
        self.before = np.full(n, 1 << 30, dtype=np.int64)  # earliest day of a routed higher-numbered visit
        self.blocked = np.zeros((len(inst.vehicles), n), dtype=bool)  # a visit of the site is on the vehicle
        for v, route in enumerate(routes):
            for node in route:
                self.place(node, v)

    def place(self, node: int, v: int) -> set[int]:
        """Record `node` on vehicle v; the other visit nodes of its site (whose options changed)."""
        others = [o for o in self.nodes_of.get(int(self.site[node]), ()) if o != node]
        if not others:
            return set()
        day = self.day[v]
        for o in others:
            if self.number[o] > self.number[node]:
                self.after[o] = max(self.after[o], day)
            else:
                self.before[o] = min(self.before[o], day)
        if self.one_a_day:
            self.blocked[v, others] = True
        return set(others)

    def open_for(self, v: int) -> np.ndarray:
        """bool per node: vehicle v may take it as far as the site rules go."""
        day = self.day[v]
        if self.same_day_ok:
            ok = (self.after <= day) & (self.before >= day)
        else:
            ok = (self.after < day) & (self.before > day)
        return np.asarray(ok & ~self.blocked[v])


def _window_envelope(inst: PartInstance, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest start per node (the envelope of its windows; depots unbounded)."""
    lo = np.zeros(n, dtype=np.int64)
    hi = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
    for k, windows in enumerate(inst.start_windows):
        if windows:
            lo[inst.n_depots + k] = min(a for a, _ in windows)
            hi[inst.n_depots + k] = max(b for _, b in windows)
    return lo, hi


def _advance(t: Any, minutes: Any, breaks: Breaks) -> Any:
    """Clock time after driving `minutes` from `t`, pausing through breaks (vectorised
    `planner.solve.schedule.advance`)."""
    t = np.asarray(t, dtype=np.int64)
    left = np.asarray(minutes, dtype=np.int64).copy()
    for b0, b1 in breaks:
        hit = (b1 > t) & (t + left > b0)  # the drive reaches into this break
        left = np.where(hit & (t < b0), left - (b0 - t), left)
        t = np.where(hit, np.maximum(t, b1), t)
    return t + left


def _clear_of_breaks(begin: Any, svc: Any, breaks: Breaks, across: Any = False) -> Any:
    """Earliest start ≥ `begin` whose [start, start + svc) overlaps no break, or, for a visit that may
    go on across breaks (`across`), that begins in none (vectorised)."""
    for b0, b1 in breaks:
        overlap = np.where(across, begin >= b0, begin + svc > b0)
        begin = np.where((begin < b1) & overlap, b1, begin)
    return begin


def _visit_end(begin: Any, svc: Any, breaks: Breaks, across: Any = False) -> Any:
    """End of visits begun at `begin`: service, plus the breaks spanned where `across`
    (vectorised `planner.solve.schedule.visit_end`)."""
    end = begin + svc
    for b0, b1 in breaks:
        end = np.where(across & (begin < b0) & (b0 < end), end + (b1 - b0), end)
    return end


def advance_one(t: int, minutes: int, breaks: Breaks) -> int:
    """`_advance` for one drive, in plain integers (the route loops call it per stop)."""
    left = minutes
    for b0, b1 in breaks:
        if b1 > t and t + left > b0:
            if t < b0:
                left -= b0 - t
            t = max(t, b1)
    return t + left


def clear_one(begin: int, svc: int, breaks: Breaks, across: bool = False) -> int:
    """`_clear_of_breaks` for one visit, in plain integers."""
    for b0, b1 in breaks:
        if begin < b1 and (begin >= b0 if across else begin + svc > b0):
            begin = b1
    return begin


def end_one(begin: int, svc: int, breaks: Breaks, across: bool = False) -> int:
    """`_visit_end` for one visit, in plain integers."""
    end = begin + svc
    for b0, b1 in breaks:
        if across and begin < b0 < end:
            end += b1 - b0
    return end


def day_times(inst: PartInstance, v: int, route: list[int], svc: np.ndarray) -> list[int] | None:
    """Start of every stop of vehicle v's route (exactly as the model and the schedule time it), or
    None when the route breaks a start window, a break, the shift or the driving limit."""
    veh = inst.vehicles[v]
    travel = inst.duration[veh.profile]
    breaks = tuple(sorted(veh.breaks))
    nd = inst.n_depots
    here, t, drive, out = veh.start_node, veh.work_start, 0, []
    for node in route:
        leg, service = int(travel[here, node]), int(svc[node])
        drive += leg
        begin = advance_one(t, leg, breaks)
        wins = sorted(inst.start_windows[node - nd]) or [(begin, veh.work_end)]
        span = _across(inst, node)
        start = next((s for a, b in wins if (s := clear_one(max(begin, a), service, breaks, span)) <= b), None)
        if start is None:
            return None
        out.append(start)
        here, t = node, end_one(start, service, breaks, span)
    leg = int(travel[here, veh.end_node])
    drive += leg
    back = advance_one(t, leg, breaks)
    return out if back <= veh.work_end and drive <= veh.max_drive_min else None


def _best_insertion(
    inst: PartInstance, v: int, route: list[int], svc: np.ndarray, lo: np.ndarray, hi: np.ndarray, value: np.ndarray, candidates: np.ndarray
) -> Insertion | None:
    """(ratio, node, position) of the best insertion into vehicle v's route that times exactly, or None."""
    cand = np.flatnonzero(candidates)
    if len(cand) == 0:
        return None
    veh = inst.vehicles[v]
    travel = inst.duration[veh.profile]
    breaks = tuple(sorted(veh.breaks))
    seq = np.array([veh.start_node, *route, veh.end_node])
    span = _across(inst)
    start = np.zeros(len(seq), dtype=np.int64)
    start[0] = veh.work_start
    for i in range(1, len(seq)):
        a, b = int(seq[i - 1]), int(seq[i])
        done = end_one(int(start[i - 1]), int(svc[a]), breaks, bool(span[a]))
        arrive = advance_one(done, int(travel[a, b]), breaks)
        start[i] = clear_one(max(arrive, int(lo[b])), int(svc[b]), breaks, bool(span[b])) if i < len(seq) - 1 else arrive
    latest = np.zeros(len(seq), dtype=np.int64)  # latest start keeping the rest in time (breaks as lost minutes)
    latest[-1] = veh.work_end
    for i in range(len(seq) - 2, -1, -1):
        own = hi[seq[i]] if i > 0 else veh.work_end
        gap = svc[seq[i]] + travel[seq[i], seq[i + 1]]
        paused = sum(b1 - b0 for b0, b1 in breaks if b0 < latest[i + 1] and b1 > latest[i + 1] - gap)
        latest[i] = min(own, latest[i + 1] - gap - paused)
    prev, nxt = seq[:-1], seq[1:]
    to_cand = travel[prev][:, cand].T  # candidate × position
    arrive = _advance(_visit_end(start[:-1], svc[prev], breaks, span[prev])[None, :], to_cand, breaks)
    begin = _clear_of_breaks(np.maximum(arrive, lo[cand][:, None]), svc[cand][:, None], breaks, span[cand][:, None])
    detour = to_cand + travel[cand][:, nxt] - travel[prev, nxt][None, :]
    reach_next = _advance(_visit_end(begin, svc[cand][:, None], breaks, span[cand][:, None]), travel[cand][:, nxt], breaks)
    ok = (begin <= hi[cand][:, None]) & (reach_next <= latest[1:][None, :])
    ok &= travel[prev, nxt].sum() + detour <= veh.max_drive_min
    added = detour + svc[cand][:, None] + (begin - arrive)
    ratio = np.where(ok, value[cand][:, None] / (added + 1.0), -1.0)
    flat = np.argsort(-ratio, axis=None, kind="stable")[:CHECKED]
    for j in flat:
        c, p = np.unravel_index(int(j), ratio.shape)
        if ratio[c, p] < 0:
            return None
        node = int(cand[c])
        if (not breaks and not _split(inst, node)) or day_times(inst, v, route[:p] + [node] + route[p:], svc) is not None:
            return float(ratio[c, p]), node, int(p)
    return None


def _split(inst: PartInstance, node: int) -> bool:
    """The node's start windows have gaps (the envelope estimate may be wrong)."""
    return len(inst.start_windows[node - inst.n_depots]) > 1


def _across(inst: PartInstance, node: int | None = None) -> Any:
    """May the visit at `node` go on across a break (all nodes as a bool array when None)."""
    if node is not None:
        return inst.across_breaks is not None and bool(inst.across_breaks[node - inst.n_depots])
    out = np.zeros(len(inst.node_point), dtype=bool)
    if inst.across_breaks is not None:
        out[inst.n_depots :] = inst.across_breaks
    return out
