"""Why a site got no visit: the first rule that explains it, from hard facts to lower value."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from planner.compile.instance import Compiled, owns, requirement_gaps
from planner.compile.reach import reach_matrix
from planner.plan import IdleReason, IdleTeamDay, LeftOut, StopOutcome, TeamDay
from planner.compile.travel import UNREACHABLE_MIN
from planner.plan import LeftOutReason as R

_GAP_TEXT = {
    R.needs_generator: "no electricity and no team that covers it has a generator",
    R.needs_clearance: "needs a clearance no team that covers it holds",
    R.needs_vehicle: "its access mode needs a vehicle no team that covers it has",
    R.needs_skill: "needs a skill no team that covers it has",
}


@dataclass(frozen=True)
class Unserved:
    """What an assembled week leaves undone: sites with no visit and team-days with none, each with
    why, and the reach (team-day × site) the bound is computed on."""

    left_out: list[LeftOut]
    idle: list[IdleTeamDay]
    reach: np.ndarray


def unserved(
    c: Compiled, team_days: list[TeamDay], day_places: dict[int, tuple[int, int]], out_of_time: Iterable[int] = ()
) -> Unserved:
    """Every site without a visit made or planned and every idle team-day, with the first rule that
    explains it (`out_of_time`: compiled team-days whose part's search ran out of time). The one
    left-out loop of `plan_week` and the re-plan."""
    served = {s.site_id for td in team_days for s in td.stops if s.outcome != StopOutcome.missed}
    reach = reach_matrix(c, day_places)
    plannable = first_visit_reach(c, day_places)
    hurried = idle_mask(c, team_days)
    hurried[list(out_of_time)] = True
    in_trip = within_a_trip(c)
    team_and_day = team_day_arrays(c)
    left = []
    for s, site in enumerate(c.scenario.sites):
        if site.id not in served:
            reason, detail = left_out_reason(c, s, reach, in_trip, hurried, plannable, team_and_day)
            left.append(LeftOut(site_id=site.id, reason=reason, detail=detail, unrecorded=site.unrecorded,
                                remaining_after_plan=site.unrecorded))
    return Unserved(left, idle_reasons(c, team_days, plannable, served), reach)


def left_out_reason(
    c: Compiled, s: int, reach: np.ndarray, in_trip: np.ndarray, hurried: np.ndarray | None = None,
    plannable: np.ndarray | None = None, team_and_day: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[R, str]:
    """Reason code and a plain sentence for an unvisited site.

    `in_trip` (bool per site, `within_a_trip`): some able team can drive there on its longest trip.
    `plannable` (team-day × site, `first_visit_reach`): the team-day can make the site's first visit
    as the planner sizes it. `hurried` (bool per team-day): days whose part's search ran out of time,
    or left idle; a site one of them could plan was not reached in time, not beaten by more valuable sites.
    `team_and_day`: `team_day_arrays(c)`, computed once by a caller that asks for many sites.
    """
    site = c.scenario.sites[s]
    if site.unrecorded == 0:
        return R.no_unrecorded, "nobody left to record"
    owners = [t for t in c.scenario.teams if owns(t.regency_code, site.regency_code)]
    if not owners:
        return R.no_team, f"no team's office covers regency {site.regency_code or '(none)'}"
    if not c.compatible[:, s].any():
        gap, _ = Counter(g for t in owners for g in requirement_gaps(t, site)).most_common(1)[0]
        return gap, _GAP_TEXT[gap]
    td_team, td_day = team_day_arrays(c) if team_and_day is None else team_and_day
    open_days = {d for d, w in enumerate(c.windows[s]) if w}
    if not open_days:
        return R.closed_all_days, "closed on every day of the week"
    able_days = td_day[c.compatible[td_team, s]]
    if not np.isin(able_days, list(open_days)).any():
        return _closed_or_no_kit(c, s, open_days)
    if not reach[:, s].any():
        if not any(_routed(c, t, s) for t in range(c.n_teams) if c.compatible[t, s]):
            return R.no_crossing, "on an island that no crossing joins to the island of any team that could go"
        return R.out_of_reach, "no team-day can get there, record and get back within its hours and driving limit"
    if not in_trip[s]:
        return R.out_of_reach, "farther from every base of a team that could go than its daily driving limit allows on its longest trip"
    can = reach[:, s] if plannable is None else plannable[:, s]
    if not can.any():
        first = c.sizes[s][0] if c.sizes[s] else 0
        return R.out_of_reach, f"no team-day can get there, make its first visit ({first} people) and get back within its hours and driving limit"
    if hurried is not None and (can & hurried).any():
        return R.not_reached_in_time, "reachable, but the search ran out of time before giving it to a team that could go"
    return R.lower_value, "reachable, but the teams that could go were busy with sites of higher value"


def team_day_arrays(c: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """Team index and day index of every compiled team-day, as arrays (for reading many sites)."""
    n = len(c.team_days)
    return (np.fromiter((td.team for td in c.team_days), dtype=np.int64, count=n),
            np.fromiter((td.day for td in c.team_days), dtype=np.int64, count=n))


def idle_reasons(c: Compiled, team_days: list[TeamDay], reach: np.ndarray, served: set[str]) -> list[IdleTeamDay]:
    """Every compiled team-day (a working day with a working kit) with no visit in the plan, and why
    (`reach`: what each team-day could plan, `first_visit_reach`)."""
    busy = {(td.team_id, td.date) for td in team_days if td.stops}
    sites = c.scenario.sites
    waiting = np.array([site.unrecorded > 0 and site.id not in served for site in sites], dtype=bool)
    has_people = np.array([site.unrecorded > 0 for site in sites], dtype=bool)
    out = []
    for i, td in enumerate(c.team_days):
        team = c.scenario.teams[td.team]
        if (team.id, td.date) in busy:
            continue
        if not (reach[i] & has_people).any():
            reason, detail = IdleReason.nothing_in_reach, "no site with people left whose first visit it can reach, make and come back from"
        elif not (reach[i] & waiting).any():
            reason, detail = IdleReason.sites_served, "every site it can reach is visited by other team-days"
        else:
            n = int((reach[i] & waiting).sum())
            reason, detail = IdleReason.out_of_time, f"{n} sites it can reach are unvisited: the search ran out of time"
        out.append(IdleTeamDay(team_id=team.id, date=td.date, working_kits=td.kits, reason=reason, detail=detail))
    return out


def first_visit_reach(c: Compiled, day_places: dict[int, tuple[int, int]]) -> np.ndarray:
    """Team-day × site: could make the site's first visit as planned (its largest; `reach_matrix`,
    the bound's relaxation, judges the smallest visit, which a plan may never offer first)."""
    return reach_matrix(dataclasses.replace(c, sizes=[sizes[:1] for sizes in c.sizes]), day_places)


def idle_mask(c: Compiled, team_days: list[TeamDay]) -> np.ndarray:
    """bool per compiled team-day: it has no visit in the plan."""
    busy = {(td.team_id, td.date) for td in team_days if td.stops}
    return np.array([(c.scenario.teams[td.team].id, td.date) not in busy for td in c.team_days], dtype=bool)


def within_a_trip(c: Compiled) -> np.ndarray:
    """bool per site: some compatible team could drive from its base to it within its daily driving limit
    times the days of its longest trip (nights out + 1). The bound's reach lets a team that stays out
    lodge anywhere it has a route to; a reason must not call a site 575 km away "reachable"."""
    out = np.zeros(len(c.scenario.sites), dtype=bool)
    for t, team in enumerate(c.scenario.teams):
        from_base = np.asarray(c.duration[team.vehicle][t, c.n_teams:])  # one row per team, not one read per site
        out |= c.compatible[t] & (from_base <= team.max_drive_min * (team.max_nights_out + 1))
    return out


def _routed(c: Compiled, t: int, s: int) -> bool:
    """Whether the team's vehicle has any route from its base to the site (over crossings if need be)."""
    team = c.scenario.teams[t]
    return bool(c.duration[team.vehicle][t, c.site_point(s)] < UNREACHABLE_MIN)


def _closed_or_no_kit(c: Compiled, s: int, open_days: set[int]) -> tuple[R, str]:
    """A compatible team works on an open day but has no working kit then, or none works then."""
    for t, team in enumerate(c.scenario.teams):
        if not c.compatible[t, s]:
            continue
        if any(team.shift_on(c.dates[d]) is not None for d in open_days):
            return R.no_working_kit, "every team that could go has no working kit on the days it is open"
    return R.closed_all_days, "closed on every day a team that could go works"
