"""Benchmark: the plan's bounds (docs/bound.md), what they cost the plan, and how tight they are.

Every row runs the product path in a fresh process: `jemput plan SCENARIO --workers 1 --seed 0
--no-maps --time-limit L` on the files `jemput example NAME` writes (or, for `synth`, one province
`jemput synth --varied` draws). Per scenario, in one run, one row per variant:
  - `all`: the product (max flow, LP, whole days, each as far as done by the search's end);
  - `no-whole-days`: the LP alone beside the search (SCIP's whole-day bound switched off);
  - `flow-only`: no bound thread at all (what the search records when it has the machine to itself).
The bound thread's own timeline (LP built/solved, whole days done, seconds after it started) is
recorded by wrapping its steps. `--alone S` adds a row per scenario that solves the bounds without
a plan, with S seconds as the deadline (their values when given time).

Run: .venv/bin/python bench/bound.py --limit 60 --scenarios jambi nusa-tenggara-timur synth jawa-timur \
        --variants all no-whole-days flow-only --alone 600
Writes bench/results/bound.{csv,md} (or --out NAME).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def _timeline() -> dict:
    """Wrap the bound thread's steps; the returned dict fills with seconds since the thread started."""
    import planner.check.bound_thread as bt

    seen: dict = {}
    build, solve, days = bt.build_relaxation, bt.solve_relaxation, bt.day_bound

    def timed(name, fn):
        def run(*a, **k):
            seen.setdefault("t0", time.monotonic())
            out = fn(*a, **k)
            seen[name + "_s"] = round(time.monotonic() - seen["t0"], 1)
            return out
        return run

    bt.build_relaxation, bt.solve_relaxation, bt.day_bound = timed("lp_built", build), timed("lp_solved", solve), timed("whole_days_done", days)
    return seen


def one_run(limit: float, scenario_file: str, out_dir: str, variant: str) -> dict:
    """`jemput plan` once in this process under `variant`; the figures."""
    import planner.check.bound_thread as bt
    import planner.solve.week as week
    from jemput.cli import app
    from planner.check.validate import validate_plan
    from planner.io.load import load_scenario
    from planner.plan import Plan

    seen = _timeline()
    if variant == "no-whole-days":
        bt.day_bound = lambda *a, **k: None
    elif variant == "flow-only":
        week.lp_bound_later = lambda *a, **k: bt.RelaxedBounds
    t0 = time.perf_counter()
    args = ["plan", scenario_file, "--time-limit", str(limit), "--workers", "1", "--seed", "0", "--no-maps", "--out", out_dir]
    exit_code = app(args, standalone_mode=False) or 0
    wall = time.perf_counter() - t0
    plan = Plan.model_validate_json((Path(out_dir) / "plan.json").read_text())
    k = plan.kpis
    violations = validate_plan(load_scenario(scenario_file), plan)
    return {
        "plan_recordings": k.expected_recordings, "bound_max_flow": k.bound_max_flow, "bound_lp": k.bound_lp,
        "bound_whole_days": k.bound_whole_days, "upper_bound": k.upper_bound,
        "share_of_bound": round(k.expected_recordings / k.upper_bound, 4) if k.upper_bound else "",
        **{key: seen.get(key, "") for key in ("lp_built_s", "lp_solved_s", "whole_days_done_s")},
        "wall_s": round(wall, 1), "parts_out_of_time": len(plan.solve.parts_out_of_time), "cli_exit": exit_code,
        "violations": len(violations),
    }


def alone(scenario_file: str, seconds: float) -> dict:
    """The bounds without a plan, `seconds` as their deadline: values and times."""
    import planner.check.bound_thread as bt
    from planner.check.bound import upper_bound
    from planner.compile.instance import compile_scenario
    from planner.compile.reach import reach_matrix
    from planner.io.load import load_scenario
    from planner.solve.parts import places
    from planner.solve.trips import plan_trips

    t0 = time.monotonic()
    c = compile_scenario(load_scenario(scenario_file))
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    compiled = round(time.monotonic() - t0, 1)
    seen = _timeline()
    got = bt.relaxed_bounds(c, reach, day_places, time.monotonic() + seconds)
    return {"bound_max_flow": upper_bound(c, reach, day_places), "bound_lp": got.lp, "bound_whole_days": got.whole_days,
            "upper_bound": min(b for b in (upper_bound(c, reach, day_places), got.lp, got.whole_days) if b is not None),
            "compile_s": compiled, **{key: seen.get(key, "") for key in ("lp_built_s", "lp_solved_s", "whole_days_done_s")},
            "team_day_site_pairs": int(reach.sum())}


def _scenario(name: str, tmp: Path) -> str:
    if name == "synth":  # one drawn province (varied shape), never tuned on
        out = tmp / "synth"
        subprocess.run([sys.executable, "-m", "jemput.cli", "synth", "--provinces", "1", "--varied", "--seed", "5",
                        "--sites", "2500", "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
        return str(out / (out / "provinces.txt").read_text().split()[0])
    out = tmp / name
    subprocess.run([sys.executable, "-m", "jemput.cli", "example", name, "--out", str(out)], check=True,
                   capture_output=True, cwd=ROOT)
    return str(out / "scenario.yaml")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--scenarios", nargs="+", default=["jambi", "nusa-tenggara-timur", "synth", "jawa-timur"])
    ap.add_argument("--variants", nargs="+", default=["all", "no-whole-days", "flow-only"])
    ap.add_argument("--alone", type=float, default=0, help="also solve the bounds alone with this deadline (s)")
    ap.add_argument("--out", default="bound")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        fig = alone(args.one[1], float(args.one[0])) if args.one[3] == "alone" else one_run(float(args.one[0]), *args.one[1:4])
        print(json.dumps(fig))
        return
    from bench.report import run_fresh

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenarios:
            scenario_file = _scenario(name, Path(tmp))
            runs = [(v, args.limit) for v in args.variants] + ([("alone", args.alone)] if args.alone else [])
            for i, (variant, limit) in enumerate(runs):
                load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
                fig = run_fresh(str(Path(__file__).resolve()), [str(limit), scenario_file, str(Path(tmp) / f"out-{name}-{i}"),
                                                                 variant], ROOT, f"{name} ({variant})")
                row = {"scenario": name, "variant": variant, "limit_s": limit, "load_1_5_15": load, **fig}
                rows.append(row)
                print(row, flush=True)
    write(rows, " ".join(sys.argv[1:]), args.out)


def write(rows: list[dict], argv: str, out: str) -> None:
    from bench.report import write_results

    write_results(
        RESULTS, out, rows, "The plan's bounds: values, timeline, and what they cost the search",
        f".venv/bin/python bench/bound.py {argv}", [
        "Rows of one scenario ran one after the other in fresh processes (`jemput plan ... --workers 1 --seed 0",
        "--no-maps`); `variant`: `all` = the product, `no-whole-days` = LP only beside the search, `flow-only` =",
        "no bound thread, `alone` = the bounds solved without a plan (`limit_s` their deadline). `lp_built_s`,",
        "`lp_solved_s`, `whole_days_done_s`: seconds after the bound thread started (empty: not reached).",
        "`load_1_5_15`: the machine's load average at the row's start (other helpers' work ran too).",
    ])


if __name__ == "__main__":
    main()
