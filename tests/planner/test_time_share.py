"""The time limit is the command's (issue 13): the overhead after the search is reserved inside the limit,
scaled by how busy the machine is; a search that stopped improving stops, and the time it frees goes to
the parts after it. Logic only, on given clocks: speed itself is measured in bench/ (robustness.py, stall.py).
"""

from __future__ import annotations

import time

import pytest

from planner.check.validate import validate_plan
from planner.solve import budget
from planner.solve.budget import Clock, cpu_share, expected_after_s, search_budget
from planner.solve.stall import Stall
from planner.solve.week import PartDeadline, part_windows
from tests.planner.solver_cases import ring, scenario, solve, team


def test_the_work_after_the_search_comes_off_the_limit_and_the_search_keeps_its_floor():
    assert search_budget(20.0, 3.0, 4.0) == 13.0
    assert search_budget(20.0, 3.0) == 17.0  # nothing expected after: as before
    assert search_budget(20.0, 12.0, 6.0) == 20.0 * budget.MIN_SEARCH_SHARE  # never below the floor
    assert search_budget(60.0, 3.0, 4.0) == 53.0


def test_a_bigger_province_and_a_busier_machine_reserve_more():
    small, big = expected_after_s(1_500), expected_after_s(9_000)
    assert 1.0 < small < big < 6.0
    assert expected_after_s(9_000, 0.5) == pytest.approx(2 * big)
    assert expected_after_s(9_000, 0.01) == expected_after_s(9_000, budget.MIN_CPU_SHARE)  # not past the floor


def test_cpu_share_is_cpu_over_wall_within_bounds():
    assert cpu_share(1.0, 2.0) == 0.5
    assert cpu_share(3.0, 2.0) == 1.0  # threads: more CPU than wall is a whole CPU
    assert cpu_share(0.01, 10.0) == budget.MIN_CPU_SHARE
    assert cpu_share(0.0, 0.01) == 1.0  # too short to tell


def test_the_clock_counts_from_the_process_start_when_given():
    started = time.time() - 5.0
    clock = Clock(started)
    assert 5.0 <= clock.spent_s() < 6.0
    # 5 s spent before this call: a 20 s limit leaves 15 s less what comes after
    assert clock.search_s(20.0, 9_000) < 15.0 - expected_after_s(9_000) + 1e-6
    assert Clock().spent_s() < 0.5  # no start given: from now
    assert Clock(time.time() + 60).spent_s() < 0.5  # a start in the future is not believed


def test_stall_waits_for_a_stretch_as_long_as_the_search_took_to_its_best():
    s = Stall(factor=1.0, min_s=2.0, start=100.0, min_gain=10.0)
    assert not s.stalled(now=1_000.0)  # no solution yet: never stalled
    s.solution(500.0, now=101.0)
    assert not s.stalled(now=102.5) and s.stalled(now=103.0)  # 1 s to the best → stop 2 s (min_s) later
    s.solution(400.0, now=106.0)  # a real improvement at 6 s: wait 6 s more
    assert not s.stalled(now=111.5) and s.stalled(now=112.0)
    s.solution(395.0, now=111.9)  # gains less than min_gain (travel ties): not progress
    assert s.stalled(now=112.0) and s.best == 400.0
    s.solution(389.0, now=111.9)  # 11 below the best that counted: progress again
    assert not s.stalled(now=112.0) and s.last == pytest.approx(11.9)


def test_freed_time_is_shared_by_the_parts_that_start_later():
    order, starts, ends = part_windows([3.0, 1.0], slots=1, budget=8.0)
    assert order == [0, 1] and starts == [0.0, 6.0] and ends == [6.0, 8.0]
    first = PartDeadline(100.0 + starts[0], 100.0 + ends[0], 108.0)
    second = PartDeadline(100.0 + starts[1], 100.0 + ends[1], 108.0)
    assert first.seconds_left(now=100.0) == pytest.approx(6.0)  # on time: its planned window
    assert second.seconds_left(now=106.0) == pytest.approx(2.0)
    assert second.seconds_left(now=101.0) == pytest.approx(7.0)  # the last part takes all that is left
    order, starts, ends = part_windows([1.0, 1.0, 2.0], slots=1, budget=8.0)
    middle = PartDeadline(100.0 + starts[order[1]], 100.0 + ends[order[1]], 108.0)
    assert middle.seconds_left(now=104.0) == pytest.approx(2.0)  # on time
    assert middle.seconds_left(now=102.0) == pytest.approx(3.0)  # 2 s early: half of them, half to the last
    assert middle.seconds_left(now=106.0) == pytest.approx(1.0)  # 2 s late: gives up half
    assert middle.seconds_left(now=109.0) == 0.0  # past the stage's end


def test_parallel_windows_end_by_the_budget_and_start_when_a_slot_frees():
    order, starts, ends = part_windows([1.0, 5.0, 2.0, 0.0], slots=2, budget=10.0)
    assert max(ends) == pytest.approx(10.0)
    assert starts[1] == 0.0 and starts[2] == 0.0  # the two heaviest start at once
    assert starts[0] == pytest.approx(ends[2])  # part 0 follows part 2 on its slot


def _watch_stalls(monkeypatch) -> list[bool]:
    """A list that gets an item each time a part's search is put under the stall stop."""
    import planner.solve.routing as routing

    watched: list[bool] = []
    real = routing._stop_when_stalled

    def spy(model, stall):
        watched.append(True)
        return real(model, stall)

    monkeypatch.setattr(routing, "_stop_when_stalled", spy)
    return watched


def test_a_search_with_a_solution_limit_has_no_stall_stop(monkeypatch):
    """`--max-solutions` runs stay one deterministic search: no stall stop, which reads the clock."""
    watched = _watch_stalls(monkeypatch)
    sc = scenario(ring(8), [team("T1", 2)], days=2)
    plan = solve(sc, seconds=30.0, max_solutions=5)
    assert plan.kpis.visits > 0 and watched == []


@pytest.mark.slow
def test_a_converged_search_stops_long_before_its_time_and_its_plan_verifies(monkeypatch):
    watched = _watch_stalls(monkeypatch)
    sc = scenario(ring(10), [team("T1", 2)], days=2)
    plan = solve(sc, seconds=60.0)
    assert watched == [True] and plan.kpis.visits > 0
    assert validate_plan(sc, plan) == []
    # a 10-village ring converges within a second; the stall stop ends it about 4 s later, not at 60 s
    assert plan.solve.wall_s < 40.0


def test_the_provincial_stage_gets_a_share_by_its_team_days_within_bounds():
    from planner.compile.instance import compile_scenario
    from planner.solve.parts import provincial_part
    from planner.solve.week import PROVINCIAL_SHARE, provincial_share

    regency = [team(f"R{i}", 2) for i in range(10)]
    few = compile_scenario(scenario(ring(6), regency + [team("P1", 2, regency_code="")], days=2))
    many = compile_scenario(scenario(ring(6), regency[:1] + [team(f"P{i}", 2, regency_code="") for i in range(6)], days=2))
    lo, hi = PROVINCIAL_SHARE
    assert provincial_share(few, provincial_part(few), 1) == lo  # 2 of 22 team-days on one worker: 0.09
    assert provincial_share(few, provincial_part(few), 4) == pytest.approx(2 / (20 / 4 + 2))  # 4 workers: 0.29
    assert provincial_share(many, provincial_part(many), 1) == hi  # mostly provincial teams: the most it gets
