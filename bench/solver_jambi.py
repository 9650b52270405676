"""Benchmark: plan the bundled Jambi week at several time limits; recordings vs the upper bound.

Run: .venv/bin/python bench/solver_jambi.py --limits 10 30 60
Writes bench/results/solver_jambi.{csv,md}. Each limit runs in a fresh process so its wall time
and peak memory (this process + its solver workers) are its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def one_run(limit: float, seed: int) -> dict:
    """Plan once (in this process) and return the figures as a dict."""
    import time

    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.solve.week import SolveOptions, plan_week
    from planner.check.validate import validate_plan

    sc = load_scenario(jambi_scenario_path())
    t0 = time.perf_counter()
    plan = plan_week(sc, SolveOptions(time_limit_s=limit, seed=seed))
    wall = time.perf_counter() - t0
    violations = validate_plan(sc, plan)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    k = plan.kpis
    return {
        "time_limit_s": limit,
        "seed": seed,
        "sites": len(sc.sites),
        "team_days": len({(t.team_id, t.date) for t in plan.team_days}),
        "expected_recordings": k.expected_recordings,
        "upper_bound": k.upper_bound,
        "ratio_to_bound": round(k.expected_recordings / k.upper_bound, 4),
        "weighted_value": k.weighted_value,
        "sites_served": k.sites_served,
        "visits": k.visits,
        "travel_hours": k.travel_hours,
        "wall_s": round(wall, 1),
        "peak_mem_mib": round(peak_kb / 1024, 1),
        "violations": len(violations),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limits", type=float, nargs="+", default=[10, 30, 60])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.one, args.seed)))
        return
    rows = []
    for limit in args.limits:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(limit), "--seed", str(args.seed)],
            check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    write(rows, " ".join(sys.argv[1:]))


def write(rows: list[dict], argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "solver_jambi.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cols = list(rows[0])
    lines = [
        "# Weekly plan for the bundled Jambi province: recordings vs upper bound",
        "",
        f"Command: `.venv/bin/python bench/solver_jambi.py {argv}`".rstrip(),
        machine(),
        "",
        "`ratio_to_bound` = expected recordings ÷ upper bound (the bound ignores travel and set-up, so 1.0 is out of reach).",
        "`violations` is what the independent validator found (must be 0).",
        "",
        *markdown_table(cols, rows),
    ]
    (RESULTS / "solver_jambi.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
