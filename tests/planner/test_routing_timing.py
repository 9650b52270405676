"""The routing model and the schedule agree on time: what the search accepts, the schedule can time.

Instances are built by hand (`PartInstance`) so a case is exactly the one described; every route
the search returns is timed with `planner.solve.schedule.schedule_route`, the rules the validator checks.
"""

from __future__ import annotations

import numpy as np
import pytest

from planner.solve.routing import PartInstance, Vehicle, service_vector, solve_part
from planner.solve.schedule import schedule_route

NOON, ONE, FOUR = 12 * 60, 13 * 60, 16 * 60


def vehicle(work_start: int, breaks=((NOON, ONE),), ready: int | None = None, work_end: int = FOUR) -> Vehicle:
    """One team-day: 1 kit at 60 people an hour, 10 min set-up (so p people take p + 10 minutes)."""
    return Vehicle(team=0, team_day=0, day=0, kits=1, rate_per_kit_hour=60.0, setup_min=10, profile="car",
                   start_node=0, end_node=1, work_start=work_start, work_end=work_end, breaks=breaks,
                   max_drive_min=600, ready=ready)


def instance(v: Vehicle, people: list[int], duration: np.ndarray, site: list[int] | None = None, **kw) -> PartInstance:
    n = len(people)
    return PartInstance(
        name="t", node_point=np.arange(2 + n), n_depots=2,
        visit_site=np.array(site if site is not None else range(n)), visit_no=np.ones(n, dtype=np.int64),
        visit_people=np.array(people), visit_value=np.array(people, dtype=float) * 10,
        duration={"car": duration}, vehicles=[v], allowed=[[0]] * n, start_windows=[[(0, 2 * 24 * 60)]] * n,
        travel_cost_per_hour=0.0, **kw,
    )


def timed(inst: PartInstance, route: list[int], ready: int = 0):
    """The schedule's times for a route (None: it cannot be kept), as assembly and re-planning time it."""
    v = inst.vehicles[0]
    svc = service_vector(inst, v)
    dur = inst.duration[v.profile]
    path = [v.start_node] + route + [v.end_node]
    legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
    windows = [((max(ready, 0), 2 * 24 * 60),)] * len(route)
    return schedule_route(v.work_start, legs[:-1], [int(svc[n]) for n in route], windows, v.breaks, legs[-1], v.work_end)


def tight_case() -> np.ndarray:
    """Nodes: 0 where the team is, 1 its base, 2 and 3 one village 11 min away, 6 min from the base."""
    d = np.zeros((4, 4), dtype=np.int64)
    d[0, 2:] = d[2:, 0] = 11
    d[1, 2:] = d[2:, 1] = 6
    d[0, 1] = d[1, 0] = 15
    return d


def test_the_search_drives_no_minute_of_a_break():
    """Continuing at 12:00 into a 12:00-13:00 break: 11 min drive, visits of 130 and 40 min, 6 min
    home by 16:00 cannot be done (13:11 → 15:21 → 16:01 > 15:54), so the search keeps one visit."""
    inst = instance(vehicle(NOON), [120, 30], tight_case())
    res = solve_part(inst, 1.0)
    assert len(res.routes[0]) == 1
    assert timed(inst, res.routes[0]) is not None


def test_a_continued_day_leaves_its_last_visit_at_its_end():
    """The same team left its last visit at 10:49 (as the schedule and validator time it) and may
    begin nothing before the re-plan time 12:00: it arrives 11:00, waits out the break, does both."""
    inst = instance(vehicle(10 * 60 + 49, ready=NOON), [120, 30], tight_case())
    res = solve_part(inst, 1.0)
    assert sorted(res.routes[0]) == [2, 3]
    times = timed(inst, res.routes[0], ready=NOON)
    assert times is not None and times[0].start == ONE


def test_waiting_for_the_replan_time_begins_no_visit_earlier():
    """Left at 09:00, nothing new before `ready`: a 40-min visit fits after 11:00, not after 15:30."""
    d = tight_case()[:3, :3]
    inst = instance(vehicle(9 * 60, breaks=(), ready=11 * 60), [30], d)
    res = solve_part(inst, 1.0)
    assert res.routes[0] == [2]
    assert timed(inst, res.routes[0], ready=11 * 60)[0].start == 11 * 60
    late = instance(vehicle(9 * 60, breaks=(), ready=15 * 60 + 30), [30], d)
    assert timed(late, [2], ready=15 * 60 + 30) is None
    assert solve_part(late, 1.0).routes[0] == []


def test_a_site_gets_one_visit_per_team_day_when_asked():
    """Two visits of one village: without the rule the day takes both back to back, with it one."""
    d = tight_case()
    free = solve_part(instance(vehicle(8 * 60, breaks=()), [40, 20], d, site=[7, 7]), 1.0)
    assert sorted(free.routes[0]) == [2, 3]
    ruled = solve_part(instance(vehicle(8 * 60, breaks=()), [40, 20], d, site=[7, 7], one_visit_per_vehicle=True), 1.0)
    assert len(ruled.routes[0]) == 1


@pytest.mark.parametrize("seed", range(6))
def test_every_route_the_search_returns_can_be_timed(seed):
    """Random days with a midday break (or a long Friday prayer) and tight returns: the schedule
    times every route the search returns, so assembly drops no visit."""
    rng = np.random.default_rng(seed)
    n = 9
    pts = rng.uniform(0, 40, size=(2 + n, 2))
    d = np.rint(np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1)).astype(np.int64)
    breaks = ((NOON, ONE),) if seed % 2 else ((11 * 60 + 30, 13 * 60 + 30),)
    start = int(rng.choice([8 * 60, 11 * 60 + 20, NOON]))
    inst = instance(vehicle(start, breaks=breaks, work_end=FOUR + int(rng.integers(0, 40))),
                    [int(x) for x in rng.integers(15, 120, size=n)], d)
    res = solve_part(inst, 1.0)
    assert res.routes[0], "something fits"
    assert timed(inst, res.routes[0]) is not None, res.routes


@pytest.mark.slow
@pytest.mark.parametrize("rule", [True, False])
def test_a_large_village_is_visited_once_a_day_by_a_team(rule):
    """900 people and one team: repeat visits fall on different days with the rule, and the plan is
    valid by the independent validator either way (it checks the rule when it is on)."""
    from planner.model import VisitRules
    from planner.check.validate import validate_plan
    from tests.planner.solver_cases import scenario, solve, team, village

    sc = scenario([village(80, 0.01, 0.01, 900, id="BIG")], [team("T1", 4)],
                  visits=VisitRules(one_visit_per_team_day=rule))
    plan = solve(sc)
    assert validate_plan(sc, plan) == []
    dates = [td.date for td in plan.team_days for s in td.stops if s.site_id == "BIG"]
    assert len(dates) >= 2
    if rule:
        assert len(set(dates)) == len(dates)
    else:
        assert len(set(dates)) < len(dates), "without the rule a day takes two visits back to back"
