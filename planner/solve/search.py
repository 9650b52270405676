"""Guided local search with restarts: the best routes, a segment of each (or strings near one visit)
removed and refilled by value-per-minute insertion, searched again for a short while; kept when the
objective improves.

OR-Tools' guided local search stalls on large orienteering parts (bench/results/search_settings.md);
a perturbation that drops whole route segments and refills them by value per minute moves it to
another region. The loop is bounded by time, so it only runs without a solution limit: a search
with `max_solutions` stays one deterministic run.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp

from planner.solve import lns
from planner.solve.insertion import ratio_routes
from planner.solve.objective import arc_costs, visit_values
from planner.solve.problem import PartInstance
from planner.solve.stall import Stall

FIRST_SHARE = 0.1  # of the time limit for the first search, from the best first solution (0.4: 5.3–5.5%, 0.1: 4.6%)
RESTART_S = 0.5  # seconds per restart's search
SEGMENT_SHARE = 0.3  # at most this share of each route is removed per restart
POWER = 2.0  # value exponent of the refill (planner.solve.insertion)
MAX_FAILED = 5  # restarts in a row whose routes do not restore before giving up on restarts
# Restarts remove strings near a random visit (SISR-like, `_perturb_strings`) instead of a segment of
# every route: on the tuned TOPTW half 2.93% vs 3.30% mean gap, better on 16 cases, worse on 9
# (bench/results/tune_search_strings.md); on the Jambi week no gain (tune_week_strings.md), so only
# where travel merely breaks ties (the literature's objective) unless STRINGS says everywhere.
STRINGS = 0.0  # 1: string restarts on every part (what the measurements' `strings=1` set)
TIE_BREAK_STRINGS = 1.0  # 1: string restarts on parts without a travel cost
WEEK_STRINGS = 0.0  # 1: string restarts on parts with one (real weeks)
STRING_MAX = 10  # visits per removed string at most
STRING_ROUTES = 4  # routes a restart cuts strings from at most (4 vs 2: 8.69% vs 9.40% on tuned Cordeau cases, scr_strings2.md)
SEED = 0  # of the restarts' random segments (a portfolio member uses another: planner.solve.portfolio)
ACCEPT = 0.0  # a restart's routes become the ones to perturb next when their objective is at most this share
# above the best (record-to-record travel); 0 = only improvements (bench/results/tune_search.md)


def search_with_restarts(
    inst: PartInstance,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    params: Any,
    start: pywrapcp.Assignment | None,
    stall: Stall | None = None,
) -> pywrapcp.Assignment | None:
    """The best assignment found: a first search from `start` (None: OR-Tools' first solution), then
    restarts until the time is up or `stall` says the search stopped improving."""
    t0 = time.monotonic()
    total = params.time_limit.ToMilliseconds() / 1000
    if LNS_SHARE > 0 and start is not None:
        return _ruin_and_recreate(inst, routing, manager, params, start, total, stall)
    solution = _search(routing, params, start, total * FIRST_SHARE)
    if solution is None:
        return None
    best, best_cost = routing.solver().Assignment(solution), solution.ObjectiveValue()
    current = _routes(routing, manager, best, len(inst.vehicles))
    rng, failed = np.random.default_rng(SEED), 0
    strings = STRINGS or (TIE_BREAK_STRINGS if inst.travel_cost_per_hour <= 0 else WEEK_STRINGS)
    perturb = _perturb_strings if strings else _perturb
    while (left := total - (time.monotonic() - t0)) > RESTART_S / 2 and not (stall and stall.stalled()):
        routes = perturb(inst, current, rng)
        assignment = routing.solver().Assignment()
        indices = [[manager.NodeToIndex(n) for n in route] for route in routes]
        restored = routing.RoutesToAssignment(indices, True, True, assignment)
        solution = _search(routing, params, assignment, min(RESTART_S, left)) if restored else None
        failed = failed + 1 if solution is None else 0
        if failed >= MAX_FAILED:  # refills do not restore here: search on from the best instead
            solution = _search(routing, params, best, total - (time.monotonic() - t0))
            return best if solution is None or solution.ObjectiveValue() >= best_cost else solution
        if solution is not None and solution.ObjectiveValue() < best_cost:
            best, best_cost = routing.solver().Assignment(solution), solution.ObjectiveValue()
            current = _routes(routing, manager, best, len(inst.vehicles))
        elif ACCEPT > 0 and solution is not None and solution.ObjectiveValue() <= best_cost + ACCEPT * abs(best_cost):
            current = _routes(routing, manager, solution, len(inst.vehicles))
    return best


def _search(routing: pywrapcp.RoutingModel, params: Any, start: pywrapcp.Assignment | None, seconds: float) -> pywrapcp.Assignment | None:
    """One guided local search of `seconds` from `start` (an assignment or None)."""
    limited = pywrapcp.DefaultRoutingSearchParameters()
    limited.CopyFrom(params)
    limited.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    if start is None:
        return routing.SolveWithParameters(limited)
    return routing.SolveFromAssignmentWithParameters(start, limited)


def _perturb(inst: PartInstance, routes: list[list[int]], rng: np.random.Generator) -> list[list[int]]:
    """A random segment of each route removed, then refilled by value per minute (not with the removed first)."""
    kept, removed = [], []
    for route in routes:
        route = list(route)
        if route:
            k = max(1, int(len(route) * SEGMENT_SHARE * rng.random()))
            i = int(rng.integers(0, len(route) - k + 1))
            removed += route[i : i + k]
            del route[i : i + k]
        kept.append(route)
    return ratio_routes(inst, POWER, ratio_routes(inst, POWER, kept, banned=removed))


def _perturb_strings(inst: PartInstance, routes: list[list[int]], rng: np.random.Generator) -> list[list[int]]:
    """Strings removed around a random routed visit, from the routes nearest to it, then refilled
    by value per minute (not with the removed first); after Christiaens & Vanden Berghe's SISR."""
    routed = [n for route in routes for n in route]
    if not routed:
        return _perturb(inst, routes, rng)
    seed = int(rng.choice(routed))
    near = inst.duration[inst.vehicles[0].profile][seed]
    order = sorted((v for v, route in enumerate(routes) if route), key=lambda v: min(int(near[n]) for n in routes[v]))
    kept, removed = [list(route) for route in routes], []
    for v in order[: int(rng.integers(1, STRING_ROUTES + 1))]:
        route = kept[v]
        centre = min(range(len(route)), key=lambda i: int(near[route[i]]))
        k = int(rng.integers(1, min(len(route), STRING_MAX) + 1))
        i = int(rng.integers(max(0, centre - k + 1), min(centre, len(route) - k) + 1))
        removed += route[i : i + k]
        del route[i : i + k]
    return ratio_routes(inst, POWER, ratio_routes(inst, POWER, kept, banned=removed))


def _routes(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, solution: pywrapcp.Assignment, n_vehicles: int) -> list[list[int]]:
    """Visit nodes per vehicle of an assignment."""
    out = []
    for v in range(n_vehicles):
        idx, seq = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(idx):
            seq.append(manager.IndexToNode(idx))
            idx = solution.Value(routing.NextVar(idx))
        out.append(seq)
    return out


LNS_SHARE = 0.7  # of the time for ruin and recreate (planner.solve.lns) before guided local search; 0: restarts


def _ruin_and_recreate(
    inst: PartInstance,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    params: Any,
    start: pywrapcp.Assignment,
    seconds: float,
    stall: Stall | None,
) -> pywrapcp.Assignment:
    """Ruin and recreate from `start` for LNS_SHARE of `seconds`, then guided local search from the
    best routes it found for the rest; the best of the three."""
    t0 = time.monotonic()
    values = np.zeros(len(inst.node_point), dtype=np.int64)
    values[inst.n_depots :] = visit_values(inst)
    data = lns.part_data(inst, values, {v.profile: arc_costs(inst, v.profile) for v in inst.vehicles})
    offered = int(values.sum())  # objective = offered − the kernel's total (value − arc costs)
    report = None if stall is None else (lambda total: stall.solution(offered - total))
    stop = None if stall is None else stall.stalled
    routes, _ = lns.improve(data, _routes(routing, manager, start, len(inst.vehicles)), seconds * LNS_SHARE, SEED,
                            stop, report)
    stalled = stall is not None and stall.stalled()
    if stall is not None:
        stall.armed = False  # the routes are restored whatever the stall rule says
    found = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(n) for n in r] for r in routes], True)
    if stall is not None:
        stall.armed = True
    best = start if found is None or found.ObjectiveValue() >= start.ObjectiveValue() else routing.solver().Assignment(found)
    left = seconds - (time.monotonic() - t0)
    solution = _search(routing, params, best, left) if left > 0.1 and not stalled else None
    return best if solution is None or solution.ObjectiveValue() >= best.ObjectiveValue() else solution
