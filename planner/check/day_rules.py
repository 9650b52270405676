"""The rules that concern one team-day alone: its date, kits and places, each stop (requirements,
opening hours, people, value, service time), travel against the matrices, closed links and day figures."""

from __future__ import annotations

import datetime as dt
import math

from planner.check.context import Ctx, Leg, leg_matrix, legs_of
from planner.check.timing import breaks_of, check_leg_times, check_order, check_shift, spanned_breaks
from planner.check.violations import Violation
from planner.compile.travel import UNREACHABLE_MIN
from planner.check.violations import clock as _clock
from planner.check.violations import violation as _v
from planner.model import Site, Team
from planner.plan import Place, Stop, StopOutcome, TeamDay

Where = tuple[str, dt.date, str]  # (team id, date, site id) a stop's violations name

KM_TOL = 0.05  # km: a leg's reported distance may differ this much from the matrix
COORD_TOL = 1e-6  # degrees: a place's coordinates must match its base or site this closely
VALUE_REL_TOL = 1e-6


def check_team_day(ctx: Ctx, td: TeamDay) -> list[Violation]:
    """All rules that concern one team-day alone."""
    team = ctx.teams.get(td.team_id)
    if team is None:
        return [_v("unknown-team", f"team-day names unknown team {td.team_id!r}", td.team_id, td.date)]
    out = _check_day_basics(ctx, td, team)
    out += _check_places(ctx, td, team)
    for stop in td.stops:
        out += _check_stop(ctx, td, team, stop)
    legs = legs_of(ctx, td, team)
    out += check_order(td)
    shift = team.shift_on(td.date)
    if shift is not None:
        out += check_shift(td, shift, ctx.scenario.visits.record_across_breaks)
        out += check_leg_times(ctx, td, team, legs, breaks_of(shift))
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


def _check_closed_links(ctx: Ctx, td: TeamDay, legs: list[Leg]) -> list[Violation]:
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


def _check_day_basics(ctx: Ctx, td: TeamDay, team: Team) -> list[Violation]:
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


def _check_places(ctx: Ctx, td: TeamDay, team: Team) -> list[Violation]:
    """Start and end places are the team's base or a known site, with matching coordinates."""
    out = []
    for label, place in (("start_place", td.start_place), ("end_place", td.end_place)):
        problem = _place_problem(ctx, place, team)
        if problem:
            code, text = problem
            out.append(_v(code, f"{label}: {text}", team.id, td.date, place.site_id))
    return out


def _place_problem(ctx: Ctx, place: Place, team: Team) -> tuple[str, str] | None:
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


def _check_stop(ctx: Ctx, td: TeamDay, team: Team, stop: Stop) -> list[Violation]:
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
        out += _check_service(team, td.date, stop, where, ctx.scenario.visits.record_across_breaks)
    return out


def _check_requirements(site: Site, team: Team, where: Where) -> list[Violation]:
    """The site's required skills ⊆ the team's (generator, clearance, vehicle, skills), and regency ownership."""
    out = []
    for skill in sorted(site.required_skills - team.offered_skills):
        kind = site.skill_kind(skill)
        if kind == "generator":
            out.append(_v("needs-generator", "site has no electricity and the team no generator", *where))
        elif kind == "clearance":
            out.append(_v("needs-clearance", f"site needs clearance {skill!r}, the team lacks it", *where))
        elif kind == "vehicle":
            msg = f"site access {site.access.value} does not admit a {team.vehicle.value}"
            out.append(_v("needs-vehicle", msg, *where))
        else:
            out.append(_v("needs-skill", f"site needs skill {skill!r}, the team lacks it", *where))
    if team.regency_code and team.regency_code != site.regency_code:
        msg = f"team of regency {team.regency_code} at a site of regency {site.regency_code or '(none)'}"
        out.append(_v("outside-regency", msg, *where))
    return out


def _check_hours(site: Site, day: dt.date, stop: Stop, where: Where) -> list[Violation]:
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


def _check_service(team: Team, day: dt.date, stop: Stop, where: Where, across: bool = False) -> list[Violation]:
    """The stop lasts at least set-up + recording time (with the kits that really work that date), not
    counting a break it spans (`VisitRules.record_across_breaks`; `check_shift` says which it may)."""
    kits = team.working_kits(day)
    if kits == 0:
        return []
    need = _service_minutes(stop.people, kits, team)
    shift = team.shift_on(day)
    paused = spanned_breaks(stop.start_min, stop.end_min, breaks_of(shift)) if across and shift is not None else 0
    if stop.end_min - stop.start_min - paused >= need:
        return []
    got = stop.end_min - stop.start_min - paused
    msg = f"visit lasts {got} min, {stop.people} people with {kits} kit(s) need {need}"
    return [_v("service-too-short", msg, *where)]


def _check_travel(ctx: Ctx, td: TeamDay, team: Team, legs: list[Leg]) -> list[Violation]:
    """Reported minutes and km per leg match the matrices; day totals add up; drive limit kept."""
    out = []
    driven = 0
    for leg in legs:
        known = leg_matrix(ctx, team, leg)
        if known is None:
            continue
        t, km = known
        site = leg.stop.site_id if leg.stop else None
        what = f"drive to {site}" if leg.stop else "drive to the end place"
        if t >= UNREACHABLE_MIN:
            msg = f"{what}: no route for a {team.vehicle.value}, the places are on islands no crossing joins"
            out.append(_v("no-crossing", msg, team.id, td.date, site))
            continue
        driven += t
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


def _check_day_totals(td: TeamDay, legs: list[Leg]) -> list[Violation]:
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
