"""Roll a week forward: next week's scenario from what the field recorded.

* Unrecorded counts: each site's count less the people of its visits reported done (never below 0).
  Visits not reported are not subtracted: only what was recorded counts.
* Turnout: a site with reported visits gets `TURNOUT_BLEND` of its old turnout and the rest of the
  observed one, bounded to [TURNOUT_MIN, 1]. The observed turnout is the old one scaled by
  recorded ÷ expected, where expected is what the rule (turnout × decay^(k-1) × remaining, no time
  cap) gave each reported visit, so a village that came out twice as strong doubles its estimate
  before blending.
* Kits: a kit down at the end of the week is in repair until its reported `until` (if that is
  after the week) or broken (no date known); a kit working at the end of the week is working.
* The horizon moves 7 days on; the teams' and links' dates of the old week are dropped.
* Facts that last into the next week (a site, link or team closed `until` a later date) are applied
  to its dates by the same `apply_facts` a re-plan uses, so next week's plan avoids them too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from planner.replan.facts import Frozen, apply_facts
from planner.model import Horizon, Kit, KitStatus, Scenario, Site
from planner.io.outcomes import KitDown, LinkClosed, Outcomes, SiteClosed, TeamUnavailable, VisitDone, VisitMissed
from planner.plan import Plan

VisitKey = tuple[str, str, dt.date]  # (site id, team id, date) of a report

TURNOUT_BLEND = 0.5  # weight of the old estimate
TURNOUT_MIN = 0.02
WEEK = dt.timedelta(days=7)
CARRIED = (SiteClosed, LinkClosed, TeamUnavailable)  # facts with an `until` that may reach into next week


def roll_week(scenario: Scenario, plan: Plan, outcomes: Outcomes) -> Scenario:
    """The next week's scenario (see module doc)."""
    start = scenario.horizon.start + WEEK
    horizon = Horizon(start=start, days=scenario.horizon.days)
    applied = apply_facts(scenario, outcomes, Frozen(scenario.horizon.start, frozenset(), frozenset()))
    last = scenario.horizon.dates[-1]
    downs = {f.kit_id: f for f in outcomes.of(KitDown)}  # the last report of each kit
    teams = tuple(
        t.model_copy(update={
            "kits": tuple(_next_kit(k, last, start, downs.get(k.id)) for k in t.kits),
            "off_dates": frozenset(d for d in t.off_dates if d >= start),
        })
        for t in applied.teams
    )
    recorded, turnout = _observed(scenario, plan, outcomes)
    sites = tuple(
        s.model_copy(update={"unrecorded": max(0, s.unrecorded - recorded.get(s.id, 0)), "turnout": turnout.get(s.id, s.turnout)})
        for s in scenario.sites
    )
    links = tuple(
        link.model_copy(update={"dates": frozenset(d for d in link.dates if d >= start)})
        for link in applied.closed_links  # with the field's closures: a road reported closed into next week stays closed
        if any(d >= start for d in link.dates)
    )
    rolled = scenario.model_copy(update={"horizon": horizon, "teams": teams, "sites": sites, "closed_links": links})
    lasting = Outcomes(outcomes=tuple(o for o in outcomes.outcomes if isinstance(o, CARRIED)))
    return apply_facts(rolled, lasting, Frozen(start, frozenset(), frozenset()))


def _next_kit(kit: Kit, last: dt.date, start: dt.date, down: KitDown | None) -> Kit:
    """The kit's status for a week starting `start`, from how it stood on `last`."""
    if kit.works_on(last):
        return Kit(id=kit.id)
    if kit.status == KitStatus.in_repair and last not in kit.down_dates:
        return Kit(id=kit.id, status=KitStatus.in_repair, repair_until=kit.repair_until)
    if down is not None and last in kit.down_dates:
        if down.until is None:
            return Kit(id=kit.id, status=KitStatus.broken)
        if down.until >= start:
            return Kit(id=kit.id, status=KitStatus.in_repair, repair_until=down.until)
        return Kit(id=kit.id)
    return Kit(id=kit.id, status=kit.status, repair_until=kit.repair_until)


def _observed(scenario: Scenario, plan: Plan, outcomes: Outcomes) -> tuple[dict[str, int], dict[str, float]]:
    """People recorded per site, and the blended turnout of sites with reported visits."""
    done = {(o.site_id, o.team_id, o.date): o.people for o in outcomes.of(VisitDone)}
    missed = {(o.site_id, o.team_id, o.date) for o in outcomes.of(VisitMissed)}
    visits: dict[str, list[tuple[dt.date, int, VisitKey, int]]] = defaultdict(list)
    for td in plan.team_days:
        for stop in td.stops:
            visits[stop.site_id].append((td.date, stop.start_min, (stop.site_id, td.team_id, td.date), stop.people))
    recorded: dict[str, int] = defaultdict(int)
    turnout: dict[str, float] = {}
    sites = scenario.site_by_id()
    for site_id, seq in visits.items():
        site = sites[site_id]
        actual, expected = _actual_and_expected(site, scenario, sorted(seq), done, missed)
        if actual is None:
            continue
        recorded[site_id] = actual
        if expected > 0:
            observed = site.turnout * actual / expected
            blended = TURNOUT_BLEND * site.turnout + (1 - TURNOUT_BLEND) * observed
            turnout[site_id] = round(min(1.0, max(TURNOUT_MIN, blended)), 4)
    return dict(recorded), turnout


def _actual_and_expected(
    site: Site, scenario: Scenario, seq: list[tuple[dt.date, int, VisitKey, int]], done: dict[VisitKey, int], missed: set[VisitKey]
) -> tuple[int | None, float]:
    """Recorded people of the site's reported visits and what the turnout rule expected of them.

    Visits go by date and time; the k-th visit made was expected to draw turnout × decay^(k-1) of
    what the plan left before it. A report covers all of a team's visits to the site that day.
    """
    remaining, k, actual, expected = site.unrecorded, 0, 0, 0.0
    counted: set[VisitKey] = set()
    for _, _, key, planned in seq:
        if key in missed:
            continue
        if key in done:
            expected += site.turnout * scenario.visits.repeat_turnout_decay**k * remaining
            if key not in counted:
                actual, counted = actual + done[key], counted | {key}
        remaining, k = max(0, remaining - planned), k + 1
    return (actual if counted else None), expected
