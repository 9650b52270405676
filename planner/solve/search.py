"""A part's search from its value-per-minute start: ruin and recreate (`planner.solve.lns`) for most
of the time, then OR-Tools' guided local search from the best routes it found.

OR-Tools' guided local search stalls on orienteering parts (bench/results/search_settings.md) and
its restarts from Python ran two a second; the compiled ruin and recreate changes which visits are
made thousands of times a second, and guided local search then shortens the routes it chose
(bench/results/tune_lns*.md). The loop is bounded by time, so it only runs without a solution
limit: a search with `max_solutions` stays one deterministic OR-Tools run.
"""

from __future__ import annotations

import time
from typing import Any

from ortools.constraint_solver import pywrapcp

from planner.solve import lns
from planner.solve.problem import PartInstance
from planner.solve.stall import Stall

LNS_SHARE = 0.95  # of the time for ruin and recreate before guided local search (0.7: 1.89% vs 0.94%, tune_lns_b.md)
SEED = 0  # of ruin and recreate's random stream (a portfolio member uses another: planner.solve.portfolio)


def search_from_start(
    inst: PartInstance,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    params: Any,
    start: pywrapcp.Assignment,
    stall: Stall | None = None,
) -> pywrapcp.Assignment:
    """The best of `start`, ruin and recreate from it for LNS_SHARE of the time limit, and guided
    local search from what that found for the rest (skipped once `stall` says the search stopped
    improving)."""
    t0 = time.monotonic()
    seconds = params.time_limit.ToMilliseconds() / 1000
    data = lns.part_data(inst)
    offered = int(data.value.sum())  # the model's objective = offered − the kernel's total (value − arc costs)
    report = None if stall is None else (lambda total: stall.solution(offered - total))
    routes, _ = lns.improve(data, assignment_routes(routing, manager, start, len(inst.vehicles)), seconds * LNS_SHARE, SEED,
                            None if stall is None else stall.stalled, report)
    stalled = stall is not None and stall.stalled()
    found = _restore(routing, manager, routes, stall)
    best = start if found is None or found.ObjectiveValue() >= start.ObjectiveValue() else routing.solver().Assignment(found)
    left = seconds - (time.monotonic() - t0)
    solution = _search(routing, params, best, left) if left > 0.1 and not stalled else None
    return best if solution is None or solution.ObjectiveValue() >= best.ObjectiveValue() else solution


def _restore(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, routes: list[list[int]],
             stall: Stall | None) -> pywrapcp.Assignment | None:
    """The model's assignment of `routes` (None if they do not restore), whatever the stall rule says."""
    if stall is not None:
        stall.armed = False  # a stalled search must still hand over its best routes
    try:
        return routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(n) for n in r] for r in routes], True)
    finally:
        if stall is not None:
            stall.armed = True


def _search(routing: pywrapcp.RoutingModel, params: Any, start: pywrapcp.Assignment, seconds: float) -> pywrapcp.Assignment | None:
    """One guided local search of `seconds` from `start`."""
    limited = pywrapcp.DefaultRoutingSearchParameters()
    limited.CopyFrom(params)
    limited.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    return routing.SolveFromAssignmentWithParameters(start, limited)


def assignment_routes(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, solution: pywrapcp.Assignment,
                      n_vehicles: int) -> list[list[int]]:
    """Visit nodes per vehicle of an assignment."""
    out = []
    for v in range(n_vehicles):
        idx, seq = solution.Value(routing.NextVar(routing.Start(v))), []
        while not routing.IsEnd(idx):
            seq.append(manager.IndexToNode(idx))
            idx = solution.Value(routing.NextVar(idx))
        out.append(seq)
    return out
