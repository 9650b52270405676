"""Job runners apart from the web processes: claims never overlap (PostgreSQL: FOR UPDATE SKIP LOCKED),
only a job whose runner is gone is taken over, and a killed `jemput worker` leaves its job to another."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from api.jobs import JobRunner
from api.tables import Job, utcnow
from planner.check.validate import validate_plan
from planner.plan import Plan
from tests.api.conftest import KEYS, bootstrap, headers, make_settings, tiny_week, tiny_week_json, upload_tiny

COORD = {"X-API-Key": KEYS["coordinator"]}


def _queued(database_url: str, tmp_path: Path, n: int):
    settings = make_settings(database_url, tmp_path, run_jobs=False)
    with TestClient(app := create_app(settings)) as c:
        sid = upload_tiny(c)
        ids = [c.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 1, "seed": i},
                      headers=headers("coordinator")).json()["id"] for i in range(n)]
    return settings, app.state.sessions, ids


def test_two_runners_never_claim_the_same_job(database_url, tmp_path):
    settings, sessions, ids = _queued(database_url, tmp_path, 8)
    runners = [JobRunner(settings, sessions) for _ in range(2)]
    claimed: dict[int, list[str]] = {0: [], 1: []}
    start = threading.Barrier(2)

    def take(i: int) -> None:
        start.wait()
        while (got := runners[i]._claim()) is not None:
            if got[0]:
                claimed[i].append(got[0])

    threads = [threading.Thread(target=take, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)  # each job once, none lost
    with sessions() as s:
        rows = s.scalars(select(Job).where(Job.id.in_(ids))).all()
    assert {r.status for r in rows} == {"running"} and all(r.attempts == 1 for r in rows)
    assert {r.runner_id for r in rows if r.id in claimed[0]} <= {runners[0].runner_id}


def test_only_jobs_whose_runner_is_gone_are_taken_over(database_url, tmp_path):
    settings, sessions, ids = _queued(database_url, tmp_path, 3)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    now = utcnow()
    old = now - dt.timedelta(seconds=settings.runner_lease_s + 5)
    held = {  # job → (runner id, last heartbeat)
        ids[0]: ("elsewhere:4242:a", now),  # alive on another host: its lease is fresh
        ids[1]: ("elsewhere:4242:b", old),  # silent past the lease
        ids[2]: (f"{socket.gethostname()}:{dead.pid}:c", now),  # fresh, but its process here is gone
    }
    with sessions.begin() as s:
        for job_id, (runner, beat) in held.items():
            s.execute(update(Job).where(Job.id == job_id).values(status="running", attempts=1, run_token="t",
                                                                 runner_id=runner, heartbeat_at=beat))
    counts = JobRunner(settings, sessions).recover()
    assert counts == {"resumed": 2, "failed": 0}
    with sessions() as s:
        status = {j.id: (j.status, j.runner_id) for j in s.scalars(select(Job).where(Job.id.in_(ids)))}
    assert status[ids[0]] == ("running", "elsewhere:4242:a")
    assert status[ids[1]] == ("queued", None) and status[ids[2]] == ("queued", None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str, tmp_path: Path) -> dict:
    keys = ",".join(f"{role}{':' + team if team else ''}={key}" for key, (role, team) in bootstrap().items())
    return {**os.environ, "JEMPUT_DATA_DIR": str(tmp_path), "JEMPUT_BOOTSTRAP_KEYS": keys,
            "DATABASE_URL": database_url, "JEMPUT_RUNNER_LEASE_S": "6"}


def test_sqlite_keeps_its_runner_in_the_server(tmp_path):
    env = {**_env("", tmp_path)}
    env.pop("DATABASE_URL")
    for args in (["worker"], ["serve", "--no-runner", "--port", str(_free_port())]):
        r = subprocess.run([sys.executable, "-m", "jemput.cli", *args], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 2 and "SQLite" in r.stdout, (args, r.stdout, r.stderr)


@pytest.mark.slow
def test_killed_worker_leaves_its_job_to_another(database_url, tmp_path):
    """Two web processes without a runner, two `jemput worker`s; SIGKILL the one solving: the other resumes."""
    if database_url.startswith("sqlite"):
        pytest.skip("separate job runners take jobs from PostgreSQL")
    env, port = _env(database_url, tmp_path), _free_port()
    base = f"http://127.0.0.1:{port}"
    cli = [sys.executable, "-m", "jemput.cli"]
    web = subprocess.Popen([*cli, "serve", "--workers", "2", "--no-runner", "--port", str(port), "--log-level", "warning"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers = [subprocess.Popen([*cli, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and web.poll() is None, "web processes did not become ready"
            time.sleep(0.2)
        sid = httpx.post(f"{base}/v1/scenarios", content=tiny_week_json(),
                         headers={**COORD, "Content-Type": "application/json"}).json()["id"]
        pid = httpx.post(f"{base}/v1/plans", json={"scenario_id": sid, "time_limit_s": 4}, headers=COORD).json()["id"]
        job = _until(base, pid, lambda j: j["status"] == "running" and j["progress"]["total"] > 0)
        assert job["attempts"] == 1
        runner_pid = _runner_pid(database_url, pid)
        solving = next(w for w in workers if w.pid == runner_pid)
        os.killpg(solving.pid, signal.SIGKILL)  # the runner and its solve process
        done = _until(base, pid, lambda j: j["status"] in ("done", "failed"), timeout=120)
        assert done["status"] == "done" and done["attempts"] == 2, done
        assert validate_plan(tiny_week(), Plan.model_validate(done["plan"])) == []
        assert _runner_pid(database_url, pid) != runner_pid
    finally:
        for p in (web, *workers):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in (web, *workers):
            p.wait(30)


def _until(base: str, pid: str, ok, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{base}/v1/plans/{pid}", headers=COORD, timeout=10).json()
        if ok(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _runner_pid(database_url: str, job_id: str) -> int:
    from api.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            runner = conn.execute(select(Job.runner_id).where(Job.id == job_id)).scalar()
    finally:
        engine.dispose()
    return int(runner.split(":")[1])
