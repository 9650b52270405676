"""The weekly solver: every constraint is checked on a small scenario where it binds.

Every plan is checked by the independent validator (`planner.check.validate`), never by the solver's
own numbers.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planner.model import Kit, KitStatus, TimeWindow, Weekday
from planner.plan import LeftOutReason
from planner.check.validate import format_violations, validate_plan
from tests.planner.solver_cases import MONDAY, W, hours, ring, scenario, solve, team, village


def assert_valid(sc, plan) -> None:
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)


def stops_of_site(plan, site_id: str):
    return [(td, s) for td in plan.team_days for s in td.stops if s.site_id == site_id]


def test_plan_records_people_within_the_bound():
    sc = scenario(ring(12), [team("T1", 3), team("T2", 2)])
    plan = solve(sc)
    assert_valid(sc, plan)
    k = plan.kpis
    assert 0 < k.expected_recordings <= k.upper_bound
    assert k.expected_recordings == sum(s.people for td in plan.team_days for s in td.stops)
    served = {s.site_id for td in plan.team_days for s in td.stops}
    assert served.isdisjoint({lo.site_id for lo in plan.left_out})
    assert served | {lo.site_id for lo in plan.left_out} == {s.id for s in sc.sites}


def test_a_broken_kit_changes_the_plan():
    sites = ring(10)
    healthy = scenario(sites, [team("T1", 2)])
    kits = (Kit(id="K1", status=KitStatus.in_repair, repair_until=MONDAY + dt.timedelta(days=2)),)
    broken = scenario(sites, [team("T1", kit_list=kits)])
    a, b = solve(healthy), solve(broken)
    assert_valid(healthy, a)
    assert_valid(broken, b)
    days_b = {td.date for td in b.team_days}
    assert all(d > MONDAY + dt.timedelta(days=2) for d in days_b), "kit in repair until Wednesday: no work before Thursday"
    assert {td.date for td in a.team_days} - days_b, "the healthy team works on Monday–Wednesday"
    assert b.kpis.expected_recordings < a.kpis.expected_recordings


def test_fewer_working_kits_make_visits_longer():
    sites = ring(6)
    kits = (Kit(id="K1"), Kit(id="K2", status=KitStatus.broken), Kit(id="K3", status=KitStatus.broken))
    sc = scenario(sites, [team("T1", kit_list=kits)])
    plan = solve(sc)
    assert_valid(sc, plan)
    for td in plan.team_days:
        assert td.working_kits == 1
        for s in td.stops:  # one kit at 10 per hour: 6 minutes a person plus set-up
            assert s.end_min - s.start_min >= 20 + 6 * s.people


def test_prison_visited_only_inside_its_hours():
    prison = village(
        99, 0.01, 0.01, 300, id="P1", name="Lapas Jambi", kind="prison", turnout=0.9,
        hours={Weekday.mon: (W("09:00-11:00"),), Weekday.wed: (W("09:00-11:00"),)}, clearance="prison",
    )
    sc = scenario([prison, *ring(4)], [team("T1", 4, clearances=frozenset({"prison"}))])
    plan = solve(sc)
    assert_valid(sc, plan)
    visits = stops_of_site(plan, "P1")
    assert visits, "a prison of 300 with a cleared team nearby is worth visiting"
    for td, s in visits:
        assert td.date.weekday() in (0, 2)
        assert 9 * 60 <= s.start_min and s.end_min <= 11 * 60


def test_prison_needs_a_team_with_clearance():
    prison = village(99, 0.01, 0.01, 300, id="P1", kind="prison", turnout=0.9, clearance="prison")
    sc = scenario([prison, *ring(3)], [team("T1", 3)])
    plan = solve(sc)
    assert_valid(sc, plan)
    assert not stops_of_site(plan, "P1")
    assert {lo.site_id: lo.reason for lo in plan.left_out}["P1"] == LeftOutReason.needs_clearance


def test_no_work_during_the_friday_prayer():
    friday = MONDAY + dt.timedelta(days=4)
    sc = scenario(ring(8, unrecorded=60), [team("T1", 4), team("T2", 4)], days=1, start=friday)
    plan = solve(sc)
    assert_valid(sc, plan)
    stops = [s for td in plan.team_days for s in td.stops]
    assert stops
    for s in stops:
        assert s.end_min <= 11 * 60 + 30 or s.start_min >= 13 * 60 + 30
    assert any(s.start_min >= 13 * 60 + 30 for s in stops), "the afternoon after prayer is used"


def test_no_electricity_site_served_only_by_a_generator_team():
    dark = village(50, 0.02, -0.02, 200, id="DARK", electricity=False)
    sc = scenario([dark, *ring(6)], [team("T1", 3), team("T2", 3, generator=True)])
    plan = solve(sc)
    assert_valid(sc, plan)
    visits = stops_of_site(plan, "DARK")
    assert visits
    assert {td.team_id for td, _ in visits} == {"T2"}
    without = scenario([dark, *ring(6)], [team("T1", 3)])
    plan2 = solve(without)
    assert {lo.site_id: lo.reason for lo in plan2.left_out}["DARK"] == LeftOutReason.needs_generator


def test_river_site_needs_a_boat():
    river = village(60, 0.03, 0.03, 200, id="RIVER", access="river")
    sc = scenario([river, *ring(4)], [team("T1", 3), team("B1", 3, vehicle="boat")])
    plan = solve(sc)
    assert_valid(sc, plan)
    assert {td.team_id for td, _ in stops_of_site(plan, "RIVER")} == {"B1"}


def remote_cluster() -> list:
    """Five villages ~1.6° (≈180 km) away: 5+ hours each way by car, beyond a day trip."""
    return [village(200 + i, -0.9 + 0.01 * i, -1.3 - 0.01 * i, 200, id=f"R{i}") for i in range(5)]


def test_overnight_trip_reaches_a_cluster_a_day_trip_cannot():
    day_only = scenario(remote_cluster(), [team("T1", 3, max_drive_min=600)])
    plan = solve(day_only)
    assert_valid(day_only, plan)
    assert plan.kpis.expected_recordings == 0
    assert {lo.reason for lo in plan.left_out} == {LeftOutReason.out_of_reach}

    trip = scenario(remote_cluster(), [team("T1", 3, max_drive_min=600, max_nights_out=3)])
    plan = solve(trip, seconds=3)
    assert_valid(trip, plan)
    assert plan.kpis.expected_recordings > 0
    lodging = [td for td in plan.team_days if td.end_place.kind == "lodging"]
    assert 1 <= len(lodging) <= 3
    assert plan.team_days[-1].end_place.kind == "base"


def test_closed_site_is_reported_closed():
    closed = village(70, 0.01, 0.0, 100, id="SHUT", hours={})
    sc = scenario([closed, *ring(2)], [team("T1", 2)])
    plan = solve(sc)
    assert {lo.site_id: lo.reason for lo in plan.left_out}["SHUT"] == LeftOutReason.closed_all_days


def test_large_village_gets_repeat_visits_with_falling_turnout():
    big = village(80, 0.01, 0.01, 900, id="BIG")
    sc = scenario([big], [team("T1", 4)])
    plan = solve(sc)
    assert_valid(sc, plan)
    visits = sorted(stops_of_site(plan, "BIG"), key=lambda x: (x[0].date, x[1].start_min))
    assert len(visits) >= 2, "900 unrecorded is more than one team-day"
    assert [s.visit for _, s in visits] == list(range(1, len(visits) + 1))
    assert visits[-1][1].people < visits[0][1].people


def test_same_seed_same_plan():
    sc = scenario(ring(10), [team("T1", 3), team("T2", 3)])
    a = solve(sc, seconds=10, seed=3, max_solutions=40)
    b = solve(sc, seconds=10, seed=3, max_solutions=40)
    assert a.team_days == b.team_days
    assert a.kpis == b.kpis


def test_no_team_day_without_a_working_kit():
    kits = (Kit(id="K1", status=KitStatus.broken),)
    sc = scenario(ring(3), [team("T1", kit_list=kits), team("T2", 2)])
    plan = solve(sc)
    assert_valid(sc, plan)
    assert all(td.team_id == "T2" for td in plan.team_days)


@pytest.mark.parametrize("window", ["07:00-09:00", "15:00-18:00"])
def test_site_windows_at_the_edges_of_the_shift(window):
    edge = village(90, 0.005, 0.0, 40, id="EDGE", hours=hours(window))
    sc = scenario([edge], [team("T1", 3)])
    plan = solve(sc)
    assert_valid(sc, plan)
    w = TimeWindow.parse(window)
    visits = stops_of_site(plan, "EDGE")
    assert visits
    for td, s in visits:
        shift = sc.teams[0].shift_on(td.date).work
        assert max(w.start, shift.start) <= s.start_min and s.end_min <= min(w.end, shift.end)


def test_plan_week_keeps_the_scenario_closed_links():
    """Issue 18: closed links were honoured only by the re-plan; `plan_week` drove them."""
    from planner.model import ClosedLink

    sc = scenario(ring(8), [team("T1", 3)], days=2)
    plan = solve(sc, seconds=2, max_solutions=60)
    first = {td.date: td.stops[0].site_id for td in plan.team_days if td.stops}
    closed = tuple(ClosedLink(a="base:T1", b=site, dates=frozenset({day})) for day, site in first.items())
    closed_sc = sc.model_copy(update={"closed_links": closed})
    assert {"link-closed"} <= {v.code for v in validate_plan(closed_sc, plan)}, "the old plan drives them"
    again = solve(closed_sc, seconds=2, max_solutions=60)
    assert_valid(closed_sc, again)
    for td in again.team_days:
        if td.stops:
            assert td.stops[0].site_id != first.get(td.date), (td.date, "drove the closed road")
    assert again.kpis.expected_recordings > 0


def test_requirements_are_skills_a_prison_needing_two_clearances():
    """Issue 18: a site's required skills ⊆ the team's; the old columns map onto skills."""
    from planner.compile.instance import requirement_gaps

    prison = village(0, 0.01, 0.01, 80, kind="prison", clearance="prison", skills=frozenset({"narcotics"}),
                     hours=hours("09:00-15:00"))
    plain = village(1, -0.01, 0.01, 80)
    one = team("T1", 2, clearances=frozenset({"prison"}))
    both = team("T2", 2, clearances=frozenset({"prison"}), skills=frozenset({"narcotics"}))
    assert prison.required_skills == {"prison", "narcotics"}
    assert requirement_gaps(one, prison) == [LeftOutReason.needs_skill]
    assert requirement_gaps(team("T3"), prison) == [LeftOutReason.needs_clearance, LeftOutReason.needs_skill]
    assert requirement_gaps(both, prison) == []
    sc = scenario([prison, plain], [one], days=2)
    plan = solve(sc, seconds=1, max_solutions=30)
    assert_valid(sc, plan)
    assert {lo.site_id: lo.reason for lo in plan.left_out}["V0"] == LeftOutReason.needs_skill
    sc2 = scenario([prison, plain], [both], days=2)
    plan2 = solve(sc2, seconds=1, max_solutions=30)
    assert_valid(sc2, plan2)
    assert stops_of_site(plan2, "V0")
    # the validator holds the same rule: the second team's plan, given to the first team, breaks it
    moved = plan2.model_copy(update={"team_days": [td.model_copy(update={"team_id": "T1"}) for td in plan2.team_days]})
    assert "needs-skill" in {v.code for v in validate_plan(sc, moved)}


def test_old_columns_map_onto_skills():
    from planner import units

    river = village(0, 0.0, 0.0, access="river", electricity=False)
    assert river.required_skills == {"boat", units.GENERATOR_SKILL}
    assert river.skill_kind("boat") == "vehicle" and river.skill_kind("generator") == "generator"
    for vehicle, skills in units.VEHICLE_SKILLS.items():
        for mode, profiles in units.ACCESS_PROFILES.items():
            need = units.ACCESS_SKILL[mode]
            assert (need is None or need in skills) == (vehicle in profiles), (vehicle, mode)
    boat = team("T1", vehicle="boat", generator=True)
    assert boat.offered_skills == {"boat", "generator"}
