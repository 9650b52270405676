"""The bundled island provinces (Nusa Tenggara Timur, Jawa Timur): they load with islands and
crossings, and a real regency spread over islands is planned without driving across the sea."""

from __future__ import annotations

from collections import Counter

import pytest

from planner.check.validate import validate_plan
from planner.compile.crossings import CrossingProvider
from planner.compile.travel import GreatCircleProvider
from planner.io.bundled import example_dir
from planner.io.load import load_scenario
from planner.plan import LeftOutReason
from tests.planner.solver_cases import solve


@pytest.fixture(scope="module")
def ntt():
    return load_scenario(example_dir("nusa-tenggara-timur") / "scenario.yaml")


def test_ntt_loads_with_islands_and_crossings(ntt):
    assert len(ntt.sites) == 3352 and ntt.has_islands
    assert len({s.island for s in ntt.sites}) == 38
    assert all(x.a_island and x.b_island and x.a_island != x.b_island for x in ntt.crossings)
    islands = CrossingProvider(GreatCircleProvider(), ntt).islands
    assert all(islands.of[f"base:{t.id}"] == t.island for t in ntt.teams)
    # every island with villages of a regency is joined to the seat's island by some crossing chain
    for regency in {s.regency_code for s in ntt.sites}:
        home = next(t.island for t in ntt.teams if t.regency_code == regency)
        joined, grew = {home}, True
        while grew:
            grew = False
            for x in ntt.crossings:
                for a, b in ((x.a_island, x.b_island), (x.b_island, x.a_island)):
                    if a in joined and b not in joined:
                        joined.add(b)
                        grew = True
        assert {s.island for s in ntt.sites if s.regency_code == regency} <= joined, regency


@pytest.mark.slow
def test_jawa_timur_loads_with_madura_over_the_bridge():
    sc = load_scenario(example_dir("jawa-timur") / "scenario.yaml")
    assert len(sc.sites) == 8492
    bridge = next(x for x in sc.crossings if x.kind == "bridge")
    assert {bridge.a_island, bridge.b_island} == {"1", "2"}  # Java and Madura


@pytest.mark.slow
def test_flores_timur_is_planned_over_its_straits_without_driving_across_the_sea(ntt):
    """Flores Timur: seat Larantuka on Flores, villages on Adonara and Solor too."""
    sites = tuple(s for s in ntt.sites if s.regency_code == "53.06")
    teams = tuple(t for t in ntt.teams if t.regency_code == "53.06")
    sc = ntt.model_copy(update={"sites": sites, "teams": teams, "district_offices": ()})
    plan = solve(sc, seconds=5)
    assert validate_plan(sc, plan) == []  # the validator's travel rejects any leg across the sea
    island = {s.id: s.island for s in sites}
    team_island = {t.id: t.island for t in teams}
    off_island = Counter(island[st.site_id] for td in plan.team_days for st in td.stops
                         if island[st.site_id] != team_island[td.team_id])
    assert off_island, "the motorbike team should take a boat to Adonara or Solor"
    car_stops = [st for td in plan.team_days if td.team_id.endswith("-1") for st in td.stops]
    assert all(island[st.site_id] == "1" for st in car_stops)  # no crossing in reach carries the car there
    reasons = {lo.reason for lo in plan.left_out}
    assert reasons <= {LeftOutReason.lower_value, LeftOutReason.out_of_reach, LeftOutReason.no_crossing,
                       LeftOutReason.needs_generator}


def test_example_copies_the_crossings_table(tmp_path):
    from planner.io.bundled import write_example
    from planner.io.load import validate_scenario

    path = write_example("nusa-tenggara-timur", tmp_path / "ntt")
    assert (tmp_path / "ntt" / "crossings.csv").is_file() and (tmp_path / "ntt" / "README.md").is_file()
    sc, report = validate_scenario(path)
    assert report.ok and len(sc.crossings) == 37
