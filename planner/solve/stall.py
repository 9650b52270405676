"""When a part's search has stopped improving: the stall rule that ends it early, so its time goes to
the parts after it (`planner.solve.week.PartDeadline`) and to the provincial stage.

A search is stalled when no solution has improved its best by at least `min_gain` (one weighted person
of value, `planner.solve.routing.objective_weights`: shorter travel alone only breaks ties) for `FACTOR`
times the time the last such improvement took from the part's start, and for at least `MIN_S` seconds:
a part that found its best after 3 s stops at 3 + max(4, 3 x 1) = 7 s; one that still improves
late keeps searching.
Settings chosen by replaying rules on every solution of the bundled Jambi week's parts and a generated
province's (bench/stall.py, bench/results/stall.md). Only searches without a solution limit use it: a
run with `max_solutions` stays deterministic.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FACTOR = 1.0  # no improvement for this many times the time to the last one ...
MIN_S = 4.0  # ... and for at least this many seconds (2: 0.8% of the value lost on Jambi; 4: none)


@dataclass
class Stall:
    """Tracks a search's best objective and says when it has stopped improving."""

    factor: float = FACTOR
    min_s: float = MIN_S
    start: float = field(default_factory=time.monotonic)  # the part's start (on `clock`)
    min_gain: float = 0.0  # objective units an improvement must gain to count as progress
    best: float = math.inf  # the objective at the last improvement that counted
    last: float | None = None  # seconds from `start` to that improvement; None before the first solution
    # what `start` and the seconds are read from when no `now` is given: the search thread's CPU time
    # (`planner.solve.routing`), so a machine busy with other work does not make a search look stalled
    clock: Callable[[], float] = time.monotonic
    armed: bool = True  # False while a search's start is restored: a stalled search must still give its best

    def solution(self, objective: float, now: float | None = None) -> None:
        """Record a solution's objective (lower is better) found at `now` (default: the clock)."""
        if self.last is None or objective <= self.best - self.min_gain:
            self.best = objective
            self.last = (self.clock() if now is None else now) - self.start

    def stalled(self, now: float | None = None) -> bool:
        """True when the best has not improved for long enough (never before a first solution)."""
        if self.last is None or not self.armed:
            return False
        idle = (self.clock() if now is None else now) - self.start - self.last
        return idle >= max(self.min_s, self.factor * self.last)
