"""A value-per-minute first solution: visits inserted greedily by value² ÷ the minutes they add.

OR-Tools' own insertion heuristics rank visits by value or by cost alone; orienteering heuristics
rank them by value per minute of route time they consume (service + detour + waiting), which packs
more value into a day (bench/results/search_settings.md). The routes are a start for the search:
`planner.solve.routing` restores them with the real constraints and falls back to OR-Tools' first
solution when they do not restore (breaks and multi-window gaps are only approximated here).
"""

from __future__ import annotations

import numpy as np

from planner.solve.problem import service_vector

POWERS = (1.0, 2.0, 3.0)  # value exponents tried: value^p ÷ added minutes; the search starts from the best


def ratio_routes(inst, power: float = 2.0, routes: list[list[int]] | None = None, banned=()) -> list[list[int]]:
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

    def best_for(v: int):
        return _best_insertion(inst, v, routes[v], service[v], lo, hi, value, free & allowed[v])

    best = [best_for(v) for v in range(nv)]
    while any(b is not None for b in best):
        v = max((b[0], -w, w) for w, b in enumerate(best) if b is not None)[2]  # best ratio, lowest vehicle
        _, node, pos = best[v]
        routes[v].insert(pos, node)
        free[node] = False
        for w in range(nv):
            if w == v or (best[w] is not None and best[w][1] == node):
                best[w] = best_for(w)
    return routes


def _window_envelope(inst, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest start per node (the envelope of its windows; depots unbounded)."""
    lo = np.zeros(n, dtype=np.int64)
    hi = np.full(n, np.iinfo(np.int32).max, dtype=np.int64)
    for k, windows in enumerate(inst.start_windows):
        if windows:
            lo[inst.n_depots + k] = min(a for a, _ in windows)
            hi[inst.n_depots + k] = max(b for _, b in windows)
    return lo, hi


def _best_insertion(inst, v: int, route: list[int], svc, lo, hi, value, candidates):
    """(ratio, node, position) of the best feasible insertion into vehicle v's route, or None."""
    cand = np.flatnonzero(candidates)
    if len(cand) == 0:
        return None
    veh = inst.vehicles[v]
    travel = inst.duration[veh.profile]
    seq = np.array([veh.start_node, *route, veh.end_node])
    start = np.zeros(len(seq), dtype=np.int64)
    start[0] = veh.work_start
    for i in range(1, len(seq)):
        arrive = start[i - 1] + svc[seq[i - 1]] + travel[seq[i - 1], seq[i]]
        start[i] = max(arrive, lo[seq[i]]) if i < len(seq) - 1 else arrive
    latest = np.zeros(len(seq), dtype=np.int64)
    latest[-1] = veh.work_end
    for i in range(len(seq) - 2, -1, -1):
        own = hi[seq[i]] if i > 0 else veh.work_end
        latest[i] = min(own, latest[i + 1] - svc[seq[i]] - travel[seq[i], seq[i + 1]])
    prev, nxt = seq[:-1], seq[1:]
    to_cand = travel[prev][:, cand].T  # candidate × position
    arrive = (start[:-1] + svc[prev])[None, :] + to_cand
    begin = np.maximum(arrive, lo[cand][:, None])
    detour = to_cand + travel[cand][:, nxt] - travel[prev, nxt][None, :]
    ok = (begin <= hi[cand][:, None]) & (begin + svc[cand][:, None] + travel[cand][:, nxt] <= latest[1:][None, :])
    ok &= travel[prev, nxt].sum() + detour <= veh.max_drive_min
    added = detour + svc[cand][:, None] + (begin - arrive)
    ratio = np.where(ok, value[cand][:, None] / (added + 1.0), -1.0)
    j = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    if ratio[j] < 0:
        return None
    return float(ratio[j]), int(cand[j[0]]), int(j[1])
