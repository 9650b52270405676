"""The bound's tighter parts (docs/bound.md): the per-day tangent slopes of the LP and the whole-day
(Lagrangian) bound. Every real plan must stay within them; they must be tighter somewhere."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from ortools.linear_solver import pywraplp

from planner.check.bound import upper_bound
from planner.check.bound_thread import relaxed_bounds
from planner.check.day_bound import day_bound
from planner.check.lp_bound import _site_rows, build_relaxation, solve_relaxation
from planner.check.validate import format_violations, validate_plan
from planner.compile.capacity import expected_people, visit_sizes
from planner.compile.instance import compile_scenario
from planner.compile.reach import reach_matrix
from planner.io.load import load_scenario
from planner.model import VisitRules
from planner.national.synthetic import write_national
from planner.solve.parts import places
from planner.solve.trips import plan_trips
from tests.planner.solver_cases import ring, scenario, solve, team, village


def _rows_hold(sizes: list[int], visits: list[tuple[float, float, int]]) -> bool:
    """Do (r, n, most) per team-day satisfy one site's rows (`_site_rows`)? GLOP on the fixed point."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    rs = [solver.NumVar(r, r, "") for r, _, _ in visits]
    ns = [(solver.NumVar(n, n, ""), most) for (_, n, most) in visits]
    _site_rows(solver, sizes, rs, ns)
    return bool(solver.Solve() == pywraplp.Solver.OPTIMAL)


def test_tangent_rows_hold_for_every_way_real_visits_can_fall() -> None:
    """Random sites and visits under the turnout rule: each visit records anything from 0 to what the
    rule and its day allow (a short day records less, leaving more for later visits); the site's rows
    hold at every such plan."""
    rng = random.Random(7)
    for case in range(300):
        unrecorded = rng.choice([3, 40, 150, 600, 2000])
        rules = VisitRules(max_people_per_visit=rng.choice([60, 120, 400]), max_visits_per_site=rng.choice([2, 3, 5]),
                           repeat_turnout_decay=rng.choice([0.5, 0.8, 1.0]))
        site = village(case, 0.0, 0.0, unrecorded, turnout=rng.choice([0.2, 0.35, 0.7]))
        fits = rng.choice([None, 30, 90])
        sizes = visit_sizes(site, rules, fits)
        if not sizes:
            continue
        cap = rules.max_people_per_visit if fits is None else max(1, min(rules.max_people_per_visit, fits))
        remaining, visits = unrecorded, []
        for k in range(rng.randint(1, len(sizes))):
            most = rng.randint(1, sizes[0])  # what the visit's day could record at most
            allowed = min(most, expected_people(site, rules, k + 1, remaining, cap))
            people = rng.choice([allowed, allowed, rng.randint(0, max(0, allowed))])
            remaining -= people
            visits.append((float(people), 1.0, most))
        assert _rows_hold(sizes, visits), (sizes, visits)


def test_a_visit_on_a_day_that_records_little_buys_no_more_of_the_sites_next_visit() -> None:
    """Sizes 100, 55, 30. A makes the first visit (100 people), G visits on a day that can record at
    most 10, B makes half a visit (LP). The old tangent (Σ r ≤ 100 + 55 × (Σ n − 1)) let B take its
    whole half visit (50); with G counted at its own 10 instead of 55, B gets 37.5."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    r_a, r_g, r_b = solver.NumVar(100, 100, ""), solver.NumVar(0, 0, ""), solver.NumVar(0, 100, "")
    n_a, n_g, n_b = solver.NumVar(1, 1, ""), solver.NumVar(1, 1, ""), solver.NumVar(0.5, 0.5, "")
    solver.Add(r_b <= 100 * n_b)
    _site_rows(solver, [100, 55, 30], [r_a, r_g, r_b], [(n_a, 100), (n_g, 10), (n_b, 100)])
    solver.Maximize(r_b)
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    assert abs(r_b.solution_value() - 37.5) < 1e-6


def _bounds(sc):
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    return upper_bound(c, reach, day_places), relaxed_bounds(c, reach, day_places)


def _small_province(tmp: Path, regency: str) -> object:
    (path,) = write_national(tmp / regency, 1, seed=3, regencies=[regency])
    return load_scenario(path)


CASES = ["ring", "remote-lodging", "remote-trip", "big-villages", "far-apart", "synth-15.71", "synth-15.72"]


def _case(name: str, tmp: Path):
    if name == "ring":
        return scenario(ring(30, unrecorded=40), [team("T1", 2), team("T2", 1)])
    if name == "remote-lodging":
        far = [village(50 + i, 0.9 + 0.01 * i, 0.9, 150) for i in range(5)]
        return scenario(ring(6) + far, [team("T1", 2, max_nights_out=2)])
    if name == "remote-trip":  # 6 h each way: the days out and back are nearly all driving
        cluster = [village(200 + i, -0.9 + 0.01 * i, -1.3 - 0.01 * i, 200) for i in range(5)]
        return scenario(cluster, [team("T1", 3, max_drive_min=600, max_nights_out=3)])
    if name == "big-villages":
        return scenario([village(i, 0.01 * i, 0.0, 900) for i in range(4)], [team("T1", 4)])
    if name == "far-apart":  # an hour between villages: a part visit's share of the drive is a real saving
        return scenario([village(i, 0.3 * (i % 3), 0.3 * (i // 3), 90) for i in range(9)], [team("T1", 1, setup_min=45)], days=3)
    return _small_province(tmp, name.split("-")[1])


@pytest.mark.parametrize("name", CASES)
def test_every_bound_holds_for_the_plan_and_the_plan_shows_the_tightest(name: str, tmp_path: Path) -> None:
    sc = _case(name, tmp_path)
    flow, relaxed = _bounds(sc)
    assert relaxed.lp is not None and relaxed.whole_days is not None
    plan = solve(sc, seconds=2.0)
    assert validate_plan(sc, plan) == [], format_violations(validate_plan(sc, plan))
    k = plan.kpis
    assert k.expected_recordings > 0
    assert k.bound_max_flow == flow  # the others as computed here, or None if not done by the search's end
    assert k.bound_lp in (None, relaxed.lp)
    if k.bound_whole_days is not None:  # the days made whole by the search's end: between the LP and all whole
        assert relaxed.whole_days <= k.bound_whole_days <= relaxed.lp + 1
    assert k.upper_bound == min(b for b in (flow, k.bound_lp, k.bound_whole_days) if b is not None)
    assert k.expected_recordings <= min(flow, relaxed.lp, relaxed.whole_days)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ring", "far-apart", "synth-15.71", "synth-15.72"])
def test_the_bound_holds_for_plans_searched_longer(name: str, tmp_path: Path) -> None:
    """More search time finds better plans; none may pass the bound the short plan showed."""
    sc = _case(name, tmp_path)
    _, relaxed = _bounds(sc)
    long = solve(sc, seconds=20.0)
    assert validate_plan(sc, long) == []
    assert relaxed.whole_days is not None and long.kpis.expected_recordings <= relaxed.whole_days


def test_whole_days_are_tighter_where_a_day_cannot_make_two_visits() -> None:
    """One day, two villages far apart: a whole visit of one and the drive to the other leave no time
    for a second whole visit, but the LP makes a part visit paying part of the drive (103); whole
    visits give 100 (the plan: 42, the village's expected turnout)."""
    sc = scenario([village(0, 0.4, 0.0, 300), village(1, 0.0, 0.4, 300)], [team("T1", 3)], days=1)
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    model = build_relaxation(c, reach_matrix(c, day_places), day_places)
    assert model is not None
    lp = solve_relaxation(model)
    whole = day_bound(model)
    assert lp is not None and whole is not None
    assert (lp, whole) == (103, 100)


def test_whole_day_bound_needs_the_solved_lp_and_stops_at_its_deadline(monkeypatch) -> None:
    """Without the LP's prices: None; past the deadline before every day is priced: None. A day SCIP
    does not make whole counts at its LP bound, so with none made whole the bound is the LP again."""
    import threading
    import time

    import planner.check.day_bound as module

    sc = scenario(ring(12), [team("T1", 2)])
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    model = build_relaxation(c, reach_matrix(c, day_places), day_places)
    assert model is not None
    assert day_bound(model) is None  # no prices yet
    lp = solve_relaxation(model)
    assert lp is not None
    assert day_bound(model, deadline=time.monotonic() - 1) is None
    all_whole = day_bound(model, deadline=time.monotonic() + 60)
    monkeypatch.setattr(module, "_day_max", lambda *a: (None, True))  # as if no day were made whole in time
    none_whole = day_bound(model)
    assert none_whole is not None and abs(none_whole - lp) <= 1
    assert all_whole is not None and all_whole <= none_whole
    stop = threading.Event()
    stop.set()  # the search ended before the days were priced: the LP bound stands alone
    assert day_bound(model, stop=stop) is None


def test_days_are_made_whole_in_a_child_process_with_the_same_bound_and_the_caller_untouched(monkeypatch) -> None:
    """The whole-day part runs in a low-priority child process (a low-priority thread holding the GIL
    stalled the planner); it gives the bound `day_bound` gives here, and so does the fallback where
    no child may be started (a daemonic worker); the planning thread keeps its priority."""
    import multiprocessing
    import os
    import threading

    import planner.check.bound_thread as bt

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    sc = scenario(ring(8), [team("T1", 2)])
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    got = bt.relaxed_bounds(c, reach, day_places, time.monotonic() + 120, whole_days=True, elsewhere=True)
    model = build_relaxation(c, reach, day_places)
    assert solve_relaxation(model) == got.lp
    here = day_bound(model)
    assert got.whole_days is not None and got.whole_days == here
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before

    def refuse(self):
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(multiprocessing.get_context("spawn").Process, "start", refuse)
    assert bt.whole_days_elsewhere(model, time.monotonic() + 120) == here


def test_a_day_scip_stops_early_never_lowers_the_bound() -> None:
    """SCIP stopped by a 1–5 ms limit once reported a best bound of 0 for a day whose maximum is 28
    (the plan's whole-day bound fell below the LP's all-whole figure); such days must keep their LP
    bound. Every answer of `_day_max`, at any limit, is at least the day's maximum."""
    import numpy as np
    from ortools.linear_solver import linear_solver_pb2

    import planner.check.day_bound as module

    sc = _case("far-apart", Path("."))
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    model = build_relaxation(c, reach_matrix(c, day_places), day_places)
    assert model is not None and solve_relaxation(model) is not None and model.duals is not None
    proto = linear_solver_pb2.MPModelProto()
    model.solver.ExportModelToProto(proto)
    cost = np.array([v.objective_coefficient for v in proto.variable])
    for k in model.joining:
        row, price = proto.constraint[k], max(0.0, float(model.duals[k]))
        np.subtract.at(cost, np.array(row.var_index, dtype=np.int64), price * np.array(row.coefficient))
    whole = {v.index() for v in model.whole}
    days = [(cols, [k for k in rows if k not in model.joining]) for cols, rows in model.blocks]
    best = [module._day_max(proto, cols, rows, cost, whole, None, 60_000)[0] for cols, rows in days]
    for _ in range(25):  # how far SCIP gets in 1 ms varies: many tries
        for limit_ms in (1, 2, 3, 5):
            for (cols, rows), most in zip(days, best):
                got, _finished = module._day_max(proto, cols, rows, cost, whole, None, limit_ms)
                assert most is not None and (got is None or got >= most - 1e-6 * (1 + abs(most)))


def test_an_lp_that_cannot_be_solved_before_the_search_ends_is_not_built(monkeypatch) -> None:
    """A large province's LP (a 9,000-site one: 118,182 pairs, 105 CPU s, 520 MB) is not built when its
    predicted time exceeds the time left: its CPU and memory go to the search; a small one is."""
    import planner.check.bound_thread as bt
    from planner.check.lp_bound import lp_seconds, relaxation_pairs

    sc = scenario(ring(8), [team("T1", 2)])
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    pairs = relaxation_pairs(c, reach)
    assert pairs == sum(1 for i in range(len(c.team_days)) for s in range(len(sc.sites)) if reach[i, s] and c.sizes[s])
    assert lp_seconds(118_182) > 60 > lp_seconds(26_101)
    assert bt.lp_bound_later(c, reach, day_places, time.monotonic() + 60)().lp is not None
    built = []
    monkeypatch.setattr(bt, "build_relaxation", lambda *a: built.append(1))
    monkeypatch.setattr(bt, "lp_seconds", lambda pairs: 1e9)
    assert bt.lp_bound_later(c, reach, day_places, time.monotonic() + 60)() == bt.RelaxedBounds()
    assert not built
