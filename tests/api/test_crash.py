"""A real server killed with SIGKILL mid-solve: its worker dies with it, and the next server resumes the job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from planner.plan import Plan
from planner.check.validate import validate_plan
from tests.api.conftest import KEYS, bootstrap, tiny_week, tiny_week_json

COORD = {"X-API-Key": KEYS["coordinator"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path, port: int) -> subprocess.Popen:
    keys = ",".join(f"{role}{':' + team if team else ''}={key}" for key, (role, team) in bootstrap().items())
    env = {**os.environ, "JEMPUT_DATA_DIR": str(data_dir), "JEMPUT_BOOTSTRAP_KEYS": keys}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "jemput.cli", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not become ready")


def _poll(base: str, pid: str, statuses: tuple[str, ...], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{base}/v1/plans/{pid}", headers=COORD, timeout=10).json()
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_sigkill_mid_solve_then_restart(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port)
    try:
        sid = httpx.post(f"{base}/v1/scenarios", content=tiny_week_json(),
                         headers={**COORD, "Content-Type": "application/json"}).json()["id"]
        pid = httpx.post(f"{base}/v1/plans", json={"scenario_id": sid, "time_limit_s": 4}, headers=COORD).json()["id"]
        _poll(base, pid, ("running",))
        deadline = time.monotonic() + 30
        while httpx.get(f"{base}/v1/plans/{pid}", headers=COORD).json()["progress"]["total"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)  # until the worker is solving
        import sqlite3

        deadline = time.monotonic() + 30
        worker = None
        while worker is None and time.monotonic() < deadline:
            worker = sqlite3.connect(tmp_path / "jemput.db").execute("select worker_pid from jobs").fetchone()[0]
            time.sleep(0.1)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived its server"
    finally:
        server.kill()
    server = _serve(tmp_path, port)
    try:
        job = _poll(base, pid, ("done", "failed"))
        assert job["status"] == "done" and job["attempts"] == 2, job
        assert validate_plan(tiny_week(), Plan.model_validate(job["plan"])) == []
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)
