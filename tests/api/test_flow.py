"""The full flow over HTTP on SQLite and PostgreSQL: upload → plan → poll → exports, idempotency,
cancel, and restarts that find a queued or an interrupted job."""

from __future__ import annotations

import csv
import io
import json
import os
import time

import pytest
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from sqlalchemy import update

from api.app import create_app
from api.tables import Job
from planner.model import Scenario
from planner.plan import Plan
from planner.check.validate import validate_plan
from tests.api.conftest import headers, make_settings, tiny_week, upload_tiny, wait_for

FAST = {"time_limit_s": 2, "max_solutions": 20}


@pytest.mark.slow
def test_create_poll_export(database_url, tmp_path):
    with TestClient(create_app(make_settings(database_url, tmp_path))) as c:
        sid = upload_tiny(c)
        r = c.post("/v1/plans", json={"scenario_id": sid, **FAST}, headers=headers("coordinator"))
        assert r.status_code == 202 and r.json()["status"] in ("queued", "running")
        assert r.headers["Location"] == f"/v1/plans/{r.json()['id']}"
        job = wait_for(c, r.json()["id"])
        assert job["status"] == "done", job
        assert job["progress"]["done"] == job["progress"]["total"] > 0
        plan = Plan.model_validate(job["plan"])
        scenario = tiny_week()
        assert validate_plan(scenario, plan) == []  # the independent validator, not the solver's word
        assert job["violations"] == []
        assert plan.kpis.expected_recordings > 0

        pid = job["id"]
        get = lambda path, who="dashboard": c.get(f"/v1/plans/{pid}{path}", headers=headers(who))  # noqa: E731
        exported = Plan.model_validate_json(get("/export/json").content)
        assert exported == plan
        geo = get("/export/geojson").json()
        kinds = [f["properties"]["feature"] for f in geo["features"]]
        assert kinds.count("route") == len(plan.team_days)
        assert kinds.count("stop") == sum(len(td.stops) for td in plan.team_days)
        assert kinds.count("left_out") == len(plan.left_out)
        route = next(f for f in geo["features"] if f["properties"]["feature"] == "route")
        first = next(t for t in plan.team_days if t.team_id == route["properties"]["team_id"]
                     and t.date.isoformat() == route["properties"]["date"])
        assert route["geometry"]["coordinates"][0] == [first.start_place.lon, first.start_place.lat]  # [lon, lat]
        rows = list(csv.reader(io.StringIO(get("/export/csv?lang=en").content.decode("utf-8-sig"))))
        assert rows[0][0] == "team" and len(rows) - 1 == sum(len(td.stops) for td in plan.team_days)
        wb = CalamineWorkbook.from_filelike(io.BytesIO(get("/export/xlsx").content))
        assert wb.sheet_names == [t.id for t in scenario.teams] + ["Tautan lapangan"]  # + each team-day's QR code
        links = wb.get_sheet_by_name("Tautan lapangan").to_python()[1:]
        assert sorted(r[3] for r in links) == sorted(
            f"http://testserver/v1/plans/{pid}/teams/{td.team_id}/days/{td.date}/app" for td in plan.team_days)
        overview = get("/map?lang=en")
        assert overview.status_code == 200 and overview.headers["content-type"].startswith("text/html")
        assert "<script src=" not in overview.text  # Leaflet inline, nothing from a CDN
        assert overview.text.count("class='jemput-qr'") == len(plan.team_days)  # a QR code per team-day's app
        assert f"http://testserver/v1/plans/{pid}/teams/" in overview.text
        td = next(t for t in plan.team_days if t.stops)
        field = get(f"/teams/{td.team_id}/days/{td.date}/map", who=f"field:{td.team_id}")
        assert field.status_code == 200
        assert scenario.site_by_id()[td.stops[0].site_id].name in field.text


@pytest.mark.slow
def test_wait_solves_inline_and_lists(database_url, tmp_path):
    with TestClient(create_app(make_settings(database_url, tmp_path))) as c:
        sid = upload_tiny(c)
        r = c.post("/v1/plans?wait=60", json={"scenario_id": sid, **FAST}, headers=headers("coordinator"))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "done" and r.json()["plan"]["team_days"]
        listed = c.get(f"/v1/plans?scenario_id={sid}&status=done", headers=headers("dashboard")).json()
        assert [j["id"] for j in listed["items"]] == [r.json()["id"]] and listed["items"][0]["plan"] is None
        assert c.get("/v1/scenarios", headers=headers("dashboard")).json()["total"] == 1


def test_idempotency_key_returns_the_same_job(database_url, tmp_path):
    with TestClient(create_app(make_settings(database_url, tmp_path, run_jobs=False))) as c:
        sid = upload_tiny(c)
        body = {"scenario_id": sid, **FAST}
        h = {**headers("coordinator"), "Idempotency-Key": "week-48-try"}
        first = c.post("/v1/plans", json=body, headers=h)
        again = c.post("/v1/plans", json=body, headers=h)
        assert first.status_code == again.status_code == 202
        assert first.json()["id"] == again.json()["id"]
        other = c.post("/v1/plans", json={**body, "seed": 1}, headers=h)
        assert other.status_code == 409 and "Idempotency-Key" in other.json()["detail"]
        fresh = c.post("/v1/plans", json=body, headers=headers("coordinator"))
        assert fresh.json()["id"] != first.json()["id"]
        assert c.get("/v1/plans", headers=headers("dashboard")).json()["total"] == 2


@pytest.mark.slow
def test_restart_resumes_a_queued_job(database_url, tmp_path):
    """Accepted while no worker ran (the server went down before it started): the next server solves it."""
    with TestClient(create_app(make_settings(database_url, tmp_path, run_jobs=False))) as c:
        sid = upload_tiny(c)
        pid = c.post("/v1/plans", json={"scenario_id": sid, **FAST}, headers=headers("coordinator")).json()["id"]
        assert c.get(f"/v1/plans/{pid}", headers=headers("dashboard")).json()["status"] == "queued"
    with TestClient(create_app(make_settings(database_url, tmp_path))) as c:
        job = wait_for(c, pid)
        assert job["status"] == "done" and job["attempts"] == 1
        assert validate_plan(tiny_week(), Plan.model_validate(job["plan"])) == []


@pytest.mark.slow
def test_restart_resumes_then_fails_an_interrupted_job(database_url, tmp_path):
    """A job left `running` by a crash is solved again; one interrupted max_attempts times fails with the reason."""
    settings = make_settings(database_url, tmp_path, run_jobs=False)
    with TestClient(app := create_app(settings)) as c:
        sid = upload_tiny(c)
        ids = [c.post("/v1/plans", json={"scenario_id": sid, **FAST, "seed": s}, headers=headers("coordinator")).json()["id"]
               for s in (1, 2)]
        with app.state.sessions.begin() as s:  # what a crash mid-solve leaves behind
            s.execute(update(Job).where(Job.id == ids[0]).values(status="running", attempts=1, run_token="dead"))
            s.execute(update(Job).where(Job.id == ids[1]).values(status="running", attempts=settings.max_attempts,
                                                                  run_token="dead"))
    with TestClient(create_app(make_settings(database_url, tmp_path))) as c:
        failed = wait_for(c, ids[1])
        assert failed["status"] == "failed" and "runner stopped" in failed["error"]
        resumed = wait_for(c, ids[0])
        assert resumed["status"] == "done" and resumed["attempts"] == 2


@pytest.mark.slow
def test_cancel_stops_the_worker(database_url, tmp_path):
    big = Scenario.model_validate_json(tiny_week().model_dump_json()).model_copy(update={"name": "cancel me"})
    with TestClient(create_app(make_settings(database_url, tmp_path))) as c:
        r = c.post("/v1/scenarios", content=big.model_dump_json(exclude={"source_dir"}),
                   headers={**headers("coordinator"), "Content-Type": "application/json"})
        pid = c.post("/v1/plans", json={"scenario_id": r.json()["id"], "time_limit_s": 600},
                     headers=headers("coordinator")).json()["id"]
        running = wait_for(c, pid, statuses=("running",))
        worker = _worker_pid(c, pid)
        gone = c.delete(f"/v1/plans/{pid}", headers=headers("coordinator"))
        assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
        assert running["status"] == "running"
        assert _dead(worker)
        assert c.delete(f"/v1/plans/{pid}", headers=headers("coordinator")).status_code == 409
        assert c.get(f"/v1/plans/{pid}/export/json", headers=headers("dashboard")).status_code == 409
        time.sleep(0.5)
        assert c.get(f"/v1/plans/{pid}", headers=headers("dashboard")).json()["status"] == "cancelled"


def _worker_pid(c: TestClient, pid: str) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with c.app.state.sessions() as s:
            worker = s.get(Job, pid).worker_pid
        if worker:
            return worker
        time.sleep(0.1)
    raise AssertionError("no worker pid recorded")


def _dead(pid: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_storage_round_trip(database_url, tmp_path):
    """The scenario stored is the one sent (PostgreSQL and SQLite alike)."""
    with TestClient(create_app(make_settings(database_url, tmp_path, run_jobs=False))) as c:
        sid = upload_tiny(c)
        got = c.get(f"/v1/scenarios/{sid}?include=scenario", headers=headers("dashboard")).json()
        assert Scenario.model_validate(got["scenario"]) == tiny_week().model_copy(update={"source_dir": None})
        assert got["team_ids"] == ["T1", "T2"] and got["sites"] == 8
        assert c.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok", "job_runner": "ok"}}
        assert json.loads(json.dumps(c.get("/healthz").json())) == {"status": "ok", "checks": {}}
