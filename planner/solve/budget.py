"""How much of the time limit the search gets: the limit is the whole command's.

Time already spent (the process's start-up when the caller counts it, loading and compiling) and the
work expected after the search (assembly with the bounds and the reasons, the independent validator,
writing the roster, the process's exit) come off the limit; the search gets the rest, never less than
`MIN_SEARCH_SHARE` of the limit.

The work after the search is estimated from the scenario's size in CPU seconds (`AFTER_BASE_CPU_S` +
`AFTER_CPU_S_PER_SITE` per site, measured on the bundled and generated provinces,
bench/results/robustness_overhead.md) and divided by the share of a CPU this process got until the
search starts: on a machine busy with other work the same CPU seconds take longer, and the steps
before the search (compiling: CPU work only) show by how much.
"""

from __future__ import annotations

import time

MIN_SEARCH_SHARE = 0.25  # of the time limit, for the search however long compiling took
AFTER_BASE_CPU_S = 0.8  # after the search whatever the size: the last part's overrun, the roster, the process's exit
# bounds, reasons, KPIs, validator and roster per site: 0.26–0.37 CPU s at 1,300–1,600 sites, 0.7 at 3,200,
# 1.7–1.8 at 8,500–9,000 (bench/results/robustness_overhead.md); 9,000 sites: 3.1 s reserved on a whole CPU
AFTER_CPU_S_PER_SITE = 0.00025
MIN_CPU_SHARE = 0.25  # a busier machine than this is not extrapolated further (the search's floor holds)


def search_budget(time_limit_s: float, spent_s: float, after_s: float = 0.0) -> float:
    """Seconds left for the search: the limit less what was spent before it and `after_s` expected
    after it, never less than `MIN_SEARCH_SHARE` of the limit."""
    return max(time_limit_s * MIN_SEARCH_SHARE, time_limit_s - spent_s - after_s)


def cpu_share(cpu_s: float, wall_s: float) -> float:
    """The share of one CPU this process got: its CPU seconds over the wall seconds they took
    (between `MIN_CPU_SHARE` and 1; 1 when too short to tell)."""
    if wall_s < 0.05:
        return 1.0
    return min(1.0, max(MIN_CPU_SHARE, cpu_s / wall_s))


def expected_after_s(n_sites: int, share: float = 1.0) -> float:
    """Wall seconds expected after the search for a scenario of `n_sites` when the process gets
    `share` of a CPU (see module doc)."""
    return (AFTER_BASE_CPU_S + AFTER_CPU_S_PER_SITE * n_sites) / max(share, MIN_CPU_SHARE)


class Clock:
    """The command's clock: wall seconds since it began (`started_at`, a `time.time()`, e.g. the process's
    creation; None or a time still to come: now), and the share of a CPU this process got since the clock
    was made (the steps before the search: pure CPU work, where start-up also waits for files)."""

    def __init__(self, started_at: float | None = None):
        now = time.time()
        self.made = now
        self.wall0 = now if started_at is None or started_at > now else started_at
        self.cpu0 = time.process_time()

    def spent_s(self) -> float:
        """Wall seconds since the command began."""
        return time.time() - self.wall0

    def share(self) -> float:
        """The share of a CPU this process got since the clock was made (`cpu_share`)."""
        return cpu_share(time.process_time() - self.cpu0, time.time() - self.made)

    def search_s(self, time_limit_s: float, n_sites: int) -> float:
        """The search's seconds from now (`search_budget` with `expected_after_s` for this machine's load)."""
        return search_budget(time_limit_s, self.spent_s(), expected_after_s(n_sites, self.share()))
