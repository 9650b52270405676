"""Why a site got no visit: the first rule that explains it, from hard facts to lower value."""

from __future__ import annotations

from collections import Counter

import numpy as np

from planner.compile.instance import Compiled, owns, requirement_gaps
from planner.compile.travel import UNREACHABLE_MIN
from planner.plan import LeftOutReason as R

_GAP_TEXT = {
    "needs_generator": "no electricity and no team that covers it has a generator",
    "needs_clearance": "needs a clearance no team that covers it holds",
    "needs_vehicle": "its access mode needs a vehicle no team that covers it has",
}


def left_out_reason(c: Compiled, s: int, reach: np.ndarray) -> tuple[R, str]:
    """Reason code and a plain sentence for an unvisited site."""
    site = c.scenario.sites[s]
    if site.unrecorded == 0:
        return R.no_unrecorded, "nobody left to record"
    owners = [t for t in c.scenario.teams if owns(t.regency_code, site.regency_code)]
    if not owners:
        return R.no_team, f"no team's office covers regency {site.regency_code or '(none)'}"
    if not c.compatible[:, s].any():
        gap, _ = Counter(g for t in owners for g in requirement_gaps(t, site)).most_common(1)[0]
        return R(gap), _GAP_TEXT[gap]
    tds = [i for i, td in enumerate(c.team_days) if c.compatible[td.team, s]]
    open_days = {d for d, w in enumerate(c.windows[s]) if w}
    if not open_days:
        return R.closed_all_days, "closed on every day of the week"
    if not any(c.team_days[i].day in open_days for i in tds):
        return _closed_or_no_kit(c, s, open_days)
    if not reach[:, s].any():
        if not any(_routed(c, t, s) for t in range(c.n_teams) if c.compatible[t, s]):
            return R.no_crossing, "on an island that no crossing joins to the island of any team that could go"
        return R.out_of_reach, "no team-day can get there, record and get back within its hours and driving limit"
    return R.lower_value, "reachable, but the teams' time went to sites of higher value"


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
