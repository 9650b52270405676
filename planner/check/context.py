"""What the validator derives from the Scenario before checking: look-ups by id, whole-minute and km
matrices per vehicle profile, closed links as matrix point pairs, and a team-day's legs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.compile.crossings import with_crossings
from planner.compile.travel import Points, TravelProvider, whole_minutes
from planner.model import Scenario, Site, Team, VehicleProfile
from planner.plan import Place, Plan, Stop, TeamDay


@dataclass(frozen=True)
class Ctx:
    """The scenario looked up by id, with whole-minute and km matrices per vehicle profile."""

    scenario: Scenario
    sites: dict[str, Site]
    teams: dict[str, Team]
    point: dict[str, int]
    minutes: dict[VehicleProfile, np.ndarray]
    km: dict[VehicleProfile, np.ndarray]
    weight: dict[str, float]
    closed: dict[dt.date, set[tuple[int, int]]]  # per date: matrix point pairs whose direct link is closed


@dataclass(frozen=True)
class Leg:
    """One drive of a team-day: from a place or stop to the next stop or the end place."""

    src: int | None  # matrix point, None if unknown
    dst: int | None
    stop: Stop | None  # the stop driven to; None for the drive to the end place
    depart: int  # when the team leaves: depart_min or the previous stop's end_min
    reported_min: int
    reported_km: float


def build_context(scenario: Scenario, plan: Plan, provider: TravelProvider) -> Ctx:
    """Look-ups and matrices for the vehicle profiles of the teams the plan uses (bound to the islands)."""
    travel = with_crossings(provider, scenario)
    teams = scenario.team_by_id()
    places = [(f"base:{t.id}", t.base_lat, t.base_lon) for t in scenario.teams] + [(s.id, s.lat, s.lon) for s in scenario.sites]
    if getattr(travel, "per_pair", False):  # a routing server's cache is keyed by whole blocks, crossings route via ports: keep them whole
        used = _used_places(scenario, plan)
        places = [p for p in places if p[0] in used]
    ids = tuple(p[0] for p in places)
    points = Points(ids=ids, lat=np.array([p[1] for p in places], dtype=float), lon=np.array([p[2] for p in places], dtype=float))
    profiles = sorted({teams[td.team_id].vehicle for td in plan.team_days if td.team_id in teams})
    minutes, km = {}, {}
    for p in profiles:
        m = travel.matrices(points, p)
        minutes[p] = whole_minutes(m.duration_min)
        km[p] = np.asarray(m.distance_km, dtype=float)
    no_kit = scenario.districts_without_fixed_kit()
    return Ctx(
        scenario=scenario,
        sites=scenario.site_by_id(),
        teams=teams,
        point={pid: i for i, pid in enumerate(ids)},
        minutes=minutes,
        km=km,
        weight={s.id: scenario.site_weight(s, no_kit) for s in scenario.sites},
        closed=_closed_points(scenario, {pid: i for i, pid in enumerate(ids)}),
    )


def _used_places(scenario: Scenario, plan: Plan) -> set[str]:
    """Point ids the plan's legs and the closed links can touch: the matrices are built over these
    only (a leg's minutes depend on its two ends alone), so verifying scales with the plan, not the
    province."""
    used = {f"base:{td.team_id}" for td in plan.team_days}
    for td in plan.team_days:
        used |= {p.site_id for p in (td.start_place, td.end_place) if p.site_id}
        used |= {s.site_id for s in td.stops}
    for link in scenario.closed_links:
        used |= {link.a, link.b}
    return used


def _closed_points(scenario: Scenario, point: dict[str, int]) -> dict[dt.date, set[tuple[int, int]]]:
    """Matrix point pairs (both directions) of every closed link, per date."""
    out: dict[dt.date, set[tuple[int, int]]] = defaultdict(set)
    for link in scenario.closed_links:
        if link.a not in point or link.b not in point:
            continue
        a, b = point[link.a], point[link.b]
        for day in link.dates:
            out[day] |= {(a, b), (b, a)}
    return out


def place_point(ctx: Ctx, place: Place, team: Team) -> int | None:
    """Matrix point of a place: the team's base, or the lodging site (None if unknown)."""
    key = f"base:{team.id}" if place.kind == "base" else (place.site_id or "")
    return ctx.point.get(key)


def legs_of(ctx: Ctx, td: TeamDay, team: Team) -> list[Leg]:
    """The day's drives in order: start place → stops → end place."""
    points = [place_point(ctx, td.start_place, team)]
    points += [ctx.point.get(s.site_id) if s.site_id in ctx.sites else None for s in td.stops]
    points.append(place_point(ctx, td.end_place, team))
    departs = [td.depart_min] + [s.end_min for s in td.stops]
    legs = [
        Leg(points[k], points[k + 1], stop, departs[k], stop.travel_min, stop.travel_km)
        for k, stop in enumerate(td.stops)
    ]
    legs.append(Leg(points[-2], points[-1], None, departs[-1], td.return_travel_min, td.return_travel_km))
    return legs


def leg_matrix(ctx: Ctx, team: Team, leg: Leg) -> tuple[int, float] | None:
    """(whole minutes, km) of a leg from the matrices, None if an end is unknown."""
    if leg.src is None or leg.dst is None:
        return None
    return int(ctx.minutes[team.vehicle][leg.src, leg.dst]), float(ctx.km[team.vehicle][leg.src, leg.dst])
