"""Benchmark: the fixed CPU work of `jemput plan` (what does not depend on --time-limit), per step, for
two source trees in the same run (issue 13: the command keeps wall ≤ 1.25 × limit even with half a CPU).

Steps, each as CPU seconds (user + system of the process, since its creation): start-up (the
interpreter and `import jemput.cli`, as the command does), load, compile, overnight trips and day
places, the regency parts' instances, the greedy first plans of every part (`greedy_routes`, every
exponent), the left-out reasons of an empty week (every site), then the whole command
`jemput plan SCENARIO --time-limit LIMIT --seed 0 --no-maps` (worker processes included). The trees
run one after the other per step pass, alternating, so a busy machine loads both alike; CPU seconds,
not wall, are compared.

Run: .venv/bin/python bench/fixed_work.py --before /tmp/before --after . SCENARIO [SCENARIO ...]
   e.g. git archive c6e0863 | tar -x -C /tmp/before
        .venv/bin/jemput example jambi --out /tmp/jb
        .venv/bin/jemput synth --varied --provinces 1 --sites 9000 --out /tmp/p9k
Results: bench/results/fixed_work.md
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("start-up", "load", "compile", "trips", "parts", "greedy", "reasons")


def steps(scenario: str) -> dict[str, float]:
    """CPU seconds per step in this process (its PYTHONPATH chooses the tree)."""
    out: dict[str, float] = {}
    last = [0.0]

    def lap(name: str) -> None:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        now = ru.ru_utime + ru.ru_stime
        out[name] = round(now - last[0], 2)
        last[0] = now

    import numpy as np

    import jemput.cli  # noqa: F401  (what the command imports before it starts)

    lap("start-up")
    from planner.check.reasons import unserved
    from planner.compile.instance import compile_scenario
    from planner.io.load import load_scenario
    from planner.solve.fallback import greedy_routes
    from planner.solve.parts import build_instance, places, regency_parts
    from planner.solve.trips import plan_trips
    from planner.solve.week import REGENCY_MAX_SITES

    sc = load_scenario(scenario)
    lap("load")
    c = compile_scenario(sc)
    lap("compile")
    day_places = places(c, plan_trips(c))
    lap("trips")
    done = np.zeros(len(sc.sites), dtype=np.int64)
    insts = [build_instance(c, p, done, day_places, 0, REGENCY_MAX_SITES) for p in regency_parts(c)]
    lap("parts")
    for inst in insts:
        greedy_routes(inst)
    lap("greedy")
    unserved(c, [], day_places)
    lap("reasons")
    return out


def _steps_of(tree: Path, scenario: str) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--steps", scenario]
    done = subprocess.run(cmd, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, cwd=tree,
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _command_of(tree: Path, scenario: str, limit: float, out: Path) -> dict[str, float]:
    """Whole command: wall and CPU seconds (children included) and expected recordings."""
    cmd = [sys.executable, "-m", "jemput.cli", "plan", scenario, "--time-limit", str(limit), "--seed", "0",
           "--no-maps", "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(cmd, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, cwd=tree,
                   capture_output=True, text=True, check=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    plan = json.loads((out / "plan.json").read_text())
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "recordings": plan["kpis"]["expected_recordings"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--steps", action="store_true", help="(internal) time the steps in this process")
    ap.add_argument("--before", type=Path)
    ap.add_argument("--after", type=Path, default=Path("."))
    ap.add_argument("--limit", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=2, help="step passes per tree (the least CPU is kept)")
    args = ap.parse_args()
    if args.steps:
        print(json.dumps(steps(args.scenarios[0])))
        return
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for scenario in args.scenarios:
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):
            for name, tree in trees.items():
                got = _steps_of(tree, str(Path(scenario).resolve()))
                best[name] = {k: min(v, best.get(name, got)[k]) for k, v in got.items()}
        with tempfile.TemporaryDirectory() as tmp:
            whole = {name: _command_of(tree, str(Path(scenario).resolve()), args.limit, Path(tmp) / name)
                     for name, tree in trees.items()}
        load = Path("/proc/loadavg").read_text().split()[0]
        print(f"\n{scenario} (machine load {load})\n")
        print("| step | before CPU s | after CPU s | after/before |\n|---|---:|---:|---:|")
        for k in STEPS:
            b, a = best["before"][k], best["after"][k]
            print(f"| {k} | {b:.2f} | {a:.2f} | {a / b if b else float('nan'):.2f} |")
            sys.stdout.flush()
        b_sum, a_sum = sum(best["before"].values()), sum(best["after"].values())
        print(f"| **sum of steps** | {b_sum:.2f} | {a_sum:.2f} | {a_sum / b_sum:.2f} |")
        b, a = whole["before"], whole["after"]
        print(f"| whole `jemput plan --time-limit {args.limit:g}` CPU s | {b['cpu_s']} | {a['cpu_s']} | {a['cpu_s'] / b['cpu_s']:.2f} |")
        print(f"| (its wall s / expected recordings) | {b['wall_s']} / {b['recordings']} | {a['wall_s']} / {a['recordings']} | |",
              flush=True)


if __name__ == "__main__":
    main()
