"""Keys and roles: 401 without a key, 403 outside the role, field keys see their own team only."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.auth import Role, create_key, hash_key
from api.tables import ApiKey
from planner.plan import Plan
from tests.api.conftest import KEY_CACHE_S, KEYS, headers, make_settings, tiny_week_json, upload_tiny, wait_for


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """One app with one finished plan of teams T1 and T2, shared by the read tests."""
    tmp = tmp_path_factory.mktemp("access")
    with TestClient(create_app(make_settings(f"sqlite:///{tmp / 'jemput.db'}", tmp))) as c:
        sid = upload_tiny(c)
        r = c.post("/v1/plans?wait=60", json={"scenario_id": sid, "time_limit_s": 2, "max_solutions": 20},
                   headers=headers("coordinator"))
        job = wait_for(c, r.json()["id"])
        assert job["status"] == "done"
        yield c, sid, job


def test_no_key_is_401_and_a_wrong_key_too(solved):
    c, sid, job = solved
    for path in ("/v1/scenarios", f"/v1/plans/{job['id']}", f"/v1/plans/{job['id']}/export/json"):
        assert c.get(path).status_code == 401
        assert c.get(path, headers={"X-API-Key": "not-a-key"}).status_code == 401
    assert c.get("/healthz").status_code == 200  # health needs no key


def test_only_coordinators_create(solved):
    c, sid, job = solved
    body = {"scenario_id": sid, "time_limit_s": 2}
    for who in ("dashboard", "field:T1"):
        assert c.post("/v1/plans", json=body, headers=headers(who)).status_code == 403
        r = c.post("/v1/scenarios", content=tiny_week_json(), headers={**headers(who), "Content-Type": "application/json"})
        assert r.status_code == 403 and "coordinator" in r.json()["detail"]
        assert c.delete(f"/v1/plans/{job['id']}", headers=headers(who)).status_code == 403


def test_dashboard_reads_everything(solved):
    c, sid, job = solved
    for path in ("/v1/scenarios", f"/v1/scenarios/{sid}", f"/v1/plans/{job['id']}", f"/v1/plans/{job['id']}/map",
                 f"/v1/plans/{job['id']}/export/xlsx", f"/v1/plans/{job['id']}/teams/T2/days/2026-11-23/map"):
        assert c.get(path, headers=headers("dashboard")).status_code == 200, path


def test_field_key_sees_its_own_team_only(solved):
    c, sid, job = solved
    pid = job["id"]
    mine = Plan.model_validate(c.get(f"/v1/plans/{pid}", headers=headers("field:T1")).json()["plan"])
    full = Plan.model_validate(job["plan"])
    assert {td.team_id for td in mine.team_days} <= {"T1"}
    assert [td for td in full.team_days if td.team_id == "T1"] == mine.team_days
    exported = Plan.model_validate_json(c.get(f"/v1/plans/{pid}/export/json", headers=headers("field:T1")).content)
    assert {td.team_id for td in exported.team_days} <= {"T1"}
    assert c.get(f"/v1/plans/{pid}/teams/T1/days/2026-11-23/map", headers=headers("field:T1")).status_code == 200
    assert c.get(f"/v1/plans/{pid}/teams/T2/days/2026-11-23/map", headers=headers("field:T1")).status_code == 403
    assert c.get(f"/v1/plans/{pid}/map", headers=headers("field:T1")).status_code == 403
    assert c.get("/v1/scenarios", headers=headers("field:T1")).status_code == 403
    assert c.get(f"/v1/scenarios/{sid}", headers=headers("field:T1")).status_code == 403


def test_field_key_of_another_team_sees_no_plan(solved):
    c, sid, job = solved
    assert c.get(f"/v1/plans/{job['id']}", headers=headers("field:T9")).status_code == 403
    assert c.get(f"/v1/plans/{job['id']}/export/csv", headers=headers("field:T9")).status_code == 403
    assert c.get("/v1/plans", headers=headers("field:T9")).json() == {"items": [], "total": 0}
    assert c.get("/v1/plans", headers=headers("field:T1")).json()["total"] == 1


def test_keys_are_stored_hashed_and_revocable(solved):
    c, sid, job = solved
    sessions = c.app.state.sessions
    key_id, key = create_key(sessions, Role.dashboard, label="wall screen")
    with sessions() as s:
        stored = [k.key_hash for k in s.scalars(select(ApiKey))]
    assert hash_key(key) in stored and key not in stored and KEYS["coordinator"] not in stored
    assert c.get("/v1/scenarios", headers={"X-API-Key": key}).status_code == 200
    with sessions.begin() as s:
        s.get(ApiKey, key_id).revoked = True
    revoked = time.monotonic()  # the key cache may still accept it until its entry runs out (KEY_CACHE_S)
    while c.get("/v1/scenarios", headers={"X-API-Key": key}).status_code == 200:
        assert time.monotonic() - revoked < KEY_CACHE_S + 0.5, "a revoked key still works after the cache TTL"
        time.sleep(0.05)
    assert c.get("/v1/scenarios", headers={"X-API-Key": key}).status_code == 401
    with pytest.raises(ValueError):
        create_key(sessions, Role.field)  # a field key needs a team
