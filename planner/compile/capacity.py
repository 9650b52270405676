"""What a team can do on a day and what a visit yields: kits, capacity, service time, visit sizes.

One place for these rules so the solver, the upper bound and the reports agree (the independent
validator re-derives them on its own).
"""

from __future__ import annotations

import datetime as dt
import math

from planner import units
from planner.model import Shift, Site, Team, VisitRules


def service_minutes(people: int, kits: int, rate_per_kit_hour: float, setup_min: int) -> int:
    """Minutes a team with `kits` working kits needs on site to record `people`."""
    if kits <= 0:
        raise ValueError("a team without a working kit cannot record")
    return setup_min + math.ceil(people * 60 / (kits * rate_per_kit_hour))


def working_minutes(shift: Shift) -> int:
    """Minutes of the shift outside its breaks."""
    return shift.work.minutes - sum(b.minutes for b in shift.breaks)


def team_day_capacity(team: Team, day: dt.date) -> int:
    """People the team's working kits could record that day if it never drove (an upper bound)."""
    shift = team.shift_on(day)
    kits = team.working_kits(day)
    if shift is None or kits == 0:
        return 0
    return math.floor(kits * team.rate_per_kit_hour * working_minutes(shift) / 60)


def visit_sizes(site: Site, rules: VisitRules, fits: int | None = None) -> list[int]:
    """Expected people at the 1st, 2nd, … visit of the week: turnout falls as the willing come first.

    A visit records at most `rules.max_people_per_visit`, and at most `fits`: what the best team
    can record within the site's longest opening window.
    """
    cap = rules.max_people_per_visit if fits is None else max(1, min(rules.max_people_per_visit, fits))
    sizes: list[int] = []
    remaining = site.unrecorded
    for k in range(rules.max_visits_per_site):
        people = expected_people(site, rules, k + 1, remaining, cap)
        if people <= 0 or (k > 0 and people < units.MIN_PEOPLE_REPEAT_VISIT):
            break
        sizes.append(people)
        remaining -= people
    return sizes


def expected_people(site: Site, rules: VisitRules, visit_no: int, remaining: int, fits: int) -> int:
    """People expected at the `visit_no`-th visit when `remaining` are left and `fits` can be recorded."""
    turnout = site.turnout * rules.repeat_turnout_decay ** (visit_no - 1)
    people = min(fits, math.floor(turnout * remaining + 1e-9))
    if visit_no == 1 and people == 0 and remaining > 0 and fits > 0:
        people = 1  # a tiny site still gets a (short) visit
    return max(0, people)


def most_in_one_visit(
    site: Site, teams: list[Team], dates: list[dt.date], team_days: list[list[tuple[Shift, int] | None]] | None = None,
) -> int | None:
    """People the fastest team could record in one visit within the site's longest window.

    `team_days`: `working_days(team, dates)` per team of `teams`, computed once by a caller that asks
    for many sites (the same figures either way)."""
    per_team = [working_days(t, dates) for t in teams] if team_days is None else team_days
    best = None
    for d, day in enumerate(dates):
        windows = site.windows_on(day)
        if not windows:
            continue
        for team, days in zip(teams, per_team):
            got = days[d]
            if got is None:
                continue
            shift, kits = got
            for w in windows:
                span = min(w.end, shift.work.end) - max(w.start, shift.work.start)
                n = math.floor((span - team.setup_min) * kits * team.rate_per_kit_hour / 60)
                best = n if best is None else max(best, n)
    return best


def working_days(team: Team, dates: list[dt.date]) -> list[tuple[Shift, int] | None]:
    """Per date: the team's shift and working kits, or None when it has no shift or no working kit."""
    out: list[tuple[Shift, int] | None] = []
    for day in dates:
        shift, kits = team.shift_on(day), team.working_kits(day)
        out.append(None if shift is None or kits == 0 else (shift, kits))
    return out
