"""A capacity model calibrated on the campaign's own plans, to screen decisions without planning them.

A team-day with k working kits and W working minutes records about

    p(k) = f × W / (o + 60 / (k × rate))

people, where o is the team's overhead per person recorded (its driving and set-up minutes over its
recordings) and f the share of that it really achieved; both are measured per team and week on the
baseline plans (falling back to the team's whole campaign, then its regency's, then the province's).
A decision changes k on some team-days (repair first, lend a kit), adds team-days (add a team, with
the regency's o and f), or changes the driving part of o (move a base, add a team: scaled by the
mean distance from the base to the people the team could record, excluding the sites other teams
visit, over that of the regency's teams to the sites they visit). A regency's weekly gain is scaled
by the share of its week's supply the baseline leaves (supply: what every site's visits of the week
could draw by the turnout rule) and capped at that remainder. The model ignores that recordings
gained now are people later weeks would have recorded: bench/campaign.py measures its error against
real plans, and the top decisions are confirmed by planning them (`confirm.py`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from planner.campaign.actions import Action, AddTeam, LendKit, MoveBase, RepairFirst
from planner.campaign.weeks import CampaignRun
from planner.compile.capacity import visit_sizes, working_minutes
from planner.compile.great_circle import great_circle_km
from planner.model import Scenario, Site, Team

Key = tuple[str, int]  # (team id, week)


@dataclass(frozen=True)
class Calibration:
    """Overhead minutes per person (o) and achieved share (f) per team and week, with fallbacks."""

    overhead: dict[Key, float]
    share: dict[Key, float]
    travel_share: dict[str, float]  # of o, the part that is driving, per team
    spare: dict[tuple[str, int], tuple[float, float]]  # (regency, week) → (supply left by the baseline, its share)

    def of(self, key: Key) -> tuple[float, float]:
        return self.overhead[key], self.share[key]


@dataclass
class _Tally:
    overhead_min: float = 0.0
    recorded: float = 0.0
    modelled: float = 0.0
    travel_min: float = 0.0
    days: int = 0

    def add(self, other: _Tally) -> None:
        for name in ("overhead_min", "recorded", "modelled", "travel_min", "days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def day_yield(team: Team, kits: int, minutes: int, overhead: float) -> float:
    """People a team-day records in the model before the achieved share (see module doc)."""
    if kits <= 0 or minutes <= 0:
        return 0.0
    return minutes / (overhead + 60.0 / (kits * team.rate_per_kit_hour))


def _team_dates(scenario: Scenario) -> list[tuple[Team, dt.date, int, int]]:
    """(team, date, working kits, working minutes) of every team-day the team works."""
    out = []
    for team in scenario.teams:
        for day in scenario.horizon.dates:
            shift = team.shift_on(day)
            if shift is not None:
                out.append((team, day, team.working_kits(day), working_minutes(shift)))
    return out


def calibrate(run: CampaignRun) -> Calibration:
    """o and f per team and week from the baseline plans (see module doc)."""
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    for w in run.weeks:
        by_day = {(td.team_id, td.date): td for td in w.plan.team_days}
        for team, day, kits, _minutes in _team_dates(w.scenario):
            td = by_day.get((team.id, day))
            t = tallies[(team.id, w.index)]
            if td is not None and td.recordings > 0:
                t.overhead_min += td.travel_min + len(td.stops) * team.setup_min
                t.recorded += td.recordings
                t.travel_min += td.travel_min
            if kits > 0:
                t.days += 1
    regency = {t.id: t.regency_code for t in run.start.teams}
    team_all: dict[str, _Tally] = defaultdict(_Tally)
    reg_week: dict[tuple[str, int], _Tally] = defaultdict(_Tally)
    province: dict[int, _Tally] = defaultdict(_Tally)
    for (tid, wk), t in tallies.items():
        team_all[tid].add(t)
        reg_week[(regency.get(tid, ""), wk)].add(t)
        province[wk].add(t)

    def o_of(tid: str, wk: int) -> float:
        for t in (tallies.get((tid, wk)), team_all.get(tid), reg_week.get((regency.get(tid, ""), wk)), province.get(wk)):
            if t is not None and t.recorded > 0:
                return t.overhead_min / t.recorded
        return 10.0  # nothing recorded anywhere: a visit of 100 people with 2 h driving and set-up

    overhead = {key: o_of(*key) for key in tallies}
    modelled: dict[Key, float] = defaultdict(float)
    for w in run.weeks:
        for team, _, kits, minutes in _team_dates(w.scenario):
            modelled[(team.id, w.index)] += day_yield(team, kits, minutes, overhead[(team.id, w.index)])
    for key, t in tallies.items():
        t.modelled = modelled[key]
    share = {}
    for key, t in tallies.items():
        tid, wk = key
        for cand in (t, team_all.get(tid), reg_week.get((regency.get(tid, ""), wk)), province.get(wk)):
            if cand is not None and cand.modelled > 0 and cand.recorded > 0:
                share[key] = cand.recorded / cand.modelled
                break
        else:
            share[key] = 0.0
    travel = {tid: (t.travel_min / t.overhead_min if t.overhead_min else 0.5) for tid, t in team_all.items()}
    return Calibration(overhead, share, travel, _spare(run))


def _spare(run: CampaignRun) -> dict[tuple[str, int], tuple[float, float]]:
    """Per regency and week: the supply the baseline leaves, and that as a share of the supply."""
    out = {}
    recorded = run.recorded_by_regency()
    for w in run.weeks:
        supply: dict[str, float] = defaultdict(float)
        for site in w.scenario.sites:
            supply[site.regency_code] += sum(visit_sizes(site, w.scenario.visits))
        for code, total in supply.items():
            left = max(0.0, total - recorded.get(code, [0] * len(run.weeks))[w.index])
            out[(code, w.index)] = (left, left / total if total > 0 else 0.0)
    return out


def predict(run: CampaignRun, cal: Calibration, action: Action) -> dict[str, float]:
    """Predicted extra recordings to the deadline per regency code (see module doc)."""
    weekly: dict[tuple[str, int], float] = defaultdict(float)
    teams0 = run.start.team_by_id()
    added_ratio = _added_ratio(run, action) if isinstance(action, AddTeam) else 1.0
    for w in run.weeks:
        for team, day, kits, minutes in _team_dates(w.scenario):
            extra = _extra_kits(action, team, day, kits, w.index)
            overhead, share = _overhead(run, cal, action, team, w.index), cal.share[(team.id, w.index)]
            if extra or overhead != cal.overhead[(team.id, w.index)]:
                before = day_yield(team, kits, minutes, cal.overhead[(team.id, w.index)])
                weekly[(team.regency_code, w.index)] += share * (day_yield(team, kits + extra, minutes, overhead) - before)
        if isinstance(action, AddTeam) and w.index < action.weeks:
            template = teams0[action.template_id]
            o, f, t = _regency_mean(cal, w.scenario, action.regency, w.index)
            o = o * ((1 - t) + t * added_ratio)
            for day in w.scenario.horizon.dates:
                shift = template.shift_on(day)
                if shift is not None:
                    weekly[(action.regency, w.index)] += f * day_yield(template, action.kits, working_minutes(shift), o)
    gains: dict[str, float] = defaultdict(float)
    for (code, wk), g in weekly.items():
        left, free = cal.spare.get((code, wk), (0.0, 0.0))
        gains[code] += min(g * free, left) if g > 0 else g
    return {code: g for code, g in gains.items() if g != 0}


def _extra_kits(action: Action, team: Team, day: dt.date, kits: int, week: int) -> int:
    if isinstance(action, RepairFirst) and team.id == action.team_id:
        kit = next(k for k in team.kits if k.id == action.kit_id)
        return int(day >= action.back and not kit.works_on(day))
    if isinstance(action, LendKit) and team.id == action.team_id:
        return 1
    return 0


def _overhead(run: CampaignRun, cal: Calibration, action: Action, team: Team, week: int) -> float:
    o = cal.overhead[(team.id, week)]
    if not isinstance(action, MoveBase) or team.id != action.team_id:
        return o
    ratio = _distance_ratio(run, action)
    t = cal.travel_share.get(team.id, 0.5)
    return o * ((1 - t) + t * ratio)


def _distance_ratio(run: CampaignRun, action: MoveBase) -> float:
    """Mean distance from the new base to the people the team could record, over that from the old one."""
    s = run.start
    team = s.team_by_id()[action.team_id]
    others = {st.site_id for w in run.weeks for td in w.plan.team_days if td.team_id != team.id for st in td.stops}
    mine = sum(st.people for w in run.weeks for td in w.plan.team_days if td.team_id == team.id for st in td.stops)
    pool = [x for x in s.sites if x.regency_code == action.regency and x.unrecorded > 0 and x.id not in others]
    if not pool or mine <= 0:
        return 1.0
    return _mean_km(action.lat, action.lon, pool, 2 * mine) / _mean_km(team.base_lat, team.base_lon, pool, 2 * mine)


def _added_ratio(run: CampaignRun, action: AddTeam) -> float:
    """Mean distance from an added team's base to the people no team visits, over that of the
    regency's teams to the people they record (the sites left to a new team lie farther out)."""
    s = run.start
    teams = {t.id: t for t in s.teams if t.regency_code == action.regency}
    sites = s.site_by_id()
    visited: set[str] = set()
    km = people = 0.0
    for w in run.weeks:
        for td in w.plan.team_days:
            if td.team_id in teams:
                t = teams[td.team_id]
                for st in td.stops:
                    x = sites[st.site_id]
                    visited.add(x.id)
                    km += st.people * float(great_circle_km(t.base_lat, t.base_lon, x.lat, x.lon))
                    people += st.people
    pool = [x for x in s.sites if x.regency_code == action.regency and x.unrecorded > 0 and x.id not in visited]
    if not pool or people <= 0:
        return 1.0
    base = teams[action.template_id]
    share = people / max(1, len(teams))
    return _mean_km(base.base_lat, base.base_lon, pool, 2 * share) / (km / people + 1.0)


def _mean_km(lat0: float, lon0: float, pool: list[Site], amount: float) -> float:
    """People-weighted mean distance (+1 km) from a point to its nearest sites of `pool` holding
    `amount` people at one visit's turnout."""
    lat = np.array([x.lat for x in pool])
    lon = np.array([x.lon for x in pool])
    people = np.array([x.unrecorded * x.turnout for x in pool])
    d = np.asarray(great_circle_km(lat0, lon0, lat, lon), dtype=float)
    order = np.argsort(d, kind="stable")
    sel = order[: np.searchsorted(np.cumsum(people[order]), amount) + 1]
    return float((d[sel] * people[sel]).sum() / max(people[sel].sum(), 1e-9)) + 1.0


def _regency_mean(cal: Calibration, scenario: Scenario, regency: str, week: int) -> tuple[float, float, float]:
    """The regency's teams' mean o, f and driving share of o in a week."""
    keys = [(t.id, week) for t in scenario.teams if t.regency_code == regency and (t.id, week) in cal.overhead]
    if not keys:
        return 10.0, 0.0, 0.5
    return (float(np.mean([cal.overhead[k] for k in keys])), float(np.mean([cal.share[k] for k in keys])),
            float(np.mean([cal.travel_share.get(k[0], 0.5) for k in keys])))
