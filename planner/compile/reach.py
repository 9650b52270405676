"""Which team-day could reach which site: the relaxation shared by the upper bound and the reasons."""

from __future__ import annotations

import numpy as np

from planner.compile.instance import Compiled, day_reach
from planner.compile.travel import UNREACHABLE_MIN


def reach_matrix(c: Compiled, day_places: dict[int, tuple[int, int]]) -> np.ndarray:
    """bool team-day × site: the team-day could visit the site alone and still end in time.

    A team allowed to stay out may lodge anywhere it can travel to, so it reaches every compatible
    site open that day that has some route from its base (a relaxation: its own trip is chosen later;
    a site on an island no crossing joins has none).
    """
    out = np.zeros((len(c.team_days), len(c.scenario.sites)), dtype=bool)
    open_on: dict[int, np.ndarray] = {}  # day → bool per site: open that day (read once per day, not per team-day)
    for i, td in enumerate(c.team_days):
        if c.scenario.teams[td.team].max_nights_out > 0:
            routed = c.duration[c.scenario.teams[td.team].vehicle][td.team, c.n_teams:] < UNREACHABLE_MIN
            if td.day not in open_on:
                open_on[td.day] = np.array([bool(w[td.day]) for w in c.windows], dtype=bool)
            out[i] = c.compatible[td.team] & routed & open_on[td.day]
        else:
            start, end = day_places[i]
            out[i] = day_reach(c, td, start, end)
    return out
