"""Benchmark: does the plan keep what the search found, and how close is it to the bound?

Plans each scenario with two versions of jemput in the same run (a `--before` commit, unpacked
with `git archive`, and this tree), one after the other, and records the search's value (the routes
before visits are numbered by date), the plan's value, both bounds and the validator's verdict.

Run: .venv/bin/python bench/plan_quality.py --before 421dde8 --limit 60 --scenarios jambi synth
Writes bench/results/plan_quality.{csv,md}. `synth` is a generated province (`jemput synth --seed 3`,
province prov-11). Extra `--rule NAME=VALUE` options set a scenario's visit rules in this tree only
(e.g. --rule record_across_breaks=true, reported as its own row).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--one" not in sys.argv:  # a measured run imports jemput from its own tree (PYTHONPATH) only
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"


def one_run(limit: float, scenario: str, rules: dict) -> dict:
    """Plan once in this process (whatever jemput is first on the path) and return the figures."""
    import time

    import planner.solve.week as week
    from planner.check.validate import validate_plan
    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario

    sc = load_scenario(jambi_scenario_path() if scenario == "jambi" else scenario)
    if rules:
        sc = sc.model_copy(update={"visits": sc.visits.model_copy(update=rules)})
    seen: dict = {}
    renumber = week.renumber_visits

    def spy(c, visits):
        seen["people"] = sum(v.people for seq in visits.values() for v in seq)
        seen["value"] = sum(v.people * float(c.weight[v.site]) for seq in visits.values() for v in seq)
        return renumber(c, visits)

    week.renumber_visits = spy
    t0 = time.perf_counter()
    plan = week.plan_week(sc, week.SolveOptions(time_limit_s=limit, seed=0))
    wall = time.perf_counter() - t0
    k = plan.kpis
    return {
        "search_recordings": seen["people"],
        "plan_recordings": k.expected_recordings,
        "search_value": round(seen["value"], 1),
        "plan_value": round(k.weighted_value, 1),
        "visits": k.visits,
        "bound_max_flow": getattr(k, "bound_max_flow", None) or k.upper_bound,
        "bound_lp": getattr(k, "bound_lp", None),
        "share_of_bound": round(k.expected_recordings / k.upper_bound, 4),
        "travel_hours": k.travel_hours,
        "status": plan.solve.status,
        "wall_s": round(wall, 1),
        "violations": len(validate_plan(sc, plan)),
    }


def _scenario_path(name: str, tmp: Path) -> str:
    if name == "jambi":
        return "jambi"
    out = tmp / "synth"
    if not out.exists():
        subprocess.run([sys.executable, "-m", "jemput.cli", "synth", "--provinces", "2", "--seed", "3", "--out", str(out)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return str(out / "prov-11" / "scenario.yaml")


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="git commit of the version to compare with")
    ap.add_argument("--limit", type=float, default=60)
    ap.add_argument("--scenarios", nargs="+", default=["jambi", "synth"])
    ap.add_argument("--rule", action="append", default=[], help="NAME=true|false|number, this tree only")
    ap.add_argument("--repo", default=str(ROOT), help="git repository holding --before (default: this one)")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(float(args.one[0]), args.one[1], json.loads(args.one[2]))))
        return
    rules = {}
    for r in args.rule:
        name, value = r.split("=", 1)
        rules[name] = json.loads(value)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        before.mkdir()
        archive = subprocess.run(["git", "-C", args.repo, "archive", args.before], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive.stdout, check=True)
        for name in args.scenarios:
            path = _scenario_path(name, Path(tmp))
            runs = [("before " + args.before, before, {}), ("this tree", ROOT, {})]
            if rules:
                runs.append(("this tree, " + ", ".join(args.rule), ROOT, rules))
            for label, tree, extra in runs:
                load = _load()
                out = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--before", args.before, "--one", str(args.limit), path,
                     json.dumps(extra)],
                    check=True, capture_output=True, text=True, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                )
                row = {"scenario": name, "version": label, "load_1min": load, **json.loads(out.stdout.strip().splitlines()[-1])}
                rows.append(row)
                print(row, flush=True)
    write(rows, " ".join(sys.argv[1:]))


def write(rows: list[dict], argv: str) -> None:
    from bench.report import machine, markdown_table

    RESULTS.mkdir(exist_ok=True)
    cols = list(rows[0])
    with (RESULTS / "plan_quality.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Plan quality: the search's value kept, and the bound",
        "",
        f"Command: `.venv/bin/python bench/plan_quality.py {argv}`",
        machine(),
        "",
        "`search_*` = the routes the search returned, before a site's visits are numbered by date and sized by",
        "the turnout rule; `plan_*` = the plan (what the validator checks). `bound_lp` = the LP bound",
        "(docs/bound.md; empty where the version has none). `load_1min` is the machine's load average",
        "(1/5/15 min) when the run started: other work was running, so compare rows of one run only.",
        "",
        *markdown_table(cols, rows),
    ]
    (RESULTS / "plan_quality.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
