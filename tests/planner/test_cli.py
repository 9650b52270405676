"""The `jemput` command end to end: example → validate → plan → verify, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jemput.cli import app
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
    bad = DATA / "bad" / "sites_non_numeric" / "scenario.yaml"
    r = runner.invoke(app, ["validate", str(bad)])
    assert r.exit_code == 1
    assert "not valid" in r.output


def _small_week(tmp_path: Path) -> Path:
    """A scenario folder written from the good test tables."""
    return DATA / "good" / "scenario.yaml"


@pytest.mark.slow
def test_plan_then_verify_and_tampering_is_caught(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    r = r_plan = runner.invoke(app, ["plan", str(_small_week(tmp_path)), "--out", str(out), "--time-limit", "2", "--workers", "1", "--no-maps"])
    assert r.exit_code == 0, r.output
    assert (out / "roster.csv").read_text(encoding="utf-8-sig").startswith("tim,nama_tim,tanggal")
    assert (out / "roster.xlsx").stat().st_size > 0
    r = runner.invoke(app, ["verify", str(out / "plan.json")])
    assert r.exit_code == 0, r.output
    data = json.loads((out / "plan.json").read_text())
    assert {"expected_recordings", "upper_bound"} <= set(data["kpis"])
    k = data["kpis"]
    assert k["upper_bound"] == min(b for b in (k["bound_max_flow"], k["bound_lp"], k["bound_whole_days"]) if b is not None)
    assert f"{k['bound_max_flow']:,} / " in r_plan.output, "all bounds are shown"
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


@pytest.mark.slow
def test_replan_then_verify_and_roll_to_next_week(tmp_path: Path) -> None:
    week = tmp_path / "week"
    r = runner.invoke(app, ["plan", str(_small_week(tmp_path)), "--out", str(week), "--time-limit", "2",
                            "--workers", "1", "--max-solutions", "20", "--no-maps"])
    assert r.exit_code == 0, r.output
    data = json.loads((week / "plan.json").read_text())
    td = next(t for t in data["team_days"] if t["stops"])
    first = td["stops"][0]
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        "kind,date,site_id,team_id,kit_id,people,until\n"
        f"visit_done,{td['date']},{first['site_id']},{td['team_id']},,{first['people'] + 3},\n"
        "kit_down,2026-11-25,,,K-KJ-1,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "replan"
    r = runner.invoke(app, ["replan", str(week / "plan.json"), str(outcomes), "--from", "2026-11-25T12:00",
                            "--out", str(out), "--time-limit", "2", "--workers", "1", "--max-solutions", "20", "--no-maps"])
    assert r.exit_code == 0, r.output
    assert "verified by the independent validator" in r.output and "gain" in r.output
    new = json.loads((out / "plan.json").read_text())
    assert new["replan"]["churn"] == json.loads((out / "churn.json").read_text())["churn"]
    assert new["replan"]["churn"]["done"] >= 1
    header = (out / "roster.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith(",perubahan")
    r = runner.invoke(app, ["verify", str(out / "plan.json")])
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,date,kit_id\nkit_down,2026-11-25,K-NOPE\n", encoding="utf-8")
    r = runner.invoke(app, ["replan", str(week / "plan.json"), str(bad), "--from", "2026-11-25T12:00", "--out", str(out)])
    assert r.exit_code == 1 and "bad.csv:2 column 'kit_id'" in r.output
    far = tmp_path / "far.csv"  # issue 17: 5,000 people at one site is a warning; a time after the week an error
    far.write_text(f"kind,date,site_id,team_id,people\nvisit_done,{td['date']},{first['site_id']},{td['team_id']},5000\n",
                   encoding="utf-8")
    r = runner.invoke(app, ["replan", str(week / "plan.json"), str(far), "--from", "2026-11-29T08:00", "--out", str(out)])
    assert r.exit_code == 2 and "warning: 5,000 people recorded at" in r.output and "is after the week" in r.output, r.output
    nxt = tmp_path / "next"
    r = runner.invoke(app, ["roll", str(week / "plan.json"), str(outcomes), "--out", str(nxt), "--time-limit", "2",
                            "--workers", "1", "--max-solutions", "20", "--no-maps"])
    assert r.exit_code == 0, r.output
    rolled = json.loads((nxt / "scenario.json").read_text())
    assert rolled["horizon"]["start"] == "2026-11-30"
    r = runner.invoke(app, ["verify", str(nxt / "plan.json")])
    assert r.exit_code == 0, r.output


def test_batch_refuses_nested_without_dask(tmp_path: Path) -> None:
    r = runner.invoke(app, ["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--nested"])
    assert r.exit_code == 2 and "--dask" in r.output
    assert not (tmp_path / "out").exists()  # nothing started
