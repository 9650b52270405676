"""The application layer: plan or re-plan, verify, write — what the CLI and the API worker share."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jemput.service import SCENARIO_JSON, plan_and_check, read_scenario, replan_and_check, write_outputs
from planner.io.export import read_plan_json
from planner.io.outcomes import LinkClosed, Outcomes
from planner.replan.week import ReplanOptions
from planner.solve.week import SolveOptions
from tests.planner.solver_cases import ring, scenario, team

OPTS = SolveOptions(time_limit_s=2, workers=1, max_solutions=40)


@pytest.mark.slow
def test_a_replan_is_checked_against_the_scenario_with_the_facts_and_written_with_it(tmp_path):
    sc = scenario(ring(6), [team("T1", 2)], days=3)
    first = plan_and_check(sc, OPTS)
    assert first.ok, first.report()
    assert first.scenario is sc
    day = next(td for td in first.plan.team_days if td.stops)
    road = LinkClosed(from_place=f"base:{day.team_id}", to_place=day.stops[0].site_id, date=day.date)
    start = dt.datetime.combine(sc.horizon.start, dt.time(6, 0))
    out = tmp_path / "replan"
    checked = replan_and_check(sc, first.plan, Outcomes(outcomes=(road,)), start, ReplanOptions(OPTS),
                               scenario_file=str((out / SCENARIO_JSON).resolve()))
    assert checked.ok, checked.report()
    assert checked.scenario.closed_links and not sc.closed_links, "checked against the facts, not the old week"
    assert checked.churn is not None
    files = write_outputs(checked, out, maps=False, save_scenario=True)
    assert {"scenario", "plan", "churn"} <= set(files)
    saved = read_plan_json(files["plan"])
    assert read_scenario(saved.scenario_file) == checked.scenario
    assert json.loads(files["churn"].read_text(encoding="utf-8"))["churn"]["gain"] == checked.churn.gain
