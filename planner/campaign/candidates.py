"""The decisions worth screening for a campaign, from its starting scenario and baseline run.

* Repair first: every kit that is broken, or in repair until later than a repair started now would
  take (`repair_days`), if it would be back before the deadline.
* Lend a kit: for every team, the working fixed kit of the district office of its regency whose
  district has the fewest people left to record (the office that misses it least).
* Add a team: to every regency that has a team, for 2 weeks and for the whole campaign.
* Move a base: for every regency team, to the district of its regency with the most people left
  that lies at least `MOVE_MIN_KM` from every base of the regency's teams (at the site there with
  the most people left: the base is the village, e.g. its district office's town).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from planner.campaign.actions import Action, AddTeam, LendKit, MoveBase, RepairFirst
from planner.campaign.assumptions import MOVE_MIN_KM, CampaignOptions
from planner.campaign.weeks import CampaignRun
from planner.compile.great_circle import great_circle_km
from planner.model import KitStatus, Scenario, Site


def candidates(run: CampaignRun, options: CampaignOptions) -> list[Action]:
    """Every decision to screen for this campaign (see module doc), in a stable order."""
    s = run.start
    return [*_repairs(s, options), *_loans(s), *_added_teams(s, len(run.weeks), options), *_moves(s)]


def _repairs(s: Scenario, options: CampaignOptions) -> list[Action]:
    back = s.horizon.start + dt.timedelta(days=options.repair_days)
    if back > options.deadline:
        return []
    out: list[Action] = []
    for team in s.teams:
        for kit in team.kits:
            late = kit.status == KitStatus.in_repair and kit.repair_until is not None and kit.repair_until >= back
            if kit.status == KitStatus.broken or late:
                out.append(RepairFirst(kit.id, team.id, team.regency_code, back))
    return out


def _district_left(s: Scenario) -> dict[str, int]:
    left: dict[str, int] = defaultdict(int)
    for site in s.sites:
        left[site.district_code] += site.unrecorded
    return left


def _loans(s: Scenario) -> list[Action]:
    left = _district_left(s)
    working = [d for d in s.district_offices if d.fixed_kit_working]
    out: list[Action] = []
    for team in s.teams:
        mine = [d for d in working if not team.regency_code or d.district_code.startswith(team.regency_code + ".")]
        if not mine:
            continue
        office = min(mine, key=lambda d: (left.get(d.district_code, 0), d.district_code))
        out.append(LendKit(office.district_code, office.name, team.id, team.regency_code))
    return out


def _added_teams(s: Scenario, weeks: int, options: CampaignOptions) -> list[Action]:
    out: list[Action] = []
    firsts: dict[str, str] = {}
    for team in s.teams:
        if team.regency_code:
            firsts.setdefault(team.regency_code, team.id)
    for regency, template in sorted(firsts.items()):
        for n in sorted({min(2, weeks), weeks}):
            out.append(AddTeam(regency, n, template, options.add_team_kits))
    return out


def _moves(s: Scenario) -> list[Action]:
    bases: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for team in s.teams:
        bases[team.regency_code].append((team.base_lat, team.base_lon))
    by_district: dict[str, list[Site]] = defaultdict(list)
    for site in s.sites:
        if site.unrecorded > 0 and site.district_code:
            by_district[site.district_code].append(site)
    names = {d.district_code: d.name for d in s.district_offices}
    out: list[Action] = []
    for team in s.teams:
        if not team.regency_code:
            continue
        best = None
        for code, sites in by_district.items():
            if not code.startswith(team.regency_code + "."):
                continue
            top = max(sites, key=lambda x: (x.unrecorded, x.id))
            near = min(great_circle_km(top.lat, top.lon, lat, lon) for lat, lon in bases[team.regency_code])
            people = sum(x.unrecorded for x in sites)
            if near >= MOVE_MIN_KM and (best is None or people > best[0]):
                best = (people, code, top)
        if best is not None:
            _, code, top = best
            place = f"{top.name} ({names[code]})" if names.get(code) else top.name
            out.append(MoveBase(team.id, team.regency_code, top.lat, top.lon, place, code))
    return out
