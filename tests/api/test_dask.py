"""DASK_SCHEDULER: the API's solve jobs send their regency parts to a running Dask scheduler, and
give the same plan as a solve in worker processes (same seed, solution limit)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from planner.solve.backends import DaskBackend
from planner.national.synthetic import write_national
from tests.api.conftest import headers, make_settings

OPTS = {"time_limit_s": 120, "max_solutions": 5, "seed": 1}


def _plan_without_wall(body: dict) -> dict:
    plan = dict(body["plan"])
    plan["solve"] = {k: v for k, v in plan["solve"].items() if k not in ("wall_s", "scenario_file")}
    plan.pop("scenario_file", None)
    return plan


def _solve(settings, scenario_json: str) -> dict:
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/scenarios", content=scenario_json, headers={**headers("coordinator"), "Content-Type": "application/json"})
        assert r.status_code == 201, r.text
        r = c.post("/v1/plans?wait=120", json={"scenario_id": r.json()["id"], **OPTS}, headers=headers("coordinator"))
        assert r.status_code == 200 and r.json()["status"] == "done", r.text
        assert r.json()["violations"] == []
        return r.json()


@pytest.mark.slow
def test_solve_jobs_run_on_the_dask_scheduler(tmp_path):
    (path,) = write_national(tmp_path / "synth", 1, seed=3, regencies=["15.72", "15.71"])
    from planner.io.load import load_scenario

    scenario_json = load_scenario(path).model_dump_json(exclude={"source_dir"})
    cluster = DaskBackend(local_workers=2)
    try:
        address = cluster.client.scheduler.address
        tasks_before = cluster.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.transition_log))
        on_dask = _solve(make_settings(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a", solve_backend=address), scenario_json)
        tasks_after = cluster.client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.transition_log))
    finally:
        cluster.close()
    assert tasks_after > tasks_before  # the parts went through the scheduler
    local = _solve(make_settings(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b", solve_workers=2), scenario_json)
    assert json.dumps(_plan_without_wall(on_dask), sort_keys=True) == json.dumps(_plan_without_wall(local), sort_keys=True)


def test_a_bad_dask_scheduler_spec_fails_at_start_up(monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER", "udp:/nowhere")
    with pytest.raises(ValueError, match="DASK_SCHEDULER"):
        Settings.from_env()
