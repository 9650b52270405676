"""Benchmark: search settings on real weeks (bundled provinces), the product path, paired per province.

The companion of bench/tune_search.py (which tunes on the TOPTW literature): the same variants
(`base`, `name=value` for planner.solve.search constants, `lns.name=value` for planner.solve.lns ones, `@preset` for OR-Tools parameters), here
merged into every part's parameters (`planner.solve.tuning.PRODUCT`). Each province is written by
`write_example` (as `jemput example` does) and planned by `plan_week` with one worker, as `jemput plan --workers 1`
does (LP bound included); the variants run one after the other inside a province, and
`--rounds 2` runs them again in reverse order, so a pair sees nearly the same machine load. The plan
is checked by the independent validator; expected recordings, weighted value and CPU seconds are kept.

Run: .venv/bin/python bench/tune_week.py --limit 60 --examples jambi nusa-tenggara-timur --variants base @mab
Writes bench/results/tune_week.{csv,md} (or --out NAME).
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import planner.solve.tuning as tuning  # noqa: E402
from bench.report import machine, markdown_table  # noqa: E402
from bench.tune_search import get_constant, set_constant, variant_settings  # noqa: E402
from planner.check.validate import validate_plan  # noqa: E402
from planner.io.bundled import write_example  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402
from planner.solve.week import SolveOptions, plan_week  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def run(scenario, variant: str, defaults: dict, limit: float, max_solutions: int | None) -> dict:
    """One plan of the scenario with the variant's settings; its figures."""
    settings = variant_settings(variant)
    tuning.PRODUCT = str(settings.pop("@", ""))
    for key, value in {**defaults, **settings}.items():
        set_constant(key, value)
    t0, c0 = time.monotonic(), cpu_seconds()
    plan = plan_week(scenario, SolveOptions(time_limit_s=limit, seed=0, workers=1, max_solutions=max_solutions))
    wall, cpu = time.monotonic() - t0, cpu_seconds() - c0
    tuning.PRODUCT = ""
    k = plan.kpis
    return {"variant": variant, "recordings": k.expected_recordings, "value": round(k.weighted_value),
            "violations": len(validate_plan(scenario, plan)), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "kept_first_plans": len(plan.solve.parts_out_of_time)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--examples", nargs="+", default=["jambi"])
    ap.add_argument("--variants", nargs="+", default=["base"])
    ap.add_argument("--rounds", type=int, default=1, help="2: the variants again in reverse order")
    ap.add_argument("--max-solutions", type=int, default=0)
    ap.add_argument("--out", default="tune_week")
    args = ap.parse_args()
    defaults = {k: get_constant(k) for v in args.variants for k in variant_settings(v) if k != "@"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.examples:
            scenario = load_scenario(write_example(name, Path(tmp) / name))
            for r in range(args.rounds):
                for variant in (args.variants if r % 2 == 0 else args.variants[::-1]):
                    rows.append({"example": name, "round": r + 1,
                                 **run(scenario, variant, defaults, args.limit, args.max_solutions or None)})
                    print(rows[-1], flush=True)
                    write(rows, args, " ".join(sys.argv[1:]))


def write(rows: list[dict], args, argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{args.out}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Search settings on real weeks (product path, one worker)",
        "",
        f"Command: `.venv/bin/python bench/tune_week.py {argv}`",
        machine(" (shared with other work while this ran)"),
        f"{args.limit:g} s per plan" + (f", at most {args.max_solutions} improving solutions per part" if args.max_solutions else "")
        + "; variants one after the other inside each province (reversed in even rounds).",
        "",
        *markdown_table(list(rows[0]), rows),
    ]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
