"""Plan quality: the plan keeps the search's value (visit order in the model) and shows a tight, valid bound."""

from __future__ import annotations

import numpy as np
import pytest

import planner.solve.week as week
from planner.check.bound import upper_bound
from planner.check.lp_bound import lp_bound
from planner.check.validate import format_violations, validate_plan
from planner.compile.instance import compile_scenario
from planner.compile.reach import reach_matrix
from planner.solve.parts import places
from planner.solve.routing import PartInstance, Vehicle, solve_part
from planner.solve.trips import plan_trips
from tests.planner.solver_cases import ring, scenario, solve, team, village

DAY = 24 * 60


def _vehicle(day: int, work_end: int) -> Vehicle:
    return Vehicle(team=0, team_day=day, day=day, kits=1, rate_per_kit_hour=60.0, setup_min=0, profile="car",
                   start_node=0, end_node=0, work_start=day * DAY + 480, work_end=day * DAY + work_end,
                   breaks=(), max_drive_min=1000)


def test_a_sites_visits_keep_their_number_order_across_days() -> None:
    """Day 0 only fits the small visit 2, day 1 fits the large visit 1: the model may serve one, not both
    in the wrong order (renumbering by date would then shrink the larger one)."""
    inst = PartInstance(
        name="order", node_point=np.array([0, 1, 1]), n_depots=1, visit_site=np.array([0, 0]),
        visit_no=np.array([1, 2]), visit_people=np.array([200, 60]), visit_value=np.array([200.0, 60.0]),
        duration={"car": np.array([[0, 10, 10], [10, 0, 0], [10, 0, 0]], dtype=np.int64)},
        vehicles=[_vehicle(0, 480 + 100), _vehicle(1, 480 + 300)], allowed=[[1], [0, 1]],
        start_windows=[[], []], travel_cost_per_hour=0.0, one_visit_per_vehicle=True,
    )
    res = solve_part(inst, 2.0, max_solutions=50)
    day_of = {node: v for v, route in enumerate(res.routes) for node in route}
    assert day_of.get(1) == 1, "the large first visit is worth serving on day 1"
    assert day_of.get(2, 1) >= day_of[1], f"visit 2 on day {day_of.get(2)} before visit 1 on day {day_of[1]}"


def test_order_holds_when_a_visit_between_is_left_out() -> None:
    """Visits 1 and 3 of a site, visit 2 served nowhere: visit 3 still may not come before visit 1."""
    inst = PartInstance(
        name="gap", node_point=np.array([0, 1, 1, 1]), n_depots=1, visit_site=np.array([0, 0, 0]),
        visit_no=np.array([1, 2, 3]), visit_people=np.array([200, 90, 60]), visit_value=np.array([200.0, 90.0, 60.0]),
        duration={"car": np.array([[0, 10, 10, 10], [10, 0, 0, 0], [10, 0, 0, 0], [10, 0, 0, 0]], dtype=np.int64)},
        vehicles=[_vehicle(0, 480 + 100), _vehicle(1, 480 + 300)], allowed=[[1], [], [0, 1]],
        start_windows=[[], [], []], travel_cost_per_hour=0.0, one_visit_per_vehicle=True,
    )
    res = solve_part(inst, 2.0, max_solutions=50)
    day_of = {node: v for v, route in enumerate(res.routes) for node in route}
    assert day_of.get(1) == 1 and 2 not in day_of
    assert day_of.get(3, 1) >= 1, "visit 3 on day 0 before visit 1 on day 1"


def test_the_plan_is_worth_what_the_search_found(monkeypatch) -> None:
    """Large villages get repeat visits; numbering them by date afterwards loses no one."""
    sites = [village(i, 0.012 * (i % 4) - 0.02, 0.011 * (i // 4) - 0.02, 700 + 60 * i, id=f"B{i}") for i in range(8)]
    sc = scenario(sites + ring(6), [team("T1", 3), team("T2", 2)])
    seen = {}
    renumber = week.renumber_visits

    def spy(c, visits):
        seen["people"] = sum(v.people for seq in visits.values() for v in seq)
        return renumber(c, visits)

    monkeypatch.setattr(week, "renumber_visits", spy)
    plan = solve(sc, seconds=3.0)
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)
    repeats = {s.site_id for td in plan.team_days for s in td.stops if s.visit > 1}
    assert repeats, "the case needs repeat visits"
    assert plan.kpis.expected_recordings == seen["people"]


def _bounds(sc):
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    return upper_bound(c, reach, day_places), lp_bound(c, reach, day_places)


@pytest.mark.parametrize("case", ["ring", "remote-lodging", "remote-trip", "big-villages"])
def test_lp_bound_is_above_the_plan_and_the_plan_shows_the_tighter_bound(case) -> None:
    if case == "ring":
        sc = scenario(ring(30, unrecorded=40), [team("T1", 2), team("T2", 1)])
    elif case == "remote-lodging":
        far = [village(50 + i, 0.9 + 0.01 * i, 0.9, 150) for i in range(5)]
        sc = scenario(ring(6) + far, [team("T1", 2, max_nights_out=2)])
    elif case == "remote-trip":  # 6 h each way: the days out and back are nearly all driving
        cluster = [village(200 + i, -0.9 + 0.01 * i, -1.3 - 0.01 * i, 200) for i in range(5)]
        sc = scenario(cluster, [team("T1", 3, max_drive_min=600, max_nights_out=3)])
    else:
        sc = scenario([village(i, 0.01 * i, 0.0, 900) for i in range(4)], [team("T1", 4)])
    flow, lp = _bounds(sc)
    plan = solve(sc, seconds=2.0)
    assert validate_plan(sc, plan) == []
    k = plan.kpis
    assert k.expected_recordings > 0
    assert lp is not None and k.bound_lp == lp and k.bound_max_flow == flow
    assert k.upper_bound == min(flow, lp)
    assert k.expected_recordings <= lp


def test_lp_bound_charges_a_set_up_and_a_drive_per_visit() -> None:
    """Many small villages: the flow bound charges one set-up a day, the LP one per visit, so it is lower."""
    sc = scenario(ring(40, radius_deg=0.15, unrecorded=25), [team("T1", 3)])
    flow, lp = _bounds(sc)
    assert lp < 0.9 * flow


def test_lp_bound_is_left_out_when_not_solved_in_time(monkeypatch) -> None:
    """A province whose LP does not solve in time (Jawa Timur under load: 359k columns) shows the flow
    bound alone; the plan gives the LP a deadline (the search's end) instead of waiting for it."""
    import time

    from planner.check import bound_thread as lp_module

    sc = scenario(ring(12), [team("T1", 2)])
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    exact = lp_bound(c, reach, day_places)
    assert exact is not None
    assert lp_bound(c, reach, day_places, deadline=time.monotonic() + 60) == exact
    assert lp_bound(c, reach, day_places, deadline=time.monotonic() - 1) is None
    seen = {}
    real = lp_module.lp_bound_later

    def spy(c, reach, day_places, deadline=None, stop_early=True):
        seen["deadline"] = deadline
        return real(c, reach, day_places, time.monotonic() - 1, stop_early)  # as if the LP could not finish in time

    monkeypatch.setattr(week, "lp_bound_later", spy)
    plan = solve(sc, seconds=1.0)
    assert seen["deadline"] is not None
    k = plan.kpis
    assert k.bound_lp is None and k.bound_whole_days is None and k.upper_bound == k.bound_max_flow
    assert validate_plan(sc, plan) == []


def test_validator_rejects_a_bound_below_the_plan_or_not_the_tightest() -> None:
    sc = scenario(ring(10), [team("T1", 2)])
    plan = solve(sc, seconds=1.0)
    k = plan.kpis
    low = plan.model_copy(update={"kpis": k.model_copy(update={"bound_lp": k.expected_recordings - 1})})
    codes = {v.code for v in validate_plan(sc, low)}
    assert {"bound-below-plan", "bound-not-tightest"} <= codes
    loose = plan.model_copy(update={"kpis": k.model_copy(update={"upper_bound": k.upper_bound + 50})})
    assert "bound-not-tightest" in {v.code for v in validate_plan(sc, loose)}


def test_schedule_times_a_visit_across_a_break() -> None:
    from planner.solve.schedule import earliest_start, visit_end

    breaks = ((720, 780),)
    assert earliest_start(600, 150, ((480, 960),), breaks) == 780  # does not fit before the break
    assert earliest_start(600, 150, ((480, 960),), breaks, across=True) == 600
    assert visit_end(600, 150, breaks, across=True) == 810  # 150 minutes of recording and the break
    assert visit_end(600, 100, breaks, across=True) == 700  # over before the break
    assert earliest_start(730, 30, ((480, 960),), breaks, across=True) == 780  # never begins inside a break
    assert earliest_start(600, 150, ((480, 800),), breaks, across=True) is None  # the window closes first


def test_visits_across_the_midday_break_are_a_rule_the_validator_knows() -> None:
    """Two kits record 100 people in 5 h: more than the morning or the afternoon, so without the rule
    the large first visit cannot be made; with it, the visit goes on across the break."""
    from planner.model import VisitRules

    big = village(90, 0.01, 0.01, 600, id="BIG")
    off = scenario([big], [team("T1", 2)])
    on = off.model_copy(update={"visits": VisitRules(record_across_breaks=True)})
    plan_off, plan_on = solve(off, seconds=2.0), solve(on, seconds=2.0)
    assert validate_plan(off, plan_off) == []
    assert validate_plan(on, plan_on) == [], format_violations(validate_plan(on, plan_on))

    def spanning(plan, sc):
        out = []
        for td in plan.team_days:
            shift = sc.teams[0].shift_on(td.date)
            out += [s for s in td.stops for b in shift.breaks if s.start_min < b.start and b.end <= s.end_min]
        return out

    assert not spanning(plan_off, off)
    assert spanning(plan_on, on)
    assert plan_on.kpis.expected_recordings > plan_off.kpis.expected_recordings
    assert "stop-in-break" in {v.code for v in validate_plan(off, plan_on)}  # without the rule it is a violation
