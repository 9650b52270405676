"""Solving the rest of the week: the same two-stage solve as `plan_week`, each part prepared with the
driving left, the previous routes as a warm start and a penalty for moving a visit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from planner import units

from planner.compile.instance import Compiled, WorkDay
from planner.plan import Plan
from planner.replan.kept import KeptDay, Key
from planner.replan.rest import Rest
from planner.solve.assemble import Visit, time_visits
from planner.solve.parts import provincial_part, regency_parts, visit_start_windows
from planner.solve.problem import SCALE, PartInstance, PartResult, Vehicle
from planner.solve.week import SolveOptions, solve_stages


@dataclass(frozen=True)
class ReplanOptions:
    """Search limits, and how much a visit must gain (weighted recordings) to move or be dropped."""

    solve: SolveOptions = SolveOptions()
    move_penalty: float = units.DEFAULT_MOVE_PENALTY
    warm_start: bool = True


def solve_rest(
    rest: Rest, old_plan: Plan, kept: dict[Key, KeptDay], options: ReplanOptions
) -> tuple[dict[int, list[Visit]], list[PartResult], str]:
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
    """A new part (the built one is left as it was) with drive left per team-day, the previous
    routes and the move penalty (closed links are in the part's matrices already, `Compiled.duration_on`)."""
    inst = dataclasses.replace(inst, vehicles=[_continued(v, rest) for v in inst.vehicles])
    if c.scenario.visits.one_visit_per_team_day:
        inst = dataclasses.replace(inst, allowed=_not_again_today(inst, rest))
    inst, old_vehicle, routes = _warm_start(c, inst, old_routes)
    return dataclasses.replace(
        inst,
        old_vehicle=old_vehicle,
        move_penalty=int(round(options.move_penalty * SCALE)),
        initial_routes=routes if options.warm_start else None,
        order_same_site=True,
    )


def _continued(v: Vehicle, rest: Rest) -> Vehicle:
    """The vehicle with the driving left; a begun day leaves its last visit at its end, as the
    schedule times it (`planner.replan.assembly`), and begins no new visit before the re-plan time."""
    v = dataclasses.replace(v, max_drive_min=rest.drive_left[v.team_day])
    if v.team_day not in rest.depart:
        return v
    leave, breaks = rest.depart[v.team_day]
    return dataclasses.replace(v, work_start=leave, ready=v.work_start, breaks=breaks)


def _not_again_today(inst: PartInstance, rest: Rest) -> list[list[int]]:
    """The vehicles each visit node may go to, less a begun day's for a site it has visited that day
    (`one_visit_per_team_day`)."""
    return [
        [n for n in inst.allowed[k] if int(s) not in rest.kept_sites.get(inst.vehicles[n].team_day, ())]
        for k, s in enumerate(inst.visit_site)
    ]


def _warm_start(c: Compiled, inst: PartInstance, old_routes: dict[Key, list[tuple[str, int]]]) -> tuple[PartInstance, np.ndarray, list[list[int]]]:
    """The part with its visit nodes sized as the previous visits they take; per visit node the
    vehicle that had it in the previous plan; and the previous routes as nodes.

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
    resized: dict[int, int] = {}
    for key in sorted(old_routes, key=lambda k: (k[1], k[0])):
        vehicle = vehicle_of.get(key, len(inst.vehicles))
        for site_id, people in old_routes[key]:
            free = nodes_of.get(site_id)
            if not free:
                continue
            k = free.pop(0)
            old_vehicle[k] = vehicle
            if people > 0:
                resized[k] = people
            if vehicle < len(inst.vehicles) and vehicle in inst.allowed[k]:
                routes[vehicle].append(inst.n_depots + k)
    inst = _resized(c, inst, resized)
    return inst, old_vehicle, [_keep_feasible(c, inst, n, route) for n, route in enumerate(routes)]


def _resized(c: Compiled, inst: PartInstance, people_of: dict[int, int]) -> PartInstance:
    """A new part with visit node k sized to `people_of[k]`: its value and its start windows (a
    shorter visit may start later where the site closes before the shift ends), so the previous
    routes stay feasible."""
    if not people_of:
        return inst
    people, value, windows = inst.visit_people.copy(), inst.visit_value.copy(), list(inst.start_windows)
    points = [int(p) for p in inst.node_point[: inst.n_depots]]
    for k, n in people_of.items():
        value[k] *= n / people[k]
        people[k] = n
        offered = [v if i in inst.allowed[k] else None for i, v in enumerate(inst.vehicles)]
        wider = visit_start_windows(c, int(inst.visit_site[k]), n, offered, points)
        opens = {lo for lo, _ in wider}  # one interval per site window; a smaller visit only widens it
        windows[k] = wider + [w for w in windows[k] if w[0] not in opens]
    return dataclasses.replace(inst, visit_people=people, visit_value=value, start_windows=windows)


def _keep_feasible(c: Compiled, inst: PartInstance, n: int, route: list[int]) -> list[int]:
    """The previous route without the visits it can no longer make (fewer kits, closures, a later start).

    The same timing as the assembly (`time_visits`); the search re-checks what is left and trims it
    further if its own model disagrees (`planner.solve.routing`).
    """
    v = inst.vehicles[n]
    day = WorkDay(v.team, v.day, c.dates[v.day], v.kits, v.work_start, v.work_end, v.breaks, 0)
    dur = inst.duration[v.profile]
    kept: list[int] = []
    for node in route:
        trial = kept + [node]
        path = [v.start_node] + trial + [v.end_node]
        visits = [(int(inst.visit_site[x - inst.n_depots]), int(inst.visit_people[x - inst.n_depots])) for x in trial]
        if time_visits(c, day, dur, path, visits, v.work_start, v.ready or 0, v.max_drive_min):
            kept = trial
    return kept
