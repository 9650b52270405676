"""A first plan for a part that the search could not give in time: greedy routes, timed exactly.

Under load, or with a small share of the time limit, OR-Tools may stop before its first solution;
the part would then come back empty although its teams could work. These routes are the
value-per-minute insertion (`planner.solve.insertion`), each cut to the visits the exact schedule
(`planner.solve.schedule`: breaks, the Friday prayer, opening windows, a continued day's ready time)
and the drive limit keep, then refilled once. The plan's assembly times them with the same rules.
"""

from __future__ import annotations

from planner.solve.insertion import POWERS, ratio_routes
from planner.solve.problem import PartInstance, service_vector
from planner.solve.schedule import Timed, schedule_route

POWER = 2.0  # tried first (kept on a tie); then the other exponents the search's start tries


ROUNDS = 3  # cut to what the schedule keeps, refill without what was cut; measured: a 4th adds little


def greedy_routes(inst: PartInstance) -> list[list[int]]:
    """Visit nodes per vehicle that the schedule can time: the most valuable of the value-per-minute
    insertions over the exponents the search's own start tries (`insertion.POWERS`).

    One exponent alone (2) left a part that ran out of time up to 16% below the start its search would
    have had (a generated regency of 346 visit nodes: 783 vs 908 with exponent 3; over a 4,000-site province 2.2%
    less value), so a part's plan swung by that much with its luck under load (bench/results/regency_time.md).
    """
    best: list[list[int]] = [[] for _ in inst.vehicles]
    best_value = -1.0
    for power in (POWER, *(p for p in POWERS if p != POWER)):
        routes = timed_greedy(inst, power)
        value = routes_value(inst, routes)
        if value > best_value:
            best, best_value = routes, value
    return best


def timed_greedy(inst: PartInstance, power: float) -> list[list[int]]:
    """Visit nodes per vehicle that the schedule can time, inserted by value^power per minute."""
    routes: list[list[int]] | None = None
    banned: set[int] = set()
    for _ in range(ROUNDS):
        filled = ratio_routes(inst, power, routes, banned=banned)
        routes = [_timed_prefix(inst, v, route) for v, route in enumerate(filled)]
        cut = {n for route in filled for n in route} - {n for route in routes for n in route}
        if not cut:
            break
        banned |= cut
    return routes or [[] for _ in inst.vehicles]


def routes_value(inst: PartInstance, routes: list[list[int]]) -> float:
    """Weighted people of the visits on the routes."""
    return float(sum(inst.visit_value[n - inst.n_depots] for route in routes for n in route))


def _timed_prefix(inst: PartInstance, v: int, route: list[int]) -> list[int]:
    """The route's visits in order, each kept only if the day can still be timed with it."""
    veh = inst.vehicles[v]
    dur = inst.duration[veh.profile]
    svc = service_vector(inst, veh)
    across = inst.across_breaks is not None and bool(inst.across_breaks.any())  # one rule for the scenario
    paused = sum(b1 - b0 for b0, b1 in veh.breaks) if across else 0
    kept: list[int] = []
    sites: set[int] = set()
    for node in route:
        site = int(inst.visit_site[node - inst.n_depots])
        if inst.one_visit_per_vehicle and site in sites:
            continue
        trial = kept + [node]
        path = [veh.start_node, *trial, veh.end_node]
        legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
        if sum(legs) > veh.max_drive_min:
            continue
        services = [int(svc[n]) for n in trial]
        windows = [_windows(inst, n, veh.ready, t + paused) for n, t in zip(trial, services)]
        timed = schedule_route(veh.work_start, legs[:-1], services, windows, veh.breaks, legs[-1], veh.work_end, across)
        if timed is None or (across and not _starts_in_windows(inst, trial, timed)):
            continue
        kept = trial
        sites.add(site)
    return kept


def _starts_in_windows(inst: PartInstance, nodes: list[int], timed: list[Timed]) -> bool:
    """Every visit begins inside one of its start windows (no windows: any time). With visits across
    breaks the whole-visit windows above are widened by the day's breaks, so the start is checked too:
    a start window leaves room for the breaks inside the site's opening window (`parts._start_windows`)."""
    for n, t in zip(nodes, timed):
        wins = inst.start_windows[n - inst.n_depots]
        if wins and not any(lo <= t.start <= hi for lo, hi in wins):
            return False
    return True


def _windows(inst: PartInstance, node: int, ready: int | None, service: int) -> tuple[tuple[int, int], ...]:
    """The node's start windows [lo, hi] as whole-visit windows [lo, hi + service], not before `ready`."""
    lo = ready or 0
    return tuple((max(a, lo), b + service) for a, b in inst.start_windows[node - inst.n_depots] if b >= max(a, lo))
