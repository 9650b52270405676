"""Benchmark: CPU seconds and peak memory of each step before the search, for one scenario (issue 13:
memory and time that scale). Travel is read on demand (planner/compile/table.py), so a province's steps
stay far from its points² matrices.

Run: .venv/bin/python bench/plan_stages.py SCENARIO
   e.g. a generated 20,000-site province (the API's default JEMPUT_MAX_SITES):
   .venv/bin/python -m jemput.cli synth --varied --provinces 1 --sites 20000 --out out/big
   .venv/bin/python bench/plan_stages.py out/big/prov-70/scenario.yaml
Prints one line per step: its CPU seconds and the process's peak resident memory so far; the last
lines give the largest part (visit nodes) and its greedy first plan.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.check.bound import upper_bound  # noqa: E402
from planner.compile.instance import compile_scenario  # noqa: E402
from planner.compile.reach import reach_matrix  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402
from planner.solve.fallback import greedy_routes  # noqa: E402
from planner.solve.parts import build_instance, places, regency_parts  # noqa: E402
from planner.solve.trips import plan_trips  # noqa: E402
from planner.solve.week import REGENCY_MAX_SITES  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", type=Path)
    args = ap.parse_args()
    clock = [time.process_time()]

    def lap(name: str) -> None:
        now = time.process_time()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}: {now - clock[0]:.1f} CPU s, peak {peak:.0f} MB", flush=True)
        clock[0] = now

    sc = load_scenario(args.scenario)
    lap(f"load ({len(sc.sites)} sites, {len(sc.teams)} teams)")
    c = compile_scenario(sc)
    lap("compile")
    trips = plan_trips(c)
    day_places = places(c, trips)
    lap(f"overnight trips ({len(trips)})")
    reach = reach_matrix(c, day_places)
    lap("reach")
    done = np.zeros(len(sc.sites), dtype=np.int64)
    insts = [build_instance(c, p, done, day_places, 0, REGENCY_MAX_SITES) for p in regency_parts(c)]
    lap(f"regency parts ({len(insts)})")
    big = max(insts, key=lambda i: len(i.node_point))
    greedy_routes(big)
    lap(f"greedy first plan of the largest part ({big.name}: {len(big.node_point)} nodes, {len(big.vehicles)} team-days)")
    upper_bound(c, reach, day_places)
    lap("max-flow bound")


if __name__ == "__main__":
    main()
