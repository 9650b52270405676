"""Benchmark at scale on real geography: the bundled Jambi province, jemput vs PyVRP on a relaxed day.

Quick (what `make bench` runs):   .venv/bin/python bench/scale.py --sizes 100 300 --limit 10
Full:                             .venv/bin/python bench/scale.py --sizes 100 300 1000 all --limit 30
Writes bench/results/scale.{csv,md} (or --out NAME).

The relaxed instance: N of Jambi's real sites (a seeded sample; `all` = 1,592) and its teams scaled
to N (23 × N ÷ 1,592, at least 1, at their real bases), planned for one Monday: every team has
2 working kits (default rate and set-up), a car, a generator and prison clearance, no midday break,
a drive limit of the whole shift, and may serve every site (ownership and access relaxed), one
visit per site, the sites' real Monday hours, great-circle travel. Both solvers see exactly this
scenario: jemput through `plan_week`, PyVRP through the same compiled arrays (bench/peers.py);
both plans go through the independent validator. The real week (breaks, Friday prayer, kits in
repair, repeat visits, regencies) is measured by bench/solver_jambi.py.

Each (size, solver) runs in a fresh process, one after another, so wall time and peak memory
(max RSS) are its own; one thread each.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
RESULTS = Path(__file__).parent / "results"
KITS = 2
JAMBI_TEAMS = 23


def relaxed_scenario(size: str, seed: int):
    """The relaxed one-day Jambi instance with `size` sites (module doc)."""
    import numpy as np

    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.model import Access, Horizon, Kit, Shift, VehicleProfile, VisitRules, Weekday

    sc = load_scenario(jambi_scenario_path())
    rng = np.random.default_rng(seed)
    n = len(sc.sites) if size == "all" else int(size)
    sites = [sc.sites[i] for i in sorted(rng.choice(len(sc.sites), size=n, replace=False))]
    n_teams = max(1, round(len(sc.teams) * n / len(sc.sites)))
    teams = [sc.teams[i] for i in sorted(rng.choice(len(sc.teams), size=n_teams, replace=False))]
    monday = sc.horizon.start
    while monday.weekday() != 0:
        monday = monday.fromordinal(monday.toordinal() + 1)
    new_teams = []
    for t in teams:
        shift = t.shifts[Weekday.mon]
        new_teams.append(t.model_copy(update=dict(
            regency_code="JAMBI", vehicle=VehicleProfile.car, generator=True, clearances=frozenset({"prison"}),
            kits=tuple(Kit(id=f"{t.id}-k{k}") for k in range(KITS)), rate_per_kit_hour=10.0, setup_min=20,
            max_drive_min=shift.work.minutes, max_nights_out=0, shifts={Weekday.mon: Shift(work=shift.work)},
        )))
    new_sites = [s.model_copy(update=dict(regency_code="JAMBI", access=Access.road, electricity=True,
                                          closed_dates=frozenset(), hours={Weekday.mon: s.hours[Weekday.mon]}))
                 for s in sites if s.hours.get(Weekday.mon)]
    return sc.model_copy(update=dict(
        name=f"Jambi relaxed day, {n} sites", horizon=Horizon(start=monday, days=1), sites=tuple(new_sites),
        teams=tuple(new_teams), visits=VisitRules(max_visits_per_site=1, max_people_per_visit=sc.visits.max_people_per_visit),
        district_offices=(),
    ))


def one_run(size: str, solver: str, limit: float, seed: int) -> dict:
    """Plan the relaxed instance once with one solver (in this process) and validate the plan."""
    from bench.peers import op_from_compiled, plan_from_routes, solve_pyvrp, solve_vroom
    from planner.compile.instance import compile_scenario
    from planner.model import Scenario
    from planner.solve.week import SolveOptions, plan_week
    from planner.check.validate import validate_plan

    sc = Scenario.model_validate(relaxed_scenario(size, seed).model_dump())  # validated like any input
    t0 = time.perf_counter()
    if solver == "jemput":
        plan = plan_week(sc, SolveOptions(time_limit_s=limit, seed=seed, workers=1))
    else:
        c = compile_scenario(sc)
        op = op_from_compiled(c)
        routes = solve_pyvrp(op, limit, seed)[0] if solver == "pyvrp" else solve_vroom(op, limit)[0]
        plan = plan_from_routes(c, op, routes, solver, time.perf_counter() - t0)
    wall = time.perf_counter() - t0
    violations = validate_plan(sc, plan)
    k = plan.kpis
    return {
        "sites": len(sc.sites), "teams": len(sc.teams), "solver": solver, "time_limit_s": limit,
        "expected_recordings": k.expected_recordings if not violations else 0,
        "weighted_value": round(k.weighted_value, 2) if not violations else 0,
        "upper_bound": k.upper_bound, "ratio_to_bound": round(k.expected_recordings / max(1, k.upper_bound), 4),
        "sites_served": k.sites_served, "travel_hours": k.travel_hours, "wall_s": round(wall, 1),
        "peak_mem_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "violations": len(violations),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["100", "300"])
    ap.add_argument("--limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solvers", nargs="+", default=["jemput", "pyvrp"], choices=["jemput", "pyvrp", "vroom"])
    ap.add_argument("--out", default="scale")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_run(args.one[0], args.one[1], args.limit, args.seed)))
        return
    rows = []
    for size in args.sizes:
        for solver in args.solvers:
            out = subprocess.run(
                [sys.executable, __file__, "--one", size, solver, "--limit", str(args.limit), "--seed", str(args.seed)],
                check=True, capture_output=True, text=True,
            )
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    write(rows, args, " ".join(sys.argv[1:]))


def write(rows: list[dict], args, argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    by = {(r["sites"], r["solver"]): r for r in rows}
    for r in rows:
        if r["solver"] != "jemput" and (r["sites"], "jemput") in by and r["weighted_value"]:
            by[(r["sites"], "jemput")][f"value_per_{r['solver']}"] = round(by[(r["sites"], "jemput")]["weighted_value"] / r["weighted_value"], 4)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with (RESULTS / f"{args.out}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Real geography at scale: Jambi sites, jemput vs PyVRP on a relaxed one-day instance",
        "",
        f"Command: `.venv/bin/python bench/scale.py {argv}`".rstrip(),
        machine(cpus_note=" (shared with other work while this ran)"),
        f"Time limit {args.limit:g} s per solver, one thread, each run in its own process one after another; seed {args.seed}.",
        "",
        "The relaxed instance is described in bench/scale.py. `weighted_value` is what both solvers maximise;",
        "`value_per_pyvrp` = jemput ÷ PyVRP. `upper_bound` is jemput's capacity/reachability bound on",
        "recordings. Figures come from plans the independent validator accepted (`violations` must be 0).",
        "",
        *markdown_table(cols, rows),
    ]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
