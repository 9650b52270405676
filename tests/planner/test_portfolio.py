"""Both cores on one part (planner.solve.portfolio) and the measured extra search settings (planner.solve.tuning)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
from ortools.util import optional_boolean_pb2

import planner.solve.search as search
import planner.solve.tuning as tuning
from planner.check.validate import format_violations, validate_plan
from planner.solve.portfolio import MEMBERS, apply_member, best_result, solve_portfolio
from planner.solve.problem import PartResult
from planner.solve.routing import PartInstance, Vehicle, search_parameters, solve_part
from planner.solve.week import SolveOptions, plan_week
from tests.planner.solver_cases import ring, scenario, team


def _instance(n: int = 40, vehicles: int = 2, seed: int = 3) -> PartInstance:
    """One depot (node 0), `vehicles` one-day vehicles, n - 1 visits with random values: more than fits."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 60, size=(n, 2))
    travel = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    veh = [Vehicle(team=v, team_day=v, day=0, kits=1, rate_per_kit_hour=60.0, setup_min=0, profile="car",
                   start_node=0, end_node=0, work_start=0, work_end=300, breaks=(), max_drive_min=1000)
           for v in range(vehicles)]
    return PartInstance(
        name="t", node_point=np.arange(n), n_depots=1, visit_site=np.arange(n - 1), visit_no=np.ones(n - 1, int),
        visit_people=rng.integers(5, 25, size=n - 1), visit_value=rng.uniform(1, 10, size=n - 1),
        duration={"car": travel}, vehicles=veh, allowed=[list(range(vehicles)) for _ in range(n - 1)],
        start_windows=[[] for _ in range(n - 1)], travel_cost_per_hour=0.0,
    )


def _result(objective: int, routes: list[list[int]], out_of_time: bool = False) -> PartResult:
    return PartResult("t", routes, objective, "x", 1.0, out_of_time)


def test_the_portfolio_keeps_the_searched_member_with_the_lowest_objective() -> None:
    inst = _instance()
    first, second = _result(-50, [[1, 2], []]), _result(-70, [[3], []])
    assert best_result(inst, [first, second]) is second  # objectives compare, not the visit count
    assert best_result(inst, [first, _result(-50, [[4], []])]) is first  # ties: the earlier member
    kept = _result(0, [[1, 2, 3], [4]], out_of_time=True)  # a first plan's objective is not a search's
    assert best_result(inst, [kept, second]) is second
    other = _result(0, [[5], []], out_of_time=True)
    better = max((kept, other), key=lambda r: sum(inst.visit_value[n - 1] for route in r.routes for n in route))
    assert best_result(inst, [kept, other]) is better


def test_a_portfolio_searches_in_members_and_keeps_members_settings_to_themselves() -> None:
    """Timed: the result is a member's, and the members' settings never reach this process. With a
    solution limit (restarts off, so the members would search alike) the part is searched once."""
    assert len(MEMBERS) >= 2 and MEMBERS[0] == ()
    inst = _instance()
    both = solve_portfolio(inst, 2.0, None, workers=2)
    assert "portfolio member" in both.status and both.routes
    assert search.SEED == 0  # this process untouched
    alone, limited = solve_part(inst, 20.0, None, 20), solve_portfolio(inst, 20.0, 20, workers=2)
    assert "portfolio member" not in limited.status
    assert (limited.routes, limited.objective) == (alone.routes, alone.objective)


def _member_settings(k: int) -> tuple[object, ...]:
    apply_member(k)
    return (search.SEED,)


def test_the_second_member_searches_from_another_random_stream() -> None:
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(_member_settings, 0).result() == (0,)
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(_member_settings, 1).result() == (1,)


def test_a_one_part_week_planned_by_a_portfolio_on_two_processes_is_valid() -> None:
    sc = scenario(ring(12), [team("T1", 3)], days=2)
    plan = plan_week(sc, SolveOptions(time_limit_s=3.0, workers=2, portfolio=True, lp_bound=False))
    assert validate_plan(sc, plan) == [], format_violations(validate_plan(sc, plan))
    assert plan.kpis.expected_recordings > 0 and plan.solve.parts == 1
    assert "portfolio member" in plan.solve.status


def test_tuning_text_is_merged_where_it_applies(monkeypatch) -> None:
    monkeypatch.setattr(tuning, "PRODUCT", "use_multi_armed_bandit_concatenate_operators: true")
    monkeypatch.setattr(tuning, "TIE_BREAK", "local_search_operators { use_extended_swap_active: BOOL_TRUE }")
    product, tie_break = search_parameters(1.0), search_parameters(1.0, tie_break_travel=True)
    assert product.use_multi_armed_bandit_concatenate_operators and tie_break.use_multi_armed_bandit_concatenate_operators
    on, off = (getattr(optional_boolean_pb2, name) for name in ("BOOL_TRUE", "BOOL_FALSE"))
    assert tie_break.local_search_operators.use_extended_swap_active == on  # only when travel breaks ties
    assert product.local_search_operators.use_extended_swap_active == off
