"""Benchmark: jemput vs best-known scores and vs PyVRP and VROOM on TOPTW literature instances.

Quick subset (what `make bench` runs, ≈ 6 min):
    .venv/bin/python bench/toptw.py --limit 10
Full run (every instance with a best-known score, 73 cases, ≈ 40 min):
    .venv/bin/python bench/toptw.py --limit 10 --all
One half of the split (`--split tuned` or `--split unseen`, see `split_of`), the other the same way:
    .venv/bin/python bench/toptw.py --limit 10 --split unseen --out toptw_unseen
Writes bench/results/toptw.{csv,md} (or --out NAME). Every solver gets the same time limit and
one thread; they run one after another in this process so they see the same machine load.
jemput plans through `plan_week` like a real week; every plan, the peers' included, is checked by
the independent validator and scored from the validated plan.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from bench.peers import op_from_compiled, plan_from_routes, solve_pyvrp, solve_vroom  # noqa: E402
from bench.toptw_adapter import (  # noqa: E402
    check_value_is_score, instance_path, parse_instance, plan_score, provider, read_bks, to_scenario, write_matrix,
)
from planner.compile.instance import compile_scenario  # noqa: E402
from planner.solve.week import SolveOptions, plan_week  # noqa: E402
from planner.check.validate import validate_plan  # noqa: E402

RESULTS = Path(__file__).parent / "results"
QUICK = [("r101", 1), ("c201", 1), ("r201", 1), ("rc201", 1), ("pr01", 1), ("pr05", 1), ("pr10", 1),
         ("c201", 4), ("pr01", 4), ("pr05", 4), ("pr10", 4)]
SOLVERS = ("jemput", "pyvrp", "vroom")
PEERS = ("pyvrp", "vroom")
# `jemput2`: the same plan_week with a portfolio of two searches on two processes (--solvers ... jemput2),
# reported beside the one-thread figures; the ratios to the peers are the one-thread jemput's
CHOICES = (*SOLVERS, "jemput2")
# Instances the search settings were ever chosen on: the quick subset (bench/results/search_settings.md)
# and, from issue 14 on, every Solomon instance. The rest of Cordeau's set is never used for tuning.
TUNED_CORDEAU = {"pr01", "pr05", "pr10"}


def split_of(name: str) -> str:
    """`tuned` (Solomon, and the Cordeau instances of the quick subset) or `unseen` (the other Cordeau ones)."""
    return "unseen" if name.startswith("pr") and name not in TUNED_CORDEAU else "tuned"


def run_case(name: str, m: int, limit: float, seed: int, bks: int | None, tmp: Path, solvers=SOLVERS) -> dict:
    """Solve one (instance, m) with every solver; scores from validated plans."""
    inst = parse_instance(instance_path(name))
    sc = to_scenario(inst, m, write_matrix(inst, m, tmp / f"{name}_m{m}.csv"))
    prov = provider(sc)
    row: dict = {"instance": name, "m": m, "split": split_of(name), "customers": inst.n, "servable": len(sc.sites),
                 "bks": bks}
    c = compile_scenario(sc, prov)
    op = op_from_compiled(c)
    for who in solvers:
        t0, cpu0 = time.monotonic(), cpu_seconds()
        if who in ("jemput", "jemput2"):
            two = who == "jemput2"
            options = SolveOptions(time_limit_s=limit, seed=seed, workers=2 if two else 1, portfolio=two)
            plan = plan_week(sc, options, provider=prov)
        elif who == "pyvrp":
            routes, _ = solve_pyvrp(op, limit, seed)
            plan = plan_from_routes(c, op, routes, who, time.monotonic() - t0)
        else:
            routes, _, _ = solve_vroom(op, limit)
            plan = plan_from_routes(c, op, routes, who, time.monotonic() - t0)
        wall, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
        violations = validate_plan(sc, plan, prov)
        check_value_is_score(inst, plan)
        score = plan_score(inst, plan) if not violations else 0
        if bks is not None and score > bks:
            raise AssertionError(f"{name} m={m}: {who} scores {score} above the best-known {bks}: a modelling bug")
        row[f"{who}_score"] = score
        row[f"{who}_gap_pct"] = round(100 * (bks - score) / bks, 2) if bks else ""
        row[f"{who}_wall_s"] = round(wall, 1)
        row[f"{who}_cpu_s"] = round(cpu, 1)
        row[f"{who}_violations"] = len(violations)
    for peer in (s for s in solvers if s in PEERS):
        if "jemput" in solvers and row[f"{peer}_score"]:
            row[f"jemput_per_{peer}"] = round(row["jemput_score"] / row[f"{peer}_score"], 4)
    return row


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished child processes (a portfolio's members)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cases(args, bks: dict) -> list[tuple[str, int]]:
    if args.all or args.split:
        every = sorted(bks, key=lambda k: (k[0][:2] == "pr", k[0], k[1]))
        return [k for k in every if args.split in (None, split_of(k[0]))]
    if args.cases:
        return [(c.split(":")[0], int(c.split(":")[1])) for c in args.cases]
    return QUICK


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=float, default=10.0, help="seconds per instance and solver")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--all", action="store_true", help="every instance with a best-known score")
    ap.add_argument("--split", choices=("tuned", "unseen"), help="every instance with a best-known score of one half")
    ap.add_argument("--cases", nargs="+", help="e.g. r101:1 pr05:4")
    ap.add_argument("--solvers", nargs="+", default=list(SOLVERS), choices=CHOICES)
    ap.add_argument("--out", default="toptw", help="results file name (without extension)")
    args = ap.parse_args()
    bks = read_bks()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, m in cases(args, bks):
            rows.append(run_case(name, m, args.limit, args.seed, bks.get((name, m)), Path(tmp), tuple(args.solvers)))
            print({k: v for k, v in rows[-1].items() if "score" in k or k in ("instance", "m", "bks")}, flush=True)
            write(rows, args, " ".join(sys.argv[1:]))  # after every case, so a long run's results survive a stop


def summary(rows: list[dict], solvers) -> list[str]:
    """Headline figures, over all rows and per half of the split (`split_of`)."""
    out = _summary(rows, solvers)
    halves = sorted({r.get("split", "") for r in rows})
    if len(halves) > 1:
        for half in halves:
            out += ["", f"Split `{half}`:", *_summary([r for r in rows if r.get("split") == half], solvers)]
    return out


def _summary(rows: list[dict], solvers) -> list[str]:
    """Mean and worst gap per solver, share of cases where jemput ≥ each peer."""
    out = []
    with_bks = [r for r in rows if r["bks"]]
    for who in solvers:
        gaps = [r[f"{who}_gap_pct"] for r in with_bks]
        if gaps:
            out.append(f"- {who}: mean gap to best-known {statistics.mean(gaps):.2f}% (worst {max(gaps):.2f}%), "
                       f"violations {sum(r[f'{who}_violations'] for r in rows)}")
    for peer in (s for s in solvers if s in PEERS):
        if "jemput" in solvers:
            ge = sum(r["jemput_score"] >= r[f"{peer}_score"] for r in rows)
            ratios = [r[f"jemput_per_{peer}"] for r in rows if r.get(f"jemput_per_{peer}")]
            out.append(f"- jemput ≥ {peer} on {ge} of {len(rows)} cases ({100 * ge / len(rows):.0f}%); "
                       f"mean ratio jemput/{peer} {statistics.mean(ratios):.4f}")
    return out


def write(rows: list[dict], args, argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with (RESULTS / f"{args.out}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    show = ["instance", "m", "split", "servable", "bks"] + [f"{s}_{x}" for s in args.solvers for x in ("score", "gap_pct")]
    show += [c for c in cols if c.startswith("jemput_per_")] + [f"{s}_{x}" for s in args.solvers for x in ("wall_s", "cpu_s")]
    lines = [
        "# TOPTW literature instances: jemput vs best-known scores, PyVRP and VROOM",
        "",
        f"Command: `.venv/bin/python bench/toptw.py {argv}`".rstrip(),
        machine(cpus_note=f" (1-minute load average {os.getloadavg()[0]:.1f} when this file was written)"),
        f"Time limit {args.limit:g} s per instance and solver, one thread each, run one after another; seed {args.seed}.",
        "",
        "Scores are counted from each solver's routes after jemput's independent validator accepted them",
        "(a plan with violations would score 0; `*_violations` columns in the CSV). Gap = (BKS − score) ÷ BKS.",
        "jemput plans through `plan_week` (the product path); peers: PyVRP 0.14 (prize-collecting,",
        "clients optional), VROOM via pyvroom 1.15 (priority = score, exact: scores are integers ≤ 50;",
        "exploration level 5; the timeout is honoured approximately, see wall columns). `jemput2`, when",
        "present: the same plan_week with `--portfolio` on 2 processes (two searches, the best kept; CPU",
        "columns count both); ratios to the peers are the one-thread jemput's, the fair comparison.",
        "",
        "Split: `tuned` = every Solomon instance and the Cordeau instances of the quick subset (pr01, pr05,",
        "pr10), on which search settings have been chosen; `unseen` = the other Cordeau instances, never",
        "used for tuning.",
        "",
        *summary(rows, args.solvers),
        "",
        *markdown_table(show, rows),
    ]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
