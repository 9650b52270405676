"""Benchmark: re-plan the bundled Jambi week from Tuesday 12:00 after a fact that touches no planned visit.

Run: .venv/bin/python bench/timing_replan.py --limit 30 --label after
With a move penalty no gain can pay (10,000 weighted recordings) and the search started from the
previous plan, every previous visit the re-plan loses is one its own timing could not keep
(routing model, warm start and schedule disagreeing), e.g. a continued day's last visit around the
midday break. Prints one JSON line and appends it to bench/results/timing_replan.csv.
"""

from __future__ import annotations

import datetime as dt
import time


def one_run(limit: float, seed: int, label: str) -> dict:
    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.io.outcomes import Outcomes, SiteClosed
    from planner.replan.week import ReplanOptions, replan, replanned_scenario
    from planner.solve.week import SolveOptions, plan_week
    from planner.check.validate import validate_plan

    sc = load_scenario(jambi_scenario_path())
    opts = SolveOptions(time_limit_s=limit, seed=seed)
    old = plan_week(sc, opts)
    left = old.left_out[0].site_id  # a site the plan does not visit: closing it changes no visit
    when = dt.datetime.combine(sc.horizon.start + dt.timedelta(days=1), dt.time(12, 0))
    facts = Outcomes(outcomes=(SiteClosed(site_id=left, date=sc.horizon.start + dt.timedelta(days=3)),))
    t0 = time.perf_counter()
    new, churn = replan(sc, old, facts, when, ReplanOptions(solve=opts, move_penalty=10_000))
    wall = time.perf_counter() - t0
    violations = validate_plan(replanned_scenario(sc, old, facts, when), new)
    return {
        "label": label,
        "time_limit_s": limit,
        "seed": seed,
        "old_expected_recordings": old.kpis.expected_recordings,
        "new_expected_recordings": new.kpis.expected_recordings,
        "kept": churn.kept,
        "moved": churn.moved,
        "added": churn.added,
        "dropped": churn.dropped,
        "status": new.solve.status,
        "violations": len(violations),
        "violation_codes": " ".join(sorted({v.code for v in violations})),
        "replan_wall_s": round(wall, 1),
    }


def main() -> None:
    from timing_fix import run_and_record  # the sibling script (bench/ is on sys.path when run as a script)

    run_and_record(one_run, "timing_replan.csv")


if __name__ == "__main__":
    main()
