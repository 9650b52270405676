"""Key figures of a plan: recordings, share of the unrecorded reached, travel, kit utilisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from planner.model import Scenario, Site
from planner.plan import GroupKpi, Kpis, StopOutcome, TeamDay, TeamDayKpi


def compute_kpis(
    scenario: Scenario, team_days: list[TeamDay], upper_bound: int, left_out: int, lp_bound: int | None = None,
    whole_days: int | None = None,
) -> Kpis:
    """Figures recomputed from the team-days (never from the solver's objective).

    `upper_bound` is the max-flow bound; the plan shows the tightest of it, `lp_bound` and
    `whole_days` (the LP's prices with every team-day's visits whole), those computed.
    """
    flow = upper_bound
    upper_bound = min(b for b in (flow, lp_bound, whole_days) if b is not None)
    recorded: dict[str, int] = defaultdict(int)
    value = 0.0
    for td in team_days:
        for s in td.stops:
            if s.outcome == StopOutcome.missed:  # a visit that did not happen serves nobody
                continue
            recorded[s.site_id] += s.people
            value += s.value
    total = sum(recorded.values())
    unrecorded = sum(s.unrecorded for s in scenario.sites)
    return Kpis(
        expected_recordings=total,
        upper_bound=upper_bound,
        bound_max_flow=flow,
        bound_lp=lp_bound,
        bound_whole_days=whole_days,
        gap_to_bound=round(1 - total / upper_bound, 4) if upper_bound else 0.0,
        weighted_value=round(value, 3),
        total_unrecorded=unrecorded,
        share_of_unrecorded=round(total / unrecorded, 4) if unrecorded else 0.0,
        sites_served=len(recorded),
        sites_left_out=left_out,
        visits=sum(s.outcome != StopOutcome.missed for td in team_days for s in td.stops),
        travel_hours=round(sum(td.travel_min for td in team_days) / 60, 2),
        travel_km=round(sum(td.travel_km for td in team_days), 1),
        by_regency=_groups(scenario, recorded, lambda s: s.regency_code or "-"),
        by_kind=_groups(scenario, recorded, lambda s: s.kind.value),
        idle_team_days=len(idle_days(scenario, team_days)),
        kit_utilisation=[
            TeamDayKpi(
                team_id=td.team_id,
                date=td.date,
                kit_utilisation=round(td.recordings / td.capacity, 4) if td.capacity else 0.0,
            )
            for td in team_days
        ],
    )


def idle_days(scenario: Scenario, team_days: list[TeamDay]) -> list[tuple[str, dt.date]]:
    """(team id, date) of every day a team works with a working kit and has no visit in the plan."""
    busy = {(td.team_id, td.date) for td in team_days if td.stops}
    return [
        (t.id, d)
        for t in scenario.teams
        for d in scenario.horizon.dates
        if t.shift_on(d) is not None and t.working_kits(d) > 0 and (t.id, d) not in busy
    ]


def _groups(scenario: Scenario, recorded: dict[str, int], key: Callable[[Site], str]) -> dict[str, GroupKpi]:
    unrec: dict[str, int] = defaultdict(int)
    rec: dict[str, int] = defaultdict(int)
    for s in scenario.sites:
        unrec[key(s)] += s.unrecorded
        rec[key(s)] += recorded.get(s.id, 0)
    return {
        k: GroupKpi(unrecorded=unrec[k], expected_recordings=rec[k], share=round(rec[k] / unrec[k], 4) if unrec[k] else 0.0)
        for k in sorted(unrec)
    }
