"""A tighter bound from the LP's prices: every team-day's visits whole (docs/bound.md).

The LP (`planner.check.lp_bound`) lets a team-day make part of a visit: a third of a visit pays a
third of the set-up and of the drive in. Here the rows that join team-days (per site: the visit
count and the tangents of its visit sizes; per team: its nights out) are moved into the objective
at prices λ ≥ 0 (Lagrangian relaxation), and what is left falls apart into one small problem per
team-day, solved by SCIP with its visits whole (0 or 1). For any λ ≥ 0 and any real plan x:

    recordings(x) = c·x ≤ c·x + λ·(b − A x) = λ·b + Σ_d (c − λA)_d · x_d ≤ λ·b + Σ_d max_d

since x keeps the joining rows (A x ≤ b) and each x_d is a point of team-day d's problem. Any upper
bound on max_d may stand in for it: each day starts at its fractional (LP) bound from the LP's
prices on its own rows, so with every day fractional the sum is the LP's optimum; SCIP then makes
days whole, each within `GAP` of its optimum (its proven bound, at least the maximum, counts; a day
SCIP does not finish keeps its LP bound), until the deadline. Whole visits can only lower a day's bound, so the sum only falls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from planner.check.lp_bound import Relaxation

# SCIP's time per team-day, per pass: first every day briefly (on Jambi the days that gain most solve
# within 0.2 s: 96% of the gain in half the time), then the days not finished once more, longer.
# A day SCIP does not finish keeps its LP bound: stopped early SCIP may report a "best bound" below
# the day's maximum (0 after 1 ms; found by test_every_bound_holds..., far-apart).
DAY_LIMITS_MS = (200, 2000)
GAP = 0.01  # SCIP stops a team-day this close (relative) to its optimum: the bound stays proven
# no presolve, 3 cut rounds at the root: twice as fast per day on Jambi, the same bound (only SCIP's
# proven bound is read, so how it searches changes the figure, never its validity)
SCIP_PARAMETERS = f"limits/gap = {GAP}\nseparating/maxroundsroot = 3\npresolving/maxrounds = 0\n"


@dataclass(frozen=True)
class DayInputs:
    """What making days whole needs, picklable (it runs in another process, `bound_thread`): the
    solved LP as an `MPModelProto`'s bytes, its row prices, the joining rows, each team-day's
    columns and rows, and the columns a real plan has whole."""

    proto: bytes
    duals: np.ndarray
    joining: frozenset[int]
    blocks: list[tuple[range, range]]
    whole: frozenset[int]


def day_inputs(model: Relaxation) -> DayInputs | None:
    """The inputs of `whole_days` from a solved relaxation; None before the LP has prices."""
    if model.duals is None:
        return None
    proto = linear_solver_pb2.MPModelProto()
    model.solver.ExportModelToProto(proto)
    whole = frozenset(v.index() for v in model.whole)
    return DayInputs(proto.SerializeToString(), model.duals, frozenset(model.joining), list(model.blocks), whole)


def day_bound(model: Relaxation, deadline: float | None = None, stop: threading.Event | None = None) -> int | None:
    """`whole_days` of a solved relaxation, here (None if the LP was not solved)."""
    inputs = day_inputs(model)
    stopped = (lambda: False) if stop is None else stop.is_set
    return None if inputs is None else whole_days(inputs, deadline, stopped)


def whole_days(inputs: DayInputs, deadline: float | None = None, stopped: Callable[[], bool] = lambda: False,
               report: Callable[[int], None] = lambda bound: None) -> int | None:
    """λ·b + Σ_d (a bound on max_d) at the solved LP's prices (module doc), rounded down; None if
    `deadline` (`time.monotonic()`) passes before every day has its LP bound (`_priced_day`). Then
    days are made whole in two passes (`DAY_LIMITS_MS`) until all are done, the deadline, or
    `stopped()` (the search ended early: the plan does not wait); `report` gets every better bound."""

    def late() -> bool:
        return (deadline is not None and time.monotonic() > deadline) or stopped()

    proto = linear_solver_pb2.MPModelProto.FromString(inputs.proto)
    cost = np.array([v.objective_coefficient for v in proto.variable], dtype=float)
    total = 0.0
    for k in inputs.joining:
        price = max(0.0, float(inputs.duals[k]))  # every joining row is ≤ b: any λ ≥ 0 is valid
        if price > 0.0:
            row = proto.constraint[k]
            total += price * row.upper_bound
            np.subtract.at(cost, np.array(row.var_index, dtype=np.int64), price * np.array(row.coefficient))
    days = [(cols, [k for k in rows if k not in inputs.joining]) for cols, rows in inputs.blocks]
    best = []
    for cols, rows in days:  # a large province's pricing alone takes seconds: it stops at the deadline too
        if late():
            return None
        best.append(_priced_day(proto, cols, rows, cost, inputs.duals))
    report(int(np.floor(total + sum(best) + 1e-6)))
    todo = list(range(len(days)))  # (ordering by how fractional a day is in the LP did not find the gains sooner)
    for limit_ms in DAY_LIMITS_MS:
        left = []
        for d in todo:
            if late():
                return int(np.floor(total + sum(best) + 1e-6))
            got, finished = _day_max(proto, *days[d], cost, inputs.whole, deadline, limit_ms)
            if got is not None and got < best[d]:
                best[d] = got
                report(int(np.floor(total + sum(best) + 1e-6)))
            if not finished:
                left.append(d)
        todo = left
    return int(np.floor(total + sum(best) + 1e-6))


def _priced_day(proto: Any, cols: range, rows: list[int], cost: np.ndarray, duals: np.ndarray) -> float:
    """An upper bound on max (c − λA)·x_d, visits fractional, from the LP's prices μ of the day's own
    rows: Σ μ × (the row's bound on μ's side) + Σ_j max over x_j's box of its reduced cost × x_j.
    Valid for any μ (a price on a side without a bound counts as 0): weak duality."""
    reduced = cost[cols.start:cols.stop].copy()
    total = 0.0
    for k in rows:
        row, mu = proto.constraint[k], float(duals[k])
        side = row.upper_bound if mu > 0 else row.lower_bound
        if mu == 0.0 or not np.isfinite(side):
            continue
        total += mu * side
        np.subtract.at(reduced, np.array(row.var_index, dtype=np.int64) - cols.start, mu * np.array(row.coefficient))
    lo = np.array([proto.variable[j].lower_bound for j in cols])
    hi = np.array([proto.variable[j].upper_bound for j in cols])
    return total + float(np.maximum(reduced * lo, reduced * hi).sum())


def _day_max(proto: Any, cols: range, rows: list[int], cost: np.ndarray, whole: frozenset[int],
             deadline: float | None, limit_ms: int = DAY_LIMITS_MS[-1]) -> tuple[float | None, bool]:
    """SCIP's proven bound on max (c − λA)·x_d over team-day d's own rows, its visits whole, and
    whether SCIP finished (within `GAP`) in `limit_ms`; a day it did not finish gives None."""
    limit = limit_ms if deadline is None else min(limit_ms, int((deadline - time.monotonic()) * 1000))
    if limit <= 0:
        return None, False
    sub = linear_solver_pb2.MPModelProto(maximize=True)
    for j in cols:
        v = proto.variable[j]
        sub.variable.add(lower_bound=v.lower_bound, upper_bound=v.upper_bound,
                         objective_coefficient=float(cost[j]), is_integer=j in whole)
    for k in rows:
        row = proto.constraint[k]
        if any(j not in cols for j in row.var_index):
            raise ValueError(f"row {k} of a team-day reaches outside it")  # the blocks were built wrong
        sub.constraint.add(lower_bound=row.lower_bound, upper_bound=row.upper_bound,
                           var_index=[j - cols.start for j in row.var_index], coefficient=row.coefficient)
    scip = pywraplp.Solver.CreateSolver("SCIP")
    if scip is None or scip.LoadModelFromProto(sub):
        return None, True
    scip.SetTimeLimit(limit)
    scip.SetSolverSpecificParametersAsString(SCIP_PARAMETERS)
    if scip.Solve() != pywraplp.Solver.OPTIMAL:  # stopped by its limit: its "best bound" may be none
        return None, False  # (SCIP stopped after 1 ms reports 0, below the day's maximum): not used
    bound = float(scip.Objective().BestBound())  # proven: SCIP stopped within GAP of the optimum
    if not (np.isfinite(bound) and abs(bound) < 1e15) or bound < scip.Objective().Value() - 1e-6:
        return None, True  # not a bound on the day (never seen; checked all the same)
    return bound, True
