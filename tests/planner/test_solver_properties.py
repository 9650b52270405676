"""Property tests: on random small weeks, every plan is valid and every unvisited site has a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.model import Kit, KitStatus, Weekday
from planner.plan import LeftOutReason
from planner.check.validate import format_violations, validate_plan
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


@st.composite
def weeks(draw):
    site_list = [draw(sites(i)) for i in range(draw(st.integers(1, 7)))]
    team_list = [draw(teams(i)) for i in range(draw(st.integers(1, 2)))]
    days = draw(st.integers(1, 4))
    start = MONDAY + dt.timedelta(days=draw(st.integers(0, 3)))
    return scenario(site_list, team_list, days=days, start=start)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(weeks())
def test_random_weeks_give_valid_plans_with_reasons(sc):
    plan = solve(sc, seconds=0.5, max_solutions=30)
    violations = validate_plan(sc, plan)
    assert violations == [], format_violations(violations)
    served = {s.site_id for td in plan.team_days for s in td.stops}
    reasons = {lo.site_id: lo.reason for lo in plan.left_out}
    for site in sc.sites:
        assert (site.id in served) != (site.id in reasons), site.id
        reason = reasons.get(site.id)
        if reason == LeftOutReason.needs_generator:
            assert not site.electricity and not any(t.generator for t in sc.teams)
        if reason == LeftOutReason.no_unrecorded:
            assert site.unrecorded == 0
        if reason == LeftOutReason.closed_all_days:
            assert not any(site.windows_on(d) and t.shift_on(d) for d in sc.horizon.dates for t in sc.teams)
