"""Records not yet sent: recordings made where there is no signal stay on the kit until the team stands
where there is (a site with signal, its office, a lodging with signal). The plan shows per team-day
how many records are still waiting at the end of the day; an overnight trip is kept short enough
that none waits longer than `visits.max_pending_days` (the validator checks it, planner/check/pending.py).
"""

from __future__ import annotations

import datetime as dt

from planner.model import Scenario, Site
from planner.plan import Place, Plan, TeamDay


def place_has_signal(place: Place, sites: dict[str, Site]) -> bool:
    """An office has signal; a lodging as much as the site it is at."""
    if place.kind == "lodging" and place.site_id in sites:
        return sites[place.site_id].signal
    return True


def trip_nights(max_nights_out: int, lodging: Site, max_pending_days: int) -> int:
    """Nights a trip may last: a lodging without signal holds records until the team is back at its office."""
    return max_nights_out if lodging.signal else min(max_nights_out, max_pending_days)


def with_pending(scenario: Scenario, plan: Plan) -> Plan:
    """The plan with pending_records and pending_since set on every team-day."""
    sites = scenario.site_by_id()
    updated: dict[tuple[str, dt.date], TeamDay] = {}
    by_team: dict[str, list[TeamDay]] = {}
    for td in plan.team_days:
        by_team.setdefault(td.team_id, []).append(td)
    for days in by_team.values():
        held: list[tuple[dt.date, int]] = []  # (made on, records) waiting for signal
        for td in sorted(days, key=lambda d: d.date):
            for stop in td.stops:
                site = sites.get(stop.site_id)
                if site is not None and not site.signal:
                    held.append((td.date, stop.people))
                else:
                    held = []
            if place_has_signal(td.end_place, sites):
                held = []
            waiting = sum(n for _, n in held)
            since = min((d for d, n in held if n), default=None)
            updated[(td.team_id, td.date)] = td.model_copy(update={"pending_records": waiting, "pending_since": since})
    return plan.model_copy(update={"team_days": [updated[(td.team_id, td.date)] for td in plan.team_days]})
