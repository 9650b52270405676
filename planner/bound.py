"""An upper bound on recordings: no plan can record more (max flow of a capacity relaxation).

Team-days supply their kit capacity (as if they never drove or set up), sites demand every visit
they could have this week, and a team-day connects to a site only if it could reach it alone.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow

from planner.compile import Compiled


def upper_bound(c: Compiled, reach: np.ndarray) -> int:
    """Maximum recordings over the relaxation (see module doc)."""
    n_td, n_sites = reach.shape
    source, sink = n_td + n_sites, n_td + n_sites + 1
    flow = max_flow.SimpleMaxFlow()
    big = int(sum(td.capacity for td in c.team_days)) + 1
    for i, td in enumerate(c.team_days):
        flow.add_arc_with_capacity(source, i, int(td.capacity))
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
