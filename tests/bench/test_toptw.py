"""The TOPTW adapter: parsing, the scenario it builds, and a solved instance checked by the validator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.toptw_adapter import (
    instance_path, parse_instance, plan_score, provider, read_bks, to_scenario, write_matrix,
)
from planner.solve.week import SolveOptions, plan_week
from planner.check.validate import format_violations, validate_plan



def test_parse_r101_has_the_literature_values():
    inst = parse_instance(instance_path("r101"))
    assert inst.n == 100 and inst.scale == 10
    assert inst.tmax == 2300  # depot C = 230, scaled by 10
    assert (inst.service[1], inst.score[1], inst.open[1], inst.close[1]) == (100, 10, 1610, 1710)
    # travel = floor(10 × euclid): node 0 (35, 35) to node 1 (41, 49): √232 = 15.23… → 152
    assert inst.travel[0, 1] == 152


def test_scenario_keeps_service_windows_and_score(tmp_path: Path):
    inst = parse_instance(instance_path("pr01"))
    sc = to_scenario(inst, 2, write_matrix(inst, 2, tmp_path / "m.csv"))
    assert len(sc.teams) == 2 and sc.horizon.days == 1 and sc.horizon.day_minutes == inst.tmax == 100_000
    site = sc.site_by_id()["c1"]
    w = next(iter(site.hours.values()))[0]
    assert (w.start, w.end) == (inst.open[1], inst.close[1] + inst.service[1])
    assert site.unrecorded * sc.site_weight(site) == pytest.approx(inst.score[1])


@pytest.mark.slow
def test_solved_instance_validates_and_stays_below_best_known(tmp_path: Path):
    inst = parse_instance(instance_path("r101"))
    sc = to_scenario(inst, 1, write_matrix(inst, 1, tmp_path / "m.csv"))
    plan = plan_week(sc, SolveOptions(time_limit_s=1, seed=0, workers=1), provider=provider(sc))
    violations = validate_plan(sc, plan, provider(sc))
    assert not violations, format_violations(violations)
    score = plan_score(inst, plan)
    assert 0 < score <= read_bks()[("r101", 1)]
    assert plan.kpis.weighted_value == pytest.approx(score)


@pytest.mark.slow
def test_peer_routes_become_valid_plans(tmp_path: Path):
    from bench.peers import op_from_compiled, plan_from_routes, solve_pyvrp
    from planner.compile.instance import compile_scenario

    inst = parse_instance(instance_path("pr01"))
    sc = to_scenario(inst, 2, write_matrix(inst, 2, tmp_path / "m.csv"))
    c = compile_scenario(sc, provider(sc))
    op = op_from_compiled(c)
    routes, _ = solve_pyvrp(op, 1.0)
    plan = plan_from_routes(c, op, routes, "pyvrp", 1.0)
    violations = validate_plan(sc, plan, provider(sc))
    assert not violations, format_violations(violations)
    assert 0 < plan_score(inst, plan) <= read_bks()[("pr01", 2)]
