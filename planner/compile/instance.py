"""Compile a `Scenario` once into arrays: travel matrices, team-days, compatibility, reachability.

Times in compiled arrays are absolute minutes from 00:00 of the first horizon day
(day index × 1440 + clock minutes), so one time axis spans the week.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from planner import units
from planner.compile.capacity import most_in_one_visit, service_minutes, team_day_capacity, visit_sizes, working_days
from planner.model import Scenario, Site, Team, TimeWindow, VehicleProfile
from planner.plan import LeftOutReason
from planner.compile.crossings import with_crossings
from planner.compile.table import TravelTable
from planner.compile.travel import UNREACHABLE_MIN, Points, TravelProvider, provider_for, whole_minutes

DAY = units.DAY_MINUTES
Matrix = np.ndarray | TravelTable  # point × point, read by indexing: dense, or computed on demand


@dataclass(frozen=True)
class WorkDay:
    """One day a team can be dispatched (it works that weekday and has a working kit); the plan's `planner.plan.TeamDay` is what it does that day."""

    team: int
    day: int
    date: dt.date
    kits: int
    work_start: int  # absolute minutes
    work_end: int
    breaks: tuple[tuple[int, int], ...]  # absolute [start, end)
    capacity: int  # people, if it never drove


@dataclass(frozen=True)
class Compiled:
    """The scenario as arrays. Site i is point `n_teams + i`; team t's base is point t.

    Frozen, its matrices read-only: a step that needs other data makes a new one (`dataclasses.replace`)."""

    scenario: Scenario
    dates: list[dt.date]
    point_ids: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    # point × point, read as numpy arrays: int32 whole minutes and float32 km, dense or on demand (TravelTable)
    duration: dict[VehicleProfile, Matrix]
    distance: dict[VehicleProfile, Matrix]
    weight: np.ndarray  # value of one person per site
    sizes: list[list[int]]  # expected people per visit, per site
    compatible: np.ndarray  # bool team × site: requirements, vehicle and ownership
    team_days: list[WorkDay]
    windows: list[list[tuple[tuple[int, int], ...]]]  # per site, per day: absolute opening windows
    # per day index with closures: point pairs (both directions) whose direct link is closed that day
    closed: dict[int, frozenset[tuple[int, int]]] = field(default_factory=dict)
    _day_duration: dict[tuple[VehicleProfile, int], Matrix] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for m in (self.lat, self.lon, self.weight, self.compatible, *self.duration.values(), *self.distance.values()):
            if isinstance(m, np.ndarray):  # a TravelTable is read-only by make
                m.setflags(write=False)

    def duration_on(self, profile: VehicleProfile, day: int) -> Matrix:
        """Whole minutes point × point for `profile` on day `day`, closed links impossible
        (`UNREACHABLE_MIN`): the one place `Scenario.closed_links` becomes travel for every solver path."""
        pairs = self.closed.get(day)
        if not pairs:
            return self.duration[profile]
        key = (profile, day)
        full = self.duration[profile]
        if key not in self._day_duration and isinstance(full, TravelTable):
            self._day_duration[key] = full.with_closed(pairs)
        if key not in self._day_duration and isinstance(full, np.ndarray):
            m = full.copy()
            a, b = np.array(sorted(pairs), dtype=np.int64).T
            m[a, b] = UNREACHABLE_MIN
            m.setflags(write=False)
            self._day_duration[key] = m
        return self._day_duration[key]

    def duration_any_day(self, profile: VehicleProfile) -> Matrix:
        """Whole minutes with every link closed on some day of the week impossible (for choices that
        span days, such as an overnight trip's lodging)."""
        if not self.closed:
            return self.duration[profile]
        full = self.duration[profile]
        if isinstance(full, TravelTable):
            return full.with_closed(frozenset().union(*self.closed.values()))
        m = full.copy()
        for pairs in self.closed.values():
            a, b = np.array(sorted(pairs), dtype=np.int64).T
            m[a, b] = UNREACHABLE_MIN
        return m

    def profile_key(self, profile: VehicleProfile, day: int) -> str:
        """The name of a part instance's matrix for `profile` on `day` (its own name on days with closures)."""
        return f"{profile}@{day}" if self.closed.get(day) else str(profile)

    @property
    def n_teams(self) -> int:
        return len(self.scenario.teams)

    def site_point(self, site: int) -> int:
        return self.n_teams + site


def compile_scenario(scenario: Scenario, provider: TravelProvider | None = None) -> Compiled:
    """Turn the validated scenario into the arrays the solver, the bound and the reasons use."""
    if provider is None:
        base = Path(scenario.source_dir) if scenario.source_dir else None
        provider = provider_for(scenario.travel, base)
    provider = with_crossings(provider, scenario)
    points = scenario_points(scenario)
    profiles = sorted({t.vehicle for t in scenario.teams})
    duration, distance = travel_tables(provider, points, profiles)
    dates = scenario.horizon.dates
    no_kit = scenario.districts_without_fixed_kit()
    compatible = _compatibility(scenario)
    return Compiled(
        scenario=scenario,
        dates=dates,
        point_ids=points.ids,
        lat=points.lat,
        lon=points.lon,
        duration=duration,
        distance=distance,
        weight=np.array([scenario.site_weight(s, no_kit) for s in scenario.sites], dtype=float),
        sizes=_sizes(scenario, compatible, dates),
        compatible=compatible,
        team_days=_team_days(scenario, dates),
        windows=[[_abs_windows(s.windows_on(d), i) for i, d in enumerate(dates)] for s in scenario.sites],
        closed=closed_point_pairs(scenario, points.ids, dates),
    )


def travel_tables(
    provider: TravelProvider, points: Points, profiles: list[VehicleProfile]
) -> tuple[dict[VehicleProfile, Matrix], dict[VehicleProfile, Matrix]]:
    """Minutes and km per profile: computed on demand when the provider's figures for a pair depend on
    its two ends alone (`planner.compile.table`), else dense matrices (int32 minutes, float32 km:
    half the memory of the provider's float64, same whole minutes), checked against memory first."""
    duration: dict[VehicleProfile, Matrix] = {}
    distance: dict[VehicleProfile, Matrix] = {}
    pair_table = getattr(provider, "pair_table", None)
    tables = {p: pair_table(points, p) for p in profiles} if pair_table is not None else {}
    if profiles and all(t is not None for t in tables.values()) and len(tables) == len(profiles):
        for p in profiles:
            duration[p] = TravelTable(len(points), tables[p], "min")
            distance[p] = TravelTable(len(points), tables[p], "km")
        return duration, distance
    check_memory(len(points), len(profiles))
    for p in profiles:
        m = provider.matrices(points, p)
        duration[p] = whole_minutes(m.duration_min, np.int32)
        distance[p] = m.distance_km.astype(np.float32)
        del m
    return duration, distance


class MemoryLimitError(RuntimeError):
    """The dense travel matrices of a scenario would not fit the memory this process may use."""


MATRIX_BYTES_PER_ENTRY = 8 + 16  # kept int32 minutes + float32 km; the provider's float64 pair while built
MEMORY_SHARE = 0.8  # of the limit: the rest is the interpreter, the parts' models, the plan


def matrix_bytes(points: int, profiles: int) -> int:
    """Peak bytes of the travel matrices while compiling: every profile kept, the last being built."""
    return points * points * (profiles * 8 + 16)


def check_memory(points: int, profiles: int, limit_mb: int | None = None) -> None:
    """Fail at once, with the figures, when the matrices would exceed `limit_mb` (default: the
    `JEMPUT_MEMORY_MB` environment variable, else the machine's available memory)."""
    limit = limit_mb if limit_mb is not None else memory_limit_mb()
    need = matrix_bytes(points, profiles) / 2**20
    if limit and need > MEMORY_SHARE * limit:
        raise MemoryLimitError(
            f"{points} places × {profiles} vehicle profiles need about {need:,.0f} MB of travel matrices, "
            f"more than {MEMORY_SHARE:.0%} of the {limit:,} MB this process may use: split the province "
            f"(one scenario per group of regencies) or give more memory (JEMPUT_MEMORY_MB)"
        )


def memory_limit_mb() -> int | None:
    """JEMPUT_MEMORY_MB if set, else the memory the machine has available now (None if unknown); never
    more than this process's address-space cap (RLIMIT_AS: `ulimit -v`, the API's JEMPUT_SOLVE_MEMORY_MB)."""
    env = os.environ.get("JEMPUT_MEMORY_MB", "").strip()
    if env.isdigit():
        return int(env)
    limits = []
    try:
        limits.append(int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20))
    except (ValueError, OSError, AttributeError):
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limits.append(soft // 2**20)
    except (ImportError, ValueError, OSError):
        pass
    return min(limits) if limits else None


def closed_point_pairs(
    scenario: Scenario, point_ids: tuple[str, ...], dates: list[dt.date]
) -> dict[int, frozenset[tuple[int, int]]]:
    """Per day index: the matrix point pairs (both directions) of the links closed that date."""
    point = {pid: i for i, pid in enumerate(point_ids)}
    out: dict[int, frozenset[tuple[int, int]]] = {}
    for i, day in enumerate(dates):
        pairs = frozenset((point[a], point[b]) for a, b in scenario.closed_pairs_on(day))
        if pairs:
            out[i] = pairs
    return out


def scenario_points(scenario: Scenario) -> Points:
    """Every place of the scenario in matrix order: team bases first, then sites."""
    ids = tuple(f"base:{t.id}" for t in scenario.teams) + tuple(s.id for s in scenario.sites)
    lat = np.array([t.base_lat for t in scenario.teams] + [s.lat for s in scenario.sites], dtype=float)
    lon = np.array([t.base_lon for t in scenario.teams] + [s.lon for s in scenario.sites], dtype=float)
    return Points(ids=ids, lat=lat, lon=lon)


def _sizes(scenario: Scenario, compatible: np.ndarray, dates: list[dt.date]) -> list[list[int]]:
    """People per visit for every site, capped by what its compatible teams can do in one window."""
    out = []
    days_of = [working_days(t, dates) for t in scenario.teams]
    for s, site in enumerate(scenario.sites):
        idx = np.nonzero(compatible[:, s])[0]
        fits = most_in_one_visit(site, [scenario.teams[t] for t in idx], dates, [days_of[t] for t in idx])
        out.append(visit_sizes(site, scenario.visits, fits) if fits and fits > 0 else [])
    return out


def owns(team_regency: str, site_regency: str) -> bool:
    """A regency team serves its own regency; a provincial team (no regency) serves any site."""
    return not team_regency or team_regency == site_regency


GAP_REASON = {  # Site.skill_kind → the reason a site is left out for a missing skill of that kind
    "generator": LeftOutReason.needs_generator,
    "clearance": LeftOutReason.needs_clearance,
    "vehicle": LeftOutReason.needs_vehicle,
    "skill": LeftOutReason.needs_skill,
}


def requirement_gaps(team: Team, site: Site) -> list[LeftOutReason]:
    """What keeps `team` from working at `site`: the kinds of the site's required skills the team does
    not offer (generator, clearance, vehicle, skill, in that order); empty when it may go."""
    missing = site.required_skills - team.offered_skills
    kinds = {site.skill_kind(s) for s in missing}
    return [reason for kind, reason in GAP_REASON.items() if kind in kinds]


def _compatibility(scenario: Scenario) -> np.ndarray:
    """Team × site: the team's office covers the site and it offers every skill the site needs."""
    offered = [t.offered_skills for t in scenario.teams]
    comp = np.zeros((len(scenario.teams), len(scenario.sites)), dtype=bool)
    for s, site in enumerate(scenario.sites):
        needed = site.required_skills
        for t, team in enumerate(scenario.teams):
            comp[t, s] = owns(team.regency_code, site.regency_code) and needed <= offered[t]
    return comp


def _team_days(scenario: Scenario, dates: list[dt.date]) -> list[WorkDay]:
    out = []
    for t, team in enumerate(scenario.teams):
        for i, d in enumerate(dates):
            shift, kits = team.shift_on(d), team.working_kits(d)
            if shift is None or kits == 0:
                continue
            off = i * DAY
            out.append(
                WorkDay(
                    team=t,
                    day=i,
                    date=d,
                    kits=kits,
                    work_start=off + shift.work.start,
                    work_end=off + shift.work.end,
                    breaks=tuple((off + b.start, off + b.end) for b in shift.breaks),
                    capacity=team_day_capacity(team, d),
                )
            )
    return out


def _abs_windows(windows: Iterable[TimeWindow], day: int) -> tuple[tuple[int, int], ...]:
    return tuple((day * DAY + w.start, day * DAY + w.end) for w in windows)


def day_reach(c: Compiled, td: WorkDay, start_point: int, end_point: int) -> np.ndarray:
    """Sites the team-day could visit alone on a trip start→site→end (bool per site).

    Checks compatibility, opening that day, the drive limit and that the smallest visit fits in
    a window between the earliest arrival and the latest departure. Breaks are ignored, so this
    is a relaxation: a site outside it is certainly out of reach.
    """
    team = c.scenario.teams[td.team]
    dur = c.duration[team.vehicle]
    sites = np.arange(len(c.scenario.sites))
    go = dur[start_point, c.n_teams + sites]
    back = dur[c.n_teams + sites, end_point]
    ok = c.compatible[td.team] & (go + back <= team.max_drive_min)
    reach = np.zeros(len(sites), dtype=bool)
    for s in np.nonzero(ok)[0]:
        if not c.sizes[s]:
            continue
        svc = service_minutes(c.sizes[s][-1], td.kits, team.rate_per_kit_hour, team.setup_min)
        for w0, w1 in c.windows[s][td.day]:
            begin = max(td.work_start + go[s], w0)
            if begin + svc <= min(w1, td.work_end - back[s]):
                reach[s] = True
                break
    return reach
