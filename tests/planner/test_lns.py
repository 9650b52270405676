"""Ruin and recreate (planner.solve.lns, lns_kernel): the compiled timing agrees with the schedule's
rules, its routes keep every rule, and the product path uses it and stays valid."""

from __future__ import annotations

import numpy as np
import pytest

from planner.model import VisitRules
from planner.solve import lns
from planner.solve import lns_kernel as kernel
from planner.solve.insertion import day_times, ratio_routes
from planner.solve.objective import arc_costs, visit_values
from planner.solve.problem import PartInstance, Vehicle, service_vector, visit_order_offset
from tests.planner.solver_cases import ring, scenario, solve, team, village


def _data(inst: PartInstance):
    """The kernel's arrays and each node's value as the routing model charges it (0 at depots)."""
    values = np.zeros(len(inst.node_point), dtype=np.int64)
    values[inst.n_depots :] = visit_values(inst)
    return lns.part_data(inst), values


def _toptw_like(seed: int) -> PartInstance:
    """No breaks, one or two start windows per visit, two vehicles, a drive limit: the slack path."""
    rng = np.random.default_rng(seed)
    n = 40
    xy = rng.uniform(0, 60, size=(n, 2))
    travel = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(np.int64)
    windows = []
    for _ in range(n - 1):
        o = int(rng.integers(0, 300))
        windows.append([(o, o + 60)] if rng.random() < 0.7 else [(o, o + 30), (o + 120, o + 200)])
    vehicles = [Vehicle(team=k, team_day=k, day=0, kits=1, rate_per_kit_hour=60.0, setup_min=0, profile="car",
                        start_node=0, end_node=0, work_start=0, work_end=480, breaks=(), max_drive_min=260)
                for k in range(2)]
    return PartInstance(
        name="t", node_point=np.arange(n), n_depots=1, visit_site=np.arange(n - 1), visit_no=np.ones(n - 1, int),
        visit_people=rng.integers(5, 30, size=n - 1), visit_value=rng.uniform(1, 10, size=n - 1),
        duration={"car": travel}, vehicles=vehicles, allowed=[[0, 1] for _ in range(n - 1)],
        start_windows=windows, travel_cost_per_hour=0.0,
    )


@pytest.fixture(scope="module")
def week_part() -> PartInstance:
    """A real office week's part: midday breaks, the Friday prayer, repeat visits of big villages,
    visits that may go on across a break."""
    import planner.solve.routing as routing

    seen: list[PartInstance] = []
    real = routing.search_from_start

    def spy(inst, *args):
        seen.append(inst)
        return real(inst, *args)

    routing.search_from_start = spy
    try:
        big = [village(100 + i, 0.03 * i - 0.03, 0.02, 900, id=f"B{i}") for i in range(3)]
        sc = scenario(big + ring(16), [team("T1", 3), team("T2", 2)], visits=VisitRules(record_across_breaks=True))
        solve(sc, seconds=3.0)
    finally:
        routing.search_from_start = real
    assert seen, "the search never reached ruin and recreate on a week with breaks"
    part = max(seen, key=lambda inst: len(inst.visit_site))
    assert any(v.breaks for v in part.vehicles) and part.one_visit_per_vehicle
    assert len(set(part.visit_site)) < len(part.visit_site)  # repeat visits of a site
    return part


def _parts(week_part: PartInstance) -> list[PartInstance]:
    """The week's part, the same without one visit per team-day (a site's visits may then share a
    route, in number order), and two parts without breaks."""
    import dataclasses

    return [week_part, dataclasses.replace(week_part, one_visit_per_vehicle=False), _toptw_like(0), _toptw_like(1)]


def test_an_insertion_fits_in_the_kernel_exactly_when_the_schedule_times_it(week_part) -> None:
    """For random states and every (vehicle, visit, position): the kernel's fit test says yes exactly
    when `insertion.day_times` (the exact schedule of the model's rules) times the longer route."""
    for inst in _parts(week_part):
        data, _ = _data(inst)
        rng = np.random.default_rng(3)
        for trial in range(4):
            start = ratio_routes(inst, 2.0)
            routes = [[n for n in r if rng.random() < 0.6] for r in start]  # a random part of a full plan
            state = lns.state_from_routes(data, routes)
            checked = 0
            for v in range(len(inst.vehicles)):
                svc = service_vector(inst, inst.vehicles[v])
                route = lns.routes_of(state)[v]
                for c in range(inst.n_depots, len(inst.node_point)):
                    if state.where[c] >= 0 or v not in inst.allowed[c - inst.n_depots]:
                        continue
                    for i in range(len(route) + 1):
                        fits = kernel.insertion_minutes(data, state, v, c, i) >= 0
                        timed = day_times(inst, v, route[:i] + [c] + route[i:], svc) is not None
                        assert fits == timed, (inst.name, trial, v, c, i)
                        checked += 1
            assert checked > 100


def test_improved_routes_keep_every_rule_and_their_objective(week_part) -> None:
    """The routes after a short search: each timed by the schedule, one visit of a site per
    team-day, a site's visits in number order across days, and the kernel's total is their value
    less their arc costs."""
    for inst in _parts(week_part):
        data, values = _data(inst)
        start = ratio_routes(inst, 2.0)
        routes, total = lns.improve(data, start, 0.3, seed=1)
        day = [v.day for v in inst.vehicles]
        made: dict[int, list[tuple[int, int, int, int]]] = {}
        cost = 0
        for v, route in enumerate(routes):
            veh = inst.vehicles[v]
            assert day_times(inst, v, route, service_vector(inst, veh)) is not None
            arcs = arc_costs(inst, veh.profile)
            stops = [veh.start_node, *route, veh.end_node]
            cost += sum(int(arcs[a, b]) for a, b in zip(stops, stops[1:]))
            for p, node in enumerate(route):
                k = node - inst.n_depots
                assert v in inst.allowed[k]
                made.setdefault(int(inst.visit_site[k]), []).append((int(inst.visit_no[k]), day[v], v, p))
        assert len({n for r in routes for n in r}) == sum(len(r) for r in routes)
        for visits in made.values():
            if inst.one_visit_per_vehicle:
                assert len({v for _, _, v, _ in visits}) == len(visits)
            by_number = sorted(visits)
            assert [d for _, d, _, _ in by_number] == sorted(d for _, d, _, _ in by_number)
            if visit_order_offset(inst) == 0:  # on one day: one route, in number order along it
                for (_, d1, v1, p1), (_, d2, v2, p2) in zip(by_number, by_number[1:]):
                    assert d1 < d2 or (v1 == v2 and p1 < p2)
        assert total == sum(int(values[n]) for r in routes for n in r) - cost
        before = sum(int(values[n]) for r in start for n in r)
        assert sum(int(values[n]) for r in routes for n in r) >= before * 0.97  # annealing keeps the best


def test_a_week_with_breaks_is_planned_through_ruin_and_recreate_and_verifies() -> None:
    """The product path (plan_week) on an office week runs ruin and recreate on its parts, and the
    independent validator accepts the plan."""
    import planner.solve.routing as routing
    from planner.check.validate import format_violations, validate_plan

    calls: list[bool] = []
    real = routing.search_from_start

    def spy(*args):
        calls.append(True)
        return real(*args)

    routing.search_from_start = spy
    try:
        big = [village(100 + i, 0.03 * i - 0.03, 0.02, 900, id=f"B{i}") for i in range(3)]
        sc = scenario(big + ring(16), [team("T1", 3), team("T2", 2)])
        plan = solve(sc, seconds=3.0)
    finally:
        routing.search_from_start = real
    assert calls
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)
    assert plan.kpis.expected_recordings > 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_ruin_cuts_one_string_per_route_it_opens_and_leaves_the_rest(week_part, seed: int) -> None:
    """SISR-like ruin: each route it opens lost one string of at most MAX_STRING visits (the rest in
    order), routes it did not open are untouched, and what it removed is unrouted."""
    for inst in _parts(week_part):
        data, _ = _data(inst)
        state = lns.state_from_routes(data, ratio_routes(inst, 2.0))
        before = lns.routes_of(state)
        kernel.seed_random(seed)
        removed = np.zeros(len(inst.node_point), dtype=np.int64)
        opened = np.zeros(len(inst.vehicles), dtype=np.bool_)
        k = kernel._ruin(data, state, removed, lns.AVG_REMOVED, lns.MAX_STRING, opened)
        after = lns.routes_of(state)
        assert k >= 1 and all(state.where[n] == -1 for n in removed[:k])
        for v, (a, b) in enumerate(zip(before, after)):
            if not opened[v]:
                assert a == b
                continue
            cut = len(a) - len(b)
            assert 0 <= cut <= lns.MAX_STRING
            assert any(a[:i] + a[i + cut:] == b for i in range(len(b) + 1))
        assert sum(len(a) - len(b) for a, b in zip(before, after)) == k


def test_a_continued_day_begins_no_new_visit_before_its_ready_time() -> None:
    """A re-planned day (`Vehicle.ready`): the kernel's first visit starts at `ready` or later, as the
    routing model's first leg (`problem.ready_wait`) has it."""
    import dataclasses

    inst = _toptw_like(2)
    inst = dataclasses.replace(inst, vehicles=[dataclasses.replace(v, ready=150) for v in inst.vehicles],
                               start_windows=[[(0, 470)] for _ in inst.start_windows])
    data, _ = _data(inst)
    routes, _ = lns.improve(data, [[] for _ in inst.vehicles], 0.2, seed=0)
    state = lns.state_from_routes(data, routes)
    assert any(routes)
    for v, route in enumerate(routes):
        if route:
            assert state.start[v, 0] >= 150
