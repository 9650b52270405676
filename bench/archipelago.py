"""Benchmark: the island provinces (Nusa Tenggara Timur, Jawa Timur) planned on the real `jemput plan`
path, with islands and crossings, beside the same week planned sea-blind (today's travel: straight
lines over the sea), whose plan is then checked against the islands.

Run: .venv/bin/python bench/archipelago.py --time-limit 180 [--only ntt ntt-blind jatim]
Writes bench/results/archipelago.{csv,md}. Each run is a fresh process (its own wall time and peak
memory: this process + its solver workers).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402

RESULTS = Path(__file__).parent / "results"
RUNS = {"ntt": ("nusa-tenggara-timur", False), "ntt-blind": ("nusa-tenggara-timur", True),
        "jatim": ("jawa-timur", False), "jatim-blind": ("jawa-timur", True),
        "jatim-compile": ("jawa-timur", False), "jatim-compile-blind": ("jawa-timur", True)}
COLS = ["run", "sites", "islands", "crossings", "time_limit_s", "workers", "wall_s", "peak_mem_mib",
        "expected_recordings", "upper_bound", "ratio_to_bound", "sites_served", "stops_off_team_island",
        "legs_across_sea", "violations", "no_crossing", "out_of_reach", "lower_value"]


def sea_blind(sc):
    """The scenario as today's travel sees it: no islands, no crossings."""
    sites = tuple(s.model_copy(update={"island": ""}) for s in sc.sites)
    teams = tuple(t.model_copy(update={"island": ""}) for t in sc.teams)
    return sc.model_copy(update={"sites": sites, "teams": teams, "crossings": ()})


def one_run(name: str, limit: float, workers: int) -> dict:
    """Plan once in this process, validate against the island-aware scenario, return the figures."""
    from planner.check.validate import validate_plan
    from planner.io.bundled import example_dir
    from planner.io.load import load_scenario
    from planner.solve.week import SolveOptions, plan_week

    slug, blind = RUNS[name]
    sc = load_scenario(example_dir(slug) / "scenario.yaml")
    planned = sea_blind(sc) if blind else sc
    if "compile" in name:  # only the travel matrices and arrays: what the islands add to the set-up
        return compile_run(name, sc, planned)
    t0 = time.perf_counter()
    plan = plan_week(planned, SolveOptions(time_limit_s=limit, workers=workers))
    wall = time.perf_counter() - t0
    violations = validate_plan(sc, plan)  # always against the islands
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    island = {s.id: s.island for s in sc.sites}
    team_island = {t.id: t.island for t in sc.teams}
    off = sum(island[st.site_id] != team_island[td.team_id] for td in plan.team_days for st in td.stops)
    reasons = Counter(lo.reason.value for lo in plan.left_out)
    k = plan.kpis
    return {
        "run": name + (" (sea-blind plan, checked with islands)" if blind else ""), "sites": len(sc.sites),
        "islands": len({s.island for s in sc.sites}), "crossings": len(sc.crossings), "time_limit_s": limit,
        "workers": workers, "wall_s": round(wall, 1), "peak_mem_mib": round(peak_kb / 1024),
        "expected_recordings": k.expected_recordings, "upper_bound": k.upper_bound,
        "ratio_to_bound": round(k.expected_recordings / k.upper_bound, 4) if k.upper_bound else "",
        "sites_served": k.sites_served, "stops_off_team_island": off,
        "legs_across_sea": sum(v.code == "no-crossing" for v in violations), "violations": len(violations),
        "no_crossing": reasons.get("no_crossing", 0), "out_of_reach": reasons.get("out_of_reach", 0),
        "lower_value": reasons.get("lower_value", 0),
    }


def compile_run(name: str, sc, planned) -> dict:
    """Compile once (every travel matrix, bound to the islands or not); wall time and peak memory."""
    from planner.compile.instance import compile_scenario

    t0 = time.perf_counter()
    compile_scenario(planned)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"run": name + (" (sea-blind)" if planned is not sc else ""), "sites": len(sc.sites),
            "islands": len({s.island for s in planned.sites}), "crossings": len(planned.crossings),
            "wall_s": round(wall, 1), "peak_mem_mib": round(peak_kb / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=180)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="+", choices=sorted(RUNS), default=["ntt", "ntt-blind", "jatim"])
    ap.add_argument("--append", action="store_true", help="add the rows to the existing results")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one_run(args.one, args.time_limit, args.workers)))
        return
    rows = []
    for name in args.only:
        load = os.getloadavg()[0]
        out = subprocess.run(
            [sys.executable, __file__, "--one", name, "--time-limit", str(args.time_limit), "--workers", str(args.workers)],
            check=True, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]) | {"load_before": round(load, 1)})
        print(rows[-1], flush=True)
    if args.append and (RESULTS / "archipelago.csv").exists():
        with (RESULTS / "archipelago.csv").open() as f:
            rows = list(csv.DictReader(f)) + rows
    write(rows, " ".join(sys.argv[1:]))


def write(rows: list[dict], argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    cols = COLS + ["load_before"]
    with (RESULTS / "archipelago.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, restval="")
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Island provinces: planned with islands and crossings vs sea-blind",
        "",
        f"Command: `.venv/bin/python bench/archipelago.py {argv}`",
        "",
        machine(tail="; load average before each run in `load_before` (shared machine)"),
        "",
        *markdown_table(cols, rows),
        "",
    ]
    (RESULTS / "archipelago.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
