"""The OR-Tools routing model of one part of the week: team-days as vehicles, visits as optional nodes.

All matrices are registered with `RegisterTransitMatrix` (no per-arc Python callbacks), so the
search runs in C++. A `PartInstance` holds plain arrays and pickles cheaply to a worker process.
"""

from __future__ import annotations

import dataclasses
import time
import weakref
from typing import Any, TypeAlias

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from planner import units
from planner.solve.fallback import greedy_routes, routes_value
from planner.solve.insertion import POWERS, ratio_routes
from planner.solve.objective import arc_costs, move_cost, objective_weights, visit_values
from planner.solve.problem import PartInstance, PartResult, Progress, Vehicle, ready_wait, service_vector, visit_order_offset
from planner.solve.schedule import advance
from planner.solve.search import assignment_routes, search_from_start
from planner.solve.stall import Stall
from planner.solve.tuning import apply as apply_tuning

# OR-Tools ships no type information: these names say what a parameter is
Model: TypeAlias = Any  # pywrapcp.RoutingModel
Manager: TypeAlias = Any  # pywrapcp.RoutingIndexManager
Assignment: TypeAlias = Any  # pywrapcp.Assignment

# Search settings chosen by measurement (bench/results/search_settings.md, toptw.md, solver_jambi.md).
# Parts start from value-per-minute routes, then ruin and recreate (planner/solve/insertion.py, search.py, lns.py).
FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
GLS_LAMBDA = 0.1  # OR-Tools' default; larger values cost the Jambi week a third of its recordings
GLS_LAMBDA_TIE_BREAK = 1000.0  # when travel only breaks ties (TOPTW): mean gap 7.4% vs 16.7% at 0.1
DAY = units.DAY_MINUTES
MIN_SEARCH_S = 0.3  # a part with less time than this left after its greedy plan keeps that plan


def solve_part(
    inst: PartInstance,
    time_limit_s: float,
    progress: Progress | None = None,
    max_solutions: int | None = None,
) -> PartResult:
    """Build the routing model for `inst`, search within the limits and return the routes."""
    res = _solve_part(inst, time_limit_s, progress, max_solutions)
    res.team_days = tuple(v.team_day for v in inst.vehicles)
    return res


def _solve_part(inst: PartInstance, time_limit_s: float, progress: Progress | None, max_solutions: int | None) -> PartResult:
    t0, cpu0 = time.monotonic(), time.thread_time()
    if not inst.vehicles or len(inst.node_point) == inst.n_depots:
        return PartResult(inst.name, [[] for _ in inst.vehicles], 0, "empty", 0.0)
    usable = [i for i, v in enumerate(inst.vehicles) if _can_get_home(inst, v)]
    if len(usable) < len(inst.vehicles):  # one such vehicle would make the whole model infeasible
        res = solve_part(_only_vehicles(inst, usable), time_limit_s, progress, max_solutions)
        routes: list[list[int]] = [[] for _ in inst.vehicles]
        for i, route in zip(usable, res.routes):
            routes[i] = route
        return PartResult(res.name, routes, res.objective, res.status, res.wall_s, res.out_of_time)
    # a timed first plan, whatever the search manages in its time: the previous routes of a re-plan
    # (already cut to what the schedule keeps), else the greedy value-per-minute routes
    first = inst.initial_routes if inst.initial_routes is not None else greedy_routes(inst)
    if time_limit_s - (time.monotonic() - t0) < MIN_SEARCH_S:  # no time left to build and search a model
        return PartResult(inst.name, first, 0, "first plan (no time left to search)", time.monotonic() - t0, True)
    manager = pywrapcp.RoutingIndexManager(
        len(inst.node_point),
        len(inst.vehicles),
        [v.start_node for v in inst.vehicles],
        [v.end_node for v in inst.vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)
    time_dim = _add_time_and_cost(inst, routing, manager)
    _add_drive_limit(inst, routing)
    _add_visits(inst, routing, manager, time_dim)
    _add_visit_order(inst, routing, manager, time_dim)
    _add_one_visit_per_vehicle(inst, routing, manager)
    _add_stability(inst, routing, manager)
    if progress is not None:
        model = weakref.ref(routing)  # not `routing` itself (see `_stop_when_stalled`)
        routing.AddAtSolutionCallback(lambda: progress(inst.name, _cost(model), time.monotonic() - t0))
    search_s = max(0.0, time_limit_s - (time.monotonic() - t0))  # the limit is the call's: building counts
    params = search_parameters(search_s, max_solutions, inst.travel_cost_per_hour <= 0)
    # stalled by the search thread's CPU seconds: on a loaded machine wall time passes without search
    stall = None if max_solutions else _stop_when_stalled(
        routing, Stall(start=cpu0, min_gain=objective_weights(inst)[0], clock=time.thread_time))
    solution = _solve(inst, routing, manager, params, stall)
    code = routing.status()
    if solution is not None and code in (3, 4):  # the last search found nothing new; the best routes stand
        code = 1
    status = _STATUS.get(code, str(code))
    routes = [] if solution is None else assignment_routes(routing, manager, solution, len(inst.vehicles))
    if solution is None or (inst.initial_routes is None and routes_value(inst, first) > routes_value(inst, routes)):
        # the search ran out of time before a first solution (OR-Tools then returns none, or one with
        # every visit dropped): the part keeps its first plan instead of coming back empty
        if solution is not None:
            status = "out of time, " + status
        elif code in (3, 4) and time.monotonic() - t0 >= 0.95 * time_limit_s:
            status = "out of time"  # OR-Tools says FAIL (3) when its time ends while it builds a start
        text = f"first plan (search: {status})"
        return PartResult(inst.name, first, 0, text, time.monotonic() - t0, out_of_time=True)
    return PartResult(inst.name, routes, solution.ObjectiveValue(), status, time.monotonic() - t0)



def _can_get_home(inst: PartInstance, v: Vehicle) -> bool:
    """The vehicle's empty day fits: straight from its start to its end place within its hours and
    drive limit (a re-planned day may start too late or too far away for that; the schedule names it)."""
    drive = int(inst.duration[v.profile][v.start_node, v.end_node])
    return drive <= v.max_drive_min and advance(v.work_start, drive, v.breaks) <= v.work_end


def _only_vehicles(inst: PartInstance, keep: list[int]) -> PartInstance:
    """The instance with only the vehicles `keep` (allowed lists, warm start and old vehicles renumbered)."""
    new = {old: n for n, old in enumerate(keep)}
    old_vehicle = None
    if inst.old_vehicle is not None:
        old_vehicle = np.array([new.get(int(o), len(keep)) if o >= 0 else -1 for o in inst.old_vehicle], dtype=np.int64)
    return dataclasses.replace(
        inst,
        vehicles=[inst.vehicles[i] for i in keep],
        allowed=[[new[i] for i in a if i in new] for a in inst.allowed],
        initial_routes=None if inst.initial_routes is None else [inst.initial_routes[i] for i in keep],
        old_vehicle=old_vehicle,
    )


def _stop_when_stalled(routing: Model, stall: Stall) -> Stall:
    """Every solution's objective goes to `stall`, and the search stops once it says so (`planner.solve.stall`)."""
    # a weak reference in the callback: the model owns it, so a callback holding the model makes a cycle
    # through C++ that Python's collector cannot see, and every part's model leaked (Jawa Timur, 60 s:
    # each pool worker grew to 1.8 GB, peak 3.4 GB); its cost variable exists only once the model is closed
    model = weakref.ref(routing)
    routing.AddAtSolutionCallback(lambda: stall.solution(_cost(model)))
    routing.AddSearchMonitor(routing.solver().CustomLimit(stall.stalled))
    return stall


def _cost(model: weakref.ref[Model]) -> int:
    """The objective of the solution being reported, through a weak reference to the routing model."""
    routing = model()
    return 0 if routing is None else int(routing.CostVar().Value())  # called only while the model searches


def _solve(inst: PartInstance, routing: Model, manager: Manager, params: Any, stall: Stall | None = None) -> Assignment:
    """Search from `inst.initial_routes` when given (and feasible), else from the best first solution."""
    if inst.initial_routes is None:
        start = _value_per_minute_start(inst, routing, manager, params)
        if start is None:  # the greedy routes do not fit this part's model (breaks, split windows)
            return routing.SolveWithParameters(params)
        if params.solution_limit >= _NO_LIMIT:  # ruin and recreate is timed: only without a solution limit
            return search_from_start(inst, routing, manager, params, start, stall)
        return routing.SolveFromAssignmentWithParameters(start, params)
    routing.CloseModelWithParameters(params)
    routes = [[manager.NodeToIndex(n) for n in route] for route in inst.initial_routes]
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        start = routing.ReadAssignmentFromRoutes(_feasible_routes(routing, routes), True)
    if start is None:
        return routing.SolveWithParameters(params)
    return routing.SolveFromAssignmentWithParameters(start, params)


_NO_LIMIT = pywrapcp.DefaultRoutingSearchParameters().solution_limit


def _value_per_minute_start(inst: PartInstance, routing: Model, manager: Manager, params: Any) -> Assignment:
    """The cheapest restorable value-per-minute insertion (`planner.solve.insertion`) over its exponents, or None."""
    routing.CloseModelWithParameters(params)
    best = None
    for power in POWERS:
        routes = [[manager.NodeToIndex(n) for n in route] for route in ratio_routes(inst, power)]
        start = routing.ReadAssignmentFromRoutes(routes, True)
        if start is not None and (best is None or start.ObjectiveValue() < best.ObjectiveValue()):
            best = routing.solver().Assignment(start)  # a copy: the next read reuses `start`
    return best


def _feasible_routes(routing: Model, routes: list[list[int]]) -> list[list[int]]:
    """Each vehicle's route (variable indices) cut to its longest prefix that can be restored on its own."""
    out: list[list[int]] = [[] for _ in routes]
    for v, route in enumerate(routes):
        def readable(n: int) -> bool:
            alone: list[list[int]] = [[] for _ in routes]
            alone[v] = route[:n]
            return routing.ReadAssignmentFromRoutes(alone, True) is not None

        if readable(len(route)):
            out[v] = route
            continue
        lo, hi = 0, len(route)  # the prefix of length lo is readable, that of length hi is not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if readable(mid) else (lo, mid)
        out[v] = route[:lo]
    return out


def _add_stability(inst: PartInstance, routing: Model, manager: Manager) -> None:
    """A cost per old visit served by another vehicle than before (a soft same-vehicle pair with
    that vehicle's start); dropping one costs the same on top of its value (`_add_visits`)."""
    if inst.old_vehicle is None or inst.move_penalty <= 0:
        return
    cost = move_cost(inst)
    for k, v in enumerate(inst.old_vehicle):
        if 0 <= v < len(inst.vehicles):
            index = manager.NodeToIndex(inst.n_depots + k)
            routing.AddSoftSameVehicleConstraint([routing.Start(int(v)), index], cost)




_STATUS = {
    0: "not solved",
    1: "solved",
    2: "solved (local optimum not reached)",
    3: "failed",
    4: "time limit reached before a first solution",
    5: "invalid model",
    6: "infeasible",
    7: "optimal",
}


def search_parameters(time_limit_s: float, max_solutions: int | None = None, tie_break_travel: bool = False) -> Any:
    """Most valuable visits inserted first, then guided local search (settings measured in bench/).

    When travel only breaks ties (no travel cost, see `objective_weights`), arc costs are tiny next
    to visit values and guided local search needs a much larger penalty weight to move at all.
    """
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = FIRST_SOLUTION
    if FIRST_SOLUTION == routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION:
        sorting = params.local_cheapest_insertion_parameters.insertion_sorting_properties
        sorting.append(_SORT_BY_PENALTY)  # visit value (its drop penalty) decides the insertion order
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.guided_local_search_lambda_coefficient = GLS_LAMBDA_TIE_BREAK if tie_break_travel else GLS_LAMBDA
    params.time_limit.FromMilliseconds(max(100, int(time_limit_s * 1000)))
    if max_solutions:
        params.solution_limit = max_solutions
    apply_tuning(params, tie_break_travel)
    return params


_SORT_BY_PENALTY = (
    pywrapcp.DefaultRoutingSearchParameters().local_cheapest_insertion_parameters.DESCRIPTOR
    .fields_by_name["insertion_sorting_properties"].enum_type.values_by_name["SORTING_PROPERTY_PENALTY"].number
)




def _add_time_and_cost(inst: PartInstance, routing: Model, manager: Manager) -> pywrapcp.RoutingDimension:
    """Arc costs per vehicle profile; time = service + travel per service class; breaks per day."""
    cost_ids: dict[str, int] = {}
    time_ids: dict[tuple[object, ...], int] = {}
    time_evals = []
    for v in inst.vehicles:
        if v.profile not in cost_ids:
            cost_ids[v.profile] = routing.RegisterTransitMatrix(arc_costs(inst, v.profile).tolist())
        key = (v.profile, v.kits, v.rate_per_kit_hour, v.setup_min) + _wait_key(v)
        if key not in time_ids:
            transit = service_vector(inst, v)[:, None] + inst.duration[v.profile]
            _wait_until_ready(inst, v, transit)
            time_ids[key] = routing.RegisterTransitMatrix(transit.tolist())
        time_evals.append(time_ids[key])
    for i, v in enumerate(inst.vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_ids[v.profile], i)
    last_day = max(v.day for v in inst.vehicles)
    horizon = max((last_day + 1) * DAY, max(v.work_end for v in inst.vehicles))  # a one-day scenario's day may be longer
    routing.AddDimensionWithVehicleTransits(time_evals, horizon - last_day * DAY, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for i, v in enumerate(inst.vehicles):
        time_dim.CumulVar(routing.Start(i)).SetRange(v.work_start, v.work_end)
        time_dim.CumulVar(routing.End(i)).SetRange(v.work_start, v.work_end)
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(i)))
    _add_breaks(inst, routing, manager, time_dim)
    return time_dim


def _wait_key(v: Vehicle) -> tuple[object, ...]:
    wait = ready_wait(v)
    return (v.start_node, wait) if wait > 0 else ()


def _wait_until_ready(inst: PartInstance, v: Vehicle, transit: np.ndarray) -> None:
    """A continued day's first leg lasts until `ready` at least: no new visit begins earlier.

    Breaks inside the wait still take their own slack (as on any leg), so the wait leaves them
    out; the model then never accepts a first start the schedule cannot keep.
    """
    wait = ready_wait(v)
    if wait > 0:
        row = transit[v.start_node, inst.n_depots :]
        transit[v.start_node, inst.n_depots :] = np.maximum(row, wait)




def _add_breaks(inst: PartInstance, routing: Model, manager: Manager, time_dim: pywrapcp.RoutingDimension) -> None:
    """Midday break and Friday prayer as fixed intervals no visit may overlap.

    A visit that may go on across a break (`PartInstance.across_breaks`) gives the break no part of
    its service to avoid: the break then lies between its start and the next one, which it pushes
    back by its length, as `planner.solve.schedule.visit_end` times it.
    """
    solver = routing.solver()
    nodes = [manager.IndexToNode(idx) for idx in range(routing.Size())]
    for i, v in enumerate(inst.vehicles):
        if not v.breaks:
            continue
        svc = service_vector(inst, v)
        if inst.across_breaks is not None:
            svc[inst.n_depots :][inst.across_breaks] = 0
        visit_transits = svc[nodes].tolist()
        intervals = [
            solver.FixedDurationIntervalVar(b0, b0, b1 - b0, False, f"break {i} {b0}") for b0, b1 in v.breaks
        ]
        time_dim.SetBreakIntervalsOfVehicle(intervals, i, visit_transits)


def _add_drive_limit(inst: PartInstance, routing: Model) -> None:
    """Driving minutes per team-day stay within the team's maximum."""
    ids: dict[str, int] = {}
    evals = []
    for v in inst.vehicles:
        if v.profile not in ids:
            ids[v.profile] = routing.RegisterTransitMatrix(inst.duration[v.profile].tolist())
        evals.append(ids[v.profile])
    caps = [v.max_drive_min for v in inst.vehicles]
    routing.AddDimensionWithVehicleTransitAndCapacity(evals, 0, caps, True, "drive")


def _add_visits(inst: PartInstance, routing: Model, manager: Manager, time_dim: pywrapcp.RoutingDimension) -> None:
    """Each visit is optional (penalty = its value), limited to allowed vehicles and opening windows."""
    values, moved = visit_values(inst), move_cost(inst)
    for k in range(len(inst.visit_site)):
        node = inst.n_depots + k
        index = manager.NodeToIndex(node)
        old = -1 if inst.old_vehicle is None else int(inst.old_vehicle[k])
        extra = moved if 0 <= old < len(inst.vehicles) else 0  # served anywhere else costs it too
        routing.AddDisjunction([index], int(values[k]) + extra)
        routing.VehicleVar(index).SetValues([-1] + list(inst.allowed[k]))
        _restrict_to_windows(time_dim.CumulVar(index), inst.start_windows[k])


def _add_one_visit_per_vehicle(inst: PartInstance, routing: Model, manager: Manager) -> None:
    """No team-day makes two visits of one site: each visit node has its own visit type, and the
    types of one site's visits are pairwise incompatible on a route.

    A model rule (the search's filters check it while inserting), not a side constraint on the
    vehicle variables, which the insertion heuristics cannot see.
    """
    if not inst.one_visit_per_vehicle:
        return
    nodes_of: dict[int, list[int]] = {}
    for k, s in enumerate(inst.visit_site):
        nodes_of.setdefault(int(s), []).append(k)
    for nodes in nodes_of.values():
        if len(nodes) < 2:
            continue
        for k in nodes:
            routing.SetVisitType(manager.NodeToIndex(inst.n_depots + k), k, routing.TYPE_ADDED_TO_VEHICLE)
        for a, k in enumerate(nodes):
            for j in nodes[a + 1 :]:
                routing.AddHardTypeIncompatibility(k, j)


def _add_visit_order(inst: PartInstance, routing: Model, manager: Manager, time_dim: pywrapcp.RoutingDimension) -> None:
    """A site's visits keep their numbers' order in time (see `visit_order_offset`), so numbering
    them by date afterwards keeps every visit's size: the plan is worth what the search found."""
    offset = visit_order_offset(inst)
    by_site: dict[int, list[tuple[int, int]]] = {}
    for k, (s, no) in enumerate(zip(inst.visit_site, inst.visit_no)):
        by_site.setdefault(int(s), []).append((int(no), k))
    for visits in by_site.values():
        visits.sort()
        for i, (_, a) in enumerate(visits):  # every pair: the visits between may be left out
            for _, b in visits[i + 1 :]:
                first = manager.NodeToIndex(inst.n_depots + a)
                second = manager.NodeToIndex(inst.n_depots + b)
                time_dim.AddNodePrecedence(first, second, offset)


def _restrict_to_windows(cumul: Any, windows: list[tuple[int, int]]) -> None:
    if not windows:
        return
    windows = sorted(windows)
    cumul.SetRange(windows[0][0], windows[-1][1])
    for (_, hi), (lo, _) in zip(windows, windows[1:]):
        if lo > hi + 1:
            cumul.RemoveInterval(hi + 1, lo - 1)
