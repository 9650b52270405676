"""Diagnosis: what each part of `jemput plan` got and gave (its time, its first plan, its search's result).

Runs the real command in this process (`jemput plan SCENARIO --time-limit L --seed S --no-maps`, as
bench/plan_quality.py's `one_run` does) with the stage functions of planner/solve/week.py wrapped, and
prints one row per part: its planned end in seconds from its stage's start (`part_schedule`; the provincial
teams: the seconds they were given), the seconds it ran,
its status, the value and people of its greedy first plan (`greedy_routes`, recomputed after the run so
it takes no search time) and of the routes it returned, whether it kept the first plan (out of time).
Used by bench/regency_time.py's analysis to tell a part whose search did worse with more time from a
regency that lost to the provincial stage.

Run: .venv/bin/python bench/part_trace.py SCENARIO --limits 20 120 [--seed 0] [--parts 'regency 72.05' ...]
Prints a markdown table (one row per limit and part); `--csv FILE` writes it too.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import markdown_table  # noqa: E402


def trace(scenario: str, limit: float, seed: int, out_dir: str) -> list[dict]:
    """One `jemput plan` with each part's instance and result kept; one row per part."""
    import planner.solve.week as week
    from jemput.cli import app
    from planner.solve.fallback import greedy_routes, routes_value

    kept: list[tuple] = []
    run_parts, solve_part = week._run_parts, week.solve_part

    def spy_parts(insts, options, budget, total, report):
        order, ends = week.part_schedule([week.part_weight(i) for i in insts], options.workers or os.cpu_count() or 1, budget)
        results = run_parts(insts, options, budget, total, report)
        kept.extend((i, r, e) for i, r, e in zip(insts, results, ends))
        return results

    def spy_solve(inst, seconds, *a, **k):
        res = solve_part(inst, seconds, *a, **k)
        kept.append((inst, res, seconds))
        return res

    week._run_parts, week.solve_part = spy_parts, spy_solve
    try:
        t0 = time.perf_counter()
        app(["plan", scenario, "--time-limit", str(limit), "--seed", str(seed), "--no-maps", "--out", out_dir],
            standalone_mode=False)
        wall = time.perf_counter() - t0
    finally:
        week._run_parts, week.solve_part = run_parts, solve_part
    rows = []
    for inst, res, planned in kept:
        first = greedy_routes(inst)

        def people(routes: list[list[int]]) -> int:
            return int(sum(inst.visit_people[n - inst.n_depots] for r in routes for n in r))

        rows.append({
            "limit": limit, "part": inst.name, "visit_nodes": len(inst.visit_site), "team_days": len(inst.vehicles),
            "planned_end_s": round(planned, 1), "ran_s": round(res.wall_s, 1), "status": res.status,
            "first_value": round(routes_value(inst, first)), "value": round(routes_value(inst, res.routes)),
            "first_people": people(first), "people": people(res.routes), "kept_first": res.out_of_time,
            "command_wall_s": round(wall, 1), "load_1min": round(os.getloadavg()[0], 1),
        })
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--limits", type=float, nargs="+", default=[20, 120])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parts", nargs="*", default=[], help="only these parts' rows (e.g. 'regency 72.05' 'provincial teams')")
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    rows = []
    for limit in args.limits:
        with tempfile.TemporaryDirectory() as tmp:
            rows += [r for r in trace(args.scenario, limit, args.seed, tmp) if not args.parts or r["part"] in args.parts]
    cols = list(rows[0]) if rows else []
    print("\n".join(markdown_table(cols, rows)))
    if args.csv:
        with args.csv.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
