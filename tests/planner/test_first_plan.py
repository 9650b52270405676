"""A first plan for every part whatever the time, the time limit shared so it bounds the search, and
honest reporting when a part ran out of time (issue 13).

Plans are checked by the independent validator, never by the solver's own figures.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.check.validate import format_violations, validate_plan
from planner.compile.instance import compile_scenario
from planner.check.reasons import first_visit_reach
from planner.plan import IdleReason, LeftOutReason
from planner.solve.parts import places
from planner.solve.trips import plan_trips
from planner.solve.budget import search_budget
from planner.solve.week import part_schedule
from tests.planner.solver_cases import ring, scenario, solve, team, village


def assert_valid(sc, plan) -> None:
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)


def test_heavier_parts_start_first_get_more_time_and_all_end_by_the_budget():
    order, ends = part_schedule([1.0, 5.0, 2.0, 0.0], slots=2, budget=10.0)
    assert order[0] == 1 and order[-1] == 3
    assert max(ends) <= 10.0 + 1e-9
    assert ends[1] > ends[0]  # part 1 (weight 5) runs alone on its slot; part 0 follows part 2 on the other
    one, ends1 = part_schedule([3.0, 1.0], slots=1, budget=8.0)
    assert one == [0, 1] and abs(ends1[0] - 6.0) < 1e-9 and abs(ends1[1] - 8.0) < 1e-9


def test_compiling_counts_against_the_limit_but_the_search_keeps_a_share():
    assert search_budget(20.0, 5.0) == 15.0
    assert search_budget(20.0, 19.0) == 5.0


def test_a_part_with_no_time_to_search_still_gets_a_timed_first_plan():
    sc = scenario(ring(12), [team("T1", 2), team("T2", 1)])
    plan = solve(sc, seconds=0.0)
    assert_valid(sc, plan)
    assert plan.kpis.visits > 0
    assert plan.solve.parts_out_of_time == ["regency 15.71"]
    left = {lo.reason for lo in plan.left_out}
    assert LeftOutReason.lower_value not in left  # the search never ran: nothing was beaten on value
    assert plan.kpis.idle_team_days == len(plan.idle)


def test_idle_days_with_nothing_in_reach_are_named():
    far = village(99, 3.0, 3.0, id="FAR")  # ~470 km away: out of every day's reach
    sc = scenario([far], [team("T1", 1)], days=2)
    plan = solve(sc, seconds=1.0)
    assert_valid(sc, plan)
    assert plan.kpis.idle_team_days == 2
    assert {d.reason for d in plan.idle} == {IdleReason.nothing_in_reach}
    assert [lo.reason for lo in plan.left_out] == [LeftOutReason.out_of_reach]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_sites=st.integers(1, 25),
    kits=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    radius=st.sampled_from([0.02, 0.1, 0.4, 1.5]),
    seconds=st.sampled_from([0.0, 0.2]),
)
def test_no_team_with_a_working_kit_and_a_reachable_site_is_left_idle_by_a_short_limit(n_sites, kits, radius, seconds):
    """Whatever the limit, a plan has visits when a team-day can make some site's first visit, and a
    team-day left idle beside an unvisited site it could plan is reported as out of time, never as
    having nothing in reach: each part gets a first plan that the schedule times."""
    teams = [team(f"T{i}", k) for i, k in enumerate(kits)]
    sc = scenario(ring(n_sites, radius_deg=radius), teams, days=3)
    plan = solve(sc, seconds=seconds)
    assert_valid(sc, plan)
    c = compile_scenario(sc)
    reach = first_visit_reach(c, places(c, plan_trips(c)))
    served = {s.site_id for td in plan.team_days for s in td.stops}
    waiting = np.array([s.id not in served and s.unrecorded > 0 for s in sc.sites])
    could = {(sc.teams[td.team].id, td.date) for i, td in enumerate(c.team_days) if (reach[i] & waiting).any()}
    if any(reach.any(axis=1)):
        assert plan.kpis.visits > 0, "a part came back empty although a team could work"
    for d in plan.idle:  # an idle day is never passed off as having nothing to do when it had
        assert ((d.team_id, d.date) in could) == (d.reason == IdleReason.out_of_time), d


def test_the_lp_bound_gives_up_at_its_deadline_and_the_plan_keeps_the_max_flow_bound():
    import time

    from planner.check.lp_bound import lp_bound
    from planner.compile.reach import reach_matrix

    sc = scenario(ring(12), [team("T1", 2)])
    c = compile_scenario(sc)
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    assert lp_bound(c, reach, day_places, deadline=time.monotonic() - 1) is None
    assert lp_bound(c, reach, day_places, deadline=time.monotonic() + 60) == lp_bound(c, reach, day_places)


def test_a_first_plan_lets_visits_go_on_across_breaks_when_the_rule_allows() -> None:
    """With `record_across_breaks` the timed first plan (no time to search) uses the rule: it is valid,
    some visit spans the midday break, and it records no less than without the rule."""
    from planner.model import VisitRules

    sites = [village(i, 0.01 * (i % 3), 0.01 * (i // 3), 600, id=f"B{i}") for i in range(6)]
    plain = scenario(sites, [team("T1", 1), team("T2", 1)], days=3)
    across = scenario(sites, [team("T1", 1), team("T2", 1)], days=3, visits=VisitRules(record_across_breaks=True))
    plans = {}
    for name, sc in (("plain", plain), ("across", across)):
        plans[name] = solve(sc, seconds=0.0)
        assert_valid(sc, plans[name])
        assert plans[name].solve.parts_out_of_time
    spans = [s for td in plans["across"].team_days for s in td.stops if s.start_min < 12 * 60 < s.end_min]
    assert spans, "no first-plan visit goes on across the midday break"
    assert plans["across"].kpis.expected_recordings >= plans["plain"].kpis.expected_recordings


def _generated_part(tmp_path):
    """The first regency part of a generated 1,000-site province (370 visit nodes), and the scenario."""
    from planner.io.load import load_scenario
    from planner.national.varied import ProvinceSpec, write_province
    from planner.solve.parts import build_instance, regency_parts
    from planner.solve.week import REGENCY_MAX_SITES

    sc = load_scenario(str(write_province(tmp_path, ProvinceSpec("79", 10, 1000, "compact", 3))))
    c = compile_scenario(sc)
    spec = regency_parts(c)[0]
    done = np.zeros(len(sc.sites), dtype=np.int64)
    return sc, build_instance(c, spec, done, places(c, plan_trips(c)), 0, REGENCY_MAX_SITES)


def test_a_part_out_of_time_keeps_the_most_valuable_first_plan_of_the_exponents_its_search_starts_from(tmp_path):
    # bench/results/regency_time.md: a regency's plan swung by up to 16% between runs as its part did or did
    # not search in time, because the kept first plan used one insertion exponent and the search's start three
    from planner.solve.fallback import greedy_routes, routes_value, timed_greedy
    from planner.solve.insertion import POWERS
    from planner.solve.routing import solve_part

    _sc, inst = _generated_part(tmp_path)
    by_power = {p: routes_value(inst, timed_greedy(inst, p)) for p in POWERS}
    assert max(by_power.values()) > by_power[2.0]  # a part where the former single exponent falls short
    assert routes_value(inst, greedy_routes(inst)) == max(by_power.values())
    res = solve_part(inst, 0.0)  # no time to search: the part keeps that plan
    assert res.out_of_time and routes_value(inst, res.routes) == max(by_power.values())


def test_first_plans_of_every_exponent_verify_in_a_whole_plan(tmp_path):
    import planner.solve.fallback as fallback

    sc, _inst = _generated_part(tmp_path)
    for power in (1.0, 3.0):  # the exponent 2 plans are verified by the tests above
        original = fallback.POWERS
        fallback.POWERS = (power,)
        fallback.POWER = power
        try:
            plan = solve(sc, seconds=0.0, lp_bound=False)
        finally:
            fallback.POWERS, fallback.POWER = original, 2.0
        assert len(plan.solve.parts_out_of_time) == plan.solve.parts and plan.kpis.visits > 0
        assert_valid(sc, plan)
