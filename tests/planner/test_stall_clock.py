"""The stall stop reads the search's own clock (planner.solve.stall.Stall.clock): a search that gets no
CPU while the machine is busy with other work is not stalled by the wall time passing."""

from __future__ import annotations

from planner.solve.stall import Stall


def test_a_search_without_cpu_time_is_not_stalled_however_long_the_wall_clock_runs() -> None:
    cpu = [0.0]
    s = Stall(factor=1.0, min_s=2.0, start=0.0, min_gain=1.0, clock=lambda: cpu[0])
    cpu[0] = 1.0
    s.solution(100.0)  # its best after 1 CPU-second
    cpu[0] = 2.5  # (any amount of wall time later) 1.5 CPU-seconds without a gain: not yet
    assert not s.stalled()
    cpu[0] = 3.0  # 2 CPU-seconds without a gain, at least as long as the best took: stalled
    assert s.stalled()

