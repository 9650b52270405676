"""Benchmark: the bundled Jambi week — visits dropped while timing routes, same-day repeat visits, recordings.

Run: .venv/bin/python bench/timing_fix.py --limit 30 --label after
Prints one JSON line (and appends it to bench/results/timing_fix.csv) so before/after runs taken
back to back on the same machine can be compared (bench/results/timing_fix.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections import Counter
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def same_day_repeats(plan) -> int:
    """Visits of a site made by the same team on the same date as an earlier visit of that site."""
    seen = Counter((td.team_id, td.date, s.site_id) for td in plan.team_days for s in td.stops)
    return sum(n - 1 for n in seen.values() if n > 1)


def one_run(limit: float, seed: int, label: str) -> dict:
    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.solve.week import SolveOptions, plan_week
    from planner.check.validate import validate_plan

    sc = load_scenario(jambi_scenario_path())
    t0 = time.perf_counter()
    plan = plan_week(sc, SolveOptions(time_limit_s=limit, seed=seed))
    wall = time.perf_counter() - t0
    dropped = re.search(r"(\d+) visits dropped while timing routes", plan.solve.status)
    violations = validate_plan(sc, plan)
    return {
        "label": label,
        "time_limit_s": limit,
        "seed": seed,
        "expected_recordings": plan.kpis.expected_recordings,
        "upper_bound": plan.kpis.upper_bound,
        "visits": plan.kpis.visits,
        "dropped_while_timing": int(dropped.group(1)) if dropped else 0,
        "same_day_repeats": same_day_repeats(plan),
        "violations": len(violations),
        "violation_codes": " ".join(sorted({v.code for v in violations})),
        "wall_s": round(wall, 1),
    }


def run_and_record(one_run, csv_name: str) -> None:
    """Parse --limit/--seed/--label, run once, print the row and append it to bench/results/CSV_NAME."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    row = one_run(args.limit, args.seed, args.label)
    print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / csv_name
    new = not path.exists()
    with path.open("a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new:
            w.writeheader()
        w.writerow(row)


def main() -> None:
    run_and_record(one_run, "timing_fix.csv")


if __name__ == "__main__":
    main()
