"""Benchmark: when does a part's search stop improving? Records, per part, every restart's objective over
a generous time, then replays stall rules on the records: time each rule frees and the value it loses.

Run: .venv/bin/python bench/stall.py SCENARIO [SCENARIO ...] --budget 120 [--name stall]
Each part of the scenario's first stage (and the provincial teams on all sites) is searched alone for its
share of `--budget` seconds on one worker (`part_schedule`), as `jemput plan --workers 1` would with that
limit. A rule "stop when no solution has improved the best for `factor` x the time the last improvement took
from the part's start (and at least `min_s` seconds)" is replayed on the recorded solutions; `lost` = the served value
(visit value of the routes, objective units) at that point below the value at the end of the budget,
summed over parts, as a share of all served value; `freed` = seconds not searched, as a share of the budget.
Writes bench/results/NAME.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from planner.compile.instance import compile_scenario  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402
from planner.solve.parts import build_instance, places, provincial_part, regency_parts  # noqa: E402
import planner.solve.routing as routing_mod  # noqa: E402
from planner.solve.routing import objective_weights, solve_part  # noqa: E402
from planner.solve.stall import Stall  # noqa: E402
from planner.solve.trips import plan_trips  # noqa: E402
from planner.solve.week import PROVINCIAL_MAX_SITES, REGENCY_MAX_SITES, part_schedule, part_weight  # noqa: E402

RESULTS = Path(__file__).parent / "results"
RULES = [(f, s) for f in (0.5, 1.0, 2.0, 3.0) for s in (1.0, 2.0, 4.0)]


class _Never(Stall):
    def stalled(self, now: float | None = None) -> bool:
        return False


def record(inst: Any, seconds: float) -> tuple[list[tuple[float, float]], float]:
    """(seconds since the part began, objective) of every solution its search found, and its total value.
    The stall stop is off here: the search runs its whole time."""
    trace: list[tuple[float, float]] = []
    routing_mod.Stall = _Never
    solve_part(inst, seconds, lambda _name, obj, t: trace.append((t, float(obj))))
    return trace, float(inst.visit_value.sum() * objective_weights(inst)[0])


def stop_at(trace: list[tuple[float, float]], seconds: float, factor: float, min_s: float, min_gain: float) -> tuple[float, float]:
    """When the rule (`planner.solve.stall.Stall`) stops the search (`seconds` if it never does) and the best objective then."""
    for k in range(len(trace)):
        stall = Stall(factor, min_s, 0.0, min_gain)
        for t, obj in trace[: k + 1]:
            stall.solution(obj, t)
        following = trace[k + 1][0] if k + 1 < len(trace) else seconds
        assert stall.last is not None
        stop = stall.last + max(min_s, factor * stall.last)
        if stop < following and stop < seconds:
            return stop, min(o for _, o in trace[: k + 1])
    return seconds, min(o for _, o in trace)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenarios", type=Path, nargs="+")
    ap.add_argument("--budget", type=float, default=120.0)
    ap.add_argument("--name", default="stall")
    args = ap.parse_args()
    rows, lines = [], []
    for path in args.scenarios:
        c = compile_scenario(load_scenario(path))
        day_places = places(c, plan_trips(c))
        done = np.zeros(len(c.scenario.sites), dtype=np.int64)
        insts = [build_instance(c, p, done, day_places, 0, REGENCY_MAX_SITES) for p in regency_parts(c)]
        prov = provincial_part(c)
        if prov:
            insts.append(build_instance(c, prov, done, day_places, 0, PROVINCIAL_MAX_SITES))
        order, ends = part_schedule([part_weight(i) for i in insts], 1, args.budget)
        starts = dict(zip(order, [0.0] + [ends[i] for i in order][:-1]))
        traces = []
        for i in order:
            trace, total = record(insts[i], ends[i] - starts[i])
            if len(trace) > 1:
                traces.append((insts[i].name, ends[i] - starts[i], trace, total, objective_weights(insts[i])[0]))
                lines.append(f"{path.parent.name} {insts[i].name}: {len(trace)} solutions, {ends[i] - starts[i]:.1f} s, "
                             f"last improvement at {min(t for t, o in trace if o == min(o for _, o in trace)):.1f} s")
                print(lines[-1], flush=True)
        for f, s in RULES:
            freed = lost = served = 0.0
            for _name, seconds, trace, total, gain in traces:
                when, at_stop = stop_at(trace, seconds, f, s, gain)
                end = min(o for _, o in trace)
                freed += seconds - when
                lost += at_stop - end
                served += total - end
            rows.append({"scenario": path.parent.name, "factor": f, "min_s": s,
                         "freed_share": round(freed / args.budget, 3), "lost_share": round(lost / max(served, 1.0), 5)})
    table = "\n".join(markdown_table(list(rows[0]), rows))
    cmd = "`.venv/bin/python bench/stall.py " + " ".join(sys.argv[1:]) + "`"
    text = f"# When a part's search stops improving (stall rules replayed)\n\nCommand: {cmd}\n{machine(tail=f'; load average {os.getloadavg()[0]:.1f} at the end')}\n\n{table}\n\nPer part:\n\n" + "\n".join(f"- {x}" for x in lines) + "\n"
    (RESULTS / f"{args.name}.md").write_text(text, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
