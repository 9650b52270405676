"""The service around the routes: migrations match the models, the worker pool is bounded, the
`jemput keys` commands, and planner stays free of api imports."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.db import alembic_config, make_engine, upgrade
from jemput.cli import app as cli
from tests.api.conftest import headers, make_settings, upload_tiny, wait_for


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises when the tables differ from api/tables.py
    engine.dispose()


@pytest.mark.slow
def test_pool_size_bounds_the_running_solves(sqlite_url, tmp_path):
    with TestClient(create_app(make_settings(sqlite_url, tmp_path, workers=1))) as c:
        sid = upload_tiny(c)
        ids = [c.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 600, "seed": s},
                      headers=headers("coordinator")).json()["id"] for s in (1, 2)]
        wait_for(c, ids[0], statuses=("running",))
        time.sleep(1.0)
        assert c.get(f"/v1/plans/{ids[1]}", headers=headers("dashboard")).json()["status"] == "queued"
        assert c.delete(f"/v1/plans/{ids[0]}", headers=headers("coordinator")).status_code == 200
        wait_for(c, ids[1], statuses=("running",))  # the freed slot goes to the next job
        assert c.delete(f"/v1/plans/{ids[1]}", headers=headers("coordinator")).json()["status"] == "cancelled"


def test_keys_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("JEMPUT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "create", "--role", "field", "--team", "T1", "--label", "hp tim 1"])
    assert made.exit_code == 0, made.output
    key = made.output.split()[-1]
    assert key.startswith("jk_")
    listed = runner.invoke(cli, ["keys", "list"])
    assert "field" in listed.output and "T1" in listed.output and key not in listed.output
    assert runner.invoke(cli, ["keys", "create", "--role", "field"]).exit_code == 2  # field needs --team
    assert runner.invoke(cli, ["keys", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["keys", "list"]).output
    assert runner.invoke(cli, ["keys", "revoke", "99"]).exit_code == 1


def test_planner_does_not_import_api():
    code = "import sys, jemput.cli, planner.solve.week, planner.io.export; print(sorted(m for m in sys.modules if m.split('.')[0] in ('api', 'maps', 'fastapi')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_a_worker_that_dies_fails_its_job_with_the_reason(sqlite_url, tmp_path):
    import os
    import signal

    from api.tables import Job

    with TestClient(create_app(make_settings(sqlite_url, tmp_path))) as c:
        sid = upload_tiny(c)
        pid = c.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 600}, headers=headers("coordinator")).json()["id"]
        wait_for(c, pid, statuses=("running",))
        deadline = time.monotonic() + 30
        while (worker := _worker(c, pid, Job)) is None:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(worker, signal.SIGKILL)  # e.g. the kernel's OOM killer
        job = wait_for(c, pid)
        assert job["status"] == "failed" and "exit code -9" in job["error"]


def _worker(c, pid, Job):
    with c.app.state.sessions() as s:
        return s.get(Job, pid).worker_pid


@pytest.mark.slow
def test_graceful_stop_queues_a_running_solve_again(sqlite_url, tmp_path):
    with TestClient(create_app(make_settings(sqlite_url, tmp_path))) as c:
        sid = upload_tiny(c)
        pid = c.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 600}, headers=headers("coordinator")).json()["id"]
        wait_for(c, pid, statuses=("running",))
    with TestClient(create_app(make_settings(sqlite_url, tmp_path, run_jobs=False))) as c:
        job = c.get(f"/v1/plans/{pid}", headers=headers("dashboard")).json()
        assert job["status"] == "queued" and job["attempts"] == 0 and "resumes" in job["progress"]["message"]
