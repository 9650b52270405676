"""Benchmark: plan 1, 4 and 16 synthetic provinces (copies of Jambi) in this process, on a local
process pool (2) and on a Dask LocalCluster (2 workers); wall time and peak memory per backend.

Run: .venv/bin/python bench/scale_backends.py --provinces 1 4 16
Writes bench/results/scale_backends.{csv,md}.

Each (provinces, backend) run is a fresh `jemput batch`-equivalent process (run_batch, no roster).
Peak memory is the largest sum of RSS over that process and all its descendants (pool workers,
Dask nannies and workers), sampled every 0.2 s with psutil. RUSAGE_CHILDREN is not used: it gives
the largest single child, not the sum of workers alive at once. Summed RSS counts pages shared
between processes (the pool's forked children share the parent's) more than once, so it is an
upper bound on the memory really used. Every province stops its parts after `--max-solutions`
improving solutions (1 by default), so all backends do the same work and produce the same plans.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
BACKENDS = ("inprocess", "processes:2", "local:2", "local:2+nested")  # +nested: regency parts as Dask tasks too


def one_run(inputs: Path, out: Path, backend_spec: str, max_solutions: int, time_limit: float) -> dict:
    """Plan every scenario of `inputs` on one backend (in this process) and return the figures."""
    from planner.solve.backends import backend_from_spec
    from planner.national.batch import BatchOptions, run_batch

    t0 = time.perf_counter()
    spec, _, nested = backend_spec.partition("+")
    backend = backend_from_spec(spec)
    try:
        opts = BatchOptions(time_limit_s=time_limit, seed=0, max_solutions=max_solutions, roster=False, nested=bool(nested))
        outcomes = run_batch([inputs], out, opts, backend)
    finally:
        backend.close()
    wall = time.perf_counter() - t0
    done = [o for o in outcomes if o.status == "done"]
    return {
        "wall_s": round(wall, 2),
        "done": len(done),
        "failed": len(outcomes) - len(done),
        "province_s_mean": round(sum(o.wall_s for o in done) / max(1, len(done)), 2),
        "province_s_max": round(max((o.wall_s for o in done), default=0.0), 2),
        "expected_recordings": sum(o.plan.kpis.expected_recordings for o in done),
        "upper_bound": sum(o.plan.kpis.upper_bound for o in done),
    }


def measured(cmd: list[str]) -> tuple[dict, float, float]:
    """Run cmd; its JSON answer, the peak summed RSS (MiB) of its process tree and the mean load average."""
    import psutil

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    loads = []
    while proc.poll() is None:
        loads.append(os.getloadavg()[0])
        try:
            tree = [root, *root.children(recursive=True)]
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, total)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak / 2**20, sum(loads) / max(1, len(loads))


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def projection(rows: list[dict], provinces: int = 38) -> list[str]:
    """38 provinces on a cluster of W single-threaded workers: setup + ceil(38/W) waves × a province."""
    dask = [r for r in rows if r["backend"] == "local:2"]
    if not dask:
        return ["(needs a local:2 run)"]
    big = max(dask, key=lambda r: r["provinces"])
    one = min(dask, key=lambda r: r["provinces"])
    t_prov = big["province_s_mean"]
    t_best = min(r["province_s_mean"] for r in rows if r["provinces"] == 1)
    setup = one["wall_s"] - one["province_s_max"]  # cluster start, shipping, writing: everything but the solve
    ideal = math.ceil(big["provinces"] / 2) * t_prov
    efficiency = min(1.0, ideal / big["wall_s"]) if big["wall_s"] else 1.0
    lines = [
        "Model: T(38, W) ≈ setup + ceil(38 / W) × t_province ÷ efficiency, with, from the runs above:",
        f"setup = {setup:.1f} s (1-province Dask run minus its solve); efficiency = {efficiency:.2f} (ideal",
        f"{big['provinces']}-province makespan on 2 workers ÷ measured wall); t_province either as measured here under",
        f"contention ({t_prov:.1f} s: mean solve of a Jambi-sized province on a worker in the {big['provinces']}-province Dask",
        f"run; slowest {big['province_s_max']:.1f} s) or on a core of its own ({t_best:.1f} s: the fastest 1-province run).",
        "",
        f"| workers W | waves | projected wall, t_province {t_prov:.1f} s | projected wall, t_province {t_best:.1f} s |",
        "|---|---|---|---|",
    ]
    for w in (2, 8, 16, 38):
        waves = math.ceil(provinces / w)
        lines.append(f"| {w} | {waves} | {setup + waves * t_prov / efficiency:,.0f} s | {setup + waves * t_best / efficiency:,.0f} s |")
    return lines


def _reading(rows: list[dict]) -> list[str]:
    """One sentence on the largest run: Dask-local against in-process, wall and memory."""
    n = max(r["provinces"] for r in rows)
    by = {r["backend"]: r for r in rows if r["provinces"] == n}
    if "inprocess" not in by or "local:2" not in by:
        return []
    a, d = by["inprocess"], by["local:2"]
    same = len({r["expected_recordings"] for r in by.values()}) == 1
    return [
        f"Reading: with {n} provinces, Dask on 2 local workers took {d['wall_s'] / a['wall_s']:.2f}× the in-process wall",
        f"time for {d['peak_mem_mib'] / a['peak_mem_mib']:.2f}× the memory (two workers each holding a province, plus the",
        "scheduler). Ratios on a shared machine move between runs; the plans' recordings were "
        + ("identical on every backend." if same else "NOT identical across backends (investigate)."),
    ]


def write_results(rows: list[dict], args, cmd: str, note: str = "") -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    cols = list(rows[0])
    with (RESULTS / "scale_backends.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    base = {r["provinces"]: r for r in rows if r["backend"] == "inprocess"}
    lines = [
        "# Scaling out: 1, 4 and 16 synthetic provinces per backend",
        "",
        f"Machine: {machine()}. **Shared** with three other jobs while measured, so timings are noisy.",
        f"Command: `{cmd}`",
        *([note] if note else []),
        "",
        "Provinces: `jemput synth` copies of the bundled Jambi (1,592 sites, 23 teams, 11 regency parts + the",
        f"provincial team each), seed {args.seed}. Search: `--max-solutions {args.max_solutions}` per part (time limit",
        f"{args.time_limit:g} s, never reached), so every backend does the same work and writes the same plans.",
        "Peak memory: largest sum of RSS over the batch process and all its descendants (sampled every",
        "0.2 s; shared pages counted once per process, so an upper bound). Load avg: mean 1-minute load",
        "average during the run (its own processes included; above 2 means other jobs took CPU from it).",
        "",
        "| provinces | backend | wall (s) | × in-process | peak mem (MiB) | × in-process | mean solve per province (s) | recordings | upper bound | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b = base.get(r["provinces"])
        wr = f"{r['wall_s'] / b['wall_s']:.2f}" if b else ""
        mr = f"{r['peak_mem_mib'] / b['peak_mem_mib']:.2f}" if b else ""
        lines.append(
            f"| {r['provinces']} | {r['backend']} | {r['wall_s']:.1f} | {wr} | {r['peak_mem_mib']:,.0f} | {mr} | "
            f"{r['province_s_mean']:.1f} | {r['expected_recordings']:,} | {r['upper_bound']:,} | {r.get('load_avg', '')} |"
        )
    lines += ["", "## Projection: 38 provinces on a cluster", ""] + projection(rows)
    lines += [
        "",
        "Assumes provinces the size of Jambi. Real provinces differ (Jawa Barat has about four times",
        "Jambi's villages), and one province runs on one worker, so the largest province bounds the",
        "makespan: use `--nested` to spread its regency parts over the cluster too.",
        "",
        *_reading(rows),
        "",
        "Reproduce on a cluster: `DASK_CONFIG=deploy/dask dask scheduler` on one host,",
        "`DASK_CONFIG=deploy/dask dask worker tcp://HOST:8786 --nthreads 1 --nworkers N` on each worker host",
        "(jemput installed), then `jemput synth --provinces 38 --out national &&",
        "jemput batch national --out out/national --dask tcp://HOST:8786 --max-solutions 1`.",
    ]
    (RESULTS / "scale_backends.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read_rows(path: Path) -> list[dict]:
    """Rows of a results CSV with their numbers back as numbers."""
    rows = []
    with path.open(newline="") as f:
        for raw in csv.DictReader(f):
            row: dict = {}
            for k, v in raw.items():
                if v in ("", None):
                    continue
                try:
                    row[k] = int(v)
                except ValueError:
                    try:
                        row[k] = float(v)
                    except ValueError:
                        row[k] = v
            rows.append(row)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--provinces", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--backends", nargs="+", default=list(BACKENDS))
    ap.add_argument("--max-solutions", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=1200.0)  # high: max-solutions must end each search
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--run", nargs=3, metavar=("INPUTS", "OUT", "BACKEND"), help=argparse.SUPPRESS)
    ap.add_argument("--render", metavar="COMMAND", help="rewrite the .md from the .csv (after a run made by COMMAND)")
    ap.add_argument("--note", default="", help="a line added under the command in the .md")
    args = ap.parse_args()
    if args.render:
        write_results(_read_rows(RESULTS / "scale_backends.csv"), args, args.render, args.note)
        return
    if args.run:
        inputs, out, spec = args.run
        print(json.dumps(one_run(Path(inputs), Path(out), spec, args.max_solutions, args.time_limit)))
        return
    from planner.national.synthetic import write_national

    cmd = ".venv/bin/python bench/scale_backends.py " + " ".join(sys.argv[1:])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        write_national(Path(tmp) / "national", max(args.provinces), seed=args.seed)
        all_paths = (Path(tmp) / "national" / "provinces.txt").read_text().splitlines()
        for n in args.provinces:
            listing = Path(tmp) / "national" / f"first-{n}.txt"
            listing.write_text("\n".join(all_paths[:n]) + "\n")
            for spec in args.backends:
                out = Path(tmp) / f"out-{n}-{spec.replace(':', '').replace('+', '-')}"
                child = [sys.executable, __file__, "--run", str(listing), str(out), spec,
                         "--max-solutions", str(args.max_solutions), "--time-limit", str(args.time_limit)]  # fmt: skip
                figures, peak, load = measured(child)
                row = {"provinces": n, "backend": spec, **figures, "peak_mem_mib": round(peak, 1), "load_avg": round(load, 1)}
                print(json.dumps(row), flush=True)
                rows.append(row)
                write_results(rows, args, cmd, args.note)


if __name__ == "__main__":
    main()
