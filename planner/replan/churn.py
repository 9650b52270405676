"""Churn of a re-plan: which visits after the re-plan time kept their team and date, moved, came or went.

Visits are compared per site, since a site's visit numbers shift when an earlier visit is missed
or added: a new visit is `kept` when the previous plan had a visit to that site by the same team on
the same date, `moved` when it had one by another team or on another date, `added` otherwise;
the previous plan's visits left unmatched are `dropped`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from planner.plan import Churn, Stop, StopChange, StopOutcome, TeamDay


@dataclass(frozen=True)
class OldVisit:
    """A visit of the previous plan after the re-plan time."""

    site_id: str
    team_id: str
    date: dt.date
    people: int


def mark_churn(old_rest: list[OldVisit], team_days: list[TeamDay], old_expected: int) -> Churn:
    """Set `change` on every planned stop of `team_days` and count the churn (see module doc)."""
    old_at: dict[str, Counter[tuple[str, dt.date]]] = defaultdict(Counter)
    for v in old_rest:
        old_at[v.site_id][(v.team_id, v.date)] += 1
    new_by_site: dict[str, list[tuple[dt.date, str, int, Stop]]] = defaultdict(list)
    for td in team_days:
        for stop in td.stops:
            if stop.outcome is None:
                new_by_site[stop.site_id].append((td.date, td.team_id, stop.start_min, stop))
    kept = moved = added = 0
    for site_id, stops in new_by_site.items():
        old = old_at.get(site_id, Counter())
        unmatched_new = []
        for date, team_id, _, stop in sorted(stops, key=lambda x: x[:3]):
            if old[(team_id, date)] > 0:
                old[(team_id, date)] -= 1
                stop.change = StopChange.kept
                kept += 1
            else:
                unmatched_new.append(stop)
        spare = sum(old.values())
        for stop in unmatched_new:
            if spare > 0:
                stop.change, spare, moved = StopChange.moved, spare - 1, moved + 1
            else:
                stop.change, added = StopChange.added, added + 1
    every = [s for td in team_days for s in td.stops]
    new_total = sum(s.people for s in every)
    return Churn(
        kept=kept,
        moved=moved,
        added=added,
        dropped=len(old_rest) - kept - moved,
        done=sum(s.outcome == StopOutcome.done for s in every),
        missed=sum(s.outcome == StopOutcome.missed for s in every),
        assumed_done=sum(s.outcome == StopOutcome.assumed_done for s in every),
        old_expected_recordings=old_expected,
        new_expected_recordings=new_total,
        gain=new_total - old_expected,
        old_rest_recordings=sum(v.people for v in old_rest),
        new_rest_recordings=sum(s.people for s in every if s.outcome is None),
    )
