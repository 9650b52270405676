"""Same routes, same plan: two versions of the assembly compared on the same search output (issue 18).

The search is not repeatable under load (its time limit), so this pins it: `save` runs plan_week and
five re-plans of the bundled Jambi week (facts as in tests/planner/test_replan_sweep.py) and records
what the search returned and the re-plan's warm-started parts; `load` replays the recorded search with
the code on PYTHONPATH and rebuilds the parts. The plan, every re-plan and every prepared part must be
equal (`compare`). `load` also fails if the warm start changes the part it is given.

    PYTHONPATH=<old checkout> python bench/pinned_assembly.py save /tmp/old.json
    PYTHONPATH=.              python bench/pinned_assembly.py load /tmp/new.json
    python bench/pinned_assembly.py compare /tmp/old.json /tmp/new.json
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import sys
from typing import Any

PINNED = os.environ.get("PINNED", "/tmp/pinned_search.pkl")  # the recorded search output
FIELDS = ["vehicles", "allowed", "visit_people", "visit_value", "start_windows", "initial_routes", "old_vehicle",
          "move_penalty", "order_same_site"]
REPLANS = [(1, 12), (2, 8), (3, 15), (4, 10), (5, 9)]  # (day of the week, hour)


def _dump(plan: Any) -> dict[str, Any]:
    d: dict[str, Any] = json.loads(plan.model_dump_json())
    d["solve"].pop("wall_s", None)
    d["solve"].pop("time_limit_s", None)
    return d


def run(mode: str, out: str) -> None:
    import planner.replan.warm as warm
    import planner.replan.week as replan_week
    import planner.solve.week as week
    from planner.check.validate import validate_plan
    from planner.compile.travel import provider_for
    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.replan.week import ReplanOptions, replan, replanned_scenario
    from planner.solve.parts import build_instance, regency_parts
    from planner.solve.week import SolveOptions, plan_week
    from tests.planner.test_replan_sweep import _Memo, facts_for

    store: dict[str, list[Any]] = {"stages": [], "rest": []}
    if mode == "load":
        with open(PINNED, "rb") as f:
            store = pickle.load(f)
    prepared: list[dict[str, str]] = []
    real_stages, real_rest = week.solve_stages, replan_week.solve_rest

    def stages(*a: Any, **k: Any) -> Any:
        if mode == "load":
            return store["stages"].pop(0)
        result = real_stages(*a, **k)
        store["stages"].append(result)
        return result

    def rest(rr: Any, old_plan: Any, kept: Any, options: Any) -> Any:
        c, opts = rr.c, options.solve
        if c.team_days:
            old = warm._old_routes(old_plan, kept)
            for p in regency_parts(c):
                inst = build_instance(c, p, rr.done.copy(), rr.places, opts.seed)
                snap = pickle.dumps(inst)
                new = warm._prepared(c, inst, rr, old, options)
                if mode == "load":
                    assert pickle.dumps(inst) == snap, "the warm start changed the part it was given"
                prepared.append({f: repr(getattr(new, f)) for f in FIELDS})
        if mode == "load":
            return store["rest"].pop(0)
        result = real_rest(rr, old_plan, kept, options)
        store["rest"].append(result)
        return result

    week.solve_stages, replan_week.solve_rest = stages, rest
    sc = load_scenario(jambi_scenario_path())
    provider = _Memo(provider_for(sc.travel, jambi_scenario_path().parent))
    plan = plan_week(sc, SolveOptions(time_limit_s=8, seed=0, workers=1), provider)
    res: dict[str, Any] = {"plan": _dump(plan)}
    for day, hour in REPLANS:
        date = sc.horizon.start + dt.timedelta(days=day)
        facts = facts_for(sc, plan, date)
        t = dt.datetime.combine(date, dt.time(hour))
        new, _ = replan(sc, plan, facts, t, ReplanOptions(solve=SolveOptions(time_limit_s=4, seed=0, workers=1)), provider)
        violations = validate_plan(replanned_scenario(sc, plan, facts, t), new)
        res[f"{day}-{hour}"] = _dump(new)
        print(day, hour, new.kpis.expected_recordings, f"{len(violations)} violations")
    res["prepared"] = prepared
    with open(out, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True, default=str)
    if mode == "save":
        with open(PINNED, "wb") as f:
            pickle.dump(store, f)


def compare(old: str, new: str) -> int:
    with open(old) as f:
        a = json.load(f)
    with open(new) as f:
        b = json.load(f)
    for key in sorted(set(a) | set(b)):
        print(key, "equal" if a.get(key) == b.get(key) else "DIFFERENT")
    return 0 if a == b else 1


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    run(sys.argv[1], sys.argv[2])
