"""Apply field outcomes to a scenario: kits down or back, sites closed, links closed, teams unavailable.

Facts only change the part of the week that is still to be planned: dates from the re-plan date on.
A team that has already started its day at the re-plan time keeps that day's team (it is unavailable
from the next day), and a kit fact that would leave a started team without any kit that day counts
from the next day too (the team finishes what it has begun; see `planner.replan.week`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from planner.model import ClosedLink, Kit, KitStatus, Scenario, Site, Team
from planner.io.outcomes import KitBack, KitDown, LinkClosed, Outcomes, SiteClosed, TeamUnavailable

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Frozen:
    """What the re-plan keeps: the first date it plans, teams already out that date, sites visited per date."""

    first_date: dt.date
    started_teams: frozenset[str]  # teams with a visit made (or started) on first_date
    visited: frozenset[tuple[str, dt.date]]  # (site id, date) of every visit kept as made


def apply_facts(scenario: Scenario, outcomes: Outcomes, frozen: Frozen) -> Scenario:
    """The scenario with the facts applied to the dates still to plan."""
    dates = [d for d in scenario.horizon.dates if d >= frozen.first_date]
    teams = _teams(scenario, outcomes, frozen, dates)
    sites = _sites(scenario, outcomes, frozen, dates)
    links = list(scenario.closed_links)
    for fact in outcomes.of(LinkClosed):
        closed = frozenset(fact.dates(dates))
        if closed:
            links.append(ClosedLink(a=fact.from_place, b=fact.to_place, dates=closed))
    return scenario.model_copy(update={"teams": teams, "sites": sites, "closed_links": tuple(links)})


def _teams(scenario: Scenario, outcomes: Outcomes, frozen: Frozen, dates: list[dt.date]) -> tuple[Team, ...]:
    kit_owner = {k.id: t.id for t in scenario.teams for k in t.kits}
    kit_facts: dict[str, list[KitDown | KitBack]] = defaultdict(list)
    for fact in outcomes.outcomes:
        if isinstance(fact, (KitDown, KitBack)):
            kit_facts[kit_owner[fact.kit_id]].append(fact)
    out = []
    for team in scenario.teams:
        open_date = frozen.first_date + (ONE_DAY if team.id in frozen.started_teams else dt.timedelta(0))
        off = set(team.off_dates)
        for fact in outcomes.of(TeamUnavailable):
            if fact.team_id == team.id:
                off |= {d for d in fact.dates(dates) if d >= open_date}
        kits = _kits(team, kit_facts[team.id], frozen.first_date, dates)
        started = team.id in frozen.started_teams
        if started and not any(k.works_on(frozen.first_date) for k in kits):
            kits = _kits(team, kit_facts[team.id], frozen.first_date + ONE_DAY, dates)
        out.append(team.model_copy(update={"kits": kits, "off_dates": frozenset(off)}))
    return tuple(out)


def _kits(team: Team, facts: list[KitDown | KitBack], first: dt.date, dates: list[dt.date]) -> tuple[Kit, ...]:
    """The team's kits after its kit facts, in the order reported, from date `first` on."""
    kits = {k.id: k for k in team.kits}
    for fact in facts:
        kit = kits[fact.kit_id]
        start = max(fact.date, first)
        if isinstance(fact, KitDown):
            last = (fact.until or dates[-1]) if dates else fact.date
            down = {d for d in dates if start <= d <= last}
            kits[kit.id] = kit.model_copy(update={"down_dates": kit.down_dates | down})
        else:
            kits[kit.id] = _back_from(kit, start)
    return tuple(kits[k.id] for k in team.kits)


def _back_from(kit: Kit, start: dt.date) -> Kit:
    """The kit working from `start` on (earlier dates as they were)."""
    down = frozenset(d for d in kit.down_dates if d < start)
    if kit.status == KitStatus.working or (kit.status == KitStatus.in_repair and kit.repair_until is not None and kit.repair_until < start):
        return kit.model_copy(update={"down_dates": down})
    return Kit(id=kit.id, status=KitStatus.in_repair, repair_until=start - ONE_DAY, down_dates=down)


def _sites(scenario: Scenario, outcomes: Outcomes, frozen: Frozen, dates: list[dt.date]) -> tuple[Site, ...]:
    closed: dict[str, set[dt.date]] = defaultdict(set)
    for fact in outcomes.of(SiteClosed):
        closed[fact.site_id] |= {d for d in fact.dates(dates) if (fact.site_id, d) not in frozen.visited}
    return tuple(
        s.model_copy(update={"closed_dates": s.closed_dates | closed[s.id]}) if closed.get(s.id) else s
        for s in scenario.sites
    )
