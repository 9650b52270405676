"""The objective every search of a part shares: value per visit made, cost per arc driven, in the
routing model's integer units (`planner.solve.routing` charges them, `planner.solve.lns` searches them)."""

from __future__ import annotations

import numpy as np

from planner.solve.problem import SCALE, PartInstance

def objective_weights(inst: PartInstance) -> tuple[float, float]:
    """(objective units per unit of value, per minute of travel).

    With a travel cost, value and travel trade off at the scenario's rate. Without one, travel
    still breaks ties: each minute costs 1 and value is scaled so that one unit of the smallest
    visit value outweighs all the driving the part's team-days could do. The search then keeps
    shortening routes, which frees time for more visits (a zero-cost route gives it no guidance).
    """
    if inst.travel_cost_per_hour > 0:
        return SCALE, inst.travel_cost_per_hour / 60 * SCALE
    shift_min = sum(v.work_end - v.work_start for v in inst.vehicles)
    smallest = float(inst.visit_value.min()) if len(inst.visit_value) else 1.0
    factor = int(shift_min // (SCALE * smallest)) + 1 if smallest > 0 else 1
    return SCALE * factor, 1.0


def move_cost(inst: PartInstance) -> int:
    """Objective units for moving or dropping an old visit (`move_penalty` is in SCALE units of value)."""
    return int(round(inst.move_penalty * objective_weights(inst)[0] / SCALE))


def _out_of_order(inst: PartInstance) -> np.ndarray | int:
    """Cost of driving straight from a site's visit to one of its lower-numbered visits.

    Back-to-back visits to one site cost no travel in any order, but the turnout rule numbers them
    by time: the larger, lower-numbered visit should come first.
    """
    if not inst.order_same_site:
        return 0
    n = len(inst.node_point)
    site = np.full(n, -1, dtype=np.int64)
    site[inst.n_depots :] = inst.visit_site
    number = np.zeros(n, dtype=np.int64)
    number[inst.n_depots :] = inst.visit_no
    same = (site[:, None] == site[None, :]) & (site[:, None] >= 0)
    return np.where(same & (number[None, :] < number[:, None]), SCALE, 0).astype(np.int64)

def arc_costs(inst: PartInstance, profile: str) -> np.ndarray:
    """Objective units per arc (node × node) for team-days of a travel profile."""
    cost = np.rint(inst.duration[profile] * objective_weights(inst)[1]).astype(np.int64)
    return cost + _out_of_order(inst)


def visit_values(inst: PartInstance) -> np.ndarray:
    """Objective units per visit node for making the visit (the penalty for leaving it out)."""
    return np.rint(np.asarray(inst.visit_value, dtype=float) * objective_weights(inst)[0]).astype(np.int64)
