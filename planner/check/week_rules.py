"""The rules across team-days: one team-day per team and date, lodging nights that chain, visits of a
site numbered in time order within turnout and caps, left-out sites and the key figures."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict

from planner.check.context import Ctx
from planner.check.violations import Violation
from planner.check.violations import clock as _clock
from planner.check.violations import violation as _v
from planner.model import Site
from planner.plan import Place, Plan, Stop, StopOutcome, TeamDay

PEOPLE_TOL = 1  # people: a visit may exceed its expected turnout by this much (rounding)


def _days_by_team(ctx: Ctx, plan: Plan) -> dict[str, list[TeamDay]]:
    """Team-days of each known team, by date."""
    out: dict[str, list[TeamDay]] = defaultdict(list)
    for td in plan.team_days:
        if td.team_id in ctx.teams:
            out[td.team_id].append(td)
    return {t: sorted(days, key=lambda d: d.date) for t, days in out.items()}


def check_duplicates(plan: Plan) -> list[Violation]:
    """At most one team-day per team and date."""
    counts = Counter((td.team_id, td.date) for td in plan.team_days)
    return [
        _v("duplicate-team-day", f"{n} team-days for the same team and date", team, day)
        for (team, day), n in counts.items()
        if n > 1
    ]


def check_continuity(ctx: Ctx, plan: Plan) -> list[Violation]:
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


def _stops_by_site(ctx: Ctx, plan: Plan) -> dict[str, list[tuple[TeamDay, Stop]]]:
    """Stops at known sites, per site, in visit-number then time order."""
    out: dict[str, list[tuple[TeamDay, Stop]]] = defaultdict(list)
    for td in plan.team_days:
        for stop in td.stops:
            if stop.site_id in ctx.sites and stop.outcome != StopOutcome.missed:
                out[stop.site_id].append((td, stop))
    return {s: sorted(v, key=lambda p: (p[1].visit, p[0].date, p[1].start_min)) for s, v in out.items()}


def check_visits(ctx: Ctx, plan: Plan) -> list[Violation]:
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


def _check_visit_people(ctx: Ctx, site: Site, visits: list[tuple[TeamDay, Stop]]) -> list[Violation]:
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


def check_left_out(ctx: Ctx, plan: Plan) -> list[Violation]:
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


def check_kpis(ctx: Ctx, plan: Plan) -> list[Violation]:
    """Key figures equal those recomputed from the team-days; the bound is not below the plan."""
    k = plan.kpis
    stops = [s for td in plan.team_days for s in td.stops if s.outcome != StopOutcome.missed]
    total = sum(s.people for s in stops)
    unrecorded = sum(s.unrecorded for s in ctx.scenario.sites)
    exact: tuple[tuple[str, int, int], ...] = (
        ("expected_recordings", k.expected_recordings, total),
        ("visits", k.visits, len(stops)),
        ("sites_served", k.sites_served, len({s.site_id for s in stops})),
        ("sites_left_out", k.sites_left_out, len(plan.left_out)),
        ("total_unrecorded", k.total_unrecorded, unrecorded),
    )
    if k.idle_team_days is not None:
        exact += (("idle_team_days", k.idle_team_days, _idle_days(ctx, plan)),)
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
    bounds = {"upper_bound": k.upper_bound, "bound_max_flow": k.bound_max_flow, "bound_lp": k.bound_lp,
              "bound_whole_days": k.bound_whole_days}
    for name, bound in bounds.items():
        if bound is not None and bound < total:
            out.append(_v("bound-below-plan", f"{name} {bound} is below the plan's {total} recordings"))
    shown = [b for b in (k.bound_max_flow, k.bound_lp, k.bound_whole_days) if b is not None]
    if shown and k.upper_bound != min(shown):
        out.append(_v("bound-not-tightest", f"upper_bound {k.upper_bound}, the bounds are {shown}"))
    return out


def _idle_days(ctx: Ctx, plan: Plan) -> int:
    """Days of the horizon a team works (a shift) with a working kit and has no stop in the plan."""
    busy = {(td.team_id, td.date) for td in plan.team_days if td.stops}
    return sum(
        1
        for team in ctx.scenario.teams
        for day in ctx.scenario.horizon.dates
        if team.shift_on(day) is not None and team.working_kits(day) > 0 and (team.id, day) not in busy
    )
