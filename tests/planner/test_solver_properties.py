"""Property tests: on random small weeks (with closed links, off dates and closed sites), every plan,
re-plan and next week's plan is valid for its scenario and every unvisited site has a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.compile.instance import owns, requirement_gaps
from planner.io.outcomes import LinkClosed, Outcomes, SiteClosed, TeamUnavailable
from planner.model import ClosedLink, Kit, KitStatus, Weekday
from planner.plan import LeftOutReason
from planner.check.validate import format_violations, validate_plan
from planner.replan.roll import roll_week
from planner.replan.week import ReplanOptions, replan, replanned_scenario
from planner.solve.week import SolveOptions
from tests.planner.solver_cases import MONDAY, W, scenario, solve, team, village

WINDOWS = ["08:00-16:00", "09:00-12:00", "13:00-15:00", "07:00-10:00", "14:00-18:00"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]


@st.composite
def sites(draw, i: int):
    kind = draw(st.sampled_from(["village", "village", "prison", "hospital", "school"]))
    open_days = draw(st.sets(st.sampled_from(DAYS), min_size=1, max_size=6))
    window = draw(st.sampled_from(WINDOWS))
    return village(
        i,
        draw(st.floats(-0.25, 0.25)),
        draw(st.floats(-0.25, 0.25)),
        draw(st.integers(0, 700)),
        kind=kind,
        turnout=draw(st.sampled_from([0.3, 0.6, 0.9])),
        hours={Weekday(d): (W(window),) for d in open_days},
        electricity=draw(st.booleans()) or draw(st.booleans()),
        clearance="prison" if kind == "prison" else None,
        access=draw(st.sampled_from(["road"] * 6 + ["river", "motorbike"])),
    )


@st.composite
def teams(draw, i: int):
    n = draw(st.integers(1, 3))
    statuses = draw(st.lists(st.sampled_from(["working"] * 3 + ["broken", "in_repair"]), min_size=n, max_size=n))
    kits = tuple(
        Kit(id=f"T{i}K{k}", status=KitStatus(s), repair_until=MONDAY + dt.timedelta(days=k) if s == "in_repair" else None)
        for k, s in enumerate(statuses)
    )
    return team(
        f"T{i}",
        kit_list=kits,
        vehicle=draw(st.sampled_from(["car", "motorbike", "boat"])),
        generator=draw(st.booleans()),
        clearances=frozenset({"prison"}) if draw(st.booleans()) else frozenset(),
        max_nights_out=draw(st.sampled_from([0, 0, 2])),
        max_drive_min=draw(st.sampled_from([90, 240, 240])),
    )


def _dates(draw, start: dt.date, days: int, most: int) -> frozenset[dt.date]:
    return frozenset(start + dt.timedelta(days=d) for d in draw(st.sets(st.integers(0, days - 1), max_size=most)))


@st.composite
def weeks(draw):
    site_list = [draw(sites(i)) for i in range(draw(st.integers(1, 7)))]
    team_list = [draw(teams(i)) for i in range(draw(st.integers(1, 2)))]
    days = draw(st.integers(1, 4))
    start = MONDAY + dt.timedelta(days=draw(st.integers(0, 3)))
    site_list = [s.model_copy(update={"closed_dates": _dates(draw, start, days, 2)}) for s in site_list]
    team_list = [t.model_copy(update={"off_dates": _dates(draw, start, days, 1)}) for t in team_list]
    places = [f"base:{t.id}" for t in team_list] + [s.id for s in site_list]
    links = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(places)), draw(st.sampled_from(places))
        closed = _dates(draw, start, days, days)
        if a != b and closed:
            links.append(ClosedLink(a=a, b=b, dates=closed))
    return scenario(site_list, team_list, days=days, start=start, closed_links=tuple(links))


def assert_valid(sc, plan) -> None:
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(weeks())
def test_random_weeks_give_valid_plans_with_reasons(sc):
    plan = solve(sc, seconds=0.5, max_solutions=30)
    assert_valid(sc, plan)
    served = {s.site_id for td in plan.team_days for s in td.stops}
    reasons = {lo.site_id: lo.reason for lo in plan.left_out}
    for site in sc.sites:
        assert (site.id in served) != (site.id in reasons), site.id
        reason = reasons.get(site.id)
        if reason in (LeftOutReason.needs_generator, LeftOutReason.needs_clearance, LeftOutReason.needs_vehicle):
            owners = [t for t in sc.teams if owns(t.regency_code, site.regency_code)]
            assert not any(not requirement_gaps(t, site) for t in owners), "a team that covers it could go"
            assert any(reason.value in requirement_gaps(t, site) for t in owners)
        if reason == LeftOutReason.needs_generator:
            assert not site.electricity
        if reason == LeftOutReason.no_unrecorded:
            assert site.unrecorded == 0
        if reason == LeftOutReason.closed_all_days:
            able = [t for t in sc.teams if owns(t.regency_code, site.regency_code) and not requirement_gaps(t, site)]
            assert not any(site.windows_on(d) and t.shift_on(d) for d in sc.horizon.dates for t in able)


@st.composite
def weeks_with_facts(draw):
    """A random week and field facts from its first day: links, sites and teams closed, some lasting
    into the next week."""
    sc = draw(weeks())
    first = sc.horizon.start
    places = [f"base:{t.id}" for t in sc.teams] + [s.id for s in sc.sites]
    facts: list = []
    for _ in range(draw(st.integers(1, 3))):
        date = first + dt.timedelta(days=draw(st.integers(0, sc.horizon.days - 1)))
        until = date + dt.timedelta(days=draw(st.integers(0, 9)))
        kind = draw(st.sampled_from(["link", "link", "site", "team"]))
        if kind == "link" and len(places) > 1:
            a, b = draw(st.permutations(places))[:2]
            facts.append(LinkClosed(from_place=a, to_place=b, date=date, until=until))
        elif kind == "site":
            facts.append(SiteClosed(site_id=draw(st.sampled_from(sc.sites)).id, date=date, until=until))
        else:
            facts.append(TeamUnavailable(team_id=draw(st.sampled_from(sc.teams)).id, date=date, until=until))
    return sc, Outcomes(outcomes=tuple(facts))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(weeks_with_facts())
def test_replans_and_next_weeks_keep_every_closure(case):
    """The same closures hold on every path: plan, re-plan from the first morning, roll and plan."""
    sc, outcomes = case
    plan = solve(sc, seconds=0.3, max_solutions=20)
    from_time = dt.datetime.combine(sc.horizon.start, dt.time(7, 0))
    options = ReplanOptions(solve=SolveOptions(time_limit_s=0.3, workers=1, max_solutions=20))
    new, _ = replan(sc, plan, outcomes, from_time, options)
    assert_valid(replanned_scenario(sc, plan, outcomes, from_time), new)
    nxt = roll_week(sc, new, outcomes)
    assert_valid(nxt, solve(nxt, seconds=0.3, max_solutions=20))
