"""The data of one part of the week as the search sees it: `Vehicle`s (team-days), a `PartInstance`
(plain arrays, pickled cheaply to a worker process), a `PartResult`, and the service minutes rule.

Kept apart from the OR-Tools model (`planner.solve.routing`) so the constructive start
(`planner.solve.insertion`) and ruin and recreate (`planner.solve.lns`) use it without importing the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner import units

SCALE = 100  # objective units per weighted person


@dataclass(frozen=True)
class Vehicle:
    """One team-day in a part: where it starts and ends, its hours, breaks and service speed."""

    team: int
    team_day: int  # index into Compiled.team_days
    day: int
    kits: int
    rate_per_kit_hour: float
    setup_min: int
    profile: str
    start_node: int
    end_node: int
    work_start: int
    work_end: int
    breaks: tuple[tuple[int, int], ...]
    max_drive_min: int
    # A day continued in a re-plan: the team leaves its last visit at `work_start` and begins no
    # new visit before `ready` (the re-plan time); None: visits may begin on arrival.
    ready: int | None = None


@dataclass(frozen=True)
class PartInstance:
    """A self-contained routing instance: nodes [0, n_depots) are start/end places, the rest visits.

    Frozen: a step that changes a part (a re-plan's warm start) makes a new one (`dataclasses.replace`)."""

    name: str
    node_point: np.ndarray  # point index (into Compiled) per node
    n_depots: int
    visit_site: np.ndarray  # per visit node: site index
    visit_no: np.ndarray  # 1-based visit number of the week
    visit_people: np.ndarray
    visit_value: np.ndarray  # weighted people
    duration: dict[str, np.ndarray]  # profile -> node × node whole minutes
    vehicles: list[Vehicle]
    allowed: list[list[int]]  # per visit node: vehicles that may serve it
    start_windows: list[list[tuple[int, int]]]  # per visit node: absolute [lo, hi] for the start
    travel_cost_per_hour: float
    # Re-planning (planner.replan.week); the defaults leave a fresh plan as it was.
    initial_routes: list[list[int]] | None = None  # per vehicle: visit nodes (not indices) to start the search from
    old_vehicle: np.ndarray | None = None  # per visit: vehicle of the previous plan; -1 new; ≥ n_vehicles: gone (no penalty)
    move_penalty: int = 0  # objective units for serving an old visit on another vehicle, or dropping it
    order_same_site: bool = False  # charge one weighted person for a site's visits back to back out of number order
    one_visit_per_vehicle: bool = False  # a site's visits go to different team-days (VisitRules.one_visit_per_team_day)
    # per visit: it may go on across a break (VisitRules.record_across_breaks, where no window's end binds); None: none may
    across_breaks: np.ndarray | None = None


@dataclass
class PartResult:
    """Visit sequences per vehicle (node ids), as found by the search."""

    name: str
    routes: list[list[int]]
    objective: int
    status: str
    wall_s: float
    out_of_time: bool = False  # the search gave nothing better than the greedy first plan in its time
    team_days: tuple[int, ...] = ()  # Compiled.team_days of the part's vehicles


Progress = Callable[[str, int, float], None]  # (part name, objective, seconds elapsed)


def service_vector(inst: PartInstance, v: Vehicle) -> np.ndarray:
    """Service minutes of every node for this vehicle (0 at start/end places)."""
    svc = np.zeros(len(inst.node_point), dtype=np.int64)
    per_kit = v.kits * v.rate_per_kit_hour
    svc[inst.n_depots :] = v.setup_min + np.ceil(inst.visit_people * 60 / per_kit).astype(np.int64)
    return svc


def ready_wait(v: Vehicle) -> int:
    """Minutes a continued day's first leg lasts at least (no new visit begins before `ready`),
    breaks before `ready` not counted."""
    if v.ready is None or v.ready <= v.work_start:
        return 0
    paused = sum(max(0, min(b1, v.ready) - max(b0, v.work_start)) for b0, b1 in v.breaks)
    return max(0, v.ready - v.work_start - paused)


def visit_order_offset(inst: PartInstance) -> int:
    """Least start-time difference (minutes) between a site's visit k+1 and its visit k.

    The plan numbers a site's visits by date (`planner.solve.week.renumber_visits`), and visit k+1
    may come on the same date as visit k (another team) but not earlier. Start times are absolute
    (day × 1440 + minute): when every shift spans less than half a day, k+1 ≥ k − span allows any
    order within a date and none across dates. Otherwise (long one-day shifts), or when one team may
    make two visits of a site a day (their order is then the plan's), visit k+1 starts after visit k.
    """
    span = max((v.work_end - v.work_start for v in inst.vehicles), default=0)
    if not inst.one_visit_per_vehicle or 2 * span >= units.DAY_MINUTES:
        return 0
    return -span
