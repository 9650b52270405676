"""Each rule is enforced the same on both sides: what the solver's compiled data allows (compatible
team × site, `Compiled.duration_on` for closed links) is exactly what the independent validator
accepts, on random teams, sites and closures (hypothesis). A plan that breaks the rule is flagged,
one that keeps it is not."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.check.validate import validate_plan
from planner.compile.instance import compile_scenario
from planner.compile.travel import UNREACHABLE_MIN
from planner.model import ClosedLink, Scenario, Site, Team
from planner.plan import Plan, Stop
from tests.planner.builders import base_place, plan_of, team_day
from tests.planner.solver_cases import MONDAY, scenario, team, village
from tests.planner.test_solver_properties import sites, teams

REQUIREMENT_CODES = {"needs-generator", "needs-clearance", "needs-vehicle", "needs-skill", "outside-regency"}
SKILLS = ["interpreter", "medic", "prison-escort"]


def _one_visit(sc: Scenario, t: Team, s: Site, day: dt.date) -> Plan:
    """A plan of one team-day: base → `s` → base (times need not be right: tests filter codes)."""
    stop = Stop(site_id=s.id, visit=1, arrival_min=9 * 60, start_min=9 * 60, end_min=10 * 60, travel_min=10,
                travel_km=5.0, people=1, value=1.0)
    td = team_day(t, day, base_place(t), base_place(t), "08:00", "10:30", [stop], (10, 5.0))
    return plan_of(sc, [td])


@st.composite
def pairs(draw):
    """A random team and site (the property tests' kinds, vehicles, clearances, generators) with
    random extra skills, and sometimes another regency."""
    t = draw(teams(0))
    s = draw(sites(0))
    t = t.model_copy(update={"skills": frozenset(draw(st.sets(st.sampled_from(SKILLS))))})
    s = s.model_copy(update={"skills": frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2)))})
    if draw(st.booleans()) and draw(st.booleans()):
        t = t.model_copy(update={"regency_code": "15.05"})
    return t, s


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(pairs())
def test_skills_the_solver_allows_are_the_skills_the_validator_accepts(pair) -> None:
    t, s = pair
    sc = scenario([s], [t], days=1)
    c = compile_scenario(sc)
    flagged = {v.code for v in validate_plan(sc, _one_visit(sc, t, s, MONDAY))} & REQUIREMENT_CODES
    assert bool(c.compatible[0, 0]) == (not flagged), (sorted(s.required_skills), sorted(t.offered_skills), flagged)


@st.composite
def closures(draw):
    """Two villages, one team, and random closed links (either direction, some dates) between them and the base."""
    days = draw(st.integers(1, 3))
    start = MONDAY
    site_list = [village(i, 0.03 * (i + 1), -0.02 * i) for i in range(2)]
    places = ["base:T0", "V0", "V1"]
    links = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.permutations(places))[:2]
        dates = draw(st.sets(st.integers(0, days - 1), min_size=1))
        links.append(ClosedLink(a=a, b=b, dates=frozenset(start + dt.timedelta(days=d) for d in dates)))
    return scenario(site_list, [team("T0")], days=days, start=start, closed_links=tuple(links))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(closures())
def test_links_the_solver_may_drive_are_the_links_the_validator_accepts(sc: Scenario) -> None:
    c = compile_scenario(sc)
    t = sc.teams[0]
    for day, date in enumerate(sc.horizon.dates):
        dur = c.duration_on(t.vehicle, day)
        for s, site in enumerate(sc.sites):
            point = c.site_point(s)
            codes = [(v.site_id, v.code) for v in validate_plan(sc, _one_visit(sc, t, site, date)) if v.code == "link-closed"]
            out_closed = dur[0, point] >= UNREACHABLE_MIN  # base → site
            back_closed = dur[point, 0] >= UNREACHABLE_MIN  # site → base
            assert ((site.id, "link-closed") in codes) == out_closed, (date, site.id, codes)
            assert ((None, "link-closed") in codes) == back_closed, (date, site.id, codes)
