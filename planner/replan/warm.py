"""Solving the rest of the week: the same two-stage solve as `plan_week`, each part prepared with the
driving left, the previous routes as a warm start and a penalty for moving a visit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from planner import units

from planner.compile.capacity import service_minutes
from planner.compile.instance import Compiled
from planner.plan import Plan
from planner.replan.kept import KeptDay, Key
from planner.replan.rest import Rest
from planner.solve.assemble import not_before
from planner.solve.parts import provincial_part, regency_parts, visit_start_windows
from planner.solve.routing import SCALE, PartInstance, Vehicle
from planner.solve.schedule import schedule_route
from planner.solve.week import SolveOptions, solve_stages


@dataclass(frozen=True)
class ReplanOptions:
    """Search limits, and how much a visit must gain (weighted recordings) to move or be dropped."""

    solve: SolveOptions = SolveOptions()
    move_penalty: float = units.DEFAULT_MOVE_PENALTY
    warm_start: bool = True


def solve_rest(rest: Rest, old_plan: Plan, kept: dict[Key, KeptDay], options: ReplanOptions):
    """Regency parts, then provincial teams (as `plan_week`), warm-started from the previous plan:
    the visits per rest team-day, the parts' results (team-days numbered in `rest.c`) and a status."""
    c, opts = rest.c, options.solve
    if not c.team_days:
        return {}, [], "nothing left to plan"
    old_rest = _old_routes(old_plan, kept)
    visits, results = solve_stages(
        c, regency_parts(c), provincial_part(c), rest.places, opts, done=rest.done.copy(),
        prepare=lambda inst: _prepared(c, inst, rest, old_rest, options),
    )
    status = ", ".join(sorted({r.status for r in results})) or "empty"
    return visits, results, status


def _old_routes(plan: Plan, kept: dict[Key, KeptDay]) -> dict[Key, list[tuple[str, int]]]:
    """Per previous team-day: (site id, people) of its visits planned again, in order."""
    out = {}
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        out[(td.team_id, td.date)] = [(s.site_id, s.people) for s in td.stops[len(k.stops) if k else 0 :]]
    return out


def _prepared(c: Compiled, inst: PartInstance, rest: Rest, old_routes: dict[Key, list[tuple[str, int]]], options: ReplanOptions) -> PartInstance:
    """The part with drive left per team-day, the previous routes and the move penalty (closed links are
    in the part's matrices already, `Compiled.duration_on`)."""
    inst.vehicles = [_continued(v, rest) for v in inst.vehicles]
    if c.scenario.visits.one_visit_per_team_day:
        _not_again_today(inst, rest)
    old_vehicle, routes = _warm_start(c, inst, old_routes)
    inst.old_vehicle = old_vehicle
    inst.move_penalty = int(round(options.move_penalty * SCALE))
    inst.initial_routes = routes if options.warm_start else None
    inst.order_same_site = True
    return inst


def _continued(v: Vehicle, rest: Rest) -> Vehicle:
    """The vehicle with the driving left; a begun day leaves its last visit at its end, as the
    schedule times it (`_continue_day`), and begins no new visit before the re-plan time."""
    v = dataclasses.replace(v, max_drive_min=rest.drive_left[v.team_day])
    if v.team_day not in rest.depart:
        return v
    leave, breaks = rest.depart[v.team_day]
    return dataclasses.replace(v, work_start=leave, ready=v.work_start, breaks=breaks)


def _not_again_today(inst: PartInstance, rest: Rest) -> None:
    """A begun day gets no new visit of a site it has visited that day (`one_visit_per_team_day`)."""
    for k, s in enumerate(inst.visit_site):
        inst.allowed[k] = [n for n in inst.allowed[k] if int(s) not in rest.kept_sites.get(inst.vehicles[n].team_day, ())]



def _warm_start(c: Compiled, inst: PartInstance, old_routes: dict[Key, list[tuple[str, int]]]) -> tuple[np.ndarray, list[list[int]]]:
    """Per visit node: the vehicle that had it in the previous plan; and the previous routes as nodes.

    A node taken by a previous visit is sized as that visit was (the previous plan's people, after
    its own numbering), so the previous routes are feasible for the search as they were.
    """
    teams, sites = c.scenario.teams, c.scenario.sites
    vehicle_of = {(teams[v.team].id, c.dates[v.day]): n for n, v in enumerate(inst.vehicles)}
    nodes_of: dict[str, list[int]] = {}
    for k, s in enumerate(inst.visit_site):
        nodes_of.setdefault(sites[int(s)].id, []).append(k)
    old_vehicle = np.full(len(inst.visit_site), -1, dtype=np.int64)
    routes: list[list[int]] = [[] for _ in inst.vehicles]
    for key in sorted(old_routes, key=lambda k: (k[1], k[0])):
        vehicle = vehicle_of.get(key, len(inst.vehicles))
        for site_id, people in old_routes[key]:
            free = nodes_of.get(site_id)
            if not free:
                continue
            k = free.pop(0)
            old_vehicle[k] = vehicle
            if people > 0:
                _resize(c, inst, k, people)
            if vehicle < len(inst.vehicles) and vehicle in inst.allowed[k]:
                routes[vehicle].append(inst.n_depots + k)
    return old_vehicle, [_keep_feasible(c, inst, n, route) for n, route in enumerate(routes)]


def _resize(c: Compiled, inst: PartInstance, k: int, people: int) -> None:
    """Visit node `k` sized to `people`: its value and its start windows (a shorter visit may start
    later where the site closes before the shift ends), so the previous routes stay feasible."""
    inst.visit_value[k] *= people / inst.visit_people[k]
    inst.visit_people[k] = people
    offered = [v if n in inst.allowed[k] else None for n, v in enumerate(inst.vehicles)]
    points = [int(p) for p in inst.node_point[: inst.n_depots]]
    wider = visit_start_windows(c, int(inst.visit_site[k]), people, offered, points)
    opens = {lo for lo, _ in wider}  # one interval per site window; a smaller visit only widens it
    inst.start_windows[k] = wider + [w for w in inst.start_windows[k] if w[0] not in opens]


def _keep_feasible(c: Compiled, inst: PartInstance, n: int, route: list[int]) -> list[int]:
    """The previous route without the visits it can no longer make (fewer kits, closures, a later start).

    The same timing rules as the schedule; the search re-checks what is left and trims it further if
    its own model disagrees (`planner.solve.routing`).
    """
    v = inst.vehicles[n]
    dur = inst.duration[v.profile]
    rate, setup = v.rate_per_kit_hour, v.setup_min
    kept: list[int] = []
    for node in route:
        trial = kept + [node]
        path = [v.start_node] + trial + [v.end_node]
        legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
        people = [int(inst.visit_people[x - inst.n_depots]) for x in trial]
        services = [service_minutes(p, v.kits, rate, setup) for p in people]
        windows = [not_before(c.windows[int(inst.visit_site[x - inst.n_depots])][v.day], v.ready or 0) for x in trial]
        if sum(legs) <= v.max_drive_min and schedule_route(v.work_start, legs[:-1], services, windows, v.breaks, legs[-1], v.work_end,
                                                            c.scenario.visits.record_across_breaks):
            kept = trial
    return kept
