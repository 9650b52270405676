"""Ruin and recreate with simulated annealing on a part's routes (the compiled steps:
`planner.solve.lns_kernel`), before OR-Tools' guided local search (`planner.solve.search`).

OR-Tools' local search is good at shortening routes and weak at choosing which visits to make
(bench/results/toptw*.md: 8–15% from the best-known scores on large orienteering cases). This
search changes the choice: it drops strings of visits near a random one and refills the routes,
thousands of times a second, keeping changes by simulated annealing on the routing model's own
objective. Its routes go back to OR-Tools, which restores them under the real constraints.
The kernel times routes by the model's rules a second time, in compiled code; tests/planner/test_lns.py
holds it to `insertion.day_times` (the same answer for every insertion), and the independent
validator checks every plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from planner.solve import lns_kernel as kernel
from planner.solve.objective import arc_costs, visit_values
from planner.solve.problem import PartInstance, ready_wait, service_vector, visit_order_offset

NEAR = 40  # nearest visits kept per visit (where ruins spread)
AVG_REMOVED = 8.0  # visits removed per step on average (SISR's c̄)
MAX_STRING = 10  # visits per removed string at most (SISR's L_max)
BLINK = 0.01  # share of positions skipped while inserting (SISR's blink rate)
POWER = 2.0  # value exponent of the value-per-minute insertion order
TEMP_START = 1.0  # annealing temperature at the start, in mean visit values (0.3 → 0.01: 1.89%; 1 → 0.03: 0.94%, tune_lns_b.md) ...
TEMP_END = 0.03  # ... and at the end (geometric in between); on the Jambi week alike (tune_week_lns.md)
CHUNK = 50  # steps between clock readings at most ...
CHUNK_S = 0.02  # ... and about this many seconds of them (a step on a large part takes milliseconds)


def part_data(inst: PartInstance) -> Any:
    """The part as the kernel's arrays, its value per node and cost per arc in the routing model's
    objective units (`planner.solve.objective`; value 0 at start and end places)."""
    n, nd, nv = len(inst.node_point), inst.n_depots, len(inst.vehicles)
    profiles = sorted({v.profile for v in inst.vehicles})
    travel = np.stack([np.asarray(inst.duration[p], dtype=np.int64) for p in profiles])
    cost = np.stack([arc_costs(inst, p) for p in profiles])
    values = np.zeros(n, dtype=np.int64)
    values[nd:] = visit_values(inst)
    nb = max((len(v.breaks) for v in inst.vehicles), default=0)
    brk = np.zeros((nv, max(nb, 1), 2), dtype=np.int64)
    for i, v in enumerate(inst.vehicles):
        for k, (b0, b1) in enumerate(sorted(v.breaks)):
            brk[i, k] = (b0, b1)
    nw = max((len(w) for w in inst.start_windows), default=0)
    wlo = np.zeros((n, max(nw, 1)), dtype=np.int64)
    whi = np.zeros((n, max(nw, 1)), dtype=np.int64)
    wn = np.zeros(n, dtype=np.int64)
    for k, windows in enumerate(inst.start_windows):
        for j, (a, b) in enumerate(sorted(windows)):
            wlo[nd + k, j], whi[nd + k, j] = a, b
        wn[nd + k] = len(windows)
    allowed = np.zeros((nv, n), dtype=np.bool_)
    for k, vs in enumerate(inst.allowed):
        allowed[list(vs), nd + k] = True
    across = np.zeros(n, dtype=np.bool_)
    if inst.across_breaks is not None:
        across[nd:] = inst.across_breaks
    sib_ptr, sib_idx = _siblings(inst)
    sno = np.zeros(n, dtype=np.int64)
    sno[nd:] = inst.visit_no
    return kernel.Data(
        travel=travel, cost=cost,
        vprof=np.array([profiles.index(v.profile) for v in inst.vehicles], dtype=np.int64),
        vstart=np.array([v.start_node for v in inst.vehicles], dtype=np.int64),
        vend=np.array([v.end_node for v in inst.vehicles], dtype=np.int64),
        wstart=np.array([v.work_start for v in inst.vehicles], dtype=np.int64),
        first_min=np.array([ready_wait(v) for v in inst.vehicles], dtype=np.int64),
        wend=np.array([v.work_end for v in inst.vehicles], dtype=np.int64),
        maxdrive=np.array([v.max_drive_min for v in inst.vehicles], dtype=np.int64),
        brk=brk, nbrk=np.array([len(v.breaks) for v in inst.vehicles], dtype=np.int64),
        svc=np.stack([service_vector(inst, v) for v in inst.vehicles]).astype(np.int64),
        across=across, wlo=wlo, whi=whi, wn=wn, allowed=allowed,
        value=values, sib_ptr=sib_ptr, sib_idx=sib_idx, sno=sno,
        vday=np.array([v.day for v in inst.vehicles], dtype=np.int64),
        one_a_day=bool(inst.one_visit_per_vehicle), same_day_ok=visit_order_offset(inst) < 0,
        near=_nearest(travel[0], nd),
    )


def _siblings(inst: PartInstance) -> tuple[np.ndarray, np.ndarray]:
    """Per node, the other visit nodes of its site (CSR: pointers, indices)."""
    n, nd = len(inst.node_point), inst.n_depots
    nodes_of: dict[int, list[int]] = {}
    for k, s in enumerate(inst.visit_site):
        nodes_of.setdefault(int(s), []).append(nd + k)
    ptr, idx = np.zeros(n + 1, dtype=np.int64), []
    for node in range(n):
        others = [] if node < nd else [o for o in nodes_of[int(inst.visit_site[node - nd])] if o != node]
        idx += others
        ptr[node + 1] = len(idx)
    return ptr, np.array(idx, dtype=np.int64)


def _nearest(travel: np.ndarray, nd: int) -> np.ndarray:
    """Per node, the NEAR nearest other visit nodes (either direction of travel)."""
    n = travel.shape[0]
    k = min(NEAR, max(1, n - nd - 1))
    both = np.minimum(travel, travel.T)[:, nd:].astype(np.float64)
    both[np.arange(nd, n), np.arange(n - nd)] = np.inf
    near = np.argsort(both, axis=1, kind="stable")[:, :k] + nd
    return np.ascontiguousarray(near, dtype=np.int64)


def empty_state(D: Any) -> Any:
    """A solution with every route empty."""
    nv, n = D.vprof.shape[0], D.value.shape[0]
    cap = n + 1
    return kernel.State(
        route=np.zeros((nv, cap), dtype=np.int64), rlen=np.zeros(nv, dtype=np.int64),
        start=np.zeros((nv, cap), dtype=np.int64), dep=np.zeros((nv, cap), dtype=np.int64),
        drive=np.zeros(nv, dtype=np.int64), where=np.full(n, -1, dtype=np.int64), total=np.zeros(1, dtype=np.int64),
        slack=np.zeros((nv, cap), dtype=np.int64), exact=np.zeros((nv, cap), dtype=np.bool_),
    )


def state_from_routes(D: Any, routes: list[list[int]]) -> Any:
    """The kernel's solution of `routes`; a route the kernel's timing rejects is cut to the longest
    prefix it accepts (should not happen: the routes come from the model)."""
    S = empty_state(D)
    for v, route in enumerate(routes):
        for node in route:
            i = int(S.rlen[v])
            lo, hi = kernel.site_range(D, S, v, node)
            if lo <= i <= hi and kernel.insertion_minutes(D, S, v, node, i) >= 0:
                kernel.insert(D, S, v, node, i)
    return S


def routes_of(S: Any) -> list[list[int]]:
    """Visit nodes per vehicle."""
    return [[int(x) for x in S.route[v, : S.rlen[v]]] for v in range(S.rlen.shape[0])]


def improve(
    D: Any,
    routes: list[list[int]],
    seconds: float,
    seed: int = 0,
    stop: Callable[[], bool] | None = None,
    report: Callable[[int], None] | None = None,
) -> tuple[list[list[int]], int]:
    """The best routes ruin and recreate finds from `routes` in `seconds` (or until `stop()`), and
    their total (value − arc costs, larger is better); `report` hears every new best total."""
    t0 = time.monotonic()
    cur = state_from_routes(D, routes)
    best, trial = empty_state(D), empty_state(D)
    kernel.copy_state(cur, best)
    removed = np.zeros(D.value.shape[0], dtype=np.int64)
    cand = np.zeros(D.value.shape[0], dtype=np.int64)
    kernel.seed_random(seed)
    kernel.fill(D, cur, cand, POWER)
    kernel.copy_state(cur, best)
    if report:
        report(int(best.total[0]))
    positive = D.value[D.value > 0]
    unit = float(positive.mean()) if positive.size else 1.0
    chunk = 1
    while (done := (time.monotonic() - t0) / max(seconds, 1e-9)) < 1 and not (stop and stop()):
        temp = unit * TEMP_START * (TEMP_END / TEMP_START) ** done
        began = time.monotonic()
        if kernel.iterate(D, cur, trial, best, removed, cand, chunk, temp, AVG_REMOVED, MAX_STRING, BLINK, POWER) and report:
            report(int(best.total[0]))
        # the next chunk about CHUNK_S long and within the time left: a part's window is kept to the step
        per_step = max(1e-6, (time.monotonic() - began) / chunk)
        left = seconds - (time.monotonic() - t0)
        chunk = int(max(1, min(CHUNK, CHUNK_S / per_step, left / per_step)))
    return routes_of(best), int(best.total[0])


def warm() -> None:
    """Compile the kernel into numba's on-disk cache (`make install` runs this), so that a plan's
    first part does not spend its time compiling (about 30 s on the first run of a new install)."""
    from planner.solve.problem import Vehicle

    duration = np.array([[0, 10, 12], [10, 0, 5], [12, 5, 0]], dtype=np.int64)
    vehicle = Vehicle(team=0, team_day=0, day=0, kits=1, rate_per_kit_hour=60.0, setup_min=5, profile="car",
                      start_node=0, end_node=0, work_start=480, work_end=960, breaks=((720, 780),), max_drive_min=300)
    inst = PartInstance(
        name="warm", node_point=np.arange(3), n_depots=1, visit_site=np.array([0, 1]), visit_no=np.array([1, 1]),
        visit_people=np.array([30, 40]), visit_value=np.array([30.0, 40.0]), duration={"car": duration},
        vehicles=[vehicle], allowed=[[0], [0]], start_windows=[[(480, 900)], []], travel_cost_per_hour=0.0,
    )
    data = part_data(inst)
    improve(data, [[1]], 0.0)  # builds a state and fills it: compiles all but the steps
    cur, trial, best = (state_from_routes(data, [[1]]) for _ in range(3))
    work = np.zeros(3, dtype=np.int64)
    kernel.iterate(data, cur, trial, best, work, work.copy(), 1, 1.0, AVG_REMOVED, MAX_STRING, BLINK, POWER)


if __name__ == "__main__":
    warm()
