"""What a re-plan keeps: the previous plan's visits before the re-plan time (or reported done or
missed) as facts, per team-day, and the previous visits that are planned again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.io.outcomes import Outcomes, VisitDone, VisitMissed
from planner.model import Scenario
from planner.plan import Plan, Stop, StopOutcome, TeamDay
from planner.replan.churn import OldVisit
from planner.replan.facts import Frozen

Key = tuple[str, dt.date]  # (team id, date)
VisitKey = tuple[str, str, dt.date]  # (site id, team id, date) of a report


@dataclass
class KeptDay:
    """A previous team-day's visits kept as facts (its first `len(stops)` stops)."""

    old: TeamDay
    stops: list[Stop]
    ready: int  # clock minute from which the team can do anything new that day
    whole: bool  # a day before the re-plan date: nothing of it is planned again


def freeze(scenario: Scenario, plan: Plan, outcomes: Outcomes, from_time: dt.datetime) -> tuple[dict[Key, KeptDay], Frozen]:
    """The previous plan's visits kept as facts, per team-day, and what that fixes for the facts."""
    first = max(from_time.date(), scenario.horizon.start)
    clock = from_time.hour * 60 + from_time.minute if from_time.date() >= scenario.horizon.start else 0
    done = {(o.site_id, o.team_id, o.date): o for o in outcomes.of(VisitDone)}
    missed = {(o.site_id, o.team_id, o.date) for o in outcomes.of(VisitMissed)}
    facts = done.keys() | missed
    no_kit = scenario.districts_without_fixed_kit()
    weight = {s.id: scenario.site_weight(s, no_kit) for s in scenario.sites}
    kept: dict[Key, KeptDay] = {}
    for td in plan.team_days:
        reported = [k for k, s in enumerate(td.stops) if (s.site_id, td.team_id, td.date) in facts]
        started = [k for k, s in enumerate(td.stops) if td.date == first and s.start_min < clock]
        whole = td.date < first
        n = len(td.stops) if whole else max(reported + started, default=-1) + 1
        if not whole and n == 0:
            continue
        stops = _as_facts(td, n, done, missed, weight)
        ready = max([clock if td.date == first else 0] + [s.end_min for s in stops] + [s.actual_end_min or 0 for s in stops])
        kept[(td.team_id, td.date)] = KeptDay(old=td, stops=stops, ready=ready, whole=whole)
    frozen = Frozen(
        first_date=first,
        started_teams=frozenset(t for (t, d), k in kept.items() if d == first and k.stops),
        visited=frozenset((s.site_id, d) for (_, d), k in kept.items() for s in k.stops if s.outcome != StopOutcome.missed),
    )
    return kept, frozen


def _as_facts(td: TeamDay, n: int, done: dict[VisitKey, VisitDone], missed: set[VisitKey], weight: dict[str, float]) -> list[Stop]:
    """The first `n` stops of a day as facts: recorded people when done, nobody when missed.

    A report names a site, team and date; when the plan has several visits there that day (one
    long stay split into visits), the recorded people are shared in proportion to the planned ones.
    """
    shares = _shares(td, done)
    out = []
    update: dict[str, object]
    for pos, stop in enumerate(td.stops[:n]):
        key = (stop.site_id, td.team_id, td.date)
        if key in missed or (key in done and shares[pos] == 0):
            people, update = 0, {"outcome": StopOutcome.missed}
        elif key in done:
            people = shares[pos]
            update = {"outcome": StopOutcome.done, "actual_start_min": done[key].start, "actual_end_min": done[key].end}
        else:
            people, update = stop.people, {"outcome": StopOutcome.assumed_done}
        out.append(stop.model_copy(update={**update, "people": people, "value": round(people * weight[stop.site_id], 6)}))
    return out


def _shares(td: TeamDay, done: dict[VisitKey, VisitDone]) -> dict[int, int]:
    """Per stop position with a done report: its share of the recorded people (largest remainder)."""
    groups: dict[str, list[int]] = {}
    for pos, stop in enumerate(td.stops):
        if (stop.site_id, td.team_id, td.date) in done:
            groups.setdefault(stop.site_id, []).append(pos)
    out: dict[int, int] = {}
    for site_id, positions in groups.items():
        total = done[(site_id, td.team_id, td.date)].people
        planned = [max(1, td.stops[p].people) for p in positions]
        raw = [total * w / sum(planned) for w in planned]
        parts = [int(x) for x in raw]
        for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[: total - sum(parts)]:
            parts[i] += 1
        out.update(zip(positions, parts))
    return out


def replanned_visits(plan: Plan, kept: dict[Key, KeptDay]) -> list[OldVisit]:
    """The previous plan's visits that are planned again."""
    out = []
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        n = len(k.stops) if k else 0
        out += [OldVisit(s.site_id, td.team_id, td.date, s.people) for s in td.stops[n:]]
    return out


def nothing_changes(scenario: Scenario, updated: Scenario, kept: dict[Key, KeptDay]) -> bool:
    """No fact changes the scenario and every reported visit went exactly as planned."""
    if updated != scenario:
        return False
    for k in kept.values():
        for old, new in zip(k.old.stops, k.stops):
            if new.outcome == StopOutcome.missed or new.people != old.people:
                return False
    return True


def unchanged_days(plan: Plan, kept: dict[Key, KeptDay]) -> list[TeamDay]:
    """The previous team-days with kept stops marked as facts (people and times as they were)."""
    out = []
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        stops = (k.stops if k else []) + [s.model_copy() for s in td.stops[len(k.stops) if k else 0 :]]
        out.append(td.model_copy(update={"stops": stops}))
    return out
