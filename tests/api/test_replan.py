"""Re-planning over HTTP (POST /v1/plans/{id}/outcomes): a new plan job whose scenario carries the
field's facts; what was done stays; bad outcomes are a 422 naming row and field."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from planner.model import Scenario
from planner.plan import Plan
from planner.check.validate import validate_plan
from tests.api.conftest import headers, upload_tiny, wait_for

FAST = {"time_limit_s": 2, "max_solutions": 20}


def _planned(c: TestClient) -> tuple[str, Plan]:
    sid = upload_tiny(c)
    r = c.post("/v1/plans?wait=60", json={"scenario_id": sid, **FAST}, headers=headers("coordinator"))
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    return r.json()["id"], Plan.model_validate(r.json()["plan"])


@pytest.mark.slow
def test_team_unavailable_on_day_two_is_replanned_and_day_one_stays(client):
    pid, old = _planned(client)
    day2 = old.horizon_start + dt.timedelta(days=1)
    body = {"from": f"{day2}T06:00", **FAST,
            "outcomes": [{"kind": "team_unavailable", "date": str(day2), "team_id": "T1", "reason": "sakit"}]}
    r = client.post(f"/v1/plans/{pid}/outcomes", json=body, headers=headers("coordinator"))
    assert r.status_code == 202, r.text
    assert r.json()["replan_of"]["plan_id"] == pid and r.json()["replan_of"]["outcomes"] == 1
    job = wait_for(client, r.json()["id"])
    assert job["status"] == "done", job
    new = Plan.model_validate(job["plan"])
    # checked against the stored scenario of the re-plan (the facts applied), by the independent validator
    stored = client.get(f"/v1/scenarios/{job['scenario_id']}?include=scenario", headers=headers("dashboard")).json()
    assert validate_plan(Scenario.model_validate(stored["scenario"]), new) == [] and job["violations"] == []
    assert not [td for td in new.team_days if td.team_id == "T1" and td.date == day2 and td.stops]
    first = lambda p: sorted((td.team_id, [(s.site_id, s.start_min) for s in td.stops])  # noqa: E731
                             for td in p.team_days if td.date == old.horizon_start)
    assert first(new) == first(old)  # the day before `from` is done and never moves
    assert new.replan is not None and new.replan.churn is not None


def test_bad_outcomes_are_422_with_row_and_field(client):
    pid, old = _planned(client)
    body = {"from": f"{old.horizon_start}T12:00", **FAST, "outcomes": [
        {"kind": "site_closed", "date": str(old.horizon_start), "site_id": "NOPE-1"}]}
    r = client.post(f"/v1/plans/{pid}/outcomes", json=body, headers=headers("coordinator"))
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert r.json()["detail"].startswith("outcomes not valid")
    assert problem["row"] == 1 and problem["field"] == "site_id" and "NOPE-1" in (problem["value"] or problem["reason"])
    # issue 17: a time after the week is an error; before it, and a count far above the estimate, are warnings
    last = old.horizon_start + dt.timedelta(days=old.horizon_days)
    r = client.post(f"/v1/plans/{pid}/outcomes", json={"from": f"{last}T08:00", **FAST, "outcomes": []},
                    headers=headers("coordinator"))
    assert r.status_code == 422 and "is after the week" in r.json()["problems"][0]["reason"], r.text
    stop = next(s for td in old.team_days for s in td.stops)
    team = next(td.team_id for td in old.team_days if stop in td.stops)
    day = next(td.date for td in old.team_days if stop in td.stops)
    body = {"from": f"{old.horizon_start - dt.timedelta(days=1)}T12:00", **FAST, "outcomes": [
        {"kind": "visit_done", "date": str(day), "site_id": stop.site_id, "team_id": team, "people": 5000}]}
    r = client.post(f"/v1/plans/{pid}/outcomes", json=body, headers=headers("coordinator"))
    assert r.status_code in (200, 202), r.text
    warnings = r.json()["warnings"]
    assert [w["severity"] for w in warnings] == ["warning", "warning"], warnings
    assert any("far above its estimate" in w["reason"] for w in warnings) and any("is before the week" in w["reason"]
                                                                               for w in warnings), warnings


def test_replan_needs_a_finished_plan_and_a_coordinator(client):
    sid = upload_tiny(client)
    r = client.post("/v1/plans", json={"scenario_id": sid, "time_limit_s": 600}, headers=headers("coordinator"))
    pid = r.json()["id"]
    body = {"from": "2026-11-24T12:00", "outcomes": []}
    assert client.post(f"/v1/plans/{pid}/outcomes", json=body, headers=headers("dashboard")).status_code == 403
    assert client.post(f"/v1/plans/{pid}/outcomes", json=body, headers=headers("coordinator")).status_code == 409
    assert client.post(f"/v1/plans/{'0' * 32}/outcomes", json=body, headers=headers("coordinator")).status_code == 404
    assert client.delete(f"/v1/plans/{pid}", headers=headers("coordinator")).status_code == 200
