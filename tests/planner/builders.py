"""Hand-built fixtures shared by the validator and solver tests: a tiny scenario, a fixed travel
table with its provider, and a valid plan for that scenario (every number worked out by hand).

The tiny week (Mon 2026-11-23 .. Sat 2026-11-28), all sites in regency 15.71:

* t1, provincial team, car, generator, prison clearance, rate 30/kit-hour; kit k1b is in repair
  until Tue, so 1 working kit Mon–Tue and 2 from Wed.
* t2, regency 15.71 team, car, no generator, rate 20/kit-hour, 1 working kit (k2b broken),
  may stay out one night.
* v1 village (200 unrecorded), lp1 prison (60, 09:00–12:00 Mon–Fri), v2 village without
  electricity in a district whose fixed kit is broken (weight 1.5), v3 river village (needs a boat).

The plan: Mon t1 base→lp1→v2→base (waits over the midday break), Wed t1 base→v1→base,
Thu t2 base→v1 (visit 2)→lodging v1, Fri t2 lodging v1→v1 (visit 3)→base; v3 left out.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from planner.compile.capacity import team_day_capacity
from planner.model import (
    Access,
    DistrictOffice,
    Horizon,
    Kit,
    KitStatus,
    Scenario,
    Shift,
    Site,
    SiteKind,
    Team,
    TimeWindow,
    VehicleProfile,
    Weekday,
    parse_clock,
)
from planner.plan import (
    GroupKpi,
    Kpis,
    LeftOut,
    LeftOutReason,
    Place,
    Plan,
    SolveInfo,
    Stop,
    TeamDay,
    TeamDayKpi,
)
from planner.compile.travel import Matrices, Points

START = dt.date(2026, 11, 23)  # a Monday
MON, TUE, WED, THU, FRI, SAT = (START + dt.timedelta(days=i) for i in range(6))
REGENCY = "15.71"
WORKDAYS = (Weekday.mon, Weekday.tue, Weekday.wed, Weekday.thu, Weekday.fri, Weekday.sat)

# Symmetric travel (minutes, km) between every pair of points of the tiny scenario; fractional
# minutes are rounded up by whole_minutes (24.3 → 25).
TRAVEL: dict[tuple[str, str], tuple[float, float]] = {
    ("base:t1", "base:t2"): (40.0, 26.7),
    ("base:t1", "v1"): (24.3, 16.2),
    ("base:t1", "lp1"): (18.0, 12.0),
    ("base:t1", "v2"): (40.2, 26.8),
    ("base:t1", "v3"): (90.0, 60.0),
    ("base:t2", "v1"): (30.0, 20.0),
    ("base:t2", "lp1"): (55.0, 36.7),
    ("base:t2", "v2"): (20.4, 13.6),
    ("base:t2", "v3"): (50.0, 33.3),
    ("v1", "lp1"): (21.6, 14.4),
    ("v1", "v2"): (15.0, 10.0),
    ("v1", "v3"): (70.0, 46.7),
    ("lp1", "v2"): (44.1, 29.4),
    ("lp1", "v3"): (100.0, 66.7),
    ("v2", "v3"): (60.0, 40.0),
}


def clock(text: str) -> int:
    """Minutes after midnight of "HH:MM" (readable times in tests)."""
    return parse_clock(text)


# --------------------------------------------------------------------------------------------
# Travel
# --------------------------------------------------------------------------------------------


class TableProvider:
    """A `TravelProvider` returning fixed matrices from a pair table, the same for every profile
    unless `factor` scales a profile's minutes; counts its calls."""

    def __init__(self, table: dict[tuple[str, str], tuple[float, float]] | None = None,
                 factor: dict[str, float] | None = None):
        self.table = dict(TRAVEL if table is None else table)
        self.factor = dict(factor or {})
        self.calls: list[str] = []

    def lookup(self, a: str, b: str) -> tuple[float, float]:
        """(minutes, km) from a to b, either direction of the table; 0 for the same point."""
        if a == b:
            return 0.0, 0.0
        if (a, b) in self.table:
            return self.table[(a, b)]
        if (b, a) in self.table:
            return self.table[(b, a)]
        raise KeyError(f"TableProvider has no travel between {a} and {b}")

    def matrices(self, points: Points, profile: VehicleProfile) -> Matrices:
        """Matrices over `points` from the table (minutes scaled by the profile's factor)."""
        self.calls.append(str(profile))
        n = len(points.ids)
        dur, dist = np.zeros((n, n)), np.zeros((n, n))
        for i, a in enumerate(points.ids):
            for j, b in enumerate(points.ids):
                dur[i, j], dist[i, j] = self.lookup(a, b)
        return Matrices(distance_km=dist, duration_min=dur * self.factor.get(str(profile), 1.0))


def tiny_provider() -> TableProvider:
    """The travel provider of the tiny scenario."""
    return TableProvider()


def leg(a: str, b: str, provider: TableProvider | None = None) -> tuple[int, float]:
    """(whole minutes, km) of one leg, by the ceil rule, from the tiny travel table."""
    minutes, km = (provider or tiny_provider()).lookup(a, b)
    return math.ceil(minutes), km


# --------------------------------------------------------------------------------------------
# Scenario
# --------------------------------------------------------------------------------------------


def default_shifts() -> dict[Weekday, Shift]:
    """units' default week: Mon–Thu 08–16 (break 12–13), Fri 08–16:30 (prayer 11:30–13:30), Sat 08–12."""
    day = Shift(work=TimeWindow.parse("08:00-16:00"), breaks=(TimeWindow.parse("12:00-13:00"),))
    return {
        Weekday.mon: day,
        Weekday.tue: day,
        Weekday.wed: day,
        Weekday.thu: day,
        Weekday.fri: Shift(work=TimeWindow.parse("08:00-16:30"), breaks=(TimeWindow.parse("11:30-13:30"),)),
        Weekday.sat: Shift(work=TimeWindow.parse("08:00-12:00")),
    }


def hours(text: str, days: tuple[Weekday, ...] = WORKDAYS) -> dict[Weekday, tuple[TimeWindow, ...]]:
    """The same opening windows ("08:00-12:00;13:00-15:00") on each of `days`."""
    windows = tuple(TimeWindow.parse(w) for w in text.split(";"))
    return {d: windows for d in days}


def site(id: str, kind: SiteKind, lat: float, lon: float, unrecorded: int, turnout: float, **extra: Any) -> Site:
    """A site of regency 15.71, open 08:00–16:00 Mon–Sat unless `hours` is given."""
    fields: dict[str, Any] = {"hours": hours("08:00-16:00"), "regency_code": REGENCY, **extra}
    return Site(id=id, name=f"Site {id}", kind=kind, lat=lat, lon=lon, unrecorded=unrecorded, turnout=turnout, **fields)


def tiny_sites() -> tuple[Site, ...]:
    """v1 village, lp1 prison, v2 village without electricity, v3 river village."""
    return (
        site("v1", SiteKind.village, -1.65, 103.55, 200, 0.35, district_code="15.71.01"),
        site("lp1", SiteKind.prison, -1.58, 103.65, 60, 0.9, clearance="prison", district_code="15.71.01",
             hours=hours("09:00-12:00", WORKDAYS[:5])),
        site("v2", SiteKind.village, -1.75, 103.50, 40, 0.5, electricity=False, district_code="15.71.02"),
        site("v3", SiteKind.village, -1.90, 103.30, 80, 0.35, access=Access.river, district_code="15.71.02"),
    )


def tiny_teams() -> tuple[Team, ...]:
    """t1 (provincial, generator, prison clearance) and t2 (regency 15.71, may stay out one night)."""
    t1 = Team(
        id="t1", name="Tim Provinsi", base_name="Dukcapil Provinsi", base_lat=-1.60, base_lon=103.60,
        kits=(Kit(id="k1a"), Kit(id="k1b", status=KitStatus.in_repair, repair_until=TUE)),
        rate_per_kit_hour=30, setup_min=20, generator=True, clearances=frozenset({"prison"}),
        shifts=default_shifts(),
    )
    t2 = Team(
        id="t2", name="Tim Kota", regency_code=REGENCY, base_name="Dukcapil Kota", base_lat=-1.70, base_lon=103.40,
        kits=(Kit(id="k2a"), Kit(id="k2b", status=KitStatus.broken)),
        rate_per_kit_hour=20, setup_min=20, max_nights_out=1, shifts=default_shifts(),
    )
    return t1, t2


def tiny_scenario(**update: Any) -> Scenario:
    """The tiny week; keyword arguments replace top-level Scenario fields."""
    fields: dict[str, Any] = {
        "name": "tiny week",
        "horizon": Horizon(start=START, days=6),
        "sites": tiny_sites(),
        "teams": tiny_teams(),
        "district_offices": (
            DistrictOffice(district_code="15.71.01", fixed_kit_working=True),
            DistrictOffice(district_code="15.71.02", fixed_kit_working=False),
        ),
        **update,
    }
    return Scenario(**fields)


def with_team(scenario: Scenario, team_id: str, **update: Any) -> Scenario:
    """The scenario with some fields of one team replaced (validated again)."""
    teams = tuple(t.model_copy(update=update) if t.id == team_id else t for t in scenario.teams)
    return Scenario.model_validate({**_shallow(scenario), "teams": teams})


def with_site(scenario: Scenario, site_id: str, **update: Any) -> Scenario:
    """The scenario with some fields of one site replaced (validated again)."""
    sites = tuple(s.model_copy(update=update) if s.id == site_id else s for s in scenario.sites)
    return Scenario.model_validate({**_shallow(scenario), "sites": sites})


def _shallow(model: Any) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


# --------------------------------------------------------------------------------------------
# Plan pieces
# --------------------------------------------------------------------------------------------


def base_place(team: Team) -> Place:
    return Place(kind="base", name=team.base_name or team.name, lat=team.base_lat, lon=team.base_lon)


def lodging_place(s: Site) -> Place:
    return Place(kind="lodging", site_id=s.id, name=s.name, lat=s.lat, lon=s.lon)


def stop(site_id: str, visit: int, arrival: str, start: str, end: str, travel: tuple[int, float],
         people: int, weight: float) -> Stop:
    """A stop with clock times as "HH:MM" and travel as (minutes, km)."""
    return Stop(
        site_id=site_id, visit=visit, arrival_min=clock(arrival), start_min=clock(start), end_min=clock(end),
        travel_min=travel[0], travel_km=travel[1], people=people, value=round(people * weight, 6),
    )


def capacity(team: Team, day: dt.date) -> int:
    """Working kits × rate × shift minutes outside breaks ÷ 60, floored (the planner's own rule)."""
    return team_day_capacity(team, day)


def team_day(team: Team, day: dt.date, start: Place, end: Place, depart: str, back: str,
             stops: list[Stop], back_travel: tuple[int, float]) -> TeamDay:
    """A team-day whose totals (travel, recordings, kits, capacity) are summed from its parts."""
    return TeamDay(
        team_id=team.id, date=day, working_kits=team.working_kits(day), start_place=start, end_place=end,
        depart_min=clock(depart), return_min=clock(back), stops=stops,
        return_travel_min=back_travel[0], return_travel_km=back_travel[1],
        travel_min=sum(s.travel_min for s in stops) + back_travel[0],
        travel_km=round(sum(s.travel_km for s in stops) + back_travel[1], 3),
        recordings=sum(s.people for s in stops), capacity=capacity(team, day),
    )


def left_out_for(scenario: Scenario, team_days: list[TeamDay],
                 reason: LeftOutReason = LeftOutReason.lower_value) -> list[LeftOut]:
    """Every unvisited site, with `reason` (tests that care about reasons set them)."""
    served = {s.site_id for td in team_days for s in td.stops}
    return [
        LeftOut(site_id=s.id, reason=reason, detail="left out", unrecorded=s.unrecorded,
                remaining_after_plan=s.unrecorded)
        for s in scenario.sites
        if s.id not in served
    ]


def kpis_for(scenario: Scenario, team_days: list[TeamDay], left_out: list[LeftOut], upper_bound: int) -> Kpis:
    """Key figures summed from the team-days (plain sums, written independently of planner.check.kpis)."""
    stops = [s for td in team_days for s in td.stops]
    total = sum(s.people for s in stops)
    unrecorded = sum(s.unrecorded for s in scenario.sites)
    by_site: dict[str, int] = {}
    for s in stops:
        by_site[s.site_id] = by_site.get(s.site_id, 0) + s.people
    return Kpis(
        expected_recordings=total,
        upper_bound=upper_bound,
        gap_to_bound=round(1 - total / upper_bound, 4) if upper_bound else 0.0,
        weighted_value=round(sum(s.value for s in stops), 3),
        total_unrecorded=unrecorded,
        share_of_unrecorded=round(total / unrecorded, 4) if unrecorded else 0.0,
        sites_served=len(by_site),
        sites_left_out=len(left_out),
        visits=len(stops),
        travel_hours=round(sum(td.travel_min for td in team_days) / 60, 2),
        travel_km=round(sum(td.travel_km for td in team_days), 1),
        by_regency={REGENCY: GroupKpi(unrecorded=unrecorded, expected_recordings=total,
                                      share=round(total / unrecorded, 4) if unrecorded else 0.0)},
        by_kind={},
        kit_utilisation=[
            TeamDayKpi(team_id=td.team_id, date=td.date,
                       kit_utilisation=round(td.recordings / td.capacity, 4) if td.capacity else 0.0)
            for td in team_days
        ],
    )


def plan_of(scenario: Scenario, team_days: list[TeamDay], upper_bound: int = 300,
            reason: LeftOutReason = LeftOutReason.lower_value) -> Plan:
    """A Plan around the given team-days: left-out sites and KPIs summed from them."""
    left = left_out_for(scenario, team_days, reason)
    return Plan(
        scenario_name=scenario.name,
        horizon_start=scenario.horizon.start,
        horizon_days=scenario.horizon.days,
        kpis=kpis_for(scenario, team_days, left, upper_bound),
        team_days=team_days,
        left_out=left,
        solve=SolveInfo(seed=0, time_limit_s=0.0, wall_s=0.0, parts=0, status="hand-built"),
    )


# --------------------------------------------------------------------------------------------
# The valid plan of the tiny week
# --------------------------------------------------------------------------------------------


def tiny_team_days(scenario: Scenario | None = None) -> list[TeamDay]:
    """The four team-days of the valid tiny plan (times and people worked out in the comments)."""
    sc = scenario or tiny_scenario()
    t1, t2 = sc.team_by_id()["t1"], sc.team_by_id()["t2"]
    v1 = sc.site_by_id()["v1"]
    return [
        # Mon, 1 kit at 30/h: lp1 54 people (60 × 0.9) take 20 + 108 = 128 min from 09:00 (prison opens);
        # drive 45 min to v2 (44.1 ↑), arrive 11:53, wait over the 12–13 break; 20 people take 60 min.
        team_day(t1, MON, base_place(t1), base_place(t1), "08:00", "14:41", [
            stop("lp1", 1, "08:18", "09:00", "11:08", leg("base:t1", "lp1"), 54, 1.5),
            stop("v2", 1, "11:53", "13:00", "14:00", leg("lp1", "v2"), 20, 1.5),  # village × no-fixed-kit 1.5
        ], leg("v2", "base:t1")),
        # Wed, 2 kits: v1 70 people (200 × 0.35) take 20 + 70 = 90 min; 24.3 min of driving is 25.
        team_day(t1, WED, base_place(t1), base_place(t1), "08:00", "10:20", [
            stop("v1", 1, "08:25", "08:25", "09:55", leg("base:t1", "v1"), 70, 1.0),
        ], leg("v1", "base:t1")),
        # Thu, 1 kit at 20/h: v1 visit 2 draws 0.35 × 0.6 × 130 = 27.3 → 27 people, 20 + 81 = 101 min;
        # the team sleeps at v1.
        team_day(t2, THU, base_place(t2), lodging_place(v1), "08:00", "10:11", [
            stop("v1", 2, "08:30", "08:30", "10:11", leg("base:t2", "v1"), 27, 1.0),
        ], (0, 0.0)),
        # Fri from the lodging: v1 visit 3 draws 0.35 × 0.36 × 103 = 12.98 → 12 people, 20 + 36 = 56 min.
        team_day(t2, FRI, lodging_place(v1), base_place(t2), "08:00", "09:26", [
            stop("v1", 3, "08:00", "08:00", "08:56", (0, 0.0), 12, 1.0),
        ], leg("v1", "base:t2")),
    ]


def tiny_plan(scenario: Scenario | None = None) -> Plan:
    """A valid plan for the tiny week (a fresh object each call, safe to mutate); v3 is left out."""
    sc = scenario or tiny_scenario()
    return plan_of(sc, tiny_team_days(sc), upper_bound=300, reason=LeftOutReason.needs_vehicle)


def refreshed(scenario: Scenario, plan: Plan) -> Plan:
    """The plan after a test's edit: day totals, left-out sites and KPIs summed again (stops untouched)."""
    days = [td.model_copy(update=_day_totals(td), deep=True) for td in plan.team_days]
    reasons = {lo.site_id: lo.reason for lo in plan.left_out}
    left = [lo.model_copy(update={"reason": reasons.get(lo.site_id, lo.reason)})
            for lo in left_out_for(scenario, days)]
    return plan.model_copy(update={"team_days": days, "left_out": left,
                                   "kpis": kpis_for(scenario, days, left, plan.kpis.upper_bound)})


def _day_totals(td: TeamDay) -> dict[str, Any]:
    return {
        "travel_min": sum(s.travel_min for s in td.stops) + td.return_travel_min,
        "travel_km": round(sum(s.travel_km for s in td.stops) + td.return_travel_km, 3),
        "recordings": sum(s.people for s in td.stops),
    }


def set_people(s: Stop, people: int, weight: float) -> None:
    """Change a stop's people and value together (in place)."""
    s.people = people
    s.value = round(people * weight, 6)


def day_of(plan: Plan, team_id: str, day: dt.date) -> TeamDay:
    """The plan's team-day of a team and date (KeyError if none)."""
    for td in plan.team_days:
        if td.team_id == team_id and td.date == day:
            return td
    raise KeyError((team_id, day))
