"""Benchmark: does `jemput plan` give every regency visits, keep its time limit and stay within memory,
on provinces that are not Jambi, with and without a competing CPU load?

Run: .venv/bin/python bench/robustness.py --provinces 3 --limits 20 60 --loads 0 2
       [--examples nusa-tenggara-timur jawa-timur]   # the bundled island provinces too
Writes bench/results/robustness.{csv,md} (`--name` another name).

Provinces come from `jemput synth --varied` (planner/national/varied.py: 10–40 regencies,
1,000–9,000 sites, compact/long/scattered, a city, river regencies with boat teams). Each run is the
real command, `jemput plan SCENARIO --time-limit S --no-maps` in a fresh process (it verifies the plan
with the independent validator and writes the roster), timed from outside; peak memory is sampled
over its whole process tree (the parts' worker processes included) as proportional set size (PSS:
pages the forked workers share with their parent counted once; plain RSS would count them per process). `load` = that many extra
processes spinning on the CPU for the whole run (the machine is shared besides).

Columns: `regencies_visited` = regencies with a working team that get at least one visit, of those
with one; `wall_s` / `wall_ratio` = the command's wall time and its ratio to the limit;
`plan_s` = planning alone (`solve.wall_s`: compile, search, assembly); `cpu_s` = the command's CPU
seconds (user + system, its worker processes included); `machine_load` = the mean 1-minute load
average meanwhile (2 cores: above 2, the command got less than the whole machine, and its wall time
says more about the machine than about jemput); `out_of_time` = parts that
kept their greedy first plan; `idle` = team-days with a working kit and no visit; `verified` = the
validator found no violation.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
from dataclasses import dataclass
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from planner.national.varied import varied_specs, write_varied  # noqa: E402

RESULTS = Path(__file__).parent / "results"
COLS = ["province", "shape", "regencies", "sites", "time_limit_s", "load", "regencies_visited", "expected_recordings",
        "upper_bound", "wall_s", "wall_ratio", "plan_s", "cpu_s", "machine_load", "peak_mb", "out_of_time", "idle", "verified"]


def _spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _pss(p: psutil.Process) -> int:
    """Proportional set size (a page shared by n processes counts 1/n in each: the forked part workers share
    the compiled scenario with their parent, and RSS would count it once per process); RSS where unknown."""
    try:
        return int(p.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(p.memory_info().rss)


def run_plan(scenario: Path, out: Path, limit: float, extra: tuple[str, ...] = ()) -> tuple[float, float, str, float, float]:
    """Wall seconds, peak MB of the process tree, the command's output, its CPU seconds (user + system,
    the parts' worker processes included) and the mean 1-minute load average of the machine meanwhile.
    `extra`: more `jemput plan` options (e.g. `--seed 1`)."""
    cmd = [sys.executable, "-m", "jemput.cli", "plan", str(scenario), "--out", str(out), "--time-limit", str(limit), "--no-maps",
           *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    root, peak, loads = psutil.Process(proc.pid), 0, []
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read() if proc.stdout else ""), daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(_pss(p) for p in tree if p.is_running()))
        except psutil.Error:
            pass
        loads.append(psutil.getloadavg()[0])
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    reader.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, peak / 2**20, "".join(output), cpu, sum(loads) / max(1, len(loads))


def working_regencies(folder: Path) -> set[str]:
    """Regencies with a team that has at least one kit not broken for good."""
    teams = pd.read_csv(folder / "teams.csv", dtype=str, keep_default_na=False)
    kits = pd.read_csv(folder / "kits.csv", dtype=str, keep_default_na=False)
    ok = set(kits[kits.status != "broken"].team_id)
    return {r for t, r in zip(teams.team_id, teams.regency_code) if r and t in ok}


def measure(scenario: Path, spec, limit: float, load: int, work: Path) -> dict:
    stop = mp.Event()
    spinners = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(load)]
    for p in spinners:
        p.start()
    try:
        out = work / f"{spec.code}-{int(limit)}-{load}"
        wall, peak, text, cpu, machine_load = run_plan(scenario, out, limit)
    finally:
        stop.set()
        for p in spinners:
            p.join()
    if not (out / "plan.json").is_file():
        raise RuntimeError(f"{scenario}: jemput plan wrote no plan:\n{text[-3000:]}")
    plan = json.loads((out / "plan.json").read_text())
    regencies = working_regencies(scenario.parent)
    visited = {code for code, g in plan["kpis"]["by_regency"].items() if g["expected_recordings"] > 0}
    return {
        "province": spec.code, "shape": spec.shape, "regencies": spec.regencies, "sites": spec.sites,
        "time_limit_s": limit, "load": load,
        "regencies_visited": f"{len(regencies & visited)}/{len(regencies)}",
        "expected_recordings": plan["kpis"]["expected_recordings"], "upper_bound": plan["kpis"]["upper_bound"],
        "wall_s": round(wall, 1), "wall_ratio": round(wall / limit, 2), "plan_s": plan["solve"]["wall_s"],
        "cpu_s": round(cpu, 1), "machine_load": round(machine_load, 1),
        "peak_mb": round(peak), "out_of_time": len(plan["solve"].get("parts_out_of_time", [])),
        "idle": plan["kpis"].get("idle_team_days"), "verified": "no violations" in text,
    }


@dataclass(frozen=True)
class ExampleSpec:
    """A bundled province measured beside the generated ones."""

    code: str
    regencies: int
    sites: int
    shape: str = "bundled"


def write_example(name: str, folder: Path) -> Path:
    """`jemput example NAME --out folder` (the files a coordinator starts from); the scenario's path."""
    if not (folder / "scenario.yaml").is_file():
        subprocess.run([sys.executable, "-m", "jemput.cli", "example", name, "--out", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
    return folder / "scenario.yaml"


def example_spec(name: str, folder: Path) -> ExampleSpec:
    """Size of a bundled province, from its files."""
    sites = pd.read_csv(folder / "sites.csv", dtype=str, keep_default_na=False)
    return ExampleSpec(name, sites.regency_code.nunique(), len(sites))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--provinces", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limits", type=float, nargs="+", default=[20, 60])
    ap.add_argument("--loads", type=int, nargs="+", default=[0, 2])
    ap.add_argument("--sites", type=int, nargs="*", default=[], help="override each province's site count, in order")
    ap.add_argument("--work", type=Path, default=Path("out/bench-robustness"))
    ap.add_argument("--name", default="robustness")
    ap.add_argument("--examples", nargs="*", default=[],
                    help="bundled provinces to measure too, as `jemput example NAME` writes them (e.g. nusa-tenggara-timur jawa-timur)")
    args = ap.parse_args()
    specs = varied_specs(args.provinces, args.seed)
    for i, n in enumerate(args.sites[: len(specs)]):
        s = specs[i]
        specs[i] = type(s)(s.code, s.regencies, n, s.shape, s.seed)
    paths = write_varied(args.work / "provinces", specs)
    for name in args.examples:
        paths.append(write_example(name, args.work / "examples" / name))
        specs.append(example_spec(name, paths[-1].parent))
    rows = []
    for spec, path in zip(specs, paths):
        for limit in args.limits:
            for load in args.loads:
                row = measure(path, spec, limit, load, args.work)
                print(row, flush=True)
                rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / f"{args.name}.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLS)
        w.writeheader()
        w.writerows(rows)
    load_now = psutil.getloadavg()
    lines = [
        "# Robustness: generated provinces, time limits, competing load (`jemput plan`, the real command)",
        "",
        f"Command: `.venv/bin/python bench/robustness.py {' '.join(sys.argv[1:])}`",
        machine(tail=f"; load average {load_now[0]:.1f} when the table was written (other jobs ran on the machine)"),
        "",
        *markdown_table(COLS, rows),
        "",
    ]
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
