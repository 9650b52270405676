"""The `jemput` command end to end: example → validate → plan → verify, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app
from tests.planner.solver_cases import ring, scenario, team

runner = CliRunner()
DATA = Path(__file__).parents[1] / "data"


def test_example_is_accepted_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "week"
    r = runner.invoke(app, ["example", "jambi", "--out", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["validate", str(out / "scenario.yaml")])
    assert r.exit_code == 0, r.output
    assert "1592 sites" in r.output


def test_validate_lists_problems_and_fails(tmp_path: Path) -> None:
    bad = next(p for p in sorted((DATA / "bad").glob("*/scenario.yaml")))
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    assert "not valid" in r.output


def _small_week(tmp_path: Path) -> Path:
    """A scenario folder written from the good test tables."""
    return DATA / "good" / "scenario.yaml"


@pytest.mark.slow
def test_plan_then_verify_and_tampering_is_caught(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    r = runner.invoke(app, ["plan", str(_small_week(tmp_path)), "--out", str(out), "--time-limit", "2", "--workers", "1", "--no-maps"])
    assert r.exit_code == 0, r.output
    assert (out / "roster.csv").read_text(encoding="utf-8-sig").startswith("tim,nama_tim,tanggal")
    assert (out / "roster.xlsx").stat().st_size > 0
    r = runner.invoke(app, ["verify", str(out / "plan.json")])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "plan.json").read_text())
    assert {"expected_recordings", "upper_bound"} <= set(data["kpis"])
    stops = [s for td in data["team_days"] for s in td["stops"]]
    assert stops, "the good test week has work to plan"
    stops[0]["people"] += 500  # more people than the visit's time allows
    (out / "plan.json").write_text(json.dumps(data))
    r = runner.invoke(app, ["verify", str(out / "plan.json")])
    assert r.exit_code == 1
    assert "service-too-short" in r.output


def test_scenario_objects_round_trip_through_json() -> None:
    sc = scenario(ring(2), [team("T1", 2)])
    from planner.model import Scenario

    assert Scenario.model_validate_json(sc.model_dump_json()) == sc
