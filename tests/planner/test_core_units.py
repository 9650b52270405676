"""Unit tests of the core's parts on the tiny week and small rings: the one assembly
(`build_team_day`, `time_visits`, `renumber_visits`, `week_plan`), the max-flow bound, the left-out
reasons (`unserved`) and the search's restart step."""

from __future__ import annotations

import dataclasses

import numpy as np

from planner.check.bound import team_day_supply, upper_bound
from planner.check.reasons import unserved
from planner.compile.capacity import service_minutes
from planner.compile.instance import DAY, Compiled, compile_scenario
from planner.compile.reach import reach_matrix
from planner.model import Scenario
from planner.plan import LeftOutReason, StopOutcome
from planner.solve.assemble import Visit, build_team_day, time_visits
from planner.solve.parts import places
from planner.solve.trips import plan_trips
from planner.solve.week import renumber_visits
from tests.planner.builders import TableProvider, tiny_provider, tiny_scenario, with_site


def _compiled(sc: Scenario | None = None) -> Compiled:
    return compile_scenario(sc or tiny_scenario(), tiny_provider())


def _day_of(c: Compiled, team_id: str, day: int = 0) -> int:
    return next(i for i, td in enumerate(c.team_days) if c.scenario.teams[td.team].id == team_id and td.day == day)


def _site(c: Compiled, site_id: str) -> int:
    return next(s for s, site in enumerate(c.scenario.sites) if site.id == site_id)


# ----------------------------------------------------------------------------------------- assembly


def test_a_day_is_timed_leg_by_leg_from_the_matrices() -> None:
    c = _compiled()
    i = _day_of(c, "t1")
    td, v1 = c.team_days[i], _site(c, "v1")
    day, dropped = build_team_day(c, i, (td.team, td.team), [Visit(v1, 1, 40)])
    assert day is not None and dropped == []
    dur = c.duration_on(c.scenario.teams[td.team].vehicle, td.day)
    out, back = int(dur[td.team, c.site_point(v1)]), int(dur[c.site_point(v1), td.team])
    (stop,) = day.stops
    assert stop.travel_min == out and stop.arrival_min == td.work_start + out - td.day * DAY
    team = c.scenario.teams[td.team]
    assert stop.end_min - stop.start_min == service_minutes(40, td.kits, team.rate_per_kit_hour, team.setup_min)
    assert day.travel_min == out + back and day.recordings == 40 and day.return_travel_min == back


def test_a_visit_the_day_cannot_time_is_dropped_and_a_day_at_base_with_nothing_is_none() -> None:
    c = _compiled()
    i = _day_of(c, "t1")
    td, lp1 = c.team_days[i], _site(c, "lp1")
    too_long = Visit(lp1, 1, 10_000)  # longer than the prison's morning window
    day, dropped = build_team_day(c, i, (td.team, td.team), [too_long])
    assert day is None and dropped == [too_long]


def test_a_continued_day_begins_no_visit_before_ready_and_keeps_the_drive_limit() -> None:
    c = _compiled()
    i = _day_of(c, "t1")
    td, v1 = c.team_days[i], _site(c, "v1")
    ready = td.work_start + 3 * 60
    day, _ = build_team_day(c, i, (td.team, td.team), [Visit(v1, 1, 10)], ready=ready)
    assert day is not None and day.stops[0].start_min >= ready - td.day * DAY
    dur = c.duration_on(c.scenario.teams[td.team].vehicle, td.day)
    path = [td.team, c.site_point(v1), td.team]
    drive = int(dur[td.team, c.site_point(v1)] + dur[c.site_point(v1), td.team])
    assert time_visits(c, td, dur, path, [(v1, 10)], td.work_start, None, drive) is not None
    assert time_visits(c, td, dur, path, [(v1, 10)], td.work_start, None, drive - 1) is None
    day, dropped = build_team_day(c, i, (td.team, td.team), [Visit(v1, 1, 10)], max_drive=drive - 1)
    assert day is None and len(dropped) == 1


def test_visits_are_numbered_by_date_after_the_ones_already_made() -> None:
    c = _compiled()
    v1 = _site(c, "v1")
    a, b = _day_of(c, "t1", 0), _day_of(c, "t1", 2)
    fresh = renumber_visits(c, {b: [Visit(v1, 1, 50)], a: [Visit(v1, 2, 50)]})
    assert [v.visit_no for v in fresh[a]] == [1] and [v.visit_no for v in fresh[b]] == [2]
    site = c.scenario.sites[v1]
    after = renumber_visits(c, {a: [Visit(v1, 1, 500)]}, made={v1: 2}, remaining={v1: 30})
    assert after[a][0].visit_no == 3 and after[a][0].people <= 30 < site.unrecorded
    assert renumber_visits(c, {a: [Visit(v1, 1, 50)]}, made={v1: 1}, remaining={v1: 0}) == {a: []}


# ----------------------------------------------------------------------------------------- bound


def test_the_bound_is_the_smaller_of_what_the_days_supply_and_the_sites_demand() -> None:
    c = _compiled()
    day_places = places(c, plan_trips(c))
    reach = reach_matrix(c, day_places)
    supply = team_day_supply(c, reach, day_places)
    demand = [sum(s) for s in c.sizes]
    bound = upper_bound(c, reach, day_places)
    assert 0 < bound <= min(sum(supply), sum(d for s, d in enumerate(demand) if reach[:, s].any()))
    one = dataclasses.replace(c, sizes=[[1] if s else [] for s in c.sizes])  # every site wants one person
    assert upper_bound(one, reach, day_places) == sum(1 for s in range(len(c.sizes)) if c.sizes[s] and reach[:, s].any())
    assert upper_bound(c, np.zeros_like(reach), day_places) == 0


# ----------------------------------------------------------------------------------------- reasons


def test_every_unserved_site_gets_the_first_reason_that_explains_it() -> None:
    sc = with_site(tiny_scenario(), "v2", unrecorded=0)
    c = _compiled(sc)
    day_places = places(c, plan_trips(c))
    undone = unserved(c, [], day_places)
    reasons = {lo.site_id: lo.reason for lo in undone.left_out}
    assert set(reasons) == {s.id for s in sc.sites}
    assert reasons["v2"] == LeftOutReason.no_unrecorded
    assert reasons["v3"] == LeftOutReason.needs_vehicle  # a river village and no boat
    assert reasons["v1"] == LeftOutReason.not_reached_in_time  # every day idle: none was beaten by better sites
    assert {d.team_id for d in undone.idle} == {sc.teams[td.team].id for td in c.team_days}
    assert undone.reach.shape == (len(c.team_days), len(sc.sites))


def test_a_site_beyond_every_trip_is_out_of_reach_even_for_a_team_that_stays_out() -> None:
    """t2 may stay out a night, and the bound's reach lets it lodge anywhere it has a route to; a site
    farther from every base than (nights out + 1) days of driving is still out of reach, not 'reachable'."""
    sc = tiny_scenario()
    far = TableProvider(factor={"car": 1000.0, "motorbike": 1000.0, "boat": 1000.0})
    c = compile_scenario(sc, far)
    undone = unserved(c, [], places(c, plan_trips(c)))
    reasons = {lo.site_id: lo.reason for lo in undone.left_out}
    assert undone.reach[:, _site(c, "v1")].any()  # the relaxation alone would call it reachable
    assert reasons["v1"] == LeftOutReason.out_of_reach


def test_a_missed_visit_does_not_serve_its_site() -> None:
    c = _compiled()
    i = _day_of(c, "t1")
    td = c.team_days[i]
    day, _ = build_team_day(c, i, (td.team, td.team), [Visit(_site(c, "v1"), 1, 40)])
    assert day is not None
    missed = day.model_copy(update={"stops": [s.model_copy(update={"outcome": StopOutcome.missed}) for s in day.stops]})
    day_places = places(c, plan_trips(c))
    assert "v1" not in {lo.site_id for lo in unserved(c, [day], day_places).left_out}
    assert "v1" in {lo.site_id for lo in unserved(c, [missed], day_places).left_out}
