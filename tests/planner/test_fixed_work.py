"""The fixed work of a plan made cheaper (issue 13: the command keeps its limit under load) gives the
same figures as the plain rules it replaced: vehicles' drive test per site, visit sizes, left-out days,
the greedy insertion's clock along a route."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.check.reasons import team_day_arrays
from planner.compile.capacity import most_in_one_visit
from planner.compile.instance import compile_scenario
from planner.io.load import load_scenario
from planner.national.varied import ProvinceSpec, write_province
from planner.solve.insertion import _advance, _clear_of_breaks, _visit_end, advance_one, clear_one, end_one
from planner.solve.parts import _drives, _legs, _Reach, _vehicle, places, regency_parts
from planner.solve.trips import plan_trips


def _province(tmp_path):
    return load_scenario(str(write_province(tmp_path, ProvinceSpec("79", 6, 600, "scattered", 5))))


def _most_in_one_visit_plain(site, teams, dates):
    """The rule as first written: every team's shift and kits read again for every site."""
    best = None
    for day in dates:
        windows = site.windows_on(day)
        for team in teams:
            shift, kits = team.shift_on(day), team.working_kits(day)
            if not windows or shift is None or kits == 0:
                continue
            for w in windows:
                span = min(w.end, shift.work.end) - max(w.start, shift.work.start)
                n = math.floor((span - team.setup_min) * kits * team.rate_per_kit_hour / 60)
                best = n if best is None else max(best, n)
    return best


def test_vehicles_drive_test_over_numpy_matches_the_one_vehicle_at_a_time_test(tmp_path):
    c = compile_scenario(_province(tmp_path))
    day_places = places(c, plan_trips(c))
    checked = 0
    for spec in regency_parts(c):
        tds = [i for i, td in enumerate(c.team_days) if td.team in spec.teams]
        points = sorted({p for i in tds for p in day_places[i]})
        depot_of = {p: n for n, p in enumerate(points)}
        vehicles = [_vehicle(c, i, depot_of, day_places) for i in tds]
        legs = _legs(c, vehicles, points)
        reach = _Reach(c, vehicles, points, legs)
        for s in range(len(c.scenario.sites)):
            for first_day in (0, 2):
                offered = [v if v.day >= first_day else None for v in vehicles]
                assert reach.drives(s, first_day) == _drives(c, s, offered, points, legs)
                checked += bool(_drives(c, s, offered, points, legs))
    assert checked > 100  # the test saw sites some vehicle can drive to, not only empty lists


def test_visit_sizes_read_each_teams_days_once_and_match_the_plain_rule(tmp_path):
    sc = _province(tmp_path)
    c = compile_scenario(sc)
    for s, site in enumerate(sc.sites):
        teams = [sc.teams[t] for t in np.nonzero(c.compatible[:, s])[0]]
        fits = _most_in_one_visit_plain(site, teams, c.dates)
        assert most_in_one_visit(site, teams, c.dates) == fits
        if fits:
            assert c.sizes[s] or fits <= 0


def test_left_out_rule_for_open_days_reads_team_days_as_arrays(tmp_path):
    c = compile_scenario(_province(tmp_path))
    td_team, td_day = team_day_arrays(c)
    assert len(td_team) == len(c.team_days) > 0
    for s in range(len(c.scenario.sites)):
        open_days = {d for d, w in enumerate(c.windows[s]) if w}
        plain = any(td.day in open_days for td in c.team_days if c.compatible[td.team, s])
        assert bool(np.isin(td_day[c.compatible[td_team, s]], list(open_days)).any()) == plain


_breaks = st.lists(st.tuples(st.integers(0, 900), st.integers(1, 120)), max_size=3).map(
    lambda bs: tuple(sorted((b0, b0 + d) for b0, d in bs))
)


@settings(max_examples=400, deadline=None)
@given(t=st.integers(0, 1000), minutes=st.integers(0, 600), svc=st.integers(0, 300), across=st.booleans(), breaks=_breaks)
def test_the_route_loops_plain_integer_clock_matches_the_vectorised_one(t, minutes, svc, across, breaks):
    assert advance_one(t, minutes, breaks) == int(_advance(t, minutes, breaks))
    assert clear_one(t, svc, breaks, across) == int(_clear_of_breaks(t, svc, breaks, across))
    assert end_one(t, svc, breaks, across) == int(_visit_end(t, svc, breaks, across))
