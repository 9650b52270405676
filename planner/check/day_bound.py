"""A tighter bound from the LP's prices: every team-day's visits whole (docs/bound.md).

The LP (`planner.check.lp_bound`) lets a team-day make part of a visit: a third of a visit pays a
third of the set-up and of the drive in. Here the rows that join team-days (per site: the visit
count and the tangents of its visit sizes; per team: its nights out) are moved into the objective
at prices λ ≥ 0 (Lagrangian relaxation), and what is left falls apart into one small problem per
team-day, solved by SCIP with its visits whole (0 or 1). For any λ ≥ 0 and any real plan x:

    recordings(x) = c·x ≤ c·x + λ·(b − A x) = λ·b + Σ_d (c − λA)_d · x_d ≤ λ·b + Σ_d max_d

since x keeps the joining rows (A x ≤ b) and each x_d is a point of team-day d's problem. SCIP
stops a team-day within `GAP` of its optimum and its proven bound (at least the maximum) is what
counts. With the LP's optimal prices as λ, and the team-days made fractional again, the sum is the
LP's optimum; with whole visits it can only be lower.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from planner.check.lp_bound import Relaxation

DAY_LIMIT_MS = 2000  # SCIP's time per team-day; its proven bound counts when it stops early
GAP = 0.01  # SCIP stops a team-day this close (relative) to its optimum: the bound stays proven


def day_bound(model: Relaxation, deadline: float | None = None) -> int | None:
    """λ·b + Σ_d max_d at the solved LP's prices (module doc), rounded down; None if the LP was
    not solved, `deadline` (`time.monotonic()`) passes first, or a team-day has no proven bound."""
    if model.duals is None:
        return None
    proto = linear_solver_pb2.MPModelProto()
    model.solver.ExportModelToProto(proto)
    cost = np.array([v.objective_coefficient for v in proto.variable], dtype=float)
    total = 0.0
    for k in model.joining:
        price = max(0.0, float(model.duals[k]))  # every joining row is ≤ b: any λ ≥ 0 is valid
        if price > 0.0:
            row = proto.constraint[k]
            total += price * row.upper_bound
            np.subtract.at(cost, np.array(row.var_index, dtype=np.int64), price * np.array(row.coefficient))
    whole = {v.index() for v in model.whole}
    for cols, rows in model.blocks:
        best = _day_max(proto, cols, [k for k in rows if k not in model.joining], cost, whole, deadline)
        if best is None:
            return None
        total += best
    return int(np.floor(total + 1e-6))


def _day_max(proto: Any, cols: range, rows: list[int], cost: np.ndarray, whole: set[int],
             deadline: float | None) -> float | None:
    """SCIP's proven bound on max (c − λA)·x_d over team-day d's own rows, its visits whole."""
    limit = DAY_LIMIT_MS if deadline is None else min(DAY_LIMIT_MS, int((deadline - time.monotonic()) * 1000))
    if limit <= 0:
        return None
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
        return None
    scip.SetTimeLimit(limit)
    scip.SetSolverSpecificParametersAsString(f"limits/gap = {GAP}\n")
    if scip.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE, pywraplp.Solver.NOT_SOLVED):
        return None
    bound = float(scip.Objective().BestBound())
    return bound if np.isfinite(bound) and abs(bound) < 1e15 else None
