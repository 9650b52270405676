"""An upper bound on recordings: no plan can record more (max flow of a capacity relaxation).

Team-days supply their kit capacity less one set-up and their shortest round trip to a site they
can reach (any working day with a visit spends at least that without recording); sites demand
every visit they could have this week; a team-day connects to a site only if it could reach it.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow

from planner.compile.instance import Compiled


def team_day_supply(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]]) -> list[int]:
    """People each team-day could record at most: kit rate × (working minutes − set-up − shortest trip)."""
    out = []
    for i, td in enumerate(c.team_days):
        team = c.scenario.teams[td.team]
        sites = np.nonzero(reach[i])[0]
        if len(sites) == 0:
            out.append(0)
            continue
        trip = 0
        if team.max_nights_out == 0:  # a team that may lodge anywhere could sleep next door
            start, end = day_places[i]
            dur = c.duration[team.vehicle]
            trip = int(np.min(dur[start, c.n_teams + sites] + dur[c.n_teams + sites, end]))
        minutes = td.work_end - td.work_start - sum(b1 - b0 for b0, b1 in td.breaks) - team.setup_min - trip
        out.append(int(max(0, minutes) * td.kits * team.rate_per_kit_hour // 60))
    return out


def upper_bound(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]]) -> int:
    """Maximum recordings over the relaxation (see module doc)."""
    supply = team_day_supply(c, reach, day_places)
    n_td, n_sites = reach.shape
    source, sink = n_td + n_sites, n_td + n_sites + 1
    flow = max_flow.SimpleMaxFlow()
    big = int(sum(supply)) + 1
    for i, cap in enumerate(supply):
        flow.add_arc_with_capacity(source, i, cap)
    tds, sites = np.nonzero(reach)
    for i, s in zip(tds.tolist(), sites.tolist()):
        flow.add_arc_with_capacity(i, n_td + s, big)
    for s in range(n_sites):
        demand = int(sum(c.sizes[s]))
        if demand:
            flow.add_arc_with_capacity(n_td + s, sink, demand)
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise RuntimeError("max flow for the upper bound did not solve")
    return int(flow.optimal_flow())
