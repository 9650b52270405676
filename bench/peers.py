"""Peer solvers (PyVRP, VROOM via pyvroom) on a one-day jemput scenario, their routes checked as jemput plans.

Both peers get the same arrays jemput's own solver gets after `compile_scenario`: whole-minute
travel from the scenario's provider, service = set-up + recording time of the site's first visit,
start-of-service windows, prize = the site's value. Their routes go back through jemput's timing
(`assemble`) into a `Plan`, and the independent validator checks it; scores come from that plan.

Scope: one-day scenarios whose teams all record at the same speed, have no breaks, no effective
drive limit and serve every site (the TOPTW instances and the relaxed scale instances in
bench/scale.py); `op_from_compiled` raises otherwise. Install with `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from planner.solve.assemble import Visit
from planner.compile.capacity import service_minutes
from planner.compile.instance import Compiled
from planner.solve.parts import places
from planner.plan import Plan
from planner.solve.problem import SCALE, PartResult
from planner.solve.week import SolveOptions, _assemble


@dataclass
class OrienteeringInstance:
    """One day, vehicles at their bases, optional sites with a prize: what the peers are given."""

    points: list[int]  # Compiled point of each node; node k < n_bases is a base
    n_bases: int
    duration: np.ndarray  # node × node whole minutes
    cost: np.ndarray  # node × node travel cost in objective units (jemput's arc cost)
    sites: list[int]  # site index of node n_bases + k
    service: np.ndarray  # per site node
    window: np.ndarray  # per site node: [earliest, latest] start of service
    prize: np.ndarray  # per site node, value × SCALE (jemput's disjunction penalty)
    value: np.ndarray  # per site node, weighted people
    vehicles: list[tuple[int, int, int, int]]  # (team-day index, base node, work start, work end)


def op_from_compiled(c: Compiled) -> OrienteeringInstance:
    """The orienteering problem of a simple one-day scenario (see module doc); raises if it is not one."""
    tds = c.team_days
    if len({td.day for td in tds}) > 1 or any(td.breaks for td in tds):
        raise ValueError("peers need one day without breaks")
    teams = c.scenario.teams
    keys = {(td.kits, teams[td.team].rate_per_kit_hour, teams[td.team].setup_min, teams[td.team].vehicle) for td in tds}
    if len(keys) != 1:
        raise ValueError(f"peers need every team-day to record at one speed with one vehicle, got {sorted(keys)}")
    kits, rate, setup, profile = keys.pop()
    sites = [s for s in range(len(c.scenario.sites)) if c.sizes[s] and c.compatible[:, s].any()]
    if not c.compatible[:, sites].all():
        raise ValueError("peers need every team to be able to serve every site")
    bases = sorted({td.team for td in tds})
    points = bases + [c.site_point(s) for s in sites]
    dur = c.duration[profile][np.ix_(points, points)]
    if any(teams[t].max_drive_min < td.work_end - td.work_start for t in bases for td in tds if td.team == t):
        raise ValueError("peers need no drive limit shorter than the shift")
    service = np.array([service_minutes(c.sizes[s][0], kits, rate, setup) for s in sites], dtype=np.int64)
    window = np.array([_start_window(c, s, svc) for s, svc in zip(sites, service)], dtype=np.int64).reshape(-1, 2)
    value = np.array([c.weight[s] * c.sizes[s][0] for s in sites], dtype=float)
    value_scale, per_min = _objective(c, value)
    return OrienteeringInstance(
        points=points, n_bases=len(bases), duration=dur, cost=np.rint(dur * per_min).astype(np.int64), sites=sites,
        service=service, window=window, prize=np.rint(value * value_scale).astype(np.int64), value=value,
        vehicles=[(i, bases.index(td.team), td.work_start, td.work_end) for i, td in enumerate(tds)],
    )


def _objective(c: Compiled, value: np.ndarray) -> tuple[float, float]:
    """jemput's objective weights (planner.solve.routing.objective_weights): with no travel cost, travel
    breaks ties and value is scaled to dominate it; peers get the same, so neither searches blind."""
    per_min = c.scenario.weights.travel_cost_per_hour / 60 * SCALE
    if per_min > 0 or not len(value):
        return SCALE, per_min
    shift_min = sum(td.work_end - td.work_start for td in c.team_days)
    return SCALE * (int(shift_min // (SCALE * float(value.min()))) + 1), 1.0


def _start_window(c: Compiled, s: int, svc: int) -> tuple[int, int]:
    wins = c.windows[s][0]
    if len(wins) != 1:
        raise ValueError(f"peers need one opening window per site, site {c.scenario.sites[s].id} has {len(wins)}")
    w0, w1 = wins[0]
    return w0, w1 - svc


def solve_pyvrp(op: OrienteeringInstance, time_limit_s: float, seed: int = 0) -> tuple[list[list[int]], float]:
    """PyVRP 0.14 prize-collecting VRPTW (clients optional, prize = value); routes as site indices."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    t0 = time.monotonic()
    m = pyvrp.Model()
    locs = [m.add_location(x=0, y=0) for _ in op.points]
    depots = [m.add_depot(locs[b], name=f"base{b}") for b in range(op.n_bases)]
    for td, base, w0, w1 in op.vehicles:
        m.add_vehicle_type(1, start_depot=depots[base], end_depot=depots[base], tw_early=w0, tw_late=w1,
                           unit_distance_cost=1, unit_duration_cost=0, name=f"td{td}")
    for k in range(len(op.sites)):
        m.add_client(locs[op.n_bases + k], service_duration=int(op.service[k]), tw_early=int(op.window[k, 0]),
                     tw_late=int(op.window[k, 1]), prize=int(op.prize[k]), required=False, name=f"s{k}")
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            if i != j:  # PyVRP 0.14 wants no self loops
                m.add_edge(a, b, distance=int(op.cost[i, j]), duration=int(op.duration[i, j]))
    data = m.data()
    res = m.solve(stop=MaxRuntime(time_limit_s), seed=seed, display=False)
    routes: list[list[int]] = [[] for _ in op.vehicles]
    if res.best.is_feasible():
        for r in res.best.routes():
            routes[r.vehicle_type()] = [op.sites[int(data.client(a.idx).name[1:])] for a in r if a.is_client()]
    return routes, time.monotonic() - t0


def vroom_priorities(value: np.ndarray) -> tuple[np.ndarray, str]:
    """VROOM priorities are integers 0..100: values themselves when they are such, else scaled to 100."""
    ints = np.rint(value)
    if np.allclose(value, ints) and ints.max() <= 100:
        return ints.astype(int), "exact"
    return np.maximum(1, np.rint(value * 100 / value.max())).astype(int), "scaled to 1..100 (lossy)"


def solve_vroom(op: OrienteeringInstance, time_limit_s: float) -> tuple[list[list[int]], float, str]:
    """VROOM (pyvroom 1.15) with priorities, one thread, exploration level 5 and a timeout."""
    import vroom

    t0 = time.monotonic()
    prio, how = vroom_priorities(op.value)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=op.duration.astype(np.uint32))
    problem.set_costs_matrix(profile="car", matrix_input=op.cost.astype(np.uint32))
    for v, (_td, base, w0, w1) in enumerate(op.vehicles):
        problem.add_vehicle(vroom.Vehicle(id=v, start=base, end=base, time_window=vroom.TimeWindow(w0, w1)))
    for k in range(len(op.sites)):
        problem.add_job(vroom.Job(id=k, location=op.n_bases + k, default_service=int(op.service[k]),
                                  time_windows=[vroom.TimeWindow(int(op.window[k, 0]), int(op.window[k, 1]))],
                                  priority=int(prio[k])))
    sol = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s))
    routes: list[list[int]] = [[] for _ in op.vehicles]
    df = sol.routes
    for row in df[df["type"] == "job"].itertuples():
        routes[int(row.vehicle_id)].append(op.sites[int(row.id)])
    return routes, time.monotonic() - t0, how


def plan_from_routes(c: Compiled, op: OrienteeringInstance, routes: list[list[int]], who: str, wall: float) -> Plan:
    """A jemput `Plan` of a peer's routes, timed by jemput's own rules (earliest start) for the validator."""
    visits = {td: [Visit(s, 1, c.sizes[s][0]) for s in seq] for (td, _, _, _), seq in zip(op.vehicles, routes)}
    result = PartResult(who, [], 0, f"{who} routes", wall)
    return _assemble(c, places(c, []), visits, SolveOptions(time_limit_s=0), [result], wall, None)
