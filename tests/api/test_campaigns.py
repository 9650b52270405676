"""Campaign jobs over HTTP (issue 19): on the plan job queue, read as JSON, CSV and the campaign page,
kept apart from plans, and bad requests answered with their reason."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import headers, make_settings, upload_tiny
from tests.planner.solver_cases import MONDAY

FAST = {"time_limit_s": 2, "max_solutions": 20, "confirm": 1}
DEADLINE = "2026-11-30"  # the tiny week starts Monday 2026-11-23: two weeks


def wait_campaign(c: TestClient, cid: str, timeout: float = 180) -> dict:
    import time

    end = time.monotonic() + timeout
    while True:
        body = c.get(f"/v1/campaigns/{cid}", headers=headers("dashboard")).json()
        if body["status"] in ("done", "failed", "cancelled"):
            return body
        assert time.monotonic() < end, body
        time.sleep(0.3)


@pytest.mark.slow
def test_campaign_job_runs_and_is_read_as_json_csv_and_page(sqlite_url, tmp_path):
    assert MONDAY.isoformat() == "2026-11-23"
    with TestClient(create_app(make_settings(sqlite_url, tmp_path))) as c:
        sid = upload_tiny(c)
        r = c.post("/v1/campaigns", json={"scenario_id": sid, "deadline": DEADLINE, **FAST}, headers=headers("coordinator"))
        assert r.status_code == 202, r.text
        cid = r.json()["id"]
        assert r.headers["Location"] == f"/v1/campaigns/{cid}"
        job = wait_campaign(c, cid)
        assert job["status"] == "done", job
        assert job["weeks"] == 2 and job["expected_recorded"] > 0
        rows = job["projection"]
        assert [r["week_start"] for r in rows] == ["2026-11-23", "2026-11-30"]
        assert rows[1]["recorded_to_date"] == rows[0]["expected_recorded"] + rows[1]["expected_recorded"]
        assert rows[1]["remaining"] == job["remaining"]
        gains = [d["gain"] for d in job["decisions"]]
        assert gains == sorted(gains, reverse=True) and any(d["basis"] == "plans" for d in job["decisions"])
        table = list(csv.DictReader(io.StringIO(c.get(f"/v1/campaigns/{cid}/projection.csv", headers=headers("dashboard")).text)))
        assert [int(r["expected_recorded"]) for r in table] == [r["expected_recorded"] for r in rows]
        assert c.get(f"/v1/campaigns/{cid}/decisions.csv", headers=headers("coordinator")).text.startswith("rank,kind,")
        page = c.get(f"/v1/campaigns/{cid}/map", headers=headers("dashboard"))
        assert page.status_code == 200 and "Kampanye sampai tenggat" in page.text
        assert "Campaign to the deadline" in c.get(f"/v1/campaigns/{cid}/map?lang=en", headers=headers("dashboard")).text
        # kept apart from plans
        assert c.get(f"/v1/plans/{cid}", headers=headers("dashboard")).status_code == 404
        assert cid not in [p["id"] for p in c.get("/v1/plans", headers=headers("dashboard")).json()["items"]]
        assert c.get(f"/v1/campaigns/{cid}", headers=headers("field:T1")).status_code == 403
        assert c.delete(f"/v1/campaigns/{cid}", headers=headers("coordinator")).status_code == 409


def test_bad_campaign_requests_say_why(sqlite_url, tmp_path):
    with TestClient(create_app(make_settings(sqlite_url, tmp_path, run_jobs=False))) as c:
        sid = upload_tiny(c)
        post = lambda body, who="coordinator": c.post("/v1/campaigns", json=body, headers=headers(who))  # noqa: E731
        r = post({"scenario_id": sid, "deadline": "2026-11-01"})
        assert r.status_code == 422 and "before the scenario's first day" in r.json()["detail"]
        r = post({"scenario_id": sid, "deadline": "2029-11-01"})
        assert r.status_code == 422 and "at most 52 weeks" in r.json()["detail"]
        assert post({"scenario_id": "0" * 32, "deadline": DEADLINE}).status_code == 404
        assert post({"scenario_id": sid, "deadline": DEADLINE, "budget": 1}).status_code == 422
        assert post({"scenario_id": sid, "deadline": "next week"}).status_code == 422
        assert post({"scenario_id": sid, "deadline": DEADLINE}, who="dashboard").status_code == 403
        r = post({"scenario_id": sid, "deadline": DEADLINE})
        assert r.status_code == 202 and r.json()["status"] == "queued"
        cid = r.json()["id"]
        assert c.get(f"/v1/campaigns/{cid}/projection.csv", headers=headers("dashboard")).status_code == 409
        assert c.get(f"/v1/campaigns/{cid}/map?lang=fr", headers=headers("dashboard")).status_code == 422
        assert c.get(f"/v1/campaigns/{'f' * 32}", headers=headers("dashboard")).status_code == 404
        assert c.delete(f"/v1/campaigns/{cid}", headers=headers("coordinator")).json()["status"] == "cancelled"
        plan = c.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 2}, headers=headers("coordinator")).json()
        assert c.get(f"/v1/campaigns/{plan['id']}", headers=headers("dashboard")).status_code == 404
