"""Value-per-minute first routes (planner.solve.insertion): what they choose and that they keep the limits."""

from __future__ import annotations

import numpy as np
import pytest

from planner.solve.insertion import ratio_routes
from planner.solve.routing import PartInstance, Vehicle, service_vector


def _vehicle(work_end: int, max_drive: int = 1000) -> Vehicle:
    return Vehicle(team=0, team_day=0, day=0, kits=1, rate_per_kit_hour=60.0, setup_min=0, profile="car",
                   start_node=0, end_node=0, work_start=0, work_end=work_end, breaks=(), max_drive_min=max_drive)


def _instance(travel: list[list[int]], people: list[int], value: list[float], work_end: int,
              windows=None, max_drive: int = 1000) -> PartInstance:
    """One depot (node 0), one vehicle, visits 1.. with service = people minutes (1 kit, 60 an hour)."""
    n = len(travel)
    return PartInstance(
        name="t", node_point=np.arange(n), n_depots=1, visit_site=np.arange(n - 1), visit_no=np.ones(n - 1, int),
        visit_people=np.array(people), visit_value=np.array(value, dtype=float),
        duration={"car": np.array(travel, dtype=np.int64)}, vehicles=[_vehicle(work_end, max_drive)],
        allowed=[[0] for _ in range(n - 1)], start_windows=windows or [[] for _ in range(n - 1)],
        travel_cost_per_hour=0.0,
    )


def test_a_near_visit_worth_more_per_minute_beats_a_far_valuable_one() -> None:
    """Only one visit fits: value 10 for 100 minutes loses to value 6 for 20 minutes."""
    travel = [[0, 45, 5], [45, 0, 50], [5, 50, 0]]
    inst = _instance(travel, people=[10, 10], value=[10, 6], work_end=110)
    assert ratio_routes(inst, power=1.0) == [[2]]
    assert ratio_routes(inst, power=2.0) == [[2]]  # 100/100 < 36/20


def test_windows_shift_and_drive_limit_are_kept() -> None:
    """Every inserted visit starts inside its window envelope, the day ends in time, driving stays capped."""
    rng = np.random.default_rng(1)
    n = 30
    xy = rng.uniform(0, 60, size=(n, 2))
    travel = np.ceil(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(int).tolist()
    people = rng.integers(5, 30, size=n - 1).tolist()
    opens = rng.integers(0, 300, size=n - 1)
    windows = [[(int(o), int(o) + 60)] for o in opens]
    inst = _instance(travel, people, rng.uniform(1, 10, size=n - 1).tolist(), work_end=480, windows=windows,
                     max_drive=200)
    (route,) = ratio_routes(inst)
    assert route and len(set(route)) == len(route) and all(1 <= v < n for v in route)
    svc = service_vector(inst, inst.vehicles[0])
    t, drive, here = 0, 0, 0
    for node in route:
        arrive = t + svc[here] + travel[here][node]
        lo, hi = windows[node - 1][0]
        t = max(arrive, lo)
        assert t <= hi
        drive += travel[here][node]
        here = node
    assert t + svc[here] + travel[here][0] <= 480
    assert drive + travel[here][0] <= 200


@pytest.mark.parametrize("banned", [(), (2,)])
def test_refill_keeps_the_given_routes_and_skips_banned(banned) -> None:
    travel = [[0, 5, 5, 5], [5, 0, 2, 2], [5, 2, 0, 2], [5, 2, 2, 0]]
    inst = _instance(travel, people=[5, 5, 5], value=[1, 1, 1], work_end=1000)
    (route,) = ratio_routes(inst, routes=[[3, 1]], banned=banned)
    assert [v for v in route if v in (1, 3)] == [3, 1]  # kept in order
    assert (2 in route) is (not banned)


@pytest.mark.parametrize("across", [False, True])
def test_value_per_minute_start_and_ruin_and_recreate_run_on_a_week_with_breaks(monkeypatch, across: bool) -> None:
    """A real office week (midday break, Friday prayer, short Saturday, repeat visits): every part starts
    from the value-per-minute routes (they restore into the routing model) and goes on to ruin and recreate."""
    import planner.solve.routing as routing
    from planner.check.validate import format_violations, validate_plan
    from planner.model import VisitRules
    from tests.planner.solver_cases import ring, scenario, solve, team, village

    starts, restarted = [], []
    real_start, real_search = routing._value_per_minute_start, routing.search_from_start

    def spy_start(inst, *args):
        start = real_start(inst, *args)
        starts.append(start is not None)
        return start

    def spy_search(*args):
        restarted.append(True)
        return real_search(*args)

    monkeypatch.setattr(routing, "_value_per_minute_start", spy_start)
    monkeypatch.setattr(routing, "search_from_start", spy_search)
    big = [village(100 + i, 0.03 * i - 0.03, 0.02, 900, id=f"B{i}") for i in range(3)]
    sc = scenario(big + ring(16), [team("T1", 3), team("T2", 2)], visits=VisitRules(record_across_breaks=across))
    plan = solve(sc, seconds=3.0)
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)
    assert starts and all(starts), "the value-per-minute start did not restore on a week with breaks"
    assert len(restarted) == len(starts)
    assert any(td.stops for td in plan.team_days if td.date.weekday() == 4), "Friday (prayer break) is worked"
