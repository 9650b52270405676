"""The LP bound and the whole-day bound, solved in a thread beside the search (docs/bound.md)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from queue import Empty
from typing import Any, NamedTuple

import numpy as np

from planner.check.day_bound import DayInputs, day_bound, day_inputs, whole_days
from planner.check.lp_bound import Relaxation, build_relaxation, lp_seconds, relaxation_pairs, solve_relaxation
from planner.compile.instance import Compiled


class RelaxedBounds(NamedTuple):
    """The LP bound and the whole-day bound (None: not solved, or not by the deadline)."""

    lp: int | None = None
    whole_days: int | None = None


def relaxed_bounds(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                   deadline: float | None = None, whole_days: bool = True, elsewhere: bool = False,
                   stop: threading.Event | None = None) -> RelaxedBounds:
    """The LP (GLOP), then, if `whole_days` and time is left before `deadline`, its team-days whole
    until `stop` is set (`elsewhere`: in a process of the lowest priority, `whole_days_elsewhere`)."""
    model = build_relaxation(c, reach, day_places, deadline)
    lp = None if model is None else solve_relaxation(model, deadline)
    if model is None or lp is None or not whole_days:
        return RelaxedBounds(lp)
    if elsewhere:
        return RelaxedBounds(lp, whole_days_elsewhere(model, deadline, stop))
    return RelaxedBounds(lp, day_bound(model, deadline, stop))


WHOLE_DAYS_HERE_PAIRS = 5_000  # team-day × site pairs up to which the whole days are made in this process
WHOLE_DAYS_NICE = 19  # the whole-day bound runs on idle CPU only (bench/results/bound.md: beside the search it cost ~2%)


def whole_days_elsewhere(model: Relaxation, deadline: float | None = None, stop: threading.Event | None = None) -> int | None:
    """The whole-day bound made in a child process at the lowest priority, so it takes idle CPU only;
    the best bound it reported when `stop` is set or `deadline` passes (the child is then ended).

    Not a thread at a low priority: a starved thread holding the GIL stalled the planner (Jambi, 20 s,
    half a CPU: 31 s of wall instead of 18). Where no child process may be started (a daemonic worker),
    it runs here at normal priority."""
    inputs = day_inputs(model)
    if inputs is None:
        return None
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_whole_days_child, args=(inputs, deadline, queue), daemon=True, name="whole-days")
    try:
        child.start()
    except (AssertionError, OSError):  # "daemonic processes are not allowed to have children", or no fork
        return day_bound(model, deadline, stop)
    best: int | None = None
    try:
        while not (stop is not None and stop.is_set()) and not (deadline is not None and time.monotonic() > deadline):
            try:
                kind, value = queue.get(timeout=0.05)
            except Empty:
                if not child.is_alive():
                    break  # ended without a last word (killed): keep what it reported
                continue
            best = best if value is None else value
            if kind == "done":
                break
    finally:
        best = _last_word(queue, best)
        child.terminate()
        child.join(timeout=2)
        queue.close()
    return best


def _last_word(queue: Any, best: int | None) -> int | None:
    """The newest bound the child reported that was not read yet (else `best`)."""
    while True:
        try:
            kind, value = queue.get_nowait()
        except Empty:
            return best
        best = best if value is None else value


def _whole_days_child(inputs: DayInputs, deadline: float | None, queue: Any) -> None:
    """In the child process: lower its priority, make days whole, report each better bound, then done."""
    try:
        os.nice(WHOLE_DAYS_NICE)
    except OSError:
        pass
    queue.put(("done", whole_days(inputs, deadline, report=lambda bound: queue.put(("bound", bound)))))


def lp_bound_later(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                   deadline: float | None = None, stop_early: bool = True) -> Callable[[], RelaxedBounds]:
    """Start `relaxed_bounds` in a thread (GLOP and SCIP run outside the GIL, beside the search); the
    returned function, called when the search ends, stops making days whole and waits for the rest
    (the LP: at most until `deadline`). What is not solved by then is None (docs/bound.md).
    `stop_early` False (a repeatable run, `--max-solutions`): the whole days are not stopped when the
    search ends, only by `deadline`, so the same run gives the same bound whatever the timing. A small
    LP's days are made whole here (spawning a process costs more than they do)."""
    pairs = relaxation_pairs(c, reach)
    if deadline is not None and lp_seconds(pairs) > deadline - time.monotonic():
        return RelaxedBounds  # it would not be solved in time: not built (its CPU and memory go to the search)
    stop = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-bound")
    future = pool.submit(relaxed_bounds, c, reach, day_places, deadline, True, pairs > WHOLE_DAYS_HERE_PAIRS, stop)
    pool.shutdown(wait=False)

    def wait() -> RelaxedBounds:
        if stop_early:
            stop.set()
        return future.result()

    return wait
