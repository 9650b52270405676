"""The LP bound and the whole-day bound, solved in a thread beside the search (docs/bound.md)."""

from __future__ import annotations

import os
import threading
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
                   deadline: float | None = None, whole_days: bool = True, nice: bool = False,
                   stop: threading.Event | None = None) -> RelaxedBounds:
    """The LP (GLOP), then, if `whole_days` and time is left before `deadline`, its team-days whole
    until `stop` is set (`nice`: at the lowest priority, the calling thread lowered for good: the
    bound thread only)."""
    model = build_relaxation(c, reach, day_places, deadline)
    lp = None if model is None else solve_relaxation(model, deadline)
    if model is None or lp is None or not whole_days:
        return RelaxedBounds(lp)
    if nice:
        _yield_cpu()
    return RelaxedBounds(lp, day_bound(model, deadline, stop))


WHOLE_DAYS_NICE = 19  # the whole-day bound runs on idle CPU only (bench/results/bound.md: beside the search it cost ~2%)


def _yield_cpu() -> None:
    """Lower this thread's priority (Linux: a thread is its own task) so the search keeps the CPU."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WHOLE_DAYS_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: the bound simply competes
        pass


def lp_bound_later(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                   deadline: float | None = None) -> Callable[[], RelaxedBounds]:
    """Start `relaxed_bounds` in a thread (GLOP and SCIP run outside the GIL, beside the search); the
    returned function, called when the search ends, stops making days whole and waits for the rest
    (the LP: at most until `deadline`). What is not solved by then is None (docs/bound.md)."""
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-bound")
    future = pool.submit(relaxed_bounds, c, reach, day_places, deadline, True, True, stop)
    pool.shutdown(wait=False)

    def wait() -> RelaxedBounds:
        stop.set()
        return future.result()

    return wait
