"""Which team-day could reach which site: the relaxation shared by the upper bound and the reasons."""

from __future__ import annotations

import numpy as np

from planner.compile.instance import Compiled, day_reach


def reach_matrix(c: Compiled, day_places: dict[int, tuple[int, int]]) -> np.ndarray:
    """bool team-day × site: the team-day could visit the site alone and still end in time.

    A team allowed to stay out may lodge anywhere, so it reaches every compatible site open that
    day (a relaxation: its own trip is chosen later).
    """
    out = np.zeros((len(c.team_days), len(c.scenario.sites)), dtype=bool)
    for i, td in enumerate(c.team_days):
        if c.scenario.teams[td.team].max_nights_out > 0:
            out[i] = c.compatible[td.team] & np.array([bool(w[td.day]) for w in c.windows])
        else:
            start, end = day_places[i]
            out[i] = day_reach(c, td, start, end)
    return out
