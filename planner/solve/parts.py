"""Split the week into independent routing instances and build each one's arrays.

Decomposition follows ownership, which is sound for this problem: a regency office's teams serve
its own regency, so regencies are independent parts (solved in parallel). Provincial teams,
which may cross regencies, are planned afterwards on what the regency teams left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.compile.capacity import service_minutes
from planner.compile.instance import Compiled, WorkDay
from planner.solve.problem import PartInstance, Vehicle
from planner.solve.trips import Trip


@dataclass(frozen=True)
class PartSpec:
    name: str
    teams: tuple[int, ...]
    sites: tuple[int, ...]


def regency_parts(c: Compiled) -> list[PartSpec]:
    """One part per regency office that has teams; provincial teams are left for the second stage."""
    by_regency: dict[str, list[int]] = {}
    for t, team in enumerate(c.scenario.teams):
        if team.regency_code:
            by_regency.setdefault(team.regency_code, []).append(t)
    parts = []
    for code, teams in sorted(by_regency.items()):
        sites = np.nonzero(c.compatible[teams].any(axis=0))[0]
        parts.append(PartSpec(f"regency {code}", tuple(teams), tuple(int(s) for s in sites)))
    return parts


def provincial_part(c: Compiled) -> PartSpec | None:
    """The provincial teams with every site they are compatible with."""
    teams = [t for t, team in enumerate(c.scenario.teams) if not team.regency_code]
    if not teams:
        return None
    sites = np.nonzero(c.compatible[teams].any(axis=0))[0]
    return PartSpec("provincial teams", tuple(teams), tuple(int(s) for s in sites))


def places(c: Compiled, trips: list[Trip]) -> dict[int, tuple[int, int]]:
    """Start and end point of every team-day: its base, or the lodging of its trip."""
    out = {i: (td.team, td.team) for i, td in enumerate(c.team_days)}
    for trip in trips:
        lodge = c.site_point(trip.lodging_site)
        for j, i in enumerate(trip.team_days):
            base = c.team_days[i].team
            start = base if j == 0 else lodge
            end = base if j == len(trip.team_days) - 1 else lodge
            out[i] = (start, end)
    return out


def build_instance(
    c: Compiled,
    spec: PartSpec,
    done_visits: np.ndarray,
    day_places: dict[int, tuple[int, int]],
    seed: int,
    max_sites: int | None = None,
    min_day: np.ndarray | None = None,
) -> PartInstance:
    """Arrays for one part: vehicles, depots, visit nodes for the visits each site has left."""
    tds = [i for i, td in enumerate(c.team_days) if td.team in spec.teams]
    points = sorted({p for i in tds for p in day_places[i]})
    depot_of = {p: n for n, p in enumerate(points)}
    vehicles = [_vehicle(c, i, depot_of, day_places) for i in tds]
    legs = _legs(c, vehicles, points)
    sites = _candidate_sites(c, spec, done_visits, vehicles, max_sites, lambda s: _in_reach(c, s, vehicles, points, legs))
    rng = np.random.default_rng(seed)
    sites = [sites[i] for i in rng.permutation(len(sites))]
    visit_site, visit_no, people, allowed, windows = [], [], [], [], []
    reach = _Reach(c, vehicles, points, legs)
    for s in sites:
        first_day = 0 if min_day is None else int(min_day[s])
        offered = [v if v.day >= first_day else None for v in vehicles]
        drives = reach.drives(s, first_day)
        for k, p in enumerate(c.sizes[s][int(done_visits[s]) :], start=int(done_visits[s]) + 1):
            ok, wins = _allowed(c, s, p, offered, points, legs, drives)
            if not ok:
                break  # a later, smaller visit cannot come before this one
            visit_site.append(s)
            visit_no.append(k)
            people.append(p)
            allowed.append(ok)
            windows.append(wins)
    node_point = np.array(points + [c.site_point(s) for s in visit_site], dtype=np.int64)
    return PartInstance(
        name=spec.name,
        node_point=node_point,
        n_depots=len(points),
        visit_site=np.array(visit_site, dtype=np.int64),
        visit_no=np.array(visit_no, dtype=np.int64),
        visit_people=np.array(people, dtype=np.int64),
        visit_value=np.array([c.weight[s] * p for s, p in zip(visit_site, people)], dtype=float),
        duration=_durations(c, tds, node_point),
        vehicles=vehicles,
        allowed=allowed,
        start_windows=windows,
        travel_cost_per_hour=c.scenario.weights.travel_cost_per_hour,
        one_visit_per_vehicle=c.scenario.visits.one_visit_per_team_day,
        across_breaks=np.ones(len(visit_site), dtype=bool) if c.scenario.visits.record_across_breaks else None,
    )


def _durations(c: Compiled, tds: list[int], node_point: np.ndarray) -> dict[str, np.ndarray]:
    """Node × node whole minutes per matrix name: one per profile, one per profile and day with
    closed links (those arcs impossible, `Compiled.duration_on`)."""
    out: dict[str, np.ndarray] = {}
    for i in tds:
        td = c.team_days[i]
        profile = c.scenario.teams[td.team].vehicle
        key = c.profile_key(profile, td.day)
        if key not in out:
            out[key] = c.duration_on(profile, td.day)[np.ix_(node_point, node_point)]
    return out


def _vehicle(c: Compiled, i: int, depot_of: dict[int, int], day_places: dict[int, tuple[int, int]]) -> Vehicle:
    td: WorkDay = c.team_days[i]
    team = c.scenario.teams[td.team]
    start, end = day_places[i]
    return Vehicle(
        team=td.team,
        team_day=i,
        day=td.day,
        kits=td.kits,
        rate_per_kit_hour=team.rate_per_kit_hour,
        setup_min=team.setup_min,
        profile=c.profile_key(team.vehicle, td.day),
        start_node=depot_of[start],
        end_node=depot_of[end],
        work_start=td.work_start,
        work_end=td.work_end,
        breaks=td.breaks,
        max_drive_min=team.max_drive_min,
    )


def _candidate_sites(
    c: Compiled, spec: PartSpec, done: np.ndarray, vehicles: list[Vehicle], max_sites: int | None,
    in_reach: Callable[[int], bool] | None = None,
) -> list[int]:
    """Sites of the part with visits left; when capped, those some team-day can drive to and back
    (`in_reach`), most valuable first."""
    left = [s for s in spec.sites if int(done[s]) < len(c.sizes[s])]
    if max_sites is None or len(left) <= max_sites:
        return sorted(left)
    if in_reach is not None:
        left = [s for s in left if in_reach(s)]
    value = {s: c.weight[s] * sum(c.sizes[s][int(done[s]) :]) for s in left}
    return sorted(sorted(left, key=lambda s: -value[s])[:max_sites])


def _legs(c: Compiled, vehicles: list[Vehicle], points: list[int]) -> dict[tuple[str, int, str], np.ndarray]:
    """Minutes from each vehicle's start place to every point ("go") and from every point to its end
    place ("back"): read once per place, not once per visit."""
    out: dict[tuple[str, int, str], np.ndarray] = {}
    for v in vehicles:
        vehicle = c.scenario.teams[v.team].vehicle
        dur = c.duration[vehicle]
        for way, node in (("go", v.start_node), ("back", v.end_node)):
            key = (str(vehicle), points[node], way)
            if key not in out:
                out[key] = np.asarray(dur[points[node], :] if way == "go" else dur[:, points[node]])
    return out


def _in_reach(c: Compiled, s: int, vehicles: list[Vehicle], points: list[int], legs: dict[tuple[str, int, str], np.ndarray]) -> bool:
    """Some vehicle is compatible with the site and can drive there and back within its limit."""
    site_pt = c.site_point(s)
    for v in vehicles:
        if c.compatible[v.team, s]:
            vehicle = str(c.scenario.teams[v.team].vehicle)
            go = int(legs[(vehicle, points[v.start_node], "go")][site_pt])
            if go + int(legs[(vehicle, points[v.end_node], "back")][site_pt]) <= v.max_drive_min:
                return True
    return False


class _Reach:
    """The drive-in/drive-back test of `_allowed` for every vehicle of a part at once (numpy over
    vehicles): which vehicles may go to a site and their minutes there and back."""

    def __init__(self, c: Compiled, vehicles: list[Vehicle], points: list[int], legs: dict[tuple[str, int, str], np.ndarray]):
        self.c = c
        rows: dict[tuple[str, int, str], int] = {}
        go_idx: list[int] = []
        back_idx: list[int] = []
        for v in vehicles:
            vehicle = str(c.scenario.teams[v.team].vehicle)
            for way, node, idx in (("go", v.start_node, go_idx), ("back", v.end_node, back_idx)):
                idx.append(rows.setdefault((vehicle, points[node], way), len(rows)))
        self.legs = np.stack([np.asarray(legs[k], dtype=np.int64) for k in rows]) if rows else np.zeros((0, 0), np.int64)
        self.go_idx, self.back_idx = np.array(go_idx, dtype=np.int64), np.array(back_idx, dtype=np.int64)
        self.team = np.array([v.team for v in vehicles], dtype=np.int64)
        self.day = np.array([v.day for v in vehicles], dtype=np.int64)
        self.max_drive = np.array([v.max_drive_min for v in vehicles], dtype=np.int64)

    def drives(self, s: int, first_day: int = 0) -> list[tuple[int, int, int]]:
        """(vehicle, minutes there, minutes back) for the vehicles from `first_day` on that are
        compatible with site `s` and can drive there and back within their limit, in vehicle order."""
        if not len(self.team):
            return []
        pt = self.c.site_point(s)
        go, back = self.legs[self.go_idx, pt], self.legs[self.back_idx, pt]
        ok = self.c.compatible[self.team, s] & (self.day >= first_day) & (go + back <= self.max_drive)
        return [(int(vi), int(go[vi]), int(back[vi])) for vi in np.nonzero(ok)[0]]


def _allowed(c: Compiled, s: int, people: int, vehicles: list[Vehicle | None], points: list[int],
             legs: dict[tuple[str, int, str], np.ndarray] | None = None,
             drives: list[tuple[int, int, int]] | None = None) -> tuple[list[int], list[tuple[int, int]]]:
    """Vehicles that can make this visit (reach, record and get back in time) and its start windows.
    `drives`: `_Reach.drives` for these vehicles (None = tested here, vehicle by vehicle)."""
    allowed: list[int] = []
    per_day: dict[int, list[Any]] = {}  # day → [longest service, latest shift end, breaks]
    if drives is None:
        drives = _drives(c, s, vehicles, points, legs)
    for vi, go, back in drives:
        v = vehicles[vi]
        assert v is not None
        svc = service_minutes(people, v.kits, v.rate_per_kit_hour, v.setup_min)
        earliest, latest_end = v.work_start + go, v.work_end - back
        if any(max(earliest, w0) + svc <= min(w1, latest_end) for w0, w1 in c.windows[s][v.day]):
            allowed.append(vi)
            day = per_day.setdefault(v.day, [0, 0, set()])
            day[0], day[1] = max(day[0], svc), max(day[1], v.work_end)
            day[2].update(v.breaks)
    return allowed, _start_windows(c.windows[s], per_day, c.scenario.visits.record_across_breaks)


def _drives(c: Compiled, s: int, vehicles: list[Vehicle | None], points: list[int],
            legs: dict[tuple[str, int, str], np.ndarray] | None) -> list[tuple[int, int, int]]:
    """`_Reach.drives` one vehicle at a time (None: not offered)."""
    site_pt = c.site_point(s)
    legs = _legs(c, [v for v in vehicles if v is not None], points) if legs is None else legs
    out = []
    for vi, v in enumerate(vehicles):
        if v is None or not c.compatible[v.team, s]:
            continue
        vehicle = str(c.scenario.teams[v.team].vehicle)
        go = int(legs[(vehicle, points[v.start_node], "go")][site_pt])
        back = int(legs[(vehicle, points[v.end_node], "back")][site_pt])
        if go + back <= v.max_drive_min:
            out.append((vi, go, back))
    return out


def visit_start_windows(c: Compiled, s: int, people: int, vehicles: list[Vehicle | None], points: list[int]) -> list[tuple[int, int]]:
    """Start windows of a visit of `people` at site `s` for these vehicles (None: not offered), as
    `build_instance` sets them; for a visit resized after the instance was built."""
    return _allowed(c, s, people, vehicles, points)[1]


def _start_windows(site_windows: list[tuple[tuple[int, int], ...]], per_day: dict[int, list[Any]], across: bool = False) -> list[tuple[int, int]]:
    """Allowed start times: a window's end binds only where the site closes before the shift ends.

    Where it binds and visits may go on across breaks (`VisitRules.record_across_breaks`), the visit
    must also leave room for the breaks inside the window: it may span them.
    """
    out = []
    for day, (max_svc, max_end, breaks) in per_day.items():
        for w0, w1 in site_windows[day]:
            paused = sum(b1 - b0 for b0, b1 in breaks if b0 < w1 and b1 > w0) if across else 0
            hi = w1 if w1 >= max_end else w1 - max_svc - paused
            if hi >= w0:
                out.append((w0, hi))
    return out
