"""A capacity model calibrated on the campaign's own plans, to screen decisions without planning them.

A team-day's recordings are a share η of its capacity (working kits × rate × working hours, what it
could record if it never drove): teams make about as many visits a day whatever their kits, and a
visit's size is bound by the time on site, so recordings grow with the kits. η is measured per team
and week on the baseline plans (falling back to the team's whole campaign, then its regency's week,
then the province's). A decision adds capacity on some team-days (repair first, lend a kit), adds
team-days (add a team, at its regency's η), or changes the time a team drives (move a base: the
driving share τ of its working time scales with the mean distance from the base to the people it
could record, excluding the sites other teams visit, so η becomes η × (1 − τ·d) ÷ (1 − τ)).
A regency's weekly gain is scaled by the share of its week's supply the baseline leaves (supply:
what every site's visits of the week could draw by the turnout rule) and capped at that remainder.
The model ignores that recordings gained now are people later weeks would have recorded:
bench/campaign.py measures its error against real plans, and the top decisions are confirmed by
planning them (`confirm.py`).
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
    """η (recordings ÷ capacity) and τ (driving ÷ working time) per team and week; supply left per regency-week."""

    share: dict[Key, float]
    driving: dict[Key, float]
    spare: dict[tuple[str, int], tuple[float, float]]  # (regency, week) → (supply left by the baseline, its share)


@dataclass
class _Tally:
    recorded: float = 0.0
    capacity: float = 0.0
    travel_min: float = 0.0
    minutes: float = 0.0

    def add(self, other: _Tally) -> None:
        for name in ("recorded", "capacity", "travel_min", "minutes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def capacity(team: Team, kits: int, minutes: int) -> float:
    """People `kits` working kits of the team could record in `minutes` without driving."""
    return max(0, kits) * team.rate_per_kit_hour * max(0, minutes) / 60.0


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
    """η and τ per team and week from the baseline plans (see module doc)."""
    tallies: dict[Key, _Tally] = defaultdict(_Tally)
    for w in run.weeks:
        by_day = {(td.team_id, td.date): td for td in w.plan.team_days}
        for team, day, kits, minutes in _team_dates(w.scenario):
            if kits <= 0:
                continue
            t = tallies[(team.id, w.index)]
            td = by_day.get((team.id, day))
            t.capacity += capacity(team, kits, minutes)
            t.minutes += minutes
            if td is not None:
                t.recorded += td.recordings
                t.travel_min += td.travel_min
    regency = {t.id: t.regency_code for t in run.start.teams}
    team_all: dict[str, _Tally] = defaultdict(_Tally)
    reg_week: dict[tuple[str, int], _Tally] = defaultdict(_Tally)
    province: dict[int, _Tally] = defaultdict(_Tally)
    for (tid, wk), t in tallies.items():
        team_all[tid].add(t)
        reg_week[(regency.get(tid, ""), wk)].add(t)
        province[wk].add(t)
    keys = {(t.id, w.index) for w in run.weeks for t in w.scenario.teams}
    share, driving = {}, {}
    for tid, wk in keys:
        chain = (tallies.get((tid, wk)), team_all.get(tid), reg_week.get((regency.get(tid, ""), wk)), province.get(wk))
        usable = [t for t in chain if t is not None and t.capacity > 0 and t.recorded > 0]
        share[(tid, wk)] = usable[0].recorded / usable[0].capacity if usable else 0.0
        driving[(tid, wk)] = min(0.9, usable[0].travel_min / usable[0].minutes) if usable else 0.3
    return Calibration(share, driving, _spare(run))


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
    ratio = _distance_ratio(run, action) if isinstance(action, MoveBase) else 1.0
    for w in run.weeks:
        for team, day, kits, minutes in _team_dates(w.scenario):
            key = (team.id, w.index)
            eta = cal.share[key]
            extra = _extra_kits(action, team, day)
            if extra:
                weekly[(team.regency_code, w.index)] += eta * capacity(team, extra, minutes)
            if isinstance(action, MoveBase) and team.id == action.team_id:
                tau = cal.driving[key]
                moved = eta * max(0.0, 1 - tau * ratio) / max(1e-9, 1 - tau)
                weekly[(team.regency_code, w.index)] += (moved - eta) * capacity(team, kits, minutes)
        if isinstance(action, AddTeam) and w.index < action.weeks:
            template = run.start.team_by_id()[action.template_id]
            eta = _regency_share(cal, w.scenario, action.regency, w.index)
            for day in w.scenario.horizon.dates:
                shift = template.shift_on(day)
                if shift is not None:
                    weekly[(action.regency, w.index)] += eta * capacity(template, action.kits, working_minutes(shift))
    gains: dict[str, float] = defaultdict(float)
    for (code, wk), g in weekly.items():
        left, free = cal.spare.get((code, wk), (0.0, 0.0))
        gains[code] += min(g * free, left) if g > 0 else g
    return {code: g for code, g in gains.items() if g != 0}


def _extra_kits(action: Action, team: Team, day: dt.date) -> int:
    if isinstance(action, RepairFirst) and team.id == action.team_id:
        kit = next(k for k in team.kits if k.id == action.kit_id)
        return int(day >= action.back and not kit.works_on(day))
    if isinstance(action, LendKit) and team.id == action.team_id:
        return 1
    return 0


def _regency_share(cal: Calibration, scenario: Scenario, regency: str, week: int) -> float:
    """The mean η of the regency's teams in a week (0 when it has none)."""
    values = [cal.share[(t.id, week)] for t in scenario.teams if t.regency_code == regency and (t.id, week) in cal.share]
    return float(np.mean(values)) if values else 0.0


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
