"""Overnight trips: where a team allowed to stay out sleeps, and on which days.

A team with `max_nights_out > 0` gets one trip: it drives from base to a lodging village on the
first day, works from there, and comes back on the last. The lodging is the village whose
surroundings hold the most value that no team can reach on a day trip from its base: remote
villages are the point of outreach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.compile.instance import Compiled, WorkDay, day_reach
from planner.solve.pending import trip_nights

LODGING_BLOCK = 1 << 21  # pairs read at a time when weighing lodgings (travel may be computed on demand)


@dataclass(frozen=True)
class Trip:
    team: int
    lodging_site: int
    team_days: tuple[int, ...]  # indices into Compiled.team_days, consecutive dates


def day_trip_reach(c: Compiled) -> np.ndarray:
    """Sites some team can reach on a day trip from its base (bool per site)."""
    reach = np.zeros(len(c.scenario.sites), dtype=bool)
    for td in c.team_days:
        reach |= day_reach(c, td, td.team, td.team)
    return reach


def plan_trips(c: Compiled) -> list[Trip]:
    """One trip per team allowed to stay out, to the most valuable cluster out of day-trip reach."""
    unreached = ~day_trip_reach(c)
    value = np.array([c.weight[s] * sum(c.sizes[s]) for s in range(len(c.sizes))]) * unreached
    trips: list[Trip] = []
    for t, team in enumerate(c.scenario.teams):
        if team.max_nights_out <= 0:
            continue
        lodging, gain = _best_lodging(c, t, value)
        if lodging is None or gain <= 0:
            continue
        nights = trip_nights(team.max_nights_out, c.scenario.sites[lodging], c.scenario.visits.max_pending_days)
        days = _trip_days(c, t, nights)
        if len(days) < 2:
            continue
        trips.append(Trip(team=t, lodging_site=lodging, team_days=days))
        value = value * ~_near(c, t, lodging)  # the next team looks elsewhere
    return trips


def _trip_days(c: Compiled, team: int, nights: int) -> tuple[int, ...]:
    """The first run of consecutive working days of the team, at most nights + 1 long."""
    own = [(i, td) for i, td in enumerate(c.team_days) if td.team == team]
    best: list[int] = []
    run: list[tuple[int, WorkDay]] = []
    for i, td in own:
        if run and td.day != run[-1][1].day + 1:
            run = []
        run.append((i, td))
        if len(run) > len(best):
            best = [j for j, _ in run]
        if len(best) == nights + 1:
            break
    return tuple(best)


def _near(c: Compiled, team: int, lodging: int) -> np.ndarray:
    """Sites a team staying at `lodging` can do a round trip to within its driving limit."""
    t = c.scenario.teams[team]
    dur = c.duration_any_day(t.vehicle)  # a lodging reached over a link closed some day is no lodging
    lp = c.site_point(lodging)
    sites = c.n_teams + np.arange(len(c.scenario.sites))
    return np.asarray(c.compatible[team] & (dur[lp, sites] + dur[sites, lp] <= t.max_drive_min))


def _best_lodging(c: Compiled, team: int, value: np.ndarray) -> tuple[int | None, float]:
    """The compatible village within a day's drive of base with the most unreached value nearby."""
    t = c.scenario.teams[team]
    dur = c.duration_any_day(t.vehicle)  # a lodging reached over a link closed some day is no lodging
    sites = c.n_teams + np.arange(len(c.scenario.sites))
    candidates = np.nonzero(c.compatible[team] & (dur[team, sites] <= t.max_drive_min))[0]
    if len(candidates) == 0:
        return None, 0.0
    cand_pts = c.n_teams + candidates
    own = np.nonzero(c.compatible[team])[0]  # only these count: the others add no value
    own_pts = c.n_teams + own
    gains = np.zeros(len(candidates))
    step = max(1, LODGING_BLOCK // max(1, len(own)))  # candidates at a time: a block, never the whole matrix
    for k in range(0, len(candidates), step):
        pts = cand_pts[k : k + step]
        round_trip = dur[np.ix_(pts, own_pts)].astype(np.int64) + dur[np.ix_(own_pts, pts)].T
        gains[k : k + step] = (round_trip <= t.max_drive_min).astype(float) @ value[own]
    best = int(np.argmax(gains))
    return int(candidates[best]), float(gains[best])
