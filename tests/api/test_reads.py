"""Cheap reads: a finished plan's bodies are stored gzip-compressed once, served with an ETag (304 on
If-None-Match), answered from memory without a database query, and list reads skip the large JSON."""

from __future__ import annotations

import gzip
import re
import threading
import time
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from api.app import create_app
from api.fastpath import CachedReads
from api.store import REPORTS_TTL_S
from api.tables import PlanRender
from planner.check.validate import validate_plan
from planner.plan import Plan
from tests.api.conftest import headers, make_settings, tiny_week, upload_tiny, wait_for


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reads")
    url = f"sqlite:///{tmp / 'jemput.db'}"
    with TestClient(create_app(make_settings(url, tmp, key_cache_s=60))) as c:
        sid = upload_tiny(c)
        r = c.post("/v1/plans?wait=60", json={"scenario_id": sid, "time_limit_s": 2, "max_solutions": 20},
                   headers=headers("coordinator"))
        job = wait_for(c, r.json()["id"])
        assert job["status"] == "done"
        yield c, job, url, tmp


@contextmanager
def statements(client: TestClient):
    """The SQL statements the app sends while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_):
        if threading.current_thread().name != "jemput-job-runner":  # the runner polls the queue meanwhile
            seen.append(statement)

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_finished_plan_gzip_etag_and_304(solved):
    c, job, _, _ = solved
    path = f"/v1/plans/{job['id']}"
    zipped = c.get(path, headers={**headers("dashboard"), "Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    etag = zipped.headers["etag"]
    assert etag.startswith('W/"') and "Accept-Encoding" in zipped.headers["vary"]
    plain = c.get(path, headers={**headers("dashboard"), "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["etag"] == etag
    assert plain.content == zipped.content  # httpx decoded the gzip: the same JSON either way
    plan = Plan.model_validate(plain.json()["plan"])
    assert validate_plan(tiny_week(), plan) == []
    again = c.get(path, headers={**headers("dashboard"), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert c.get(path, headers={**headers("dashboard"), "If-None-Match": 'W/"other"'}).status_code == 200
    field = c.get(path, headers={**headers("field:T1"), "If-None-Match": etag})  # another view, another body
    assert field.status_code == 200 and field.headers["etag"] != etag
    assert {td["team_id"] for td in field.json()["plan"]["team_days"]} == {"T1"}


def test_cached_reads_touch_no_database_and_still_check_access(solved, monkeypatch):
    c, job, _, _ = solved
    base = f"/v1/plans/{job['id']}"
    day = next(td["date"] for td in job["plan"]["team_days"] if td["team_id"] == "T1")
    paths = [(base, "field:T1"), (base, "dashboard"), (f"{base}/export/csv", "dashboard"),
             (f"{base}/teams/T1/days/{day}/map", "field:T1"), (f"{base}/map?lang=en", "coordinator")]
    first = {(p, who): c.get(p, headers=headers(who)) for p, who in paths}  # renders, stores, caches the key
    assert all(r.status_code == 200 for r in first.values())
    short: list[str] = []
    answer = CachedReads._answer

    def spy(self, scope):
        response = answer(self, scope)
        if response is not None:
            short.append(scope["path"])
        return response

    monkeypatch.setattr(CachedReads, "_answer", spy)
    for p, who in paths:  # the reports' versions read again (the renders above may have outlasted them)
        c.get(p, headers=headers(who))
    short.clear()
    started = time.monotonic()
    with statements(c) as sql:
        for p, who in paths:
            r = c.get(p, headers=headers(who))
            was = first[p, who]
            assert r.status_code == 200 and r.content == was.content and r.headers["etag"] == was.headers["etag"]
            assert r.headers["x-content-type-options"] == "nosniff"  # the security headers on the short way too
            assert r.headers["vary"] == "Accept-Encoding, X-API-Key"
    # at most the field reports' version (re-read once a second: their status is in the plan's JSON)
    assert [q for q in sql if "FROM field_reports" not in q] == []
    # answered before routing (api.fastpath): all of them unless a reports version ran out meanwhile
    assert {f"{base}/export/csv", f"{base}/teams/T1/days/{day}/map"} <= set(short)
    assert len(short) == len(paths) or time.monotonic() - started > REPORTS_TTL_S
    assert first[f"{base}/export/csv", "dashboard"].headers["content-disposition"].startswith("attachment")
    # the short way never widens access: other teams, other roles and bad options still go the full way
    assert c.get(base, headers=headers("field:T9")).status_code == 403
    assert c.get(f"{base}/teams/T2/days/{day}/map", headers=headers("field:T1")).status_code == 403
    assert c.get(f"{base}/map", headers=headers("field:T1")).status_code == 403
    assert c.get(f"{base}/map?lang=fr", headers=headers("dashboard")).status_code == 422
    for p, who in paths:  # a parameter the route does not declare is 422 (api.strict), cached body or not
        assert c.get(f"{p}{'&' if '?' in p else '?'}limt=5", headers=headers(who)).status_code == 422
    assert c.get(base, headers={"X-API-Key": "not-a-key"}).status_code == 401


def test_bodies_are_stored_once_for_every_web_process(solved):
    """A second app on the same database (another web process) serves the stored map, byte for byte."""
    c, job, url, tmp = solved
    path = f"/v1/plans/{job['id']}/map"
    mine = c.get(path, headers={**headers("dashboard"), "Accept-Encoding": "gzip"})
    with TestClient(create_app(make_settings(url, tmp, run_jobs=False))) as other:
        theirs = other.get(path, headers={**headers("dashboard"), "Accept-Encoding": "gzip"})
    assert theirs.headers["etag"] == mine.headers["etag"] and theirs.content == mine.content
    with c.app.state.sessions() as s:
        row = s.scalar(select(PlanRender).where(PlanRender.job_id == job["id"], PlanRender.key.startswith("overview|id|")))
    assert row is not None and gzip.decompress(row.body_gz) == mine.content


def test_lists_read_summaries_not_the_large_json(solved):
    c, job, _, _ = solved
    with statements(c) as sql:
        assert c.get("/v1/scenarios", headers=headers("dashboard")).json()["total"] >= 1
        assert c.get("/v1/plans", headers=headers("dashboard")).json()["total"] >= 1
        assert c.get("/v1/plans", headers=headers("field:T1")).json()["total"] >= 1
    large = [q for q in sql if re.search(r"\b(scenario_json|plan_json)\b", q)]  # (replan_json is small)
    assert sql and large == []


def test_a_new_field_report_shows_in_the_plan_json_of_every_process(solved):
    """The plan's JSON carries the field reports' status: a cached body never hides a new report."""
    c, job, url, tmp = solved
    path = f"/v1/plans/{job['id']}"
    td = next(td for td in job["plan"]["team_days"] if td["team_id"] == "T1" and td["stops"])
    stop = td["stops"][0]
    with TestClient(create_app(make_settings(url, tmp, run_jobs=False))) as other:
        before = {who: app.get(path, headers=headers(who)) for who, app in (("dashboard", c), ("field:T1", other))}
        old_map = c.get(f"{path}/map", headers=headers("dashboard"))
        report = {"id": f"r-reads-{stop['site_id']}"[:60], "site_id": stop["site_id"], "visit": stop["visit"],
                  "kind": "done", "people": 7, "start": "08:30", "end": "09:00"}
        sent = c.post(f"{path}/teams/T1/days/{td['date']}/reports", json={"reports": [report]}, headers=headers("field:T1"))
        assert sent.status_code == 200, sent.text
        mine = c.get(path, headers=headers("dashboard"))  # this process stored it: shown at once
        assert mine.headers["etag"] != before["dashboard"].headers["etag"]
        deadline = time.monotonic() + REPORTS_TTL_S + 2  # another process re-reads the version within its TTL
        while (theirs := other.get(path, headers=headers("field:T1"))).headers["etag"] == before["field:T1"].headers["etag"]:
            assert time.monotonic() < deadline, "another process kept serving the plan without the new report"
            time.sleep(0.1)
        new_map = c.get(f"{path}/map", headers=headers("dashboard"))  # the overview shows the team-days' status too
        assert new_map.status_code == 200 and new_map.headers["etag"] != old_map.headers["etag"]
        time.sleep(REPORTS_TTL_S)
        assert other.get(f"{path}/map", headers=headers("dashboard")).headers["etag"] == new_map.headers["etag"]
    with c.app.state.sessions() as s:  # the stored overview of the older reports version is gone
        keys = s.scalars(select(PlanRender.key).where(PlanRender.job_id == job["id"],
                                                      PlanRender.key.startswith("overview|id|"))).all()
    assert len(keys) == 1 and "reports:0-0" not in keys[0]
    for r in (mine, theirs):
        status = next(s for s in r.json()["field_status"] if s["team_id"] == "T1" and s["date"] == td["date"])
        assert status["done"] >= 1 and status["people_recorded"] >= 7
