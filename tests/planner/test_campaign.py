"""Campaigns to a deadline (issue 19): weeks rolled with verified plans, projection, decisions.

The fixture is real: the bundled Jambi province cut to Kota Sungai Penuh (regency 15.72: 71 villages,
two teams), with one of its kits broken so repair decisions exist. Searches stop after a fixed
number of solutions, so every figure here is repeatable and a gain can be recomputed exactly.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from planner.campaign import CampaignError, CampaignOptions, plan_campaign, run_weeks
from planner.campaign.actions import AddTeam, LendKit, MoveBase, RepairFirst
from planner.campaign.candidates import candidates
from planner.campaign.run import projection
from planner.campaign.weeks import restrict, week_days, week_starts
from planner.check.validate import validate_plan
from planner.io.bundled import jambi_scenario_path
from planner.io.load import load_scenario
from planner.model import Kit, KitStatus, Scenario

START = dt.date(2026, 11, 23)
REGENCY = "15.72"
BROKEN = "T1572-1-K1"


@pytest.fixture(scope="module")
def small() -> Scenario:
    s = restrict(load_scenario(jambi_scenario_path()), frozenset({REGENCY}))
    teams = tuple(
        t.model_copy(update={"kits": tuple(Kit(id=k.id, status=KitStatus.broken) if k.id == BROKEN else k for k in t.kits)})
        for t in s.teams
    )
    return s.model_copy(update={"teams": teams})


def options(deadline: dt.date, **kw) -> CampaignOptions:
    return CampaignOptions(deadline=deadline, week_time_limit_s=20, workers=1, max_solutions=30, **kw)


def test_weeks_run_to_the_deadline_and_the_last_is_cut() -> None:
    assert week_starts(START, dt.date(2026, 12, 19)) == [START + dt.timedelta(days=7 * i) for i in range(4)]
    assert week_starts(START, START) == [START]
    assert week_days(dt.date(2026, 12, 14), 6, dt.date(2026, 12, 16)) == 3
    with pytest.raises(CampaignError, match="before the campaign starts"):
        week_starts(START, START - dt.timedelta(days=1))


@pytest.fixture(scope="module")
def run(small: Scenario):
    return run_weeks(small, options(dt.date(2026, 12, 9)))  # 3 weeks, the last Mon-Wed


@pytest.mark.slow
def test_every_week_is_planned_valid_and_counts_fall_by_what_was_recorded(run) -> None:
    assert [w.start for w in run.weeks] == [START, START + dt.timedelta(days=7), START + dt.timedelta(days=14)]
    assert run.weeks[-1].scenario.horizon.days == 3
    scenarios = [w.scenario for w in run.weeks] + [run.final]
    for w, after in zip(run.weeks, scenarios[1:]):
        assert validate_plan(w.scenario, w.plan) == []  # checked again, independently of the campaign
        people, visits = Counter(), Counter()
        for td in w.plan.team_days:
            for stop in td.stops:
                people[stop.site_id] += stop.people
                visits[stop.site_id] += 1
        assert sum(people.values()) > 0
        before = w.scenario.site_by_id()
        for site in after.sites:
            assert site.unrecorded == max(0, before[site.id].unrecorded - people[site.id])
            decay = w.scenario.visits.repeat_turnout_decay ** visits[site.id]
            assert site.turnout == pytest.approx(max(0.02, before[site.id].turnout * decay), abs=1e-6)
            if visits[site.id] and before[site.id].turnout > 0.02:
                assert site.turnout < before[site.id].turnout  # revisits draw fewer


@pytest.mark.slow
def test_projection_is_monotone_and_adds_up(run, small: Scenario) -> None:
    rows = projection(run)
    start = sum(s.unrecorded for s in small.sites if s.regency_code == REGENCY)
    mine = [r for r in rows if r.regency_code == REGENCY]
    assert [r.week_start for r in mine] == [w.start for w in run.weeks]
    total = 0
    for r in mine:
        total += r.expected_recorded
        assert r.recorded_to_date == total and r.remaining == start - total
        assert r.share_recorded == pytest.approx(total / start, abs=1e-6)
    assert all(a.remaining >= b.remaining for a, b in zip(mine, mine[1:]))
    assert mine[-1].remaining == sum(s.unrecorded for s in run.final.sites)


@pytest.mark.slow
def test_a_kit_in_repair_is_back_after_its_date(small: Scenario) -> None:
    back = START + dt.timedelta(days=9)  # Wednesday of week 2
    teams = tuple(
        t.model_copy(update={"kits": tuple(
            Kit(id=k.id, status=KitStatus.in_repair, repair_until=back - dt.timedelta(days=1)) if k.id == BROKEN else k
            for k in t.kits)})
        for t in small.teams
    )
    r = run_weeks(small.model_copy(update={"teams": teams}), options(dt.date(2026, 12, 5)))
    kits = {td.date: td.working_kits for td in r.weeks[0].plan.team_days + r.weeks[1].plan.team_days if td.team_id == "T1572-1"}
    full = len(small.team_by_id()["T1572-1"].kits)
    assert all(n == full - 1 for d, n in kits.items() if d < back)
    assert all(n == full for d, n in kits.items() if d >= back)


def test_actions_change_the_scenario_as_described(small: Scenario) -> None:
    repair = RepairFirst(BROKEN, "T1572-1", REGENCY, START + dt.timedelta(days=14))
    kit = next(k for k in repair.apply(small, 0).team_by_id()["T1572-1"].kits if k.id == BROKEN)
    assert not kit.works_on(START + dt.timedelta(days=13)) and kit.works_on(START + dt.timedelta(days=14))
    office = next(d for d in small.district_offices if d.fixed_kit_working)
    lent = LendKit(office.district_code, office.name, "T1572-2", REGENCY).apply(small, 0)
    assert len(lent.team_by_id()["T1572-2"].kits) == len(small.team_by_id()["T1572-2"].kits) + 1
    assert office.district_code in lent.districts_without_fixed_kit()
    add = AddTeam(REGENCY, 2, "T1572-1", 2)
    added = add.apply(small, 0)
    assert added.team_by_id()[add.team_id].working_kits(START) == 2
    assert add.apply(added, 1) == added and add.team_id not in add.apply(added, 2).team_by_id()
    moved = MoveBase("T1572-1", REGENCY, -2.1, 101.4, "X", "15.72.01").apply(small, 0).team_by_id()["T1572-1"]
    assert (moved.base_lat, moved.base_lon, moved.base_name) == (-2.1, 101.4, "X")


@pytest.mark.slow
def test_candidates_cover_every_kind(run) -> None:
    opts = options(dt.date(2026, 12, 9))
    kinds = {a.kind for a in candidates(run, opts)}
    assert {"repair_first", "lend_kit", "add_team"} <= kinds
    assert any(isinstance(a, RepairFirst) and a.kit_id == BROKEN for a in candidates(run, opts))


@pytest.mark.slow
def test_confirmed_gains_are_what_planning_with_the_decision_gives(small: Scenario) -> None:
    opts = options(dt.date(2026, 12, 9), confirm_top=2)
    c = plan_campaign(small, opts)
    confirmed = [d for d in c.decisions if d.measured_gain is not None]
    best = sorted(c.decisions, key=lambda d: -d.predicted_gain)
    assert {d.action.key for d in best[:2]} <= {d.action.key for d in confirmed}
    assert {d.action.kind for d in c.decisions if d.predicted_gain > 0} == {d.action.kind for d in confirmed}
    assert [d.gain for d in c.decisions] == sorted((d.gain for d in c.decisions), reverse=True)
    base = run_weeks(small, opts).recorded()
    for d in confirmed:
        again = run_weeks(small, opts, d.action.apply).recorded() - base  # recomputed outside the campaign
        assert d.measured_gain == again
        assert d.kit_weeks > 0 and d.gain_per_kit_week == pytest.approx(d.gain / d.kit_weeks)
    assert c.baseline.recorded() == base


@pytest.mark.slow
def test_the_screening_model_behaves(run) -> None:
    from planner.campaign.screen import calibrate, predict

    cal = calibrate(run)
    assert all(0 <= eta <= 1.5 for eta in cal.share.values())
    total = lambda a: sum(predict(run, cal, a).values())  # noqa: E731
    lend = LendKit("15.72.01", "x", "T1572-2", REGENCY)
    assert total(lend) > 0
    late = RepairFirst(BROKEN, "T1572-1", REGENCY, dt.date(2027, 1, 1))  # back after the deadline: nothing gained
    assert total(late) == 0
    early = RepairFirst(BROKEN, "T1572-1", REGENCY, START + dt.timedelta(days=7))
    assert 0 < total(early) < total(lend)  # one kit for two of three weeks vs one kit for all of them
    assert 0 < total(AddTeam(REGENCY, 1, "T1572-1", 2)) <= total(AddTeam(REGENCY, 2, "T1572-1", 2))
    for gains in (predict(run, cal, lend), predict(run, cal, early)):
        assert set(gains) == {REGENCY}
