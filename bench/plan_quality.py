"""Benchmark: does the plan keep what the search found, and how close is it to the bound?

Every run goes through the product path: `jemput example NAME --out DIR` writes the bundled
province, `jemput plan DIR/scenario.yaml --workers 1 --no-maps` plans it (in a fresh process, one
after the other, so the rows of one run see the same machine). The script records the search's value
(the routes before a site's visits are numbered by date and sized by the turnout rule, read by
wrapping `planner.solve.week.renumber_visits`), the plan's value from plan.json, both bounds, and the
independent validator's verdict on plan.json.

Run: .venv/bin/python bench/plan_quality.py --limit 60 --scenarios jambi nusa-tenggara-timur jawa-timur \
        --rule record_across_breaks=true
Writes bench/results/plan_quality.{csv,md} (or --out NAME). `--rule NAME=VALUE` adds, per scenario, a
second run with that visit rule written into the scenario's `visits:` (its own row); `--rule-only`
limits those extra runs to the listed scenarios. `--before COMMIT` adds a row per scenario planned by
that commit's tree (unpacked with `git archive`; it plans the files its own `jemput example` writes).
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
if "--one" not in sys.argv:  # a measured run imports jemput from its own tree (PYTHONPATH) only
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"


def one_run(limit: float, scenario_file: str, out_dir: str, max_solutions: int = 0) -> dict:
    """`jemput plan` once in this process (whatever jemput is first on the path); the figures."""
    import planner.solve.week as week
    from jemput.cli import app
    from planner.check.validate import validate_plan
    from planner.io.load import load_scenario
    from planner.plan import Plan

    seen: dict = {"people": 0, "value": 0.0, "calls": 0}
    renumber = week.renumber_visits

    def spy(c, visits):
        seen["calls"] += 1
        seen["people"] += sum(v.people for seq in visits.values() for v in seq)
        seen["value"] += sum(v.people * float(c.weight[v.site]) for seq in visits.values() for v in seq)
        return renumber(c, visits)

    week.renumber_visits = spy
    t0 = time.perf_counter()
    args = ["plan", scenario_file, "--time-limit", str(limit), "--workers", "1", "--seed", "0", "--no-maps",
            "--out", out_dir, "--max-solutions", str(max_solutions)]
    exit_code = app(args, standalone_mode=False) or 0  # typer.Exit(1) (a plan with violations) comes back as 1
    wall = time.perf_counter() - t0
    plan = Plan.model_validate_json((Path(out_dir) / "plan.json").read_text())
    k = plan.kpis
    violations = validate_plan(load_scenario(scenario_file), plan)
    return {
        "search_recordings": seen["people"],
        "plan_recordings": k.expected_recordings,
        "search_value": round(seen["value"], 1),
        "plan_value": round(k.weighted_value, 1),
        "visits": k.visits,
        "bound_max_flow": getattr(k, "bound_max_flow", None) or k.upper_bound,  # an older tree: max flow only
        "bound_lp": getattr(k, "bound_lp", None),
        "upper_bound": k.upper_bound,
        "share_of_bound": round(k.expected_recordings / k.upper_bound, 4) if k.upper_bound else "",
        "travel_hours": k.travel_hours,
        "status": plan.solve.status,
        "parts_out_of_time": len(getattr(plan.solve, "parts_out_of_time", None) or []),
        "wall_s": round(wall, 1),
        "cli_exit": exit_code,
        "violations": len(violations),
    }


def _example(name: str, tmp: Path, rules: dict, tree: Path = ROOT, label: str = "") -> str:
    """The bundled province written by `tree`'s `jemput example`; `rules` appended to its `visits:`."""
    out = tmp / (name + label + ("-" + "-".join(rules) if rules else ""))
    if not out.exists():
        subprocess.run([sys.executable, "-m", "jemput.cli", "example", name, "--out", str(out)],
                       check=True, capture_output=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)})
        if rules:
            path = out / "scenario.yaml"
            text = path.read_text()
            if "\nvisits:" in text:
                raise SystemExit(f"{name}: the example already sets visits:, merge --rule by hand")
            path.write_text(text + "visits: " + json.dumps(rules) + "\n")
    return str(out / "scenario.yaml")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _parse_rules(items: list[str]) -> dict:
    rules = {}
    for r in items:
        name, value = r.split("=", 1)
        rules[name] = json.loads(value)
    return rules


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--scenarios", nargs="+", default=["jambi", "nusa-tenggara-timur", "jawa-timur"])
    ap.add_argument("--rule", action="append", default=[], help="NAME=true|false|number: an extra run per scenario")
    ap.add_argument("--rule-only", nargs="*", default=None, help="scenarios that get the --rule run (default: all)")
    ap.add_argument("--before", default=None, help="git commit of a version to compare with (same scenario files)")
    ap.add_argument("--repo", default=str(ROOT), help="git repository holding --before (default: this one)")
    ap.add_argument("--max-solutions", type=int, default=0,
                    help="jemput plan --max-solutions: each part stops after N improving solutions (no restarts), "
                         "the same plan under any load as long as the time limit is not reached")
    ap.add_argument("--out", default="plan_quality")
    ap.add_argument("--one", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(float(args.one[0]), args.one[1], args.one[2], int((args.one + ["0"])[3]))))
        return
    rules = _parse_rules(args.rule)
    from bench.report import run_fresh

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        trees = [("this tree", ROOT)]
        if args.before:
            before = Path(tmp) / "before"
            before.mkdir()
            archive = subprocess.run(["git", "-C", args.repo, "archive", args.before], check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
            trees.insert(0, ("before " + args.before, before))
        for name in args.scenarios:
            runs = [(label, tree, _example(name, Path(tmp), {}, tree, str(i))) for i, (label, tree) in enumerate(trees)]
            if rules and (args.rule_only is None or name in args.rule_only):
                runs.append(("this tree, " + ", ".join(args.rule), ROOT, _example(name, Path(tmp), rules)))
            for i, (label, tree, scenario_file) in enumerate(runs):
                load = _load()
                out_dir = Path(tmp) / f"out-{name}-{i}"
                fig = run_fresh(str(Path(__file__).resolve()), [str(args.limit), scenario_file, str(out_dir),
                                                                 str(args.max_solutions)], tree, f"{name} ({label})")
                row = {"scenario": name, "version": label, "load_1_5_15": load, **fig}
                rows.append(row)
                print(row, flush=True)
    write(rows, " ".join(sys.argv[1:]), args.out)


def write(rows: list[dict], argv: str, out: str) -> None:
    from bench.report import write_results

    write_results(
        RESULTS, out, rows, "Plan quality: the search's value kept, and the bound",
        f".venv/bin/python bench/plan_quality.py {argv}", [
        "Each row is `jemput plan SCENARIO --workers 1 --seed 0 --no-maps --time-limit L [--max-solutions N]` on the files",
        "`jemput example NAME` writes. `search_*` = the routes the search returned, before a site's visits",
        "are numbered by date and sized by the turnout rule; `plan_*` = plan.json (what the validator",
        "checks; `violations` = the independent validator on plan.json). `bound_max_flow`, `bound_lp`: the",
        "two bounds (docs/bound.md); `upper_bound` = the tighter, shown in the plan. `load_1_5_15` is the",
        "machine's load average when the run started: other work was running, so compare rows of one run.",
    ])


if __name__ == "__main__":
    main()
