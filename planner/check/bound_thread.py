"""The LP bound and the whole-day bound, solved in a thread beside the search (docs/bound.md)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from planner.check.day_bound import day_bound
from planner.check.lp_bound import build_relaxation, solve_relaxation
from planner.compile.instance import Compiled


class RelaxedBounds(NamedTuple):
    """The LP bound and the whole-day bound (None: not solved, or not by the deadline)."""

    lp: int | None = None
    whole_days: int | None = None


def relaxed_bounds(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                   deadline: float | None = None, whole_days: bool = True) -> RelaxedBounds:
    """The LP (GLOP), then, if `whole_days` and time is left before `deadline`, its team-days whole."""
    model = build_relaxation(c, reach, day_places, deadline)
    lp = None if model is None else solve_relaxation(model, deadline)
    if model is None or lp is None or not whole_days:
        return RelaxedBounds(lp)
    return RelaxedBounds(lp, day_bound(model, deadline))


def lp_bound_later(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                   deadline: float | None = None) -> Callable[[], RelaxedBounds]:
    """Start `relaxed_bounds` in a thread (GLOP and SCIP run outside the GIL, beside the search); the
    returned function waits for it. What is not solved by `deadline` is None (docs/bound.md)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-bound")
    future = pool.submit(relaxed_bounds, c, reach, day_places, deadline)
    pool.shutdown(wait=False)
    return future.result
