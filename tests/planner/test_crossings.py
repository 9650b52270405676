"""Islands and crossings: travel between islands only over a bridge, ferry or boat, in the one travel
computation the solver and the validator share; a plan that drives across the sea is rejected."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from planner.check.validate import validate_plan
from planner.compile.crossings import CrossingProvider, boarding_wait, next_departure, with_crossings
from planner.compile.instance import compile_scenario, scenario_points
from planner.compile.travel import UNREACHABLE_MIN, GreatCircleProvider, great_circle_km, whole_minutes
from planner.model import Crossing, Weekday
from planner.plan import LeftOutReason
from tests.planner.solver_cases import BASE, MONDAY, ring, scenario, solve, team, village

# The small island lies ~0.2° (≈ 22 km) east of the base, across a strait; its port faces the
# main island's port 0.1° away.
SMALL = [village(100 + i, 0.01 * i, 0.20 + 0.01 * i, 200, id=f"S{i}", island="S") for i in range(3)]
MAIN_PORT = (BASE[0], BASE[1] + 0.08)
SMALL_PORT = (BASE[0], BASE[1] + 0.18)


def main_sites(n: int = 4):
    return [s.model_copy(update={"island": "M"}) for s in ring(n)]


def ferry(**kw) -> Crossing:
    fields = dict(id="F1", kind="ferry", a_lat=MAIN_PORT[0], a_lon=MAIN_PORT[1], a_island="M",
                  b_lat=SMALL_PORT[0], b_lon=SMALL_PORT[1], b_island="S", crossing_min=30, every_min=60)
    return Crossing(**{**fields, **kw})


def islands(crossings=(), teams=None):
    return scenario([*main_sites(), *SMALL], teams or [team("T1", 3, island="M")], crossings=tuple(crossings))


def test_boarding_wait_is_the_longest_wait_for_an_arrival_in_working_hours():
    assert boarding_wait(ferry(every_min=60)) == 59  # arriving 07:01 waits until 08:00
    assert boarding_wait(ferry(kind="bridge", every_min=None)) == 0
    twice = ferry(every_min=None, departures={d: (8 * 60, 14 * 60) for d in Weekday})
    assert boarding_wait(twice) == 18 * 60 - 1  # arriving 14:01 waits until 08:00 the next day
    monday = ferry(every_min=None, departures={Weekday.mon: (8 * 60,)})
    assert boarding_wait(monday) == 7 * 24 * 60 - 1  # arriving Monday 08:01 waits a week
    assert boarding_wait(monday, weekdays=[0]) == 7 * 24 * 60 - 1
    assert next_departure(twice, MONDAY, 9 * 60) == (MONDAY, 14 * 60)
    assert next_departure(twice, MONDAY, 15 * 60) == (MONDAY + dt.timedelta(days=1), 8 * 60)


def test_a_crossing_needs_sailings_and_a_bridge_none():
    with pytest.raises(ValueError, match="needs every_min or departures"):
        ferry(every_min=None)
    with pytest.raises(ValueError, match="always open"):
        ferry(kind="bridge")


def test_without_a_crossing_there_is_no_route_between_islands():
    sc = islands()
    c = compile_scenario(sc)
    car = c.duration["car"]
    small = [c.site_point(i) for i, s in enumerate(sc.sites) if s.island == "S"]
    main = [c.site_point(i) for i, s in enumerate(sc.sites) if s.island == "M"]
    assert (car[np.ix_([0, *main], small)] == UNREACHABLE_MIN).all()
    assert (car[np.ix_(small, [0, *main])] == UNREACHABLE_MIN).all()
    assert (car[np.ix_(main, main)] < UNREACHABLE_MIN).all()
    assert (car[np.ix_(small, small)] < UNREACHABLE_MIN).all()


def test_travel_between_islands_goes_road_port_wait_sail_port_road():
    sc = islands([ferry()])
    c = compile_scenario(sc)
    s0 = next(i for i, s in enumerate(sc.sites) if s.id == "S0")
    gc = GreatCircleProvider()
    road = lambda a, b: float(great_circle_km(*a, *b)) * gc.circuity["car"] * 60 / gc.speed_kmh["car"]
    site = (sc.sites[s0].lat, sc.sites[s0].lon)
    want = road(BASE, MAIN_PORT) + 59 + 30 + road(SMALL_PORT, site)
    assert c.duration["car"][0, c.site_point(s0)] == int(np.ceil(want))
    km = float(great_circle_km(*BASE, *MAIN_PORT) + great_circle_km(*SMALL_PORT, *site)) * gc.circuity["car"]
    km += float(great_circle_km(*MAIN_PORT, *SMALL_PORT))
    assert c.distance["car"][0, c.site_point(s0)] == pytest.approx(km)


def test_ferry_that_carries_only_motorbikes_does_not_take_a_car():
    sc = islands([ferry(vehicles=frozenset({"motorbike"}))], [team("T1", 3, island="M"), team("M1", 2, vehicle="motorbike")])
    c = compile_scenario(sc)
    s0 = c.site_point(next(i for i, s in enumerate(sc.sites) if s.id == "S0"))
    assert c.duration["car"][0, s0] == UNREACHABLE_MIN
    assert c.duration["motorbike"][1, s0] < UNREACHABLE_MIN


def test_a_boat_team_is_not_bound_to_islands():
    sc = islands([], [team("B1", 2, vehicle="boat")])
    provider = with_crossings(GreatCircleProvider(), sc)
    assert isinstance(provider, CrossingProvider)
    boat = whole_minutes(provider.matrices(scenario_points(sc), "boat").duration_min)
    assert (boat < UNREACHABLE_MIN).all()


def test_islands_of_unlabelled_places_are_those_of_the_nearest_site():
    sc = islands([ferry(a_island="", b_island="")], [team("T1", 3)])
    provider = CrossingProvider(GreatCircleProvider(), sc)
    assert provider.islands.of["base:T1"] == "M"
    assert [p.island for p in provider.ports] == ["M", "S"]


def test_chained_crossings_reach_a_third_island():
    far = [village(200, 0.0, 0.40, 200, id="FAR", island="F")]
    second = Crossing(id="F2", kind="boat", a_lat=BASE[0], a_lon=BASE[1] + 0.25, b_lat=BASE[0], b_lon=BASE[1] + 0.35,
                      a_island="S", b_island="F", crossing_min=20, every_min=120, vehicles=frozenset({"car"}))
    sc = scenario([*main_sites(), *SMALL, *far], [team("T1", 3, island="M")], crossings=(ferry(), second))
    c = compile_scenario(sc)
    point = c.site_point(len(sc.sites) - 1)
    assert 59 + 30 + 119 + 20 < c.duration["car"][0, point] < UNREACHABLE_MIN
    legs = CrossingProvider(GreatCircleProvider(), sc).leg_crossings(("base:T1", *BASE), ("FAR", far[0].lat, far[0].lon), "car")
    assert [(x.crossing.id, x.from_end) for x in legs] == [("F1", "a"), ("F2", "a")]
    assert 0 < legs[0].minutes_to_port < legs[1].minutes_to_port


@pytest.mark.slow
def test_plan_without_crossing_leaves_the_island_with_no_crossing_and_is_valid():
    sc = islands()
    plan = solve(sc)
    assert validate_plan(sc, plan) == []
    reasons = {lo.site_id: lo.reason for lo in plan.left_out}
    assert all(reasons[s.id] == LeftOutReason.no_crossing for s in SMALL)
    assert not any(stop.site_id.startswith("S") for td in plan.team_days for stop in td.stops)


@pytest.mark.slow
def test_validator_rejects_a_plan_that_drives_across_the_sea():
    with_ferry = islands([ferry()], [team("T1", 3, island="M", max_drive_min=400)])
    plan = solve(with_ferry)
    assert validate_plan(with_ferry, plan) == []
    served = {stop.site_id for td in plan.team_days for stop in td.stops}
    assert served & {s.id for s in SMALL}, "the ferry should let the team serve the small island"
    no_ferry = with_ferry.model_copy(update={"crossings": ()})
    codes = {v.code for v in validate_plan(no_ferry, plan)}
    assert "no-crossing" in codes


def test_a_matrix_file_names_the_crossing_ends_as_places(tmp_path):
    """travel.provider file: rows to and from `port:<id>:a|b` give the road legs to the jetties."""
    from planner.compile.matrix_file import FileMatrixProvider
    from planner.compile.travel import Points

    sc = islands([ferry()])
    pts = scenario_points(sc)
    ids = list(pts.ids) + ["port:F1:a", "port:F1:b"]
    lat = list(pts.lat) + [MAIN_PORT[0], SMALL_PORT[0]]
    lon = list(pts.lon) + [MAIN_PORT[1], SMALL_PORT[1]]
    gc = GreatCircleProvider().matrices(Points(ids=tuple(ids), lat=np.array(lat), lon=np.array(lon)), "car")
    rows = ["from_id,to_id,duration_min,distance_km"] + [
        f"{a},{b},{gc.duration_min[i, j]:.6f},{gc.distance_km[i, j]:.6f}"
        for i, a in enumerate(ids) for j, b in enumerate(ids) if i != j]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n")
    from_file = CrossingProvider(FileMatrixProvider(tmp_path / "m.csv"), sc).matrices(pts, "car")
    direct = CrossingProvider(GreatCircleProvider(), sc).matrices(pts, "car")
    assert np.allclose(from_file.duration_min, direct.duration_min, atol=1e-5)
