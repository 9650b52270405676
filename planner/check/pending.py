"""The validator's check of records not yet sent: none waits on a kit longer than visits.max_pending_days,
and each team-day shows the records still waiting at its end (recomputed here from stops and signal)."""

from __future__ import annotations

import datetime as dt

from planner.check.violations import Violation
from planner.model import Scenario
from planner.plan import Plan, TeamDay


def check_pending(scenario: Scenario, plan: Plan) -> list[Violation]:
    """pending-too-long and pending-mismatch violations of the plan."""
    sites = scenario.site_by_id()
    limit = scenario.visits.max_pending_days
    out: list[Violation] = []
    teams: dict[str, list[TeamDay]] = {}
    for td in plan.team_days:
        teams.setdefault(td.team_id, []).append(td)
    for team_id, days in teams.items():
        days = sorted(days, key=lambda d: d.date)
        waiting: list[tuple[dt.date, str, int]] = []  # (made on, site, people) not yet sent
        for td in days:
            for stop in td.stops:
                site = sites.get(stop.site_id)
                if site is None or site.signal:
                    out += _sent(waiting, td.date, limit, team_id)
                    waiting = []
                else:
                    waiting.append((td.date, stop.site_id, stop.people))
            end = td.end_place
            lodging_site = sites.get(end.site_id) if end.kind == "lodging" and end.site_id else None
            if lodging_site is None or lodging_site.signal:
                out += _sent(waiting, td.date, limit, team_id)
                waiting = []
            shown = sum(p for _, _, p in waiting)
            if td.pending_records != shown:
                out.append(Violation("pending-mismatch", team_id, td.date, None,
                                     f"pending_records is {td.pending_records}, the stops leave {shown} records unsent"))
        if waiting:  # the week ends before the team reaches signal: they wait at least until the next day
            out += _sent(waiting, days[-1].date + dt.timedelta(days=1), limit, team_id)
    return out


def _sent(waiting: list[tuple[dt.date, str, int]], day: dt.date, limit: int, team_id: str) -> list[Violation]:
    """Violations for records sent on `day` that waited more than `limit` days."""
    return [
        Violation("pending-too-long", team_id, made, site,
                  f"{people} records made {made} without signal wait until {day} ({(day - made).days} days > {limit})")
        for made, site, people in waiting
        if people and (day - made).days > limit
    ]
