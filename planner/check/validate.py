"""The independent validator: every rule a `Plan` must keep, re-derived from the Scenario alone.

It imports no solver or compile module on purpose: it recomputes travel (through a
`TravelProvider` and `whole_minutes`), kits, opening hours, breaks, service times, visit sizes and
key figures from the `Scenario` and the `Plan`, and lists every violation it finds, so a bug in the
solver cannot hide behind the same bug here. Times are minutes after midnight of the team-day's date.

Stops with an `outcome` (a re-planned plan's visits before the re-plan time) are facts, not choices:
their people are not held to the turnout rule, the per-visit cap or the recording time, and the legs
that led to them are not held to link closures; a missed stop (nobody recorded) is no visit of the site
(nor a visit or a served site in the key figures, nor does it keep the site out of left_out).
Every later, planned visit is held to every rule, counting the people really recorded before it.

Timing rules: nobody records during a break; travel may pause through a break (a leg needs
`t` free minutes, outside breaks, between leaving and starting the next visit); a stop's
`arrival_min` is the earliest clock time the leg's `t` driving minutes allow when the team leaves
at once (the previous stop's end, or `depart_min`) and pauses through breaks.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner import units
from planner.model import Scenario, Shift, Site, Team, VehicleProfile
from planner.plan import Place, Plan, Stop, StopOutcome, TeamDay
from planner.compile.travel import Points, TravelProvider, provider_for, whole_minutes

KM_TOL = 0.05  # km: a leg's reported distance may differ this much from the matrix
COORD_TOL = 1e-6  # degrees: a place's coordinates must match its base or site this closely
VALUE_REL_TOL = 1e-6
PEOPLE_TOL = 1  # people: a visit may exceed its expected turnout by this much (rounding)

CODES: dict[str, str] = {
    "plan-header": "plan's scenario name, horizon start or horizon days differ from the scenario",
    "unknown-team": "a team-day names a team the scenario does not have",
    "unknown-site": "a stop, lodging place or left-out entry names a site the scenario does not have",
    "date-outside-horizon": "a team-day's date lies outside the scenario's horizon",
    "no-shift": "the team has no shift on the team-day's weekday",
    "duplicate-team-day": "more than one team-day for the same team and date",
    "no-working-kit": "the team has no working kit on that date",
    "working-kits-mismatch": "working_kits differs from the number of the team's kits that work that date",
    "bad-place": "a start/end place is not the team's base or a known site (kind, site_id or coordinates)",
    "lodging-start": "a day starting at lodging does not follow a day (the day before) ending at that lodging",
    "lodging-end": "a day ending at lodging is not followed the next day by a day starting there",
    "too-many-nights": "more days end at lodging than the team's max_nights_out",
    "last-day-not-base": "the team's last team-day in the plan does not end at its base",
    "depart-before-shift": "depart_min is before the shift starts",
    "return-after-shift": "return_min is after the shift ends",
    "stops-overlap": "a stop starts before the previous stop ends (or before depart_min)",
    "time-order": "a stop ends before it starts, or return_min is before the last stop ends",
    "travel-gap": "fewer free minutes (outside breaks) between leaving and the next start than the leg's travel",
    "arrival-mismatch": "arrival_min is not departure + travel minutes (pausing through breaks)",
    "start-before-arrival": "a stop starts before the team arrives",
    "stop-in-break": "a stop's [start, end) overlaps a break of the shift (midday break, Friday prayer)",
    "leg-travel-min": "a leg's travel minutes differ from whole_minutes of the matrix for the team's vehicle",
    "leg-travel-km": "a leg's travel km differ from the matrix by more than 0.05 km",
    "day-travel-total": "travel_min/travel_km of the day differ from the sum of its legs",
    "drive-limit": "the day's driving (recomputed) exceeds the team's max_drive_min",
    "link-closed": "a planned leg drives directly between two places whose link is closed that date",
    "site-closed": "the site is closed that date (closed date or weekday without hours)",
    "outside-hours": "a stop's [start, end] does not lie within one opening window of the site",
    "needs-generator": "a site without electricity is visited by a team without a generator",
    "needs-clearance": "a site needing a clearance is visited by a team without it",
    "needs-vehicle": "the site's access mode does not admit the team's vehicle",
    "outside-regency": "a regency team visits a site outside its regency",
    "service-too-short": "end − start is less than set-up + recording time of its people with the working kits",
    "no-people": "a stop records nobody",
    "value-mismatch": "a stop's value differs from people × the site's weight",
    "visit-numbering": "a site's visits are not numbered 1..k without gaps or repeats",
    "visit-order": "a later-numbered visit is on an earlier date (or earlier the same day by the same team)",
    "same-day-repeat": "a team visits one site twice on one date (visits.one_visit_per_team_day; facts exempt)",
    "too-many-visits": "a site has more visits than max_visits_per_site",
    "visit-too-large": "a visit's people exceed turnout × decay^(k-1) × remaining (+1 for rounding)",
    "visit-over-cap": "a visit's people exceed max_people_per_visit",
    "site-over-recorded": "a site's people over all visits exceed its unrecorded",
    "recordings-mismatch": "a team-day's recordings differ from the sum of its stops' people",
    "capacity-mismatch": "a team-day's capacity differs from kits × rate × working minutes outside breaks",
    "kpi-mismatch": "a key figure differs from the one recomputed from the team-days",
    "bound-below-plan": "kpis.upper_bound (or bound_max_flow, bound_lp) is below the plan's expected recordings",
    "bound-not-tightest": "kpis.upper_bound is not the tighter of bound_max_flow and bound_lp",
    "missing-left-out": "a site with unrecorded people and no visit is not in left_out",
    "duplicate-left-out": "a site is in left_out more than once",
    "served-left-out": "a visited site is in left_out",
    "left-out-figures": "a left-out entry's unrecorded or remaining_after_plan differ from the site's unrecorded",
}

Interval = tuple[int, int]


@dataclass(frozen=True)
class Violation:
    """One broken rule, with where it happened (team, date, site) when that is known."""

    code: str
    team_id: str | None
    date: dt.date | None
    site_id: str | None
    message: str


@dataclass(frozen=True)
class _Ctx:
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
class _Leg:
    """One drive of a team-day: from a place or stop to the next stop or the end place."""

    src: int | None  # matrix point, None if unknown
    dst: int | None
    stop: Stop | None  # the stop driven to; None for the drive to the end place
    depart: int  # when the team leaves: depart_min or the previous stop's end_min
    reported_min: int
    reported_km: float


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def validate_plan(scenario: Scenario, plan: Plan, provider: TravelProvider | None = None) -> list[Violation]:
    """Every violation of the scenario's rules in `plan` (empty list: the plan is valid)."""
    if provider is None:
        provider = provider_for(scenario.travel, Path(scenario.source_dir) if scenario.source_dir else None)
    ctx = _context(scenario, plan, provider)
    out = _check_header(scenario, plan)
    for td in plan.team_days:
        out += _check_team_day(ctx, td)
    out += _check_duplicates(plan)
    out += _check_continuity(ctx, plan)
    out += _check_visits(ctx, plan)
    out += _check_left_out(ctx, plan)
    out += _check_kpis(ctx, plan)
    return out


def format_violations(violations: list[Violation]) -> str:
    """Violations as readable lines (one per violation) for the CLI and logs."""
    if not violations:
        return "plan is valid: no violations"
    counts = Counter(v.code for v in violations)
    head = f"{len(violations)} violation(s): " + ", ".join(f"{c} ×{n}" for c, n in sorted(counts.items()))
    lines = [head]
    for v in violations:
        where = " ".join(x for x in (v.team_id, v.date.isoformat() if v.date else None, v.site_id) if x)
        lines.append(f"  [{v.code}] {where + ': ' if where else ''}{v.message}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------------


def _v(code: str, message: str, team: str | None = None, day: dt.date | None = None,
       site: str | None = None) -> Violation:
    assert code in CODES, code
    return Violation(code=code, team_id=team, date=day, site_id=site, message=message)


def _clock(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    m = abs(int(minutes))
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def _context(scenario: Scenario, plan: Plan, provider: TravelProvider) -> _Ctx:
    """Look-ups and matrices for the vehicle profiles of the teams the plan uses."""
    teams = scenario.team_by_id()
    ids = tuple(f"base:{t.id}" for t in scenario.teams) + tuple(s.id for s in scenario.sites)
    lat = np.array([t.base_lat for t in scenario.teams] + [s.lat for s in scenario.sites], dtype=float)
    lon = np.array([t.base_lon for t in scenario.teams] + [s.lon for s in scenario.sites], dtype=float)
    points = Points(ids=ids, lat=lat, lon=lon)
    profiles = sorted({teams[td.team_id].vehicle for td in plan.team_days if td.team_id in teams})
    minutes, km = {}, {}
    for p in profiles:
        m = provider.matrices(points, p)
        minutes[p] = whole_minutes(m.duration_min)
        km[p] = np.asarray(m.distance_km, dtype=float)
    no_kit = scenario.districts_without_fixed_kit()
    return _Ctx(
        scenario=scenario,
        sites=scenario.site_by_id(),
        teams=teams,
        point={pid: i for i, pid in enumerate(ids)},
        minutes=minutes,
        km=km,
        weight={s.id: scenario.site_weight(s, no_kit) for s in scenario.sites},
        closed=_closed_points(scenario, {pid: i for i, pid in enumerate(ids)}),
    )


def _closed_points(scenario: Scenario, point: dict[str, int]) -> dict[dt.date, set[tuple[int, int]]]:
    """Matrix point pairs (both directions) of every closed link, per date."""
    out: dict[dt.date, set[tuple[int, int]]] = defaultdict(set)
    for link in scenario.closed_links:
        a, b = point[link.a], point[link.b]
        for day in link.dates:
            out[day] |= {(a, b), (b, a)}
    return out


def _check_header(scenario: Scenario, plan: Plan) -> list[Violation]:
    """The plan belongs to this scenario's week."""
    out = []
    pairs = (
        ("scenario_name", plan.scenario_name, scenario.name),
        ("horizon_start", plan.horizon_start, scenario.horizon.start),
        ("horizon_days", plan.horizon_days, scenario.horizon.days),
    )
    for field, got, want in pairs:
        if got != want:
            out.append(_v("plan-header", f"plan {field} is {got!r}, the scenario's is {want!r}"))
    return out


# --------------------------------------------------------------------------------------------
# One team-day
# --------------------------------------------------------------------------------------------


def _check_team_day(ctx: _Ctx, td: TeamDay) -> list[Violation]:
    """All rules that concern one team-day alone."""
    team = ctx.teams.get(td.team_id)
    if team is None:
        return [_v("unknown-team", f"team-day names unknown team {td.team_id!r}", td.team_id, td.date)]
    out = _check_day_basics(ctx, td, team)
    out += _check_places(ctx, td, team)
    for stop in td.stops:
        out += _check_stop(ctx, td, team, stop)
    legs = _legs(ctx, td, team)
    out += _check_order(td)
    shift = team.shift_on(td.date)
    if shift is not None:
        out += _check_shift(td, shift)
        out += _check_leg_times(ctx, td, team, legs, _breaks(shift))
    out += _check_travel(ctx, td, team, legs)
    out += _check_closed_links(ctx, td, legs)
    out += _check_day_figures(td, team)
    if ctx.scenario.visits.one_visit_per_team_day:
        out += _check_same_day_repeats(td)
    return out


def _check_same_day_repeats(td: TeamDay) -> list[Violation]:
    """A planned visit of a site the team has already visited that day (one sitting is one visit).

    A fact (a stop with an outcome) is exempt itself but counts as the earlier visit; missed stops do not.
    """
    out, seen = [], set()
    for stop in td.stops:
        if stop.outcome == StopOutcome.missed:
            continue
        if stop.site_id in seen and stop.outcome is None:
            msg = f"visit {stop.visit} of {stop.site_id} is the team's second visit there on {td.date}"
            out.append(_v("same-day-repeat", msg, td.team_id, td.date, stop.site_id))
        seen.add(stop.site_id)
    return out


def _check_closed_links(ctx: _Ctx, td: TeamDay, legs: list[_Leg]) -> list[Violation]:
    """No planned leg uses a link closed that date (legs to visits already made are facts)."""
    closed = ctx.closed.get(td.date, set())
    out = []
    for leg in legs:
        if (leg.src, leg.dst) not in closed or (leg.stop is not None and leg.stop.outcome is not None):
            continue
        what = f"drive to {leg.stop.site_id}" if leg.stop else "drive to the end place"
        out.append(_v("link-closed", f"{what}: the direct link is closed on {td.date}", td.team_id, td.date,
                      leg.stop.site_id if leg.stop else None))
    return out


def _check_day_basics(ctx: _Ctx, td: TeamDay, team: Team) -> list[Violation]:
    """Date in the horizon, a shift that weekday, working kits that date."""
    out = []
    where = (team.id, td.date)
    if td.date not in ctx.scenario.horizon.dates:
        out.append(_v("date-outside-horizon", f"{td.date} is outside the horizon", *where))
    if team.shift_on(td.date) is None:
        out.append(_v("no-shift", f"team has no shift on {td.date:%A}", *where))
    kits = team.working_kits(td.date)
    if kits == 0:
        out.append(_v("no-working-kit", "none of the team's kits works that date", *where))
    if td.working_kits != kits:
        msg = f"working_kits is {td.working_kits}, {kits} kit(s) work that date"
        out.append(_v("working-kits-mismatch", msg, *where))
    return out


def _check_places(ctx: _Ctx, td: TeamDay, team: Team) -> list[Violation]:
    """Start and end places are the team's base or a known site, with matching coordinates."""
    out = []
    for label, place in (("start_place", td.start_place), ("end_place", td.end_place)):
        problem = _place_problem(ctx, place, team)
        if problem:
            code, text = problem
            out.append(_v(code, f"{label}: {text}", team.id, td.date, place.site_id))
    return out


def _place_problem(ctx: _Ctx, place: Place, team: Team) -> tuple[str, str] | None:
    """(code, message) if the place is not the team's base or a known lodging site."""
    if place.kind == "base":
        if place.site_id is not None:
            return "bad-place", f"a base place has site_id {place.site_id!r}"
        if not _same_coords(place, team.base_lat, team.base_lon):
            at, base = f"({place.lat}, {place.lon})", f"({team.base_lat}, {team.base_lon})"
            return "bad-place", f"base at {at} is not the team's base {base}"
        return None
    site = ctx.sites.get(place.site_id or "")
    if site is None:
        return "unknown-site", f"lodging at unknown site {place.site_id!r}"
    if not _same_coords(place, site.lat, site.lon):
        return "bad-place", f"lodging at ({place.lat}, {place.lon}) is not at site {site.id} ({site.lat}, {site.lon})"
    return None


def _same_coords(place: Place, lat: float, lon: float) -> bool:
    return abs(place.lat - lat) <= COORD_TOL and abs(place.lon - lon) <= COORD_TOL


def _place_point(ctx: _Ctx, place: Place, team: Team) -> int | None:
    """Matrix point of a place: the team's base, or the lodging site (None if unknown)."""
    key = f"base:{team.id}" if place.kind == "base" else (place.site_id or "")
    return ctx.point.get(key)


def _check_stop(ctx: _Ctx, td: TeamDay, team: Team, stop: Stop) -> list[Violation]:
    """A stop's site, requirements, opening hours, people, value and service time."""
    site = ctx.sites.get(stop.site_id)
    where = (team.id, td.date, stop.site_id)
    if site is None:
        return [_v("unknown-site", f"stop at unknown site {stop.site_id!r}", *where)]
    out = _check_requirements(site, team, where)
    out += _check_hours(site, td.date, stop, where)
    if stop.people < 1 and stop.outcome != StopOutcome.missed:
        out.append(_v("no-people", f"visit {stop.visit} records {stop.people} people", *where))
    want = stop.people * ctx.weight[site.id]
    if not math.isclose(stop.value, want, rel_tol=VALUE_REL_TOL, abs_tol=VALUE_REL_TOL):
        msg = f"value {stop.value} ≠ {stop.people} people × weight {ctx.weight[site.id]:g} = {want:g}"
        out.append(_v("value-mismatch", msg, *where))
    if stop.outcome is None:
        out += _check_service(team, td.date, stop, where)
    return out


def _check_requirements(site: Site, team: Team, where: tuple) -> list[Violation]:
    """Generator, clearance, vehicle and regency ownership."""
    out = []
    if not site.electricity and not team.generator:
        out.append(_v("needs-generator", "site has no electricity and the team no generator", *where))
    if site.clearance and site.clearance not in team.clearances:
        out.append(_v("needs-clearance", f"site needs clearance {site.clearance!r}, the team lacks it", *where))
    if team.vehicle.value not in units.ACCESS_PROFILES[site.access.value]:
        msg = f"site access {site.access.value} does not admit a {team.vehicle.value}"
        out.append(_v("needs-vehicle", msg, *where))
    if team.regency_code and team.regency_code != site.regency_code:
        msg = f"team of regency {team.regency_code} at a site of regency {site.regency_code or '(none)'}"
        out.append(_v("outside-regency", msg, *where))
    return out


def _check_hours(site: Site, day: dt.date, stop: Stop, where: tuple) -> list[Violation]:
    """The visit lies inside one opening window of the site that date."""
    windows = site.windows_on(day)
    if not windows:
        why = "that date is one of its closed dates" if day in site.closed_dates else f"it is closed on {day:%A}s"
        return [_v("site-closed", f"visit on {day} but {why}", *where)]
    if any(w.start <= stop.start_min and stop.end_min <= w.end for w in windows):
        return []
    hours = ", ".join(str(w) for w in windows)
    span = f"{_clock(stop.start_min)}-{_clock(stop.end_min)}"
    return [_v("outside-hours", f"visit {span} is not within the opening hours {hours}", *where)]


def _service_minutes(people: int, kits: int, team: Team) -> int:
    """Minutes to set up and record `people` with `kits` working kits."""
    return team.setup_min + math.ceil(people * 60 / (kits * team.rate_per_kit_hour))


def _check_service(team: Team, day: dt.date, stop: Stop, where: tuple) -> list[Violation]:
    """The stop lasts at least set-up + recording time (with the kits that really work that date)."""
    kits = team.working_kits(day)
    if kits == 0:
        return []
    need = _service_minutes(stop.people, kits, team)
    if stop.end_min - stop.start_min >= need:
        return []
    got = stop.end_min - stop.start_min
    msg = f"visit lasts {got} min, {stop.people} people with {kits} kit(s) need {need}"
    return [_v("service-too-short", msg, *where)]


def _legs(ctx: _Ctx, td: TeamDay, team: Team) -> list[_Leg]:
    """The day's drives in order: start place → stops → end place."""
    points = [_place_point(ctx, td.start_place, team)]
    points += [ctx.point.get(s.site_id) if s.site_id in ctx.sites else None for s in td.stops]
    points.append(_place_point(ctx, td.end_place, team))
    departs = [td.depart_min] + [s.end_min for s in td.stops]
    legs = [
        _Leg(points[k], points[k + 1], stop, departs[k], stop.travel_min, stop.travel_km)
        for k, stop in enumerate(td.stops)
    ]
    legs.append(_Leg(points[-2], points[-1], None, departs[-1], td.return_travel_min, td.return_travel_km))
    return legs


def _leg_matrix(ctx: _Ctx, team: Team, leg: _Leg) -> tuple[int, float] | None:
    """(whole minutes, km) of a leg from the matrices, None if an end is unknown."""
    if leg.src is None or leg.dst is None:
        return None
    return int(ctx.minutes[team.vehicle][leg.src, leg.dst]), float(ctx.km[team.vehicle][leg.src, leg.dst])


def _check_order(td: TeamDay) -> list[Violation]:
    """Stops follow one another without overlap; each ends after it starts; return after the last."""
    out = []
    prev_end, prev_what = td.depart_min, "depart_min"
    for stop in td.stops:
        where = (td.team_id, td.date, stop.site_id)
        if stop.start_min < prev_end:
            msg = f"starts {_clock(stop.start_min)}, before {prev_what} {_clock(prev_end)}"
            out.append(_v("stops-overlap", msg, *where))
        if stop.end_min <= stop.start_min:
            msg = f"ends {_clock(stop.end_min)}, not after its start {_clock(stop.start_min)}"
            out.append(_v("time-order", msg, *where))
        prev_end, prev_what = stop.end_min, f"the end of the visit to {stop.site_id}"
    if td.return_min < prev_end:
        msg = f"return_min {_clock(td.return_min)} is before {prev_what} {_clock(prev_end)}"
        out.append(_v("time-order", msg, td.team_id, td.date))
    return out


def _breaks(shift: Shift) -> tuple[Interval, ...]:
    return tuple(sorted((b.start, b.end) for b in shift.breaks))


def _check_shift(td: TeamDay, shift: Shift) -> list[Violation]:
    """Leave no earlier than the shift starts, back no later than it ends, record outside breaks."""
    out = []
    where = (td.team_id, td.date)
    if td.depart_min < shift.work.start:
        msg = f"departs {_clock(td.depart_min)}, shift starts {_clock(shift.work.start)}"
        out.append(_v("depart-before-shift", msg, *where))
    if td.return_min > shift.work.end:
        msg = f"returns {_clock(td.return_min)}, shift ends {_clock(shift.work.end)}"
        out.append(_v("return-after-shift", msg, *where))
    for stop in td.stops:
        for b0, b1 in _breaks(shift):
            if stop.start_min < b1 and b0 < stop.end_min:
                span = f"{_clock(stop.start_min)}-{_clock(stop.end_min)}"
                msg = f"visit {span} overlaps the break {_clock(b0)}-{_clock(b1)}"
                out.append(_v("stop-in-break", msg, *where, stop.site_id))
    return out


def free_minutes(start: int, end: int, breaks: Iterable[Interval]) -> int:
    """Minutes of [start, end) outside breaks (negative if end < start): time a team can drive."""
    if end <= start:
        return end - start
    return (end - start) - sum(max(0, min(end, b1) - max(start, b0)) for b0, b1 in breaks)


def arrival_after(depart: int, minutes: int, breaks: Iterable[Interval]) -> int:
    """Clock time after driving `minutes` from `depart`, pausing through breaks (the earliest arrival)."""
    t, left = depart, minutes
    for b0, b1 in sorted(breaks):
        if b1 <= t:
            continue
        if t + left <= b0:
            break
        left -= max(0, b0 - t)
        t = max(t, b1)
    return t + left


def _check_leg_times(ctx: _Ctx, td: TeamDay, team: Team, legs: list[_Leg],
                     breaks: tuple[Interval, ...]) -> list[Violation]:
    """Each leg has its travel minutes free of breaks before the next start; arrivals add up."""
    out = []
    for leg in legs:
        known = _leg_matrix(ctx, team, leg)
        if known is None:
            continue
        t = known[0]
        site = leg.stop.site_id if leg.stop else None
        where = (team.id, td.date, site)
        nxt = leg.stop.start_min if leg.stop else td.return_min
        what = f"the visit to {site}" if leg.stop else "return"
        free = free_minutes(leg.depart, nxt, breaks)
        if free < t:
            msg = f"{free} free min from {_clock(leg.depart)} to {what} at {_clock(nxt)}, the drive takes {t}"
            out.append(_v("travel-gap", msg, *where))
        if leg.stop is None:
            continue
        want = arrival_after(leg.depart, t, breaks)
        if leg.stop.arrival_min != want:
            msg = (f"arrival {_clock(leg.stop.arrival_min)}, leaving {_clock(leg.depart)} with {t} min of driving "
                   f"arrives {_clock(want)}")
            out.append(_v("arrival-mismatch", msg, *where))
        if leg.stop.start_min < leg.stop.arrival_min:
            msg = f"starts {_clock(leg.stop.start_min)} before arriving {_clock(leg.stop.arrival_min)}"
            out.append(_v("start-before-arrival", msg, *where))
    return out


def _check_travel(ctx: _Ctx, td: TeamDay, team: Team, legs: list[_Leg]) -> list[Violation]:
    """Reported minutes and km per leg match the matrices; day totals add up; drive limit kept."""
    out = []
    driven = 0
    for leg in legs:
        known = _leg_matrix(ctx, team, leg)
        if known is None:
            continue
        t, km = known
        driven += t
        site = leg.stop.site_id if leg.stop else None
        what = f"drive to {site}" if leg.stop else "drive to the end place"
        if leg.reported_min != t:
            msg = f"{what}: {leg.reported_min} min reported, the matrix gives {t}"
            out.append(_v("leg-travel-min", msg, team.id, td.date, site))
        if not abs(leg.reported_km - km) <= KM_TOL:
            msg = f"{what}: {leg.reported_km} km reported, the matrix gives {km:.3f}"
            out.append(_v("leg-travel-km", msg, team.id, td.date, site))
    out += _check_day_totals(td, legs)
    if driven > team.max_drive_min:
        msg = f"{driven} min of driving, the team's limit is {team.max_drive_min}"
        out.append(_v("drive-limit", msg, team.id, td.date))
    return out


def _check_day_totals(td: TeamDay, legs: list[_Leg]) -> list[Violation]:
    """travel_min and travel_km equal the sums of the day's reported legs."""
    out = []
    total_min = sum(leg.reported_min for leg in legs)
    total_km = sum(leg.reported_km for leg in legs)
    if td.travel_min != total_min:
        msg = f"travel_min {td.travel_min} ≠ {total_min}, the sum of the legs"
        out.append(_v("day-travel-total", msg, td.team_id, td.date))
    if not abs(td.travel_km - total_km) <= KM_TOL:
        msg = f"travel_km {td.travel_km} ≠ {total_km:.3f}, the sum of the legs"
        out.append(_v("day-travel-total", msg, td.team_id, td.date))
    return out


def _capacity(team: Team, day: dt.date) -> int:
    """People the working kits could record in the shift's minutes outside breaks."""
    shift = team.shift_on(day)
    if shift is None:
        return 0
    minutes = shift.work.minutes - sum(b.minutes for b in shift.breaks)
    return math.floor(team.working_kits(day) * team.rate_per_kit_hour * minutes / 60)


def _check_day_figures(td: TeamDay, team: Team) -> list[Violation]:
    """recordings = sum of the stops' people; capacity = kits × rate × working minutes."""
    out = []
    people = sum(s.people for s in td.stops)
    if td.recordings != people:
        msg = f"recordings {td.recordings} ≠ {people}, the stops' people"
        out.append(_v("recordings-mismatch", msg, td.team_id, td.date))
    cap = _capacity(team, td.date)
    if td.capacity != cap:
        msg = f"capacity {td.capacity} ≠ {cap} (kits × rate × minutes outside breaks)"
        out.append(_v("capacity-mismatch", msg, td.team_id, td.date))
    return out


# --------------------------------------------------------------------------------------------
# Across team-days
# --------------------------------------------------------------------------------------------


def _days_by_team(ctx: _Ctx, plan: Plan) -> dict[str, list[TeamDay]]:
    """Team-days of each known team, by date."""
    out: dict[str, list[TeamDay]] = defaultdict(list)
    for td in plan.team_days:
        if td.team_id in ctx.teams:
            out[td.team_id].append(td)
    return {t: sorted(days, key=lambda d: d.date) for t, days in out.items()}


def _check_duplicates(plan: Plan) -> list[Violation]:
    """At most one team-day per team and date."""
    counts = Counter((td.team_id, td.date) for td in plan.team_days)
    return [
        _v("duplicate-team-day", f"{n} team-days for the same team and date", team, day)
        for (team, day), n in counts.items()
        if n > 1
    ]


def _check_continuity(ctx: _Ctx, plan: Plan) -> list[Violation]:
    """Lodging nights chain day to day, stay within max_nights_out, and the week ends at base."""
    out = []
    for team_id, days in _days_by_team(ctx, plan).items():
        team = ctx.teams[team_id]
        for k, td in enumerate(days):
            prev = days[k - 1] if k > 0 else None
            nxt = days[k + 1] if k + 1 < len(days) else None
            out += _check_lodging_links(prev, td, nxt)
        nights = sum(td.end_place.kind == "lodging" for td in days)
        if nights > team.max_nights_out:
            msg = f"{nights} night(s) away from base, the team may stay out {team.max_nights_out}"
            out.append(_v("too-many-nights", msg, team_id))
        last = days[-1]
        if last.end_place.kind != "base":
            msg = f"the team's last day ends at lodging {last.end_place.site_id}"
            out.append(_v("last-day-not-base", msg, team_id, last.date))
    return out


def _lodged_at(place: Place) -> str | None:
    return place.site_id if place.kind == "lodging" else None


def _check_lodging_links(prev: TeamDay | None, td: TeamDay, nxt: TeamDay | None) -> list[Violation]:
    """A lodging start follows yesterday's lodging end at the same site, and vice versa."""
    out = []
    one = dt.timedelta(days=1)
    start, end = _lodged_at(td.start_place), _lodged_at(td.end_place)
    if start is not None:
        ok = prev is not None and prev.date == td.date - one and _lodged_at(prev.end_place) == start
        if not ok:
            msg = f"starts at lodging {start} but the team did not end the day before there"
            out.append(_v("lodging-start", msg, td.team_id, td.date, start))
    if end is not None:
        ok = nxt is not None and nxt.date == td.date + one and _lodged_at(nxt.start_place) == end
        if not ok:
            msg = f"ends at lodging {end} but the team does not start the next day there"
            out.append(_v("lodging-end", msg, td.team_id, td.date, end))
    return out


def _stops_by_site(ctx: _Ctx, plan: Plan) -> dict[str, list[tuple[TeamDay, Stop]]]:
    """Stops at known sites, per site, in visit-number then time order."""
    out: dict[str, list[tuple[TeamDay, Stop]]] = defaultdict(list)
    for td in plan.team_days:
        for stop in td.stops:
            if stop.site_id in ctx.sites and stop.outcome != StopOutcome.missed:
                out[stop.site_id].append((td, stop))
    return {s: sorted(v, key=lambda p: (p[1].visit, p[0].date, p[1].start_min)) for s, v in out.items()}


def _check_visits(ctx: _Ctx, plan: Plan) -> list[Violation]:
    """Per site: visits numbered 1..k in time order, within turnout, caps and the unrecorded."""
    out = []
    rules = ctx.scenario.visits
    for site_id, visits in _stops_by_site(ctx, plan).items():
        site = ctx.sites[site_id]
        numbers = [stop.visit for _, stop in visits]
        if numbers != list(range(1, len(numbers) + 1)):
            out.append(_v("visit-numbering", f"visits are numbered {numbers}, not 1..{len(numbers)}", site=site_id))
        if len(visits) > rules.max_visits_per_site:
            msg = f"{len(visits)} visits, at most {rules.max_visits_per_site} allowed"
            out.append(_v("too-many-visits", msg, site=site_id))
        out += _check_visit_order(site_id, visits)
        out += _check_visit_people(ctx, site, visits)
    return out


def _check_visit_order(site_id: str, visits: list[tuple[TeamDay, Stop]]) -> list[Violation]:
    """Visit k+1 is not on an earlier date than visit k; on the same date by the same team, it starts later.

    Two teams may work one large village on the same day; their visits' order is the plan's.
    """
    out = []
    for (td_a, a), (td_b, b) in zip(visits, visits[1:]):
        same_team_day = td_a.team_id == td_b.team_id and td_a.date == td_b.date
        if td_b.date < td_a.date or (same_team_day and b.start_min <= a.start_min):
            later, earlier = f"{td_b.date} {_clock(b.start_min)}", f"{td_a.date} {_clock(a.start_min)}"
            msg = f"visit {b.visit} ({later}) does not start after visit {a.visit} ({earlier})"
            out.append(_v("visit-order", msg, td_b.team_id, td_b.date, site_id))
    return out


def _check_visit_people(ctx: _Ctx, site: Site, visits: list[tuple[TeamDay, Stop]]) -> list[Violation]:
    """Visit k draws at most turnout × decay^(k-1) of the remaining (+1), the per-visit cap, the unrecorded."""
    out = []
    rules = ctx.scenario.visits
    remaining = site.unrecorded
    for k, (td, stop) in enumerate(visits):
        where = (td.team_id, td.date, site.id)
        if stop.outcome is not None:  # a fact: counts against the remaining, is not held to the rule
            remaining = max(0, remaining - stop.people)
            continue
        expected = site.turnout * rules.repeat_turnout_decay**k * remaining
        if stop.people > math.floor(expected + PEOPLE_TOL + 1e-9):
            allows = f"turnout allows {expected:.1f} (+{PEOPLE_TOL}) of {remaining} remaining"
            msg = f"visit {k + 1}: {stop.people} people, {allows}"
            out.append(_v("visit-too-large", msg, *where))
        if stop.people > rules.max_people_per_visit:
            msg = f"visit {k + 1}: {stop.people} people, at most {rules.max_people_per_visit} per visit"
            out.append(_v("visit-over-cap", msg, *where))
        remaining -= stop.people
    total = sum(stop.people for _, stop in visits)
    facts = sum(stop.people for _, stop in visits if stop.outcome is not None)
    if total - facts > max(0, site.unrecorded - facts):
        msg = f"{total} people over all visits, only {site.unrecorded} unrecorded"
        out.append(_v("site-over-recorded", msg, site=site.id))
    return out


def _check_left_out(ctx: _Ctx, plan: Plan) -> list[Violation]:
    """Every unvisited site with people to record is left out once, no visited site is."""
    out = []
    served = {s.site_id for td in plan.team_days for s in td.stops if s.outcome != StopOutcome.missed}
    counts = Counter(lo.site_id for lo in plan.left_out)
    for lo in plan.left_out:
        site = ctx.sites.get(lo.site_id)
        if site is None:
            out.append(_v("unknown-site", f"left_out names unknown site {lo.site_id!r}", site=lo.site_id))
            continue
        if lo.site_id in served:
            out.append(_v("served-left-out", f"left out ({lo.reason.value}) but visited", site=lo.site_id))
        if lo.unrecorded != site.unrecorded or lo.remaining_after_plan != site.unrecorded:
            msg = f"unrecorded {lo.unrecorded} / remaining {lo.remaining_after_plan}, the site has {site.unrecorded}"
            out.append(_v("left-out-figures", msg, site=lo.site_id))
    out += [_v("duplicate-left-out", f"in left_out {n} times", site=s) for s, n in counts.items() if n > 1]
    for site in ctx.scenario.sites:
        if site.unrecorded > 0 and site.id not in served and site.id not in counts:
            msg = f"{site.unrecorded} unrecorded, no visit and not in left_out"
            out.append(_v("missing-left-out", msg, site=site.id))
    return out


def _check_kpis(ctx: _Ctx, plan: Plan) -> list[Violation]:
    """Key figures equal those recomputed from the team-days; the bound is not below the plan."""
    k = plan.kpis
    stops = [s for td in plan.team_days for s in td.stops if s.outcome != StopOutcome.missed]
    total = sum(s.people for s in stops)
    unrecorded = sum(s.unrecorded for s in ctx.scenario.sites)
    exact = (
        ("expected_recordings", k.expected_recordings, total),
        ("visits", k.visits, len(stops)),
        ("sites_served", k.sites_served, len({s.site_id for s in stops})),
        ("sites_left_out", k.sites_left_out, len(plan.left_out)),
        ("total_unrecorded", k.total_unrecorded, unrecorded),
    )
    out = [_v("kpi-mismatch", f"kpis.{name} is {got}, recomputed {want}") for name, got, want in exact if got != want]
    near = (  # figures the KPIs round: (name, reported, recomputed, tolerance)
        ("weighted_value", k.weighted_value, sum(s.value for s in stops), 1e-3),
        ("travel_hours", k.travel_hours, sum(td.travel_min for td in plan.team_days) / 60, 0.006),
        ("travel_km", k.travel_km, sum(td.travel_km for td in plan.team_days), 0.051),
        ("share_of_unrecorded", k.share_of_unrecorded, total / unrecorded if unrecorded else 0.0, 1e-4),
    )
    out += [
        _v("kpi-mismatch", f"kpis.{name} is {got}, recomputed {want:.4f}")
        for name, got, want, tol in near
        if not abs(got - want) <= tol + 1e-9 * abs(want)
    ]
    bounds = {"upper_bound": k.upper_bound, "bound_max_flow": k.bound_max_flow, "bound_lp": k.bound_lp}
    for name, bound in bounds.items():
        if bound is not None and bound < total:
            out.append(_v("bound-below-plan", f"{name} {bound} is below the plan's {total} recordings"))
    shown = [b for b in (k.bound_max_flow, k.bound_lp) if b is not None]
    if shown and k.upper_bound != min(shown):
        out.append(_v("bound-not-tightest", f"upper_bound {k.upper_bound}, the bounds are {shown}"))
    return out
